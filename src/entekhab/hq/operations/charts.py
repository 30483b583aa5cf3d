"""Charts as inline SVG, drawn by hand: no JavaScript, Persian labels, right-to-left bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from entekhab.hq.web.display import localise_number


def stacked_bars(
    rows: Sequence[tuple[str, Mapping[str, int]]],
    series: Sequence[tuple[str, str, str]],
    *,
    width: int = 760,
    bar: int = 18,
    label_width: int = 170,
    rtl: bool = True,
) -> str:
    """One horizontal bar per row, stacked by series; ``series`` is (key, label, colour).

    Bars grow from the right in a right-to-left page. Each segment carries a <title> so a
    pointer shows the exact figure.
    """
    gap, legend_h = 6, 28
    plot = width - label_width - 60
    top = max((sum(v.get(k, 0) for k, _, _ in series) for _, v in rows), default=0) or 1
    height = legend_h + len(rows) * (bar + gap) + 4
    out = [
        # direction ltr: coordinates and anchors mean what they say inside an RTL page
        # (the bidi algorithm still lays each Persian label out right to left).
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" direction="ltr" style="direction:ltr" '
        f'viewBox="0 0 {width} {height}" '
        f'width="100%" font-family="Vazirmatn FD, Vazirmatn, Tahoma" font-size="12">'
    ]
    x = width - 10 if rtl else 10
    for key, label, colour in series:
        w = 14
        rx = x - w if rtl else x
        out.append(f'<rect x="{rx}" y="6" width="{w}" height="12" fill="{colour}" data-series="{escape(key)}"/>')
        tx = rx - 4 if rtl else rx + w + 4
        anchor = "end" if rtl else "start"
        out.append(f'<text x="{tx}" y="16" text-anchor="{anchor}">{escape(label)}</text>')
        step = 14 + 8 + 6 * len(label) + 18
        x = x - step if rtl else x + step
    for i, (name, values) in enumerate(rows):
        y = legend_h + i * (bar + gap)
        lx = width - 4 if rtl else 4
        out.append(f'<text x="{lx}" y="{y + bar - 5}" text-anchor="{"end" if rtl else "start"}">{escape(name)}</text>')
        cursor = width - label_width if rtl else label_width
        total = 0
        for key, label, colour in series:
            v = values.get(key, 0)
            total += v
            if not v:
                continue
            w = max(1.0, plot * v / top)
            rx = cursor - w if rtl else cursor
            out.append(
                f'<rect x="{rx:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}">'
                f"<title>{escape(name)} · {escape(label)}: {localise_number(v)}</title></rect>"
            )
            cursor = rx if rtl else cursor + w
        tx = cursor - 4 if rtl else cursor + 4
        out.append(
            f'<text x="{tx:.1f}" y="{y + bar - 5}" text-anchor="{"end" if rtl else "start"}" fill="#444">'
            f"{localise_number(total)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def donut(parts: Sequence[tuple[str, int, str]], *, size: int = 150) -> str:
    """A ring of shares: (label, value, colour)."""
    total = sum(v for _, v, _ in parts) or 1
    r, c = size / 2 - 12, size / 2
    circumference = 2 * 3.141592653589793 * r
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" direction="ltr" style="direction:ltr" '
        f'viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}">'
    ]
    offset = 0.0
    for label, v, colour in parts:
        if not v:
            continue
        length = circumference * v / total
        out.append(
            f'<circle cx="{c}" cy="{c}" r="{r:.1f}" fill="none" stroke="{colour}" stroke-width="20" '
            f'stroke-dasharray="{length:.2f} {circumference - length:.2f}" stroke-dashoffset="{-offset:.2f}" '
            f'transform="rotate(-90 {c} {c})"><title>{escape(label)}: {localise_number(v)}</title></circle>'
        )
        offset += length
    out.append(
        f'<text x="{c}" y="{c + 5}" text-anchor="middle" font-size="16" font-weight="700">'
        f"{localise_number(sum(v for _, v, _ in parts))}</text></svg>"
    )
    return "".join(out)


def forecast_bars(rows: Sequence[tuple[str, int, float | None]], *, title: str, legend: tuple[str, str],
                  width: int = 720, height: int = 240) -> str:
    """Actual count per period (bars) against the forecast (a dashed step line), with exact figures on hover."""
    left, right, top, bottom = 50, 16, 30, 26
    most = max([n for _, n, _ in rows] + [f or 0 for _, _, f in rows] + [1])
    plot_w, plot_h = width - left - right, height - top - bottom
    bw = plot_w / max(1, len(rows))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" direction="ltr" style="direction:ltr" '
           f'viewBox="0 0 {width} {height}" width="100%" font-family="Vazirmatn FD, Vazirmatn, Tahoma" '
           f'font-size="12" aria-label="{escape(title)}"><title>{escape(title)}</title>',
           f'<rect x="{width - 24}" y="6" width="14" height="12" fill="#7fb8a8"/>'
           f'<text x="{width - 28}" y="16" text-anchor="end">{escape(legend[0])}</text>',
           f'<line x1="{width - 200}" y1="12" x2="{width - 186}" y2="12" stroke="#c0392b" stroke-width="2" '
           f'stroke-dasharray="4 3"/><text x="{width - 204}" y="16" text-anchor="end">{escape(legend[1])}</text>',
           f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" fill="#555">{localise_number(round(most))}</text>']
    for k, (label, n, forecast) in enumerate(rows):
        x = left + k * bw
        h = plot_h * n / most
        out.append(f'<rect x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" width="{max(1.0, bw - 4):.1f}" height="{h:.1f}" '
                   f'fill="#7fb8a8"><title>{escape(label)} · {escape(legend[0])}: {localise_number(n)}</title></rect>')
        if forecast is not None:
            y = top + plot_h - plot_h * forecast / most
            out.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + bw:.1f}" y2="{y:.1f}" stroke="#c0392b" '
                       f'stroke-width="2" stroke-dasharray="4 3"><title>{escape(label)} · {escape(legend[1])}: '
                       f'{localise_number(round(forecast))}</title></line>')
        out.append(f'<text x="{x + bw / 2:.1f}" y="{height - 8}" text-anchor="middle">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)
