"""Server-side SVG charts (no JavaScript, no CDN): per-era scores, a model's rounds (live
logloss, CORR and MMC, USD paid, NMR earned or burned, NMR staked), a round's distribution
of live logloss.

Each chart is one ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (what a screen
reader says: the figures in words), axis labels, one unit per y axis, and a legend entry for
every colour it paints. Every function takes ``width`` (app/web/svg_canvas.py: ``WIDE`` or
``NARROW``) and returns ``Markup`` (empty when there is nothing to draw); values are finite
floats or None (skipped). :func:`responsive` puts both widths on the page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from app.web.svg_canvas import (
    MARGIN_LEFT,
    NARROW,
    WIDE,
    Canvas,
    finite,
    nice_ticks,
    tick_format,
)

LN2 = math.log(2.0)
HISTOGRAM_BINS = 20
# What the green and red of logloss mean (under ln 2: better than a coin flip).
LOGLOSS_LEGEND = (("bar-good", "under ln 2"), ("bar-bad", "over ln 2"))


def responsive(draw: Callable[[int], Markup]) -> Markup:
    """The chart ``draw(width)`` at both widths: the wide one for screens over 600 px, the
    narrow one for phones (static/style.css shows one of them)."""
    wide = draw(WIDE)
    return Markup(wide + draw(NARROW)) if wide else wide


def era_bar_chart(labels: Sequence[str], values: Sequence[float | None], *, baseline: float | None = None,
                  title: str = "", width: int = WIDE) -> Markup:
    """A bar per era, with an optional horizontal baseline (ln 2); bars under it are green.

    The y axis spans the values and the baseline with a little room, so small differences
    around ln 2 stay visible."""
    return era_chart([(label, value, "validation") for label, value in zip(labels, values, strict=True)],
                     baseline=baseline, title=title, width=width)


def era_chart(eras: Sequence[tuple[str, float | None, str]], *, baseline: float | None = LN2,
              title: str = "Logloss per era", width: int = WIDE) -> Markup:
    """Bars of logloss per era, each era ``(name, logloss, "validation" | "live")``: eras
    under ``baseline`` in green, over it in red; the live eras, after the validation ones,
    set apart by a labelled divider."""
    values = [value for _name, value, _kind in eras]
    drawn = finite(values)
    if not drawn:
        return Markup("")
    kinds = {kind for _name, value, kind in eras if value is not None}
    beating = sum(1 for v in drawn if baseline is not None and v < baseline)
    desc = (f"{len(drawn)} eras ({', '.join(sorted(kinds))}); logloss from {min(drawn):.4f} to {max(drawn):.4f}"
            + (f"; {beating} of {len(drawn)} under ln 2 = {baseline:.4f}" if baseline is not None else "") + ".")
    legend = LOGLOSS_LEGEND if baseline is not None else (("bar-bad", "logloss"),)
    canvas = Canvas.spanning(title, desc, drawn + ([baseline] if baseline is not None else []), "era", "logloss",
                             width=width, legend=legend)
    slot = canvas.slot(len(eras))
    for i, (name, value, kind) in enumerate(eras):
        if value is None or not math.isfinite(value):
            continue
        x = MARGIN_LEFT + i * slot + slot * 0.15
        top, bottom = sorted((canvas.y(value), canvas.y(canvas.low)))
        css = "bar-good" if baseline is not None and value < baseline else "bar-bad"
        canvas.parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{slot * 0.7:.1f}" height="{bottom - top:.1f}" '
                            f'class="{css}"><title>{escape(name)} ({kind}): {value:.5f}</title></rect>')
    canvas.x_labels([name for name, _v, _k in eras], lambda i: MARGIN_LEFT + i * slot + slot / 2)
    if baseline is not None:
        canvas.horizontal(baseline, "baseline", "ln 2")
    first_live = next((i for i, (_n, _v, kind) in enumerate(eras) if kind == "live"), None)
    if first_live:  # validation eras first, then the live ones: a divider between them
        divider = MARGIN_LEFT + first_live * slot
        canvas.parts.append(f'<line x1="{divider:.1f}" y1="{canvas.top}" x2="{divider:.1f}" y2="{canvas.bottom}" class="cut"/>')
        # Each side's word sits on its side of the divider, unless that side is too narrow for it.
        left_anchor = "end" if divider - MARGIN_LEFT > 80 else "start"
        canvas.parts.append(f'<text x="{divider + (-4 if left_anchor == "end" else 4):.1f}" y="{canvas.top + 13}" '
                            f'text-anchor="{left_anchor}" class="marker-label">{"validation" if left_anchor == "end" else "live →"}</text>')
        if left_anchor == "end":
            canvas.parts.append(f'<text x="{divider + 4:.1f}" y="{canvas.top + 13}" class="marker-label">live</text>')
    return canvas.svg()


def history_chart(rounds: Sequence[int], loglosses: Sequence[float | None], *, title: str = "Live logloss by round",
                  width: int = WIDE) -> Markup:
    """A model's live logloss over the rounds played: a line with a dot per round and the
    ln 2 line (under it, the round beat a coin flip)."""
    return trend_chart(rounds, [("series-live", "live logloss", loglosses)], title=title, y_label="live logloss",
                       baseline=(LN2, "ln 2"), width=width)


def trend_chart(rounds: Sequence[int | str], series: Sequence[tuple[str, str, Sequence[float | None]]], *,
                title: str, y_label: str, x_label: str = "tournament", baseline: tuple[float, str] | None = None,
                width: int = WIDE) -> Markup:
    """Lines over the rounds (or eras: ``x_label="era"``), one per ``(css, name, values)`` of
    the same unit (a value per round, None where the round has none), each in the legend;
    ``baseline``: a labelled dashed line (``(value, label)``)."""
    drawn = [(css, name, [(i, v) for i, v in enumerate(values) if v is not None and math.isfinite(v)])
             for css, name, values in series]
    drawn = [(css, name, points) for css, name, points in drawn if points]
    if not drawn:
        return Markup("")
    every = [v for _c, _n, points in drawn for _i, v in points]
    desc = "; ".join(f"{name} from {min(v for _i, v in points):.4f} to {max(v for _i, v in points):.4f} over "
                     f"{len(points)} rounds" for _c, name, points in drawn)
    desc = f"{x_label.capitalize()} {rounds[0]} to {rounds[-1]}: {desc}.".replace(" rounds", f" {x_label}s")

    def point(label: int | str) -> str:  # "tournament 3", or an era's own name ("era5")
        return str(label) if str(label).startswith(x_label) else f"{x_label} {label}"

    canvas = Canvas.spanning(title, desc, [*every, *([baseline[0]] if baseline else [])], x_label, y_label,
                             width=width, legend=[(css.replace("series-", "dot-"), name) for css, name, _p in drawn])
    step = canvas.slot(len(rounds))

    def x(i: int) -> float:
        return MARGIN_LEFT + step * (i + 0.5)

    if baseline:
        canvas.horizontal(baseline[0], "baseline", baseline[1])
    for css, name, points in drawn:
        path = " ".join(f"{'M' if k == 0 else 'L'}{x(i):.1f},{canvas.y(v):.1f}" for k, (i, v) in enumerate(points))
        canvas.parts.append(f'<path d="{path}" class="{css}"/>')
        for i, value in points:
            canvas.parts.append(f'<circle cx="{x(i):.1f}" cy="{canvas.y(value):.1f}" r="4" class="{css.replace("series-", "dot-")}">'
                                f'<title>{point(rounds[i])}: {name} {value:.5f}</title></circle>')
    canvas.x_labels([str(r) for r in rounds], x)
    return canvas.svg()


def round_bars(rounds: Sequence[int], values: Sequence[float], *, title: str, unit: str, y_label: str,
               signed: bool = False, width: int = WIDE) -> Markup:
    """A bar per round of one amount in ``unit`` (USD paid, NMR staked); ``signed``: green
    above zero and red below (NMR earned minus burned), else one colour. The y axis starts
    at zero, and the legend names each colour drawn."""
    if not rounds:
        return Markup("")
    total = sum(values)
    desc = (f"{len(rounds)} rounds, tournament {rounds[0]} to {rounds[-1]}; {total:,.2f} {unit} in all; "
            f"from {min(values):,.2f} to {max(values):,.2f} {unit} a round.")

    def colour(value: float) -> str:
        return ("bar-good" if value >= 0 else "bar-bad") if signed else "bar-neutral"

    names = {"bar-good": f"{unit} earned", "bar-bad": f"{unit} burned", "bar-neutral": unit}
    legend = [(css, names[css]) for css in ("bar-neutral", "bar-good", "bar-bad") if any(colour(v) == css for v in values)]
    points = [*values, 0.0]
    canvas = Canvas.spanning(title, desc, points, "tournament", y_label, width=width, legend=legend,
                             floor=min(0.0, min(points)))
    slot = canvas.slot(len(rounds))
    zero = canvas.y(0.0)
    for i, (number, value) in enumerate(zip(rounds, values, strict=True)):
        top, bottom = sorted((canvas.y(value), zero))
        canvas.parts.append(f'<rect x="{MARGIN_LEFT + slot * (i + 0.15):.1f}" y="{top:.1f}" width="{slot * 0.7:.1f}" '
                            f'height="{max(bottom - top, 0.5):.1f}" class="{colour(value)}"><title>tournament {number}: '
                            f'{value:,.2f} {unit}</title></rect>')
    canvas.x_labels([str(r) for r in rounds], lambda i: MARGIN_LEFT + slot * (i + 0.5))
    return canvas.svg()


def distribution_chart(loglosses: Sequence[float | None], *, cut: float | None = None, cut_label: str = "",
                       title: str = "Live logloss of the round", width: int = WIDE) -> Markup:
    """A histogram of the round's live logloss with the ln 2 line (left of it: better than
    a coin flip) and, when given, a ``cut`` line (the worst logloss that still won a prize).
    A bar is green under ln 2, red over it, and blue when its bin holds ln 2 itself."""
    values = finite(loglosses)
    if not values:
        return Markup("")
    low, high = min([*values, LN2] + ([cut] if cut is not None else [])), max([*values, LN2])
    span = max(high - low, 1e-3)
    low, high = low - span * 0.05, high + span * 0.05
    bin_width = (high - low) / HISTOGRAM_BINS
    counts = [0] * HISTOGRAM_BINS
    for v in values:
        counts[min(int((v - low) / bin_width), HISTOGRAM_BINS - 1)] += 1

    def colour(k: int) -> str:
        left = low + k * bin_width
        return "bar-good" if left + bin_width <= LN2 else "bar-bad" if left >= LN2 else "bar-neutral"

    painted = {colour(k) for k, count in enumerate(counts) if count}
    names = {"bar-good": "under ln 2", "bar-neutral": "bin holding ln 2", "bar-bad": "over ln 2"}
    beating = sum(v < LN2 for v in values)
    desc = (f"{len(values)} participants; live logloss from {min(values):.4f} to {max(values):.4f}; {beating} under "
            f"ln 2" + (f"; {cut_label} at {cut:.4f}" if cut is not None else "") + ".")
    canvas = Canvas(title, desc, 0.0, max(counts) * 1.15, "live logloss", "participants", width=width, whole=True,
                    legend=[(css, names[css]) for css in names if css in painted])

    def x(value: float) -> float:
        return MARGIN_LEFT + canvas.plot_width * (value - low) / (high - low)

    for k, count in enumerate(counts):
        if count:
            left = low + k * bin_width
            canvas.parts.append(f'<rect x="{x(left) + 1:.1f}" y="{canvas.y(count):.1f}" width="{x(left + bin_width) - x(left) - 2:.1f}" '
                                f'height="{canvas.y(0) - canvas.y(count):.1f}" class="{colour(k)}"><title>{left:.4f} to '
                                f'{left + bin_width:.4f}: {count}</title></rect>')
    # ln 2 is labelled on its right, the cut (never right of the best prize) on its left; a
    # second row keeps the two labels apart when the lines are close.
    for row, (value, css, label) in enumerate(((LN2, "baseline", "ln 2"), *(((cut, "cut", cut_label),) if cut is not None else ()))):
        canvas.parts.append(f'<line x1="{x(value):.1f}" y1="{canvas.top}" x2="{x(value):.1f}" y2="{canvas.bottom}" class="{css}"/>')
        anchor = "start" if css == "baseline" else "end"
        if anchor == "end" and x(value) - MARGIN_LEFT < 7 * len(label):
            anchor = "start"  # no room left of the line: the label goes right of it
        canvas.parts.append(f'<text x="{x(value) + (4 if anchor == "start" else -4):.1f}" y="{canvas.top + 13 + 15 * row}" '
                            f'text-anchor="{anchor}" class="marker-label">{escape(label)}</text>')
    x_ticks = nice_ticks(low, high, 4 if width == WIDE else 2)
    for value in x_ticks:
        canvas.parts.append(f'<text x="{x(value):.1f}" y="{canvas.bottom + 17}" text-anchor="middle" '
                            f'class="tick">{format(value, tick_format(x_ticks, high - low))}</text>')
    return canvas.svg()
