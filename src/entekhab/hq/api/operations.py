"""Operations API: network status and readiness by region, public draws.

Heartbeats are signed device messages (``POST /polling/messages``, kind ``heartbeat``); the old
token route answers 410 and changes nothing. No ``from __future__ import annotations`` (ninja
reads the annotations).
"""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.security import django_auth
from pydantic import Field

from entekhab.hq.api.api import api
from entekhab.hq.api.schemas import ErrorOut
from entekhab.hq.elections.models import Election
from entekhab.hq.operations.actions.network import retired_token_heartbeat
from entekhab.hq.operations.models import Draw
from entekhab.hq.operations.views.dashboard import readiness_rows
from entekhab.hq.operations.views.network import network_rows

router = Router(tags=["operations"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class HeartbeatIn(Schema):
    serial: str = Field(min_length=4, max_length=40)
    token: str = Field(min_length=16, max_length=200)
    report: dict = Field(default_factory=dict, description="battery, queue length, software version…")


class HeartbeatOut(Schema):
    serial: str
    branch: str
    branch_status: str


class DrawOut(Schema):
    subject: str
    stage: str
    seed: str
    seed_commitment: str
    label: str
    digest: str
    drawn_at: str
    placements: int
    reserves: int


@router.post("/devices/heartbeat", response={200: HeartbeatOut, **ERRORS}, auth=None)
def heartbeat(request, payload: HeartbeatIn):
    """Retired: a device's heartbeat is a signed ``heartbeat`` message now (410, nothing stored)."""
    raise retired_token_heartbeat()


@router.get("/operations/{code}/network", response={200: list[dict], **ERRORS}, auth=django_auth)
def network_by_region(request, code: str):
    election = get_object_or_404(Election, code=code)
    if not request.user.has_perm("operations.view_branchnetwork"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return [{"region": c, "name": name, **counts} for c, name, counts in network_rows(election)]


@router.get("/operations/{code}/readiness", response={200: list[dict], **ERRORS}, auth=django_auth)
def readiness_by_region(request, code: str):
    election = get_object_or_404(Election, code=code)
    if not request.user.has_perm("operations.view_inspection"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return [{"region": name, **counts} for name, counts in readiness_rows(election)]


@router.get("/operations/{code}/draws", response={200: list[DrawOut], **ERRORS}, auth=None)
def draws(request, code: str):
    """Public: every draw's seed and result digest, so observers can redo it."""
    election = get_object_or_404(Election, code=code)
    return [{"subject": d.subject, "stage": d.stage, "seed": d.seed, "seed_commitment": d.seed_commitment,
             "label": d.label, "digest": d.digest, "drawn_at": d.drawn_at.isoformat(),
             "placements": len(d.result["placements"]), "reserves": len(d.result["reserves"])}
            for d in Draw.objects.filter(election=election)]


api.add_router("/", router)
