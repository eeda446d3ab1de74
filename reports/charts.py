"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, readable without the stylesheet."""

import math
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .figures import Month

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 88, 40, 36, 48  # room for money labels, the legend and month labels
SERIES = (("revenue", "Revenue to date", "#0b6e4f"), ("cost", "Cost to date", "#b54708"))
MAX_MONTH_LABELS = 8


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^n) splitting `span` into about `ticks` parts."""
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def y_ticks(low: float, high: float) -> list[float]:
    if high == low:
        high = low + 1
    step = nice_step(high - low)
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    return ticks


def short_money(value: float) -> str:
    sign, value = ("-" if value < 0 else ""), abs(value)
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"{sign}{value / limit:,.4g}{suffix}"
    return f"{sign}{value:,.0f}"


def cumulative_chart(months: list[Month]) -> SafeString:
    """Revenue and cost to date at each month end, one point per month, with axes, gridlines and a legend."""
    if not months:
        return SafeString("")
    # Floats here place pixels only; every amount shown as text is formatted from its Decimal.
    values = [float(getattr(m, name)) for m in months for name, _, _ in SERIES]
    ticks = y_ticks(min(0.0, *values), max(0.0, *values))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if len(months) == 1 else plot_w * i / (len(months) - 1))

    def y(value: Decimal | float) -> float:
        return TOP + plot_h * (high - float(value)) / (high - low)

    parts = [_grid(ticks, y), _month_labels(months, x), _axes(y(0))]
    parts += [_series(months, name, label, colour, x, y) for name, label, colour in SERIES]
    parts.append(_legend())
    first, last = months[0].month.strftime("%B %Y"), months[-1].month.strftime("%B %Y")
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12">'
        f'<title id="chart-title">Revenue and cost to date, by month</title>'
        f'<desc id="chart-desc">Cumulative revenue and cost at the end of each month, {first} to {last}.</desc>'
        f"{''.join(parts)}</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - numbers and fixed labels only; no user text reaches the chart


def _grid(ticks: list[float], y) -> str:
    return "".join(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#d9e2ec"/>'
        f'<text x="{LEFT - 8}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#616e7c">{short_money(t)}</text>'
        for t in ticks
    )


def _axes(zero_y: float) -> str:
    middle = TOP + (HEIGHT - TOP - BOTTOM) / 2
    return (
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{zero_y:.1f}" y2="{zero_y:.1f}" stroke="#1f2933"/>'
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="#1f2933"/>'
        f'<text x="14" y="{middle}" transform="rotate(-90 14 {middle})" text-anchor="middle" '
        f'fill="#616e7c">Amount</text>'
        f'<text x="{LEFT + (WIDTH - LEFT - RIGHT) / 2}" y="{HEIGHT - 6}" text-anchor="middle" '
        f'fill="#616e7c">Month (amounts to the end of it)</text>'
    )


def _month_labels(months: list[Month], x) -> str:
    every = math.ceil(len(months) / MAX_MONTH_LABELS)
    shown = [i for i in range(len(months)) if i % every == 0]
    if shown[-1] != len(months) - 1:
        if len(months) - 1 - shown[-1] < every:
            shown.pop()  # keep the last month, drop its crowded neighbour
        shown.append(len(months) - 1)
    return "".join(
        f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
        f'fill="#616e7c">{months[i].month.strftime("%b %Y")}</text>'
        for i in shown
    )


def _series(months: list[Month], name: str, label: str, colour: str, x, y) -> str:
    points = " ".join(f"{x(i):.1f},{y(getattr(m, name)):.1f}" for i, m in enumerate(months))
    line = (
        f'<polyline class="series series-{name}" points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
    )
    dots = "".join(
        f'<circle class="point point-{name}" cx="{x(i):.1f}" cy="{y(getattr(m, name)):.1f}" r="3.5" fill="{colour}">'
        f"<title>{label}, end of {m.month.strftime('%B %Y')}: {getattr(m, name):,.2f}</title></circle>"
        for i, m in enumerate(months)
    )
    return line + dots


def _legend() -> str:
    return "".join(
        f'<line x1="{LEFT + 170 * i}" x2="{LEFT + 170 * i + 24}" y1="16" y2="16" stroke="{colour}" '
        f'stroke-width="2.5"/><text x="{LEFT + 170 * i + 30}" y="20" fill="#1f2933">{label}</text>'
        for i, (_, label, colour) in enumerate(SERIES)
    )


BAR_LABEL_WIDTH, BAR_HEIGHT, BAR_GAP, BAR_MAX_LABEL = 260, 10, 14, 38


Bar = tuple[Decimal, str, str]  # value, fill colour, what it is (for the tooltip)


def _bar_svg(title: str, legend: list[tuple[str, str]], rows: list[tuple[str, list[Bar]]]) -> SafeString:
    """Horizontal bars from zero, a group of bars a labelled row, with a money axis and a legend."""
    if not rows:
        return SafeString("")
    values = [float(value) for _, bars in rows for value, _, _ in bars]
    ticks = y_ticks(min(0.0, *values), max(0.0, *values))
    low, high = ticks[0], ticks[-1]
    plot_w = WIDTH - BAR_LABEL_WIDTH - RIGHT
    row_height = len(rows[0][1]) * BAR_HEIGHT + BAR_GAP
    height = TOP + len(rows) * row_height + 24

    def x(value: Decimal | float) -> float:
        return BAR_LABEL_WIDTH + plot_w * (float(value) - low) / (high - low)

    parts = [
        f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{TOP - 6}" y2="{height - 20}" stroke="#d9e2ec"/>'
        f'<text x="{x(t):.1f}" y="{height - 6}" text-anchor="middle" fill="#616e7c">{short_money(t)}</text>'
        for t in ticks
    ]
    for i, (label, bars) in enumerate(rows):
        top = TOP + i * row_height
        shown = label if len(label) <= BAR_MAX_LABEL else label[: BAR_MAX_LABEL - 1] + "…"
        parts.append(
            f'<text x="{BAR_LABEL_WIDTH - 8}" y="{top + len(bars) * BAR_HEIGHT / 2 + 4:.0f}" text-anchor="end" '
            f'fill="#1f2933">{escape(shown)}</text>'
        )
        for n, (value, fill, what) in enumerate(bars):
            start, end = sorted((x(0), x(value)))
            parts.append(
                f'<rect x="{start:.1f}" y="{top + n * BAR_HEIGHT}" width="{max(end - start, 0.5):.1f}" '
                f'height="{BAR_HEIGHT - 1}" fill="{fill}"><title>{escape(label)}: {what} {value:,.2f}</title></rect>'
            )
    key, left = [], BAR_LABEL_WIDTH
    for fill, words in legend:
        key.append(
            f'<rect x="{left}" y="8" width="14" height="10" fill="{fill}"/>'
            f'<text x="{left + 20}" y="17" fill="#1f2933">{escape(words)}</text>'
        )
        left += 40 + 7 * len(words)
    slug = "-".join(title.lower().split()[:3])
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{slug}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12">'
        f'<title id="{slug}">{escape(title)}</title>'
        f"{''.join(key)}{''.join(parts)}</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - labels are escaped above; the rest are numbers and fixed words


def bar_chart(rows: list[tuple[str, Decimal, Decimal]]) -> SafeString:
    """Budget vs actual per budget line: the revised budget and the actual to date as two bars a line, the actual red
    where it is past the budget. `rows` are (label, revised budget, actual)."""
    return _bar_svg(
        "Revised budget and actual to date, per budget line",
        [("#9aa5b1", "Revised budget"), ("#0b6e4f", "Actual to date (red: over budget)")],
        [
            (
                label,
                [
                    (budget, "#9aa5b1", "Revised budget"),
                    (actual, "#b42318" if actual > budget else "#0b6e4f", "Actual"),
                ],
            )
            for label, budget, actual in rows
        ],
    )


def over_under_chart(rows: list[tuple[str, Decimal]]) -> SafeString:
    """Over/under billing per project: one bar a project from zero, over billing (billed past earned: a liability)
    to the right, under billing (earned past billed: an asset) to the left. `rows` are (project, billed - earned)."""
    return _bar_svg(
        "Over and under billing per project",
        [("#b54708", "Over billed (billed past earned)"), ("#1d4ed8", "Under billed (earned past billed)")],
        [
            (label, [(value, "#b54708", "Over billed") if value > 0 else (value, "#1d4ed8", "Under billed")])
            for label, value in rows
        ],
    )
