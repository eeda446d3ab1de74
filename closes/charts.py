"""The profit fade: each project's estimated margin at completion across the closed periods, as an inline SVG line
chart drawn on the server (no JavaScript), on the axes of reports.charts."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.charts import HEIGHT, LEFT, RIGHT, TOP, WIDTH, y_ticks

from .models import WipClose

MAX_SERIES = 10
LEGEND_ROW = 18
COLOURS = (
    "#0b6e4f",
    "#b54708",
    "#1d4ed8",
    "#b42318",
    "#6941c6",
    "#027a48",
    "#c11574",
    "#475467",
    "#a15c07",
    "#0e7090",
)


@dataclass
class Fade:
    """One project's estimated margin at completion (percent) at each closed period end; None where unknown."""

    project_id: int
    project: str
    margins: list[Decimal | None]

    @property
    def known(self) -> list[Decimal]:
        return [m for m in self.margins if m is not None]

    @property
    def fade(self) -> Decimal:
        """How far the margin fell from the first closed period to the last (positive: it faded)."""
        known = self.known
        return known[0] - known[-1] if len(known) > 1 else Decimal(0)


def fades(closes: list[WipClose]) -> tuple[list[date], list[Fade]]:
    """The period ends (oldest first) and, per project in any of them, its estimated margin at each."""
    periods = [close.period_end for close in closes]
    found: dict[int, Fade] = {}
    for i, close in enumerate(closes):
        for row in close.rows:
            fade = found.setdefault(row["project_id"], Fade(row["project_id"], row["project"], [None] * len(closes)))
            fade.project = row["project"]  # the name as of the latest close
            margin = row.get("estimated_margin")
            fade.margins[i] = None if margin is None else Decimal(str(margin))
    return periods, [fade for fade in found.values() if fade.known]


def profit_fade_chart(periods: list[date], projects: list[Fade]) -> SafeString:
    """Estimated margin at completion per project (one line each) across the closed periods; the projects whose
    margin fell most first when there are more than MAX_SERIES."""
    if not periods or not projects:
        return SafeString("")
    shown = sorted(projects, key=lambda f: (-f.fade, f.project.casefold()))[:MAX_SERIES]
    # Floats here place pixels only; every margin shown as text is formatted from its Decimal.
    values = [float(m) for fade in shown for m in fade.known]
    ticks = y_ticks(min(0.0, *values), max(0.0, *values))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - 48
    legend_top = HEIGHT + 4
    height = legend_top + LEGEND_ROW * ((len(shown) + 1) // 2) + 8

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if len(periods) == 1 else plot_w * i / (len(periods) - 1))

    def y(value: Decimal | float) -> float:
        return TOP + plot_h * (high - float(value)) / (high - low)

    parts = [
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#d9e2ec"/>'
        f'<text x="{LEFT - 8}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#616e7c">{t:g}%</text>'
        for t in ticks
    ]
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#1f2933"/>')
    parts += [
        f'<text x="{x(i):.1f}" y="{HEIGHT - 48 + 18}" text-anchor="middle" fill="#616e7c">{period:%d %b %Y}</text>'
        for i, period in enumerate(periods)
    ]
    for n, fade in enumerate(shown):
        colour, name = COLOURS[n % len(COLOURS)], escape(fade.project)
        segment: list[str] = []
        segments = [segment]
        for i, margin in enumerate(fade.margins):
            if margin is None:
                segment = []
                segments.append(segment)
            else:
                segment.append(f"{x(i):.1f},{y(margin):.1f}")
        parts += [
            f'<polyline class="fade" data-project="{fade.project_id}" points="{" ".join(points)}" fill="none" '
            f'stroke="{colour}" stroke-width="2"/>'
            for points in segments
            if len(points) > 1
        ]
        parts += [
            f'<circle cx="{x(i):.1f}" cy="{y(margin):.1f}" r="3.5" fill="{colour}"><title>{name}, '
            f"{periods[i]:%d %B %Y}: estimated margin {margin}%</title></circle>"
            for i, margin in enumerate(fade.margins)
            if margin is not None
        ]
        left, top = LEFT + (n % 2) * (plot_w / 2), legend_top + LEGEND_ROW * (n // 2)
        label = fade.project if len(fade.project) <= 40 else fade.project[:39] + "…"
        parts.append(
            f'<line x1="{left:.0f}" x2="{left + 20:.0f}" y1="{top + 6}" y2="{top + 6}" stroke="{colour}" '
            f'stroke-width="2"/><text x="{left + 26:.0f}" y="{top + 10}" fill="#1f2933">{escape(label)}</text>'
        )
    more = len(projects) - len(shown)
    span = f"{periods[0]:%d %B %Y} to {periods[-1]:%d %B %Y}" if len(periods) > 1 else f"at {periods[0]:%d %B %Y}"
    note = f" The {len(shown)} of {len(projects)} projects whose margin fell most." if more > 0 else ""
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="fade-title fade-desc" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12">'
        f'<title id="fade-title">Profit fade: estimated margin at completion per project, by closed period</title>'
        f'<desc id="fade-desc">Estimated gross profit ÷ revised contract as each closed WIP stored it, '
        f"{span}.{note}</desc>"
        f"{''.join(parts)}</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - project names are escaped above; the rest are numbers and fixed words
