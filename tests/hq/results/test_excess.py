"""Ballots never exceed accepted check-ins without a resolved incident: the excess blocks certification.

The polling day is stored through polling's models; an excess is made by taking check-ins away
from one branch after its report was stored (HQ holding fewer check-ins than ballots, as in the
2,174-against-2,171 contest that was certified with no note).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from entekhab.hq.accounts.roles import Role
from entekhab.hq.elections.models import Contest
from entekhab.hq.polling.actions.workflow import do_resolve_incident
from entekhab.hq.polling.models import CheckIn, Incident
from entekhab.hq.results.actions import do_certify, do_compute_result, published_version
from entekhab.hq.results.totals import contest_member_ids
from entekhab.publication.certification import CertificationRefused


@pytest.fixture
def council(election, polling_day):
    return Contest.objects.get(election=election, code="council-tehran")


@pytest.fixture
def boards(make_user):
    return make_user(Role.EXECUTIVE_BOARD, "exec"), make_user(Role.SUPERVISORY_BOARD, "super")


def take_checkins(contest, n: int, *, skip: int = 0):
    """Remove ``n`` check-ins from the ``skip``-th branch of the contest; its ballots, check-ins after that."""
    branch = (CheckIn.objects.filter(branch_id__in=contest_member_ids(contest)).order_by("branch__code")
              .values_list("branch__code", flat=True).distinct()[skip])
    ballots = CheckIn.objects.filter(branch__code=branch).count()
    ids = list(CheckIn.objects.filter(branch__code=branch).order_by("id").values_list("id", flat=True)[:n])
    CheckIn.objects.filter(id__in=ids).delete()
    return branch, ballots, ballots - n


def resolve(incident: Incident, user) -> None:
    do_resolve_incident(incident, acting_user=user, reason="three voters checked in on paper during an outage")


def test_excess_ballots_block_certification_until_a_resolved_incident_explains_them(client, council, boards, counter):
    executive, supervisor = boards
    branch, ballots, checkins = take_checkins(council, 3)
    version = do_compute_result(council, acting_user=counter)
    assert version.excess == [{"contest": "council-tehran", "branch": branch, "ballots": ballots,
                               "checkins": checkins, "explained": False}]
    incident = Incident.objects.get(branch__code=branch, kind="excess_ballots")
    assert incident.details == {"ballots": ballots, "checkins": checkins, "contest": "council-tehran"}
    with pytest.raises(CertificationRefused) as refused:
        do_certify(version, "approve", acting_user=executive)
    assert refused.value.code == "excess_ballots"
    assert branch in refused.value.message_en and f"{ballots} ballots but {checkins}" in refused.value.message_en
    assert branch in refused.value.message_fa and "بدون رخداد رسیدگی‌شده" in refused.value.message_fa
    version.refresh_from_db()
    assert version.state == "computed"
    page = client.get(reverse("results:contest", args=[council.election.code, council.code])).content.decode()
    assert "تأیید این نتیجه متوقف است" in page and branch in page
    # a resolved incident of another kind at that branch does not explain the excess
    other = Incident.objects.create(election=council.election, branch=incident.branch, kind="device_replaced",
                                    summary_fa="—", summary_en="—")
    resolve(other, executive)
    with pytest.raises(CertificationRefused, match="more ballots than accepted check-ins"):
        do_certify(version, "approve", acting_user=executive)
    resolve(incident, executive)
    approved = do_certify(version, "approve", acting_user=executive)
    published = do_certify(approved, "confirm", acting_user=supervisor)
    assert published.state == "published" and published_version(council) == published
    from entekhab.hq.results.public import clear_cache

    clear_cache()
    page = client.get(reverse("results:contest", args=[council.election.code, council.code])).content.decode()
    assert "با رخداد رسیدگی‌شده توضیح داده شده است" in page and "تأیید این نتیجه متوقف است" not in page


def test_an_excess_appearing_after_approval_blocks_the_confirmation(council, boards, counter):
    executive, supervisor = boards
    approved = do_certify(do_compute_result(council, acting_user=counter), "approve", acting_user=executive)
    branch, _, _ = take_checkins(council, 1, skip=1)
    with pytest.raises(CertificationRefused) as refused:
        do_certify(approved, "confirm", acting_user=supervisor)
    assert refused.value.code == "excess_ballots" and branch in refused.value.message_en
    returned = do_certify(approved, "return", acting_user=supervisor, reason="check-ins missing at " + branch)
    assert returned.state == "returned"  # sending it back stays possible
    again = do_compute_result(council, acting_user=counter)
    assert [e["branch"] for e in again.excess] == [branch]
    # a resolution explains the counts it was made for, not later ones
    incident = Incident.objects.get(branch__code=branch, kind="excess_ballots")
    resolve(incident, executive)
    take_checkins(council, 1, skip=1)
    with pytest.raises(CertificationRefused):
        do_certify(again, "approve", acting_user=executive)


def test_a_contest_with_ballots_within_check_ins_certifies_as_before(council, boards, counter):
    executive, supervisor = boards
    version = do_compute_result(council, acting_user=counter)
    assert version.excess == []
    published = do_certify(do_certify(version, "approve", acting_user=executive), "confirm", acting_user=supervisor)
    assert published.state == "published"
    assert not Incident.objects.filter(kind="excess_ballots").exists()
