"""Certification: only the right roles, in order, each step audited; a published result never changes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from entekhab.hq.accounts.roles import Role
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.elections.models import Contest
from entekhab.hq.results.actions import do_certify, do_compute_result, published_version
from entekhab.hq.results.models import Immutable, ResultVersion
from entekhab.publication.certification import CertificationRefused


@pytest.fixture
def council(election, polling_day):
    return Contest.objects.get(election=election, code="council-tehran")


def test_the_full_workflow_through_the_views(client, make_user, council):
    executive = make_user(Role.EXECUTIVE_BOARD, "exec")
    supervisor = make_user(Role.SUPERVISORY_BOARD, "super")
    e, c = council.election.code, council.code
    client.force_login(make_user(Role.HQ_ADMIN, "hq"))
    assert client.post(reverse("results:compute", args=[e, c]), {"reason": "all reports in"}).status_code == 302
    client.force_login(executive)
    version = ResultVersion.objects.get(contest=council)
    assert version.state == "computed" and not version.provisional
    client.post(reverse("results:certify", args=[e, c, 1]), {"step": "approve"})
    version.refresh_from_db()
    assert version.state == "approved"
    client.force_login(supervisor)
    client.post(reverse("results:certify", args=[e, c, 1]), {"step": "confirm"})
    version.refresh_from_db()
    assert version.state == "published" and version.document["status"] == "final"
    assert published_version(council) == version
    actions = list(AuditEvent.objects.filter(target_type="results.ResultVersion").values_list("action", "actor_name"))
    assert actions == [("results.compute", "hq"), ("results.approve", "exec"), ("results.confirm", "super")]
    page = client.get(reverse("results:contest", args=[e, c])).content.decode()
    assert "نتیجه قطعی" in page


@pytest.mark.parametrize("role, step", [
    (Role.SUPERVISORY_BOARD, "approve"), (Role.HQ_ADMIN, "approve"), (Role.OBSERVER, "approve"),
])
def test_only_the_executive_board_approves(make_user, council, role, step):
    version = do_compute_result(council, acting_user=make_user(Role.EXECUTIVE_BOARD, "exec"))
    with pytest.raises(PermissionDenied):
        do_certify(version, step, acting_user=make_user(role))
    version.refresh_from_db()
    assert version.state == "computed"


@pytest.mark.parametrize("role", [Role.EXECUTIVE_BOARD, Role.HQ_ADMIN, Role.OBSERVER])
def test_only_the_supervisory_board_confirms(make_user, council, role, counter):
    executive = make_user(Role.EXECUTIVE_BOARD, "exec")
    version = do_certify(do_compute_result(council, acting_user=counter), "approve", acting_user=executive)
    actor = executive if role is Role.EXECUTIVE_BOARD else make_user(role)
    with pytest.raises(PermissionDenied):
        do_certify(version, "confirm", acting_user=actor)
    version.refresh_from_db()
    assert version.state == "approved"


def test_steps_must_come_in_order(make_user, council, counter):
    supervisor = make_user(Role.SUPERVISORY_BOARD, "super")
    version = do_compute_result(council, acting_user=counter)
    with pytest.raises(CertificationRefused):
        do_certify(version, "confirm", acting_user=supervisor)  # not approved yet
    with pytest.raises(CertificationRefused):
        do_certify(version, "publish-now", acting_user=supervisor)
    with pytest.raises(CertificationRefused, match="still being certified"):
        do_compute_result(council, acting_user=counter)


def test_sending_back_needs_reasons_and_keeps_them(make_user, council, client, counter):
    executive, supervisor = make_user(Role.EXECUTIVE_BOARD, "exec"), make_user(Role.SUPERVISORY_BOARD, "super")
    version = do_certify(do_compute_result(council, acting_user=counter), "approve", acting_user=executive)
    client.force_login(supervisor)
    page = client.post(reverse("results:certify", args=[council.election.code, council.code, 1]),
                       {"step": "return", "reason": "  "}, follow=True)
    assert "دلایل" in page.content.decode()
    version.refresh_from_db()
    assert version.state == "approved"
    do_certify(version, "return", acting_user=supervisor, reason="branch 17 must be recounted")
    version.refresh_from_db()
    assert version.state == "returned" and version.returned_reason == "branch 17 must be recounted"
    second = do_compute_result(council, acting_user=counter)
    assert second.version == 2 and second.supersedes is None


def test_a_published_result_is_immutable_and_superseded_by_a_new_version(make_user, council, counter):
    executive, supervisor = make_user(Role.EXECUTIVE_BOARD, "exec"), make_user(Role.SUPERVISORY_BOARD, "super")
    first = do_compute_result(council, acting_user=counter)
    first = do_certify(do_certify(first, "approve", acting_user=executive), "confirm", acting_user=supervisor)
    digest = first.sha256
    first.document = {**first.document, "totals": {}}
    with pytest.raises(Immutable):
        first.save()
    with pytest.raises(Immutable):
        first.delete()
    with pytest.raises(CertificationRefused):
        do_certify(first, "return", acting_user=supervisor, reason="too late")
    first.refresh_from_db()
    assert first.sha256 == digest and first.state == "published"
    second = do_compute_result(council, acting_user=counter)
    assert second.supersedes == first
    do_certify(do_certify(second, "approve", acting_user=executive), "confirm", acting_user=supervisor)
    assert published_version(council).version == 2
    first.refresh_from_db()
    assert first.state == "published" and first.sha256 == digest


def test_anonymous_visitors_cannot_certify(client, council, make_user):
    do_compute_result(council, acting_user=make_user(Role.EXECUTIVE_BOARD, "exec"))
    page = client.post(reverse("results:certify", args=[council.election.code, council.code, 1]), {"step": "approve"})
    assert page.status_code == 302 and "login" in page["Location"]
    assert ResultVersion.objects.get(contest=council).state == "computed"


def test_a_provisional_result_is_marked_so(make_user, election):
    council = Contest.objects.get(election=election, code="council-tehran")
    version = do_compute_result(council, acting_user=make_user(Role.EXECUTIVE_BOARD, "exec"))
    assert version.provisional and version.document["branches_reported"] == 0
