"""Which chart each page draws, from the view model the page already has: templates call
these (registered as template globals), so the JSON API never carries SVG. Each chart
comes at both widths (charts.responsive): the page shows the one that fits.

- ``round_distribution_chart(page)``: a round's live logloss, ln 2 and the prize cut.
- ``history_charts(scores)``: a model's live logloss, CORR and MMC, payouts and stakes by round.
- ``submission_era_chart(metrics, score)``: a submission's validation and live eras.
- ``era_scores_chart(score)``: a scored round's CORR, MMC and FNC per live era.
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
    return charts.responsive(lambda width: charts.distribution_chart(
        loglosses,
        cut=last["live_logloss"] if last else None,
        cut_label=f"prize cut (rank {last['prize_rank']})" if last else "",
        title=f"Live logloss in tournament {page['round']['number']}",
        width=width,
    ))


def history_charts(scores: Sequence[Mapping[str, Any]]) -> list[Markup]:
    """The charts of a model's scored rounds, oldest first, one unit each: live logloss,
    CORR and MMC, USD won, NMR earned minus burned, and NMR staked. Empty without scores."""
    rows = sorted(scores, key=lambda s: s["round"])
    if not rows:
        return []
    numbers = [s["round"] for s in rows]
    usd = [int(s.get("round_usd") or 0) / 10 ** DECIMALS["usd"] for s in rows]
    nmr = [int(s.get("net_nmr") or 0) / NMR for s in rows]
    staked = [int(s.get("stake_wei") or 0) / NMR for s in rows]
    drawings = [
        lambda width: charts.history_chart(numbers, [s.get("live_logloss") for s in rows], width=width),
        lambda width: charts.trend_chart(numbers, [("series-corr", "CORR", [s.get("corr") for s in rows]),
                                                   ("series-mmc", "MMC", [s.get("mmc") for s in rows])],
                                         title="CORR and MMC by round", y_label="correlation",
                                         baseline=(0.0, "0"), width=width),
        lambda width: charts.round_bars(numbers, usd, title="USD won by round", unit="USD", y_label="USD",
                                        width=width),
        lambda width: charts.round_bars(numbers, nmr, title="NMR earned or burned by round", unit="NMR",
                                        y_label="NMR", signed=True, width=width),
    ]
    if any(staked):
        drawings.append(lambda width: charts.round_bars(numbers, staked, title="NMR staked by round", unit="NMR",
                                                        y_label="NMR staked", width=width))
    return [chart for chart in map(charts.responsive, drawings) if chart]


def era_scores_chart(score: Mapping[str, Any] | None) -> Markup:
    """CORR, MMC and FNC per live era of one scored round (the score's ``era_scores``, stored
    at resolution), on one axis: all three are correlations."""
    eras = [e for e in (score or {}).get("era_scores") or [] if e.get("data_type", "live") == "live"]
    if not eras:
        return Markup("")
    labels = [str(e["era"]) for e in eras]
    series = [(f"series-{metric}", metric.upper(), [e.get(metric) for e in eras]) for metric in ("corr", "mmc", "fnc")]
    return charts.responsive(lambda width: charts.trend_chart(
        labels, series, title="CORR, MMC and FNC per era", y_label="correlation",
        x_label="era", baseline=(0.0, "0"), width=width))


def submission_era_chart(metrics: Mapping[str, Any] | None, score: Mapping[str, Any] | None = None) -> Markup:
    """Logloss per era of one submission: its validation eras (from the upload's metrics)
    and, once the round is scored, its live eras (the score's eras that are not validation)."""
    validation = [(e["era"], e.get("logloss"), "validation") for e in (metrics or {}).get("per_era") or []]
    known = {name for name, _v, _k in validation}
    live = [(str(era), value, "live") for era, value in ((score or {}).get("per_era") or {}).items() if str(era) not in known]
    title = "Validation and live logloss per era" if live else "Validation logloss per era"
    return charts.responsive(lambda width: charts.era_chart(validation + live, title=title, width=width))


def register(app: Flask) -> None:
    """Make the chart builders above template globals."""
    app.add_template_global(round_distribution_chart)
    app.add_template_global(history_charts)
    app.add_template_global(submission_era_chart)
    app.add_template_global(era_scores_chart)
