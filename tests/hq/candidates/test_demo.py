"""The demo election's candidates are realistic in number and fully vetted, coded and signed."""

from __future__ import annotations

import math

from django.db.models import Count

from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.candidates.models import BallotManifest, CandidateList, Registration, VettingInquiry, VettingStep
from entekhab.hq.elections.models import BallotStyle


def test_demo_counts(election):
    tehran = Registration.objects.filter(election=election, contest__code="council-tehran")
    assert 560 <= tehran.filter(state="final_approved").count() <= 640
    assert CandidateList.objects.filter(contest__code="council-tehran", state="locked").count() == 30
    sizes = CandidateList.objects.annotate(n=Count("memberships")).values_list("n", flat=True)
    assert all(1 <= n <= 21 for n in sizes) and max(sizes) == 21
    assert Registration.objects.filter(election=election, contest__code="experts-tehran").count() == 55
    for contest in election.contests.exclude(code__in=["council-tehran", "experts-tehran"]):
        n = Registration.objects.filter(contest=contest).count()
        assert 2 * contest.seats <= n <= 30 * contest.seats, contest.code
        assert Registration.objects.filter(contest=contest, state="final_approved").count() >= math.ceil(
            contest.seats * 1.2), contest.code


def test_demo_history_is_complete(election):
    regs = Registration.objects.filter(election=election)
    assert not regs.exclude(state__in=["final_approved", "final_rejected", "withdrawn"]).exists()
    assert VettingStep.objects.filter(registration__election=election).count() >= 2 * regs.count()
    approved = regs.filter(steps__action="approve").distinct()
    assert VettingInquiry.objects.filter(registration__in=approved).count() == 4 * approved.count()
    assert AuditEvent.objects.filter(action="candidates.demo").exists()


def test_every_ballot_style_has_one_current_signed_manifest(election):
    styles = BallotStyle.objects.filter(election=election).count()
    current = BallotManifest.objects.filter(election=election, is_current=True)
    assert current.count() == styles > 0
    assert all(m.verify() for m in current)
