// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

/// @title Per-round staking escrow of the Numeraire Tournament
/// @notice Data scientists stake NMR on a committed prediction file before a round closes.
/// Whoever funds a round (the treasury or a sponsor) pays its three pools from their own
/// balance: a USD staking pool (the 2017 auction), a USD prize pool and an NMR issuance
/// (prizes by rank). The oracle settles every stake (burn, USD reward, NMR reward) and
/// posts the round's prizes before the round's deadline; after that deadline any unsettled
/// staker takes the whole stake back alone. The escrow enforces bounds only; the amounts
/// are the oracle's published payout policy. The oracle can never move anyone's tokens
/// into the escrow or out of it except as a round's stakes and pools allow.
///
/// The oracle can post nothing it did not publish first: a round is created with the
/// digest of its dataset, and resolved in two steps. {commitResults} commits the digest of
/// the published targets and scores and the hash of every settlement batch (the prize list
/// last); a challenge window then runs, during which anyone may {dispute} with an NMR bond.
/// Only after it may {settle} and {payPrizes} run, each accepting exactly the committed
/// batches, in order. A GUARDIAN_ROLE (a key apart from the oracle) {rule}s on a dispute:
/// upheld voids the round (stakes withdrawable at once, pools back to the funder, the bond
/// back with a reward from the round's NMR pool); rejected burns the bond.
///
/// A position on rolling ({setRolling}) needs no transaction from its staker again: at each
/// settlement what it keeps (the stake less its burn, plus its NMR reward) moves into the
/// same model's position in {newestRound} while that round takes stakes, where it backs the
/// model's submission at the close; USD rewards and prizes still go to the wallet. No token
/// is created or lost, and the escape hatch returns a rolled position like any other.
interface ITournamentEscrow {
    enum StakeStatus {
        None,
        Active,
        Settled,
        Withdrawn
    }

    /// @notice A round as pages and the oracle read it. NMR amounts in wei (18 decimals),
    /// USD amounts in the stablecoin's units (6 decimals on the local chain).
    struct RoundView {
        uint256 closesAt;
        uint256 resolvesBy;
        address funder;
        uint256 usdStakingPool;
        uint256 usdStakingPaid;
        uint256 usdPrizePool;
        uint256 usdPrizePaid;
        uint256 nmrPool;
        uint256 nmrPaid;
        uint256 totalStaked;
        uint256 settledStake;
        uint256 totalBurned;
        uint256 stakerCount;
        uint256 settledCount;
        bool prizesPaid;
        bool finalized;
        bytes32 datasetDigest;
        bytes32 resultsDigest;
        uint256 challengeEndsAt;
        uint256 batchCount;
        uint256 batchesSettled;
        address disputer;
        bool voided;
        uint256 usdCredited;
    }

    /// @notice One staker's position on one of its models in one round (model 0 is a
    /// wallet's first or only model). Confidence is a WAD (1e18 == 1.0): NMR
    /// staked per dollar of prize asked, so the bid is amount / confidence dollars.
    /// `rolls`: at settlement what the position keeps moves into the same model's position
    /// in the newest round, if that round is open ({setRolling}).
    struct StakeView {
        uint256 amount;
        uint256 confidence;
        StakeStatus status;
        bool rolls;
    }

    /// @notice The oracle's settlement of one stake: `burn` NMR wei destroyed (the rest of
    /// the stake returned), `usdReward` units from the USD staking pool, `nmrReward` wei from
    /// the NMR pool. `release`: what the stake keeps goes to the wallet even if the position
    /// rolls (the payout policy found no file to score: a model with no submission by the
    /// close, or a sealed file never revealed).
    struct StakeSettlement {
        address staker;
        uint32 model;
        uint256 burn;
        uint256 usdReward;
        uint256 nmrReward;
        bool release;
    }

    /// @notice One performance prize: `usd` units from the USD prize pool and `nmr` wei
    /// from the NMR pool to `winner`. Prizes are won by models and paid to wallets: a
    /// wallet whose models rank several times gets one entry, the sum of their prizes.
    struct Prize {
        address winner;
        uint256 usd;
        uint256 nmr;
    }

    // ---- events ----------------------------------------------------------------------

    /// @dev `funder` is the only account that may fund the round; `datasetDigest` commits
    /// the published dataset file.
    event RoundCreated(
        uint256 indexed roundId, uint256 closesAt, uint256 resolvesBy, address indexed funder, bytes32 datasetDigest
    );
    /// @dev Amounts are what this call added; the totals are in {getRound}.
    event RoundFunded(
        uint256 indexed roundId, address indexed funder, uint256 usdStakingPool, uint256 usdPrizePool, uint256 nmrPool
    );
    /// @dev `amount` is what this call added; `submissionHash` is the committed prediction
    /// file, and the latest event per (staker, model) wins. The running total is in {getStake}.
    event Staked(
        uint256 indexed roundId,
        address indexed staker,
        uint32 model,
        uint256 amount,
        uint256 confidence,
        bytes32 submissionHash
    );
    /// @dev `batchHashes` are keccak256(abi.encode(batch)) of each settle batch in order, the
    /// prize list's last; settlement may start at `challengeEndsAt`.
    event ResultsCommitted(
        uint256 indexed roundId, bytes32 resultsDigest, bytes32[] batchHashes, uint256 challengeEndsAt
    );
    event Disputed(uint256 indexed roundId, address indexed disputer, uint256 bond);
    /// @dev `upheld`: the bond went back with `reward` NMR and the round is void; otherwise
    /// the bond was burned and `reward` is 0.
    event DisputeRuled(uint256 indexed roundId, address indexed disputer, bool upheld, uint256 reward);
    event RoundVoided(uint256 indexed roundId);
    /// @dev An open dispute nobody ruled on within the ruling period ({lapseDispute}) or by
    /// resolvesBy ({finalize}): the bond went back and the committed batches stand.
    event DisputeLapsed(uint256 indexed roundId, address indexed disputer, uint256 bond);
    /// @dev Committed batch `index` of the round was posted (settle or, last, payPrizes).
    event BatchPosted(uint256 indexed roundId, uint256 index);
    /// @dev What the stake kept (stake - burned + nmrReward) went to the wallet, or, when
    /// `rolledInto` is not 0, into the same model's position in round `rolledInto`, where it
    /// backs the model's submission at that round's close.
    event StakeSettled(
        uint256 indexed roundId,
        address indexed staker,
        uint32 model,
        uint256 burned,
        uint256 usdReward,
        uint256 nmrReward,
        uint256 rolledInto
    );
    event PrizePaid(uint256 indexed roundId, address indexed winner, uint256 usdPrize, uint256 nmrPrize);
    /// @dev Emitted once per round, after its {PrizePaid} events (also for an empty list).
    event PrizesAwarded(uint256 indexed roundId, uint256 winners, uint256 usdTotal, uint256 nmrTotal);
    event StakeWithdrawn(uint256 indexed roundId, address indexed staker, uint32 model, uint256 amount);
    /// @dev The staker put its position on (or took it off) rolling ({setRolling}).
    event RollingSet(uint256 indexed roundId, address indexed staker, uint32 model, bool rolls);
    event RoundFinalized(uint256 indexed roundId, address indexed funder, uint256 usdReturned, uint256 nmrReturned);
    /// @dev The stablecoin refused to pay `recipient` (a blacklisted address): `amount` USD
    /// units wait for it as a credit of the round ({claimCredit}), and the batch went on.
    event UsdCredited(uint256 indexed roundId, address indexed recipient, uint256 amount);
    /// @dev `recipient`'s credit in the round went to `to` (the recipient, or the funder
    /// after resolvesBy).
    event CreditClaimed(uint256 indexed roundId, address indexed recipient, address indexed to, uint256 amount);
    /// @dev `amount` of `token` the escrow held beyond every stake, pool and bond went to `to`.
    event TokensRecovered(address indexed token, address indexed to, uint256 amount);

    // ---- errors ----------------------------------------------------------------------

    error TournamentEscrowZeroAddress();
    error TournamentEscrowUnknownRound(uint256 roundId);
    error TournamentEscrowRoundExists(uint256 roundId);
    error TournamentEscrowInvalidSchedule(uint256 closesAt, uint256 resolvesBy);
    error TournamentEscrowAmountTooLarge(uint256 amount);
    error TournamentEscrowZeroAmount();
    error TournamentEscrowZeroSubmissionHash();
    error TournamentEscrowInvalidConfidence(uint256 confidence);
    error TournamentEscrowConfidenceLowered(uint256 roundId, uint256 current, uint256 requested);
    error TournamentEscrowRoundClosed(uint256 roundId, uint256 closesAt);
    error TournamentEscrowRoundOpen(uint256 roundId, uint256 closesAt);
    error TournamentEscrowNotFunder(uint256 roundId, address funder);
    error TournamentEscrowSettlementWindowOver(uint256 roundId, uint256 resolvesBy);
    error TournamentEscrowNoStake(uint256 roundId, address staker, uint32 model);
    error TournamentEscrowAlreadySettled(uint256 roundId, address staker, uint32 model);
    error TournamentEscrowBurnExceedsStake(address staker, uint256 burn, uint256 stake);
    error TournamentEscrowRewardExceedsBid(address staker, uint256 usdReward, uint256 bid);
    error TournamentEscrowRewardExceedsStake(address staker, uint256 nmrReward, uint256 stake);
    /// @dev `pool`: 0 the USD staking pool, 1 the USD prize pool, 2 the NMR pool.
    error TournamentEscrowPoolExceeded(uint256 roundId, uint8 pool, uint256 amount, uint256 remaining);
    error TournamentEscrowPrizesAlreadyPaid(uint256 roundId);
    error TournamentEscrowTooManyWinners(uint256 count, uint256 maximum);
    error TournamentEscrowWinnersNotAscending(uint256 index, address winner);
    error TournamentEscrowDeadlineNotReached(uint256 roundId, uint256 resolvesBy);
    error TournamentEscrowUnsettledStakes(uint256 roundId, uint256 unsettled);
    error TournamentEscrowPrizesNotPaid(uint256 roundId);
    error TournamentEscrowAlreadyFinalized(uint256 roundId);
    error TournamentEscrowZeroRoundId();
    error TournamentEscrowZeroDigest();
    error TournamentEscrowInvalidWinner(uint256 index, address winner);
    error TournamentEscrowInvalidChallengeWindow(uint256 challengeWindow, uint256 maxResolutionDelay);
    error TournamentEscrowAlreadyCommitted(uint256 roundId);
    error TournamentEscrowBatchCount(uint256 count, uint256 maximum);
    /// @dev `rulingEndsAt` (the challenge window's end plus the ruling period) would not fall
    /// before resolvesBy, so a dispute could leave no time to settle.
    error TournamentEscrowCommitTooLate(uint256 roundId, uint256 rulingEndsAt, uint256 resolvesBy);
    error TournamentEscrowRulingPeriodOver(uint256 roundId, uint256 rulingEndsAt);
    error TournamentEscrowRulingPeriodOpen(uint256 roundId, uint256 rulingEndsAt);
    error TournamentEscrowInvalidRulingPeriod(uint256 rulingPeriod, uint256 challengeWindow, uint256 maxResolutionDelay);
    /// @dev resolvesBy - closesAt must exceed the challenge window plus the ruling period.
    error TournamentEscrowResolutionTooShort(uint256 resolutionWindow, uint256 needed);
    error TournamentEscrowNotCommitted(uint256 roundId);
    error TournamentEscrowChallengeWindowOpen(uint256 roundId, uint256 challengeEndsAt);
    error TournamentEscrowChallengeWindowOver(uint256 roundId, uint256 challengeEndsAt);
    error TournamentEscrowRoundDisputed(uint256 roundId, address disputer);
    error TournamentEscrowAlreadyDisputed(uint256 roundId, address disputer);
    error TournamentEscrowNoDispute(uint256 roundId);
    error TournamentEscrowBatchesExhausted(uint256 roundId);
    error TournamentEscrowBatchMismatch(uint256 roundId, uint256 index, bytes32 committed, bytes32 posted);
    error TournamentEscrowRoleConflict(address account, bytes32 role);
    /// @dev A transfer in delivered `received` where `expected` was sent (a fee-on-transfer
    /// or rebasing token): the escrow counts only tokens that arrive whole.
    error TournamentEscrowShortTransfer(address token, uint256 expected, uint256 received);
    error TournamentEscrowNothingToRecover(address token);
    error TournamentEscrowNoCredit(uint256 roundId, address recipient);
    /// @dev Only the recipient claims its credit, or the round's funder once resolvesBy has passed.
    error TournamentEscrowNotCreditClaimer(uint256 roundId, address recipient, address caller);

    // ---- operator --------------------------------------------------------------------

    /// @notice Opens round `roundId` with no pools, naming who funds it ({fundRound}) and
    /// committing the digest of its published dataset. Only ORACLE_ROLE.
    /// @param roundId Unique round number, non-zero.
    /// @param closesAt Staking deadline (unix seconds), in the future.
    /// @param resolvesBy Oracle deadline: after `closesAt`, at most {maxResolutionDelay}
    /// after it; after it stakers withdraw alone.
    /// @param funder The only account that may fund the round; unspent pools go back to it.
    /// @param datasetDigest Digest of the published dataset file, non-zero.
    /// @dev Emits a {RoundCreated} event.
    function createRound(uint256 roundId, uint256 closesAt, uint256 resolvesBy, address funder, bytes32 datasetDigest)
        external;

    /// @notice Pays into round `roundId`'s pools from the caller's own balances (after
    /// approving the escrow on both tokens). Only the funder named at {createRound}, before
    /// the round closes, as often as it likes. Unspent pools go back to it.
    /// @param roundId An open round.
    /// @param usdStakingPool USD units added to the staking auction's pool.
    /// @param usdPrizePool USD units added to the performance prize pool.
    /// @param nmrPool NMR wei added to the round's NMR issuance (prizes, corr rewards).
    /// @dev Emits a {RoundFunded} event. Reverts with {TournamentEscrowShortTransfer} when
    /// the escrow receives less than each amount (a token that takes a fee or rebases).
    function fundRound(uint256 roundId, uint256 usdStakingPool, uint256 usdPrizePool, uint256 nmrPool) external;

    /// @notice Pays `recipient`'s USD credit in round `roundId` (a payout the stablecoin
    /// refused when the batch was posted). The recipient, at any time; or the round's
    /// funder after resolvesBy, to itself.
    /// @param roundId The round the credit arose in.
    /// @param recipient Whose credit.
    /// @return amount USD units paid.
    /// @dev Emits a {CreditClaimed} event.
    function claimCredit(uint256 roundId, address recipient) external returns (uint256 amount);

    /// @notice USD units waiting for `recipient` in round `roundId` ({claimCredit}).
    /// @param roundId The round.
    /// @param recipient The payee the stablecoin refused.
    /// @return The credit.
    function creditOf(uint256 roundId, address recipient) external view returns (uint256);

    /// @notice Sends `to` what the escrow holds of `token` beyond what it owes: NMR or USD
    /// sent straight to it (not through a function), or any other token sent by mistake.
    /// Never touches a stake, a pool or a dispute bond: what it owes is summed over every
    /// round whose books are still open. Only DEFAULT_ADMIN_ROLE.
    /// @param token The token to recover.
    /// @param to Receives it (the funder or the treasury), non-zero.
    /// @return amount What was sent.
    /// @dev Emits a {TokensRecovered} event.
    function recoverUnaccounted(address token, address to) external returns (uint256 amount);

    /// @notice What the escrow owes in `token` (stakes not yet returned, pools not yet paid
    /// or returned, open dispute bonds, USD credits), summed over the rounds whose books are open.
    /// @param token Any token (0 for one the escrow never holds on account).
    /// @return owed Base units owed.
    function accounted(address token) external view returns (uint256 owed);

    /// @notice Commits round `roundId`'s results once it has closed: the digest of the
    /// published targets and scores and the hash of each batch the oracle will post, so
    /// that anyone can recompute them from the published files during the challenge
    /// window. Only ORACLE_ROLE, once per round, early enough that the window ends before
    /// resolvesBy.
    /// @param roundId A closed round.
    /// @param resultsDigest Digest of the published live targets and scores, non-zero.
    /// @param batchHashes keccak256(abi.encode(settlements)) of each {settle} batch in the
    /// order they will be posted, then keccak256(abi.encode(prizes)) of the {payPrizes}
    /// list (empty or not) last; 1 to {MAX_COMMITTED_BATCHES} hashes.
    /// @dev Emits a {ResultsCommitted} event.
    function commitResults(uint256 roundId, bytes32 resultsDigest, bytes32[] calldata batchHashes) external;

    /// @notice Disputes round `roundId`'s committed results during its challenge window,
    /// locking a bond of {disputeBond} NMR (approve the escrow first). Anyone, one open
    /// dispute at a time; settlement waits for the guardian's ruling.
    /// @param roundId A round whose challenge window is running.
    /// @dev Emits a {Disputed} event.
    function dispute(uint256 roundId) external;

    /// @notice Rules on round `roundId`'s open dispute. Only GUARDIAN_ROLE, within the
    /// ruling period after the challenge window (see {lapseDispute} past it). Upheld: the round is void and finalized at once (every stake
    /// withdrawable in full, the pools back to the funder) and the disputer gets the bond
    /// back plus a reward of up to one bond from the round's NMR pool. Rejected: the bond
    /// is burned and settlement may start once the challenge window is over.
    /// @param roundId A round with an open dispute.
    /// @param upheld Whether the committed results are wrong.
    /// @dev Emits a {DisputeRuled} event; upheld also {RoundVoided} and {RoundFinalized}.
    function rule(uint256 roundId, bool upheld) external;

    /// @notice Ends round `roundId`'s dispute that the guardian did not rule on within the
    /// ruling period: the bond goes back to the disputer and the committed batches may be
    /// posted as committed. Anyone, once the ruling period is over (and before finalize).
    /// @param roundId A round with an open dispute past its ruling period.
    /// @dev Emits a {DisputeLapsed} event.
    function lapseDispute(uint256 roundId) external;

    /// @notice Settles the round's next committed batch of stakes. Only ORACLE_ROLE, after
    /// the challenge window with no open dispute, before resolvesBy and finalize; the batch
    /// must hash to the next committed settle batch. Per staker: `burn` (at most the stake) is
    /// destroyed and the rest of the stake returned, with `usdReward` from the USD staking
    /// pool (at most the stake's bid, amount / confidence dollars) and `nmrReward` from the
    /// NMR pool (at most the stake). Each stake is settled once; no pool is ever exceeded.
    /// A rolling position's NMR (the rest of the stake and its NMR reward) moves instead into
    /// the same model's position in {newestRound}, when that round is open and staking is
    /// not paused, and the entry's `release` is false; the position here is then deleted
    /// (its history is the {StakeSettled} event). Otherwise it goes to the wallet.
    /// @param roundId The round.
    /// @param settlements One entry per (staker, model), each with an active stake.
    /// @dev Emits a {StakeSettled} event per staker, then {BatchPosted}.
    function settle(uint256 roundId, StakeSettlement[] calldata settlements) external;

    /// @notice Pays the round's performance prizes, once per round, staked or not: each
    /// winner gets `usd` from the USD prize pool and `nmr` from the NMR pool. Winners
    /// strictly ascending by address (so each wallet is paid once), at most {MAX_PRIZE_WINNERS}.
    /// Never the escrow itself. Only ORACLE_ROLE, after the challenge window with no open
    /// dispute, before resolvesBy and finalize; the list must hash to the last committed
    /// batch. An empty list records that the round pays no prizes.
    /// @param roundId The round.
    /// @param prizes The prizes, by winner address strictly ascending.
    /// @dev Emits a {PrizePaid} event per winner, then {PrizesAwarded} and {BatchPosted}.
    function payPrizes(uint256 roundId, Prize[] calldata prizes) external;

    /// @notice Closes the books of a round and returns its unspent pools to the funder.
    /// Anyone may call once the round is closed with every stake settled and its prizes
    /// paid, or once resolvesBy has passed (unsettled stakes then stay withdrawable, and
    /// the bond of a dispute nobody ruled on goes back to its disputer).
    /// @param roundId The round.
    /// @dev Emits a {RoundFinalized} event (and {DisputeLapsed} for an unruled dispute).
    function finalize(uint256 roundId) external;

    /// @notice Stops new stakes and funding (never settlement or withdrawals). Only
    /// PAUSER_ROLE.
    /// @dev Emits a {Paused} event.
    function pause() external;

    /// @notice Resumes staking. Only PAUSER_ROLE.
    /// @dev Emits an {Unpaused} event.
    function unpause() external;

    // ---- stakers ---------------------------------------------------------------------

    /// @notice Stakes (or tops up) `amount` NMR on round `roundId` before it closes, after
    /// approving the escrow, backing one of the caller's models. Anyone; not while paused.
    /// @param roundId An open round.
    /// @param model Which of the caller's models the stake backs (0: the first or only one).
    /// @param amount NMR wei to add to the caller's stake on that model.
    /// @param confidence WAD (1e18 == 1.0), at least the caller's current confidence.
    /// @param submissionHash Hash of the prediction file the stake commits to, non-zero.
    /// @dev Emits a {Staked} event.
    function stake(uint256 roundId, uint32 model, uint256 amount, uint256 confidence, bytes32 submissionHash)
        external;

    /// @notice {stake} in one transaction, approving with an EIP-2612 permit signature.
    /// @param roundId An open round.
    /// @param model Which of the caller's models the stake backs.
    /// @param amount NMR wei to add; also the permit's value.
    /// @param confidence WAD, at least the caller's current confidence.
    /// @param submissionHash Hash of the prediction file the stake commits to, non-zero.
    /// @param deadline Permit deadline.
    /// @param v Permit signature v.
    /// @param r Permit signature r.
    /// @param s Permit signature s.
    /// @dev Emits a {Staked} event.
    function stakeWithPermit(
        uint256 roundId,
        uint32 model,
        uint256 amount,
        uint256 confidence,
        bytes32 submissionHash,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Puts the caller's active position on model `model` in round `roundId` on
    /// rolling, or takes it off: at settlement a rolling position's NMR moves into the same
    /// model's position in the newest open round, with no transaction from the staker, and
    /// keeps rolling there; off rolling it goes to the wallet. Anyone with an active (not yet
    /// settled or withdrawn) position; works while paused.
    /// @param roundId The round of the position.
    /// @param model The caller's model.
    /// @param rolls Whether the position rolls.
    /// @dev Emits a {RollingSet} event.
    function setRolling(uint256 roundId, uint32 model, bool rolls) external;

    /// @notice Escape hatch: after resolvesBy, or at once in a voided round, the caller
    /// takes back the whole of an unsettled stake. Anyone with such a stake; works while
    /// paused and after finalize.
    /// @param roundId The round.
    /// @param model The caller's model whose stake comes back.
    /// @dev Emits a {StakeWithdrawn} event.
    function withdrawStake(uint256 roundId, uint32 model) external;

    // ---- views -----------------------------------------------------------------------

    /// @notice The NMR token staked and issued here.
    /// @return The token address.
    function token() external view returns (address);

    /// @notice The USD stablecoin the pools pay in.
    /// @return The stablecoin address.
    function usd() external view returns (address);

    /// @notice Longest time allowed between a round's closesAt and resolvesBy.
    /// @return Seconds.
    function maxResolutionDelay() external view returns (uint256);

    /// @notice Seconds between {commitResults} and the first {settle}, when anyone may {dispute}.
    /// @return Seconds.
    function challengeWindow() external view returns (uint256);

    /// @notice NMR wei a {dispute} locks.
    /// @return The bond.
    function disputeBond() external view returns (uint256);

    /// @notice Seconds the guardian has to rule on a dispute once the challenge window is
    /// over; fixed at deployment.
    /// @return Seconds.
    function rulingPeriod() external view returns (uint256);

    /// @notice The highest round number created: the round rolling positions move into
    /// when it is open.
    /// @return The round number (0 before the first round).
    function newestRound() external view returns (uint256);

    /// @notice Committed batch hashes of round `roundId` (empty before {commitResults}).
    /// @param roundId The round.
    /// @return The hashes, settle batches in order, the prize list last.
    function committedBatches(uint256 roundId) external view returns (bytes32[] memory);

    /// @notice Most batch hashes one round may commit.
    /// @return The count.
    function MAX_COMMITTED_BATCHES() external view returns (uint256);

    /// @notice Most prize winners a round may pay.
    /// @return The count.
    function MAX_PRIZE_WINNERS() external view returns (uint256);

    /// @notice Role allowed to open and settle rounds.
    /// @return The role identifier.
    function ORACLE_ROLE() external view returns (bytes32);

    /// @notice Role that rules on disputes; never held together with ORACLE_ROLE.
    /// @return The role identifier.
    function GUARDIAN_ROLE() external view returns (bytes32);

    /// @notice Role allowed to pause staking.
    /// @return The role identifier.
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice Round `roundId` with its pools, totals and counts (all zero if unknown).
    /// @param roundId The round.
    /// @return The round.
    function getRound(uint256 roundId) external view returns (RoundView memory);

    /// @notice `staker`'s position on its model `model` in round `roundId`.
    /// @param roundId The round.
    /// @param staker The staker.
    /// @param model The staker's model (0: the first or only one).
    /// @return The stake.
    function getStake(uint256 roundId, address staker, uint32 model) external view returns (StakeView memory);
}
