"""numerapi's staking reads answered from the escrow: ``v3StakeConfig`` (the escrow's
address, the NMR token, its admin and pending admin, paused, the treasury) and
``v3StakeRound(roundId)`` (a round's times, totals staked and paid, results digest and
state). Numerai's fields with no counterpart here (its authorization signer, payout
factor, stake cap and threshold, remaining burn and payout) are null; the escrow needs no
signed authorization, and every payout is posted by settlement, not claimed."""

from __future__ import annotations

from typing import Any

from app import store
from app.chain import reads
from app.errors import ApiError
from app.web.graphql.common import _nmr, query
from app.web.graphql.rules import TOURNAMENT
from client.core.chain.states import round_state

ZERO_DIGEST = "0x" + "00" * 32


def _unavailable(what: str) -> ApiError:
    return ApiError(503, f"{what} is read from the escrow, and the chain did not answer; try again in a moment")


@query.field("v3StakeConfig")
def resolve_stake_config(_obj: Any, _info: Any) -> dict[str, Any]:
    """The escrow's configuration, read from the chain."""
    found = reads.read("the escrow's configuration", _config)
    if found is None:
        raise _unavailable("the staking configuration")
    return found


def _config(chain: Any) -> dict[str, Any]:
    config = chain.escrow_config()
    return {
        "address": chain.escrow.address, "authorizationSigner": None, "nmrAddress": chain.token.address,
        "owner": config["admin"], "paused": config["paused"], "pendingOwner": config["pending_admin"],
        "serviceWallet": chain.deployments.get("treasury"),
    }  # fmt: skip


@query.field("v3StakeRound")
def resolve_stake_round(_obj: Any, _info: Any, roundId: str) -> dict[str, Any]:
    """Round ``roundId`` as the escrow holds it."""
    if not (roundId.isascii() and roundId.isdigit() and len(roundId) <= 9):
        raise ApiError(400, f"roundId must be a round number (got {roundId[:20]!r})")
    number = int(roundId)
    found = reads.read(f"round {number}", lambda chain: (chain.round(number), chain.now()))
    if found is None:
        raise _unavailable(f"round {number}")
    view, now = found
    if not view["exists"]:
        raise ApiError(404, f"round {number} is not on chain; list_rounds gives the rounds there are")
    row = store.get_round(number)
    digest = view["results_digest"]
    return {
        "roundId": str(number), "tournamentId": str(TOURNAMENT),
        "openTime": row.opened_at.isoformat() if row and row.opened_at else None,
        "closeTime": str(view["closes_at"]), "resolveTime": str(view["resolves_by"]),
        "resolved": bool(view["finalized"]) or bool(view["voided"]), "state": round_state(view, now),
        "totalStaked": _nmr(view["total_staked"]), "totalPayout": _nmr(view["nmr_paid"]),
        "merkleRoot": None if digest in (None, ZERO_DIGEST) else digest,
        "payoutFactor": None, "remainingBurn": None, "remainingPayout": None, "stakeCap": None, "stakeThreshold": None,
    }  # fmt: skip
