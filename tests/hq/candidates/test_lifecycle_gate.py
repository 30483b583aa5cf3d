"""Candidacy work waits for its phase of the election (issue 13): nothing is stored when refused."""

from __future__ import annotations

import pytest

from entekhab.hq.accounts.guard import WrongState
from entekhab.hq.accounts.roles import Role
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.candidates import actions
from entekhab.hq.candidates.models import Registration
from tests.hq.candidates.conftest import good_input
from tests.hq.conftest import set_state


@pytest.mark.parametrize("state", ["draft", "vetting", "lists_final", "polling"])
def test_registration_outside_its_phase_stores_nothing(fresh, state):
    set_state(state, "t4")
    before = (Registration.objects.count(), AuditEvent.objects.count())
    with pytest.raises(WrongState) as refused:
        actions.do_register(fresh["pr"], good_input())
    assert "ثبت‌نام داوطلب" in refused.value.message_fa and refused.value.code == "election_state"
    assert (Registration.objects.count(), AuditEvent.objects.count()) == before


def test_the_registration_form_explains_the_refusal_in_persian(client, fresh):
    set_state("vetting", "t4")
    page = client.get("/candidates/register/").content.decode()
    assert page  # the form still renders; the refusal comes on submission
    with pytest.raises(WrongState):
        actions.do_register(fresh["city"], good_input("P23-C04-T01"))


def test_vetting_and_lists_stop_once_the_lists_are_final(fresh, users, register):
    reg, _ = register()
    set_state("lists_final", "t4")
    with pytest.raises(WrongState):
        actions.do_transition(reg, "start_review", acting_user=users[Role.EXECUTIVE_BOARD])
    reg.refresh_from_db()
    assert reg.state == "registered"
    with pytest.raises(WrongState):
        actions.do_set_candidacy(fresh["pr"], {"list_min_members": 3}, acting_user=users[Role.HQ_ADMIN])
