"""What the oracle commits on chain before any token moves, as plain data (no web3): the
hash of each batch it will post, exactly as the escrow recomputes it from the calldata
(``keccak256(abi.encode(batch))``). The oracle commits these hashes, ``verify`` recomputes
them from the published files, and the contract tests build their commitments with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

SETTLEMENT_TYPE = "(address,uint256,uint256,uint256)[]"
PRIZES_TYPE = "(address,uint256,uint256)[]"


def _hex(digest: bytes) -> str:
    return "0x" + digest.hex()


def settle_batch_hash(entries: Iterable[Sequence]) -> str:
    """The hash of one settle batch: (staker, burn, usdReward, nmrReward) per entry, in
    the order the batch posts them."""
    rows = [(to_checksum_address(str(e[0])), int(e[1]), int(e[2]), int(e[3])) for e in entries]
    return _hex(keccak(encode([SETTLEMENT_TYPE], [rows])))


def prize_list_hash(prizes: Iterable[Sequence]) -> str:
    """The hash of the prize list: (winner, usd, nmr) per prize, winners ascending."""
    rows = [(to_checksum_address(str(p[0])), int(p[1]), int(p[2])) for p in prizes]
    return _hex(keccak(encode([PRIZES_TYPE], [rows])))


def batch_hashes(settle_batches: Iterable[Iterable[Sequence]], prizes: Iterable[Sequence]) -> list[str]:
    """Every hash commitResults takes: the settle batches in order, the prize list last."""
    return [settle_batch_hash(batch) for batch in settle_batches] + [prize_list_hash(prizes)]
