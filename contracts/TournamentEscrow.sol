// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {INumeraireToken} from "../interfaces/INumeraireToken.sol";
import {ITournamentEscrow} from "../interfaces/ITournamentEscrow.sol";

/// @title TournamentEscrow
/// @notice Holds each round's stakes and pools until the oracle settles them or, failing
/// that, until the stakers take their stakes back after the round's deadline.
/// Results are committed before they are posted: settle and payPrizes accept only the
/// batches whose hashes commitResults recorded, after a challenge window in which anyone
/// may dispute with an NMR bond and a guardian rules. A staker may put a position on
/// rolling: at settlement what it keeps moves into the same model's position in the newest
/// round while that round takes stakes, with no transaction from the staker.
/// @dev No reentrancy guard: the only external calls go to the two immutable tokens (NMR,
/// an OpenZeppelin ERC20 without hooks, and the USD stablecoin chosen at deployment), and
/// every function completes its checks and effects before calling them. Two exceptions,
/// both written down where they happen: a USD payout the stablecoin refuses is credited
/// after the call that refused it ({_payUsd}), and {recoverUnaccounted} calls the token
/// the admin names, writing nothing.
contract TournamentEscrow is ITournamentEscrow, AccessControlDefaultAdminRules, Pausable {
    using SafeERC20 for IERC20;

    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    uint256 public constant MAX_PRIZE_WINNERS = 100;
    uint256 public constant MAX_COMMITTED_BATCHES = 256;

    uint8 private constant _USD_STAKING_POOL = 0;
    uint8 private constant _USD_PRIZE_POOL = 1;
    uint8 private constant _NMR_POOL = 2;
    /// @dev What {_applySettlement} returns for an entry whose NMR rolled into the next
    /// round instead of an amount for the wallet (no real amount reaches 2^96).
    uint256 private constant _ROLLED = type(uint256).max;

    /// @dev NMR amounts fit in uint96 (the cap, 2.1e25, is below 2^96); USD amounts are
    /// bounded to uint128 when a round is funded.
    struct Round {
        // slot 0, read and written by every stake: the deadlines beside the running totals.
        uint40 closesAt;
        uint40 resolvesBy;
        uint32 stakerCount; // positions: a wallet staking on two models counts twice
        uint128 totalStaked;
        // slot 1, written once per settlement batch (160 + 32 + 8 + 8 + 8 + 16 + 16 bits).
        address funder;
        uint32 settledCount;
        bool prizesPaid;
        bool finalized;
        bool voided;
        uint16 batchCount;
        uint16 batchesPosted;
        // slots 2-4, one pool each: funded, then paid out batch by batch.
        uint128 usdStakingPool;
        uint128 usdStakingPaid;
        uint128 usdPrizePool;
        uint128 usdPrizePaid;
        uint128 nmrPool;
        uint128 nmrPaid;
        // slot 5, written once per settlement batch.
        uint128 settledStake;
        uint128 totalBurned;
        // slot 6, read by every batch: who holds an open dispute, when the window ends.
        address disputer;
        uint40 challengeEndsAt;
        // slots 7-8, written once each.
        bytes32 datasetDigest;
        bytes32 resultsDigest;
        // slot 9, only when the stablecoin refuses a payee: USD held for it as credits.
        uint128 usdCredited;
    }

    /// @dev One slot (96 + 64 + 8 + 8 bits). The committed file hash lives in the Staked event.
    struct Stake {
        uint96 amount;
        uint64 confidence;
        StakeStatus status;
        bool rolls;
    }

    /// @dev Running totals of one settlement batch, in memory to keep the stack shallow.
    /// `rollInto` is the round rolling positions move into (0: none open, they go to wallets).
    struct BatchTotals {
        uint256 usdLeft;
        uint256 nmrLeft;
        uint256 settled;
        uint256 burned;
        uint256 rollInto;
        uint256 rolled;
        uint256 newPositions;
    }

    INumeraireToken private immutable _token;
    IERC20 private immutable _usd;
    /// @dev One dollar in the stablecoin's units (10 ** decimals): a bid is amount / confidence dollars.
    uint256 private immutable _usdUnit;
    uint256 private immutable _maxResolutionDelay;
    uint256 private immutable _challengeWindow;
    uint256 private immutable _disputeBond;
    uint256 private immutable _rulingPeriod;
    mapping(uint256 roundId => Round) private _rounds;
    /// @dev The highest round number created: where rolling positions go while it is open.
    uint256 private _newestRound;
    /// @dev A mapping, not an array: a batch reads its one hash without the length's slot.
    mapping(uint256 roundId => mapping(uint256 index => bytes32)) private _batchHashes;
    /// @dev A wallet stakes once per model it runs; model 0 is its first (or only) model.
    mapping(uint256 roundId => mapping(address staker => mapping(uint32 model => Stake))) private _stakes;
    /// @dev The rounds that may still hold tokens: from createRound until finalized with no
    /// stake left to withdraw. {accounted} sums them; a retired round owes nothing.
    uint256[] private _openBooks;
    /// @dev Position of a round in _openBooks, plus one (0: not in it).
    mapping(uint256 roundId => uint256 slot) private _openBookSlot;
    /// @dev USD payouts the stablecoin refused, held for their payee ({claimCredit}).
    mapping(uint256 roundId => mapping(address recipient => uint256 amount)) private _usdCredits;

    /// @param nmr The NMR token.
    /// @param usd_ The USD stablecoin.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (transferable in two steps).
    /// @param adminTransferDelay Seconds between starting and accepting an admin transfer.
    /// @param maxResolutionDelay_ Longest allowed time from a round's close to its oracle deadline.
    /// @param challengeWindow_ Seconds from commitResults to the first settle, shorter than
    /// maxResolutionDelay_.
    /// @param disputeBond_ NMR wei a dispute locks, non-zero.
    /// @param rulingPeriod_ Seconds the guardian has to rule once the window is over,
    /// non-zero; with the window, shorter than maxResolutionDelay_ (settlement must still fit).
    constructor(
        INumeraireToken nmr,
        IERC20Metadata usd_,
        address admin,
        uint48 adminTransferDelay,
        uint256 maxResolutionDelay_,
        uint256 challengeWindow_,
        uint256 disputeBond_,
        uint256 rulingPeriod_
    ) AccessControlDefaultAdminRules(adminTransferDelay, admin) {
        if (address(nmr) == address(0) || address(usd_) == address(0)) revert TournamentEscrowZeroAddress();
        if (maxResolutionDelay_ == 0 || maxResolutionDelay_ > type(uint40).max) {
            revert TournamentEscrowInvalidSchedule(0, maxResolutionDelay_);
        }
        if (challengeWindow_ == 0 || challengeWindow_ >= maxResolutionDelay_) {
            revert TournamentEscrowInvalidChallengeWindow(challengeWindow_, maxResolutionDelay_);
        }
        if (disputeBond_ == 0) revert TournamentEscrowZeroAmount();
        // challengeWindow_ < maxResolutionDelay_ <= 2^40 (above), so the sum cannot overflow.
        if (rulingPeriod_ == 0 || challengeWindow_ + rulingPeriod_ >= maxResolutionDelay_) {
            revert TournamentEscrowInvalidRulingPeriod(rulingPeriod_, challengeWindow_, maxResolutionDelay_);
        }
        _rulingPeriod = rulingPeriod_;
        _challengeWindow = challengeWindow_;
        _disputeBond = disputeBond_;
        _token = nmr;
        _usd = IERC20(address(usd_));
        // A token with more than 77 decimals would overflow here and fail the deployment.
        _usdUnit = 10 ** usd_.decimals();
        _maxResolutionDelay = maxResolutionDelay_;
    }

    // ---- operator and funders --------------------------------------------------------

    /// @inheritdoc ITournamentEscrow
    function createRound(uint256 roundId, uint256 closesAt, uint256 resolvesBy, address funder, bytes32 datasetDigest)
        external
        onlyRole(ORACLE_ROLE)
    {
        if (roundId == 0) revert TournamentEscrowZeroRoundId();
        Round storage round = _rounds[roundId];
        if (round.closesAt != 0) revert TournamentEscrowRoundExists(roundId);
        if (funder == address(0)) revert TournamentEscrowZeroAddress();
        if (datasetDigest == bytes32(0)) revert TournamentEscrowZeroDigest();
        if (closesAt <= block.timestamp || resolvesBy <= closesAt || resolvesBy - closesAt > _maxResolutionDelay) {
            revert TournamentEscrowInvalidSchedule(closesAt, resolvesBy);
        }
        // Casts are safe: closesAt > now > 0 and resolvesBy <= closesAt + maxResolutionDelay,
        // where both are far below 2^40 for any real clock (checked just below).
        if (resolvesBy > type(uint40).max) revert TournamentEscrowInvalidSchedule(closesAt, resolvesBy);
        // Results committed at the close still leave a window, a ruling and settlement.
        uint256 needed = _challengeWindow + _rulingPeriod;
        if (resolvesBy - closesAt <= needed) revert TournamentEscrowResolutionTooShort(resolvesBy - closesAt, needed);
        round.closesAt = uint40(closesAt);
        round.resolvesBy = uint40(resolvesBy);
        round.funder = funder;
        round.datasetDigest = datasetDigest;
        if (roundId > _newestRound) _newestRound = roundId;
        _openBooks.push(roundId);
        _openBookSlot[roundId] = _openBooks.length;
        emit RoundCreated(roundId, closesAt, resolvesBy, funder, datasetDigest);
    }

    /// @inheritdoc ITournamentEscrow
    function fundRound(uint256 roundId, uint256 usdStakingPool, uint256 usdPrizePool, uint256 nmrPool)
        external
        whenNotPaused
    {
        Round storage round = _rounds[roundId];
        uint256 closesAt = round.closesAt;
        if (closesAt == 0) revert TournamentEscrowUnknownRound(roundId);
        if (block.timestamp >= closesAt) revert TournamentEscrowRoundClosed(roundId, closesAt);
        // The funder is named at creation, so nobody can take a round over by funding it first.
        address funder = round.funder;
        if (funder != msg.sender) revert TournamentEscrowNotFunder(roundId, funder);
        if (usdStakingPool == 0 && usdPrizePool == 0 && nmrPool == 0) revert TournamentEscrowZeroAmount();
        // Each amount is bounded before it is added, so no sum below can overflow (a huge
        // amount gets this error, not an arithmetic panic).
        if (usdStakingPool > type(uint128).max) revert TournamentEscrowAmountTooLarge(usdStakingPool);
        if (usdPrizePool > type(uint128).max) revert TournamentEscrowAmountTooLarge(usdPrizePool);
        if (nmrPool > type(uint96).max) revert TournamentEscrowAmountTooLarge(nmrPool);
        uint256 usdStaking = round.usdStakingPool + usdStakingPool;
        uint256 usdPrize = round.usdPrizePool + usdPrizePool;
        uint256 nmr = round.nmrPool + nmrPool;
        if (usdStaking > type(uint128).max) revert TournamentEscrowAmountTooLarge(usdStaking);
        if (usdPrize > type(uint128).max) revert TournamentEscrowAmountTooLarge(usdPrize);
        if (nmr > type(uint96).max) revert TournamentEscrowAmountTooLarge(nmr);

        // Casts are safe: each total was bounded just above.
        round.usdStakingPool = uint128(usdStaking);
        round.usdPrizePool = uint128(usdPrize);
        round.nmrPool = uint128(nmr);

        uint256 usdIn = usdStakingPool + usdPrizePool;
        if (usdIn != 0) _pullWhole(_usd, usdIn);
        if (nmrPool != 0) _pullWhole(IERC20(address(_token)), nmrPool);
        emit RoundFunded(roundId, msg.sender, usdStakingPool, usdPrizePool, nmrPool);
    }

    /// @inheritdoc ITournamentEscrow
    function commitResults(uint256 roundId, bytes32 resultsDigest, bytes32[] calldata batchHashes)
        external
        onlyRole(ORACLE_ROLE)
    {
        Round storage round = _rounds[roundId];
        uint256 closesAt = round.closesAt;
        if (closesAt == 0) revert TournamentEscrowUnknownRound(roundId);
        if (block.timestamp < closesAt) revert TournamentEscrowRoundOpen(roundId, closesAt);
        if (round.finalized) revert TournamentEscrowAlreadyFinalized(roundId);
        if (round.batchCount != 0) revert TournamentEscrowAlreadyCommitted(roundId);
        if (resultsDigest == bytes32(0)) revert TournamentEscrowZeroDigest();
        uint256 count = batchHashes.length;
        if (count == 0 || count > MAX_COMMITTED_BATCHES) revert TournamentEscrowBatchCount(count, MAX_COMMITTED_BATCHES);
        uint256 challengeEndsAt = block.timestamp + _challengeWindow;
        uint256 rulingEndsAt = challengeEndsAt + _rulingPeriod;
        if (rulingEndsAt >= round.resolvesBy) revert TournamentEscrowCommitTooLate(roundId, rulingEndsAt, round.resolvesBy);

        // Casts are safe: count <= 256 and challengeEndsAt < resolvesBy < 2^40.
        round.batchCount = uint16(count);
        round.challengeEndsAt = uint40(challengeEndsAt);
        round.resultsDigest = resultsDigest;
        mapping(uint256 => bytes32) storage hashes = _batchHashes[roundId];
        for (uint256 i; i < count; ++i) {
            hashes[i] = batchHashes[i];
        }
        emit ResultsCommitted(roundId, resultsDigest, batchHashes, challengeEndsAt);
    }

    /// @inheritdoc ITournamentEscrow
    function dispute(uint256 roundId) external {
        Round storage round = _rounds[roundId];
        if (round.closesAt == 0) revert TournamentEscrowUnknownRound(roundId);
        if (round.batchCount == 0) revert TournamentEscrowNotCommitted(roundId);
        if (round.finalized) revert TournamentEscrowAlreadyFinalized(roundId);
        uint256 challengeEndsAt = round.challengeEndsAt;
        if (block.timestamp >= challengeEndsAt) revert TournamentEscrowChallengeWindowOver(roundId, challengeEndsAt);
        address disputer = round.disputer;
        if (disputer != address(0)) revert TournamentEscrowAlreadyDisputed(roundId, disputer);

        round.disputer = msg.sender;
        IERC20(address(_token)).safeTransferFrom(msg.sender, address(this), _disputeBond);
        emit Disputed(roundId, msg.sender, _disputeBond);
    }

    /// @inheritdoc ITournamentEscrow
    function rule(uint256 roundId, bool upheld) external onlyRole(GUARDIAN_ROLE) {
        Round storage round = _rounds[roundId];
        if (round.closesAt == 0) revert TournamentEscrowUnknownRound(roundId);
        address disputer = round.disputer;
        // An upheld dispute finalizes the round, so an open dispute is one in a live round.
        if (disputer == address(0) || round.finalized) revert TournamentEscrowNoDispute(roundId);
        // Past the ruling period the dispute lapses ({lapseDispute}); rulingEndsAt < resolvesBy.
        uint256 rulingEndsAt = round.challengeEndsAt + _rulingPeriod;
        if (block.timestamp >= rulingEndsAt) revert TournamentEscrowRulingPeriodOver(roundId, rulingEndsAt);
        uint256 bond = _disputeBond;
        if (!upheld) {
            round.disputer = address(0);
            // The bond is the escrow's own NMR, held apart from every stake and pool.
            // slither-disable-next-line reentrancy-events
            _token.burn(bond);
            emit DisputeRuled(roundId, disputer, false, 0);
            return;
        }

        // Nothing has been paid out yet: settlement only starts after the window, and a
        // dispute is only open during it (or until this ruling).
        uint256 nmrLeft = round.nmrPool - round.nmrPaid;
        uint256 reward = bond < nmrLeft ? bond : nmrLeft;
        // Cast is safe: reward <= what is left of the uint128 pool.
        round.nmrPaid += uint128(reward);
        round.voided = true;
        (address funder, uint256 usdReturned, uint256 nmrReturned) = _closeBooks(roundId, round);

        IERC20(address(_token)).safeTransfer(disputer, bond + reward);
        _returnPools(roundId, funder, usdReturned, nmrReturned);
        // slither-disable-next-line reentrancy-events
        emit DisputeRuled(roundId, disputer, true, reward);
        // slither-disable-next-line reentrancy-events
        emit RoundVoided(roundId);
        // slither-disable-next-line reentrancy-events
        emit RoundFinalized(roundId, funder, usdReturned, nmrReturned);
    }

    /// @inheritdoc ITournamentEscrow
    function lapseDispute(uint256 roundId) external {
        Round storage round = _rounds[roundId];
        if (round.closesAt == 0) revert TournamentEscrowUnknownRound(roundId);
        address disputer = round.disputer;
        if (disputer == address(0) || round.finalized) revert TournamentEscrowNoDispute(roundId);
        uint256 rulingEndsAt = round.challengeEndsAt + _rulingPeriod;
        if (block.timestamp < rulingEndsAt) revert TournamentEscrowRulingPeriodOpen(roundId, rulingEndsAt);

        round.disputer = address(0);
        IERC20(address(_token)).safeTransfer(disputer, _disputeBond);
        emit DisputeLapsed(roundId, disputer, _disputeBond);
    }

    /// @inheritdoc ITournamentEscrow
    function settle(uint256 roundId, StakeSettlement[] calldata settlements) external onlyRole(ORACLE_ROLE) {
        Round storage round = _settleableRound(roundId);
        uint256 index = round.batchesPosted;
        // The last committed hash is the prize list's, so settle batches stop one short of it.
        if (index + 1 >= round.batchCount) revert TournamentEscrowBatchesExhausted(roundId);
        _requireCommitted(roundId, index, keccak256(abi.encode(settlements)));
        round.batchesPosted = uint16(index + 1);
        (uint256[] memory returned, uint256 burned, uint256 rollInto) = _applySettlement(round, roundId, settlements);

        // Every stake of the batch is already marked settled (or moved); the tokens have no
        // hooks. The only writes after these calls are credits of refused USD payouts ({_payUsd}).
        // slither-disable-next-line reentrancy-events,reentrancy-no-eth
        if (burned != 0) _token.burn(burned);
        for (uint256 i; i < settlements.length; ++i) {
            StakeSettlement calldata entry = settlements[i];
            uint256 back = returned[i];
            // A rolled entry (marked {_ROLLED}) left its NMR in the escrow, in round rollInto.
            uint256 rolledInto = back == _ROLLED ? rollInto : 0;
            if (back != 0 && rolledInto == 0) IERC20(address(_token)).safeTransfer(entry.staker, back);
            if (entry.usdReward != 0) _payUsd(roundId, entry.staker, entry.usdReward);
            emit StakeSettled(
                roundId, entry.staker, entry.model, entry.burn, entry.usdReward, entry.nmrReward, rolledInto
            );
        }
        // slither-disable-next-line reentrancy-events
        emit BatchPosted(roundId, index);
    }

    /// @inheritdoc ITournamentEscrow
    function payPrizes(uint256 roundId, Prize[] calldata prizes) external onlyRole(ORACLE_ROLE) {
        uint256 count = prizes.length;
        if (count > MAX_PRIZE_WINNERS) revert TournamentEscrowTooManyWinners(count, MAX_PRIZE_WINNERS);
        Round storage round = _settleableRound(roundId);
        if (round.prizesPaid) revert TournamentEscrowPrizesAlreadyPaid(roundId);
        uint256 index = round.batchCount - 1;
        _requireCommitted(roundId, index, keccak256(abi.encode(prizes)));
        (uint256 usdTotal, uint256 nmrTotal) = _prizeTotals(prizes);
        uint256 usdLeft = round.usdPrizePool - round.usdPrizePaid;
        if (usdTotal > usdLeft) revert TournamentEscrowPoolExceeded(roundId, _USD_PRIZE_POOL, usdTotal, usdLeft);
        uint256 nmrLeft = round.nmrPool - round.nmrPaid;
        if (nmrTotal > nmrLeft) revert TournamentEscrowPoolExceeded(roundId, _NMR_POOL, nmrTotal, nmrLeft);

        // Casts are safe: both totals are within their uint128 pools (checked above).
        round.prizesPaid = true;
        round.usdPrizePaid += uint128(usdTotal);
        round.nmrPaid += uint128(nmrTotal);

        for (uint256 i; i < count; ++i) {
            Prize calldata prize = prizes[i];
            if (prize.usd != 0) _payUsd(roundId, prize.winner, prize.usd);
            if (prize.nmr != 0) IERC20(address(_token)).safeTransfer(prize.winner, prize.nmr);
            // slither-disable-next-line reentrancy-events
            emit PrizePaid(roundId, prize.winner, prize.usd, prize.nmr);
        }
        // slither-disable-next-line reentrancy-events
        emit PrizesAwarded(roundId, count, usdTotal, nmrTotal);
        // slither-disable-next-line reentrancy-events
        emit BatchPosted(roundId, index);
    }

    /// @inheritdoc ITournamentEscrow
    function finalize(uint256 roundId) external {
        Round storage round = _rounds[roundId];
        uint256 closesAt = round.closesAt;
        if (closesAt == 0) revert TournamentEscrowUnknownRound(roundId);
        if (round.finalized) revert TournamentEscrowAlreadyFinalized(roundId);
        if (block.timestamp < closesAt) revert TournamentEscrowRoundOpen(roundId, closesAt);
        if (block.timestamp < round.resolvesBy) {
            uint256 unsettled = round.stakerCount - round.settledCount;
            if (unsettled != 0) revert TournamentEscrowUnsettledStakes(roundId, unsettled);
            if (!round.prizesPaid) revert TournamentEscrowPrizesNotPaid(roundId);
        }

        // Only possible after resolvesBy: an open dispute blocks the prizes finalize needs.
        address disputer = round.disputer;
        if (disputer != address(0)) round.disputer = address(0);
        (address funder, uint256 usdReturned, uint256 nmrReturned) = _closeBooks(roundId, round);

        if (disputer != address(0)) {
            IERC20(address(_token)).safeTransfer(disputer, _disputeBond);
            // slither-disable-next-line reentrancy-events
            emit DisputeLapsed(roundId, disputer, _disputeBond);
        }
        _returnPools(roundId, funder, usdReturned, nmrReturned);
        // slither-disable-next-line reentrancy-events
        emit RoundFinalized(roundId, funder, usdReturned, nmrReturned);
    }

    /// @inheritdoc ITournamentEscrow
    function claimCredit(uint256 roundId, address recipient) external returns (uint256 amount) {
        Round storage round = _rounds[roundId];
        amount = _usdCredits[roundId][recipient];
        if (amount == 0) revert TournamentEscrowNoCredit(roundId, recipient);
        bool byFunder = msg.sender == round.funder && block.timestamp >= round.resolvesBy;
        if (msg.sender != recipient && !byFunder) revert TournamentEscrowNotCreditClaimer(roundId, recipient, msg.sender);

        _usdCredits[roundId][recipient] = 0;
        // Cast is safe: a credit is part of the round's uint128 total of credits.
        round.usdCredited -= uint128(amount);
        _retireIfEmpty(roundId, round);
        _usd.safeTransfer(msg.sender, amount);
        emit CreditClaimed(roundId, recipient, msg.sender, amount);
    }

    /// @inheritdoc ITournamentEscrow
    function recoverUnaccounted(address token_, address to)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
        returns (uint256 amount)
    {
        if (to == address(0)) revert TournamentEscrowZeroAddress();
        IERC20 asset = IERC20(token_);
        uint256 owed = _accounted(token_);
        uint256 held = asset.balanceOf(address(this));
        if (held <= owed) revert TournamentEscrowNothingToRecover(token_);
        amount = held - owed;
        asset.safeTransfer(to, amount);
        emit TokensRecovered(token_, to, amount);
    }

    /// @inheritdoc ITournamentEscrow
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc ITournamentEscrow
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---- stakers ---------------------------------------------------------------------

    /// @inheritdoc ITournamentEscrow
    function stake(uint256 roundId, uint32 model, uint256 amount, uint256 confidence, bytes32 submissionHash)
        external
        whenNotPaused
    {
        _stake(roundId, model, amount, confidence, submissionHash);
    }

    /// @inheritdoc ITournamentEscrow
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
    ) external whenNotPaused {
        // A front-runner may have spent this permit already; the allowance it set is then
        // in place, and the transfer in _stake still checks it. The permit goes to the
        // immutable NMR token (no hooks), so the state written after it cannot be re-entered.
        // slither-disable-next-line reentrancy-benign,reentrancy-events
        try IERC20Permit(address(_token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _stake(roundId, model, amount, confidence, submissionHash);
    }

    /// @inheritdoc ITournamentEscrow
    function setRolling(uint256 roundId, uint32 model, bool rolls) external {
        Stake storage position = _stakes[roundId][msg.sender][model];
        _requireActive(position.status, roundId, msg.sender, model);
        position.rolls = rolls;
        emit RollingSet(roundId, msg.sender, model, rolls);
    }

    /// @inheritdoc ITournamentEscrow
    function withdrawStake(uint256 roundId, uint32 model) external {
        Round storage round = _rounds[roundId];
        uint256 resolvesBy = round.resolvesBy;
        if (resolvesBy == 0) revert TournamentEscrowUnknownRound(roundId);
        if (block.timestamp < resolvesBy && !round.voided) {
            revert TournamentEscrowDeadlineNotReached(roundId, resolvesBy);
        }
        Stake storage position = _stakes[roundId][msg.sender][model];
        _requireActive(position.status, roundId, msg.sender, model);
        uint256 amount = position.amount;

        position.status = StakeStatus.Withdrawn;
        round.settledStake += uint128(amount);
        round.settledCount += 1;
        _retireIfEmpty(roundId, round);

        IERC20(address(_token)).safeTransfer(msg.sender, amount);
        emit StakeWithdrawn(roundId, msg.sender, model, amount);
    }

    // ---- views -----------------------------------------------------------------------

    /// @inheritdoc ITournamentEscrow
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc ITournamentEscrow
    function usd() external view returns (address) {
        return address(_usd);
    }

    /// @inheritdoc ITournamentEscrow
    function maxResolutionDelay() external view returns (uint256) {
        return _maxResolutionDelay;
    }

    /// @inheritdoc ITournamentEscrow
    function challengeWindow() external view returns (uint256) {
        return _challengeWindow;
    }

    /// @inheritdoc ITournamentEscrow
    function disputeBond() external view returns (uint256) {
        return _disputeBond;
    }

    /// @inheritdoc ITournamentEscrow
    function rulingPeriod() external view returns (uint256) {
        return _rulingPeriod;
    }

    /// @inheritdoc ITournamentEscrow
    function creditOf(uint256 roundId, address recipient) external view returns (uint256) {
        return _usdCredits[roundId][recipient];
    }

    /// @inheritdoc ITournamentEscrow
    function accounted(address token_) external view returns (uint256 owed) {
        return _accounted(token_);
    }

    /// @inheritdoc ITournamentEscrow
    function newestRound() external view returns (uint256) {
        return _newestRound;
    }

    /// @inheritdoc ITournamentEscrow
    function committedBatches(uint256 roundId) external view returns (bytes32[] memory hashes) {
        uint256 count = _rounds[roundId].batchCount;
        hashes = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            hashes[i] = _batchHashes[roundId][i];
        }
    }

    /// @inheritdoc ITournamentEscrow
    function getRound(uint256 roundId) external view returns (RoundView memory) {
        Round storage round = _rounds[roundId];
        return RoundView({
            closesAt: round.closesAt,
            resolvesBy: round.resolvesBy,
            funder: round.funder,
            usdStakingPool: round.usdStakingPool,
            usdStakingPaid: round.usdStakingPaid,
            usdPrizePool: round.usdPrizePool,
            usdPrizePaid: round.usdPrizePaid,
            nmrPool: round.nmrPool,
            nmrPaid: round.nmrPaid,
            totalStaked: round.totalStaked,
            settledStake: round.settledStake,
            totalBurned: round.totalBurned,
            stakerCount: round.stakerCount,
            settledCount: round.settledCount,
            prizesPaid: round.prizesPaid,
            finalized: round.finalized,
            datasetDigest: round.datasetDigest,
            resultsDigest: round.resultsDigest,
            challengeEndsAt: round.challengeEndsAt,
            batchCount: round.batchCount,
            batchesSettled: round.batchesPosted,
            disputer: round.disputer,
            voided: round.voided,
            usdCredited: round.usdCredited
        });
    }

    /// @inheritdoc ITournamentEscrow
    function getStake(uint256 roundId, address staker, uint32 model) external view returns (StakeView memory) {
        Stake storage position = _stakes[roundId][staker][model];
        return StakeView({
            amount: position.amount, confidence: position.confidence, status: position.status, rolls: position.rolls
        });
    }

    // ---- internals -------------------------------------------------------------------

    /// @dev The guardian checks the oracle: one account never holds both roles.
    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        if (
            (role == GUARDIAN_ROLE && hasRole(ORACLE_ROLE, account))
                || (role == ORACLE_ROLE && hasRole(GUARDIAN_ROLE, account))
        ) revert TournamentEscrowRoleConflict(account, role);
        return super._grantRole(role, account);
    }

    /// @dev Reverts unless `posted` is the hash committed at `index` of the round.
    function _requireCommitted(uint256 roundId, uint256 index, bytes32 posted) private view {
        bytes32 committed = _batchHashes[roundId][index];
        if (posted != committed) revert TournamentEscrowBatchMismatch(roundId, index, committed, posted);
    }

    /// @dev Marks the round finalized; returns its funder and what is unspent of its pools.
    function _closeBooks(uint256 roundId, Round storage round)
        private
        returns (address funder, uint256 usdReturned, uint256 nmrReturned)
    {
        round.finalized = true;
        _retireIfEmpty(roundId, round);
        usdReturned = (round.usdStakingPool - round.usdStakingPaid) + (round.usdPrizePool - round.usdPrizePaid);
        nmrReturned = round.nmrPool - round.nmrPaid;
        funder = round.funder;
    }

    /// @dev Takes `amount` of `asset` from the caller, reverting unless all of it arrived.
    function _pullWhole(IERC20 asset, uint256 amount) private {
        uint256 before = asset.balanceOf(address(this));
        asset.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = asset.balanceOf(address(this)) - before;
        if (received != amount) revert TournamentEscrowShortTransfer(address(asset), amount, received);
    }

    /// @dev Pays `amount` USD units to `to`, or, when the stablecoin refuses (a blacklisted
    /// payee), holds them as `to`'s credit in the round so the batch goes on. The credit is
    /// written after the call because it depends on its outcome; the stablecoin is the
    /// immutable one chosen at deployment, and nothing else is written after it.
    function _payUsd(uint256 roundId, address to, uint256 amount) private {
        if (_usd.trySafeTransfer(to, amount)) return;
        // slither-disable-next-line reentrancy-no-eth,reentrancy-benign
        _usdCredits[roundId][to] += amount;
        // Cast is safe: amount is part of one of the round's uint128 USD pools.
        // slither-disable-next-line reentrancy-no-eth,reentrancy-benign
        _rounds[roundId].usdCredited += uint128(amount);
        emit UsdCredited(roundId, to, amount);
    }

    /// @dev Retires a finalized round that holds nothing more: no stake to withdraw, no credit.
    function _retireIfEmpty(uint256 roundId, Round storage round) private {
        if (round.finalized && round.settledCount == round.stakerCount && round.usdCredited == 0) _retire(roundId);
    }

    /// @dev Takes a round whose books are closed and empty out of _openBooks (swap and pop).
    function _retire(uint256 roundId) private {
        uint256 slot = _openBookSlot[roundId];
        uint256 last = _openBooks[_openBooks.length - 1];
        _openBooks[slot - 1] = last;
        _openBookSlot[last] = slot;
        _openBooks.pop();
        delete _openBookSlot[roundId];
    }

    /// @dev What the escrow owes in `token_` over the rounds whose books are open: NMR is
    /// unreturned stakes, the unpaid NMR pool and an open dispute's bond; USD the unpaid
    /// staking and prize pools. A finalized round's pools are already back with its funder.
    function _accounted(address token_) private view returns (uint256 owed) {
        bool isNmr = token_ == address(_token);
        if (!isNmr && token_ != address(_usd)) return 0;
        uint256 count = _openBooks.length;
        for (uint256 i; i < count; ++i) {
            Round storage round = _rounds[_openBooks[i]];
            if (isNmr) owed += round.totalStaked - round.settledStake;
            else owed += round.usdCredited;
            // A finalized round's pools and bond have left (a voided round keeps its
            // disputer's name, not the bond).
            if (round.finalized) continue;
            if (isNmr && round.disputer != address(0)) owed += _disputeBond;
            owed += isNmr
                ? round.nmrPool - round.nmrPaid
                : (round.usdStakingPool - round.usdStakingPaid) + (round.usdPrizePool - round.usdPrizePaid);
        }
    }

    /// @dev Pays unspent pools back to the round's funder.
    function _returnPools(uint256 roundId, address funder, uint256 usdReturned, uint256 nmrReturned) private {
        if (usdReturned != 0) _payUsd(roundId, funder, usdReturned);
        if (nmrReturned != 0) IERC20(address(_token)).safeTransfer(funder, nmrReturned);
    }

    /// @dev Reverts unless a stake is active (staked and neither settled nor withdrawn).
    function _requireActive(StakeStatus status, uint256 roundId, address staker, uint32 model) private pure {
        if (status == StakeStatus.None) revert TournamentEscrowNoStake(roundId, staker, model);
        if (status != StakeStatus.Active) revert TournamentEscrowAlreadySettled(roundId, staker, model);
    }

    /// @dev The round `roundId`, if the oracle may post its committed batches now: results
    /// committed, the challenge window over, no open dispute, before resolvesBy.
    function _settleableRound(uint256 roundId) private view returns (Round storage round) {
        round = _rounds[roundId];
        uint256 closesAt = round.closesAt;
        if (closesAt == 0) revert TournamentEscrowUnknownRound(roundId);
        if (block.timestamp < closesAt) revert TournamentEscrowRoundOpen(roundId, closesAt);
        if (block.timestamp >= round.resolvesBy) {
            revert TournamentEscrowSettlementWindowOver(roundId, round.resolvesBy);
        }
        if (round.finalized) revert TournamentEscrowAlreadyFinalized(roundId);
        if (round.batchCount == 0) revert TournamentEscrowNotCommitted(roundId);
        uint256 challengeEndsAt = round.challengeEndsAt;
        if (block.timestamp < challengeEndsAt) revert TournamentEscrowChallengeWindowOpen(roundId, challengeEndsAt);
        address disputer = round.disputer;
        if (disputer != address(0)) revert TournamentEscrowRoundDisputed(roundId, disputer);
    }

    /// @dev Checks every stake of a batch and marks it settled (or moves a rolling one into
    /// round `rollInto`), then updates the rounds' totals; returns the NMR each staker gets
    /// back (stake - burn + NMR reward, or {_ROLLED}), the amount to burn and `rollInto`.
    /// Reverts on the first stake that breaks a bound.
    function _applySettlement(Round storage round, uint256 roundId, StakeSettlement[] calldata settlements)
        private
        returns (uint256[] memory returned, uint256 burned, uint256 rollInto)
    {
        BatchTotals memory totals = BatchTotals({
            usdLeft: round.usdStakingPool - round.usdStakingPaid,
            nmrLeft: round.nmrPool - round.nmrPaid,
            settled: 0,
            burned: 0,
            rollInto: _rollTarget(),
            rolled: 0,
            newPositions: 0
        });
        uint256 count = settlements.length;
        returned = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            returned[i] = _settleEntry(roundId, settlements[i], totals);
        }
        burned = totals.burned;
        rollInto = totals.rollInto;
        if (totals.rolled != 0) {
            Round storage next = _rounds[rollInto];
            // Casts are safe: rolled is NMR this escrow holds (below the 2^96 cap) and the
            // new positions number fewer than the batch's entries.
            next.totalStaked += uint128(totals.rolled);
            next.stakerCount += uint32(totals.newPositions);
        }

        // Casts are safe: the sums are bounded by the round's own stakes and pools.
        round.usdStakingPaid = uint128(round.usdStakingPool - totals.usdLeft);
        round.nmrPaid = uint128(round.nmrPool - totals.nmrLeft);
        round.settledStake += uint128(totals.settled);
        round.totalBurned += uint128(burned);
        round.settledCount += uint32(count);
    }

    /// @dev Checks one entry against its stake and the pools left, adds it to the batch's
    /// totals and marks the stake settled (or rolls it, {_roll}); returns what goes to the
    /// wallet (stake - burn + NMR reward), or {_ROLLED}.
    function _settleEntry(uint256 roundId, StakeSettlement calldata entry, BatchTotals memory totals)
        private
        returns (uint256 kept)
    {
        address staker = entry.staker;
        uint32 model = entry.model;
        Stake storage position = _stakes[roundId][staker][model];
        _requireActive(position.status, roundId, staker, model);
        uint256 amount = position.amount;
        uint256 burn = entry.burn;
        if (burn > amount) revert TournamentEscrowBurnExceedsStake(staker, burn, amount);
        uint256 usdReward = entry.usdReward;
        if (usdReward != 0) {
            uint256 bid = amount * _usdUnit / position.confidence;
            if (usdReward > bid) revert TournamentEscrowRewardExceedsBid(staker, usdReward, bid);
            if (usdReward > totals.usdLeft) {
                revert TournamentEscrowPoolExceeded(roundId, _USD_STAKING_POOL, usdReward, totals.usdLeft);
            }
        }
        uint256 nmrReward = entry.nmrReward;
        if (nmrReward > amount) revert TournamentEscrowRewardExceedsStake(staker, nmrReward, amount);
        if (nmrReward > totals.nmrLeft) {
            revert TournamentEscrowPoolExceeded(roundId, _NMR_POOL, nmrReward, totals.nmrLeft);
        }
        // Cannot overflow: amounts are uint96 stakes of this round, burn <= amount and
        // each reward <= what is left of its pool (all checked above).
        unchecked {
            totals.usdLeft -= usdReward;
            totals.nmrLeft -= nmrReward;
            totals.settled += amount;
            totals.burned += burn;
            kept = amount - burn + nmrReward;
        }
        uint256 rollInto = totals.rollInto;
        if (kept != 0 && rollInto != 0 && position.rolls && !entry.release) {
            _roll(position, _stakes[rollInto][staker][model], kept, totals);
            return _ROLLED;
        }
        position.status = StakeStatus.Settled;
    }

    /// @dev Moves what a rolling position kept (`kept` NMR) into `next`, the same model's
    /// position in round `totals.rollInto`, which is open: it can only be empty or active.
    /// The settled position is deleted, and the refund of its slot pays for most of the new
    /// one: a rolled entry costs the batch about what a transfer to the wallet does. Each
    /// position's fields are written together, with no branch between, so the optimizer
    /// writes each slot once (see {Stake}).
    function _roll(Stake storage position, Stake storage next, uint256 kept, BatchTotals memory totals) private {
        uint256 confidence = position.confidence;
        delete position.amount;
        delete position.confidence;
        delete position.status;
        delete position.rolls;
        uint256 held = next.confidence;
        if (next.status == StakeStatus.None) totals.newPositions += 1;
        // A roll never lowers a confidence the staker set in the next round.
        if (held > confidence) confidence = held;
        // Casts are safe: both amounts are NMR this escrow holds, below the token's 2^96 cap,
        // and both confidences were bounded to uint64 when staked.
        next.amount = uint96(next.amount + kept);
        next.confidence = uint64(confidence);
        next.status = StakeStatus.Active;
        next.rolls = true;
        totals.rolled += kept;
    }

    /// @dev The round rolling positions move into now: the newest, while it takes stakes
    /// (open and not paused); 0 when none does, and they go to their wallets.
    function _rollTarget() private view returns (uint256) {
        uint256 newest = _newestRound;
        if (paused() || block.timestamp >= _rounds[newest].closesAt) return 0;
        return newest;
    }

    /// @dev Sums of a prize list, reverting unless its winners are strictly ascending (so no
    /// address is paid twice, and never the zero address) and none is the escrow itself
    /// (tokens paid to it would sit in no pool and no stake).
    function _prizeTotals(Prize[] calldata prizes) private view returns (uint256 usdTotal, uint256 nmrTotal) {
        address previous = address(0);
        for (uint256 i; i < prizes.length; ++i) {
            address winner = prizes[i].winner;
            if (winner <= previous) revert TournamentEscrowWinnersNotAscending(i, winner);
            if (winner == address(this)) revert TournamentEscrowInvalidWinner(i, winner);
            previous = winner;
            usdTotal += prizes[i].usd;
            nmrTotal += prizes[i].nmr;
        }
    }

    /// @dev Checks, then the position and the round's totals, then the NMR transfer in
    /// (SafeERC20), then the event. Plain Solidity: the optimizer writes the position's
    /// one slot once (amount, confidence and status share it, see {Stake}).
    function _stake(uint256 roundId, uint32 model, uint256 amount, uint256 confidence, bytes32 submissionHash)
        private
    {
        Round storage round = _rounds[roundId];
        uint256 closesAt = round.closesAt;
        if (closesAt == 0) revert TournamentEscrowUnknownRound(roundId);
        if (block.timestamp >= closesAt) revert TournamentEscrowRoundClosed(roundId, closesAt);
        if (amount == 0) revert TournamentEscrowZeroAmount();
        if (submissionHash == bytes32(0)) revert TournamentEscrowZeroSubmissionHash();
        if (confidence == 0 || confidence > type(uint64).max) revert TournamentEscrowInvalidConfidence(confidence);
        Stake storage position = _stakes[roundId][msg.sender][model];
        uint256 current = position.amount;
        uint256 currentConfidence = position.confidence;
        if (confidence < currentConfidence) {
            revert TournamentEscrowConfidenceLowered(roundId, currentConfidence, confidence);
        }
        // The amount is bounded before it is added, so the sum cannot overflow.
        if (amount > type(uint96).max) revert TournamentEscrowAmountTooLarge(amount);
        uint256 total = current + amount;
        if (total > type(uint96).max) revert TournamentEscrowAmountTooLarge(total);

        // Casts are safe: total < 2^96 and confidence < 2^64 (checked above). A position
        // with an amount is already Active: nothing settles or withdraws before closesAt.
        position.amount = uint96(total);
        position.confidence = uint64(confidence);
        position.status = StakeStatus.Active;
        if (current == 0) round.stakerCount += 1;
        // Cast is safe: amount < 2^96. totalStaked sums fewer than 2^32 positions of less
        // than 2^96 each, so the checked addition never reverts in practice.
        round.totalStaked += uint128(amount);

        IERC20(address(_token)).safeTransferFrom(msg.sender, address(this), amount);
        emit Staked(roundId, msg.sender, model, amount, confidence, submissionHash);
    }
}
