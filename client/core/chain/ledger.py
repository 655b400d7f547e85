"""A wallet's ledger, read from the escrow's events: every stake and top-up, withdrawal,
settlement, prize, dispute bond, ruling, lapse and USD credit of one address, each with
what it moved (NMR and USD, signed: into the wallet positive) and its transaction.

Nothing here comes from the server's plan: the chain's events are the record. A settlement
returns the stake less its burn (the stake being the sum of the position's Staked events
and of what rolled into it) plus any NMR reward, to the wallet or, for a rolling position,
into the next round's position (which moves nothing in or out of the wallet); a rejected
dispute's bond was burned, so its ruling moves nothing.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from eth_utils import to_checksum_address

from client.core.models import model_key
from client.core.money.units import WAD, format_nmr, format_usd

# (escrow event, the argument naming the wallet)
_EVENTS = (
    ("Staked", "staker"), ("StakeWithdrawn", "staker"), ("StakeSettled", "staker"), ("PrizePaid", "winner"),
    ("Disputed", "disputer"), ("DisputeRuled", "disputer"), ("DisputeLapsed", "disputer"),
    ("UsdCredited", "recipient"), ("CreditClaimed", "recipient"), ("RollingSet", "staker"),
)  # fmt: skip


def wallet_ledger(chain: Any, address: str) -> list[dict[str, Any]]:
    """Every entry of `address` on `chain` (a :class:`~client.core.chain.contracts.Chain`),
    newest first: ``round``, ``kind``, ``model`` (a model key, or None for the wallet's
    own), ``nmr_wei`` and ``usd_units`` (signed, into the wallet positive), ``words`` (one
    line), ``tx_hash``, ``block`` and ``time`` (the block's timestamp)."""
    account = to_checksum_address(address)
    logs = sorted(
        ((name, log) for name, party in _EVENTS for log in chain._events(name, **{party: account})),
        key=lambda item: (item[1]["blockNumber"], item[1]["logIndex"]),
    )
    seen = _Seen(usd_unit=10 ** int(chain.usd_decimals))
    times: dict[int, int] = {}
    entries = []
    for name, log in logs:
        args, number = log["args"], int(log["args"]["roundId"])
        model = model_key(args["staker"], int(args["model"])) if "model" in args else None
        entry = _entry(name, args, number, model, seen)
        block = int(log["blockNumber"])
        if block not in times:
            times[block] = int(chain._read(lambda b=block: chain.w3.eth.get_block(b)["timestamp"]))
        entries.append({"round": number, "model": model, **entry, "block": block, "time": times[block],
                        "tx_hash": "0x" + bytes(log["transactionHash"]).hex().removeprefix("0x")})
    return entries[::-1]


class _Seen:
    """What earlier events told: the NMR each position holds, each round's dispute bond."""

    def __init__(self, usd_unit: int):
        self.usd_unit = usd_unit
        self.staked: dict[tuple[int, str | None], int] = defaultdict(int)
        self.bonds: dict[int, int] = {}

    def usd(self, units: int) -> str:
        return format_usd(units, self.usd_unit)


def _entry(name: str, args: Any, number: int, model: str | None, seen: _Seen) -> dict[str, Any]:
    """One event as a ledger line: kind, the NMR and USD it moved, and the words."""
    if name == "Staked":
        amount, first = int(args["amount"]), seen.staked[(number, model)] == 0
        seen.staked[(number, model)] += amount
        return _line("stake" if first else "top-up", -amount, 0,
                     f"{'staked' if first else 'added'} {format_nmr(amount)} NMR at confidence "
                     f"{int(args['confidence']) / WAD:g}")
    if name == "StakeWithdrawn":
        return _line("withdrawal", int(args["amount"]), 0, f"withdrew the whole stake, {format_nmr(args['amount'])} NMR")
    if name == "StakeSettled":
        burned, reward, usd = int(args["burned"]), int(args["nmrReward"]), int(args["usdReward"])
        back, rolled_into = seen.staked[(number, model)] - burned, int(args["rolledInto"])
        if rolled_into:
            seen.staked[(rolled_into, model)] += back + reward
            words = f"settled: {format_nmr(back + reward)} NMR rolled into round {rolled_into}"
        else:
            words = f"settled: {format_nmr(back)} NMR back"
        words += (f", {format_nmr(burned)} NMR burned" if burned else "")
        words += (f", {format_nmr(reward)} NMR reward" if reward else "") + (f", {seen.usd(usd)} reward" if usd else "")
        return _line("roll" if rolled_into else "settlement", 0 if rolled_into else back + reward, usd, words)
    if name == "RollingSet":
        return _line("rolling", 0, 0, "set to roll into the next round" if args["rolls"] else "taken off rolling")
    if name == "PrizePaid":
        return _line("prize", int(args["nmrPrize"]), int(args["usdPrize"]), "prize for a top-100 rank")
    if name == "Disputed":
        seen.bonds[number] = int(args["bond"])
        return _line("dispute bond", -int(args["bond"]), 0, f"disputed the results: {format_nmr(args['bond'])} NMR bond")
    if name == "DisputeRuled":
        if args["upheld"]:
            return _line("ruling", seen.bonds.get(number, 0) + int(args["reward"]), 0,
                         f"dispute upheld: the bond back plus {format_nmr(args['reward'])} NMR reward")
        return _line("ruling", 0, 0, "dispute rejected: the bond was burned")
    if name == "DisputeLapsed":
        return _line("lapsed", int(args["bond"]), 0, "nobody ruled in time: the bond came back")
    if name == "UsdCredited":
        return _line("USD credit", 0, 0, f"{seen.usd(args['amount'])} the stablecoin refused, kept for you to claim")
    return _line("credit claimed", 0, int(args["amount"]), "claimed a USD credit")


def _line(kind: str, nmr_wei: int, usd_units: int, words: str) -> dict[str, Any]:
    return {"kind": kind, "nmr_wei": nmr_wei, "usd_units": usd_units, "words": words}
