"""A plan run over the small demo election equals the pure planner run on the same loads."""

from __future__ import annotations

import json

import pytest

from entekhab.domain.device_lifecycle import DEVICE, DeviceKind, DeviceState
from entekhab.hq.accounts.roles import Role
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.capacity.actions import do_run_plan
from entekhab.hq.capacity.loads import election_loads
from entekhab.hq.capacity.models import AreaPlan, BranchPlan, PlanRun, PlanScenario
from entekhab.planning.branches import BranchLoad, BranchSet
from entekhab.planning.district import compare_scenarios, plan_district, simulate_district, summarise_plan
from entekhab.planning.export import jsonable
from entekhab.planning.service import TEHRAN_CITY, VILLAGE
from entekhab.planning.validate import PlanningInputError


def expected_loads(election, auth: int = 1, eboxes: int = 1) -> BranchSet:
    """The loads derived here by hand, independently of the app's loader."""
    loads = []
    for b in election.branches.select_related("area", "ballot_style").order_by("number"):
        parts = b.area.path.strip("/").split("/")
        proportional = b.ballot_style.contests.filter(method="proportional-list").exists()
        loads.append(BranchLoad(code=b.code, region_code=parts[3] if len(parts) >= 4 else parts[1],
                                county_code=parts[1], district_code=parts[0], eligible_voters=b.eligible_estimate,
                                ballot=TEHRAN_CITY if proportional else VILLAGE, auth_devices=auth, eboxes=eboxes))
    return BranchSet(loads[0].district_code, tuple(loads))


def test_loads_follow_the_branch_register(election):
    loads = election_loads(election)
    assert loads.branches == expected_loads(election)
    assert loads.inventory_source == "default"
    shapes = {b.ballot.name for b in loads.branches.branches}
    assert shapes == {"tehran-city", "village"}  # the demo has both Tehran and plurality branches


def test_plan_run_equals_the_pure_planner(election, run45, scenario45):
    scenario = scenario45.parsed()
    bs = expected_loads(election)
    plan = plan_district(scenario, bs, workers=1)
    day = simulate_district(scenario, bs, workers=1)
    assert run45.state == "done" and run45.district_code == "P23"
    rows = {b.code: b for b in BranchPlan.objects.filter(run=run45)}
    assert len(rows) == len(plan.branches) == election.branches.count()
    for s, d in zip(plan.branches, day.branches, strict=True):
        row = rows[s.code]
        assert (row.auth_needed, row.eboxes_needed, row.auth_spares, row.ebox_spares) == (
            s.auth_needed, s.eboxes_needed, s.auth_spares, s.ebox_spares)
        assert (row.auth_available, row.eboxes_available, row.analytic_auth, row.analytic_eboxes) == (
            s.auth_available, s.eboxes_available, s.analytic_auth, s.analytic_eboxes)
        assert row.quantile_wait == s.day.quantile_wait_minutes and row.mean_wait == s.day.mean_wait_minutes
        assert row.minimal == s.minimal and row.expected_voters == s.expected_voters
        assert row.inventory_quantile_wait == d.day.quantile_wait_minutes
        assert row.inventory_meets_target == d.day.meets_target
        assert [h["arrivals"] for h in row.hours] == [h.arrivals for h in s.day.hours]
    for level, areas in (("region", plan.regions), ("county", plan.counties), ("district", (plan.district,))):
        stored = {a.area_code: a for a in AreaPlan.objects.filter(run=run45, level=level)}
        assert set(stored) == {a.area_code for a in areas}
        for a in areas:
            row = stored[a.area_code]
            assert (row.auth_required, row.auth_available, row.auth_shortfall, row.auth_to_deliver) == (
                a.auth.required, a.auth.available, a.auth.shortfall, a.auth.to_deliver)
            assert (row.ebox_required, row.ebox_available, row.ebox_shortfall, row.ebox_to_deliver) == (
                a.eboxes.required, a.eboxes.available, a.eboxes.shortfall, a.eboxes.to_deliver)
            assert row.branches_short == a.branches_short and row.worst_quantile_wait == a.worst_quantile_wait_minutes
    summary = jsonable(summarise_plan(plan))
    assert {k: run45.summary[k] for k in summary} == summary
    assert run45.summary["branches_missing_target_with_inventory"] == day.branches_missing_target
    actions = list(AuditEvent.objects.filter(target_id=str(run45.pk), action__startswith="capacity.run")
                   .values_list("action", flat=True))
    assert actions == ["capacity.run.start", "capacity.run.finish"]


S = DeviceState
WAY_TO = {S.ALLOCATED: [S.ALLOCATED], S.DEPLOYED: [S.ALLOCATED, S.DEPLOYED],
          S.FAULTY: [S.ALLOCATED, S.DEPLOYED, S.FAULTY], S.IN_SERVICE: [S.ALLOCATED, S.DEPLOYED, S.IN_SERVICE]}


def test_inventory_comes_from_devices_allocated_by_operations(election, scenario45, make_user):
    from entekhab.hq.operations.models import Device

    first, second = election.branches.order_by("number")[:2]
    auth = list(Device.objects.filter(kind=DeviceKind.AUTHENTICATION, state=DeviceState.TESTED)[:3])
    boxes = list(Device.objects.filter(kind=DeviceKind.EBOX, state=DeviceState.TESTED)[:4])
    for d, branch, state in ((auth[0], first, DeviceState.ALLOCATED), (auth[1], first, DeviceState.DEPLOYED),
                             (auth[2], second, DeviceState.FAULTY), (boxes[0], first, DeviceState.IN_SERVICE),
                             (boxes[1], first, DeviceState.ALLOCATED), (boxes[2], first, DeviceState.ALLOCATED),
                             (boxes[3], second, DeviceState.ALLOCATED)):
        d.branch = branch
        for step in WAY_TO[state]:  # the devices' own lifecycle, as operations would walk it
            DEVICE.move(d, step)
            d.save(update_fields=["branch", "state"])
    loads = election_loads(election)
    assert loads.inventory_source == "allocated"
    by_code = {b.code: b for b in loads.branches.branches}
    assert (by_code[first.code].auth_devices, by_code[first.code].eboxes) == (2, 3)
    assert (by_code[second.code].auth_devices, by_code[second.code].eboxes) == (0, 1)  # a faulty device is not there
    run = do_run_plan(election, scenario45, acting_user=make_user(Role.EXECUTIVE_BOARD))
    assert run.inventory_source == "allocated"
    lacking = BranchPlan.objects.get(run=run, code=second.code)
    assert lacking.inventory_quantile_wait is None and not lacking.inventory_meets_target
    district = AreaPlan.objects.get(run=run, level="district")
    assert district.auth_available == 2 and district.ebox_available == 4


def test_a_district_scope_plans_its_branches_only(election, scenario45, make_user):
    run = do_run_plan(election, scenario45, acting_user=make_user(Role.HQ_ADMIN), scope="P23-D01")
    codes = set(BranchPlan.objects.filter(run=run).values_list("code", flat=True))
    assert codes and codes < set(election.branches.values_list("code", flat=True))
    assert all(b.ballot == "tehran-city" for b in BranchPlan.objects.filter(run=run))
    assert run.district_code == "P23-D01"


@pytest.mark.parametrize("scope", ["P23-D99", "P23-C01"])
def test_unknown_district_is_refused_and_nothing_is_created(election, scenario45, make_user, scope):
    runs = PlanRun.objects.count()
    with pytest.raises(PlanningInputError) as info:
        do_run_plan(election, scenario45, acting_user=make_user(Role.HQ_ADMIN), scope=scope)
    assert info.value.field == "scope" and "حوزه" in info.value.message_fa
    assert PlanRun.objects.count() == runs


def test_a_stored_scenario_naming_a_vanished_branch_is_refused(election, scenario45, make_user):
    PlanScenario.objects.filter(pk=scenario45.pk).update(
        definition={**scenario45.definition, "turnout_overrides": {"GONE-1": 0.5}})
    scenario45.refresh_from_db()
    with pytest.raises(PlanningInputError, match="GONE-1"):
        do_run_plan(election, scenario45, acting_user=make_user(Role.HQ_ADMIN))
    assert not PlanRun.objects.exists()


def test_every_scenario_side_by_side_equals_compare_scenarios(election, client_as):
    client = client_as(Role.EXECUTIVE_BOARD)
    response = client.post("/capacity/1405/runs/", {"scenario": "all", "scope": ""})
    assert response.status_code == 302 and response.url.endswith("/capacity/1405/compare/")
    scenarios = sorted((s.parsed() for s in PlanScenario.objects.filter(election=election)), key=lambda s: s.turnout)
    pure = compare_scenarios(scenarios, expected_loads(election), workers=1)
    api_rows = client.get("/api/v1/capacity/1405/compare").json()
    assert [r["scenario"] for r in api_rows] == [s.scenario_name for s in pure]
    for row, summary in zip(api_rows, pure, strict=True):
        expected = jsonable(summary)
        assert {k: row["summary"][k] for k in expected} == expected
    page = client.get("/capacity/1405/compare/").content.decode()
    for s in pure:
        assert s.scenario_name in page
    # more turnout, more devices
    assert pure[0].eboxes_required < pure[1].eboxes_required < pure[2].eboxes_required


def test_api_runs_a_plan_and_reads_it_back(election, client_as):
    client = client_as(Role.HQ_ADMIN)
    response = client.post("/api/v1/capacity/1405/runs", json.dumps({"scenario": "turnout-25"}),
                           content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "done" and body["regions"]
    again = client.get(f"/api/v1/capacity/1405/runs/{body['id']}").json()
    assert again["summary"] == body["summary"]
    missing = client.post("/api/v1/capacity/1405/runs", json.dumps({"scenario": "nope"}),
                          content_type="application/json")
    assert missing.status_code == 404


def test_pages_show_the_plan(run45, client_as):
    client = client_as(Role.SUPERVISORY_BOARD)
    page = client.get(f"/capacity/1405/runs/{run45.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<svg") >= 2 and "data-testid=\"chart-devices\"" in html
    assert "کسری به تفکیک منطقه" in html and "P23-C01-T01-R01" in html
    busiest = max(run45.branch_plans.all(), key=lambda b: b.expected_voters)
    branch = client.get(f"/capacity/1405/runs/{run45.pk}/branches/{busiest.code}/")
    assert branch.status_code == 200
    body = branch.content.decode()
    assert "chart-day-planned" in body and "chart-day-inventory" in body
    assert client.get(f"/capacity/1405/runs/{run45.pk}/branches/NOPE/").status_code == 404
    assert client.get("/capacity/1405/runs/999999/").status_code == 404


def test_pages_in_english_on_request(run45, client_as):
    client = client_as(Role.OBSERVER)
    client.cookies["django_language"] = "en"
    html = client.get(f"/capacity/1405/runs/{run45.pk}/").content.decode()
    assert 'dir="ltr"' in html and "Shortfall by region" in html and "default inventory policy" in html
    district = AreaPlan.objects.get(run=run45, level="district")
    assert f">{district.ebox_shortfall:,}<" in html  # Latin digits on English pages
