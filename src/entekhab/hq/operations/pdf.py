"""Printable documents (decrees, rosters) with WeasyPrint: Persian, right to left, Vazirmatn embedded."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpResponse
from django.template.loader import render_to_string

FONTS = Path(__file__).resolve().parents[1] / "static" / "fonts"


def render_pdf(template: str, context: dict, filename: str) -> HttpResponse:
    from weasyprint import HTML

    html = render_to_string(
        template,
        {
            **context,
            "font_regular": (FONTS / "Vazirmatn-Regular.ttf").as_uri(),
            "font_bold": (FONTS / "Vazirmatn-Bold.ttf").as_uri(),
        },
    )
    pdf = HTML(string=html, base_url=str(FONTS)).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
