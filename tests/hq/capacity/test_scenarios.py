"""Scenarios through the form and the API: bad input is refused in Persian with its field, nothing saved."""

from __future__ import annotations

import json

import pytest

from entekhab.hq.accounts.roles import Role
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.capacity.models import PlanScenario

GOOD_FORM = {
    "name": "turnout-55", "turnout_percent": "55", "profile": "official", "opening_hour": "8", "weights": "",
    "quantile_percent": "95", "max_wait_minutes": "30", "reserve_percent": "12", "reserve_pooled": "on",
    "per_code_seconds": "7", "devices_ready_minutes": "0", "seed": "1405", "replications": "3",
    "turnout_overrides": "", "advanced": "",
}


def test_defaults_are_seeded(election):
    rows = {s.name: s.parsed() for s in PlanScenario.objects.filter(election=election)}
    assert {n: sc.turnout for n, sc in rows.items()} == {"turnout-25": 0.25, "turnout-45": 0.45, "turnout-70": 0.7}


def test_form_saves_a_valid_scenario_with_audit(client_as, election):
    client = client_as(Role.HQ_ADMIN)
    events = AuditEvent.objects.count()
    form = {**GOOD_FORM, "profile": "custom", "weights": "14, 11, 9, 8, 7, 7, 8, 10, 12, 14, 6",
            "turnout_overrides": f"{election.branches.first().code} 80"}
    response = client.post("/capacity/1405/scenarios/new/", form)
    assert response.status_code == 302
    saved = PlanScenario.objects.get(election=election, name="turnout-55")
    sc = saved.parsed()
    assert sc.turnout == pytest.approx(0.55)
    assert sc.profile.hours == 11 and sc.profile.weights[-1] == 6
    assert sc.turnout_for(election.branches.first().code) == pytest.approx(0.8)
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.order_by("-id").first().action == "capacity.scenario.save"


@pytest.mark.parametrize(
    ("changes", "field", "path"),
    [
        ({"turnout_percent": "-5"}, "turnout_percent", "scenario.turnout"),
        ({"turnout_percent": "120"}, "turnout_percent", "scenario.turnout"),
        ({"profile": "custom", "weights": "14, -11, 9"}, "weights", "scenario.profile.weights[1]"),
        ({"profile": "custom", "weights": ""}, "weights", "scenario.profile.weights"),
        ({"per_code_seconds": "-7"}, "per_code_seconds", "scenario.ballot_timing.per_code_seconds"),
        ({"max_wait_minutes": "0"}, "max_wait_minutes", "scenario.target.max_wait_minutes"),
        ({"quantile_percent": "100"}, "quantile_percent", "scenario.target.quantile"),
        ({"turnout_overrides": "NO-SUCH-BRANCH 50"}, "turnout_overrides", "scenario.turnout_overrides.NO-SUCH-BRANCH"),
        ({"turnout_overrides": "X"}, "turnout_overrides", "scenario.turnout_overrides"),
        ({"advanced": '{"authentication": {"model": "teleport"}}'}, "advanced", "scenario.authentication.model"),
        ({"advanced": "{not json"}, "advanced", "JSON"),
        ({"name": "turnout-45"}, "name", "scenario.name"),
    ],
)
def test_form_refuses_bad_input_in_persian_and_saves_nothing(client_as, election, changes, field, path):
    client = client_as(Role.EXECUTIVE_BOARD)
    before = list(PlanScenario.objects.filter(election=election).values_list("name", "definition"))
    events = AuditEvent.objects.count()
    response = client.post("/capacity/1405/scenarios/new/", {**GOOD_FORM, **changes})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    message = " ".join(errors[field])
    assert path in message
    assert any("\u0600" <= ch <= "\u06ff" for ch in message), message  # Persian, not only English
    assert "سناریو ذخیره نشد" in response.content.decode()
    assert list(PlanScenario.objects.filter(election=election).values_list("name", "definition")) == before
    assert AuditEvent.objects.count() == events


def test_edit_replaces_the_scenario_and_refusal_keeps_the_old_one(client_as, election):
    client = client_as(Role.HQ_ADMIN)
    row = PlanScenario.objects.get(election=election, name="turnout-70")
    page = client.get(f"/capacity/1405/scenarios/{row.pk}/")
    assert page.status_code == 200 and page.context["form"].initial["turnout_percent"] == 70
    bad = client.post(f"/capacity/1405/scenarios/{row.pk}/", {**GOOD_FORM, "name": "turnout-70",
                                                              "turnout_percent": "170"})
    assert bad.status_code == 400
    row.refresh_from_db()
    assert row.definition["turnout"] == 0.7
    good = client.post(f"/capacity/1405/scenarios/{row.pk}/", {**GOOD_FORM, "name": "turnout-70",
                                                               "turnout_percent": "68"})
    assert good.status_code == 302
    row.refresh_from_db()
    assert row.definition["turnout"] == pytest.approx(0.68)


def _api_post(client, body):
    return client.post("/api/v1/capacity/1405/scenarios", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("definition", "path"),
    [
        ({"name": "neg", "turnout": -0.2}, "scenario.turnout"),
        ({"name": "over", "turnout": 1.3}, "scenario.turnout"),
        ({"name": "empty", "turnout": 0.4, "profile": {"weights": []}}, "scenario.profile.weights"),
        ({"name": "negw", "turnout": 0.4, "profile": {"weights": [3, -1]}}, "scenario.profile.weights[1]"),
        ({"name": "unk", "turnout": 0.4, "turnout_overrides": {"ZZ-404": 0.5}}, "scenario.turnout_overrides.ZZ-404"),
        ({"name": "typo", "turnout": 0.4, "turnuot": 0.5}, "scenario.turnuot"),
        ({"name": "x" * 81, "turnout": 0.4}, "scenario.name"),
        ({"name": "   ", "turnout": 0.4}, "scenario.name"),
        ({"name": "bool", "turnout": True}, "scenario.turnout"),
        ({"name": "seed", "turnout": 0.4, "seed": 1e30}, "scenario.seed"),
        ({"name": "rate", "turnout": 0.4, "authentication": {"model": "distribution", "kind": "gamma",
                                                             "mean_seconds": -3, "cv": 0.5}},
         "scenario.authentication.mean_seconds"),
    ],
)
def test_api_refuses_bad_scenarios(client_as, election, definition, path):
    client = client_as(Role.HQ_ADMIN)
    count = PlanScenario.objects.count()
    response = _api_post(client, {"definition": definition})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_planning_input"
    assert body["message_fa"].startswith(path) and body["message"].startswith(path)
    assert PlanScenario.objects.count() == count


def test_api_creates_and_lists(client_as, election):
    client = client_as(Role.HQ_ADMIN)
    response = _api_post(client, {"definition": {"name": "api-50", "turnout": 0.5, "profile": "extended"}})
    assert response.status_code == 201
    assert response.json()["definition"]["profile"]["name"] == "extended"
    names = [s["name"] for s in client.get("/api/v1/capacity/1405/scenarios").json()]
    assert "api-50" in names and "turnout-45" in names
    again = _api_post(client, {"definition": {"name": "api-50", "turnout": 0.6}})
    assert again.status_code == 400 and again.json()["code"] == "scenario_name_taken"


@pytest.mark.parametrize("definition", [
    {"name": "rt-custom", "turnout": 0.37, "profile": {"opening_hour": 7, "weights": [5, 4, 3, 3, 4, 6]},
     "authentication": {"model": "distribution", "kind": "gamma", "mean_seconds": 35, "cv": 0.5},
     "ballot_timing": {"per_code_seconds": 5.5, "confirm_seconds": 6}, "reserve": {"percent": 20, "pooled": False},
     "target": {"quantile": 0.9, "max_wait_minutes": 20}, "seed": 7, "replications": 2,
     "devices_ready_minutes": 30},
    {"name": "rt-default", "turnout": 0.45},
])
def test_the_form_shows_and_saves_a_scenario_unchanged(client_as, election, definition):
    from django.contrib.auth.models import User

    from entekhab.hq.capacity.actions import do_save_scenario

    client = client_as(Role.HQ_ADMIN)
    row = do_save_scenario(election, definition, acting_user=User.objects.get(username="u-hq_admin"))
    stored = dict(row.definition)
    form = client.get(f"/capacity/1405/scenarios/{row.pk}/").context["form"]
    data = {k: ("on" if v is True else "" if v is False or v is None else v) for k, v in form.initial.items()}
    if data.get("reserve_pooled") == "":
        data.pop("reserve_pooled")
    response = client.post(f"/capacity/1405/scenarios/{row.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors
    row.refresh_from_db()
    assert row.definition == stored
