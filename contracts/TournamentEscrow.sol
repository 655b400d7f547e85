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
/// @dev No reentrancy guard: the only external calls go to the two immutable tokens (NMR,
/// an OpenZeppelin ERC20 without hooks, and the USD stablecoin chosen at deployment), and
/// every function completes its checks and effects before calling them.
contract TournamentEscrow is ITournamentEscrow, AccessControlDefaultAdminRules, Pausable {
    using SafeERC20 for IERC20;

    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    uint256 public constant MAX_PRIZE_WINNERS = 100;

    uint8 private constant _USD_STAKING_POOL = 0;
    uint8 private constant _USD_PRIZE_POOL = 1;
    uint8 private constant _NMR_POOL = 2;

    /// @dev NMR amounts fit in uint96 (the cap, 2.1e25, is below 2^96); USD amounts are
    /// bounded to uint128 when a round is funded.
    struct Round {
        // slot 0, read and written by every stake: the deadlines beside the running totals.
        uint40 closesAt;
        uint40 resolvesBy;
        uint32 stakerCount;
        uint128 totalStaked;
        // slot 1, written once per settlement batch (160 + 32 + 8 + 8 bits).
        address funder;
        uint32 settledCount;
        bool prizesPaid;
        bool finalized;
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
    }

    /// @dev One slot (96 + 64 + 8 bits). The committed file hash lives in the Staked event.
    struct Stake {
        uint96 amount;
        uint64 confidence;
        StakeStatus status;
    }

    /// @dev Running totals of one settlement batch, in memory to keep the stack shallow.
    struct BatchTotals {
        uint256 usdLeft;
        uint256 nmrLeft;
        uint256 settled;
        uint256 burned;
    }

    INumeraireToken private immutable _token;
    IERC20 private immutable _usd;
    /// @dev One dollar in the stablecoin's units (10 ** decimals): a bid is amount / confidence dollars.
    uint256 private immutable _usdUnit;
    uint256 private immutable _maxResolutionDelay;
    mapping(uint256 roundId => Round) private _rounds;
    mapping(uint256 roundId => mapping(address staker => Stake)) private _stakes;

    /// @param nmr The NMR token.
    /// @param usd_ The USD stablecoin.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (transferable in two steps).
    /// @param adminTransferDelay Seconds between starting and accepting an admin transfer.
    /// @param maxResolutionDelay_ Longest allowed time from a round's close to its oracle deadline.
    constructor(
        INumeraireToken nmr,
        IERC20Metadata usd_,
        address admin,
        uint48 adminTransferDelay,
        uint256 maxResolutionDelay_
    ) AccessControlDefaultAdminRules(adminTransferDelay, admin) {
        if (address(nmr) == address(0) || address(usd_) == address(0)) revert TournamentEscrowZeroAddress();
        if (maxResolutionDelay_ == 0 || maxResolutionDelay_ > type(uint40).max) {
            revert TournamentEscrowInvalidSchedule(0, maxResolutionDelay_);
        }
        _token = nmr;
        _usd = IERC20(address(usd_));
        // A token with more than 77 decimals would overflow here and fail the deployment.
        _usdUnit = 10 ** usd_.decimals();
        _maxResolutionDelay = maxResolutionDelay_;
    }

    // ---- operator and funders --------------------------------------------------------

    /// @inheritdoc ITournamentEscrow
    function createRound(uint256 roundId, uint256 closesAt, uint256 resolvesBy) external onlyRole(ORACLE_ROLE) {
        Round storage round = _rounds[roundId];
        if (round.closesAt != 0) revert TournamentEscrowRoundExists(roundId);
        if (closesAt <= block.timestamp || resolvesBy <= closesAt || resolvesBy - closesAt > _maxResolutionDelay) {
            revert TournamentEscrowInvalidSchedule(closesAt, resolvesBy);
        }
        // Casts are safe: closesAt > now > 0 and resolvesBy <= closesAt + maxResolutionDelay,
        // where both are far below 2^40 for any real clock (checked just below).
        if (resolvesBy > type(uint40).max) revert TournamentEscrowInvalidSchedule(closesAt, resolvesBy);
        round.closesAt = uint40(closesAt);
        round.resolvesBy = uint40(resolvesBy);
        emit RoundCreated(roundId, closesAt, resolvesBy);
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
        address funder = round.funder;
        if (funder == address(0)) {
            round.funder = msg.sender;
        } else if (funder != msg.sender) {
            revert TournamentEscrowNotFunder(roundId, funder);
        }
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
        if (usdIn != 0) _usd.safeTransferFrom(msg.sender, address(this), usdIn);
        if (nmrPool != 0) IERC20(address(_token)).safeTransferFrom(msg.sender, address(this), nmrPool);
        emit RoundFunded(roundId, msg.sender, usdStakingPool, usdPrizePool, nmrPool);
    }

    /// @inheritdoc ITournamentEscrow
    function settle(uint256 roundId, StakeSettlement[] calldata settlements) external onlyRole(ORACLE_ROLE) {
        Round storage round = _settleableRound(roundId);
        (uint256[] memory returned, uint256 burned) = _applySettlement(round, roundId, settlements);

        // Every stake of the batch is already marked settled; the tokens have no hooks.
        // slither-disable-next-line reentrancy-events
        if (burned != 0) _token.burn(burned);
        for (uint256 i; i < settlements.length; ++i) {
            StakeSettlement calldata entry = settlements[i];
            if (returned[i] != 0) IERC20(address(_token)).safeTransfer(entry.staker, returned[i]);
            if (entry.usdReward != 0) _usd.safeTransfer(entry.staker, entry.usdReward);
            emit StakeSettled(roundId, entry.staker, entry.burn, entry.usdReward, entry.nmrReward);
        }
    }

    /// @inheritdoc ITournamentEscrow
    function payPrizes(uint256 roundId, Prize[] calldata prizes) external onlyRole(ORACLE_ROLE) {
        uint256 count = prizes.length;
        if (count > MAX_PRIZE_WINNERS) revert TournamentEscrowTooManyWinners(count, MAX_PRIZE_WINNERS);
        Round storage round = _settleableRound(roundId);
        if (round.prizesPaid) revert TournamentEscrowPrizesAlreadyPaid(roundId);
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
            if (prize.usd != 0) _usd.safeTransfer(prize.winner, prize.usd);
            if (prize.nmr != 0) IERC20(address(_token)).safeTransfer(prize.winner, prize.nmr);
            // slither-disable-next-line reentrancy-events
            emit PrizePaid(roundId, prize.winner, prize.usd, prize.nmr);
        }
        // slither-disable-next-line reentrancy-events
        emit PrizesAwarded(roundId, count, usdTotal, nmrTotal);
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

        round.finalized = true;
        uint256 usdReturned =
            (round.usdStakingPool - round.usdStakingPaid) + (round.usdPrizePool - round.usdPrizePaid);
        uint256 nmrReturned = round.nmrPool - round.nmrPaid;
        address funder = round.funder;

        // A round nobody funded has nothing to return (and no funder to return it to).
        if (usdReturned != 0) _usd.safeTransfer(funder, usdReturned);
        if (nmrReturned != 0) IERC20(address(_token)).safeTransfer(funder, nmrReturned);
        emit RoundFinalized(roundId, funder, usdReturned, nmrReturned);
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
    function usd() external view returns (address) {
        return address(_usd);
    }

    /// @inheritdoc ITournamentEscrow
    function maxResolutionDelay() external view returns (uint256) {
        return _maxResolutionDelay;
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
            finalized: round.finalized
        });
    }

    /// @inheritdoc ITournamentEscrow
    function getStake(uint256 roundId, address staker) external view returns (StakeView memory) {
        Stake storage position = _stakes[roundId][staker];
        return StakeView({amount: position.amount, confidence: position.confidence, status: position.status});
    }

    // ---- internals -------------------------------------------------------------------

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
    /// totals; returns the NMR each staker gets back (stake - burn + NMR reward) and the
    /// amount to burn. Reverts on the first stake that breaks a bound.
    function _applySettlement(Round storage round, uint256 roundId, StakeSettlement[] calldata settlements)
        private
        returns (uint256[] memory returned, uint256 burned)
    {
        BatchTotals memory totals = BatchTotals({
            usdLeft: round.usdStakingPool - round.usdStakingPaid,
            nmrLeft: round.nmrPool - round.nmrPaid,
            settled: 0,
            burned: 0
        });
        uint256 count = settlements.length;
        returned = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            StakeSettlement calldata entry = settlements[i];
            address staker = entry.staker;
            Stake storage position = _stakes[roundId][staker];
            _requireActive(position.status, roundId, staker);
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
            position.status = StakeStatus.Settled;
            // Cannot overflow: amounts are uint96 stakes of this round, burn <= amount and
            // each reward <= what is left of its pool (all checked above).
            unchecked {
                totals.usdLeft -= usdReward;
                totals.nmrLeft -= nmrReward;
                totals.settled += amount;
                totals.burned += burn;
                returned[i] = amount - burn + nmrReward;
            }
        }
        burned = totals.burned;

        // Casts are safe: the sums are bounded by the round's own stakes and pools.
        round.usdStakingPaid = uint128(round.usdStakingPool - totals.usdLeft);
        round.nmrPaid = uint128(round.nmrPool - totals.nmrLeft);
        round.settledStake += uint128(totals.settled);
        round.totalBurned += uint128(burned);
        round.settledCount += uint32(count);
    }

    /// @dev Sums of a prize list, reverting unless its winners are strictly ascending (so no
    /// address is paid twice, and never the zero address).
    function _prizeTotals(Prize[] calldata prizes) private pure returns (uint256 usdTotal, uint256 nmrTotal) {
        address previous = address(0);
        for (uint256 i; i < prizes.length; ++i) {
            address winner = prizes[i].winner;
            if (winner <= previous) revert TournamentEscrowWinnersNotAscending(i, winner);
            previous = winner;
            usdTotal += prizes[i].usd;
            nmrTotal += prizes[i].nmr;
        }
    }

    function _stake(uint256 roundId, uint256 amount, uint256 confidence, bytes32 submissionHash) private {
        Round storage round = _rounds[roundId];
        uint256 closesAt = round.closesAt;
        if (closesAt == 0) revert TournamentEscrowUnknownRound(roundId);
        if (block.timestamp >= closesAt) revert TournamentEscrowRoundClosed(roundId, closesAt);
        if (amount == 0) revert TournamentEscrowZeroAmount();
        if (submissionHash == bytes32(0)) revert TournamentEscrowZeroSubmissionHash();
        if (confidence == 0 || confidence > type(uint64).max) revert TournamentEscrowInvalidConfidence(confidence);
        Stake storage position = _stakes[roundId][msg.sender];
        uint256 current = position.amount;
        uint256 currentConfidence = position.confidence;
        if (confidence < currentConfidence) {
            revert TournamentEscrowConfidenceLowered(roundId, currentConfidence, confidence);
        }
        // The amount is bounded before it is added, so the sum cannot overflow.
        if (amount > type(uint96).max) revert TournamentEscrowAmountTooLarge(amount);
        uint256 total = current + amount;
        if (total > type(uint96).max) revert TournamentEscrowAmountTooLarge(total);

        // Casts are safe: amount and confidence were bounded just above. A position with an
        // amount is already Active (nothing settles or withdraws before closesAt), so only a
        // first stake writes the status. The staker counter uses checked arithmetic, so an
        // impossible overflow (2^32 stakers) would revert.
        position.amount = uint96(total);
        position.confidence = uint64(confidence);
        if (current == 0) {
            position.status = StakeStatus.Active;
            round.stakerCount += 1;
        }
        // Cannot overflow: totalStaked sums fewer than 2^32 positions of at most 2^96 - 1 each.
        unchecked {
            round.totalStaked += uint128(amount);
        }

        IERC20(address(_token)).safeTransferFrom(msg.sender, address(this), amount);
        emit Staked(roundId, msg.sender, amount, confidence, submissionHash);
    }
}
