"""Printable documents (decrees, rosters) with WeasyPrint: Persian, right to left, Vazirmatn embedded.

Each is rendered once per version and kept (:mod:`entekhab.hq.web.pdfcache`); only the
signed-in roles that may see it get it (``Cache-Control: private``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from entekhab.hq.web.pdfcache import cached_pdf_response

FONTS = Path(__file__).resolve().parents[1] / "static" / "fonts"


def render_pdf(request: HttpRequest, template: str, context: dict, filename: str,
               document: Sequence[str]) -> HttpResponse:
    html = render_to_string(
        template,
        {
            **context,
            "font_regular": (FONTS / "Vazirmatn-Regular.ttf").as_uri(),
            "font_bold": (FONTS / "Vazirmatn-Bold.ttf").as_uri(),
        },
    )
    return cached_pdf_response(request, html, document, filename, public=False, base_url=str(FONTS))
