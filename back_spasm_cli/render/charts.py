"""Charts of a views.document.Chart: an inline SVG (no script, nothing fetched) for HTML,
and a text chart (plotext) for terminals and Markdown."""

from __future__ import annotations

import datetime as dt
import html

from back_spasm_cli.render.text import clean
from back_spasm_cli.views.document import Chart

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _e(text: str) -> str:
    return html.escape(clean(text))


def _ticks(first: dt.date, last: dt.date, most: int = 7) -> list[dt.date]:
    """Up to `most` evenly spread days from `first` to `last`, both ends included."""
    span = (last - first).days
    if span <= 0:
        return [first]
    step = max(1, -(-span // (most - 1)))
    days = [first + dt.timedelta(days=n) for n in range(0, span + 1, step)]
    if days[-1] != last:
        if (last - days[-1]).days < step / 2 and len(days) > 1:
            days[-1] = last
        else:
            days.append(last)
    return days


def _label(day: dt.date, with_year: bool) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}" + (f" {day.year}" if with_year else "")


def svg_chart(chart: Chart, width: int = 680, height: int = 250) -> str:
    """The chart as inline SVG that scales to the page (viewBox), with a title, a value
    axis 0..y_max and up to seven dated ticks."""
    left, right, top, bottom = 40, 16, 14, 40
    inner_w, inner_h = width - left - right, height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}"'
        f' preserveAspectRatio="xMidYMid meet" aria-label="{_e(chart.title)}">'
        f"<title>{_e(chart.title)}</title>"
    ]
    for level in range(0, chart.y_max + 1, 2):
        y = top + inner_h - inner_h * level / chart.y_max
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{level}</text>'
        )
    if chart.points:
        first = dt.date.fromisoformat(chart.points[0][0])
        last = dt.date.fromisoformat(chart.points[-1][0])
        span = max((last - first).days, 1)

        def x_of(day: dt.date) -> float:
            if first == last:
                return left + inner_w / 2
            return left + inner_w * (day - first).days / span

        points = [
            (x_of(dt.date.fromisoformat(day)), top + inner_h - inner_h * value / chart.y_max)
            for day, value in chart.points
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline class="line" fill="none" points="{path}"/>')
        parts += [f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3"/>' for x, y in points]
        with_year = first.year != last.year
        for day in _ticks(first, last):
            x = x_of(day)
            parts.append(
                f'<line x1="{x:.1f}" y1="{top + inner_h}" x2="{x:.1f}" y2="{top + inner_h + 5}"'
                ' class="axis"/>'
                f'<text x="{x:.1f}" y="{top + inner_h + 19}" text-anchor="middle">'
                f"{_e(_label(day, with_year))}</text>"
            )
    else:
        parts.append(
            f'<text x="{left + inner_w / 2:.1f}" y="{top + inner_h / 2:.1f}"'
            ' text-anchor="middle">No entries in this period</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top + inner_h}" x2="{width - right}" y2="{top + inner_h}"'
        ' class="axis"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + inner_h}" class="axis"/>'
    )
    if chart.y_label:
        parts.append(
            f'<text x="12" y="{top + inner_h / 2:.1f}" text-anchor="middle"'
            f' transform="rotate(-90 12 {top + inner_h / 2:.1f})">{_e(chart.y_label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def text_chart(chart: Chart, width: int, *, color: bool) -> str:
    """The chart drawn by plotext ('' without points)."""
    if not chart.points:
        return ""
    import plotext as plt  # type: ignore[import-untyped]

    plt.clear_figure()
    plt.date_form("Y-m-d")
    plt.plot([day for day, _ in chart.points], [v for _, v in chart.points], marker="braille")
    plt.ylim(0, chart.y_max)
    plt.plot_size(max(min(width, 100), 30), 15 if width >= 50 else 10)
    plt.title(chart.title)
    plt.theme("clear")  # the terminal's own background, light or dark
    text = plt.build()
    return str(plt.uncolorize(text)) if not color else str(text)
