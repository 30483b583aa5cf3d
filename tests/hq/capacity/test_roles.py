"""Roles through the real views and API: hq_admin and executive_board edit and run, every other role views."""

from __future__ import annotations

import json

import pytest

from entekhab.hq.accounts.roles import Role
from entekhab.hq.capacity.models import PlanRun, PlanScenario

EDITORS = [Role.HQ_ADMIN, Role.EXECUTIVE_BOARD]
VIEWERS = [r for r in Role if r not in EDITORS]


@pytest.mark.parametrize("role", VIEWERS)
def test_viewers_see_but_cannot_edit_or_run(role, client_as, run45, scenario45):
    client = client_as(role)
    assert client.get("/capacity/1405/").status_code == 200
    assert client.get(f"/capacity/1405/runs/{run45.pk}/").status_code == 200
    assert client.get("/capacity/1405/compare/").status_code == 200
    runs, scenarios = PlanRun.objects.count(), PlanScenario.objects.count()
    assert client.post("/capacity/1405/runs/", {"scenario": scenario45.pk}).status_code == 403
    assert client.get("/capacity/1405/scenarios/new/").status_code == 403
    assert client.post("/capacity/1405/scenarios/new/", {"name": "x", "turnout_percent": "40"}).status_code == 403
    assert client.post(f"/capacity/1405/scenarios/{scenario45.pk}/", {"name": "x"}).status_code == 403
    assert client.post("/capacity/1405/scenarios/seed/").status_code == 403
    api = client.post("/api/v1/capacity/1405/scenarios", json.dumps({"definition": {"name": "x", "turnout": 0.4}}),
                      content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "forbidden"
    api_run = client.post("/api/v1/capacity/1405/runs", json.dumps({"scenario": "turnout-45"}),
                          content_type="application/json")
    assert api_run.status_code == 403
    assert (PlanRun.objects.count(), PlanScenario.objects.count()) == (runs, scenarios)
    assert "run-form" not in client.get("/capacity/1405/").content.decode()


@pytest.mark.parametrize("role", EDITORS)
def test_editors_run_plans_from_the_page(role, client_as, scenario45):
    client = client_as(role)
    assert "run-form" in client.get("/capacity/1405/").content.decode()
    response = client.post("/capacity/1405/runs/", {"scenario": scenario45.pk, "scope": ""})
    assert response.status_code == 302
    run = PlanRun.objects.get()
    assert run.state == "done" and run.started_by.username == f"u-{role.value}"


def test_editor_sees_refusals_on_the_page(client_as, scenario45):
    client = client_as(Role.HQ_ADMIN)
    bad_scope = client.post("/capacity/1405/runs/", {"scenario": scenario45.pk, "scope": "NOWHERE"})
    assert bad_scope.status_code == 400 and "حوزهٔ انتخابیهٔ ناشناخته" in bad_scope.content.decode()
    no_scenario = client.post("/capacity/1405/runs/", {"scenario": "abc"})
    assert no_scenario.status_code == 400 and "سناریویی ذخیره‌شده انتخاب کنید" in no_scenario.content.decode()
    assert not PlanRun.objects.exists()


def test_anonymous_is_sent_to_login(client, run45):
    response = client.get(f"/capacity/1405/runs/{run45.pk}/")
    assert response.status_code == 302 and "/login/" in response.url
    assert client.get("/api/v1/capacity/1405/scenarios").status_code == 401


def test_seed_adds_only_missing_defaults(client_as, election):
    client = client_as(Role.EXECUTIVE_BOARD)
    assert "seed-form" not in client.get("/capacity/1405/").content.decode()
    PlanScenario.objects.filter(election=election, name="turnout-25").delete()
    assert "seed-form" in client.get("/capacity/1405/").content.decode()
    assert client.post("/capacity/1405/scenarios/seed/").status_code == 302
    assert client.post("/capacity/1405/scenarios/seed/").status_code == 302
    assert sorted(PlanScenario.objects.filter(election=election).values_list("name", flat=True)) == [
        "turnout-25", "turnout-45", "turnout-70"]
