// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Fee-on-transfer USD (tests only)
/// @notice A 6-decimal dollar that keeps 1% of every transfer: what fundRound must refuse,
/// since the escrow would count pools it never received.
contract FeeOnTransferUSD is ERC20 {
    constructor() ERC20("Fee USD", "fUSD") {}

    /// @notice Mints `amount` units to `to`. Anyone (a test token).
    /// @param to Receiver.
    /// @param amount Units of 1e-6 dollar.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Dollars have 6 decimals.
    /// @return 6.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @dev Burns 1% of every transfer between two accounts.
    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = value / 100;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
