"""Capacity planning API: scenarios (read, create, replace), plan runs (start, read), the comparison.

Refusals of the scenario parser come back as 400 ``{"code", "message", "message_fa"}``
with the field's path at the start of both messages. No ``from __future__ import
annotations`` (ninja reads the annotations).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.security import django_auth

from entekhab.hq.api.api import api
from entekhab.hq.api.schemas import ErrorOut
from entekhab.hq.capacity.actions import do_run_plan, do_save_scenario, latest_runs_by_scenario
from entekhab.hq.capacity.models import PlanRun, PlanScenario
from entekhab.hq.elections.models import Election

router = Router(tags=["capacity"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ScenarioIn(Schema):
    definition: dict[str, Any]
    reason: str = ""


class ScenarioOut(Schema):
    id: int
    name: str
    definition: dict[str, Any]


class RunIn(Schema):
    scenario: str
    scope: str = ""


class RunOut(Schema):
    id: int
    scenario: str
    state: str
    district_code: str
    inventory_source: str
    summary: dict[str, Any]
    regions: list[dict[str, Any]] = []
    error: str = ""
    error_fa: str = ""


def _election(request, code: str, perm: str) -> Election:
    if not request.user.has_perm(perm):
        raise PermissionDenied(perm)
    return get_object_or_404(Election, code=code)


def _scenario_out(s: PlanScenario) -> dict:
    return {"id": s.pk, "name": s.name, "definition": s.definition}


def _run_out(r: PlanRun, with_areas: bool = False) -> dict:
    regions = []
    if with_areas and r.is_done:
        regions = [
            {"region": a.area_code, "branches": a.branches, "auth_required": a.auth_required,
             "auth_available": a.auth_available, "auth_shortfall": a.auth_shortfall,
             "eboxes_required": a.ebox_required, "eboxes_available": a.ebox_available,
             "ebox_shortfall": a.ebox_shortfall, "branches_short": a.branches_short}
            for a in r.area_plans.filter(level="region")
        ]
    return {"id": r.pk, "scenario": r.scenario_name, "state": r.state, "district_code": r.district_code,
            "inventory_source": r.inventory_source, "summary": r.summary, "regions": regions,
            "error": r.error_en, "error_fa": r.error_fa}


@router.get("/capacity/{code}/scenarios", response={200: list[ScenarioOut], **ERRORS}, auth=django_auth)
def list_scenarios(request, code: str):
    election = _election(request, code, "capacity.view_planscenario")
    return [_scenario_out(s) for s in PlanScenario.objects.filter(election=election)]


@router.post("/capacity/{code}/scenarios", response={201: ScenarioOut, **ERRORS}, auth=django_auth)
def create_scenario(request, code: str, payload: ScenarioIn):
    election = _election(request, code, "capacity.add_planscenario")
    row = do_save_scenario(election, payload.definition, acting_user=request.user, reason=payload.reason)
    return 201, _scenario_out(row)


@router.put("/capacity/{code}/scenarios/{pk}", response={200: ScenarioOut, **ERRORS}, auth=django_auth)
def replace_scenario(request, code: str, pk: int, payload: ScenarioIn):
    election = _election(request, code, "capacity.change_planscenario")
    row = get_object_or_404(PlanScenario, pk=pk, election=election)
    return _scenario_out(do_save_scenario(election, payload.definition, acting_user=request.user, scenario=row,
                                          reason=payload.reason))


@router.post("/capacity/{code}/runs", response={201: RunOut, **ERRORS}, auth=django_auth)
def start_run(request, code: str, payload: RunIn):
    """Run the plan (synchronously for small elections; poll ``GET .../runs/{id}`` otherwise)."""
    election = _election(request, code, "capacity.run_plan")
    scenario = get_object_or_404(PlanScenario, election=election, name=payload.scenario)
    run = do_run_plan(election, scenario, acting_user=request.user, scope=payload.scope)
    return 201, _run_out(run, with_areas=True)


@router.get("/capacity/{code}/runs/{pk}", response={200: RunOut, **ERRORS}, auth=django_auth)
def get_run(request, code: str, pk: int):
    election = _election(request, code, "capacity.view_planrun")
    return _run_out(get_object_or_404(PlanRun, pk=pk, election=election), with_areas=True)


@router.get("/capacity/{code}/compare", response={200: list[RunOut], **ERRORS}, auth=django_auth)
def compare(request, code: str):
    """The latest finished run of each saved scenario, side by side."""
    election = _election(request, code, "capacity.view_planrun")
    return [_run_out(r) for r in latest_runs_by_scenario(election)]


api.add_router("/", router)
