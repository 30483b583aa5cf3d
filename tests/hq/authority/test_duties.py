"""Separation of duties and the election lifecycle (issue 13): nobody raises their own rights,
three different people certify a result, and every action waits for its phase."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from typer.testing import CliRunner

from entekhab.cli import app
from entekhab.domain.lifecycle import TransitionRefused
from entekhab.hq.accounts.actions import SeparationRefused, do_appoint
from entekhab.hq.accounts.guard import WrongState
from entekhab.hq.accounts.models import Appointment
from entekhab.hq.accounts.roles import Role
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.elections.actions import do_change_election_state
from entekhab.hq.elections.models import Contest, Election
from entekhab.hq.results.actions import do_certify, do_compute_result
from entekhab.hq.results.models import ResultVersion
from entekhab.publication.certification import CertificationRefused
from tests.hq.conftest import appoint, set_state

PASSWORD = "x-Strong-Pass-1405"


@pytest.fixture
def council(election):
    return Contest.objects.get(election=election, code="council-p23-c02-t02")


# -- no self-escalation ---------------------------------------------------------------------

def test_nobody_appoints_themselves_and_every_appointment_is_audited(make_user):
    admin = make_user(Role.USER_ADMIN, "users-1")
    with pytest.raises(SeparationRefused, match="own roles"):
        do_appoint(admin, Role.HQ_ADMIN, acting_user=admin)
    assert set(admin.appointments.values_list("role", flat=True)) == {"user_admin"}
    person = User.objects.create(username="new-official")
    before = AuditEvent.objects.count()
    do_appoint(person, Role.OBSERVER, acting_user=admin, reason="decree 7")
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.actor_name, event.after["roles"]) == ("accounts.appoint", "users-1", ["observer"])
    assert list(person.groups.values_list("name", flat=True)) == ["observer"]


def test_only_the_user_administrator_appoints(make_user):
    person = User.objects.create(username="hopeful")
    for role in (Role.HQ_ADMIN, Role.EXECUTIVE_BOARD, Role.SUPERVISORY_BOARD):
        with pytest.raises(PermissionDenied):
            do_appoint(person, Role.HQ_ADMIN, acting_user=make_user(role, f"not-users-{role}"))
    assert not person.appointments.exists()


@pytest.mark.parametrize(("held", "added"), [
    (Role.USER_ADMIN, Role.EXECUTIVE_BOARD),
    (Role.EXECUTIVE_BOARD, Role.USER_ADMIN),
    (Role.EXECUTIVE_BOARD, Role.SUPERVISORY_BOARD),
    (Role.SUPERVISORY_BOARD, Role.EXECUTIVE_BOARD),
])
def test_incompatible_roles_are_refused(make_user, held, added):
    admin = make_user(Role.USER_ADMIN, "users-2")
    person = make_user(held, "two-hats")
    with pytest.raises(SeparationRefused):
        do_appoint(person, added, acting_user=admin)
    assert set(person.appointments.values_list("role", flat=True)) == {held.value}


def test_the_superuser_flag_grants_nothing(election, council):
    root = User.objects.create_superuser("root", password=PASSWORD)
    set_state("registration")
    from entekhab.hq.elections.actions import do_update_contest

    with pytest.raises(PermissionDenied):
        do_update_contest(council, {"alternates": 4}, acting_user=root)
    with pytest.raises(SeparationRefused):
        appoint(root, Role.HQ_ADMIN)


def test_the_user_form_offers_no_rights_and_not_ones_own_account(client, make_user):
    admin = make_user(Role.USER_ADMIN, "users-3")
    other = make_user(Role.OBSERVER, "watched")
    client.force_login(admin)
    form = client.get(f"/admin/auth/user/{other.pk}/change/").content.decode()
    for field in ("is_superuser", "user_permissions", "groups"):
        assert f'name="{field}"' not in form
    client.post(f"/admin/auth/user/{other.pk}/change/", {
        "username": "watched", "is_superuser": "on", "groups": "1", "first_name": "x",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"})
    other.refresh_from_db()
    assert not other.is_superuser and list(other.groups.values_list("name", flat=True)) == ["observer"]
    assert client.post(f"/admin/auth/user/{admin.pk}/change/", {"username": "users-3", "is_superuser": "on"}
                       ).status_code == 403
    admin.refresh_from_db()
    assert not admin.is_superuser


def test_the_cli_acts_as_a_named_user_with_a_password_or_token(make_user):
    admin = make_user(Role.USER_ADMIN, "users-cli")
    User.objects.create(username="cli-person")
    runner = CliRunner()
    wrong = runner.invoke(app, ["accounts", "appoint", "cli-person", "observer", "--as", "users-cli"],
                          env={"ENTEKHAB_PASSWORD": "wrong", "ENTEKHAB_LANG": "fa"})
    assert wrong.exit_code == 2 and "گذرواژه نادرست" in wrong.stderr
    nobody = runner.invoke(app, ["accounts", "appoint", "cli-person", "observer"], env={"ENTEKHAB_PASSWORD": "x"})
    assert nobody.exit_code == 2 and "--as" in nobody.stderr
    selfish = runner.invoke(app, ["accounts", "appoint", "users-cli", "hq_admin", "--as", "users-cli"],
                            env={"ENTEKHAB_PASSWORD": PASSWORD, "ENTEKHAB_LANG": "fa"})
    assert selfish.exit_code == 2 and "نقش یا اختیارات خود" in selfish.stderr
    token = runner.invoke(app, ["accounts", "token", "--as", "users-cli"], env={"ENTEKHAB_PASSWORD": PASSWORD})
    assert token.exit_code == 0
    ok = runner.invoke(app, ["accounts", "appoint", "cli-person", "observer", "--as", "users-cli"],
                       env={"ENTEKHAB_TOKEN": token.stdout.strip()})
    assert ok.exit_code == 0, ok.output
    event = AuditEvent.objects.order_by("-id").first()
    assert event.actor_name == "users-cli" and event.action == "accounts.appoint"
    forged = runner.invoke(app, ["accounts", "appoint", "cli-person", "hq_admin", "--as", "users-cli"],
                           env={"ENTEKHAB_TOKEN": token.stdout.strip()[:-2] + "xx"})
    assert forged.exit_code == 2 and not Appointment.objects.filter(user__username="cli-person",
                                                                   role="hq_admin").exists()
    assert admin.appointments.count() == 1


# -- three people per result ----------------------------------------------------------------

def test_one_person_cannot_take_a_result_from_computed_to_published(make_user, council):
    set_state("counting")
    both = make_user(Role.HQ_ADMIN, "compute-and-approve")
    appoint(both, Role.EXECUTIVE_BOARD)  # HQ and the board: allowed together, but not on one result
    version = do_compute_result(council, acting_user=both)
    with pytest.raises(CertificationRefused, match="three different people") as refused:
        do_certify(version, "approve", acting_user=both)
    assert refused.value.code == "same_person" and "سه نفر" in refused.value.message_fa
    version.refresh_from_db()
    assert version.state == "computed" and version.approved_by is None
    executive = make_user(Role.EXECUTIVE_BOARD, "approver")
    version = do_certify(version, "approve", acting_user=executive)
    supervisor = make_user(Role.SUPERVISORY_BOARD, "confirmer")
    version = do_certify(version, "confirm", acting_user=supervisor)
    assert len({version.computed_by_id, version.approved_by_id, version.confirmed_by_id}) == 3


def test_the_user_administrator_cannot_compute_or_certify(make_user, council):
    set_state("counting")
    admin = make_user(Role.USER_ADMIN, "users-4")
    with pytest.raises(PermissionDenied):
        do_compute_result(council, acting_user=admin)
    version = do_compute_result(council, acting_user=make_user(Role.HQ_ADMIN, "hq-x"))
    with pytest.raises(PermissionDenied):
        do_certify(version, "approve", acting_user=admin)
    version = do_certify(version, "approve", acting_user=make_user(Role.EXECUTIVE_BOARD, "approver-x"))
    with pytest.raises(PermissionDenied):
        do_certify(version, "confirm", acting_user=admin)
    assert ResultVersion.objects.get(pk=version.pk).state == "approved"


# -- the lifecycle --------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["draft", "registration", "lists_final", "ready", "polling", "closed"])
def test_certification_waits_for_counting(make_user, council, state):
    set_state("counting")
    version = do_compute_result(council, acting_user=make_user(Role.HQ_ADMIN, "hq-y"))
    early = make_user(Role.EXECUTIVE_BOARD, "early")
    set_state(state)
    events = AuditEvent.objects.count()
    with pytest.raises(WrongState) as refused:
        do_certify(version, "approve", acting_user=early)
    assert "شمارش و تأیید نتایج" in refused.value.message_fa
    assert ResultVersion.objects.get(pk=version.pk).state == "computed" and AuditEvent.objects.count() == events


@pytest.mark.parametrize("state", ["draft", "registration", "vetting", "lists_final", "ready", "polling"])
def test_no_result_is_computed_before_the_polls_close(make_user, council, state):
    set_state(state)
    with pytest.raises(WrongState):
        do_compute_result(council, acting_user=make_user(Role.HQ_ADMIN, "hq-z"))
    assert not ResultVersion.objects.filter(contest=council).exists()


def test_the_election_moves_only_along_its_lifecycle_by_the_right_role(make_user):
    hq, supervisor = make_user(Role.HQ_ADMIN, "hq-cal"), make_user(Role.SUPERVISORY_BOARD, "sup-cal")
    e = Election.objects.create(code="t-life", name_fa="آزمون چرخه", name_en="Lifecycle test",
                                polling_date="2026-05-01")
    with pytest.raises(TransitionRefused):
        do_change_election_state(e, "polling", acting_user=hq, reason="skip ahead")
    for state in ("registration", "vetting", "lists_final"):
        e = do_change_election_state(e, state, acting_user=hq, reason="calendar")
    with pytest.raises(Exception, match="manifests"):
        do_change_election_state(e, "ready", acting_user=hq, reason="no manifests yet")
    Election.objects.filter(pk=e.pk).update(state="counting")
    with pytest.raises(PermissionDenied):  # certifying the election is the supervisory board's
        do_change_election_state(e, "certified", acting_user=hq, reason="not mine")
    e = do_change_election_state(e, "certified", acting_user=supervisor, reason="every contest confirmed")
    with pytest.raises(TransitionRefused):
        do_change_election_state(e, "draft", acting_user=hq, reason="never backwards")
    moves = list(AuditEvent.objects.filter(action="election.state", target_id=str(e.pk)).values_list(
        "actor_name", "after"))
    assert [m[1]["state"] for m in moves] == ["registration", "vetting", "lists_final", "certified"]
    assert moves[-1][0] == "sup-cal"
