// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ITournamentEscrow} from "../../interfaces/ITournamentEscrow.sol";

/// @title Swarm member (tests only)
/// @notice One staker of a {StakerSwarm}: an address of its own that stakes its own NMR.
/// Its EIP-1167 clones run this code, so they share the immutable swarm that deployed it.
contract SwarmMember {
    address private immutable _swarm;

    constructor() {
        _swarm = msg.sender;
    }

    /// @notice Approves the escrow for exactly `amount` and stakes it. Only the swarm.
    /// @param escrow The escrow.
    /// @param nmr The NMR token.
    /// @param roundId The round.
    /// @param amount NMR wei.
    /// @param confidence WAD.
    /// @param submissionHash The committed file hash.
    function stake(
        ITournamentEscrow escrow,
        IERC20 nmr,
        uint256 roundId,
        uint256 amount,
        uint256 confidence,
        bytes32 submissionHash
    ) external {
        require(msg.sender == _swarm, "SwarmMember: not the swarm");
        require(nmr.approve(address(escrow), amount), "SwarmMember: approve failed");
        escrow.stake(roundId, 0, amount, confidence, submissionHash);
    }

    /// @notice Puts the member's position in `roundId` on rolling (or off). Only the swarm.
    /// @param escrow The escrow.
    /// @param roundId The round.
    /// @param rolls Whether it rolls.
    function setRolling(ITournamentEscrow escrow, uint256 roundId, bool rolls) external {
        require(msg.sender == _swarm, "SwarmMember: not the swarm");
        escrow.setRolling(roundId, 0, rolls);
    }
}

/// @title Staker swarm (tests only)
/// @notice Hundreds of distinct stakers in a few transactions, for the gas tests of large
/// settlement and prize batches: each member is a clone holding and staking its own tokens,
/// so the escrow sees exactly what it sees of wallets (it never calls a staker).
contract StakerSwarm {
    address public immutable memberImplementation;
    address[] private _members;

    constructor() {
        memberImplementation = address(new SwarmMember());
    }

    /// @notice Creates `count` members and pays each `nmrEach` NMR and `usdEach` USD from
    /// the swarm's own balances.
    /// @param count How many members to add.
    /// @param nmr The NMR token.
    /// @param nmrEach NMR wei per member.
    /// @param usd The USD token.
    /// @param usdEach USD units per member.
    function spawn(uint256 count, IERC20 nmr, uint256 nmrEach, IERC20 usd, uint256 usdEach) external {
        for (uint256 i; i < count; ++i) {
            address member = Clones.clone(memberImplementation);
            _members.push(member);
            if (nmrEach != 0) require(nmr.transfer(member, nmrEach), "StakerSwarm: NMR transfer failed");
            if (usdEach != 0) require(usd.transfer(member, usdEach), "StakerSwarm: USD transfer failed");
        }
    }

    /// @notice Members `from` to `to` (exclusive) each stake `amount` with `confidence`.
    /// @param escrow The escrow.
    /// @param nmr The NMR token.
    /// @param roundId The round.
    /// @param amount NMR wei per member.
    /// @param confidence WAD.
    /// @param submissionHash The committed file hash.
    /// @param from First member index.
    /// @param to One past the last member index.
    function stake(
        ITournamentEscrow escrow,
        IERC20 nmr,
        uint256 roundId,
        uint256 amount,
        uint256 confidence,
        bytes32 submissionHash,
        uint256 from,
        uint256 to
    ) external {
        for (uint256 i = from; i < to; ++i) {
            SwarmMember(_members[i]).stake(escrow, nmr, roundId, amount, confidence, submissionHash);
        }
    }

    /// @notice Members `from` to `to` (exclusive) put their positions in `roundId` on rolling (or off).
    /// @param escrow The escrow.
    /// @param roundId The round.
    /// @param rolls Whether they roll.
    /// @param from First member index.
    /// @param to One past the last member index.
    function setRolling(ITournamentEscrow escrow, uint256 roundId, bool rolls, uint256 from, uint256 to) external {
        for (uint256 i = from; i < to; ++i) {
            SwarmMember(_members[i]).setRolling(escrow, roundId, rolls);
        }
    }

    /// @notice How many members the swarm has.
    /// @return The count.
    function memberCount() external view returns (uint256) {
        return _members.length;
    }

    /// @notice Members `from` to `to` (exclusive), in creation order.
    /// @param from First index.
    /// @param to One past the last index.
    /// @return list The addresses.
    function members(uint256 from, uint256 to) external view returns (address[] memory list) {
        list = new address[](to - from);
        for (uint256 i = from; i < to; ++i) {
            list[i - from] = _members[i];
        }
    }
}
