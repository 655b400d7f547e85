// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {INumeraireToken} from "../interfaces/INumeraireToken.sol";
import {ITournamentEscrow} from "../interfaces/ITournamentEscrow.sol";

/// @title TournamentEscrow
/// @notice Holds each round's stakes and reward budget until the oracle settles them or,
/// failing that, until the stakers take their stakes back after the round's deadline.
/// @dev No reentrancy guard: the only external calls go to the immutable NMR token, a
/// plain OpenZeppelin ERC20 without hooks, and every function completes its checks and
/// effects before calling it.
contract TournamentEscrow is ITournamentEscrow, AccessControlDefaultAdminRules, Pausable {
    using SafeERC20 for IERC20;

    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @dev Every amount fits in uint96: NMR's cap (2.1e25 wei) is below 2^96 (7.9e28).
    struct Round {
        // slot 0, read and written by every stake: the deadline beside the running totals.
        uint40 closesAt;
        uint40 resolvesBy;
        uint32 stakerCount;
        uint128 totalStaked;
        bool finalized;
        // slot 1, written once per settlement batch.
        uint128 rewardBudget;
        uint128 rewardsPaid;
        // slot 2, written once per settlement batch.
        uint128 settledStake;
        uint96 totalBurned;
        uint32 settledCount;
    }

    /// @dev One slot (96 + 64 + 8 bits). The committed file hash lives in the Staked event.
    struct Stake {
        uint96 amount;
        uint64 confidence;
        StakeStatus status;
    }

    /// @dev Running totals of one settlement batch, in memory to keep the stack shallow.
    struct BatchTotals {
        uint256 budgetLeft;
        uint256 settled;
        uint256 burned;
    }

    INumeraireToken private immutable _token;
    address private _treasury;
    mapping(uint256 roundId => Round) private _rounds;
    mapping(uint256 roundId => mapping(address staker => Stake)) private _stakes;

    /// @param nmr The NMR token.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (transferable in two steps).
    /// @param treasury_ Source and destination of round budgets.
    /// @param adminTransferDelay Seconds between starting and accepting an admin transfer.
    constructor(INumeraireToken nmr, address admin, address treasury_, uint48 adminTransferDelay)
        AccessControlDefaultAdminRules(adminTransferDelay, admin)
    {
        if (address(nmr) == address(0) || treasury_ == address(0)) revert TournamentEscrowZeroAddress();
        _token = nmr;
        _treasury = treasury_;
        emit TreasuryChanged(address(0), treasury_);
    }

    // ---- operator --------------------------------------------------------------------

    /// @inheritdoc ITournamentEscrow
    function createRound(uint256 roundId, uint256 closesAt, uint256 resolvesBy, uint256 rewardBudget)
        external
        onlyRole(ORACLE_ROLE)
    {
        Round storage round = _rounds[roundId];
        if (round.closesAt != 0) revert TournamentEscrowRoundExists(roundId);
        if (closesAt <= block.timestamp || resolvesBy <= closesAt || resolvesBy > type(uint40).max) {
            revert TournamentEscrowInvalidSchedule(closesAt, resolvesBy);
        }
        if (rewardBudget > type(uint96).max) revert TournamentEscrowAmountTooLarge(rewardBudget);

        // Casts are safe: both deadlines were bounded by uint40 and the budget by uint96 above.
        round.closesAt = uint40(closesAt);
        round.resolvesBy = uint40(resolvesBy);
        round.rewardBudget = uint128(rewardBudget);

        // Pulling from the treasury (not msg.sender) is the design: only ORACLE_ROLE gets
        // here, the admin chose the treasury, and unspent budget returns to it on finalize.
        // slither-disable-next-line arbitrary-send-erc20
        if (rewardBudget != 0) IERC20(address(_token)).safeTransferFrom(_treasury, address(this), rewardBudget);
        emit RoundCreated(roundId, closesAt, resolvesBy, rewardBudget);
    }

    /// @inheritdoc ITournamentEscrow
    function settle(
        uint256 roundId,
        address[] calldata stakers,
        uint256[] calldata burns,
        uint256[] calldata rewards
    ) external onlyRole(ORACLE_ROLE) {
        uint256 count = stakers.length;
        if (burns.length != count || rewards.length != count) {
            revert TournamentEscrowLengthMismatch(count, burns.length, rewards.length);
        }
        Round storage round = _settleableRound(roundId);
        (uint256[] memory payouts, uint256 burned) = _applySettlement(round, roundId, stakers, burns, rewards);

        // Every stake of the batch is already marked settled; the token has no hooks.
        // slither-disable-next-line reentrancy-events
        if (burned != 0) _token.burn(burned);
        for (uint256 i; i < count; ++i) {
            if (payouts[i] != 0) IERC20(address(_token)).safeTransfer(stakers[i], payouts[i]);
            emit StakeSettled(roundId, stakers[i], burns[i], rewards[i]);
        }
    }

    /// @inheritdoc ITournamentEscrow
    function finalize(uint256 roundId) external {
        Round storage round = _rounds[roundId];
        uint256 closesAt = round.closesAt;
        if (closesAt == 0) revert TournamentEscrowUnknownRound(roundId);
        if (round.finalized) revert TournamentEscrowAlreadyFinalized(roundId);
        if (block.timestamp < closesAt) revert TournamentEscrowRoundOpen(roundId, closesAt);
        uint256 unsettled = round.stakerCount - round.settledCount;
        if (unsettled != 0 && block.timestamp < round.resolvesBy) {
            revert TournamentEscrowUnsettledStakes(roundId, unsettled);
        }

        round.finalized = true;
        uint256 unspent = round.rewardBudget - round.rewardsPaid;

        if (unspent != 0) IERC20(address(_token)).safeTransfer(_treasury, unspent);
        emit RoundFinalized(roundId, unspent);
    }

    /// @inheritdoc ITournamentEscrow
    function setTreasury(address newTreasury) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newTreasury == address(0)) revert TournamentEscrowZeroAddress();
        address previous = _treasury;
        _treasury = newTreasury;
        emit TreasuryChanged(previous, newTreasury);
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
    function stake(uint256 roundId, uint256 amount, uint256 confidence, bytes32 submissionHash)
        external
        whenNotPaused
    {
        _stake(roundId, amount, confidence, submissionHash);
    }

    /// @inheritdoc ITournamentEscrow
    function stakeWithPermit(
        uint256 roundId,
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
        _stake(roundId, amount, confidence, submissionHash);
    }

    /// @inheritdoc ITournamentEscrow
    function withdrawStake(uint256 roundId) external {
        Round storage round = _rounds[roundId];
        uint256 resolvesBy = round.resolvesBy;
        if (resolvesBy == 0) revert TournamentEscrowUnknownRound(roundId);
        if (block.timestamp < resolvesBy) revert TournamentEscrowDeadlineNotReached(roundId, resolvesBy);
        Stake storage position = _stakes[roundId][msg.sender];
        _requireActive(position.status, roundId, msg.sender);
        uint256 amount = position.amount;

        position.status = StakeStatus.Withdrawn;
        round.settledStake += uint128(amount);
        round.settledCount += 1;

        IERC20(address(_token)).safeTransfer(msg.sender, amount);
        emit StakeWithdrawn(roundId, msg.sender, amount);
    }

    // ---- views -----------------------------------------------------------------------

    /// @inheritdoc ITournamentEscrow
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc ITournamentEscrow
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc ITournamentEscrow
    function getRound(uint256 roundId) external view returns (RoundView memory) {
        Round storage round = _rounds[roundId];
        return RoundView({
            closesAt: round.closesAt,
            resolvesBy: round.resolvesBy,
            rewardBudget: round.rewardBudget,
            rewardsPaid: round.rewardsPaid,
            totalStaked: round.totalStaked,
            settledStake: round.settledStake,
            totalBurned: round.totalBurned,
            stakerCount: round.stakerCount,
            settledCount: round.settledCount,
            finalized: round.finalized
        });
    }

    /// @inheritdoc ITournamentEscrow
    function getStake(uint256 roundId, address staker) external view returns (StakeView memory) {
        Stake storage position = _stakes[roundId][staker];
        return StakeView({amount: position.amount, confidence: position.confidence, status: position.status});
    }

    // ---- internals -------------------------------------------------------------------

    /// @dev Marks `staker`'s active stake settled and returns its amount; reverts if there
    /// is none, if it was settled already, or if `burn` exceeds it.
    function _markSettled(uint256 roundId, address staker, uint256 burn) private returns (uint256 amount) {
        Stake storage position = _stakes[roundId][staker];
        _requireActive(position.status, roundId, staker);
        amount = position.amount;
        if (burn > amount) revert TournamentEscrowBurnExceedsStake(staker, burn, amount);
        position.status = StakeStatus.Settled;
    }

    /// @dev Reverts unless a stake is active (staked and neither settled nor withdrawn).
    function _requireActive(StakeStatus status, uint256 roundId, address staker) private pure {
        if (status == StakeStatus.None) revert TournamentEscrowNoStake(roundId, staker);
        if (status != StakeStatus.Active) revert TournamentEscrowAlreadySettled(roundId, staker);
    }

    /// @dev The round `roundId`, if the oracle may settle it now.
    function _settleableRound(uint256 roundId) private view returns (Round storage round) {
        round = _rounds[roundId];
        uint256 closesAt = round.closesAt;
        if (closesAt == 0) revert TournamentEscrowUnknownRound(roundId);
        if (block.timestamp < closesAt) revert TournamentEscrowRoundOpen(roundId, closesAt);
        if (block.timestamp >= round.resolvesBy) {
            revert TournamentEscrowSettlementWindowOver(roundId, round.resolvesBy);
        }
        if (round.finalized) revert TournamentEscrowAlreadyFinalized(roundId);
    }

    /// @dev Checks every stake of a batch and marks it settled, then updates the round's
    /// totals; returns what each staker is owed and the amount to burn. Reverts on the
    /// first stake that breaks a bound.
    function _applySettlement(
        Round storage round,
        uint256 roundId,
        address[] calldata stakers,
        uint256[] calldata burns,
        uint256[] calldata rewards
    ) private returns (uint256[] memory payouts, uint256 burned) {
        BatchTotals memory totals = BatchTotals({budgetLeft: round.rewardBudget - round.rewardsPaid, settled: 0, burned: 0});
        uint256 count = stakers.length;
        payouts = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            uint256 reward = rewards[i];
            if (reward > totals.budgetLeft) revert TournamentEscrowBudgetExceeded(roundId, reward, totals.budgetLeft);
            uint256 burn = burns[i];
            uint256 amount = _markSettled(roundId, stakers[i], burn);
            // Cannot overflow: amounts are uint96 stakes of this round, burn <= amount
            // (checked in _markSettled) and reward <= budgetLeft (checked above).
            unchecked {
                totals.budgetLeft -= reward;
                totals.settled += amount;
                totals.burned += burn;
                payouts[i] = amount - burn + reward;
            }
        }
        burned = totals.burned;

        // Casts are safe: the sums are bounded by the round's own stakes and budget.
        round.rewardsPaid = uint128(round.rewardBudget - totals.budgetLeft);
        round.settledStake += uint128(totals.settled);
        round.totalBurned += uint96(burned);
        round.settledCount += uint32(count);
    }

    function _stake(uint256 roundId, uint256 amount, uint256 confidence, bytes32 submissionHash) private {
        Round storage round = _rounds[roundId];
        uint256 closesAt = round.closesAt;
        if (closesAt == 0) revert TournamentEscrowUnknownRound(roundId);
        if (block.timestamp >= closesAt) revert TournamentEscrowRoundClosed(roundId, closesAt);
        if (amount == 0) revert TournamentEscrowZeroAmount();
        if (confidence == 0 || confidence > type(uint64).max) revert TournamentEscrowInvalidConfidence(confidence);
        Stake storage position = _stakes[roundId][msg.sender];
        uint256 current = position.amount;
        uint256 currentConfidence = position.confidence;
        if (confidence < currentConfidence) {
            revert TournamentEscrowConfidenceLowered(roundId, currentConfidence, confidence);
        }
        uint256 total = current + amount;
        if (total > type(uint96).max) revert TournamentEscrowAmountTooLarge(total);

        // Casts are safe: amount and confidence were bounded just above. The counters use
        // checked arithmetic, so an impossible overflow (2^32 stakers) would revert.
        position.amount = uint96(total);
        position.confidence = uint64(confidence);
        position.status = StakeStatus.Active;
        if (current == 0) round.stakerCount += 1;
        round.totalStaked += uint128(amount);

        IERC20(address(_token)).safeTransferFrom(msg.sender, address(this), amount);
        emit Staked(roundId, msg.sender, amount, confidence, submissionHash);
    }
}
