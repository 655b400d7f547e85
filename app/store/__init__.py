"""Persistence: the functions the web app and the oracle call, by what they store.

- :mod:`app.store.accounts`: users and display names, API tokens, sign-in nonces
- :mod:`app.store.rounds`: rounds (schedule, pools, status) and submissions
- :mod:`app.store.scores`: scores and career sums
- :mod:`app.store.settlement`: settlement plans and batches
- :mod:`app.store.results`: the view models pages and the API show

The tables are in :mod:`app.models`, the engine and session in :mod:`app.db`; this package
re-exports what callers use, so ``from app import store; store.get_round(7)`` works as it
always did. Every function works in the current app context's session
(:func:`app.db.get_session`) and commits its own unit of work, so the oracle can call them
from a Flask CLI command and the web app from a request. Amounts are Python ints: NMR in
wei (18 decimals), USD in units of 1e-6 dollar. Times are timezone-aware UTC datetimes.

The oracle's calls, in round order::

    create_round(n, closes_at=..., resolves_by=..., dataset_paths={"csv": p, "parquet": p},
                 usd_staking_pool=..., usd_prize_pool=..., nmr_pool=..., funder=..., policy=...)
    set_round_funding(n, usd_staking_pool=..., ...)  -> the pools as funded on chain
    set_round_status(n, "closed")
    list_submissions(n)                 -> current submissions (stored_path, hash, address ...)
    save_scores(n, rows)                -> replaces the round's scores (keys: SCORE_FIELDS)
    set_round_status(n, "resolved", resolved_at=..., live_targets_path=...)
    save_plan(n, plan)                  -> plan id
    record_batch(n, i, tx_hash, status) -> idempotent per (round, batch index)
    set_round_status(n, "settled" / "finalized" / "expired", **settle_info)
"""

from app.db import get_session
from app.models import (
    BATCH_STATUSES,
    REASON_MAX_CHARS,
    ROUND_STATUSES,
    ApiToken,
    Base,
    Round,
    Score,
    SettlementBatch,
    SettlementPlan,
    SiweNonce,
    Submission,
    UploadTicket,
    User,
    WebSession,
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
from app.store.errors import StoreError
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
    get_round,
    get_submission,
    list_rounds,
    list_submissions,
    save_submission,
    set_round_funding,
    set_round_status,
    set_submission_metrics,
    submission_by_hash,
    user_submissions,
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
from app.store.settlement import (
    PRIZE_BATCH_INDEX,
    latest_plan,
    list_batches,
    record_batch,
    save_plan,
    transaction_label,
)

__all__ = [
    "AMOUNT_KEYS",
    "AMOUNT_UNITS",
    "BATCH_STATUSES",
    "CHAIN_TOTALS",
    "PRIZE_BATCH_INDEX",
    "REASON_MAX_CHARS",
    "ROUND_STATUSES",
    "SCORE_ALIASES",
    "SCORE_AMOUNTS",
    "SCORE_FIELDS",
    "TOKEN_SEPARATOR",
    "UNSCORED",
    "ApiToken",
    "Base",
    "Round",
    "Score",
    "SettlementBatch",
    "SettlementPlan",
    "SiweNonce",
    "StoreError",
    "Submission",
    "UploadTicket",
    "User",
    "WebSession",
    "account_results",
    "career_totals",
    "career_wei",
    "chain_totals",
    "consume_nonce",
    "create_api_token",
    "create_nonce",
    "create_round",
    "create_upload_ticket",
    "create_web_session",
    "current_round",
    "current_submission",
    "display_names",
    "ensure_user",
    "get_nonce",
    "get_round",
    "get_session",
    "get_submission",
    "get_upload_ticket",
    "get_user",
    "is_controlling",
    "latest_plan",
    "leaderboard",
    "list_api_tokens",
    "list_batches",
    "list_rounds",
    "list_submissions",
    "list_web_sessions",
    "net_nmr",
    "nonce_counts",
    "record_batch",
    "revoke_all_web_sessions",
    "revoke_api_token",
    "revoke_web_session",
    "revoke_web_session_by_key",
    "round_nmr",
    "round_results",
    "round_scores",
    "round_usd",
    "save_plan",
    "save_scores",
    "save_submission",
    "score_view",
    "scores_of_rounds",
    "set_display_name",
    "set_round_funding",
    "set_round_status",
    "set_submission_metrics",
    "shared_ranks",
    "spend_upload_ticket",
    "submission_by_hash",
    "transaction_label",
    "user_scores",
    "user_submissions",
    "utcnow",
    "verify_api_token",
    "web_session_address",
    "web_session_key",
]  # fmt: skip
