// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title Test USD (local chains only)
/// @notice A 6-decimal dollar stablecoin stand-in for development chains; on a real network
/// the deployments point at an existing stablecoin instead.
contract TestUSD is ERC20, ERC20Permit, Ownable {
    /// @param owner_ The only account that may mint.
    constructor(address owner_) ERC20("Test USD", "tUSD") ERC20Permit("Test USD") Ownable(owner_) {}

    /// @notice Mints `amount` units (6 decimals) to `to`. Only the owner.
    /// @param to Receiver.
    /// @param amount Units of 1e-6 dollar.
    /// @dev Emits a {Transfer} event from the zero address.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Dollars have 6 decimals, as USDC and USDT.
    /// @return 6.
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
