"""What the oracle commits on chain before any token moves, as plain data (no web3): the
hash of each batch it will post, exactly as the escrow recomputes it from the calldata
(``keccak256(abi.encode(batch))``). The oracle commits these hashes, ``verify`` recomputes
them from the published files, and the contract tests build their commitments with them.

Off chain a settle entry names its stake by model key (:mod:`client.core.models`); on
chain it is (staker, model number): :func:`settlement_row` makes one from the other.
Prizes are won by models and paid to wallets: :func:`wallet_prizes` turns per-model
prizes into the escrow's list, one entry per wallet with the sum of its models' prizes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from client.core.models import MAX_MODEL_NUMBER, split_model_key
from client.core.money.plan import Plan

SETTLEMENT_TYPE = "(address,uint32,uint256,uint256,uint256,bool)[]"
PRIZES_TYPE = "(address,uint256,uint256)[]"

SettlementRow = tuple[str, int, int, int, int, bool]
PrizeRow = tuple[str, int, int]
SettleEntry = tuple[str, int, int, int, bool]
PrizeEntry = tuple[str, int, int]


def _hex(digest: bytes) -> str:
    return "0x" + digest.hex()


def settlement_row(entry: Sequence) -> SettlementRow:
    """The escrow's StakeSettlement (staker, model, burn, usdReward, nmrReward, release) of
    an entry given as (model key, burn, usd, nmr[, release]), or as the struct's fields
    (release, a bool, may be left off: False). ``release`` sends a rolling position's NMR to
    the wallet (the plan found no file to score)."""
    fields = list(entry)
    release = False
    if fields and type(fields[-1]) is bool:  # True is an int too: only a real bool is the flag
        release = fields.pop()
    if len(fields) == 4:
        key, burn, usd, nmr = fields
        address, model = split_model_key(str(key))
    elif len(fields) == 5:
        address, model, burn, usd, nmr = fields
        address, model = to_checksum_address(str(address)), int(model)
        if not 0 <= model <= MAX_MODEL_NUMBER:
            raise ValueError(f"a model number is from 0 to {MAX_MODEL_NUMBER}, got {model}")
    else:
        raise ValueError(f"a settle entry is (model key, burn, usd, nmr[, release]) or (staker, model, burn, usd, "
                         f"nmr[, release]), got {len(entry)} fields")
    return address, model, int(burn), int(usd), int(nmr), release


def settle_batch_hash(entries: Iterable[Sequence]) -> str:
    """The hash of one settle batch (entries as :func:`settlement_row` takes them), in the
    order the batch posts them."""
    rows = [settlement_row(e) for e in entries]
    return _hex(keccak(encode([SETTLEMENT_TYPE], [rows])))


def wallet_prizes(prizes: Iterable[Sequence]) -> list[PrizeRow]:
    """The escrow's prize list from per-model prizes (model key, usd, nmr): one entry per
    wallet, the sum of its models' prizes, wallets ascending by address (the escrow's
    order). A list already per wallet comes back as it is, sorted."""
    totals: dict[str, list[int]] = {}
    for key, usd, nmr in prizes:
        wallet = split_model_key(str(key))[0]
        total = totals.setdefault(wallet, [0, 0])
        total[0] += int(usd)
        total[1] += int(nmr)
    return sorted(((wallet, usd, nmr) for wallet, (usd, nmr) in totals.items()), key=lambda p: int(p[0], 16))


def prize_list_hash(prizes: Iterable[Sequence]) -> str:
    """The hash of a prize list exactly as posted: (winner, usd, nmr) per prize (the
    escrow's list: :func:`wallet_prizes` of the plan's)."""
    rows = [(to_checksum_address(str(p[0])), int(p[1]), int(p[2])) for p in prizes]
    return _hex(keccak(encode([PRIZES_TYPE], [rows])))


def batch_hashes(settle_batches: Iterable[Iterable[Sequence]], prizes: Iterable[Sequence]) -> list[str]:
    """Every hash commitResults takes: the settle batches in order, the prize list (as
    posted) last."""
    return [settle_batch_hash(batch) for batch in settle_batches] + [prize_list_hash(prizes)]


def committed_batches(plan: Plan, batch_size: int) -> tuple[list[list[SettleEntry]], list[PrizeEntry]]:
    """The settle batches of `plan` in posting order (its stakes in plan order, `batch_size`
    a batch; each entry (model key, burn, usd, nmr, release)) and its prize list as the
    escrow takes it: one entry per wallet, its models' prizes summed, by address ascending."""
    entries = [(e.model, e.burn, e.usd_reward, e.nmr_reward, e.release) for e in plan.stakes]
    batches = [entries[i:i + batch_size] for i in range(0, len(entries), batch_size)]
    return batches, wallet_prizes((p.participant, p.usd, p.nmr) for p in plan.prizes)


def plan_hashes(plan: Plan, batch_size: int) -> list[str]:
    """The hashes commitResults takes for `plan`: each settle batch, then the prize list."""
    return batch_hashes(*committed_batches(plan, batch_size))
