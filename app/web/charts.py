"""Server-side SVG charts (no JavaScript, no CDN): a picture of per-era scores."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

LN2 = math.log(2.0)
WIDTH, HEIGHT = 640, 240
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 12, 28, 44


def era_bar_chart(
    labels: Sequence[str], values: Sequence[float], *, baseline: float | None = None, title: str = ""
) -> Markup:
    """A bar per era, with an optional horizontal baseline; bars under it are green.

    The y axis spans the values and the baseline with a little room, so small differences
    around ln 2 stay visible.
    """
    finite = [v for v in values if v is not None and math.isfinite(v)]
    points = finite + ([baseline] if baseline is not None else [])
    if not points:
        return Markup("")
    low, high = min(points), max(points)
    pad = max((high - low) * 0.15, 1e-4)
    low, high = low - pad, high + pad
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def y(value: float) -> float:
        return MARGIN_TOP + plot_h * (high - value) / (high - low)

    slot = plot_w / max(len(values), 1)
    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}">'),
        f'<text x="{MARGIN_LEFT}" y="16" class="chart-title">{escape(title)}</text>',
        f'<line x1="{MARGIN_LEFT}" y1="{MARGIN_TOP}" x2="{MARGIN_LEFT}" y2="{MARGIN_TOP + plot_h}" class="axis"/>',
    ]
    for tick in (low + pad, (low + high) / 2, high - pad):
        parts.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" class="tick">{tick:.4f}</text>'
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = MARGIN_LEFT + i * slot + slot * 0.15
        if value is None or not math.isfinite(value):
            continue
        top, bottom = sorted((y(value), y(low)))
        good = baseline is not None and value < baseline
        parts.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="{slot * 0.7:.1f}" height="{bottom - top:.1f}" '
            f'class="{"bar-good" if good else "bar-bad"}"><title>{escape(label)}: {value:.5f}</title></rect>'
        )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 16}" text-anchor="middle" '
            f'class="tick">{escape(label)}</text>'
        )
    if baseline is not None:
        parts.append(
            f'<line x1="{MARGIN_LEFT}" y1="{y(baseline):.1f}" x2="{WIDTH - MARGIN_RIGHT}" y2="{y(baseline):.1f}" '
            'class="baseline"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
