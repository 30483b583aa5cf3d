"""Readiness and deficiency lists follow from inspections (golden figures from the small demo, seed 1405)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied

from entekhab.domain.errors import DomainError
from entekhab.domain.readiness import CHECKLIST, Body, ItemRating, Rating, Readiness, readiness, responsible_body
from entekhab.hq.accounts.roles import Role
from entekhab.hq.operations.actions.inspections import (
    do_record_inspection,
    election_deficiencies,
    readiness_by_branch,
)
from entekhab.hq.operations.models import Inspection, InspectionItem
from tests.hq.operations.conftest import audit_count

# Golden figures of the small demo (seed 1405): a change in the demo generator or the rules shows here.
GOLDEN_READINESS = {"ready": 29, "conditional": 49, "not_ready": 1, "not_inspected": 5}
GOLDEN_DEFICIENCIES = {"education": 18, "electricity": 1, "endowments": 8, "governorate": 4, "mci": 11,
                       "municipality": 13, "police": 2, "tci": 14}


def compliant(branch) -> list[ItemRating]:
    return [ItemRating(i.code, Rating.COMPLIANT, responsible_body(i.code, branch.venue_type)) for i in CHECKLIST]


def test_golden_readiness_and_deficiencies_of_the_demo(election):
    assert Counter(r.value for r in readiness_by_branch(election).values()) == GOLDEN_READINESS
    lists = election_deficiencies(election)
    assert {b.value: len(v) for b, v in lists.items()} == GOLDEN_DEFICIENCIES
    first = lists[Body.EDUCATION][0]
    assert (first.branch, first.item, first.rating) == ("C01-T01-R01-0001", "space.capacity", Rating.RELOCATE)


def test_readiness_is_the_rule_applied_to_each_latest_inspection(election):
    by_branch = readiness_by_branch(election)
    for inspection in Inspection.objects.filter(branch__election=election, is_latest=True).prefetch_related("items"):
        items = [i.as_rating() for i in inspection.items.all()]
        assert len(items) == len(CHECKLIST)
        assert readiness(items) == Readiness(inspection.readiness) == by_branch[inspection.branch_id]
    # Education's list is exactly the school items the Education department must fix.
    expected = set(InspectionItem.objects.filter(
        inspection__branch__election=election, inspection__is_latest=True, body="education").exclude(
        rating="compliant").values_list("inspection__branch__code", "code"))
    assert {(d.branch, d.item) for d in election_deficiencies(election)[Body.EDUCATION]} == expected
    assert all(b == "school" for b in election.branches.filter(
        code__in={c for c, _ in expected}).values_list("venue_type", flat=True))


def test_a_new_inspection_changes_readiness_and_the_lists(election, executive):
    branch = election.branches.filter(venue_type="school", inspections__readiness="ready").first()
    ratings = [ItemRating(r.code, Rating.TEMPORARY, r.body, "two toilets broken") if r.code == "toilets" else r
               for r in compliant(branch)]
    do_record_inspection(branch, inspected_on=dt.date(2026, 4, 20), inspector="Z. Karimi", ratings=ratings,
                         acting_user=executive)
    assert readiness_by_branch(election)[branch.id] is Readiness.CONDITIONAL
    education = election_deficiencies(election)[Body.EDUCATION]
    assert (branch.code, "toilets") in {(d.branch, d.item) for d in education}
    assert len(education) == GOLDEN_DEFICIENCIES["education"] + 1
    # An older inspection recorded later does not displace the latest one.
    do_record_inspection(branch, inspected_on=dt.date(2026, 1, 5), inspector="old", ratings=compliant(branch),
                         acting_user=executive)
    assert readiness_by_branch(election)[branch.id] is Readiness.CONDITIONAL
    assert branch.inspections.filter(is_latest=True).count() == 1


@pytest.mark.parametrize("problem", ["missing", "no_note", "weak_signal", "future", "no_inspector"])
def test_bad_inspections_are_refused_and_change_nothing(election, executive, problem):
    branch = election.branches.first()
    ratings, day, inspector = compliant(branch), dt.date(2026, 4, 20), "A. Inspector"
    before = (Inspection.objects.count(), InspectionItem.objects.count(), audit_count())
    with pytest.raises(DomainError):
        if problem == "missing":
            ratings = ratings[:-1]
        elif problem == "no_note":
            ratings = [ItemRating(r.code, Rating.RELOCATE, r.body) if r.code == "toilets" else r for r in ratings]
        elif problem == "weak_signal":
            ratings = [ItemRating(r.code, r.rating, r.body, signal_dbm=-120) if r.code == "network.mobile" else r
                       for r in ratings]
        elif problem == "future":
            day = dt.date.today() + dt.timedelta(days=2)
        else:
            inspector = "  "
        do_record_inspection(branch, inspected_on=day, inspector=inspector, ratings=ratings, acting_user=executive)
    assert (Inspection.objects.count(), InspectionItem.objects.count(), audit_count()) == before


def test_only_allowed_roles_record_inspections(election, make_user, client_as):
    branch = election.branches.first()
    with pytest.raises(PermissionDenied):
        do_record_inspection(branch, inspected_on=dt.date(2026, 4, 1), inspector="x", ratings=compliant(branch),
                             acting_user=make_user(Role.OBSERVER))
    client = client_as(Role.OPERATOR)
    assert client.get(f"/operations/{election.code}/branches/{branch.code}/inspect/").status_code == 403
    assert client.post(f"/operations/{election.code}/branches/{branch.code}/inspect/", {}).status_code == 403


def test_inspection_form_in_persian(election, client_as):
    client = client_as(Role.EXECUTIVE_BOARD)
    branch = election.branches.filter(venue_type="school", inspections__readiness="ready").first()
    url = f"/operations/{election.code}/branches/{branch.code}/inspect/"
    page = client.get(url).content.decode()
    assert 'dir="rtl"' in page and "سرویس بهداشتی" in page and "اداره کل آموزش و پرورش" in page
    data = {"inspected_on": "۱۴۰۵/۰۱/۳۰", "inspector": "زهرا کریمی", "notes": ""}
    for item in CHECKLIST:
        data[f"rating_{item.code}"] = "compliant"
        data[f"body_{item.code}"] = responsible_body(item.code, branch.venue_type).value
        data[f"note_{item.code}"] = ""
    data["rating_access.ramp"] = "relocate"  # no note: refused with the Persian message
    r = client.post(url, data)
    assert r.status_code == 400 and "برای هر کاستی بنویسید" in r.content.decode()
    data["note_access.ramp"] = "پله بلند؛ امکان نصب سطح شیب‌دار نیست"
    data["signal_network.mobile"] = "-۸۵"
    r = client.post(url, data)
    assert r.status_code == 302
    page = client.get(f"/operations/{election.code}/branches/{branch.code}/").content.decode()
    assert "ناآماده" in page and "پله بلند" in page
    muni = client.get(f"/operations/{election.code}/deficiencies/municipality/").content.decode()
    assert branch.code in muni
    assert InspectionItem.objects.get(inspection__branch=branch, inspection__is_latest=True,
                                      code="network.mobile").signal_dbm == -85
