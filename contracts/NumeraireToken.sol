// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {INumeraireToken} from "../interfaces/INumeraireToken.sol";

/// @title Numeraire (NMR)
/// @notice The 2017 Numeraire token on OpenZeppelin: 21M cap, minting released weekly with
/// no carry-over of a week's unminted allowance, admin handed over in two steps.
/// @dev The cap bounds everything ever minted, so burned NMR is gone for good rather
/// than freeing room for new issuance.
contract NumeraireToken is ERC20, ERC20Permit, ERC20Burnable, AccessControlDefaultAdminRules, INumeraireToken {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    uint256 public constant CAP = 21_000_000 ether;
    uint256 public constant INITIAL_DISBURSEMENT = 1_000_000 ether;
    /// @dev 5,000,000 NMR a year over 52 weeks, as in the 2017 contract.
    uint256 public constant WEEKLY_DISBURSEMENT = 96_153_846153846153846153;

    uint256 public immutable deployedAt;

    // One slot (128 + 32 + 96 bits): every mint reads and writes all three. Each holds
    // at most CAP (2.1e25), below 2^96 (7.9e28).
    uint128 private _totalMinted;
    uint32 private _mintWeek;
    uint96 private _mintedInWeek;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (transferable in two steps) and MINTER_ROLE.
    /// @param adminTransferDelay Seconds between starting and accepting an admin transfer.
    constructor(address admin, uint48 adminTransferDelay)
        ERC20("Numeraire", "NMR")
        ERC20Permit("Numeraire")
        AccessControlDefaultAdminRules(adminTransferDelay, admin)
    {
        deployedAt = block.timestamp;
        _grantRole(MINTER_ROLE, admin);
    }

    /// @inheritdoc INumeraireToken
    function totalMinted() external view returns (uint256) {
        return _totalMinted;
    }

    /// @inheritdoc INumeraireToken
    function currentWeek() public view returns (uint256) {
        return (block.timestamp - deployedAt) / 1 weeks;
    }

    /// @inheritdoc INumeraireToken
    function mintable() public view returns (uint256) {
        uint256 week = currentWeek();
        // Week indexes are whole numbers compared exactly on purpose (no time tolerance).
        // slither-disable-next-line incorrect-equality
        uint256 allowance = week == 0 ? INITIAL_DISBURSEMENT + WEEKLY_DISBURSEMENT : WEEKLY_DISBURSEMENT;
        // A week's unminted allowance lapses: only this week's mints count against it.
        // slither-disable-next-line incorrect-equality
        uint256 used = week == _mintWeek ? _mintedInWeek : 0;
        uint256 left = allowance - used;
        uint256 capLeft = CAP - _totalMinted;
        return left < capLeft ? left : capLeft;
    }

    /// @inheritdoc INumeraireToken
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        uint256 available = mintable();
        if (amount > available) revert NumeraireTokenMintExceedsSchedule(amount, available);
        uint256 week = currentWeek();
        // slither-disable-next-line incorrect-equality
        uint256 used = week == _mintWeek ? _mintedInWeek : 0;
        // Casts are safe: amount <= mintable() <= CAP - totalMinted, so every sum stays
        // below the cap (2.1e25 < 2^96), and a uint32 week lasts 8e10 years.
        _mintWeek = uint32(week);
        _mintedInWeek = uint96(used + amount);
        _totalMinted += uint128(amount);
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
