"""Charts of a plan as SVG or PNG bytes (matplotlib, no pyplot state: safe inside a web server).

Each chart carries a Persian title (Vazirmatn; English without the font); axis labels, legends
and tick numbers are Persian too (Persian digits, the Arabic decimal separator), area codes stay Latin
identifiers. matplotlib 3.11 and
later shape Arabic script and order right-to-left runs themselves; older versions
drew letters unjoined and left to right, so there the title is shaped with
``arabic-reshaper`` + ``python-bidi`` if they are installed (pre-shaping on 3.11 would
reverse it twice). Without the font, or on an old matplotlib without those two
libraries, charts fall back to English only.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Literal

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from entekhab.domain.digits import persian_numerals, to_persian_digits
from entekhab.i18n import both, render
from entekhab.planning.rollup import AreaRollup
from entekhab.planning.simulation import VoterTrace

Format = Literal["svg", "png"]
FONT_NAME = "Vazirmatn-Regular.ttf"
INK, ACCENT, MUTED, WARN = "#1f3a5f", "#2a9d8f", "#9aa5b1", "#d1495b"
SVG_FONTTYPE = "path"  # text drawn as outlines, so a viewer needs no font; "none" keeps <text> (tests)

# Axis and legend labels: Persian with the font, English without it.
LABELS: dict[str, tuple[str, str]] = {
    "waiting": both("voters waiting"),
    "each_wait": both("wait of each voter (by arrival)"),
    "target": both("target"),
    "total_wait": both("total wait (min)"),
    "time_of_day": both("time of day (h)"),
    "branches": both("branches"),
    "devices": both("devices"),
    "eboxes_required": both("e-boxes required"),
    "eboxes_available": both("e-boxes available"),
    "auth_required": both("authentication required"),
    "auth_available": both("authentication available"),
}


def font_candidates() -> tuple[Path, ...]:
    """Where Vazirmatn may be: the HQ static files, then node_modules at the repository root."""
    here = Path(__file__).resolve()
    package = here.parents[1]  # src/entekhab
    roots = {here.parents[3], Path.cwd()}
    return (package / "hq" / "static" / "fonts" / FONT_NAME,
            *(r / "node_modules" / "vazirmatn" / "fonts" / "ttf" / FONT_NAME
              for r in sorted(roots)))


def native_shaping() -> bool:
    """Whether this matplotlib shapes complex scripts itself (3.11 and later)."""
    major, minor = (int(x) for x in matplotlib.__version__.split(".")[:2])
    return (major, minor) >= (3, 11)


@cache
def persian_font() -> font_manager.FontProperties | None:
    """Vazirmatn as font properties, if the font is found and Persian can be shaped."""
    if not native_shaping():
        try:
            import arabic_reshaper  # noqa: F401
            import bidi  # noqa: F401
        except ImportError:
            return None
    for path in font_candidates():
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path))
    return None


def shape_persian(text: str) -> str:
    """Text ready for matplotlib: as is where it shapes, else joined and in visual order."""
    if native_shaping():
        return text
    import arabic_reshaper
    from bidi import get_display

    return str(get_display(arabic_reshaper.reshape(text)))


def _label(key: str) -> str:
    fa, en = LABELS[key]
    return shape_persian(fa) if persian_font() is not None else en


def _fa_number(value: float, _pos: object = None) -> str:
    text = f"{value:g}"
    return persian_numerals(text.replace("-", "−")) if persian_font() is not None else text


def _persian_axes(*axes: object, numeric_x: bool = True) -> None:
    """Axis labels, legends and tick numbers in Persian (Vazirmatn), when the font is there."""
    font = persian_font()
    if font is None:
        return
    for ax in axes:
        ax.yaxis.set_major_formatter(FuncFormatter(_fa_number))  # type: ignore[attr-defined]
        if numeric_x:
            ax.xaxis.set_major_formatter(FuncFormatter(_fa_number))  # type: ignore[attr-defined]
        ax.tick_params(labelfontfamily=font.get_name())  # type: ignore[attr-defined]
        for text in (ax.xaxis.label, ax.yaxis.label):  # type: ignore[attr-defined]
            text.set_fontproperties(font)
        legend = ax.get_legend()  # type: ignore[attr-defined]
        if legend is not None:
            for text in legend.get_texts():
                text.set_fontproperties(font)


def _titles(fig: Figure, ax: object, fa: str, en: str) -> None:
    font = persian_font()
    if font is not None:
        fig.suptitle(shape_persian(fa), fontproperties=font, fontsize=14, color=INK, y=1.03)
    else:
        ax.set_title(en, fontsize=12, color=INK)  # type: ignore[attr-defined]


def _render(fig: Figure, fmt: Format) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": SVG_FONTTYPE, "svg.hashsalt": "entekhab"}):
        fig.savefig(buf, format=fmt, bbox_inches="tight", dpi=110,
                    metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()


def branch_day_chart(trace: VoterTrace, opening_hour: int, target_minutes: float, *,
                     title_fa: str, title_en: str, fmt: Format = "svg") -> bytes:
    """Queue length and each voter's total wait over the day, with the doors' closing."""
    fig = Figure(figsize=(8, 5.5))
    top, bottom = fig.subplots(2, 1, sharex=True)
    end = max(trace.close_seconds, trace.last_departure())
    grid = np.linspace(0, end, 600)
    clock = opening_hour + grid / 3600.0
    top.step(clock, trace.queue_length(grid), where="post", color=INK, lw=1.2)
    top.set_ylabel(_label("waiting"))
    if trace.voters:
        bottom.scatter(opening_hour + trace.arrival / 3600.0, trace.total_wait / 60.0, s=4,
                       color=ACCENT, alpha=0.6, label=_label("each_wait"))
    bottom.axhline(target_minutes, color=WARN, ls="--", lw=1, label=_label("target"))
    bottom.set_ylabel(_label("total_wait"))
    bottom.set_xlabel(_label("time_of_day"))
    for ax in (top, bottom):
        ax.axvline(opening_hour + trace.close_seconds / 3600.0, color=MUTED, ls=":", lw=1)
        ax.grid(alpha=0.25)
    bottom.legend(loc="upper left", fontsize=8)
    _persian_axes(top, bottom)
    _titles(fig, top, title_fa, title_en)
    return _render(fig, fmt)


def quantile_wait_histogram(waits_minutes: Sequence[float], target_minutes: float,
                            quantile: float, *, fmt: Format = "svg") -> bytes:
    """How the branches' percentile waits are spread, against the target."""
    fig = Figure(figsize=(8, 4))
    ax = fig.subplots()
    waits = np.asarray([w for w in waits_minutes if not np.isnan(w)], dtype=float)
    cap = max(target_minutes * 3, 1.0)
    shown = np.minimum(waits, cap)  # unbounded waits (no device) land in the last bin
    ax.hist(shown, bins=40, range=(0, cap), color=ACCENT, edgecolor="white")
    ax.axvline(target_minutes, color=WARN, ls="--", lw=1.2, label=_label("target"))
    if persian_font() is not None:
        ax.set_xlabel(shape_persian(render("%(quantile)s wait at the branch (min; last bin ≥ %(cap)s)", {
            "quantile": to_persian_digits(round(quantile * 100)), "cap": _fa_number(cap)}, "fa")))
    else:
        ax.set_xlabel(f"{quantile:.0%} wait at the branch (min; last bin ≥ {cap:g})")
    ax.set_ylabel(_label("branches"))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.25)
    _persian_axes(ax)
    _titles(
        fig,
        ax,
        *both(
            "Distribution of %(quantile)s waits across branches",
            quantile=format(quantile, ".0%"),
            value=to_persian_digits(round(quantile * 100)),
        ),
    )
    return _render(fig, fmt)


def devices_by_area_chart(areas: Sequence[AreaRollup], *, fmt: Format = "svg") -> bytes:
    """Devices required (needed + spares) vs. available for each area."""
    fig = Figure(figsize=(max(8, len(areas) * 0.45), 5.5))
    top, bottom = fig.subplots(2, 1, sharex=True)
    x = np.arange(len(areas))
    w = 0.4
    for ax, kind in ((top, "eboxes"), (bottom, "auth")):
        required = [getattr(a, kind).required for a in areas]
        available = [getattr(a, kind).available for a in areas]
        ax.bar(x - w / 2, required, w, color=INK, label=_label(f"{kind}_required"))
        ax.bar(x + w / 2, available, w, color=MUTED, label=_label(f"{kind}_available"))
        ax.set_ylabel(_label("devices"))
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.25)
    bottom.set_xticks(x, [a.area_code for a in areas], rotation=60, ha="right", fontsize=8)
    _persian_axes(top, bottom, numeric_x=False)
    _titles(fig, top, *both("Devices required vs. available by area"))
    return _render(fig, fmt)
