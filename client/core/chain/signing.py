"""Local keys and what they sign: transactions' signer, EIP-191 messages, EIP-2612 permits.

A key never leaves the process that loaded it; only signatures and signed transactions do.
Who a key belongs to (the ``owner``: the oracle, the round's funder, the guardian or a staker) only
changes how a failure to load it is worded, so each reader is told which setting to fix.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data

from client.core.chain.errors import ChainError

# owner -> (whose key, in words; the raw key's setting; the keystore's setting)
KEY_OWNERS: dict[str, tuple[str, str, str]] = {
    "oracle": ("the oracle's", "NMR_ORACLE_PRIVATE_KEY", "NMR_ORACLE_KEYSTORE"),
    "funder": ("the funder's", "NMR_TREASURY_PRIVATE_KEY", "NMR_TREASURY_KEYSTORE"),
    "guardian": ("the guardian's", "NMR_GUARDIAN_PRIVATE_KEY", "NMR_GUARDIAN_KEYSTORE"),
    "staker": ("your", "NMR_PRIVATE_KEY", "NMR_KEYSTORE"),
}


def load_signer(private_key: str | None, keystore_file: str | Path | None, password: str | None,
                owner: str = "oracle") -> Any | None:
    """An eth-account signer from a raw key or an encrypted keystore file (or None when
    neither is given); `owner` ("oracle", "funder" or "staker") names the key in errors."""
    whose, key_setting, keystore_setting = KEY_OWNERS[owner]
    if private_key:
        try:
            return Account.from_key(private_key)
        except Exception as exc:  # ValueError for bad hex; a bare Exception for a key out of the curve's range
            raise ChainError(f"{whose} private key {key_setting} is not a valid 32-byte hex key") from exc
    if keystore_file:
        path = Path(keystore_file)
        if not path.is_file():
            raise ChainError(f"{whose} keystore file {path} not found (set {keystore_setting})")
        try:
            return Account.from_key(Account.decrypt(json.loads(path.read_text()), password or ""))
        except ValueError as exc:
            raise ChainError(f"cannot decrypt keystore {path} ({whose} key): wrong password?") from exc
    return None


def missing_key(description: str, owner: str) -> ChainError:
    """The error for `description` attempted without `owner`'s signing key."""
    whose, key_setting, keystore_setting = KEY_OWNERS[owner]
    return ChainError(f"{description} needs {whose} signing key: set {key_setting} or {keystore_setting}")


def key_from_mnemonic(mnemonic: str, index: int) -> str:
    """The private key of account `index` of a development mnemonic (Ganache's wallet)."""
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{index}").key.hex()


def sign_personal_message(signer: Any, text: str) -> str:
    """``personal_sign`` of `text` (EIP-191) by a local `signer` or raw private key, as 0x hex."""
    if isinstance(signer, str):
        signer = load_signer(signer, None, None, owner="staker")
    signature = signer.sign_message(encode_defunct(text=text)).signature.hex()
    return "0x" + signature.removeprefix("0x")


def sign_permit(
    signer: Any, token_address: str, chain_id: int, spender: str, value: int, nonce: int, deadline: int
) -> tuple[int, bytes, bytes]:
    """An EIP-2612 permit for NMR ("Numeraire", version "1") signed by `signer` (an
    eth-account LocalAccount), as (v, r, s) for stakeWithPermit."""
    domain = {"name": "Numeraire", "version": "1", "chainId": chain_id, "verifyingContract": token_address}
    types = {
        "Permit": [
            {"name": "owner", "type": "address"},
            {"name": "spender", "type": "address"},
            {"name": "value", "type": "uint256"},
            {"name": "nonce", "type": "uint256"},
            {"name": "deadline", "type": "uint256"},
        ]
    }
    message = {"owner": signer.address, "spender": spender, "value": value, "nonce": nonce, "deadline": deadline}
    signed = signer.sign_message(encode_typed_data(domain, types, message))
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")
