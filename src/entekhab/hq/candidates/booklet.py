"""The printable candidate booklet of a contest: Persian, right to left, with codes and photos (WeasyPrint).

Laying out the Tehran council booklet (≈ 600 candidates with photos) takes seconds, so it is
rendered once per version and kept (:mod:`entekhab.hq.web.pdfcache`); the HTML, cheap to build,
is the version.
"""

from __future__ import annotations

import base64
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from entekhab.domain.vetting import APPROVED_STATES
from entekhab.hq.candidates.models import CandidateList, ListState, Registration
from entekhab.hq.elections.models import Contest
from entekhab.hq.web.pdfcache import StoredPdf, stored_pdf

FONTS = Path(__file__).resolve().parents[1] / "static" / "fonts"


def _photo_uri(reg: Registration) -> str:
    if not reg.photo:
        return ""
    return f"data:{reg.photo_type};base64,{base64.b64encode(bytes(reg.photo)).decode()}"


def _rows(items: list, per_row: int = 3) -> list[list]:
    return [items[i:i + per_row] for i in range(0, len(items), per_row)]


def booklet_html(contest: Contest) -> str:
    states = [s.value for s in APPROVED_STATES]
    lists = list(
        CandidateList.objects.filter(contest=contest)
        .exclude(state=ListState.WITHDRAWN)
        .select_related("party", "ballot_code")
        .order_by("title_fa")
    )
    people = list(
        Registration.objects.filter(contest=contest, state__in=states)
        .select_related("ballot_code", "membership__candidate_list")
        .order_by("last_name", "first_name")
    )
    for r in people:
        r.photo_uri = _photo_uri(r)
    by_list: dict[int, list[Registration]] = {}
    for r in people:
        m = getattr(r, "membership", None)
        if m is not None:
            by_list.setdefault(m.candidate_list_id, []).append(r)
    for lst in lists:
        lst.rows = _rows(sorted(by_list.get(lst.pk, []), key=lambda r: r.membership.position))
    independents = [r for r in people if getattr(r, "membership", None) is None]
    with translation.override("fa"):
        return render_to_string(
            "candidates/booklet.html",
            {
                "contest": contest,
                "lists": lists,
                "independents": independents,
                "independent_rows": _rows(independents),
                "n": len(people),
                "font_regular": (FONTS / "Vazirmatn-Regular.ttf").as_uri(),
                "font_bold": (FONTS / "Vazirmatn-Bold.ttf").as_uri(),
            },
        )


def booklet_pdf(contest: Contest) -> StoredPdf:
    """This version of the contest's booklet, rendered only if no earlier request did."""
    return stored_pdf(booklet_html(contest), ("booklet", contest.election.code, contest.code), base_url=str(FONTS))
