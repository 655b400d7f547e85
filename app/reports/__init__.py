"""Reports: what pages, the JSON API, numerapi's calls and the oracle's published files
show of rounds and scores, built from the store's rows as plain dicts with typed amounts.

- :mod:`app.reports.rows`: one participant's row (:func:`score_view`) and shared helpers;
- :mod:`app.reports.tables`: the leaderboard, a round's results, a model's rounds;
- :mod:`app.reports.careers`: the all-time leaderboard;
- :mod:`app.reports.numerapi`: 20-round reputations and per-round ranks for numerapi.

The store (:mod:`app.store`) holds and sums the data; nothing here writes.
"""

from app.reports.careers import all_time
from app.reports.numerapi import rank_in_round, reputations
from app.reports.rows import (
    CHAIN_TOTALS,
    UNSCORED,
    chain_totals,
    is_controlling,
    model_fields,
    score_view,
    shared_ranks,
)
from app.reports.tables import (
    account_results,
    leaderboard,
    round_results,
    standings,
    wallet_results,
)

__all__ = [
    "CHAIN_TOTALS", "UNSCORED", "account_results", "all_time", "chain_totals", "is_controlling", "leaderboard",
    "model_fields", "rank_in_round", "reputations", "round_results", "score_view", "shared_ranks", "standings",
    "wallet_results",
]  # fmt: skip
