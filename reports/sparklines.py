"""Trend lines small enough to sit beside a name: inline SVG drawn on the server.

No script and no chart library: a leader on a slow phone sees them as soon as the page's HTML
arrives, they print, and every one is drawn on the same scale (0 to 100 %), so that lines side
by side compare. A month without a figure (none counted, or withheld: reports.disclosure)
leaves a gap rather than a line drawn through it.
"""

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT, MARGIN = 120, 32, 2


def _points(values: Sequence, count: int) -> list[list[tuple[float, float]]]:
    """The runs of consecutive months with a share, as (x, y) in the picture's units."""
    step = (WIDTH - 2 * MARGIN) / max(count - 1, 1)
    runs, run = [], []
    for i, value in enumerate(values):
        if isinstance(value, float | int) and not isinstance(value, bool):
            run.append((MARGIN + i * step, MARGIN + (1 - float(value)) * (HEIGHT - 2 * MARGIN)))
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def _polylines(values: Sequence, css_class: str) -> SafeString:
    runs = _points(values, len(values))
    return format_html_join(
        "",
        '<polyline class="{}" points="{}"/>',
        ((css_class, " ".join(f"{x:.1f},{y:.1f}" for x, y in run)) for run in runs),
    )


def sparkline(shares: Sequence, *, label: str, plan: Sequence | None = None) -> SafeString:
    """An SVG line of `shares` (fractions 0..1, one a month; None or a withheld cell for none),
    with `plan` dashed under it when given, named by `label` for a screen reader."""
    last = [point for run in _points(shares, len(shares)) for point in run][-1:]
    return format_html(
        '<svg class="spark" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}">'
        '<line class="spark-axis" x1="0" y1="{}" x2="{}" y2="{}"/>{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        label,
        HEIGHT - MARGIN,
        WIDTH,
        HEIGHT - MARGIN,
        _polylines(plan, "spark-plan") if plan and any(v is not None for v in plan) else "",
        _polylines(shares, "spark-line"),
        format_html('<circle class="spark-last" cx="{}" cy="{}" r="2"/>', *(f"{c:.1f}" for c in last[0]))
        if last
        else "",
    )
