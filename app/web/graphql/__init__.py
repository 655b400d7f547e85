"""``POST /graphql``: the part of Numerai's tournament API that numerapi 3.x speaks.

A script written for Numerai runs here unchanged once it points numerapi at this server::

    import numerapi.base_api
    numerapi.base_api.API_TOURNAMENT_URL = "https://<this host>/graphql"

The schema (``schema.graphql`` in this package, loaded at import) keeps numerapi's field
and argument names (including its snake_case ``submission_upload_auth`` and
``create_submission``); the resolvers, in this package's modules, are thin calls into
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

The resolvers, by numerapi area, each bound to the type objects of
:mod:`app.web.graphql.common` (its shared checks, per-request caches and amount
formatters): :mod:`~app.web.graphql.rounds` (datasets, rounds, score configs),
:mod:`~app.web.graphql.account` (account, balances, tokens, models, profiles, stakes),
:mod:`~app.web.graphql.scores` (scores, leaderboards, performances, payouts) and
:mod:`~app.web.graphql.submissions` (uploads, submissions, downloads, stake changes).
This module builds the schema from them and serves it over HTTP.

What a query may ask (size bounds, and the Numerai fields refused with advice: Compute,
wallet history, diagnostics, v3 staking, Signals, Crypto) is :mod:`app.web.graphql.rules`;
those checks run before any resolver.

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
(:func:`~app.web.graphql.common._rounds`, :func:`~app.web.graphql.common._user`,
:func:`~app.web.graphql.common._chain`) and ``submissionScores`` fetches the scores of
all the model's rounds in one query, not one per score.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ariadne import graphql_sync, load_schema_from_path, make_executable_schema
from flask import Blueprint, Response, jsonify, request
from graphql import GraphQLError

from app.access import access
from app.errors import ApiError
from app.web.errors import MESSAGES
from app.web.graphql import account, rounds, scores, staking, submissions
from app.web.graphql.common import (
    account_type,
    model_type,
    mutation,
    profile_type,
    query,
    round_status,
    round_type,
    submission_type,
)
from app.web.graphql.rules import QueryBounds, parse_query, validate_query
from app.web.inputs import parse_json

bp = Blueprint("graphql", __name__)

RESOLVER_MODULES = (rounds, account, scores, staking, submissions)  # imported for their bindings
TYPE_DEFS = load_schema_from_path(str(Path(__file__).with_name("schema.graphql")))

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
