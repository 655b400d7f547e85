"""Persistence: the functions the web app and the oracle call, by what they store.

- :mod:`app.store.accounts`: users and display names, API tokens, sign-in nonces
- :mod:`app.store.wallet_models`: a wallet's models (model 0 and the ones it named)
- :mod:`app.store.rounds`: rounds (schedule, pools, status) and submissions
- :mod:`app.store.scores`: scores and career sums
- :mod:`app.store.settlement`: settlement plans
- :mod:`app.store.journal`: the oracle's transactions (kind, position, hash, status)
- :mod:`app.store.results`: the view models pages and the API show

The tables are in :mod:`app.models`, the engine and session in :mod:`app.db`; this package
re-exports what callers use, so ``from app import store; store.get_round(7)`` works as it
always did. A participant is a model, given as its model key: the address for a wallet's
model 0 (so single-model callers pass addresses as before), ``<address>-<n>`` for model n;
rows carry ``address`` and ``model_number`` and their ``model_key``. Every function works in the current app context's session
(:func:`app.db.get_session`) and commits its own unit of work, so the oracle can call them
from a Flask CLI command and the web app from a request. Amounts are Python ints: NMR in
wei (18 decimals), USD in units of 1e-6 dollar. Times are timezone-aware UTC datetimes.

The oracle's calls, in round order (:mod:`app.oracle`)::

    create_round(n, closes_at=..., resolves_by=..., live_until=..., dataset_paths=...,
                 policy=..., status="opening")
    record_transaction(n, kind, position, tx_hash, status) -> idempotent per (round, kind, position)
    set_round_funding(n, usd_staking_pool=..., ...)  -> the pools as funded on chain
    set_round_status(n, "open" / "closed" / "resolved" / "settled")
    list_submissions(n), submission_by_hash(n, key, hash)
    save_scores(n, rows), save_plan(n, plan), set_published_files(n, names)
    record_chain_totals(n, paid_usd=..., ...) and set_round_status(n, "finalized" / "expired" / "voided")
"""

from app.db import get_session
from app.models import (
    FINAL_STATUSES,
    REASON_MAX_CHARS,
    ROUND_STATUSES,
    TRANSACTION_KINDS,
    TRANSACTION_STATUSES,
    ApiToken,
    Base,
    Model,
    OracleTransaction,
    Round,
    Score,
    SettlementPlan,
    SiweNonce,
    Submission,
    UploadTicket,
    User,
    WebSession,
    key_of,
    utcnow,
)
from app.store.accounts import (
    TOKEN_SEPARATOR,
    consume_nonce,
    create_api_token,
    create_nonce,
    create_upload_ticket,
    create_web_session,
    display_names,
    ensure_user,
    get_nonce,
    get_upload_ticket,
    get_user,
    list_api_tokens,
    list_web_sessions,
    nonce_counts,
    revoke_all_web_sessions,
    revoke_api_token,
    revoke_web_session,
    revoke_web_session_by_key,
    set_display_name,
    spend_upload_ticket,
    verify_api_token,
    web_session_address,
    web_session_key,
)
from app.store.errors import StoreError, split_key
from app.store.journal import (
    get_transaction,
    list_transactions,
    record_transaction,
    transaction_label,
)
from app.store.results import (
    AMOUNT_KEYS,
    AMOUNT_UNITS,
    CHAIN_TOTALS,
    UNSCORED,
    account_results,
    chain_totals,
    is_controlling,
    leaderboard,
    round_results,
    score_view,
    shared_ranks,
)
from app.store.rounds import (
    create_round,
    current_round,
    current_submission,
    disputes_by,
    get_round,
    get_submission,
    list_rounds,
    list_submissions,
    record_chain_totals,
    record_dispute,
    rounds_in_flight,
    save_submission,
    set_keeper_note,
    set_published_files,
    set_round_funding,
    set_round_status,
    set_submission_metrics,
    submission_by_hash,
    user_submissions,
    wallet_submissions,
)
from app.store.scores import (
    SCORE_ALIASES,
    SCORE_AMOUNTS,
    SCORE_FIELDS,
    career_totals,
    career_wei,
    net_nmr,
    round_nmr,
    round_scores,
    round_usd,
    save_scores,
    scores_of_rounds,
    user_scores,
)
from app.store.settlement import latest_plan, save_plan
from app.store.wallet_models import (
    MODEL_NAME_MAX,
    ModelNameTaken,
    UnknownModel,
    add_model,
    check_model_name,
    list_models,
    model_dict,
    model_exists,
    models_named,
    resolve_model,
)

__all__ = [
    "AMOUNT_KEYS",
    "AMOUNT_UNITS",
    "CHAIN_TOTALS",
    "FINAL_STATUSES",
    "MODEL_NAME_MAX",
    "REASON_MAX_CHARS",
    "ROUND_STATUSES",
    "SCORE_ALIASES",
    "SCORE_AMOUNTS",
    "SCORE_FIELDS",
    "TOKEN_SEPARATOR",
    "TRANSACTION_KINDS",
    "TRANSACTION_STATUSES",
    "UNSCORED",
    "ApiToken",
    "Base",
    "Model",
    "ModelNameTaken",
    "OracleTransaction",
    "Round",
    "Score",
    "SettlementPlan",
    "SiweNonce",
    "StoreError",
    "Submission",
    "UnknownModel",
    "UploadTicket",
    "User",
    "WebSession",
    "account_results",
    "add_model",
    "career_totals",
    "career_wei",
    "chain_totals",
    "check_model_name",
    "consume_nonce",
    "create_api_token",
    "create_nonce",
    "create_round",
    "create_upload_ticket",
    "create_web_session",
    "current_round",
    "current_submission",
    "display_names",
    "disputes_by",
    "ensure_user",
    "get_nonce",
    "get_round",
    "get_session",
    "get_submission",
    "get_transaction",
    "get_upload_ticket",
    "get_user",
    "is_controlling",
    "key_of",
    "latest_plan",
    "leaderboard",
    "list_api_tokens",
    "list_models",
    "list_rounds",
    "list_submissions",
    "list_transactions",
    "list_web_sessions",
    "model_dict",
    "model_exists",
    "models_named",
    "net_nmr",
    "nonce_counts",
    "record_chain_totals",
    "record_dispute",
    "record_transaction",
    "resolve_model",
    "revoke_all_web_sessions",
    "revoke_api_token",
    "revoke_web_session",
    "revoke_web_session_by_key",
    "round_nmr",
    "round_results",
    "round_scores",
    "round_usd",
    "rounds_in_flight",
    "save_plan",
    "save_scores",
    "save_submission",
    "score_view",
    "scores_of_rounds",
    "set_display_name",
    "set_keeper_note",
    "set_published_files",
    "set_round_funding",
    "set_round_status",
    "set_submission_metrics",
    "shared_ranks",
    "spend_upload_ticket",
    "split_key",
    "submission_by_hash",
    "transaction_label",
    "user_scores",
    "user_submissions",
    "utcnow",
    "verify_api_token",
    "wallet_submissions",
    "web_session_address",
    "web_session_key",
]  # fmt: skip
