"""View models: one dict per page, rendered by the pages and returned by the JSON API.

Keeping one function per page is what makes the API mirror the pages exactly. Values are
plain Python (typed amounts, aware datetimes); :func:`jsonable` turns them into
JSON-safe values. Amounts are :class:`client.core.money.units.NmrAmount` (wei, 18
decimals) and :class:`~client.core.money.units.UsdAmount` (units of 1e-6 dollar, the
stablecoin's 6 decimals).

- :mod:`app.web.views.rounds`: the current round, past rounds, a round's results (the
  leaderboard, round or all-time, is :mod:`app.web.leaderboard`'s);
- :mod:`app.web.views.accounts`: the account and model pages;
- :mod:`app.web.views.json`: the JSON form.

Callers write ``views.round_results_page(n)``; this package names what each module offers.
"""

from app.web.formatting import DECIMALS, format_nmr, format_usd, iso
from app.web.views.accounts import account_page, chain_info, model_page, token_rows
from app.web.views.json import jsonable
from app.web.views.rounds import (
    RESOLVED_STATUSES,
    current_round_page,
    past_rounds_page,
    round_results_page,
    round_summary,
    rounds_in_flight,
    status_note,
    submission_view,
    upload_view,
    why,
)

__all__ = [
    "DECIMALS", "RESOLVED_STATUSES", "account_page", "chain_info", "current_round_page",
    "format_nmr", "format_usd", "iso", "jsonable", "model_page",
    "past_rounds_page", "round_results_page", "round_summary", "rounds_in_flight", "status_note", "submission_view",
    "token_rows", "upload_view", "why",
]  # fmt: skip
