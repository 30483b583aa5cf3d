"""Each state machine: allowed transitions by the right role succeed; all others are refused
with a clear error and change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from entekhab.domain.device_lifecycle import TRANSITIONS, DeviceEvent, DeviceState
from entekhab.domain.errors import DomainError
from entekhab.domain.lifecycle import TransitionRefused
from entekhab.hq.accounts.roles import Role
from entekhab.hq.operations.actions.committees import do_create_action_item, do_set_action_status
from entekhab.hq.operations.actions.devices import do_device_event, do_register_device
from entekhab.hq.operations.models import ActionItem, Device, DeviceLog
from tests.hq.conftest import appoint
from tests.hq.operations.conftest import audit_count


def snapshot(device: Device) -> tuple:
    device.refresh_from_db()
    return device.state, device.branch_id, device.region_id, DeviceLog.objects.filter(device=device).count()


def test_register_validates_serial_kind_and_duplicates(admin, executive):
    device = do_register_device(serial="sn-test-0001", kind="ebox", acting_user=admin)
    assert device.serial == "SN-TEST-0001" and device.state == "received"
    assert device.log.get().event == "receive"
    before = (Device.objects.count(), audit_count())
    for serial, kind in (("SN-TEST-0001", "ebox"), ("x", "ebox"), ("SN TEST 2", "ebox"), ("SN-TEST-0003", "toaster")):
        with pytest.raises(DomainError):
            do_register_device(serial=serial, kind=kind, acting_user=admin)
    with pytest.raises(PermissionDenied):
        do_register_device(serial="SN-TEST-0004", kind="ebox", acting_user=executive)
    assert (Device.objects.count(), audit_count()) == before


def test_device_events_need_the_right_role_and_state(admin, executive, operator):
    device = do_register_device(serial="SN-LIFE-0001", kind="authentication", acting_user=admin)
    # An operator cannot run the warehouse test; nothing changes.
    before, events = snapshot(device), audit_count()
    with pytest.raises(PermissionDenied):
        do_device_event(device, "pass_test", place="warehouse", acting_user=operator)
    assert snapshot(device) == before and audit_count() == events
    # Deploy before allocation is refused by the state machine.
    with pytest.raises(TransitionRefused):
        do_device_event(device, "deploy", place="warehouse", acting_user=executive)
    assert snapshot(device) == before
    device = do_device_event(device, "pass_test", place="HQ warehouse", acting_user=executive)
    assert device.state == "tested"
    device = do_device_event(device, "allocate", place="region 7", acting_user=executive)
    # Allocated but not drawn to a branch: deploying is refused with a clear message.
    with pytest.raises(DomainError, match="not been drawn to a branch"):
        do_device_event(device, "deploy", place="region 7", acting_user=executive)
    device = do_device_event(device, "release", place="region 7", acting_user=executive)
    assert device.state == "tested" and device.region_id is None
    log = list(device.log.values_list("event", "actor_name", "place"))
    assert log[-1] == ("release", "ops-exec", "region 7") and len(log) == 4
    # A returned device is final; an operator may not return devices.
    with pytest.raises(PermissionDenied):
        do_device_event(device, "return", place="HQ", acting_user=operator)
    device = do_device_event(device, "return", place="HQ", acting_user=admin)
    before = snapshot(device)
    for event in DeviceEvent:
        with pytest.raises((TransitionRefused, PermissionDenied)):
            do_device_event(device, event.value, place="HQ", acting_user=admin)
    assert snapshot(device) == before


def test_operator_may_start_service_and_report_faults_only(election, admin, executive, operator):
    from entekhab.hq.operations.actions.devices import do_draw_devices

    do_draw_devices(election, stage="region", seed="lifecycle seed", acting_user=executive)
    do_draw_devices(election, stage="branch", seed="lifecycle seed", acting_user=executive)
    device = Device.objects.filter(branch__election=election, state="allocated").order_by("serial").first()
    operator = appoint(operator, Role.OPERATOR, branch=device.branch)  # the operator of that device's branch
    with pytest.raises(PermissionDenied):
        do_device_event(device, "deploy", place=device.branch.code, acting_user=operator)
    device = do_device_event(device, "deploy", place=device.branch.code, acting_user=executive)
    device = do_device_event(device, "start_service", place=device.branch.code, acting_user=operator)
    device = do_device_event(device, "report_fault", place=device.branch.code, note="screen dead",
                             acting_user=operator)
    assert device.state == "faulty"
    # Replacement goes through the journal transfer procedure, not a bare event.
    with pytest.raises(DomainError, match="replacement procedure"):
        do_device_event(device, "replace", place=device.branch.code, acting_user=admin)
    assert Device.objects.get(pk=device.pk).state == "faulty"


def test_every_device_transition_names_an_existing_permission(admin):
    from django.contrib.auth.models import Permission

    codenames = set(Permission.objects.filter(content_type__app_label="operations").values_list("codename", flat=True))
    assert {t.permission for t in TRANSITIONS.values()} <= codenames
    assert {s.value for s in DeviceState} == {c[0] for c in Device._meta.get_field("state").choices}


def test_action_item_lifecycle_by_role(election, admin, executive, observer):
    item = do_create_action_item(election, title="Fibre to school 12", owner_body="tci",
                                 due_on=dt.date(2026, 4, 20), acting_user=executive)
    with pytest.raises(PermissionDenied):
        do_set_action_status(item, "in_progress", acting_user=observer)
    item = do_set_action_status(item, "in_progress", acting_user=executive)
    with pytest.raises(PermissionDenied):  # only the HQ administrator cancels
        do_set_action_status(item, "cancelled", acting_user=executive)
    item = do_set_action_status(item, "done", acting_user=executive)
    events = audit_count()
    for bad in ("cancelled", "done", "open", "finished"):
        with pytest.raises((TransitionRefused, PermissionDenied)):
            do_set_action_status(item, bad, acting_user=admin)
    assert ActionItem.objects.get(pk=item.pk).status == "done" and audit_count() == events
    item = do_set_action_status(item, "in_progress", acting_user=executive, reason="reopened: not fixed")
    assert do_set_action_status(item, "cancelled", acting_user=admin).status == "cancelled"


def test_action_items_need_an_owner_and_a_title(election, executive):
    n = ActionItem.objects.count()
    for kwargs in ({"title": "x"}, {"title": "  ", "owner_person": "a"}, {"title": "x", "owner_body": "nasa"}):
        with pytest.raises(DomainError):
            do_create_action_item(election, due_on=dt.date(2026, 4, 1), acting_user=executive, **kwargs)
    assert ActionItem.objects.count() == n


def test_replacement_records_the_journal_transfer(election, executive, operator, make_user):
    from entekhab.hq.accounts.roles import Role
    from entekhab.hq.operations.actions.devices import do_draw_devices, do_replace_device

    do_draw_devices(election, stage="region", seed="replace", acting_user=executive)
    do_draw_devices(election, stage="branch", seed="replace", acting_user=executive)
    faulty = Device.objects.filter(branch__election=election, kind="ebox").order_by("serial").first()
    branch = faulty.branch
    operator = appoint(operator, Role.OPERATOR, branch=branch)
    faulty = do_device_event(faulty, "deploy", place=branch.code, acting_user=executive)
    faulty = do_device_event(faulty, "start_service", place=branch.code, acting_user=operator)
    reserve = Device.objects.filter(region=faulty.region, kind="ebox", state="allocated", branch__isnull=True).first()
    wrong_kind = Device.objects.filter(region=faulty.region, kind="authentication", state="allocated",
                                       branch__isnull=True).first()
    head = "ab" * 32
    with pytest.raises(TransitionRefused):  # still in service: report the fault first
        do_replace_device(faulty, reserve, journal_entries=120, journal_head=head, acting_user=executive)
    faulty = do_device_event(faulty, "report_fault", place=branch.code, acting_user=operator)
    for bad in ({"replacement": wrong_kind, "journal_head": head}, {"replacement": reserve, "journal_head": "xyz"}):
        with pytest.raises(DomainError):
            do_replace_device(faulty, bad["replacement"], journal_entries=120, journal_head=bad["journal_head"],
                              acting_user=executive)
    with pytest.raises(PermissionDenied):
        do_replace_device(faulty, reserve, journal_entries=120, journal_head=head, acting_user=operator)
    assert Device.objects.get(pk=reserve.pk).branch_id is None
    rep = do_replace_device(faulty, reserve, journal_entries=120, journal_head=head.upper(), witnesses="ناظر ۱",
                            acting_user=make_user(Role.BRANCH_HEAD, branch=branch))
    faulty.refresh_from_db()
    reserve.refresh_from_db()
    assert (faulty.state, reserve.state, reserve.branch_id) == ("replaced", "in_service", branch.pk)
    assert (rep.journal_entries, rep.journal_head, rep.branch_id) == (120, head, branch.pk)
    assert "journal of" in reserve.log.last().note


def test_sensitivity_assessment_follows_the_facts(election, executive, observer):
    from entekhab.domain.sensitivity import PastResult
    from entekhab.hq.operations.actions.sensitivity import do_assess_sensitivity

    urban = election.branches.filter(is_urban=True).first()
    row = do_assess_sensitivity(urban, past=PastResult(1000, 400, 100), acting_user=executive)
    assert (row.level, row.reasons) == ("normal", [])
    row = do_assess_sensitivity(urban, past=PastResult(1000, 950, 800), acting_user=executive)
    assert (row.level, row.reasons) == ("critical", ["turnout_anomaly"])
    rural = election.branches.filter(is_urban=False).first()
    assert do_assess_sensitivity(rural, acting_user=executive).level == "sensitive"
    assert do_assess_sensitivity(rural, past_incidents=2, acting_user=executive).level == "critical"
    with pytest.raises(PermissionDenied):
        do_assess_sensitivity(rural, acting_user=observer)
    with pytest.raises(DomainError):
        do_assess_sensitivity(rural, declared=["aliens"], acting_user=executive)
    with pytest.raises(DomainError):
        do_assess_sensitivity(rural, past_incidents=-1, acting_user=executive)
    assert rural.sensitivity.level == "critical"


def test_device_page_events_and_replacement_through_the_web(election, executive, client, make_user):
    from entekhab.hq.accounts.roles import Role
    from entekhab.hq.operations.actions.devices import do_draw_devices

    do_draw_devices(election, stage="region", seed="web", acting_user=executive)
    do_draw_devices(election, stage="branch", seed="web", acting_user=executive)
    device = Device.objects.filter(branch__election=election, kind="authentication").order_by("serial").first()
    url = f"/operations/{election.code}/devices/{device.serial}/"
    operator = make_user(Role.OPERATOR, "web-operator", branch=device.branch)
    client.force_login(operator)
    assert 'data-testid="event-deploy"' not in client.get(url).content.decode()
    r = client.post(url + "event/", {"event": "deploy", "place": device.branch.code}, follow=True)
    assert "اجازه" in r.content.decode() and Device.objects.get(pk=device.pk).state == "allocated"
    client.force_login(executive)
    assert 'data-testid="event-deploy"' in client.get(url).content.decode()
    r = client.post(url + "event/", {"event": "deploy", "place": ""}, follow=True)
    assert "محل رویداد" in r.content.decode() and Device.objects.get(pk=device.pk).state == "allocated"
    client.post(url + "event/", {"event": "deploy", "place": device.branch.code})
    client.post(url + "event/", {"event": "start_service", "place": device.branch.code})
    assert Device.objects.get(pk=device.pk).state == "deployed"  # the board does not operate devices
    client.force_login(operator)
    for event in ("start_service", "report_fault"):
        client.post(url + "event/", {"event": event, "place": device.branch.code})
    assert Device.objects.get(pk=device.pk).state == "faulty"
    client.force_login(executive)
    page = client.get(url).content.decode()
    assert 'data-testid="replace-form"' in page
    reserve = Device.objects.filter(region=device.region, kind="authentication", state="allocated",
                                    branch__isnull=True).first()
    form = {"event": "replace", "replacement": reserve.serial, "journal_entries": "۳۱۲", "journal_head": "0f" * 32}
    r = client.post(url + "event/", {**form, "journal_entries": "many"}, follow=True)
    assert "عدد صحیح" in r.content.decode() and Device.objects.get(pk=device.pk).state == "faulty"
    client.post(url + "event/", form)
    assert Device.objects.get(pk=device.pk).state == "replaced"
    assert Device.objects.get(pk=reserve.pk).branch_id == device.branch_id
