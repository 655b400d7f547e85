// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Blocklist USD (tests only)
/// @notice A 6-decimal dollar that refuses transfers to blocked addresses, as USDC does to
/// a blacklisted one: settle and payPrizes must go on and hold the payout as a credit.
contract BlocklistUSD is ERC20 {
    error BlocklistUSDBlocked(address account);

    mapping(address account => bool) public blocked;

    constructor() ERC20("Blocklist USD", "bUSD") {}

    /// @notice Mints `amount` units to `to`. Anyone (a test token).
    /// @param to Receiver.
    /// @param amount Units of 1e-6 dollar.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Blocks or unblocks `account` as a recipient. Anyone (a test token).
    /// @param account The address.
    /// @param isBlocked Whether transfers to it revert.
    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    /// @notice Dollars have 6 decimals.
    /// @return 6.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[to]) revert BlocklistUSDBlocked(to);
        super._update(from, to, value);
    }
}
