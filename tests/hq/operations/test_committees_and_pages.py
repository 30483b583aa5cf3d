"""Committees, decrees (PDF), meetings, the action board, dashboards and rosters."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import pytest
from django.core.exceptions import PermissionDenied

from entekhab.domain.errors import DomainError
from entekhab.hq.accounts.roles import Role
from entekhab.hq.operations.actions.committees import (
    do_add_member,
    do_create_committee,
    do_issue_decree,
    do_record_meeting,
)
from entekhab.hq.operations.actions.devices import do_draw_devices
from entekhab.hq.operations.actions.staff import do_draw_staff
from entekhab.hq.operations.models import ActionItem, Committee, Decree


def test_committee_members_decree_and_meeting(election, executive, observer):
    committee = do_create_committee(election, kind="other", name_fa="کمیته ستاد خبری", name_en="News desk",
                                    acting_user=executive)
    head = do_add_member(committee, full_name="مریم صادقی", is_head=True, acting_user=executive)
    with pytest.raises(DomainError):
        do_add_member(committee, full_name="دیگری", is_head=True, acting_user=executive)
    with pytest.raises(DomainError):
        do_create_committee(election, kind="other", name_fa="کمیته ستاد خبری", name_en="x", acting_user=executive)
    with pytest.raises(PermissionDenied):
        do_create_committee(election, kind="media", name_fa="x", name_en="x", acting_user=observer)
    decree = do_issue_decree(election, number="1405/ح/9001", issued_on=dt.date(2026, 2, 1), issuer="فرماندار",
                             issuer_title="رئیس ستاد", appointee=head.full_name, role="رئیس کمیته ستاد خبری",
                             committee=committee, acting_user=executive)
    n = Decree.objects.count()
    for kwargs in ({"number": "1405/ح/9001"}, {"number": " "}, {"number": "x", "issued_on": dt.date(2026, 6, 1)}):
        args = {"issued_on": dt.date(2026, 2, 1), "issuer": "a", "issuer_title": "b", "appointee": "c", "role": "d"}
        args.update(kwargs)
        with pytest.raises(DomainError):
            do_issue_decree(election, acting_user=executive, **args)
    assert Decree.objects.count() == n and decree.committee == committee
    other = Committee.objects.exclude(pk=committee.pk).first().members.first()
    with pytest.raises(DomainError):
        do_record_meeting(committee, held_at=dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC), place="x",
                          attendees=[head, other], resolutions="", acting_user=executive)
    meeting = do_record_meeting(committee, held_at=dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC), place="فرمانداری",
                                attendees=[head], resolutions="۱. تهیه بروشور", acting_user=executive)
    assert list(meeting.attendees.all()) == [head]


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects with their compressed streams inflated, to look for names inside."""
    out = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return b"".join(out)


def test_decree_pdf_is_a_persian_pdf(election, client_as):
    client = client_as(Role.SUPERVISORY_BOARD)
    decree = Decree.objects.filter(election=election).first()
    r = client.get(f"/operations/{election.code}/decrees/{decree.pk}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert b"Vazirmatn" in pdf_objects(r.content)  # the Persian font is embedded
    assert client.get(f"/operations/{election.code}/decrees/999999.pdf").status_code == 404


def test_roster_pdf_lists_the_branch_staff(election, executive, client_as):
    do_draw_staff(election, stage="region", seed="roster", acting_user=executive)
    do_draw_staff(election, stage="branch", seed="roster", acting_user=executive)
    branch = election.branches.filter(staff__isnull=False).first()
    r = client_as(Role.HQ_ADMIN).get(f"/operations/{election.code}/branches/{branch.code}/roster.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and len(r.content) > 5000


def test_action_board_groups_overdue_and_upcoming(election, client_as):
    client = client_as(Role.EXECUTIVE_BOARD)
    live = ActionItem.objects.filter(election=election, status__in=["open", "in_progress"])
    day = dt.date(2026, 4, 1)
    html = client.get(f"/operations/{election.code}/actions/?on=1405/01/12").content.decode()
    overdue = live.filter(due_on__lt=day).count()
    assert overdue > 0
    assert f'data-testid="group-overdue">معوق ({overdue})' in html.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    item = live.first()
    r = client.post(f"/operations/{election.code}/actions/{item.pk}/status/", {"status": "done"})
    assert r.status_code == 302 and ActionItem.objects.get(pk=item.pk).status == "done"
    r = client.post(f"/operations/{election.code}/actions/{item.pk}/status/", {"status": "done"}, follow=True)
    assert "نمی‌تواند" in r.content.decode()  # refused, with the Persian message


@pytest.mark.parametrize("page", ["", "readiness/", "network/", "devices/", "staff/", "committees/", "actions/",
                                  "deficiencies/education/", "deficiencies/mci/"])
def test_dashboards_are_persian_with_inline_svg(election, client_as, executive, page):
    do_draw_devices(election, stage="region", seed="pages", acting_user=executive)
    r = client_as(Role.SUPERVISORY_BOARD).get(f"/operations/{election.code}/{page}")
    html = r.content.decode()
    assert r.status_code == 200 and '<html lang="fa" dir="rtl">' in html
    if page in ("", "readiness/", "network/", "devices/"):
        assert "<svg" in html


def test_pages_need_login_and_permission(election, client, client_as):
    r = client.get(f"/operations/{election.code}/")
    assert r.status_code == 302 and "/login/" in r["Location"]
    assert client_as(Role.OPERATOR).get(f"/operations/{election.code}/readiness/").status_code == 403
    admin = client_as(Role.HQ_ADMIN)
    assert admin.get("/operations/nope/").status_code == 404
    assert admin.get(f"/operations/{election.code}/deficiencies/nasa/").status_code == 404
    assert admin.get(f"/operations/{election.code}/branches/NOPE/").status_code == 404


def test_draw_page_and_public_api_show_the_seed_and_digest(election, executive, client, client_as):
    draw, _ = do_draw_devices(election, stage="region", seed="public seed 42", acting_user=executive)
    data = client.get(f"/api/v1/operations/{election.code}/draws").json()
    assert data[0]["seed"] == "public seed 42" and data[0]["digest"] == draw.digest
    html = client_as(Role.OBSERVER).get(f"/operations/{election.code}/draws/{draw.pk}/").content.decode()
    assert draw.digest in html and "✔" in html
