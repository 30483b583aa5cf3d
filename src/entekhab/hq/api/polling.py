"""Polling-day API: device enrolment and signed device messages; staff enrolment codes and paper counts.

Device endpoints are authenticated by Ed25519 signatures, not sessions; every refusal
has the usual error shape, with 409 for a replay (carrying the ``original`` answer) and
for a voter who already voted. No ``from __future__ import annotations`` (ninja).
"""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.security import django_auth

from entekhab.domain.errors import DomainError
from entekhab.hq.api.api import api
from entekhab.hq.api.schemas import ErrorOut
from entekhab.hq.elections.models import Branch
from entekhab.hq.polling import actions
from entekhab.hq.polling.endpoint import handle_raw, refusal_body
from entekhab.hq.polling.models import BranchReport
from entekhab.hq.web.edge import read_json

router = Router(tags=["polling"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut,
          503: ErrorOut}


def _json_body(request) -> object:
    """The strict edge reader: no floats, bounded integers and depth, no NUL (refusals keep their 4xx status)."""
    return read_json(request.body)


def _refusal(request, exc: DomainError):
    status, body = refusal_body(exc)
    return api.create_response(request, body, status=status)


@router.post("/polling/enrol", response={200: dict, **ERRORS}, auth=None)
def enrol(request):
    try:
        return actions.enrol_device(_json_body(request))
    except DomainError as exc:
        return _refusal(request, exc)


@router.post("/polling/messages", response={200: dict, **ERRORS}, auth=None)
def message(request):
    status, body = handle_raw(request.body)
    response = api.create_response(request, body, status=status)
    if status == 503:
        response["Retry-After"] = "5"
    return response


class EnrolmentIn(Schema):
    branch: str
    serial: str
    role: str
    election: str


@router.post("/polling/enrolments", response={200: dict, **ERRORS}, auth=django_auth)
def create_enrolment(request, payload: EnrolmentIn):
    branch = get_object_or_404(Branch, election__code=payload.election, code=payload.branch)
    enrolment, code = actions.do_create_enrolment(branch, serial=payload.serial, role=payload.role,
                                                  acting_user=request.user)
    return {"serial": enrolment.serial, "branch": branch.code, "role": enrolment.role, "code": code}


class PaperIn(Schema):
    election: str
    branch: str
    counts: dict
    reason: str = ""  # required (and audited) when the branch has no check-ins, or fewer than the ballots


@router.post("/polling/paper", response={200: dict, **ERRORS}, auth=django_auth)
def paper(request, payload: PaperIn):
    branch = get_object_or_404(Branch, election__code=payload.election, code=payload.branch)
    report = actions.do_enter_paper_counts(branch, payload.counts, acting_user=request.user, reason=payload.reason)
    return {"confirmed": report is not None, "report": report.sha256 if report else None}


@router.get("/polling/elections/{election}/branches/{branch}/report", response={200: dict, **ERRORS}, auth=None)
def branch_report(request, election: str, branch: str):
    """The stored electronic branch report, as signed by the e-box (anyone may compare it with the door copy)."""
    report = get_object_or_404(BranchReport, branch__election__code=election, branch__code=branch,
                               source="electronic")
    return report.document


api.add_router("/", router)
