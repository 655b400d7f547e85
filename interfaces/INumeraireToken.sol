// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title Numeraire (NMR) token interface
/// @notice The tournament's staking token: an ERC20 with EIP-2612 permit, burning, and
/// minting capped at 21,000,000 NMR and released on the 2017 weekly schedule: each week
/// allows WEEKLY_DISBURSEMENT (the first week INITIAL_DISBURSEMENT more), and what a week
/// leaves unminted lapses. The admin role is handed over in two steps.
interface INumeraireToken is IERC20, IERC20Permit {
    /// @dev A mint asked for more than the schedule allows at this moment.
    error NumeraireTokenMintExceedsSchedule(uint256 requested, uint256 mintable);

    /// @notice Hard cap on all NMR ever minted, burned NMR included (18 decimals).
    /// @return The cap in wei.
    function CAP() external view returns (uint256);

    /// @notice NMR mintable from the deployment instant on.
    /// @return The initial disbursement in wei.
    function INITIAL_DISBURSEMENT() external view returns (uint256);

    /// @notice NMR mintable in each week since deployment; unminted allowance lapses.
    /// @return The weekly disbursement in wei.
    function WEEKLY_DISBURSEMENT() external view returns (uint256);

    /// @notice Whole weeks since deployment: the week the schedule is in.
    /// @return The week index, 0 in the week of deployment.
    function currentWeek() external view returns (uint256);

    /// @notice Role allowed to mint within the schedule.
    /// @return The role identifier.
    function MINTER_ROLE() external view returns (bytes32);

    /// @notice Timestamp of deployment; the weekly schedule counts from it.
    /// @return Unix seconds.
    function deployedAt() external view returns (uint256);

    /// @notice All NMR minted so far, burned NMR included.
    /// @return Wei ever minted.
    function totalMinted() external view returns (uint256);

    /// @notice How much NMR may be minted right now: what is left of this week's
    /// allowance (weekly, plus initial in week 0), at most CAP - totalMinted.
    /// @return Wei mintable now.
    function mintable() external view returns (uint256);

    /// @notice Mints `amount` NMR to `to`. Only MINTER_ROLE; at most {mintable}.
    /// @param to Receiver of the new tokens.
    /// @param amount Amount in wei (18 decimals).
    /// @dev Emits a {Transfer} event from the zero address.
    function mint(address to, uint256 amount) external;

    /// @notice Destroys `value` of the caller's NMR; total supply falls.
    /// @param value Amount in wei.
    /// @dev Emits a {Transfer} event to the zero address.
    function burn(uint256 value) external;

    /// @notice Destroys `value` of `account`'s NMR, spending the caller's allowance.
    /// @param account Holder whose tokens are burned.
    /// @param value Amount in wei.
    /// @dev Emits a {Transfer} event to the zero address.
    function burnFrom(address account, uint256 value) external;
}
