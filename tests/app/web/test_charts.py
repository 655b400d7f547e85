"""The server-rendered SVG charts: what they draw (bar counts, where the ln 2 and prize-cut
lines fall, which bars are green), what a screen reader hears (title and desc), and the
pages that show them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from app import store
from app.web import charts
from app.web.chart_views import (
    history_charts,
    round_distribution_chart,
    submission_era_chart,
)
from client.core.money.units import NMR
from client.core.money.units import USD_UNIT as USD

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    """The chart as XML (it must be well formed to be parsed at all)."""
    return ET.fromstring(str(markup))


def texts(svg: ET.Element) -> list[str]:
    return [t.text for t in svg.iter(f"{SVG}text")]


def bars(svg: ET.Element, css: str | None = None) -> list[ET.Element]:
    rects = [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    return [r for r in rects if css is None or r.get("class") == css]


def test_every_chart_has_a_title_a_description_and_axis_labels():
    for chart, axes in (
        (charts.era_chart([("era1", 0.69, "validation"), ("era9", 0.70, "live")]), ("era", "logloss")),
        (charts.history_chart([3, 4], [0.69, 0.70]), ("tournament", "live logloss")),
        (charts.payout_chart([3, 4], [0.0, 500.0], [-5.0, 40.0]), ("tournament", "USD · NMR")),
        (charts.distribution_chart([0.68, 0.70]), ("live logloss", "participants")),
    ):
        svg = parse(chart)
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert svg.get("role") == "img" and svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text and desc.text.endswith(".")
        labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "axis-label"]
        assert labels == list(axes)
        assert "style=" not in str(chart) and "fill=" not in str(chart)  # colours come from the theme's CSS


def test_era_chart_colours_eras_by_ln2_and_divides_validation_from_live():
    svg = parse(charts.era_chart([("era1", 0.690, "validation"), ("era2", 0.695, "validation"), ("era9", 0.689, "live")]))
    assert [b.find(f"{SVG}title").text for b in bars(svg, "bar-good")] == ["era1 (validation): 0.69000", "era9 (live): 0.68900"]
    assert [b.find(f"{SVG}title").text for b in bars(svg, "bar-bad")] == ["era2 (validation): 0.69500"]
    assert "validation" in texts(svg) and "live" in texts(svg) and "ln 2" in texts(svg)
    assert svg.find(f"{SVG}desc").text == "3 eras (live, validation); logloss from 0.6890 to 0.6950; 2 of 3 under ln 2 = 0.6931."


def test_distribution_counts_every_participant_and_marks_ln2_and_the_cut():
    values = [0.680, 0.685, 0.690, 0.6925, 0.700, 0.705, None]
    svg = parse(charts.distribution_chart(values, cut=0.690, cut_label="prize cut (rank 3)"))
    counts = [int(b.find(f"{SVG}title").text.rsplit(": ", 1)[1]) for b in bars(svg)]
    assert sum(counts) == 6  # None is no participant's logloss
    lines = {line.get("class"): float(line.get("x1")) for line in svg.iter(f"{SVG}line") if line.get("class") in ("baseline", "cut")}
    # low/high padded by 5% of the span (0.680 .. 0.705): x of a value is linear in it.
    low, high = 0.680 - 0.025 * 0.05, 0.705 + 0.025 * 0.05
    left, width = charts.MARGIN_LEFT, charts.PLOT_W
    assert lines["baseline"] == pytest.approx(left + width * (charts.LN2 - low) / (high - low), abs=0.06)
    assert lines["cut"] == pytest.approx(left + width * (0.690 - low) / (high - low), abs=0.06)
    assert "prize cut (rank 3)" in texts(svg)
    assert svg.find(f"{SVG}desc").text == "6 participants; live logloss from 0.6800 to 0.7050; 4 under ln 2; prize cut (rank 3) at 0.6900."
    y_ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "tick" and t.get("text-anchor") == "end"]
    assert all(re.fullmatch(r"\d+", tick) for tick in y_ticks)  # counts are whole


def test_nothing_to_draw_is_no_chart():
    assert str(charts.era_chart([("era1", None, "validation")])) == ""
    assert str(charts.history_chart([1], [None])) == ""
    assert str(charts.distribution_chart([])) == ""
    assert history_charts([]) == []


def test_nice_ticks_are_round_numbers_inside_the_range():
    assert charts.nice_ticks(0.6874, 0.7006) == pytest.approx([0.69, 0.695, 0.70])
    assert charts.nice_ticks(-5.0, 560.0) == [0, 200, 400]
    assert charts.nice_ticks(1.0, 1.0) == [1.0]


def test_views_pick_the_prize_cut_and_the_live_eras():
    page = {"round": {"number": 9}, "participants": [
        {"live_logloss": 0.68, "prize_rank": 1}, {"live_logloss": 0.685, "prize_rank": 2},
        {"live_logloss": 0.70, "prize_rank": None}, {"live_logloss": None, "prize_rank": None}]}  # fmt: skip
    svg = parse(round_distribution_chart(page))
    assert svg.find(f"{SVG}title").text == "Live logloss in tournament 9" and "prize cut (rank 2)" in texts(svg)
    metrics = {"per_era": [{"era": "era4", "logloss": 0.69}, {"era": "era5", "logloss": 0.70}]}
    both = parse(submission_era_chart(metrics, {"per_era": {"era4": 0.69, "era5": 0.70, "era7": 0.68}}))
    assert [b.find(f"{SVG}title").text.split(":")[0] for b in bars(both)] == ["era4 (validation)", "era5 (validation)", "era7 (live)"]
    history = history_charts([
        {"round": 4, "live_logloss": 0.70, "round_usd": 0, "net_nmr": -5 * NMR},
        {"round": 3, "live_logloss": 0.69, "round_usd": 500 * USD, "net_nmr": 40 * NMR},
    ])
    logloss, paid = (parse(chart) for chart in history)
    assert [c.find(f"{SVG}title").text for c in logloss.iter(f"{SVG}circle")] == ["tournament 3: 0.69000", "tournament 4: 0.70000"]
    assert [b.find(f"{SVG}title").text for b in bars(paid)] == [
        "tournament 3: 500.00 USD", "tournament 3: 40.00 NMR", "tournament 4: 0.00 USD", "tournament 4: -5.00 NMR"]
    assert [b.get("class") for b in bars(paid)][1::2] == ["bar-good", "bar-bad"]


def test_round_results_page_shows_the_distribution(client, app):
    with app.app_context():
        store.set_round_status(7, "closed")
        store.save_scores(7, [
            {"address": "0x" + f"{i + 1:040x}", "live_logloss": 0.68 + i * 0.005, "prize_rank": i + 1 if i < 2 else None}
            for i in range(5)
        ])
        store.set_round_status(7, "resolved", resolved_at=datetime(2017, 6, 15, 18, tzinfo=UTC))
    html = client.get("/rounds/7").get_data(as_text=True)
    figure = re.search(r'<figure class="chart-figure" id="logloss-distribution" tabindex="0">(<svg.*?</svg>)', html, re.DOTALL).group(1)
    assert "prize cut (rank 2)" in figure and "5 participants" in parse(figure).find(f"{SVG}desc").text
