"""The account and its models as numerapi sees them: ``account`` (profile fields,
balances read from chain, API tokens), ``model``, a model's public ``v3UserProfile``
(its stake read from the escrow) and ``accountProfile`` (an account's models by name).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from app import store
from app.chain import reads
from app.errors import ApiError
from app.web import views
from app.web.graphql.common import (
    _cached,
    _chain,
    _check_tournament,
    _model_name,
    _models,
    _nmr,
    _signed_in,
    _usd,
    _user,
    account_type,
    model_type,
    profile_type,
    query,
)
from app.web.graphql.rules import NUMERAPI_SCOPES, TOURNAMENT
from app.web.numerapi_models import model_of, my_model, wallet_models


@query.field("account")
def resolve_account(_obj: Any, _info: Any) -> str:
    """The token's account; its fields resolve from the address."""
    return _signed_in("read")


account_type.set_field("id", lambda address, _info: address)
account_type.set_field("username", lambda address, _info: address)
account_type.set_field("walletAddress", lambda address, _info: address)
account_type.set_field("mfaEnabled", lambda _address, _info: False)
account_type.set_field("status", lambda _address, _info: "VERIFIED")
account_type.set_field("models", lambda address, info: [m["key"] for m in _models(info, address)])


@account_type.field("displayName")
def resolve_display_name(address: str, info: GraphQLResolveInfo) -> str | None:
    user = _user(info, address)
    return user.display_name if user else None


@account_type.field("insertedAt")
def resolve_inserted_at(key: str, info: GraphQLResolveInfo) -> str | None:
    """When the wallet (of an account, or of a profile's model) first signed in."""
    user = _user(info, store.split_key(key)[0])
    return views.iso(user.created_at) if user else None


@account_type.field("availableNmr")
def resolve_available_nmr(address: str, info: GraphQLResolveInfo) -> str | None:
    """The wallet's NMR balance read from chain (null when the chain is unavailable)."""
    chain = _chain(info, address)
    return _nmr(chain["nmr_wei"]) if chain["available"] else None


@account_type.field("availableUsd")
def resolve_available_usd(address: str, info: GraphQLResolveInfo) -> str | None:
    """The wallet's USD balance read from chain (null when the chain is unavailable)."""
    chain = _chain(info, address)
    return _usd(chain["usd_units"]) if chain["available"] else None


@account_type.field("apiTokens")
def resolve_api_tokens(address: str, _info: Any) -> list[dict[str, Any]]:
    """My live tokens with the scopes each has, in numerapi's names."""
    return [{"name": t.name, "public_id": t.public_id, "scopes": [NUMERAPI_SCOPES[s] for s in t.scope_list]}
            for t in store.list_api_tokens(address)]  # fmt: skip


@query.field("model")
def resolve_model(_obj: Any, _info: Any, modelId: str | None = None) -> str:
    """One of the token's models (default model 0); its fields resolve from its key."""
    return my_model(modelId, _signed_in("read"))


model_type.set_field("id", lambda key, _info: key)
model_type.set_field("name", lambda key, info: _model_name(info, key))
model_type.set_field("tournament", lambda _key, _info: TOURNAMENT)
model_type.set_field("submissions", lambda key, _info: store.user_submissions(key))
model_type.set_field("v2Stake", lambda _key, _info: None)


@query.field("v3UserProfile")
def resolve_user_profile(
    _obj: Any, _info: Any, modelName: str | None = None, model_name: str | None = None, tournament: int | None = None
) -> str:
    """A model's public profile (numerapi sends ``modelName`` or ``model_name``)."""
    _check_tournament(tournament)
    name = modelName if modelName is not None else model_name
    if name is None:
        raise ApiError(400, "name the model: v3UserProfile(modelName: ...) with a model name or id")
    return model_of(name)


profile_type.set_field("id", lambda key, _info: key)
profile_type.set_field("username", lambda key, _info: key)
profile_type.set_field("displayName", lambda key, info: _model_name(info, key))
profile_type.set_field("bio", lambda _key, _info: None)  # profiles here are a name only


@profile_type.field("stakeValue")
def resolve_stake_value(key: str, info: GraphQLResolveInfo) -> str | None:
    """The model's stake in the current round, read from the escrow (null: no stake)."""
    stake = _current_stake(info, key)
    return _nmr(stake["amount"]) if stake and stake["amount"] else None


profile_type.set_field("nmrStaked", resolve_stake_value)
profile_type.set_field("startDate", resolve_inserted_at)  # when the wallet first signed in
profile_type.set_field("stakeRound", lambda key, info: (_current_stake(info, key) or {}).get("round"))


def _current_stake(info: GraphQLResolveInfo, key: str) -> dict[str, Any] | None:
    """Model ``key``'s position in the current round on chain (``round``, ``amount`` wei,
    ``confidence``, ``status``: the escrow's getStake(round, wallet, model number)), read
    once per request; None when there is no round."""

    def load() -> dict[str, Any] | None:
        row = store.current_round()
        if row is None:
            return None
        position = reads.stake_of(row.number, key)
        if position is None:  # an unreachable node or missing deployment: say so, never a 500
            raise ApiError(503, "the chain did not answer, so the stake cannot be read now; stakes are read from the "
                                "escrow (addresses and ABIs at /api/v1/chain)") from None
        return {"round": row.number, **position}

    return _cached(info, ("stake", key), load)



@query.field("accountProfile")
def resolve_account_profile(_obj: Any, info: GraphQLResolveInfo, username: str, tournament: int | None = None
                            ) -> dict[str, Any]:
    """An account's models by name (``username``: its wallet address, or any of its
    models' ids or names), model 0 first, each with its id (model key)."""
    _check_tournament(tournament)
    address, models = wallet_models(username)
    return {"username": address, "models": [{"id": m["key"], "name": m["name"], "displayName": m["name"]}
                                            for m in models]}  # fmt: skip
