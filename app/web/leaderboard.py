"""The leaderboard as pages and the API show it: one round's board or the all-time view,
searched by name, filtered by staked or unstaked, sorted by any column and cut into
pages, all from the query string (``?round=N|all&q=alpha&staked=yes&sort=career_usd&
order=desc&page=2``) so that it works without JavaScript.

Ranks are the board's own (live logloss for a round, career USD then NMR all-time, equal
values sharing one); sorting by another column reorders the rows but keeps their ranks.
"""

from __future__ import annotations

import math
from typing import Any

from flask import request

from app import reports, store
from app.errors import ApiError
from app.web.formatting import DECIMALS
from app.web.inputs import round_arg

PAGE_SIZE = 50
ALL_TIME = "all"
SEARCH_MAX = 64  # characters of a name search
STAKED_CHOICES = ("yes", "no")
_PAGE_DIGITS_MAX = 6
# Sortable columns per view: the key of the row and the direction a first click sorts in
# (best first: low logloss, high amounts).
ROUND_COLUMNS = {
    "rank": "asc", "name": "asc", "live_logloss": "asc", "career_usd": "desc", "consistency": "desc",
    "career_nmr": "desc", "corr": "desc", "mmc": "desc", "round_usd": "desc", "round_nmr": "desc",
}  # fmt: skip
ALL_TIME_COLUMNS = {
    "rank": "asc", "name": "asc", "career_usd": "desc", "career_nmr": "desc", "rounds": "desc", "mean_logloss": "asc",
}  # fmt: skip


def leaderboard_view() -> dict[str, Any]:
    """The leaderboard the request's query string asks for, or a 400/404 saying what to
    change: ``view`` ("round" or "all"), ``round``, ``rounds`` (the picker: every scored
    round, newest first), ``sort``, ``order``, ``page``, ``pages``, ``page_size``,
    ``total`` and this page's ``rows``."""
    rounds = store.scored_rounds()
    if request.args.get("round") == ALL_TIME:
        view, number, rows, columns = ALL_TIME, None, reports.all_time(), ALL_TIME_COLUMNS
    else:
        number = round_arg()
        if number is not None and number not in rounds and store.get_round(number) is None:
            raise ApiError(404, f"tournament {number} does not exist; pick one of the scored rounds "
                                f"({_listed(rounds)}) or round=all")  # fmt: skip
        board = reports.leaderboard(number)
        view, number, rows, columns = "round", board["round"], board["rows"], ROUND_COLUMNS
    sort, order = _sort_args(columns)
    search, staked = _filter_args(view)
    rows = sort_rows(filter_rows(rows, search, staked), sort, order)
    page, pages = _page_arg(len(rows))
    return {
        "view": view,
        "round": number,
        "rounds": rounds,
        "sort": sort,
        "order": order,
        "q": search,
        "staked": staked,
        "columns": columns,
        "page": page,
        "pages": pages,
        "page_size": PAGE_SIZE,
        "total": len(rows),
        "rows": rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        "decimals": DECIMALS,
    }


def filter_rows(rows: list[dict[str, Any]], search: str, staked: str) -> list[dict[str, Any]]:
    """The rows whose name or model key holds `search` (case-blind; "" keeps all) and, with
    `staked` "yes" or "no", that did or did not stake in the round. Ranks stay the board's."""
    wanted = search.casefold()
    kept = [row for row in rows if not wanted or wanted in row["name"].casefold() or wanted in row["key"].casefold()]
    if staked:
        kept = [row for row in kept if bool(row.get("stake_wei")) == (staked == "yes")]
    return kept


def sort_rows(rows: list[dict[str, Any]], key: str, order: str) -> list[dict[str, Any]]:
    """``rows`` by ``key`` (names case-blind), ``order`` "asc" or "desc"; rows without a
    value go last either way, and ties keep the board's order (rank)."""
    present = [row for row in rows if row.get(key) is not None]
    missing = [row for row in rows if row.get(key) is None]

    def value(row: dict[str, Any]) -> Any:
        return row[key].casefold() if isinstance(row[key], str) else row[key]

    return sorted(present, key=value, reverse=order == "desc") + missing


def _sort_args(columns: dict[str, str]) -> tuple[str, str]:
    sort = request.args.get("sort") or "rank"
    if sort not in columns:
        raise ApiError(400, f"sort must be one of {', '.join(columns)} for this view (got {sort[:40]!r})")
    order = request.args.get("order") or columns[sort]
    if order not in ("asc", "desc"):
        raise ApiError(400, f"order must be asc or desc (got {order[:40]!r})")
    return sort, order


def _filter_args(view: str) -> tuple[str, str]:
    search = (request.args.get("q") or "").strip()
    if len(search) > SEARCH_MAX:
        raise ApiError(400, f"q (a name to search for) is at most {SEARCH_MAX} characters (got {len(search)})")
    staked = request.args.get("staked") or ""
    if staked and staked not in STAKED_CHOICES:
        raise ApiError(400, f"staked must be yes or no, or left out for everyone (got {staked[:40]!r})")
    if staked and view == ALL_TIME:
        raise ApiError(400, "staked filters one round's board (who staked in it); pick a tournament, or leave it out")
    return search, staked


def _page_arg(total: int) -> tuple[int, int]:
    pages = max(1, math.ceil(total / PAGE_SIZE))
    raw = request.args.get("page") or "1"
    if not (raw.isascii() and raw.isdigit() and len(raw) <= _PAGE_DIGITS_MAX and int(raw) >= 1):
        raise ApiError(400, f"page must be a whole number from 1 to {pages} (got {raw[:40]!r})")
    if int(raw) > pages:
        raise ApiError(404, f"page {int(raw)} is past the end: this leaderboard has {pages} page(s) of {PAGE_SIZE}")
    return int(raw), pages


def _listed(numbers: list[int]) -> str:
    if not numbers:
        return "none yet"
    shown = ", ".join(str(n) for n in numbers[:10])
    return shown + (", …" if len(numbers) > 10 else "")


def sort_link_args(page: dict[str, Any], column: str) -> dict[str, Any]:
    """The query string of a column header's link: sort by ``column``, flipping the order
    when the board is already sorted by it; back to page 1."""
    if page["sort"] == column:
        order = "asc" if page["order"] == "desc" else "desc"
    else:
        order = page["columns"][column]
    return {**_board_args(page), "sort": column, "order": order}


def page_link_args(page: dict[str, Any], number: int) -> dict[str, Any]:
    """The query string of a link to page ``number`` of the same board and order."""
    return {**_board_args(page), "sort": page["sort"], "order": page["order"], "page": number}


def _board_args(page: dict[str, Any]) -> dict[str, Any]:
    """The board and its filters, which every sort and page link keeps."""
    filters = {key: page[key] for key in ("q", "staked") if page.get(key)}
    if page["view"] == ALL_TIME:
        return {"round": ALL_TIME, **filters}
    return {"round": page["round"], **filters} if page["round"] is not None else filters
