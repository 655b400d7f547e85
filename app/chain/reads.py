"""The pages' and the API's one door to the chain: every read the web layer makes, with
one failure policy.

The policy: a read that cannot be answered (no chain configured, the node down or slow,
a contract missing) never fails the page. Each function here returns None (or says
"unavailable" in its answer), logs one warning line naming what it could not read, and
the page says the chain did not answer. Only :class:`ChainError` (the core's word for any
node or contract failure) and a missing configuration key count as "cannot be
answered"; anything else is a bug and propagates.

The oracle's writes go through :func:`app.chain.get_chain` directly: a failed
transaction must stop its step, not be shown as unavailable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app

from app.chain import get_chain
from client.core.chain.contracts import Chain
from client.core.chain.errors import ChainError
from client.core.chain.states import round_state
from client.core.money.units import NmrAmount, UsdAmount

T = TypeVar("T")
UNAVAILABLE = "the chain did not answer"


def read(what: str, reader: Callable[[Chain], T]) -> T | None:
    """``reader(chain)``, or None (logged as one warning naming `what`) when the chain
    cannot answer."""
    try:
        return reader(get_chain())
    except (ChainError, KeyError) as exc:  # no chain configured, or the node is down
        current_app.logger.warning("chain read failed (%s): %s", what, exc)
        return None


def chain_info() -> dict[str, Any] | None:
    """Chain id, the public RPC URL, addresses and ABIs, the revert-message table, the
    stake statuses and the deployment block (GET /api/v1/chain)."""
    config = current_app.config
    return read("chain info", lambda chain: chain.public_info(config.get("PUBLIC_RPC_URL") or config["RPC_URL"]))


def clock() -> tuple[int, int] | None:
    """The chain's time and the escrow's commit lead (challenge window + ruling period),
    read together."""
    return read("the chain's clock", lambda chain: (chain.now(), chain.commit_lead()))


def now() -> int | None:
    """The chain's time (its latest block's timestamp)."""
    return read("the chain's clock", lambda chain: chain.now())


def round_view(number: int) -> dict[str, Any] | None:
    """The escrow's raw view of round `number` (``Chain.round``)."""
    return read(f"round {number}", lambda chain: chain.round(number))


def stake_of(number: int, model: str) -> dict[str, Any] | None:
    """A model's position in a round: amount, confidence, status."""
    return read(f"the stake of {model} in round {number}", lambda chain: chain.stake_of(number, model))


def rolled_into(number: int) -> dict[str, int]:
    """Model key -> the round a settled position's NMR rolled into, for the round's rolled
    positions (its StakeSettled events); empty when none rolled or the chain did not answer."""
    settled = read(f"round {number}'s settlements", lambda chain: chain.settlements(number)) or {}
    return {key: event["rolled_into"] for key, event in settled.items() if event["rolled_into"]}


def wallet(address: str) -> dict[str, Any]:
    """A wallet's balances and every stake of its models, for the account page:
    ``available`` False with a ``message`` when the chain did not answer."""
    found = read(f"the wallet {address}", lambda chain: (chain.balances(address), chain.stakes(address),
                                                         chain.usd_decimals))  # fmt: skip
    if found is None:
        return {"available": False, "message": f"chain unavailable ({UNAVAILABLE})"}
    balances, stakes, usd_decimals = found
    return {
        "available": True,
        "nmr_wei": NmrAmount(balances.get("nmr_wei", 0)),
        "usd_units": UsdAmount(balances.get("usd_units", 0)),
        "usd_decimals": int(usd_decimals),
        "eth_wei": NmrAmount(balances.get("eth_wei", 0)),  # ether has NMR's 18 decimals
        "stakes": [{**stake, "amount_wei": NmrAmount(stake["amount_wei"])} for stake in stakes],
    }


def balances(address: str) -> dict[str, Any] | None:
    """A wallet's NMR and USD, read from the chain (the header's Balances on every page),
    or None when the chain does not answer."""
    found = read(f"the balances of {address}", lambda chain: (chain.balances(address), chain.usd_decimals))
    if found is None:
        return None
    held, usd_decimals = found
    return {"nmr_wei": NmrAmount(held.get("nmr_wei", 0)), "usd_units": UsdAmount(held.get("usd_units", 0)),
            "usd_decimals": int(usd_decimals)}


def ledger(address: str) -> list[dict[str, Any]] | None:
    """A wallet's ledger from the escrow's events (``Chain.ledger``), amounts typed; None
    when the chain does not answer."""
    found = read(f"the ledger of {address}", lambda chain: chain.ledger(address))
    if found is None:
        return None
    return [{**entry, "nmr_wei": NmrAmount(entry["nmr_wei"]), "usd_units": UsdAmount(entry["usd_units"])}
            for entry in found]


def round_chain_state(number: int, disputes: bool = True) -> dict[str, Any] | None:
    """Round `number` as the escrow holds it, for the pages and the API; None when the
    chain does not answer (the pages still render, saying so).

    ``state`` in words; the figures the escrow counts as tokens move: ``usd_paid`` (the
    staking auction's and the prizes' dollars), ``nmr_paid`` (rewards, prizes and a
    disputer's reward), ``burned``, ``n_stakers`` and ``staked_wei`` (every position, as
    stakes arrive); ``disputed`` (ever: the disputer stays named after a ruling),
    ``dispute_open``, ``voided``; with `disputes`, ``dispute`` is the dispute's record:
    who, the bond, the ruling, the reward and both transactions."""

    def state(chain: Chain) -> dict[str, Any]:
        view = chain.round(number)
        ever_disputed = int(view["disputer"], 16) != 0
        dispute = _dispute_record(chain, number) if disputes and ever_disputed else None
        return {"state": round_state(view, chain.now()), "exists": view["exists"], "committed": view["committed"],
                "challenge_ends_at": view["challenge_ends_at"] or None, "disputed": ever_disputed,
                "dispute_open": view["disputed"], "disputer": view["disputer"] if ever_disputed else None,
                "voided": view["voided"], "finalized": view["finalized"],
                "dataset_digest": view["dataset_digest"], "results_digest": view["results_digest"],
                "usd_paid": UsdAmount(view["usd_staking_paid"] + view["usd_prize_paid"]),
                "nmr_paid": NmrAmount(view["nmr_paid"]), "burned": NmrAmount(view["total_burned"]),
                "n_stakers": view["staker_count"], "staked_wei": NmrAmount(view["total_staked"]), "dispute": dispute}

    return read(f"round {number}", state)


def _dispute_record(chain: Chain, number: int) -> dict[str, Any]:
    """The round's dispute from its events: disputer, bond, ruling and reward (NMR wei)."""
    record: dict[str, Any] = {"disputer": None, "bond": NmrAmount(chain.dispute_bond()), "disputed_tx": None,
                              "ruling": "awaiting the guardian's ruling", "upheld": None, "reward": NmrAmount(0),
                              "ruling_tx": None}
    for event in chain.dispute_records(number):
        if event["event"] == "disputed":
            record.update(disputer=event["disputer"], disputed_tx=event["tx_hash"])
        elif event["event"] == "lapsed":
            record.update(ruling_tx=event["tx_hash"], ruling="lapsed: no ruling within the ruling period; the bond "
                          "went back and the committed results stand")
        else:
            record.update(upheld=event["upheld"], reward=NmrAmount(event["reward"]), ruling_tx=event["tx_hash"],
                          ruling="upheld: the round is void, the bond back with a reward from the NMR pool"
                          if event["upheld"] else "rejected: the bond was burned")
    return record
