"""The paper fallback: two officials' matching entries become one HQ-signed branch report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from entekhab.domain.digits import to_persian_digits
from entekhab.domain.errors import DomainError
from entekhab.domain.lifecycle import ElectionState
from entekhab.hq.accounts.guard import authorize
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Branch
from entekhab.hq.polling.manifests import election_definition, verified_manifest_for
from entekhab.hq.polling.models import (
    BRANCH_DAY,
    BranchDayState,
    BranchOpening,
    BranchReport,
    CheckIn,
    DuplicateCheckIn,
    Incident,
    IncidentKind,
    PaperEntry,
    ReportSource,
)
from entekhab.i18n import render
from entekhab.publication.contests import contests_of
from entekhab.publication.paper import paper_report, paper_rows
from entekhab.records.canonical import canonical_json
from entekhab.records.manifest import BallotManifest
from entekhab.records.signing import load_hq_key

PAPER_MISMATCH = "the two entries of branch %(branch)s's paper counts differ"

# Paper counts are entered after the polls close, while results are counted.
PAPER_STATES = frozenset({ElectionState.CLOSED, ElectionState.COUNTING})

# -- paper fallback --------------------------------------------------------------------------


def do_enter_paper_counts(branch: Branch, counts: dict[str, Any], *, acting_user: Any,
                          reason: str = "") -> BranchReport | None:
    """One official's entry; the second agreeing entry by another official makes the paper report.

    Refused when the branch already reported (its e-box or a confirmed paper count), and,
    unless a reason is given (audited), when the branch has no check-ins or fewer
    check-ins than ballots: paper must not add ballots nobody was checked in for silently.
    """
    authorize(acting_user, "polling.add_paperentry", branch, states=PAPER_STATES, what="entering a paper count")
    reason = (reason or "").strip()[:500]
    _check_paper_counts(branch, counts)
    with transaction.atomic():
        others = list(PaperEntry.objects.select_for_update().filter(branch=branch).exclude(entered_by=acting_user))
        if PaperEntry.objects.filter(branch=branch, entered_by=acting_user).exists():
            raise DomainError(
                "you have already entered this branch's paper counts",
                code="already_entered",
            )
        if BranchReport.objects.filter(branch=branch, source=ReportSource.PAPER).exists():
            raise DomainError(
                "this branch's paper counts are already confirmed",
                code="already_reported",
            )
        if BranchReport.objects.filter(branch=branch).exists() or BranchOpening.objects.filter(
                branch=branch, state=BranchDayState.REPORTED).exists():
            raise DomainError(
                "this branch's e-box has already reported: paper counts are not taken",
                code="already_reported",
            )
        _check_paper_checkins(branch, counts["ballots"], reason)
        mismatch = bool(others) and canonical_json(others[0].counts) != canonical_json(counts)
        if not mismatch:
            PaperEntry.objects.create(branch=branch, entered_by=acting_user, counts=counts)
            record(actor=acting_user, action=Event.POLLING_PAPER_ENTRY, target=branch, after=counts, reason=reason)
            return _paper_report(branch, counts, others[0].entered_by, acting_user) if others else None

    # Outside the entry's transaction: the refusal must not take the incident with it.
    with transaction.atomic():
        Incident.objects.create(
            election=branch.election,
            branch=branch,
            kind=IncidentKind.PAPER_MISMATCH,
            summary_fa=render(PAPER_MISMATCH, {"branch": branch.code}, "fa"),
            summary_en=render(PAPER_MISMATCH, {"branch": branch.code}, "en"),
            details={
                "first": others[0].counts,
                "second": counts,
                "officials": [others[0].entered_by.username, acting_user.username],
            },
        )
        record(actor=acting_user, action=Event.POLLING_PAPER_MISMATCH, target=branch, after=counts, succeeded=False,
               reason=reason)
    raise DomainError(
        "the second entry differs from the first: an incident was opened",
        code="paper_mismatch",
    )


def _paper_checkins(branch: Branch) -> int:
    return CheckIn.objects.filter(branch=branch).count() + DuplicateCheckIn.objects.filter(branch=branch).count()


def _check_paper_checkins(branch: Branch, ballots: int, reason: str) -> None:
    """No check-ins (or fewer than the ballots) needs a recorded reason, e.g. the authentication device failed too."""
    checkins = _paper_checkins(branch)
    if reason:
        return
    if checkins == 0:
        raise DomainError(
            "branch %(code)s has no check-ins: paper counts need a reason", params={"code": branch.code},
            code="no_checkins",
        )
    if ballots > checkins:
        raise DomainError(
            "%(ballots)s ballots but only %(checkins)s check-ins: paper counts need a reason",
            params={
                "ballots": ballots,
                "checkins": checkins,
                "ballots2": to_persian_digits(ballots),
                "checkins2": to_persian_digits(checkins),
            },
            code="more_ballots_than_checkins",
        )


def _paper_report(branch: Branch, counts: dict[str, Any], first: Any, acting_user: Any) -> BranchReport:
    """The two agreeing entries as a branch report of the one shape, signed by HQ's key."""
    checkins = _paper_checkins(branch)
    signed = paper_report(
        election=branch.election.code,
        fingerprint=election_definition(branch.election).fingerprint,
        branch=branch.code,
        manifest=_branch_manifest(branch),
        counts=counts,
        entered_by=[first.username, acting_user.username],
        checkins=checkins,
        hour=timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H"),
        key=load_hq_key(settings.DATA_DIR),
    )
    stored = BranchReport.objects.create(
        branch=branch,
        source=ReportSource.PAPER,
        document=signed.document(),
        sha256=signed.sha256,
        ballots=signed.report["ballots"],
        checkins=checkins,
        received_at=timezone.now(),
    )
    # The branch is closed: an e-box report arriving later is refused as already reported.
    opening = BranchOpening.objects.select_for_update().filter(branch=branch).first()
    if opening is not None:  # a branch whose e-box never opened has no polling day to close
        BRANCH_DAY.move(opening, BranchDayState.REPORTED)
        opening.save(update_fields=["state"])
    record(actor=acting_user, action=Event.POLLING_PAPER_CONFIRMED, target=stored,
           after={"ballots": signed.report["ballots"], "sha256": signed.sha256,
                  "entered_by": signed.report["entered_by"]})
    return stored


def _branch_manifest(branch: Branch) -> BallotManifest:
    return verified_manifest_for(branch)


def _check_paper_counts(branch: Branch, counts: object) -> None:
    """Refuse, before anything is stored, counts no paper ballots of the branch's style could give."""
    manifest = _branch_manifest(branch)
    paper_rows(contests_of([manifest.document]), [c.code for c in manifest.contests], counts)
