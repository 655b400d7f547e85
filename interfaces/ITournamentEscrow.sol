// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

/// @title Per-round staking escrow of the Numeraire Tournament
/// @notice Data scientists stake NMR on a committed prediction file before a round closes;
/// the oracle settles every stake (burn and/or reward) before the round's deadline; after
/// that deadline any unsettled staker takes the whole stake back alone. The escrow enforces
/// bounds only: how much to burn or reward is the oracle's published payout policy.
interface ITournamentEscrow {
    enum StakeStatus {
        None,
        Active,
        Settled,
        Withdrawn
    }

    /// @notice A round as pages and the oracle read it. Amounts in NMR wei.
    struct RoundView {
        uint256 closesAt;
        uint256 resolvesBy;
        uint256 rewardBudget;
        uint256 rewardsPaid;
        uint256 totalStaked;
        uint256 settledStake;
        uint256 totalBurned;
        uint256 stakerCount;
        uint256 settledCount;
        bool finalized;
    }

    /// @notice One staker's position in one round. Confidence is a WAD (1e18 == 1.0).
    struct StakeView {
        uint256 amount;
        uint256 confidence;
        StakeStatus status;
    }

    // ---- events ----------------------------------------------------------------------

    event TreasuryChanged(address indexed previousTreasury, address indexed newTreasury);
    event RoundCreated(uint256 indexed roundId, uint256 closesAt, uint256 resolvesBy, uint256 rewardBudget);
    /// @dev `amount` is what this call added; `submissionHash` is the committed prediction
    /// file, and the latest event per staker wins. The running total is in {getStake}.
    event Staked(
        uint256 indexed roundId,
        address indexed staker,
        uint256 amount,
        uint256 confidence,
        bytes32 submissionHash
    );
    event StakeSettled(uint256 indexed roundId, address indexed staker, uint256 burned, uint256 rewarded);
    event StakeWithdrawn(uint256 indexed roundId, address indexed staker, uint256 amount);
    event RoundFinalized(uint256 indexed roundId, uint256 unspentBudget);

    // ---- errors ----------------------------------------------------------------------

    error TournamentEscrowZeroAddress();
    error TournamentEscrowUnknownRound(uint256 roundId);
    error TournamentEscrowRoundExists(uint256 roundId);
    error TournamentEscrowInvalidSchedule(uint256 closesAt, uint256 resolvesBy);
    error TournamentEscrowAmountTooLarge(uint256 amount);
    error TournamentEscrowZeroAmount();
    error TournamentEscrowInvalidConfidence(uint256 confidence);
    error TournamentEscrowConfidenceLowered(uint256 roundId, uint256 current, uint256 requested);
    error TournamentEscrowRoundClosed(uint256 roundId, uint256 closesAt);
    error TournamentEscrowRoundOpen(uint256 roundId, uint256 closesAt);
    error TournamentEscrowSettlementWindowOver(uint256 roundId, uint256 resolvesBy);
    error TournamentEscrowLengthMismatch(uint256 stakers, uint256 burns, uint256 rewards);
    error TournamentEscrowNoStake(uint256 roundId, address staker);
    error TournamentEscrowAlreadySettled(uint256 roundId, address staker);
    error TournamentEscrowBurnExceedsStake(address staker, uint256 burn, uint256 stake);
    error TournamentEscrowBudgetExceeded(uint256 roundId, uint256 reward, uint256 remaining);
    error TournamentEscrowDeadlineNotReached(uint256 roundId, uint256 resolvesBy);
    error TournamentEscrowUnsettledStakes(uint256 roundId, uint256 unsettled);
    error TournamentEscrowAlreadyFinalized(uint256 roundId);

    // ---- operator --------------------------------------------------------------------

    /// @notice Opens round `roundId`, pulling `rewardBudget` NMR from the treasury (which
    /// must have approved the escrow). Only ORACLE_ROLE.
    /// @param roundId Unique round number.
    /// @param closesAt Staking deadline (unix seconds), in the future.
    /// @param resolvesBy Oracle deadline, after `closesAt`; after it stakers withdraw alone.
    /// @param rewardBudget NMR wei available for rewards in this round.
    /// @dev Emits a {RoundCreated} event.
    function createRound(uint256 roundId, uint256 closesAt, uint256 resolvesBy, uint256 rewardBudget) external;

    /// @notice Settles a batch of stakes of a closed round. Only ORACLE_ROLE, between
    /// closesAt and resolvesBy. Per staker: `burns[i]` (at most the stake) is destroyed, the
    /// rest of the stake returned with `rewards[i]` from the round budget. Each stake is
    /// settled once; the round's rewards never exceed its budget.
    /// @param roundId The round.
    /// @param stakers Stakers to settle, each with an active stake.
    /// @param burns NMR wei to burn per staker.
    /// @param rewards NMR wei to pay per staker from the budget.
    /// @dev Emits a {StakeSettled} event per staker.
    function settle(
        uint256 roundId,
        address[] calldata stakers,
        uint256[] calldata burns,
        uint256[] calldata rewards
    ) external;

    /// @notice Closes the books of a round and returns its unspent budget to the treasury.
    /// Anyone may call once the round is closed and every stake is settled, or once
    /// resolvesBy has passed (unsettled stakes then stay withdrawable).
    /// @param roundId The round.
    /// @dev Emits a {RoundFinalized} event.
    function finalize(uint256 roundId) external;

    /// @notice Sets where budgets come from and return to. Only DEFAULT_ADMIN_ROLE.
    /// @param newTreasury Non-zero address.
    /// @dev Emits a {TreasuryChanged} event.
    function setTreasury(address newTreasury) external;

    /// @notice Stops new stakes (never withdrawals or settlement). Only PAUSER_ROLE.
    /// @dev Emits a {Paused} event.
    function pause() external;

    /// @notice Resumes staking. Only PAUSER_ROLE.
    /// @dev Emits an {Unpaused} event.
    function unpause() external;

    // ---- stakers ---------------------------------------------------------------------

    /// @notice Stakes (or tops up) `amount` NMR on round `roundId` before it closes, after
    /// approving the escrow. Anyone; not while paused.
    /// @param roundId An open round.
    /// @param amount NMR wei to add to the caller's stake.
    /// @param confidence WAD (1e18 == 1.0), at least the caller's current confidence.
    /// @param submissionHash Hash of the prediction file the stake commits to.
    /// @dev Emits a {Staked} event.
    function stake(uint256 roundId, uint256 amount, uint256 confidence, bytes32 submissionHash) external;

    /// @notice {stake} in one transaction, approving with an EIP-2612 permit signature.
    /// @param roundId An open round.
    /// @param amount NMR wei to add; also the permit's value.
    /// @param confidence WAD, at least the caller's current confidence.
    /// @param submissionHash Hash of the prediction file the stake commits to.
    /// @param deadline Permit deadline.
    /// @param v Permit signature v.
    /// @param r Permit signature r.
    /// @param s Permit signature s.
    /// @dev Emits a {Staked} event.
    function stakeWithPermit(
        uint256 roundId,
        uint256 amount,
        uint256 confidence,
        bytes32 submissionHash,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Escape hatch: after resolvesBy, the caller takes back the whole of an
    /// unsettled stake. Anyone with such a stake; works while paused.
    /// @param roundId The round.
    /// @dev Emits a {StakeWithdrawn} event.
    function withdrawStake(uint256 roundId) external;

    // ---- views -----------------------------------------------------------------------

    /// @notice The NMR token staked here.
    /// @return The token address.
    function token() external view returns (address);

    /// @notice Where budgets come from and return to.
    /// @return The treasury address.
    function treasury() external view returns (address);

    /// @notice Role allowed to open and settle rounds.
    /// @return The role identifier.
    function ORACLE_ROLE() external view returns (bytes32);

    /// @notice Role allowed to pause staking.
    /// @return The role identifier.
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice Round `roundId` with its totals and counts (all zero if unknown).
    /// @param roundId The round.
    /// @return The round.
    function getRound(uint256 roundId) external view returns (RoundView memory);

    /// @notice `staker`'s position in round `roundId`.
    /// @param roundId The round.
    /// @param staker The staker.
    /// @return The stake.
    function getStake(uint256 roundId, address staker) external view returns (StakeView memory);
}
