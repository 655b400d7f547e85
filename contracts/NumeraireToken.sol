// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {INumeraireToken} from "../interfaces/INumeraireToken.sol";

/// @title Numeraire (NMR)
/// @notice The 2017 Numeraire token on OpenZeppelin: 21M cap, minting released weekly.
/// @dev The cap bounds everything ever minted, so burned NMR is gone for good rather
/// than freeing room for new issuance.
contract NumeraireToken is ERC20, ERC20Permit, ERC20Burnable, AccessControl, INumeraireToken {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    uint256 public constant CAP = 21_000_000 ether;
    uint256 public constant INITIAL_DISBURSEMENT = 1_000_000 ether;
    /// @dev 5,000,000 NMR a year over 52 weeks, as in the 2017 contract.
    uint256 public constant WEEKLY_DISBURSEMENT = 96_153_846153846153846153;

    uint256 public immutable deployedAt;

    uint256 private _totalMinted;

    /// @param admin Receives DEFAULT_ADMIN_ROLE and MINTER_ROLE.
    constructor(address admin) ERC20("Numeraire", "NMR") ERC20Permit("Numeraire") {
        deployedAt = block.timestamp;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
    }

    /// @inheritdoc INumeraireToken
    function totalMinted() external view returns (uint256) {
        return _totalMinted;
    }

    /// @inheritdoc INumeraireToken
    function mintable() public view returns (uint256) {
        // Whole weeks on purpose: the 2017 schedule releases each week's NMR at once.
        // slither-disable-next-line divide-before-multiply
        uint256 weeksElapsed = (block.timestamp - deployedAt) / 1 weeks;
        uint256 released = INITIAL_DISBURSEMENT + WEEKLY_DISBURSEMENT * weeksElapsed;
        if (released > CAP) released = CAP;
        return released - _totalMinted;
    }

    /// @inheritdoc INumeraireToken
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        uint256 available = mintable();
        if (amount > available) revert NumeraireTokenMintExceedsSchedule(amount, available);
        _totalMinted += amount;
        _mint(to, amount);
    }

    /// @inheritdoc INumeraireToken
    function burn(uint256 value) public override(ERC20Burnable, INumeraireToken) {
        super.burn(value);
    }

    /// @inheritdoc INumeraireToken
    function burnFrom(address account, uint256 value) public override(ERC20Burnable, INumeraireToken) {
        super.burnFrom(account, value);
    }

    /// @notice Current EIP-2612 nonce of `owner`.
    /// @dev Declared here only because two bases (ERC20Permit, INumeraireToken) name it.
    function nonces(address owner) public view override(ERC20Permit, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }
}
