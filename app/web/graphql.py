"""``POST /graphql``: the part of Numerai's tournament API that numerapi 3.x speaks.

A script written for Numerai runs here unchanged once it points numerapi at this server::

    import numerapi.base_api
    numerapi.base_api.API_TOURNAMENT_URL = "https://<this host>/graphql"

The schema (``schema.graphql`` beside this file, loaded at import) keeps numerapi's field
and argument names (including its snake_case ``submission_upload_auth`` and
``create_submission``); the resolvers here are thin calls into
:mod:`app.web.services`, :mod:`app.web.views` and :mod:`app.store`. How our tournament
maps onto Numerai's words:

- one tournament (numerapi's classic id, 8); an account (a wallet) has models: model 0,
  whose id is the wallet address and whose name is the display name (or the address),
  and the ones it registered by name, whose ids are ``<address>-<n>`` (the model keys;
  :mod:`app.web.numerapi_models` reads a model argument);
- ``listDatasets`` lists our dataset files; ``dataset`` returns the URL that serves one;
- an upload is three calls (:mod:`app.web.numerapi_upload`): ``submission_upload_auth``
  hands out a signed, single-user PUT URL; the PUT stores the bytes aside;
  ``create_submission`` runs the same validation as the web upload
  (:func:`app.web.services.upload_predictions`) and records the submission;
- ``submissionScores`` returns one entry per metric of each scored round (``logloss`` is
  the live logloss, then ``validation_logloss``, ``consistency``, ``corr``, ``mmc``, ``fnc``);
  we score once per round, so ``day`` and ``version`` filters are ignored;
- ``accountLeaderboard`` is the leaderboard of the newest scored round (CORR as
  ``v2Corr20``/``corrV4``, FNC as ``fncV4``, career NMR as ``returnAllTimeNmr``);
  ``v2Leaderboard`` (``get_leaderboard``) the same with ``corr20Rep``, ``mmcRep`` and
  ``fncRep`` as plain means over the model's last 20 scored rounds;
- ``v2RoundModelPerformances`` is one entry per scored round: every stored metric, the
  stake at risk, the round's NMR payout (on the metric the round pays on, pending until
  settled), and per live era its logloss (the one metric kept per era);
  ``v3UserProfile`` (``daily_model_performances`` — one entry per scored round, not per
  day — ``public_user_profile``, ``stake_get``) reads the stake from the escrow;
- model arguments take a model id (its key) or a model name; uploads, submissions,
  scores, performances, payouts, profiles and stakes (the escrow's ``getStake(round,
  wallet, number)``) are each model's own; TC, BMC, CORJ60 and FNC v3 are not computed here
  and answer null;
- ``submissions`` and ``submissionDownloadAuth`` give back my stored files through a
  signed, short-lived URL (:func:`app.web.numerapi_upload.issue_download`).

Why one module past ~350 lines: numerapi's operations resolve against one schema object
here (ariadne binds every resolver to it at import); splitting them by job (account,
models, scores, uploads) is issue 25's, with the other large web modules.

What a query may ask (size bounds, and the Numerai fields refused with advice: Compute,
wallet history, diagnostics, v3 staking, Signals, Crypto) is :mod:`app.web.graphql_rules`.

The 2017 economy in numerapi's shapes, plus fields numerapi does not ask for (a query
that names them, e.g. through ``raw_query``, gets them; numerapi's own queries are
unaffected): every ``submissionScores`` entry carries the round's money for the model,
``roundUsd``, ``roundNmr``, ``burnedNmr``, ``stakeNmr``, ``prizeRank`` and the one-line
``reason``; ``pendingModelPayouts`` (numerapi's ``pending_model_payouts``) lists each
resolved round's payout, ``payoutNmr`` the net NMR (round NMR - burned) and
``payoutValue`` the round's USD (``currencySymbol`` "$"), settled rounds as ``actual``,
the rest as ``pending``; ``Account.availableUsd`` is the wallet's USD balance; rounds
carry their three pools; leaderboard entries ``careerUsd``, ``careerNmr``, ``roundUsd``.
Amounts are exact decimal strings of dollars or NMR.

Errors are GraphQL errors in a 200 response (numerapi raises them as ``ValueError``),
with the same messages as the JSON API; a bad token too. A request reads each table it
needs once: rounds, users and chain balances are looked up once per request
(:func:`_rounds`, :func:`_user`, :func:`_chain`) and ``submissionScores`` fetches the
scores of all the model's rounds in one query, not one per score.

Why one module past 350 lines: these are the resolvers of the one schema file, each a
few lines mapping a view model onto numerapi's names; split by type, the Query fields
would sit apart from the objects they return. The checks that run before any resolver
live apart, in :mod:`app.web.graphql_rules`.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from ariadne import (
    EnumType,
    MutationType,
    ObjectType,
    QueryType,
    graphql_sync,
    load_schema_from_path,
    make_executable_schema,
)
from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from graphql import (
    GraphQLError,
    GraphQLResolveInfo,
)

from app import store
from app.access import access, require
from app.errors import ApiError
from app.store import numerapi as numerapi_store
from app.web import numerapi_upload, services, views
from app.web.errors import MESSAGES
from app.web.graphql_rules import (
    NUMERAPI_SCOPES,
    OTHER_TOURNAMENTS,
    STAKE_HINT,
    TOKEN_HINT,
    TOURNAMENT,
    QueryBounds,
    parse_query,
    validate_query,
)
from app.web.inputs import parse_json
from app.web.numerapi_models import model_of, my_model, wallet_models
from client.core.scoring import STORED_METRICS

bp = Blueprint("graphql", __name__)

RESOLVED_STATUSES = views.RESOLVED_STATUSES
SETTLED_STATUSES = ("settled", "finalized")
# numerapi's displayName of a stored metric, where it differs: "logloss" is the live one.
SCORE_NAMES = {"live_logloss": "logloss"}
LOWER_IS_BETTER = frozenset({"live_logloss", "validation_logloss"})
# (displayName, Score attribute, higher is better), in the store's order.
SCORE_METRICS = tuple((SCORE_NAMES.get(field, field), field, field not in LOWER_IS_BETTER) for field in STORED_METRICS)
PAYOUT_METRIC = {"auction2017": "logloss", "corr": "corr"}  # payout policy -> the score it pays on
TYPE_DEFS = load_schema_from_path(str(Path(__file__).with_name("schema.graphql")))

query = QueryType()
mutation = MutationType()
round_type = ObjectType("Round")
account_type = ObjectType("Account")
model_type = ObjectType("Model")
submission_type = ObjectType("Submission")
profile_type = ObjectType("UserProfile")
round_status = EnumType("RoundStatus", {s: s for s in ("UPCOMING", "OPEN", "RESOLVING", "RESOLVED")})


# --- helpers ------------------------------------------------------------------------------


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


# --- queries -----------------------------------------------------------------------------


@query.field("listDatasets")
def resolve_list_datasets(_obj: Any, _info: Any, round: int | None = None, tournament: int | None = None) -> list[str]:
    """The round's dataset file names (default the current round)."""
    _check_tournament(tournament)
    return [Path(p).name for p in _dataset_files(_round_or_current(round)).values()]


@query.field("dataset")
def resolve_dataset(
    _obj: Any, _info: Any, filename: str, round: int | None = None, tournament: int | None = None
) -> str:
    """The URL serving dataset file ``filename`` of the round (default the current round)."""
    _check_tournament(tournament)
    row = _round_or_current(round)
    for file_format, path in _dataset_files(row).items():
        if Path(path).name == filename:
            return url_for("api.dataset", number=row.number, file_format=file_format, _external=True)
    names = ", ".join(Path(p).name for p in _dataset_files(row).values()) or "none"
    raise ApiError(404, f"round {row.number} has no dataset {filename!r}; listDatasets lists {names}")


def _dataset_files(row: store.Round) -> dict[str, str]:
    """The round's dataset paths by format (only those it has)."""
    paths = {"csv": row.dataset_csv_path, "parquet": row.dataset_parquet_path}
    return {file_format: path for file_format, path in paths.items() if path}


@query.field("rounds")
def resolve_rounds(
    _obj: Any,
    _info: Any,
    tournament: int | None = None,
    number: int | None = None,
    target: str | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[store.Round | None]:
    """Rounds, newest first; ``number: 0`` is the current round (``[null]`` when none)."""
    _check_tournament(tournament)
    if number == 0:
        return [store.current_round()]
    rows = store.list_rounds() if number is None else [r for r in [store.get_round(number)] if r]
    if target not in (None, "target"):
        rows = []
    if status is not None:
        rows = [r for r in rows if _round_status(r) == status]
    return rows[:limit] if limit is not None else rows


def _round_status(row: store.Round) -> str:
    """Numerai's RoundStatus for one of our rounds."""
    if row.accepts_uploads():
        return "OPEN"
    return "RESOLVED" if row.status in RESOLVED_STATUSES else "RESOLVING"


@round_type.field("id")
def resolve_round_id(row: store.Round, _info: Any) -> str:
    return str(row.number)


round_type.set_field("tournament", lambda _row, _info: TOURNAMENT)
round_type.set_field("target", lambda _row, _info: "target")
round_type.set_field("openTime", lambda row, _info: views.iso(row.opened_at))
round_type.set_field("closeTime", lambda row, _info: views.iso(row.closes_at))
round_type.set_field("closeStakingTime", lambda row, _info: views.iso(row.closes_at))
round_type.set_field("scoreTime", lambda row, _info: views.iso(row.resolved_at))
round_type.set_field("resolveTime", lambda row, _info: views.iso(row.resolves_by))
round_type.set_field("resolvedGeneral", lambda row, _info: row.status in RESOLVED_STATUSES)
round_type.set_field("resolvedStaking", lambda row, _info: row.status in SETTLED_STATUSES)
round_type.set_field("rewardBudgetNmr", lambda row, _info: _nmr(row.nmr_pool or 0))
round_type.set_field("usdStakingPool", lambda row, _info: _usd(row.usd_staking_pool or 0))
round_type.set_field("usdPrizePool", lambda row, _info: _usd(row.usd_prize_pool or 0))
round_type.set_field("nmrPool", lambda row, _info: _nmr(row.nmr_pool or 0))


@round_type.field("roundScoreConfigs")
def resolve_score_configs(row: store.Round, _info: Any) -> list[dict[str, Any]]:
    """The one score a round pays on: live logloss (auction2017) or CORR (corr policy)."""
    return [
        {
            "id": f"{row.number}-{row.policy}",
            "scoreConfigId": row.policy,
            "roundNumberStart": row.number,
            "roundNumberEnd": row.number,
            "name": row.policy,
            "displayName": PAYOUT_METRIC.get(row.policy, row.policy),
            "isCanonScore": True,
            "isPayout": True,
            "scoringStart": views.iso(row.closes_at),
            "scoringEnd": views.iso(row.resolved_at),
        }
    ]


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

submission_type.set_field("id", lambda sub, _info: str(sub.id))
submission_type.set_field("filename", lambda sub, _info: sub.original_filename)
submission_type.set_field("selected", lambda sub, _info: sub.superseded_at is None)
submission_type.set_field("insertedAt", lambda sub, _info: views.iso(sub.created_at))
submission_type.set_field("round", lambda sub, info: _rounds(info).get(sub.round_number))
submission_type.set_field("validationLogloss", lambda sub, _info: (sub.metrics or {}).get("validation_logloss"))
submission_type.set_field("validationCorr", lambda sub, _info: (sub.metrics or {}).get("validation_corr"))
submission_type.set_field("consistency", lambda sub, _info: (sub.metrics or {}).get("consistency"))


@query.field("submission_upload_auth")
def resolve_upload_auth(
    _obj: Any, _info: Any, filename: str, tournament: int, modelId: str | None = None
) -> dict[str, str]:
    """A signed PUT URL for one upload for my model ``modelId`` (default model 0) to the
    current round (refused if it is closed)."""
    _check_tournament(tournament)
    key = my_model(modelId, _signed_in("upload"))
    row = services.open_round_or_error(_round_or_current(None).number)
    return numerapi_upload.issue(key, row.number, filename)


@query.field("submissionScores")
def resolve_submission_scores(
    _obj: Any,
    info: GraphQLResolveInfo,
    modelId: str,
    displayName: str | None = None,
    resolved: bool | None = None,
    tournament: int | None = None,
    lastNRounds: int | None = None,
    **_ignored: Any,
) -> list[dict[str, Any]]:
    """One entry per metric per scored round of the model, newest round first.

    Three queries whatever the number of rounds: the model's scores, the rounds, and every
    score of those rounds (for the percentiles)."""
    _check_tournament(tournament)
    scores = store.user_scores(model_of(modelId))
    if lastNRounds is not None:
        scores = scores[:lastNRounds]
    rounds = _rounds(info)
    if resolved is not None:
        scores = [s for s in scores if (rounds[s.round_number].status in RESOLVED_STATUSES) == resolved]
    entries = []
    for score, row, round_scores in _scored_rounds(info, scores):
        money = _money(store.score_view(score))
        for metric in _metric_scores(score, round_scores, row):
            if displayName is not None and displayName != metric["displayName"]:
                continue
            entries.append(
                {
                    "roundId": str(row.number),
                    "submissionId": str(score.submission_id) if score.submission_id else None,
                    "roundNumber": row.number,
                    "roundResolveTime": views.iso(row.resolves_by),
                    "roundScoreTime": views.iso(row.resolved_at),
                    "roundCloseStakingTime": views.iso(row.closes_at),
                    "resolveDate": views.iso(row.resolved_at),
                    "resolved": row.status in RESOLVED_STATUSES,
                    **metric,
                    **money,
                }
            )
    return entries


def _scored_rounds(info: GraphQLResolveInfo, scores: list[store.Score]) -> list[tuple[store.Score, store.Round, list[store.Score]]]:
    """Each of a model's ``scores`` with its round and every score of that round (for
    percentiles and ranks): two queries whatever the number of rounds."""
    rounds = _rounds(info)
    scores_by_round = store.scores_of_rounds(s.round_number for s in scores)
    return [(score, rounds[score.round_number], scores_by_round[score.round_number]) for score in scores]


def _metric_scores(score: store.Score, round_scores: list[store.Score], row: store.Round) -> list[dict[str, Any]]:
    """One entry per stored metric of a round's score: value, percentile in the round,
    numerapi's displayName and the round's scoring date."""
    entries = []
    for name, attribute, higher_is_better in SCORE_METRICS:
        value = getattr(score, attribute)
        others = [getattr(s, attribute) for s in round_scores if getattr(s, attribute) is not None]
        entries.append({"displayName": name, "value": value, "date": views.iso(row.resolved_at),
                        "percentile": _percentile(value, others, higher_is_better)})
    return entries


def _money(view: dict[str, Any]) -> dict[str, Any]:
    """A score's money and reason in GraphQL field names (dollars and NMR as exact strings)."""
    return {
        "roundUsd": _usd(view["round_usd"]),
        "roundNmr": _nmr(view["round_nmr"]),
        "burnedNmr": _nmr(view["burned"]),
        "stakeNmr": _nmr(view["stake_wei"]),
        "prizeRank": view["prize_rank"],
        "reason": view["reason"],
    }


def _percentile(value: float | None, values: list[float], higher_is_better: bool) -> float | None:
    """Share of the round's scores this one equals or beats (1.0 = best)."""
    if value is None or not values:
        return None
    beaten = sum((v <= value) if higher_is_better else (v >= value) for v in values)
    return beaten / len(values)


@query.field("accountLeaderboard")
def resolve_account_leaderboard(
    _obj: Any, _info: Any, limit: int, offset: int, tournament: int | None = None
) -> list[dict[str, Any]]:
    """The leaderboard of the newest scored round, in Numerai's field names plus ours."""
    _check_tournament(tournament)
    board = views.leaderboard_page()
    rows = board["rows"][max(offset, 0) : max(offset, 0) + max(limit, 0)]
    return [
        {
            "rank": r["rank"],
            "username": r["key"],
            "displayName": r["name"],
            "address": r["address"],
            "round": board["round"],
            "nmrStaked": _nmr(r["stake_wei"]),
            "v2Corr20": r["corr"],
            "corrV4": r["corr"],
            "fncV4": r["fnc"],
            "mmc": r["mmc"],
            "liveLogloss": r["live_logloss"],
            "validationLogloss": r["validation_logloss"],
            "consistency": r["consistency"],
            "originality": r["originality"],
            "concordance": r["concordance"],
            "roundNmr": _nmr(r["net_nmr"]),
            "roundUsd": _usd(r["round_usd"]),
            "careerUsd": _usd(r["career_usd"]),
            "careerNmr": _nmr(r["career_nmr"]),
            "reason": r["reason"],
            "returnAllTimeNmr": _nmr(r["career_nmr"]),
        }
        for r in rows
    ]


@query.field("pendingModelPayouts")
def resolve_pending_model_payouts(
    _obj: Any, info: GraphQLResolveInfo, tournament: int | None = None
) -> dict[str, list]:
    """Each of my models' payout per resolved round: settled on chain (``actual``) or still
    to be posted (``pending``); USD as ``payoutValue``, net NMR as ``payoutNmr``. Expired
    rounds paid nothing by plan and are left out."""
    _check_tournament(tournament)
    payouts: dict[str, list] = {"actual": [], "pending": []}
    for model in _models(info, _signed_in("read")):
        _add_payouts(payouts, info, model["key"], model["name"])
    return payouts


def _add_payouts(payouts: dict[str, list], info: GraphQLResolveInfo, key: str, name: str) -> None:
    """Model ``key``'s resolved rounds into ``payouts`` (see :func:`resolve_pending_model_payouts`)."""
    for score in store.account_results(key)["scores"]:
        if score["round_status"] not in RESOLVED_STATUSES or score["round_status"] == "expired":
            continue  # not scored yet, or never paid (the oracle missed its deadline)
        row = _rounds(info)[score["round"]]
        money = _money(score)
        payouts["actual" if row.status in SETTLED_STATUSES else "pending"].append({
            "roundId": str(row.number),
            "roundNumber": row.number,
            "roundResolveTime": views.iso(row.resolved_at),
            "modelId": key,
            "modelName": name,
            "modelDisplayName": name,
            "payoutNmr": _nmr(score["net_nmr"]),
            "payoutValue": money["roundUsd"],
            "currencySymbol": "$",
            **{field: money[field] for field in ("roundUsd", "roundNmr", "burnedNmr", "reason")},
        })


@query.field("v2RoundModelPerformances")
def resolve_round_model_performances(
    _obj: Any, info: GraphQLResolveInfo, modelId: str, tournament: int
) -> list[dict[str, Any]]:
    """Per scored round of the model (newest first): the stake at risk, every stored
    metric (``submissionScores``), the live logloss of each live era
    (``intraRoundSubmissionScores``; only logloss is kept per era), and the round's NMR
    payout on the metric the round pays on, pending until settled on chain."""
    _check_tournament(tournament)
    performances = []
    for score, row, round_scores in _scored_rounds(info, store.user_scores(model_of(modelId))):
        money = _money(store.score_view(score))
        settled = row.status in SETTLED_STATUSES
        pays_on = PAYOUT_METRIC.get(row.policy)
        metrics = _metric_scores(score, round_scores, row)
        for metric in metrics:
            paid = metric["displayName"] == pays_on and row.status in RESOLVED_STATUSES
            metric.update(day=None, payoutPending=money["roundNmr"] if paid and not settled else None,
                          payoutSettled=money["roundNmr"] if paid and settled else None)
        performances.append({
            "roundNumber": row.number,
            "roundOpenTime": views.iso(row.opened_at),
            "roundResolveTime": views.iso(row.resolves_by),
            "roundResolved": row.status in RESOLVED_STATUSES,
            "roundTarget": "target",
            "roundPayoutFactor": None,  # the auction pays bids and prizes, not a factor
            "atRisk": money["stakeNmr"],
            "payoutMultipliers": [{"id": f"{row.number}-{row.policy}", "scoreConfigId": row.policy, "name": row.policy,
                                   "displayName": pays_on, "multiplier": None}],
            "submissionScores": metrics,
            "intraRoundSubmissionScores": [
                {"date": views.iso(row.resolved_at), "day": day, "era": era, "displayName": "logloss", "value": value}
                for day, (era, value) in enumerate((score.per_era or {}).items(), start=1)
            ],
            **{key: money[key] for key in ("roundUsd", "roundNmr", "burnedNmr", "reason")},
        })
    return performances


@query.field("v2Leaderboard")
def resolve_v2_leaderboard(_obj: Any, _info: Any, limit: int, offset: int) -> list[dict[str, Any]]:
    """The newest scored round's leaderboard with 20-round reputations: ``corr20Rep``,
    ``mmcRep`` and ``fncRep`` are the plain means of CORR, MMC and FNC over the model's
    last 20 scored rounds. TC, BMC, CORJ60, FNC v3 and returns are not computed here (null)."""
    board = views.leaderboard_page()
    rows = board["rows"][max(offset, 0) : max(offset, 0) + max(limit, 0)]
    reputation = numerapi_store.reputations(board["round"]) if rows else {}
    entries = []
    for r in rows:
        rep = reputation.get(r["key"], {})
        entries.append({
            "rank": r["rank"],
            "username": r["key"],
            "displayName": r["name"],
            "nmrStaked": _nmr(r["stake_wei"]),
            "corr20Rep": rep.get("corr"),
            "corr20V2Rep": rep.get("corr"),
            "mmcRep": rep.get("mmc"),
            "fncRep": rep.get("fnc"),
            "team": False,
            "liveLogloss": r["live_logloss"],
            "consistency": r["consistency"],
            "careerUsd": _usd(r["career_usd"]),
            "careerNmr": _nmr(r["career_nmr"]),
        })
    return entries


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
        try:
            position = current_app.extensions["chain"].stake_of(row.number, key)
        except Exception:  # an unreachable node or missing deployment: say so, never a 500
            current_app.logger.warning("stake read failed for v3UserProfile", exc_info=True)
            raise ApiError(503, "the chain did not answer, so the stake cannot be read now; stakes are read from the "
                                "escrow (addresses and ABIs at /api/v1/chain)") from None
        return {"round": row.number, **position}

    return _cached(info, ("stake", key), load)


@profile_type.field("dailyModelPerformances")
def resolve_daily_performances(key: str, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    """One entry per scored round, newest first (scores are made once a round, not daily):
    the round's CORR, MMC, FNC and live logloss, each with the model's rank in the round.
    TC and FNC v3 are not computed here (null)."""
    entries = []
    for score, row, others in _scored_rounds(info, store.user_scores(key)):
        entries.append({
            "roundNumber": score.round_number,
            "date": views.iso(row.resolved_at),
            **{f"{metric}Rep": getattr(score, metric) for metric in numerapi_store.REPUTATION_METRICS},
            **{f"{metric}Rank": numerapi_store.rank_in_round(key, others, metric)
               for metric in numerapi_store.REPUTATION_METRICS},
            "logloss": score.live_logloss,
            "loglossRank": numerapi_store.rank_in_round(key, others, "live_logloss", higher_is_better=False),
        })
    return entries


@query.field("accountProfile")
def resolve_account_profile(_obj: Any, info: GraphQLResolveInfo, username: str, tournament: int | None = None
                            ) -> dict[str, Any]:
    """An account's models by name (``username``: its wallet address, or any of its
    models' ids or names), model 0 first, each with its id (model key)."""
    _check_tournament(tournament)
    address, models = wallet_models(username)
    return {"username": address, "models": [{"id": m["key"], "name": m["name"], "displayName": m["name"]}
                                            for m in models]}  # fmt: skip


@query.field("submissions")
def resolve_submissions(_obj: Any, _info: Any, modelId: str | None = None) -> list[store.Submission]:
    """Every upload of my model (default model 0), oldest first."""
    return store.user_submissions(my_model(modelId, _signed_in("read")))


@query.field("submissionDownloadAuth")
def resolve_submission_download(_obj: Any, _info: Any, id: str | None = None) -> dict[str, str]:
    """A short-lived URL serving one of my submissions as stored (its canonical CSV)."""
    address = _signed_in("read")
    submission = store.get_submission(int(id)) if isinstance(id, str) and id.isdigit() and len(id) < 19 else None
    if submission is None or submission.address != address:
        raise ApiError(404, f"you have no submission {str(id)[:40]!r}; submission_ids lists yours")
    return numerapi_upload.issue_download(submission)


# --- mutations ---------------------------------------------------------------------------


@mutation.field("create_submission")
def resolve_create_submission(
    _obj: Any, _info: Any, filename: str, tournament: int, modelId: str | None = None, **_ignored: Any
) -> store.Submission:
    """Validate the file PUT for upload ``filename`` (the key upload auth returned) and keep it.

    Same checks and messages as the web upload; a rejected file raises its problems.
    """
    _check_tournament(tournament)
    address = _signed_in("upload")
    key = my_model(modelId, address)
    ticket = numerapi_upload.ticket(filename)
    if ticket["address"] != address:
        raise ApiError(403, "this upload was authorised for another account")
    if ticket["model"] != key:
        raise ApiError(403, f"this upload was authorised for your model {ticket['model']}, not {key}; "
                            "pass the same modelId to both calls")  # fmt: skip
    body = numerapi_upload.pending_bytes(filename)
    outcome = services.upload_predictions(ticket["round"], address, body, ticket["filename"], key)
    numerapi_upload.discard(filename)
    if outcome.submission is None:
        problems = "; ".join(outcome.result.problems)
        raise ApiError(422, f"predictions rejected, nothing was stored: {problems}", problems=outcome.result.problems)
    return outcome.submission


@mutation.field("v2ChangeStake")
def resolve_change_stake(_obj: Any, _info: Any, **_ignored: Any) -> None:
    """Stakes are not custodial here: they are made from the staker's wallet, on chain."""
    _signed_in("read")
    raise ApiError(409, STAKE_HINT)


schema = make_executable_schema(
    TYPE_DEFS, query, mutation, round_type, account_type, model_type, submission_type, profile_type, round_status
)


# --- HTTP ---------------------------------------------------------------------------------


class _ExpectedErrors(logging.Filter):
    """Log only failures: refusals and malformed queries are the client's business."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, GraphQLError):
            exc = exc.original_error  # None: a malformed query, answered to the client
        # A GraphQLError inside: a variable that could not be coerced, named to the client.
        return exc is not None and not isinstance(exc, ApiError | GraphQLError)


_resolver_log = logging.getLogger(f"{__name__}.resolvers")
_resolver_log.addFilter(_ExpectedErrors())


def _format_error(error: GraphQLError, _debug: bool = False) -> dict[str, Any]:
    """Our message for refusals, GraphQL's for malformed queries and bad variables (they
    name the variable); a bare 500 message only for a failure inside a resolver."""
    formatted = dict(error.formatted)
    original = error.original_error
    if isinstance(original, ApiError):
        formatted["extensions"] = {"status": original.status, **original.extra}
    elif original is not None and not isinstance(original, GraphQLError) and error.path is not None:
        formatted["message"] = MESSAGES[500]
    else:
        formatted.setdefault("extensions", {}).setdefault("status", 400)
    return formatted


def _graphql_response(payload: dict[str, Any]) -> Response:
    # Always 200: numerapi reads GraphQL errors only from a successful HTTP response.
    return jsonify(payload)


@bp.post("/graphql")
@access("operations")
def graphql_endpoint() -> Response:
    """Execute one GraphQL request (``{"query", "variables"}`` as JSON)."""
    body = parse_json(request.get_data(cache=True)) if request.is_json else None
    if not isinstance(body, dict):
        raise ApiError(400, 'send a JSON body {"query": "...", "variables": {...}} with Content-Type: application/json')
    _success, result = graphql_sync(
        schema, body, context_value={"request": request}, error_formatter=_format_error, logger=_resolver_log.name,
        query_parser=parse_query, validation_rules=[QueryBounds], query_validator=validate_query,
    )  # fmt: skip
    return _graphql_response(result)


@bp.errorhandler(ApiError)
def _refused(exc: ApiError) -> Response:
    """A refusal outside a resolver (a bad token, a bad body) as a GraphQL error."""
    return _graphql_response({"data": None, "errors": [{"message": exc.message, "extensions": {"status": exc.status}}]})
