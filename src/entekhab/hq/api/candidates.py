"""Candidates API: registration, vetting, inquiries, lists, codes, signed manifests, public directory.

Routes parse, authorize and call ``entekhab.hq.candidates.actions``. A refused
registration answers 400 with every failing rule in ``failures``. Registrant actions
(appeal, withdraw, confirm a list place) prove the person with their access key;
staff actions use the session. No ``from __future__ import annotations`` (ninja).
"""


import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from entekhab.domain.eligibility import NotEligible, PostHeld
from entekhab.domain.vetting import APPROVED_STATES
from entekhab.hq.accounts.guard import authorize
from entekhab.hq.api.api import api
from entekhab.hq.api.schemas import ErrorOut
from entekhab.hq.candidates import actions
from entekhab.hq.candidates.manifest import NoManifest, current_manifest
from entekhab.hq.candidates.models import CandidateList, ListState, Party, Registration
from entekhab.hq.elections.models import Contest, Election
from entekhab.i18n import gettext_in

router = Router(tags=["candidates"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PostIn(Schema):
    post: str = Field(..., max_length=60)
    ended: dt.date | None = None


class RegistrationIn(Schema):
    national_code: str = Field(..., max_length=20)
    first_name: str = Field(..., max_length=80)
    last_name: str = Field(..., max_length=80)
    name_en: str = Field("", max_length=160)
    birth_date: dt.date
    sex: str = Field(..., max_length=6)
    residence_area: str = Field(..., max_length=40)
    address: str = Field("", max_length=300)
    degree: int = Field(..., ge=0, le=6)
    field_of_study: str = Field("", max_length=120)
    veteran: bool = False
    occupation: str = Field(..., max_length=160)
    posts: list[PostIn] = Field(default_factory=list, max_length=10)
    attestations: list[str] = Field(default_factory=list, max_length=10)
    certificate_number: str = Field(..., max_length=40)
    certificate_date: dt.date


class RegisteredOut(Schema):
    tracking: str
    access_key: str
    state: str
    contest: str


class FailureOut(Schema):
    rule: str
    version: int
    legal_ref: str
    message_fa: str
    message_en: str


class NotEligibleOut(Schema):
    code: str
    message: str
    message_fa: str
    failures: list[FailureOut]


class TransitionIn(Schema):
    action: str = Field(..., max_length=20)
    reason: str = Field("", max_length=2000)
    access_key: str | None = Field(None, max_length=64)


class InquiryIn(Schema):
    body: str = Field(..., max_length=20)
    answer: str = Field(..., max_length=10)
    note: str = Field("", max_length=1000)


class RegistrationOut(Schema):
    tracking: str
    contest: str
    name: str
    state: str
    code: str | None = None


class ListIn(Schema):
    party_licence: str = Field(..., max_length=40)
    title_fa: str = Field(..., max_length=200)
    title_en: str = Field("", max_length=200)
    members: list[str] = Field(..., max_length=100)


class ListOut(Schema):
    ref: str
    contest: str
    title_fa: str
    party: str
    state: str
    code: str | None = None
    members: list[str]


class AccessIn(Schema):
    access_key: str = Field(..., max_length=64)


class SignedManifestOut(Schema):
    ballot_style: str
    version: int
    sha256: str
    signature: str
    public_key: str
    manifest: dict


class PublishedOut(Schema):
    ballot_style: str
    version: int
    sha256: str


class CandidateFilter(Schema):
    contest: str | None = Field(None, max_length=60)
    q: str | None = Field(None, max_length=100)


def _reg_out(r: Registration) -> dict:
    return {"tracking": r.tracking, "contest": r.contest.code, "name": f"{r.first_name} {r.last_name}",
            "state": r.state, "code": r.code}


def _list_out(lst: CandidateList) -> dict:
    return {"ref": lst.ref, "contest": lst.contest.code, "title_fa": lst.title_fa, "party": lst.party.license_number,
            "state": lst.state, "code": lst.code,
            "members": [m.registration.tracking for m in lst.memberships.select_related("registration")]}


@router.post("/elections/{code}/contests/{contest_code}/registrations",
             response={201: RegisteredOut, 400: NotEligibleOut | ErrorOut, 404: ErrorOut, 422: ErrorOut})
def register(request, code: str, contest_code: str, payload: RegistrationIn):
    """Register a person in a contest (public: the window and the eligibility rules decide)."""
    contest = get_object_or_404(Contest, election__code=code, code=contest_code)
    data = actions.RegistrationInput(
        **payload.dict(exclude={"posts", "attestations"}),
        posts=tuple(PostHeld(p.post, p.ended) for p in payload.posts), attestations=tuple(payload.attestations),
    )
    try:
        reg, key = actions.do_register(contest, data, acting_user=request.user)
    except NotEligible as exc:
        body = exc.as_dict() | {"failures": [f.as_dict() for f in exc.failures]}
        return api.create_response(request, body, status=400)
    return Status(201, {"tracking": reg.tracking, "access_key": key, "state": reg.state, "contest": contest.code})


@router.get("/registrations/{tracking}", response={200: RegistrationOut, **ERRORS}, auth=django_auth)
def get_registration(request, tracking: str):
    reg = get_object_or_404(Registration.objects.select_related("contest__area"), tracking=tracking)
    authorize(request.user, "candidates.view_registration", reg)
    return _reg_out(reg)


@router.post("/registrations/{tracking}/transitions", response={200: RegistrationOut, **ERRORS})
def transition(request, tracking: str, payload: TransitionIn):
    """A vetting step: staff by session and role, the registrant by access key (appeal, withdraw)."""
    if payload.access_key is not None:
        reg = actions.registrant_access(tracking, payload.access_key)
        reg = actions.do_transition(reg, payload.action, registrant=True, reason=payload.reason)
    else:
        if not request.user.is_authenticated:
            return api.create_response(
                request,
                {
                    "code": "unauthenticated",
                    "message": "log in or give the access key",
                    "message_fa": gettext_in("fa", "log in or give the access key"),
                },
                status=401,
            )
        reg = get_object_or_404(Registration, tracking=tracking)
        reg = actions.do_transition(reg, payload.action, acting_user=request.user, reason=payload.reason)
    return _reg_out(reg)


class CorrectionIn(Schema):
    first_name: str | None = Field(None, max_length=80)
    last_name: str | None = Field(None, max_length=80)
    name_en: str | None = Field(None, max_length=160)
    occupation: str | None = Field(None, max_length=160)
    field_of_study: str | None = Field(None, max_length=120)
    reason: str = Field(..., max_length=2000)


@router.patch("/registrations/{tracking}", response={200: RegistrationOut, **ERRORS}, auth=django_auth)
def correct_registration(request, tracking: str, payload: CorrectionIn):
    """HQ corrects a candidate's published details; a final contest's manifests get a new version."""
    reg = get_object_or_404(Registration.objects.select_related("contest"), tracking=tracking)
    changes = payload.dict(exclude_unset=True, exclude={"reason"})
    reg, _ = actions.do_correct_candidate(reg, changes, acting_user=request.user, reason=payload.reason)
    return _reg_out(reg)


@router.post("/registrations/{tracking}/inquiries", response={200: RegistrationOut, **ERRORS}, auth=django_auth)
def record_inquiry(request, tracking: str, payload: InquiryIn):
    reg = get_object_or_404(Registration, tracking=tracking)
    actions.do_record_inquiry(reg, payload.body, payload.answer, note=payload.note, acting_user=request.user)
    return _reg_out(reg)


@router.post("/registrations/{tracking}/confirm-list", response={200: RegistrationOut, **ERRORS})
def confirm_list_place(request, tracking: str, payload: AccessIn):
    reg = actions.registrant_access(tracking, payload.access_key)
    actions.do_confirm_membership(reg, registrant=True)
    return _reg_out(reg)


@router.post("/elections/{code}/contests/{contest_code}/lists", response={201: ListOut, **ERRORS}, auth=django_auth)
def create_list(request, code: str, contest_code: str, payload: ListIn):
    contest = get_object_or_404(Contest, election__code=code, code=contest_code)
    party = get_object_or_404(Party, license_number=payload.party_licence)
    found = {r.tracking: r for r in Registration.objects.filter(contest=contest, tracking__in=payload.members)}
    missing = [t for t in payload.members if t not in found]
    if missing:
        raise actions.CandidacyError(
            "unknown candidates in this contest: %(value)s",
            params={"value": ", ".join(missing[:5])},
            code="unknown_candidate",
        )
    lst = actions.do_create_list(contest, party, title_fa=payload.title_fa, title_en=payload.title_en,
                                 members=[found[t] for t in payload.members], acting_user=request.user)
    return Status(201, _list_out(lst))


@router.post("/lists/{ref}/submit", response={200: ListOut, **ERRORS}, auth=django_auth)
def submit_list(request, ref: str):
    lst = get_object_or_404(CandidateList, ref=ref)
    return _list_out(actions.do_submit_list(lst, acting_user=request.user))


@router.post("/elections/{code}/contests/{contest_code}/finalise", response={200: list[str], **ERRORS},
             auth=django_auth)
def finalise_contest(request, code: str, contest_code: str):
    """Close the contest's candidacy and draw its ballot codes from the published seed."""
    contest = get_object_or_404(Contest, election__code=code, code=contest_code)
    return sorted(c.code for c in actions.do_finalise_contest(contest, acting_user=request.user))


@router.post("/elections/{code}/manifests", response={200: list[PublishedOut], **ERRORS}, auth=django_auth)
def publish(request, code: str):
    election = get_object_or_404(Election, code=code)
    made = actions.do_publish_manifests(election, acting_user=request.user)
    return [{"ballot_style": m.ballot_style.code, "version": m.version, "sha256": m.sha256} for m in made]


@router.get("/elections/{code}/manifests/{style}", response={200: SignedManifestOut, **ERRORS})
def get_manifest(request, code: str, style: str):
    """The current signed manifest of a ballot style: what devices load and the record publishes."""
    election = get_object_or_404(Election, code=code)
    try:
        m = current_manifest(style, election)
    except NoManifest as exc:
        return api.create_response(request, exc.as_dict(), status=404)
    return {"ballot_style": style, "version": m.version, "sha256": m.sha256, "signature": m.signature,
            "public_key": m.public_key, "manifest": m.document()}


@router.get("/elections/{code}/candidates", response={200: list[RegistrationOut], **ERRORS})
def public_candidates(request, code: str, filters: Query[CandidateFilter]):
    """Approved candidates (public): by contest, or by code or name."""
    qs = Registration.objects.filter(election__code=code, state__in=[s.value for s in APPROVED_STATES])
    if filters.contest:
        qs = qs.filter(contest__code=filters.contest)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(ballot_code__code=q) if q.isdigit() else qs.filter(last_name__icontains=q)
    qs = qs.select_related("contest", "ballot_code").order_by("contest__code", "last_name")
    return [_reg_out(r) for r in qs[:1000]]


@router.get("/elections/{code}/lists", response={200: list[ListOut], **ERRORS})
def public_lists(request, code: str, contest: str | None = None):
    qs = CandidateList.objects.filter(contest__election__code=code).exclude(state=ListState.WITHDRAWN)
    if contest:
        qs = qs.filter(contest__code=contest)
    return [_list_out(lst) for lst in qs.select_related("contest", "party", "ballot_code")]


api.add_router("/", router)
