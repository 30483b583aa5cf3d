"""Permissions are enforced through the real views (admin and API), not just hidden menus."""

from __future__ import annotations

import json

import pytest

from entekhab.hq.accounts.roles import Role, sync_roles
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.elections.models import Branch, Contest


def _contest_form(contest: Contest, **changes) -> dict:
    data = {
        "election": contest.election_id, "code": contest.code, "office": contest.office,
        "method": contest.method, "area": contest.area_id, "name_fa": contest.name_fa,
        "name_en": contest.name_en, "seats": contest.seats, "alternates": contest.alternates,
        "list_mix_policy": contest.list_mix_policy, "alternates_policy": contest.alternates_policy,
        "max_codes": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def contest(election):
    return Contest.objects.get(election=election, code="council-tehran")


def test_operator_cannot_edit_a_contest_in_the_admin(client_as, contest):
    client = client_as(Role.OPERATOR)
    url = f"/admin/elections/contest/{contest.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and b'name="seats"' not in page.content  # view-only page
    response = client.post(url, _contest_form(contest, seats=5))
    assert response.status_code == 403
    contest.refresh_from_db()
    assert contest.seats == 21


def test_observer_cannot_change_or_add_anything(client_as, election, contest):
    client = client_as(Role.OBSERVER)
    branch = Branch.objects.filter(election=election).first()
    assert client.post(f"/admin/elections/branch/{branch.pk}/change/", {"venue_name": "x"}).status_code == 403
    assert client.post("/admin/elections/branch/add/", {}).status_code == 403
    assert client.post(f"/admin/elections/contest/{contest.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/auth/user/").status_code == 403
    assert Contest.objects.filter(pk=contest.pk).exists()


@pytest.mark.election_state("registration")
def test_the_back_office_cannot_bypass_the_contest_freeze(client_as, contest):
    """Contests change only through ``do_update_contest``: the admin form is read-only, even before the freeze."""
    client = client_as(Role.EXECUTIVE_BOARD)
    before = AuditEvent.objects.count()
    response = client.post(f"/admin/elections/contest/{contest.pk}/change/", _contest_form(contest, alternates=10))
    assert response.status_code == 403
    contest.refresh_from_db()
    assert contest.alternates == 11 and AuditEvent.objects.count() == before


def test_a_contest_is_frozen_once_the_lists_are_final(client, make_user, contest):
    client.force_login(make_user(Role.EXECUTIVE_BOARD))
    response = client.patch(f"/api/v1/elections/1405/contests/{contest.code}",
                            json.dumps({"seats": 25, "reason": "late change"}), content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "election_state"
    assert "قطعی شدن فهرست‌ها" in response.json()["message_fa"]
    contest.refresh_from_db()
    assert contest.seats == 21


@pytest.mark.election_state("registration")
def test_api_patch_contest_by_role(client, make_user, contest):
    url = f"/api/v1/elections/1405/contests/{contest.code}"
    body = json.dumps({"alternates": 9, "reason": "board resolution 12"})
    anonymous = client.patch(url, body, content_type="application/json")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"

    client.force_login(make_user(Role.OPERATOR))
    refused = client.patch(url, body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["message_fa"]
    contest.refresh_from_db()
    assert contest.alternates == 11

    client.force_login(make_user(Role.EXECUTIVE_BOARD))
    ok = client.patch(url, body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["alternates"] == 9
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "contest.update" and event.reason == "board resolution 12"
    assert event.before["alternates"] == 11 and event.after["alternates"] == 9


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"seats": 0}, 422, "validation_error"),
        ({"seats": -3}, 422, "validation_error"),
        ({"seats": "many"}, 422, "validation_error"),
        ({"max_codes": 30}, 400, "invalid_contest"),
        ({"list_mix_policy": "anything"}, 400, "invalid_contest"),
        ({"reason": "x" * 5000}, 422, "validation_error"),
    ],
)
@pytest.mark.election_state("registration")
def test_api_patch_contest_bad_input_changes_nothing(client, make_user, contest, payload, status, code):
    client.force_login(make_user(Role.EXECUTIVE_BOARD))
    before = AuditEvent.objects.count()
    response = client.patch(f"/api/v1/elections/1405/contests/{contest.code}", json.dumps(payload),
                            content_type="application/json")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    contest.refresh_from_db()
    assert (contest.seats, contest.max_codes, contest.list_mix_policy) == (21, None, "forbidden")
    assert AuditEvent.objects.count() == before


def test_role_table_is_reapplied_exactly(db):
    groups = sync_roles()
    operator = {p.codename for p in groups[Role.OPERATOR].permissions.all()}
    assert "change_contest" not in operator and "view_contest" in operator
    observer = {p.codename for p in groups[Role.OBSERVER].permissions.all()}
    assert observer and all(c.startswith("view_") for c in observer)
