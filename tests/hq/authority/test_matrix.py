"""Role × action × own and other area: every refusal is a 403 and changes nothing (issue 13).

People are appointed the way the law places them: an executive board and a supervisory
board for county C02 and for county C03, a branch head and an operator for one branch
each, and HQ for the whole election. Each action is tried by every one of them on an
object in C02; only the roles the table names, appointed where the object lies, succeed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied

from entekhab.hq.accounts.roles import Role
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.elections.models import Branch, Contest
from entekhab.hq.geography.models import Area
from tests.hq.conftest import appoint, set_state

PEOPLE = {
    "hq": (Role.HQ_ADMIN, None),
    "exec-c02": (Role.EXECUTIVE_BOARD, "P23-C02"),
    "exec-c03": (Role.EXECUTIVE_BOARD, "P23-C03"),
    "super-c02": (Role.SUPERVISORY_BOARD, "P23-C02"),
    "super-c03": (Role.SUPERVISORY_BOARD, "P23-C03"),
    "head-own": (Role.BRANCH_HEAD, "own-branch"),
    "head-other": (Role.BRANCH_HEAD, "other-branch"),
    "operator-own": (Role.OPERATOR, "own-branch"),
    "observer": (Role.OBSERVER, None),
    "users": (Role.USER_ADMIN, None),
}


def _person(name, role, *, area=None, branch=None):
    """A user without a password (hashing ten per test would dominate the matrix), appointed."""
    from django.contrib.auth.models import User

    return appoint(User.objects.create(username=name, is_staff=True), role, area=area, branch=branch)


@pytest.fixture
def world(election):
    contest = Contest.objects.get(election=election, code="council-p23-c02-t02")
    own = Branch.objects.filter(election=election, area__path__startswith=contest.area.path,
                                ballot_style__isnull=False).order_by("number").first()
    other = Branch.objects.filter(election=election, area__path__startswith="/P23/P23-C03/",
                                  ballot_style__isnull=False).order_by("number").first()
    people = {}
    for name, (role, where) in PEOPLE.items():
        if where == "own-branch":
            people[name] = _person(name, role, branch=own)
        elif where == "other-branch":
            people[name] = _person(name, role, branch=other)
        else:
            people[name] = _person(name, role, area=Area.objects.get(code=where) if where else None)
    return {"contest": contest, "own": own, "other": other, "people": people, "election": election}


@dataclass(frozen=True)
class Case:
    name: str
    state: str
    allowed: frozenset[str]
    act: Callable  # (world, user) -> None
    snapshot: Callable  # (world) -> comparable


def _update_contest(w, user):
    from entekhab.hq.elections.actions import do_update_contest

    do_update_contest(w["contest"], {"alternates": 4}, acting_user=user, reason="matrix")


def _enrol(w, user):
    from entekhab.hq.polling.actions import do_create_enrolment

    do_create_enrolment(w["own"], serial="MATRIX-1", role="auth", acting_user=user)


def _paper(w, user):
    from entekhab.hq.polling.actions import do_enter_paper_counts
    from tests.hq.results.test_paper_path import counts_for

    do_enter_paper_counts(w["own"], counts_for(w["own"]), acting_user=user, reason="matrix: no check-ins here")


def _compute(w, user):
    from entekhab.hq.results.actions import do_compute_result

    do_compute_result(w["contest"], acting_user=user)


def _computed(w):
    from entekhab.hq.results.actions import do_compute_result

    return do_compute_result(w["contest"], acting_user=w["people"]["hq"])


def _approved(w):
    from entekhab.hq.results.actions import do_certify

    return do_certify(_computed(w), "approve", acting_user=w["people"]["exec-c02"])


def _approve(w, user):
    from entekhab.hq.results.actions import do_certify

    do_certify(_computed(w), "approve", acting_user=user)


def _confirm(w, user):
    from entekhab.hq.results.actions import do_certify

    do_certify(_approved(w), "confirm", acting_user=user)


def _sensitivity(w, user):
    from entekhab.hq.operations.actions.sensitivity import do_assess_sensitivity

    do_assess_sensitivity(w["own"], past_incidents=3, note="matrix", acting_user=user)


def _rows(model, **filters):
    def snap(w):
        return sorted(model.objects.filter(**filters).values_list("pk", flat=True))
    return snap


def _contest_snap(w):
    return Contest.objects.filter(pk=w["contest"].pk).values_list("alternates", flat=True).get()


def _results_snap(w):
    from entekhab.hq.results.models import ResultVersion

    return sorted(ResultVersion.objects.filter(contest=w["contest"]).values_list("version", "state"))


def _enrol_snap(w):
    from entekhab.hq.polling.models import DeviceEnrolment

    return DeviceEnrolment.objects.filter(serial="MATRIX-1").count()


def _paper_snap(w):
    from entekhab.hq.polling.models import PaperEntry

    return PaperEntry.objects.filter(branch=w["own"]).count()


def _sensitivity_snap(w):
    from entekhab.hq.operations.models import BranchSensitivity

    return list(BranchSensitivity.objects.filter(branch=w["own"]).values_list("level", "past_incidents", "note"))


CASES = [
    Case("update contest", "registration", frozenset({"hq", "exec-c02"}), _update_contest, _contest_snap),
    Case("enrol a device", "ready", frozenset({"hq", "exec-c02"}), _enrol, _enrol_snap),
    Case("paper count", "closed", frozenset({"hq", "exec-c02", "head-own"}), _paper, _paper_snap),
    Case("compute a result", "counting", frozenset({"hq", "exec-c02"}), _compute, _results_snap),
    Case("approve a result", "counting", frozenset({"exec-c02"}), _approve, _results_snap),
    Case("confirm a result", "counting", frozenset({"super-c02"}), _confirm, _results_snap),
    Case("assess a branch's sensitivity", "ready", frozenset({"hq", "exec-c02"}), _sensitivity,
         _sensitivity_snap),
]


@pytest.mark.parametrize("person", list(PEOPLE))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_action_by_every_role_in_own_and_other_area(world, case, person):
    set_state(case.state)
    user = world["people"][person]
    if person in case.allowed:
        case.act(world, user)
        return
    # Certification needs a version to act on: it is made (by others) before the snapshot.
    step = {_approve: ("approve", _computed), _confirm: ("confirm", _approved)}.get(case.act)
    if step is not None:
        from entekhab.hq.results.actions import do_certify

        version = step[1](world)
        before, events = case.snapshot(world), AuditEvent.objects.count()
        with pytest.raises(PermissionDenied):
            do_certify(version, step[0], acting_user=user)
    else:
        before, events = case.snapshot(world), AuditEvent.objects.count()
        with pytest.raises(PermissionDenied) as refused:
            case.act(world, user)
        assert refused.value.message_fa
    assert case.snapshot(world) == before and AuditEvent.objects.count() == events


def test_the_api_refuses_another_countys_board_and_changes_nothing(client, world):
    set_state("registration")
    url = f"/api/v1/elections/1405/contests/{world['contest'].code}"
    body = json.dumps({"alternates": 4, "reason": "not ours"})
    client.force_login(world["people"]["exec-c03"])
    refused = client.patch(url, body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert "حوزه" in refused.json()["message_fa"]
    assert _contest_snap(world) == world["contest"].alternates
    client.force_login(world["people"]["exec-c02"])
    assert client.patch(url, body, content_type="application/json").status_code == 200


def test_the_results_page_refuses_another_countys_board_and_changes_nothing(client, world):
    from django.urls import reverse

    set_state("counting")
    version = _computed(world)
    client.force_login(world["people"]["exec-c03"])
    url = reverse("results:certify", args=["1405", world["contest"].code, version.version])
    response = client.post(url, {"step": "approve"}, follow=True)
    assert response.status_code in (200, 403)
    version.refresh_from_db()
    assert version.state == "computed"
    client.force_login(world["people"]["exec-c02"])
    client.post(url, {"step": "approve"})
    version.refresh_from_db()
    assert version.state == "approved"
