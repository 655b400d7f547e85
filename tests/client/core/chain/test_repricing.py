"""Re-pricing a transaction the base fee outgrew (client/core/chain/transactions.py): the
replacement keeps the nonce, bumps both fees past what nodes ask of a replacement, covers
twice the base fee, and never exceeds the operator's cap; past the cap it waits, saying
why in words that do not change while it waits (said once)."""

from eth_account import Account
from eth_account.typed_transactions import TypedTransaction
from hexbytes import HexBytes

from client.core.chain.transactions import BUMP, GWEI, Sending, SignedHash, _reprice

SIGNER = Account.from_key("0x" + "42" * 32)
PENDING = {"to": "0x" + "11" * 20, "data": b"\x01\x02", "value": 0, "gas": 300_000, "nonce": 7, "chainId": 31337,
           "maxFeePerGas": 3 * GWEI, "maxPriorityFeePerGas": GWEI}


def _decoded(signed: SignedHash) -> dict:
    return TypedTransaction.from_bytes(HexBytes(signed.raw)).as_dict()


def test_a_replacement_keeps_the_nonce_and_pays_twice_the_base_fee_within_the_cap():
    said = []
    replaced = _reprice(SIGNER, "0xabc", PENDING, 100 * GWEI, Sending(max_fee_gwei=500, say=said.append), "settle")
    assert isinstance(replaced, SignedHash) and replaced.nonce == 7
    fields = _decoded(replaced)
    assert fields["nonce"] == 7 and fields["data"] == HexBytes(b"\x01\x02")
    assert fields["maxPriorityFeePerGas"] >= BUMP * GWEI
    assert fields["maxFeePerGas"] == 200 * GWEI + fields["maxPriorityFeePerGas"]
    assert len(said) == 1 and "replaced by" in said[0] and "same nonce 7" in said[0]


def test_a_cap_between_the_base_fee_and_the_bump_is_paid_exactly():
    replaced = _reprice(SIGNER, "0xabc", PENDING, 100 * GWEI, Sending(max_fee_gwei=150), "settle")
    fields = _decoded(replaced)
    assert fields["maxFeePerGas"] == 150 * GWEI
    assert fields["maxPriorityFeePerGas"] <= 50 * GWEI


def test_a_cap_at_or_below_the_base_fee_waits_and_says_so_in_the_same_words():
    first = _reprice(SIGNER, "0xabc", PENDING, 20 * GWEI, Sending(max_fee_gwei=3), "settle")
    later = _reprice(SIGNER, "0xabc", PENDING, 17 * GWEI, Sending(max_fee_gwei=3), "settle")
    assert isinstance(first, str) and first == later
    assert "waits for the base fee to fall" in first and "NMR_MAX_FEE_GWEI=3" in first


def test_without_a_cap_nothing_is_re_priced():
    answer = _reprice(SIGNER, "0xabc", PENDING, 20 * GWEI, Sending(), "settle")
    assert isinstance(answer, str) and "no NMR_MAX_FEE_GWEI allows raising it" in answer
