"""Routes: parse, authorize, call an action; no business logic here.

No ``from __future__ import annotations``: django-ninja reads the annotations at import.
"""


from django.db.models import Count
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth

from entekhab.domain.national_code import parse_national_code
from entekhab.hq.api.api import api
from entekhab.hq.api.schemas import (
    AreaOut,
    BallotStyleOut,
    BranchOut,
    ContestOut,
    ContestPatch,
    ElectionOut,
    ErrorOut,
    NationalCodeIn,
    NationalCodeOut,
)
from entekhab.hq.elections.actions import do_update_contest
from entekhab.hq.elections.models import BallotStyle, Branch, Contest, Election
from entekhab.hq.geography.models import Area, AreaKind

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
router = Router()


def _election(code: str) -> Election:
    return get_object_or_404(Election, code=code)


def _contest_out(c: Contest) -> dict:
    return {
        "code": c.code, "office": c.office, "method": c.method, "area": c.area.code,
        "name_fa": c.name_fa, "name_en": c.name_en, "seats": c.seats, "alternates": c.alternates,
        "is_by_election": c.is_by_election, "list_mix_policy": c.list_mix_policy,
        "alternates_policy": c.alternates_policy, "codes_allowed": c.codes_allowed,
    }


@router.get("/elections", response=list[ElectionOut], tags=["elections"])
def list_elections(request):
    return list(Election.objects.all())


@router.get("/elections/{code}", response={200: ElectionOut, **ERRORS}, tags=["elections"])
def get_election(request, code: str):
    return _election(code)


@router.get("/elections/{code}/contests", response={200: list[ContestOut], **ERRORS}, tags=["elections"])
def list_contests(request, code: str):
    return [_contest_out(c) for c in _election(code).contests.select_related("area")]


@router.patch(
    "/elections/{code}/contests/{contest_code}",
    response={200: ContestOut, **ERRORS},
    auth=django_auth,
    tags=["elections"],
)
def patch_contest(request, code: str, contest_code: str, payload: ContestPatch):
    contest = get_object_or_404(Contest, election__code=code, code=contest_code)
    changes = payload.dict(exclude_unset=True, exclude={"reason"})
    updated = do_update_contest(contest, changes, acting_user=request.user, reason=payload.reason)
    return _contest_out(updated)


class BranchFilter(Schema):
    area: str | None = None


@router.get("/elections/{code}/branches", response={200: list[BranchOut], **ERRORS}, tags=["branches"])
@paginate(PageNumberPagination, page_size=100)
def list_branches(request, code: str, filters: Query[BranchFilter]):
    qs = Branch.objects.filter(election=_election(code)).select_related("area", "ballot_style")
    if filters.area:
        area = get_object_or_404(Area, code=filters.area)
        qs = qs.filter(area__path__startswith=area.path)
    return [
        {
            "code": b.code, "number": b.number, "area": b.area.code, "venue_type": b.venue_type,
            "venue_name": b.venue_name, "is_mobile": b.is_mobile, "is_urban": b.is_urban,
            "eligible_estimate": b.eligible_estimate,
            "ballot_style": b.ballot_style.code if b.ballot_style else None,
        }
        for b in qs
    ]


@router.get("/elections/{code}/ballot-styles", response={200: list[BallotStyleOut], **ERRORS}, tags=["elections"])
def list_ballot_styles(request, code: str):
    styles = (
        BallotStyle.objects.filter(election=_election(code))
        .annotate(n=Count("branches"))
        .prefetch_related("contests")
        .order_by("code")
    )
    return [{"code": s.code, "contests": sorted(c.code for c in s.contests.all()), "branches": s.n} for s in styles]


class AreaFilter(Schema):
    kind: AreaKind | None = None
    parent: str | None = None


@router.get("/areas", response={200: list[AreaOut], **ERRORS}, tags=["geography"])
@paginate(PageNumberPagination, page_size=200)
def list_areas(request, filters: Query[AreaFilter]):
    qs = Area.objects.select_related("parent")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.parent:
        qs = qs.filter(parent__code=filters.parent)
    return [
        {"code": a.code, "kind": a.kind, "name_fa": a.name_fa, "name_en": a.name_en,
         "parent": a.parent.code if a.parent else None, "population": a.population}
        for a in qs
    ]


@router.post("/national-codes/check", response={200: NationalCodeOut, **ERRORS}, tags=["identity"])
def check_national_code(request, payload: NationalCodeIn):
    """Validate a national code's form and check digit (not whether the person exists)."""
    return {"valid": True, "code": parse_national_code(payload.code)}


api.add_router("/", router)
