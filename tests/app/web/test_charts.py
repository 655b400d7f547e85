"""The server-rendered SVG charts: what they draw (bar counts, where the ln 2 and prize-cut
lines fall, which bars are green), what a screen reader hears (title and desc), and the
pages that show them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from app import store
from app.web import charts, svg_canvas
from app.web.chart_views import (
    era_scores_chart,
    history_charts,
    round_distribution_chart,
    submission_era_chart,
)
from client.core.money.units import NMR
from client.core.money.units import USD_UNIT as USD

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    """The chart as XML (it must be well formed to be parsed at all); of a page's pair of
    widths (charts.responsive), the wide one."""
    return pair(markup)[0]


def pair(markup) -> list[ET.Element]:
    """Every chart in ``markup``: one, or the wide and the narrow of a page's chart."""
    return list(ET.fromstring(f"<div>{markup}</div>"))


def texts(svg: ET.Element) -> list[str]:
    return [t.text for t in svg.iter(f"{SVG}text")]


def bars(svg: ET.Element, css: str | None = None) -> list[ET.Element]:
    rects = [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    return [r for r in rects if css is None or r.get("class") == css]


def test_every_chart_has_a_title_a_description_and_axis_labels():
    for chart, axes in (
        (charts.era_chart([("era1", 0.69, "validation"), ("era9", 0.70, "live")]), ("era", "logloss")),
        (charts.history_chart([3, 4], [0.69, 0.70]), ("tournament", "live logloss")),
        (charts.round_bars([3, 4], [0.0, 500.0], title="USD won", unit="USD", y_label="USD"), ("tournament", "USD")),
        (charts.trend_chart([3, 4], [("series-corr", "CORR", [0.01, None])], title="CORR", y_label="correlation"),
         ("tournament", "correlation")),
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
    left, width = svg_canvas.MARGIN_LEFT, svg_canvas.WIDE - svg_canvas.MARGIN_LEFT - svg_canvas.MARGIN_RIGHT
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
        {"round": 4, "live_logloss": 0.70, "round_usd": 0, "net_nmr": -5 * NMR, "corr": -0.01, "mmc": None, "stake_wei": 0},
        {"round": 3, "live_logloss": 0.69, "round_usd": 500 * USD, "net_nmr": 40 * NMR, "corr": 0.02, "mmc": 0.005,
         "stake_wei": 100 * NMR},
    ])
    logloss, trend, usd, nmr, staked = (parse(chart) for chart in history)
    assert [c.find(f"{SVG}title").text for c in logloss.iter(f"{SVG}circle")] == [
        "tournament 3: live logloss 0.69000", "tournament 4: live logloss 0.70000"]
    assert [c.find(f"{SVG}title").text for c in trend.iter(f"{SVG}circle")] == [
        "tournament 3: CORR 0.02000", "tournament 4: CORR -0.01000", "tournament 3: MMC 0.00500"]
    # One unit per chart: USD and NMR never share an axis.
    assert [b.find(f"{SVG}title").text for b in bars(usd)] == ["tournament 3: 500.00 USD", "tournament 4: 0.00 USD"]
    assert [b.find(f"{SVG}title").text for b in bars(nmr)] == ["tournament 3: 40.00 NMR", "tournament 4: -5.00 NMR"]
    assert [b.get("class") for b in bars(nmr)] == ["bar-good", "bar-bad"]
    assert [b.find(f"{SVG}title").text for b in bars(staked)] == ["tournament 3: 100.00 NMR", "tournament 4: 0.00 NMR"]
    assert [t.text for t in usd.iter(f"{SVG}text") if t.get("class") == "axis-label"] == ["tournament", "USD"]


def test_every_colour_a_chart_paints_is_in_its_legend():
    charts_drawn = [
        charts.era_chart([("era1", 0.690, "validation"), ("era2", 0.695, "live")]),
        charts.distribution_chart([0.680, 0.6931, 0.700]),
        charts.round_bars([1, 2], [5.0, -3.0], title="NMR", unit="NMR", y_label="NMR", signed=True),
        charts.round_bars([1, 2], [5.0, 3.0], title="USD", unit="USD", y_label="USD"),
        charts.trend_chart([1, 2], [("series-corr", "CORR", [0.1, 0.2]), ("series-mmc", "MMC", [0.0, None])],
                           title="CORR and MMC", y_label="correlation"),
    ]
    for chart in charts_drawn:
        svg = parse(chart)
        painted = {b.get("class") for b in bars(svg)} | {c.get("class") for c in svg.iter(f"{SVG}circle")}
        legend = {r.get("class") for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is None}
        assert painted and painted <= legend, (painted, legend)
    names = [t.text for t in parse(charts_drawn[1]).iter(f"{SVG}text") if t.get("class") == "legend"]
    assert names == ["under ln 2", "bin holding ln 2", "over ln 2"]  # the blue bar says what it is


def test_a_page_chart_comes_at_both_widths_with_its_own_ids():
    metrics = {"per_era": [{"era": f"era{i}", "logloss": 0.69 + i / 1000} for i in range(1, 13)]}
    wide, narrow = pair(submission_era_chart(metrics))
    assert (wide.get("viewBox"), narrow.get("viewBox")) == (f"0 0 {charts.WIDE} 260", f"0 0 {charts.NARROW} 260")
    assert "chart-wide" in wide.get("class") and "chart-narrow" in narrow.get("class")
    ids = [e.get("id") for svg in (wide, narrow) for e in svg.iter() if e.get("id")]
    assert len(ids) == len(set(ids)) == 4
    labels = [[t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "tick" and t.get("text-anchor") == "middle"]
              for svg in (wide, narrow)]
    # The narrow chart thins its era labels (40 units each, so they never overlap) and keeps the newest.
    assert labels[0] == [f"era{i}" for i in range(1, 13)]
    assert len(labels[1]) < 12 and labels[1][-1] == "era12"


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


def test_era_scores_chart_draws_each_live_eras_corr_mmc_and_fnc():
    score = {"round": 5, "era_scores": [
        {"era": "era3", "data_type": "validation", "corr": 0.5, "mmc": 0.5, "fnc": 0.5},
        {"era": "era9", "data_type": "live", "corr": 0.031, "mmc": -0.004, "fnc": None},
        {"era": "era10", "data_type": "live", "corr": -0.012, "mmc": 0.002, "fnc": 0.02}]}  # fmt: skip
    svg = parse(era_scores_chart(score))
    assert svg.find(f"{SVG}title").text == "CORR, MMC and FNC per era"
    assert [c.find(f"{SVG}title").text for c in svg.iter(f"{SVG}circle")] == [
        "era9: CORR 0.03100", "era10: CORR -0.01200", "era9: MMC -0.00400", "era10: MMC 0.00200", "era10: FNC 0.02000"]
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "legend"] == ["CORR", "MMC", "FNC"]
    assert str(era_scores_chart({"round": 5, "era_scores": []})) == ""  # a round resolved before era scores were kept
