"""The batch hashes with the model field, and per-model prizes as the escrow's per-wallet
list (plain data: no node)."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak

from client.core.models import model_key
from client.core.money.batches import (
    batch_hashes,
    prize_list_hash,
    settle_batch_hash,
    settlement_row,
    wallet_prizes,
)

LOW = "0x" + "11" * 20
HIGH = "0x" + "ee" * 20
LOW_C, HIGH_C = model_key(LOW), model_key(HIGH)


def _abi_hash(types: str, rows: list) -> str:
    return "0x" + keccak(encode([types], [rows])).hex()


def test_a_settle_entry_by_model_key_is_the_escrows_six_fields():
    assert settlement_row((model_key(LOW, 3), 1, 2, 3)) == (LOW_C, 3, 1, 2, 3, False)
    assert settlement_row((LOW, 1, 2, 3)) == (LOW_C, 0, 1, 2, 3, False)  # a bare address: model 0
    assert settlement_row((LOW, 1, 2, 3, True)) == (LOW_C, 0, 1, 2, 3, True)  # released to the wallet
    assert settlement_row((LOW, 7, 1, 2, 3)) == (LOW_C, 7, 1, 2, 3, False)  # already the struct
    assert settlement_row((LOW, 7, 1, 2, 3, True)) == (LOW_C, 7, 1, 2, 3, True)
    assert settlement_row((LOW, 7, 1, 2, 1)) == (LOW_C, 7, 1, 2, 1, False)  # an amount of 1 is no flag


def test_the_settle_batch_hash_encodes_the_model_and_the_release():
    batch = [(model_key(HIGH, 1), 5, 0, 0), (LOW, 0, 6, 7, True)]
    expected = _abi_hash("(address,uint32,uint256,uint256,uint256,bool)[]",
                         [(HIGH_C, 1, 5, 0, 0, False), (LOW_C, 0, 0, 6, 7, True)])
    assert settle_batch_hash(batch) == expected
    assert settle_batch_hash([(LOW, 0, 6, 7)]) != settle_batch_hash([(LOW, 0, 6, 7, True)])
    assert settle_batch_hash([(HIGH, 5, 0, 0)]) != settle_batch_hash([(model_key(HIGH, 1), 5, 0, 0)])


@pytest.mark.parametrize("entry", [(LOW, 1, 2), (LOW, 1, 2, 3, 4, 5), (f"{LOW}-0", 1, 2, 3), (LOW, -1, 1, 2, 3)])
def test_a_malformed_settle_entry_says_the_form(entry):
    with pytest.raises(ValueError, match="settle entry|model key|model number"):
        settlement_row(entry)


def test_wallet_prizes_sum_a_wallets_models_ascending_by_address():
    per_model = [(model_key(HIGH, 2), 1, 10), (LOW, 5, 0), (HIGH, 2, 20), (model_key(LOW, 1), 0, 3)]
    assert wallet_prizes(per_model) == [(LOW_C, 5, 3), (HIGH_C, 3, 30)]
    assert wallet_prizes(wallet_prizes(per_model)) == wallet_prizes(per_model)  # per wallet already: unchanged
    assert wallet_prizes([]) == []


def test_the_prize_list_hash_is_of_the_list_as_posted():
    listed = [(LOW_C, 5, 3), (HIGH_C, 3, 30)]
    assert prize_list_hash(listed) == _abi_hash("(address,uint256,uint256)[]", listed)
    assert batch_hashes([[(LOW, 1, 0, 0)]], listed) == [settle_batch_hash([(LOW, 1, 0, 0)]), prize_list_hash(listed)]
