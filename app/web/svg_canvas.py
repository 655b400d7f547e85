"""The drawing surface of the server-side SVG charts (app/web/charts.py): a plot area with a
y axis of round ticks, axis labels, a title, a legend row, and the SVG markup.

A chart is drawn at one of two widths in user units: ``WIDE`` for screens over 600 px and
``NARROW`` for phones. The browser scales a chart to its box; drawing a narrow one for phones
(instead of shrinking the wide one) is what keeps its text at 10 px or more on a 360 px
screen, where a 640-unit chart would be drawn at half size. Colours come only from CSS
classes (static/style.css), so the page's light or dark theme paints the chart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

WIDE, NARROW = 640, 340
HEIGHT = 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_BOTTOM = 64, 24, 46
TITLE_ROW = 30  # the title's row above the plot
LEGEND_ROW = 18  # one more row for the legend, when a chart has one
LABEL_SPACING = 40  # user units per x label, so that category labels never overlap
CHAR_WIDTH = 7.2  # a 12-unit label's mean advance per character (system-ui), for the legend's layout


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


def finite(values: Sequence[float | None]) -> list[float]:
    """The values that can be drawn (not None, not NaN or infinite)."""
    return [v for v in values if v is not None and math.isfinite(v)]


@dataclass
class Canvas:
    """One chart being drawn: its width, its y range, its legend, and the SVG parts so far."""

    title: str
    desc: str
    low: float
    high: float
    x_label: str
    y_label: str
    width: int = WIDE
    legend: Sequence[tuple[str, str]] = ()  # (css class, name) per colour
    whole: bool = False  # counts: whole-number ticks only
    parts: list[str] = field(default_factory=list)

    @classmethod
    def spanning(cls, title: str, desc: str, points: list[float], x_label: str, y_label: str, *,
                 width: int = WIDE, legend: Sequence[tuple[str, str]] = (), floor: float | None = None) -> Canvas:
        """A canvas whose y axis spans ``points`` with a little room (from ``floor`` when given,
        so that bars of amounts start at zero)."""
        low, high = min(points), max(points)
        pad = max((high - low) * 0.12, 1e-4 if floor is None else 1.0)
        low = floor if floor is not None and floor <= low else low - pad
        return cls(title, desc, low, high + pad, x_label, y_label, width=width, legend=legend)

    @property
    def top(self) -> float:
        """Where the plot starts: under the title, and under the legend when there is one."""
        return TITLE_ROW + (LEGEND_ROW if self.legend else 0)

    @property
    def plot_width(self) -> float:
        return self.width - MARGIN_LEFT - MARGIN_RIGHT

    @property
    def plot_height(self) -> float:
        return HEIGHT - self.top - MARGIN_BOTTOM

    @property
    def right(self) -> float:
        return self.width - MARGIN_RIGHT

    @property
    def bottom(self) -> float:
        return self.top + self.plot_height

    def y(self, value: float) -> float:
        return self.top + self.plot_height * (self.high - value) / (self.high - self.low)

    def slot(self, count: int) -> float:
        """The width of one of ``count`` categories side by side across the plot."""
        return self.plot_width / max(count, 1)

    def svg(self) -> Markup:
        """The finished chart: frame, y ticks, axis labels, legend, then what was drawn."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")[:40] or "chart"
        slug = f"{slug}-{self.width}"  # a page holds both widths: ids stay unique
        variant = "chart-wide" if self.width == WIDE else "chart-narrow"
        head = [
            (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {variant}" viewBox="0 0 {self.width} {HEIGHT}" '
             f'role="img" aria-labelledby="{slug}-title {slug}-desc">'),
            f'<title id="{slug}-title">{escape(self.title)}</title><desc id="{slug}-desc">{escape(self.desc)}</desc>',
            f'<text x="{MARGIN_LEFT}" y="19" class="chart-title" aria-hidden="true">{escape(self.title)}</text>',
        ]
        ticks, form = self.ticks(), self.tick_format()
        for tick in ticks:
            head.append(f'<line x1="{MARGIN_LEFT}" y1="{self.y(tick):.1f}" x2="{self.right}" '
                        f'y2="{self.y(tick):.1f}" class="grid"/>')
            head.append(f'<text x="{MARGIN_LEFT - 6}" y="{self.y(tick) + 4:.1f}" text-anchor="end" '
                        f'class="tick">{format(tick, form)}</text>')
        head.append(f'<line x1="{MARGIN_LEFT}" y1="{self.top}" x2="{MARGIN_LEFT}" y2="{self.bottom}" class="axis"/>')
        head.append(f'<line x1="{MARGIN_LEFT}" y1="{self.bottom}" x2="{self.right}" y2="{self.bottom}" class="axis"/>')
        head.append(f'<text x="{MARGIN_LEFT + self.plot_width / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
                    f'class="axis-label">{escape(self.x_label)}</text>')
        head.append(f'<text transform="translate(16 {self.top + self.plot_height / 2:.1f}) rotate(-90)" '
                    f'text-anchor="middle" class="axis-label">{escape(self.y_label)}</text>')
        head += self._legend()
        return Markup("".join(head + self.parts + ["</svg>"]))

    def _legend(self) -> list[str]:
        """A swatch and a name per colour, left to right on the row under the title."""
        parts, x = [], float(MARGIN_LEFT)
        for css, name in self.legend:
            parts.append(f'<rect x="{x:.0f}" y="{TITLE_ROW - 2}" width="10" height="10" class="{css}"/>'
                         f'<text x="{x + 14:.0f}" y="{TITLE_ROW + 8}" class="legend">{escape(name)}</text>')
            x += 14 + CHAR_WIDTH * len(name) + 12
        return parts

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
        self.parts.append(f'<line x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{self.right}" y2="{y:.1f}" class="{css}"/>')
        self.parts.append(f'<text x="{self.right - 4}" y="{y - 4:.1f}" text-anchor="end" '
                          f'class="marker-label">{escape(label)}</text>')

    def x_labels(self, labels: Sequence[str], centre: Callable[[int], float]) -> None:
        """Category labels under the plot, thinned so that they never overlap (the last one
        always shown: the newest round is the one a reader looks for)."""
        most = max(2, int(self.plot_width // LABEL_SPACING))
        every = max(1, math.ceil(len(labels) / most))
        last = len(labels) - 1
        for i, label in enumerate(labels):
            if (i % every == 0 and last - i >= every) or i == last:
                self.parts.append(f'<text x="{centre(i):.1f}" y="{self.bottom + 17}" text-anchor="middle" '
                                  f'class="tick">{escape(label)}</text>')
