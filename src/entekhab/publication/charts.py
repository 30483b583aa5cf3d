"""Charts as inline SVG (no JavaScript, no float in the counts): hemicycle, quota bars, turnout by hour.

Geometry uses floats (pixels only); every number printed is an exact count or a
fraction rounded for reading. Text is Persian-first (``lang="fa"``: Persian digits).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from html import escape

from entekhab.domain.digits import PERCENT_SIGN, persian_numerals
from entekhab.i18n import gettext_in

PALETTE = ("#0b5d4b", "#c0392b", "#2e86c1", "#d68910", "#7d3c98", "#17a589", "#a04000", "#5d6d7e",
           "#b7950b", "#1f618d", "#e74c3c", "#52be80", "#af7ac5", "#f5b041", "#5dade2", "#922b21",
           "#1abc9c", "#6e2c00", "#34495e", "#d4ac0d")
INDEPENDENT_COLOUR = "#7f8c8d"


def _n(value: object, lang: str) -> str:
    text = f"{value:,}" if isinstance(value, int) else str(value)
    return persian_numerals(text) if lang == "fa" else text


@dataclass(frozen=True)
class Slice:
    key: str
    label: str
    seats: int
    colour: str


def colours(keys: Sequence[str]) -> dict[str, str]:
    out, i = {}, 0
    for k in keys:
        if k == "independents":
            out[k] = INDEPENDENT_COLOUR
        else:
            out[k] = PALETTE[i % len(PALETTE)]
            i += 1
    return out


def _rows_for(total: int) -> int:
    rows = 1
    while rows * (rows + 1) * 3 < total:  # about 6 seats on the innermost row, more outside
        rows += 1
    return max(rows, 2 if total > 8 else 1)


def hemicycle(slices: Sequence[Slice], *, title: str, lang: str = "fa", width: int = 520) -> str:
    """Seats as dots on concentric arcs, groups from left to right in the given order."""
    total = sum(s.seats for s in slices)
    columns = max(1, width // 175)
    legend_rows = -(-len(slices) // columns)
    height = width // 2 + 40 + 20 * legend_rows
    cx, cy = width / 2, width / 2 + 10
    if total == 0:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
                f'aria-label="{escape(title)}"><text x="{cx}" y="{cy / 2}" text-anchor="middle">{escape(title)}'
                "</text></svg>")
    rows = _rows_for(total)
    r_in, r_out = width * 0.18, width * 0.46
    radii = [r_in + (r_out - r_in) * i / max(rows - 1, 1) for i in range(rows)]
    weight = sum(radii)
    counts = [round(total * r / weight) for r in radii]
    counts[-1] += total - sum(counts)
    dot = min((r_out - r_in) / max(rows, 2) * 0.36, math.pi * r_in / max(counts[0], 1) * 0.4)
    positions = []
    for r, n in zip(radii, counts, strict=True):
        for k in range(n):
            angle = math.pi * (1 - (k + 0.5) / n) if n > 0 else math.pi / 2
            positions.append((angle, r))
    positions.sort(key=lambda p: (-p[0], p[1]))  # left (π) to right (0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" style="max-width:100%;height:auto" '
             f'aria-label="{escape(title)}" class="hemicycle" font-family="Vazirmatn, Tahoma, sans-serif">',
             f'<title>{escape(title)}</title>']
    i = 0
    for s in slices:
        for _ in range(s.seats):
            angle, r = positions[i]
            x, y = cx + r * math.cos(angle), cy - r * math.sin(angle)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{dot:.1f}" fill="{s.colour}">'
                         f'<title>{escape(s.label)}</title></circle>')
            i += 1
    parts.append(f'<text x="{cx}" y="{cy - 10}" text-anchor="middle" font-size="34" font-weight="700" '
                 f'fill="#222">{_n(total, lang)}</text>')
    col_w = width / columns
    for k, s in enumerate(slices):
        row, col = divmod(k, columns)
        y = cy + 30 + 20 * row
        label = s.label if len(s.label) <= 22 else s.label[:21] + "…"
        if lang == "fa":  # right to left: first column at the right edge
            x = width - col * col_w - 8
            parts.append(f'<rect x="{x - 10:.1f}" y="{y - 10}" width="10" height="10" fill="{s.colour}"/>')
            parts.append(f'<text x="{x - 16:.1f}" y="{y}" font-size="12" fill="#222" text-anchor="start" '
                         f'direction="rtl">{escape(label)}: {_n(s.seats, lang)}</text>')
        else:
            x = col * col_w + 8
            parts.append(f'<rect x="{x:.1f}" y="{y - 10}" width="10" height="10" fill="{s.colour}"/>')
            parts.append(f'<text x="{x + 16:.1f}" y="{y}" font-size="12" fill="#222">'
                         f'{escape(label)}: {_n(s.seats, lang)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def quota_bars(groups: Sequence[tuple[str, str, int, int]], quota: Fraction, *, title: str, lang: str = "fa",
               width: int = 640) -> str:
    """Each group's votes measured in quotas (bars), a line at every whole quota, its seats written.

    ``groups``: (label, colour, votes, seats). Why: it shows at a glance which groups won a
    seat by a full quota and which by their remainder.
    """
    if quota <= 0 or not groups:
        return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 40"><text x="10" y="25">' \
               f"{escape(title)}</text></svg>"
    most = max(Fraction(v) / quota for _, _, v, _ in groups)
    span = max(1, math.ceil(most))
    label_w, bar_h, gap, top = 170, 22, 10, 30
    plot_w = width - label_w - 60
    height = top + len(groups) * (bar_h + gap) + 30
    def x_of(q: Fraction) -> float:
        return label_w + float(q / span) * plot_w
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" style="max-width:100%;height:auto" '
             f'aria-label="{escape(title)}" class="quota" font-family="Vazirmatn, Tahoma, sans-serif" direction="ltr">',
             f'<title>{escape(title)}</title>']
    for q in range(span + 1):
        x = x_of(Fraction(q))
        parts.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 22}" stroke="#bbb" '
                     f'stroke-dasharray="{"" if q == 0 else "3,3"}"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" font-size="11" text-anchor="middle" fill="#555">'
                     f'{_n(q, lang)}</text>')
    for k, (label, colour, votes, seats) in enumerate(groups):
        y = top + k * (bar_h + gap)
        share = Fraction(votes) / quota
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_h * 0.7:.1f}" font-size="12" text-anchor="end" '
                     f'fill="#222">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{max(x_of(share) - label_w, 1):.1f}" height="{bar_h}" '
                     f'fill="{colour}"><title>{escape(label)}: {_n(votes, lang)}</title></rect>')
        seats_text = f"{_n(seats, lang)} {gettext_in(lang, 'seats')}"
        parts.append(f'<text x="{x_of(share) + 6:.1f}" y="{y + bar_h * 0.7:.1f}" font-size="12" fill="#222">'
                     f"{seats_text}</text>")
    parts.append("</svg>")
    return "".join(parts)


def hourly_bars(rows: Sequence[tuple[str, int, int]], *, title: str, lang: str = "fa", width: int = 640) -> str:
    """Check-ins per hour (bars) and the running total (line): the chart of the day."""
    height, left, bottom, top = 240, 50, 30, 20
    if not rows:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 40" role="img" '
                f'aria-label="{escape(title)}"><text x="10" y="25">{escape(title)}</text></svg>')
    most = max(n for _, n, _ in rows) or 1
    total = rows[-1][2] or 1
    plot_w, plot_h = width - left - 20, height - bottom - top
    bw = plot_w / len(rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" style="max-width:100%;height:auto" '
             f'aria-label="{escape(title)}" class="turnout" font-family="Vazirmatn, Tahoma, sans-serif" '
             f'direction="ltr"><title>{escape(title)}</title>']
    points = []
    for k, (label, n, running) in enumerate(rows):
        x = left + k * bw
        h = plot_h * n / most
        parts.append(f'<rect x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" width="{bw - 4:.1f}" height="{h:.1f}" '
                     f'fill="#7fb8a8"><title>{escape(label)}: {_n(n, lang)}</title></rect>')
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{height - 10}" font-size="11" text-anchor="middle">'
                     f"{escape(label)}</text>")
        points.append(f"{x + bw / 2:.1f},{top + plot_h - plot_h * running / total:.1f}")
    parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#0b5d4b" stroke-width="2"/>')
    parts.append(f'<text x="{left}" y="{top - 6}" font-size="11" fill="#555">{_n(most, lang)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _nice_step(most: int, ticks: int = 4) -> int:
    """A round tick interval (1, 2 or 5 × a power of ten) giving about ``ticks`` intervals up to ``most``."""
    raw = max(1, -(-most // ticks))
    power = 1
    while power * 10 <= raw:
        power *= 10
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


# The horizontal bar charts' layout: label column, bar height, gap, top and bottom margins, padding.
_LABEL_W, _BAR_H, _GAP, _TOP, _BOTTOM, _PAD = 150, 18, 8, 10, 44, 12


def _bars_frame(rows: int, ticks: Sequence[tuple[float, str, bool]], *, title: str, axis: str, axis_mid: float,
                width: int, css: str) -> list[str]:
    """The opening of a horizontal bar chart, its grid lines with their tick labels (``ticks`` are
    x, label, is the origin) and its axis title; the caller appends the bars and closes it."""
    height = _TOP + rows * (_BAR_H + _GAP) + _BOTTOM
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" style="max-width:100%;height:auto" aria-label="{escape(title)}" class="{css}" '
             f'font-family="Vazirmatn, Tahoma, sans-serif" direction="ltr"><title>{escape(title)}</title>']
    axis_y = _TOP + rows * (_BAR_H + _GAP)
    for x, label, origin in ticks:
        parts.append(f'<line x1="{x:.1f}" y1="{_TOP - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="#ccc" '
                     f'stroke-dasharray="{"" if origin else "3,3"}"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 14}" font-size="11" text-anchor="middle" fill="#555">'
                     f"{label}</text>")
    parts.append(f'<text x="{axis_mid:.1f}" y="{axis_y + 34}" font-size="12" text-anchor="middle" '
                 f'fill="#333" class="axis-title">{escape(axis)}</text>')
    return parts


def _row_label(label: str, y: float, *, width: int, fa: bool) -> str:
    """A bar's label at the start side (right for Persian), cut at 24 characters."""
    short = label if len(label) <= 24 else label[:23] + "…"
    rtl = ' direction="rtl"' if fa else ""
    return (f'<text x="{width - _PAD if fa else _PAD}" y="{y + _BAR_H * 0.75:.1f}" font-size="12" fill="#222" '
            f'text-anchor="start"{rtl}>{escape(short)}</text>')  # rtl: start is the right edge


def value_bars(rows: Sequence[tuple[str, int]], *, title: str, axis: str, lang: str = "fa", width: int = 480,
               colour: str = "#0b5d4b", css: str = "bars") -> str:
    """Horizontal bars of counts (votes, ballots) with a labelled axis; right to left for Persian.

    Why its own chart: plurality contests, areas and branches have no seats to draw, and a
    reader compares candidates at a glance. Labels at the start side, the axis below with
    round ticks; every number in Persian digits unless the page is English.
    """
    if not rows:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 40" role="img" class="{css}" '
                f'aria-label="{escape(title)}"><text x="{width / 2}" y="25" text-anchor="middle">{escape(title)}'
                "</text></svg>")
    fa = lang != "en"
    plot_w = width - _LABEL_W - 2 * _PAD - 40
    most = max(v for _, v in rows)
    step = _nice_step(most)
    span = max(step, -(-most // step) * step)

    def x_of(v: int) -> float:  # distance from the bars' origin, then mirrored for Persian
        offset = plot_w * v / span
        return width - _LABEL_W - _PAD - offset if fa else _LABEL_W + _PAD + offset

    origin = x_of(0)
    parts = _bars_frame(len(rows), [(x_of(v), _n(v, lang), v == 0) for v in range(0, span + 1, step)],
                           title=title, axis=axis, axis_mid=(origin + x_of(span)) / 2, width=width, css=css)
    for k, (label, v) in enumerate(rows):
        y = _TOP + k * (_BAR_H + _GAP)
        end = x_of(v)
        parts.append(_row_label(label, y, width=width, fa=fa))
        parts.append(f'<rect x="{min(origin, end):.1f}" y="{y}" width="{max(abs(end - origin), 1):.1f}" '
                     f'height="{_BAR_H}" fill="{colour}"><title>{escape(label)}: {_n(v, lang)}</title></rect>')
        value_x = end - 4 if fa else end + 4
        parts.append(f'<text x="{value_x:.1f}" y="{y + _BAR_H * 0.75:.1f}" font-size="11" fill="#222" '
                     f'text-anchor="{"end" if fa else "start"}">{_n(v, lang)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def progress_bars(rows: Sequence[tuple[str, int, int]], *, title: str, axis: str, lang: str = "fa",
                  width: int = 480) -> str:
    """Reporting progress per area: (label, branches reported, branches expected) as bars out of 100 %."""
    fa = lang != "en"
    if not rows:
        return value_bars([], title=title, axis=axis, lang=lang, width=width, css="progress")
    plot_w = width - _LABEL_W - 2 * _PAD - 70

    def x_of(fraction: Fraction) -> float:
        offset = float(plot_w * fraction)
        return width - _LABEL_W - _PAD - offset if fa else _LABEL_W + _PAD + offset

    percent = PERCENT_SIGN if fa else "%"
    ticks = [(x_of(Fraction(q, 100)), f"{_n(q, lang)}{percent}", q == 0) for q in range(0, 101, 25)]
    parts = _bars_frame(len(rows), ticks, title=title, axis=axis,
                           axis_mid=(x_of(Fraction(0)) + x_of(Fraction(1))) / 2, width=width, css="progress")
    left, right = sorted((x_of(Fraction(0)), x_of(Fraction(1))))
    end = x_of(Fraction(1))
    for k, (label, reported, expected) in enumerate(rows):
        y = _TOP + k * (_BAR_H + _GAP)
        done = Fraction(min(reported, expected), expected) if expected else Fraction(0)
        parts.append(_row_label(label, y, width=width, fa=fa))
        parts.append(f'<rect x="{left:.1f}" y="{y}" width="{right - left:.1f}" height="{_BAR_H}" fill="#e8f1ee"/>')
        a, b = sorted((x_of(Fraction(0)), x_of(done)))
        colour = "#0b5d4b" if done == 1 else "#d68910"
        parts.append(f'<rect x="{a:.1f}" y="{y}" width="{max(b - a, 0):.1f}" height="{_BAR_H}" fill="{colour}">'
                     f"<title>{escape(label)}: {_n(reported, lang)} / {_n(expected, lang)}</title></rect>")
        parts.append(f'<text x="{end - 6 if fa else end + 6:.1f}" y="{y + _BAR_H * 0.75:.1f}" font-size="11" '
                     f'fill="#222" text-anchor="{"end" if fa else "start"}">'
                     f"{_n(reported, lang)} / {_n(expected, lang)}</text>")
    parts.append("</svg>")
    return "".join(parts)
