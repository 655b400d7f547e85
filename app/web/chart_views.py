"""Which chart each page draws, from the view model the page already has: templates call
these (registered as template globals), so the JSON API never carries SVG.

- ``round_distribution_chart(page)``: a round's live logloss, ln 2 and the prize cut.
- ``history_charts(scores)``: a participant's live logloss and payouts across rounds.
- ``submission_era_chart(metrics, score)``: a submission's validation and live eras.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask
from markupsafe import Markup

from app.web import charts
from app.web.formatting import DECIMALS
from client.core.money.units import NMR


def round_distribution_chart(page: Mapping[str, Any]) -> Markup:
    """The distribution of live logloss on "Tournament N results", with the prize cut: the
    worst live logloss that still won a rank prize (the prize pools stop there)."""
    participants = page.get("participants") or []
    loglosses = [p.get("live_logloss") for p in participants]
    winners = [p for p in participants if p.get("prize_rank") and p.get("live_logloss") is not None]
    last = max(winners, key=lambda p: p["prize_rank"]) if winners else None
    return charts.distribution_chart(
        loglosses,
        cut=last["live_logloss"] if last else None,
        cut_label=f"prize cut (rank {last['prize_rank']})" if last else "",
        title=f"Live logloss in tournament {page['round']['number']}",
    )


def history_charts(scores: Sequence[Mapping[str, Any]]) -> list[Markup]:
    """Two charts of an account's scored rounds, oldest first: live logloss by round, and
    what each round paid (USD, and NMR earned minus burned). Empty without scores."""
    rows = sorted(scores, key=lambda s: s["round"])
    if not rows:
        return []
    numbers = [s["round"] for s in rows]
    usd = [int(s.get("round_usd") or 0) / 10 ** DECIMALS["usd"] for s in rows]
    nmr = [int(s.get("net_nmr") or 0) / NMR for s in rows]
    return [chart for chart in (
        charts.history_chart(numbers, [s.get("live_logloss") for s in rows]),
        charts.payout_chart(numbers, usd, nmr),
    ) if chart]  # fmt: skip


def submission_era_chart(metrics: Mapping[str, Any] | None, score: Mapping[str, Any] | None = None) -> Markup:
    """Logloss per era of one submission: its validation eras (from the upload's metrics)
    and, once the round is scored, its live eras (the score's eras that are not validation)."""
    validation = [(e["era"], e.get("logloss"), "validation") for e in (metrics or {}).get("per_era") or []]
    known = {name for name, _v, _k in validation}
    live = [(str(era), value, "live") for era, value in ((score or {}).get("per_era") or {}).items() if str(era) not in known]
    title = "Validation and live logloss per era" if live else "Validation logloss per era"
    return charts.era_chart(validation + live, title=title)


def register(app: Flask) -> None:
    """Make the chart builders above template globals."""
    app.add_template_global(round_distribution_chart)
    app.add_template_global(history_charts)
    app.add_template_global(submission_era_chart)
