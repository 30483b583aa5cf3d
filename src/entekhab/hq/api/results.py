"""Results API: public results and turnout; the boards' compute and certification steps.

Reads are public (what the results pages show); writes need a session and the role's
permission, and refuse with the usual ``{"code", "message", "message_fa"}``.
No ``from __future__ import annotations`` (ninja reads the annotations).
"""


from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.security import django_auth

from entekhab.hq.api.api import api
from entekhab.hq.api.schemas import ErrorOut
from entekhab.hq.elections.models import Contest, Election
from entekhab.hq.results.actions import do_certify, do_compute_result
from entekhab.hq.results.models import ResultVersion
from entekhab.hq.results.public import results_for
from entekhab.hq.results.turnout import turnout
from entekhab.i18n import gettext_in

router = Router(tags=["results"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class StepIn(Schema):
    step: str
    reason: str = ""


class ComputeIn(Schema):
    reason: str = ""


def _version_out(v: ResultVersion) -> dict:
    return {"contest": v.contest.code, "version": v.version, "state": v.state, "provisional": v.provisional,
            "sha256": v.sha256, "returned_reason": v.returned_reason}


@router.get("/results/{election}", response={200: dict, **ERRORS}, auth=None)
def results(request, election: str):
    """results.json as it stands: each contest's published result, else its provisional one."""
    return results_for(get_object_or_404(Election, code=election))


@router.get("/results/{election}/contests/{contest}", response={200: dict, **ERRORS}, auth=None)
def contest_result(request, election: str, contest: str):
    data = results_for(get_object_or_404(Election, code=election))
    for entry in data["contests"]:
        if entry["code"] == contest:
            return entry
    return api.create_response(request, {"code": "not_found", "message": "no such contest",
                                         "message_fa": gettext_in("fa", "no such contest")}, status=404)


@router.get("/results/{election}/turnout", response={200: dict, **ERRORS}, auth=None)
def turnout_now(request, election: str):
    return turnout(get_object_or_404(Election, code=election)).as_json()


@router.post("/results/{election}/contests/{contest}/versions", response={200: dict, **ERRORS}, auth=django_auth)
def compute(request, election: str, contest: str, payload: ComputeIn):
    c = get_object_or_404(Contest, election__code=election, code=contest)
    return _version_out(do_compute_result(c, acting_user=request.user, reason=payload.reason))


@router.post("/results/{election}/contests/{contest}/versions/{version}/steps", response={200: dict, **ERRORS},
             auth=django_auth)
def certify(request, election: str, contest: str, version: int, payload: StepIn):
    v = get_object_or_404(ResultVersion, contest__election__code=election, contest__code=contest, version=version)
    return _version_out(do_certify(v, payload.step, acting_user=request.user, reason=payload.reason))


api.add_router("/", router)
