"""Server-side SVG charts (no JavaScript, no CDN): per-era scores, a participant's rounds,
a round's distribution of live logloss.

Each chart is one ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (what a screen
reader says: the figures in words), axis labels, and colours only from CSS classes, so the
page's light or dark theme (static/style.css) paints it. Every function returns ``Markup``
(empty when there is nothing to draw); values are finite floats or None (skipped).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

LN2 = math.log(2.0)
WIDTH, HEIGHT = 640, 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 24, 30, 46
PLOT_W = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
PLOT_H = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
HISTOGRAM_BINS = 20
_MAX_X_LABELS = 16


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round values between ``low`` and ``high`` (inclusive)."""
    raw = (high - low) / count
    if raw <= 0 or not math.isfinite(raw):
        return [low]
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step)
    return [k * step for k in range(first, math.floor(high / step) + 1)]


def tick_format(ticks: Sequence[float], span: float) -> str:
    """A format with just enough decimals to tell ``ticks`` apart (``span``: without two ticks)."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else abs(span) or 1.0
    return f",.{max(0, -math.floor(math.log10(step)))}f"


def _finite(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


@dataclass
class _Canvas:
    """One chart being drawn: its y range, and the SVG parts so far."""

    title: str
    desc: str
    low: float
    high: float
    x_label: str
    y_label: str
    whole: bool = False  # counts: whole-number ticks only
    parts: list[str] = field(default_factory=list)

    @classmethod
    def spanning(cls, title: str, desc: str, points: list[float], x_label: str, y_label: str,
                 *, floor: float | None = None) -> _Canvas:
        """A canvas whose y axis spans ``points`` with a little room (from ``floor`` when given,
        so that bars of amounts start at zero)."""
        low, high = min(points), max(points)
        pad = max((high - low) * 0.12, 1e-4 if floor is None else 1.0)
        low = floor if floor is not None and floor <= low else low - pad
        return cls(title, desc, low, high + pad, x_label, y_label)

    def y(self, value: float) -> float:
        return MARGIN_TOP + PLOT_H * (self.high - value) / (self.high - self.low)

    def svg(self) -> Markup:
        """The finished chart: frame, y ticks, axis labels, then what was drawn."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")[:40] or "chart"
        head = [
            (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{slug}-title {slug}-desc">'),
            f'<title id="{slug}-title">{escape(self.title)}</title><desc id="{slug}-desc">{escape(self.desc)}</desc>',
            f'<text x="{MARGIN_LEFT}" y="18" class="chart-title" aria-hidden="true">{escape(self.title)}</text>',
        ]
        bottom = MARGIN_TOP + PLOT_H
        tick_format = self.tick_format()
        for tick in self.ticks():
            head.append(f'<line x1="{MARGIN_LEFT}" y1="{self.y(tick):.1f}" x2="{WIDTH - MARGIN_RIGHT}" '
                        f'y2="{self.y(tick):.1f}" class="grid"/>')
            head.append(f'<text x="{MARGIN_LEFT - 6}" y="{self.y(tick) + 4:.1f}" text-anchor="end" '
                        f'class="tick">{format(tick, tick_format)}</text>')
        head.append(f'<line x1="{MARGIN_LEFT}" y1="{MARGIN_TOP}" x2="{MARGIN_LEFT}" y2="{bottom}" class="axis"/>')
        head.append(f'<line x1="{MARGIN_LEFT}" y1="{bottom}" x2="{WIDTH - MARGIN_RIGHT}" y2="{bottom}" class="axis"/>')
        head.append(f'<text x="{MARGIN_LEFT + PLOT_W / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" '
                    f'class="axis-label">{escape(self.x_label)}</text>')
        head.append(f'<text transform="translate(14 {MARGIN_TOP + PLOT_H / 2:.1f}) rotate(-90)" text-anchor="middle" '
                    f'class="axis-label">{escape(self.y_label)}</text>')
        return Markup("".join(head + self.parts + ["</svg>"]))

    def ticks(self) -> list[float]:
        """Round values inside the y range (steps of 1, 2 or 5 times a power of ten)."""
        ticks = nice_ticks(self.low, self.high)
        return [t for t in ticks if t == int(t)] if self.whole else ticks

    def tick_format(self) -> str:
        """Just enough decimals to tell the y ticks apart."""
        return ",.0f" if self.whole else tick_format(self.ticks(), self.high - self.low)

    def horizontal(self, value: float, css: str, label: str) -> None:
        """A dashed line across the plot at ``value``, labelled at its right end."""
        y = self.y(value)
        self.parts.append(f'<line x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{WIDTH - MARGIN_RIGHT}" y2="{y:.1f}" class="{css}"/>')
        self.parts.append(f'<text x="{WIDTH - MARGIN_RIGHT - 4}" y="{y - 4:.1f}" text-anchor="end" '
                          f'class="marker-label">{escape(label)}</text>')

    def x_labels(self, labels: Sequence[str], centre: Callable[[int], float]) -> None:
        """Category labels under the plot, thinned to at most 16 so they never overlap."""
        every = max(1, math.ceil(len(labels) / _MAX_X_LABELS))
        for i, label in enumerate(labels):
            if i % every == 0:
                self.parts.append(f'<text x="{centre(i):.1f}" y="{MARGIN_TOP + PLOT_H + 16}" text-anchor="middle" '
                                  f'class="tick">{escape(label)}</text>')

    def legend(self, entries: Sequence[tuple[str, str]]) -> None:
        """Swatches with their names, top right."""
        x = WIDTH - MARGIN_RIGHT
        for css, name in reversed(entries):
            x -= 8 + 7 * len(name)
            self.parts.append(f'<rect x="{x:.0f}" y="9" width="10" height="10" class="{css}"/>'
                              f'<text x="{x + 14:.0f}" y="18" class="legend">{escape(name)}</text>')
            x -= 14


def era_bar_chart(
    labels: Sequence[str], values: Sequence[float | None], *, baseline: float | None = None, title: str = ""
) -> Markup:
    """A bar per era, with an optional horizontal baseline (ln 2); bars under it are green.

    The y axis spans the values and the baseline with a little room, so small differences
    around ln 2 stay visible."""
    return era_chart([(label, value, "validation") for label, value in zip(labels, values, strict=True)],
                     baseline=baseline, title=title)


def era_chart(eras: Sequence[tuple[str, float | None, str]], *, baseline: float | None = LN2,
              title: str = "Logloss per era") -> Markup:
    """Bars of logloss per era, each era ``(name, logloss, "validation" | "live")``: eras
    under ``baseline`` in green, over it in red; the live eras, after the validation ones,
    set apart by a labelled divider."""
    values = [value for _name, value, _kind in eras]
    finite = _finite(values)
    if not finite:
        return Markup("")
    kinds = {kind for _name, value, kind in eras if value is not None}
    beating = sum(1 for v in finite if baseline is not None and v < baseline)
    desc = (f"{len(finite)} eras ({', '.join(sorted(kinds))}); logloss from {min(finite):.4f} to {max(finite):.4f}"
            + (f"; {beating} of {len(finite)} under ln 2 = {baseline:.4f}" if baseline is not None else "") + ".")
    canvas = _Canvas.spanning(title, desc, finite + ([baseline] if baseline is not None else []), "era", "logloss")
    slot = PLOT_W / len(eras)
    for i, (name, value, kind) in enumerate(eras):
        if value is None or not math.isfinite(value):
            continue
        x = MARGIN_LEFT + i * slot + slot * 0.15
        top, bottom = sorted((canvas.y(value), canvas.y(canvas.low)))
        good = baseline is not None and value < baseline
        css = "bar-good" if good else "bar-bad"
        canvas.parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{slot * 0.7:.1f}" height="{bottom - top:.1f}" '
                            f'class="{css}"><title>{escape(name)} ({kind}): {value:.5f}</title></rect>')
    canvas.x_labels([name for name, _v, _k in eras], lambda i: MARGIN_LEFT + i * slot + slot / 2)
    if baseline is not None:
        canvas.horizontal(baseline, "baseline", "ln 2")
    first_live = next((i for i, (_n, _v, kind) in enumerate(eras) if kind == "live"), None)
    if first_live:  # validation eras first, then the live ones: a divider between them
        divider = MARGIN_LEFT + first_live * slot
        canvas.parts.append(f'<line x1="{divider:.1f}" y1="{MARGIN_TOP}" x2="{divider:.1f}" y2="{MARGIN_TOP + PLOT_H}" class="cut"/>')
        canvas.parts.append(f'<text x="{divider - 4:.1f}" y="{MARGIN_TOP + 12}" text-anchor="end" class="marker-label">validation</text>'
                            f'<text x="{divider + 4:.1f}" y="{MARGIN_TOP + 12}" class="marker-label">live</text>')
    return canvas.svg()


def history_chart(rounds: Sequence[int], loglosses: Sequence[float | None], *, title: str = "Live logloss by round") -> Markup:
    """A participant's live logloss over the rounds played: a line with a dot per round and
    the ln 2 line (under it, the round beat a coin flip)."""
    points = [(r, v) for r, v in zip(rounds, loglosses, strict=True) if v is not None and math.isfinite(v)]
    if not points:
        return Markup("")
    values = [v for _r, v in points]
    beating = sum(v < LN2 for v in values)
    desc = (f"{len(points)} rounds, tournament {points[0][0]} to {points[-1][0]}; live logloss from {min(values):.4f} "
            f"to {max(values):.4f}; {beating} of {len(points)} under ln 2.")
    canvas = _Canvas.spanning(title, desc, [*values, LN2], "tournament", "live logloss")
    step = PLOT_W / len(points)

    def x(i: int) -> float:
        return MARGIN_LEFT + step * (i + 0.5)

    path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{canvas.y(v):.1f}" for i, (_r, v) in enumerate(points))
    canvas.parts.append(f'<path d="{path}" class="series-live"/>')
    for i, (number, value) in enumerate(points):
        canvas.parts.append(f'<circle cx="{x(i):.1f}" cy="{canvas.y(value):.1f}" r="4" class="dot-live">'
                            f'<title>tournament {number}: {value:.5f}</title></circle>')
    canvas.x_labels([str(r) for r, _v in points], x)
    canvas.horizontal(LN2, "baseline", "ln 2")
    return canvas.svg()


def payout_chart(rounds: Sequence[int], usd: Sequence[float], nmr: Sequence[float], *,
                 title: str = "Paid per round") -> Markup:
    """Per round the USD paid (bars, left) and the net NMR (earned minus burned, bars
    beside them) on one axis of whole units; the description lists both totals."""
    if not rounds:
        return Markup("")
    desc = (f"{len(rounds)} rounds; ${sum(usd):,.2f} and {sum(nmr):,.2f} NMR (net) in all; the best round paid "
            f"${max(usd):,.2f}.")
    points = [*usd, *nmr, 0.0]
    canvas = _Canvas.spanning(title, desc, points, "tournament", "USD · NMR", floor=min(0.0, min(points)))
    slot = PLOT_W / len(rounds)
    zero = canvas.y(0.0)
    for i, number in enumerate(rounds):
        for offset, value, css, unit in ((0.1, usd[i], "bar-neutral", "USD"), (0.5, nmr[i], "bar-good" if nmr[i] >= 0 else "bar-bad", "NMR")):
            top, bottom = sorted((canvas.y(value), zero))
            canvas.parts.append(f'<rect x="{MARGIN_LEFT + slot * (i + offset):.1f}" y="{top:.1f}" width="{slot * 0.38:.1f}" '
                                f'height="{max(bottom - top, 0.5):.1f}" class="{css}"><title>tournament {number}: '
                                f'{value:,.2f} {unit}</title></rect>')
    canvas.x_labels([str(r) for r in rounds], lambda i: MARGIN_LEFT + slot * (i + 0.5))
    canvas.legend([("bar-neutral", "USD"), ("bar-good", "NMR")])
    return canvas.svg()


def distribution_chart(loglosses: Sequence[float | None], *, cut: float | None = None, cut_label: str = "",
                       title: str = "Live logloss of the round") -> Markup:
    """A histogram of the round's live logloss with the ln 2 line (left of it: better than
    a coin flip) and, when given, a ``cut`` line (the worst logloss that still won a prize)."""
    values = _finite(loglosses)
    if not values:
        return Markup("")
    low, high = min([*values, LN2] + ([cut] if cut is not None else [])), max([*values, LN2])
    span = max(high - low, 1e-3)
    low, high = low - span * 0.05, high + span * 0.05
    width = (high - low) / HISTOGRAM_BINS
    counts = [0] * HISTOGRAM_BINS
    for v in values:
        counts[min(int((v - low) / width), HISTOGRAM_BINS - 1)] += 1
    beating = sum(v < LN2 for v in values)
    desc = (f"{len(values)} participants; live logloss from {min(values):.4f} to {max(values):.4f}; {beating} under "
            f"ln 2" + (f"; {cut_label} at {cut:.4f}" if cut is not None else "") + ".")
    canvas = _Canvas(title, desc, 0.0, max(counts) * 1.15, "live logloss", "participants", whole=True)

    def x(value: float) -> float:
        return MARGIN_LEFT + PLOT_W * (value - low) / (high - low)

    for k, count in enumerate(counts):
        if count:
            left = low + k * width
            css = "bar-good" if left + width <= LN2 else "bar-bad" if left >= LN2 else "bar-neutral"
            canvas.parts.append(f'<rect x="{x(left) + 1:.1f}" y="{canvas.y(count):.1f}" width="{x(left + width) - x(left) - 2:.1f}" '
                                f'height="{canvas.y(0) - canvas.y(count):.1f}" class="{css}"><title>{left:.4f} to '
                                f'{left + width:.4f}: {count}</title></rect>')
    for value, css, label in ((LN2, "baseline", "ln 2"), *(((cut, "cut", cut_label),) if cut is not None else ())):
        canvas.parts.append(f'<line x1="{x(value):.1f}" y1="{MARGIN_TOP}" x2="{x(value):.1f}" y2="{MARGIN_TOP + PLOT_H}" class="{css}"/>')
        anchor = "start" if css == "baseline" else "end"
        canvas.parts.append(f'<text x="{x(value) + (4 if anchor == "start" else -4):.1f}" y="{MARGIN_TOP + 12}" '
                            f'text-anchor="{anchor}" class="marker-label">{escape(label)}</text>')
    x_ticks = nice_ticks(low, high)
    for value in x_ticks:
        canvas.parts.append(f'<text x="{x(value):.1f}" y="{MARGIN_TOP + PLOT_H + 16}" text-anchor="middle" '
                            f'class="tick">{format(value, tick_format(x_ticks, high - low))}</text>')
    return canvas.svg()
