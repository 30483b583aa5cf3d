"""The plan as a PDF (WeasyPrint): Persian, right to left, Vazirmatn TTF embedded, charts as SVG images."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

FONTS = Path(__file__).resolve().parents[1] / "static" / "fonts"


def plan_pdf(context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string("capacity/plan_pdf.html", {
        **context,
        "font_regular": (FONTS / "Vazirmatn-Regular.ttf").as_uri(),
        "font_bold": (FONTS / "Vazirmatn-Bold.ttf").as_uri(),
    })
    return HTML(string=html, base_url=str(FONTS)).write_pdf()
