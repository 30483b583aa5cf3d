"""The plan as a PDF (WeasyPrint): Persian, right to left, Vazirmatn TTF embedded, charts as SVG images.

A finished run never changes, so its PDF is rendered once and kept (:mod:`entekhab.hq.web.pdfcache`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from entekhab.hq.web.pdfcache import StoredPdf, stored_pdf

FONTS = Path(__file__).resolve().parents[1] / "static" / "fonts"


def plan_pdf(context: dict[str, Any]) -> StoredPdf:
    html = render_to_string("capacity/plan_pdf.html", {
        **context,
        "font_regular": (FONTS / "Vazirmatn-Regular.ttf").as_uri(),
        "font_bold": (FONTS / "Vazirmatn-Bold.ttf").as_uri(),
    })
    run = context["run"]
    return stored_pdf(html, ("capacity", run.election.code, str(run.pk)), base_url=str(FONTS))
