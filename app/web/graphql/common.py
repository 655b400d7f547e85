"""What every resolver of :mod:`app.web.graphql` shares: the schema's type objects the
resolver modules bind to, the round statuses and payout metrics, the checks (signed in,
tournament 8, a round that exists), the per-request caches (rounds, users, chain
balances, models: each read once per request) and the exact amount formatters.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ariadne import EnumType, MutationType, ObjectType, QueryType
from flask import g
from graphql import GraphQLResolveInfo

from app import store
from app.access import require
from app.errors import ApiError
from app.web import views
from app.web.graphql.rules import OTHER_TOURNAMENTS, TOKEN_HINT, TOURNAMENT

RESOLVED_STATUSES = views.RESOLVED_STATUSES
SETTLED_STATUSES = ("settled", "finalized")
PAYOUT_METRIC = {"auction2017": "logloss", "corr": "corr"}  # payout policy -> the score it pays on

query = QueryType()
mutation = MutationType()
round_type = ObjectType("Round")
account_type = ObjectType("Account")
model_type = ObjectType("Model")
submission_type = ObjectType("Submission")
profile_type = ObjectType("UserProfile")
round_status = EnumType("RoundStatus", {s: s for s in ("UPCOMING", "OPEN", "RESOLVING", "RESOLVED")})


def _signed_in(scope: str) -> str:
    """The token's address if it has ``scope`` (app.access, the routes' own check), or
    an error saying how to authenticate."""
    if not g.get("address"):
        raise ApiError(401, f"this query needs an API token: {TOKEN_HINT}", needs=scope)
    return require(scope)


def _check_tournament(tournament: int | None) -> None:
    """Only tournament 8 (or none, or numerapi's base default 0) exists here."""
    if tournament in OTHER_TOURNAMENTS:
        raise ApiError(404, OTHER_TOURNAMENTS[tournament])
    if tournament not in (None, 0, TOURNAMENT):
        raise ApiError(404, f"tournament {tournament} does not exist here; this server runs one tournament ({TOURNAMENT})")


def _round_or_current(number: int | None) -> store.Round:
    """Round ``number`` (0 or None: the current round), or an error."""
    row = store.current_round() if not number else store.get_round(number)
    if row is None:
        raise ApiError(404, "no round has been opened yet" if not number else f"round {number} does not exist")
    return row


def _cached(info: GraphQLResolveInfo, key: Any, load: Any) -> Any:
    """``load()`` once per request (the request's GraphQL context holds the answers)."""
    cache = info.context.setdefault("cache", {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


def _rounds(info: GraphQLResolveInfo) -> dict[int, store.Round]:
    """Every round by number, read once per request."""
    return _cached(info, "rounds", lambda: {row.number: row for row in store.list_rounds()})


def _user(info: GraphQLResolveInfo, address: str) -> store.User | None:
    """The user row of ``address``, read once per request."""
    return _cached(info, ("user", address), lambda: store.get_user(address))


def _chain(info: GraphQLResolveInfo, address: str) -> dict[str, Any]:
    """``address``'s balances from chain (:func:`app.web.views.chain_info`), read once per request."""
    return _cached(info, ("chain", address), lambda: views.chain_info(address))


def _models(info: GraphQLResolveInfo, address: str) -> list[dict[str, Any]]:
    """Every model of wallet ``address`` (:func:`app.store.list_models`), read once per request."""
    return _cached(info, ("models", address), lambda: store.list_models(address))


def _model_name(info: GraphQLResolveInfo, key: str) -> str:
    """The name of model ``key`` (model 0: the display name, or the address)."""
    address, number = store.split_key(key)
    return next((m["name"] for m in _models(info, address) if m["number"] == number), key)


def _nmr(wei: int | None) -> str | None:
    """Wei as an exact decimal NMR string (``"1000"``, ``"0.5"``)."""
    return _exact(wei, views.DECIMALS["nmr"])


def _usd(units: int | None) -> str | None:
    """USD units as an exact decimal dollar string (``"1020"``, ``"435.28"``)."""
    return _exact(units, views.DECIMALS["usd"])


def _exact(amount: int | None, decimals: int) -> str | None:
    if amount is None:
        return None
    return format((Decimal(int(amount)).scaleb(-decimals)).normalize(), "f")
