"""Local keys: a key that cannot be loaded is named for whom it belongs to."""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from client.core.chain.errors import ChainError
from client.core.chain.signing import load_signer, sign_personal_message

KEY = "0x" + "11" * 32


@pytest.mark.parametrize(("owner", "words"), [
    ("oracle", "the oracle's private key NMR_ORACLE_PRIVATE_KEY is not a valid 32-byte hex key"),
    ("funder", "the funder's private key NMR_TREASURY_PRIVATE_KEY is not a valid 32-byte hex key"),
    ("staker", "your private key NMR_PRIVATE_KEY is not a valid 32-byte hex key"),
])
def test_a_bad_key_names_its_owner(owner, words):
    with pytest.raises(ChainError) as excinfo:
        load_signer("0x1234", None, None, owner=owner)
    assert str(excinfo.value) == words


def test_a_key_out_of_the_curves_range_is_refused_in_words():
    with pytest.raises(ChainError, match="is not a valid 32-byte hex key"):
        load_signer("0x" + "ff" * 32, None, None, owner="staker")


def test_keystore_errors_name_the_owner(tmp_path):
    with pytest.raises(ChainError, match="the funder's keystore file .* not found .*NMR_TREASURY_KEYSTORE"):
        load_signer(None, tmp_path / "missing.json", None, owner="funder")
    keystore = tmp_path / "wallet.json"
    keystore.write_text(json.dumps(Account.encrypt(KEY, "right", iterations=2)))
    with pytest.raises(ChainError, match=r"cannot decrypt keystore .* \(the oracle's key\): wrong password"):
        load_signer(None, keystore, "wrong", owner="oracle")
    assert load_signer(None, keystore, "right", owner="oracle").address == Account.from_key(KEY).address


def test_no_key_is_no_signer():
    assert load_signer(None, None, None, owner="staker") is None


def test_personal_message_signature_recovers_the_signer():
    from eth_account.messages import encode_defunct

    signature = sign_personal_message(KEY, "hello")
    assert Account.recover_message(encode_defunct(text="hello"), signature=signature) == Account.from_key(KEY).address
