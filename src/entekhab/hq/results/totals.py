"""Totalisation at HQ: absorb branch reports as they arrive; recompute from stored reports to check.

Branch reports come from polling's intake (``polling.BranchReport``, signature, device and
counts already verified there). Absorbing is idempotent: a report is counted once (a
``CountedReport`` row, one per branch), another report for a branch already counted is
set aside as a ``ReportConflict`` (policy ``first-counted``), and the running totals are
updated in the same transaction, in batches, under a lock on the election row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from entekhab.domain.errors import DomainError
from entekhab.hq.elections.models import Branch, Contest, Election
from entekhab.hq.geography.models import Area
from entekhab.hq.polling.models import BranchReport, CheckIn, DuplicateCheckIn, Incident
from entekhab.hq.results.models import AreaTotal, ContestTotal, CountedReport, ReportConflict, TallyFields
from entekhab.hq.results.signals import resetting
from entekhab.publication.certification import EXCESS_EXPLAINED_BY
from entekhab.publication.recount import Difference, compare_tallies
from entekhab.publication.totals import BallotExcess, ContestTally, Totaliser, ballot_excess, summarise

BATCH = 250


def path_codes(path: str) -> tuple[str, ...]:
    """An area path ``/P23/P23-C01/…/`` as its codes, the branch's own area first."""
    return tuple(reversed([p for p in path.split("/") if p]))


@dataclass(frozen=True)
class AbsorbOutcome:
    counted: int
    conflicts: int


def _add(row: TallyFields, t: ContestTally) -> None:
    row.branches += t.branches
    row.ballots += t.ballots
    row.blank += t.blank
    row.candidate_votes += t.candidate_votes
    row.lists = dict(sorted((Counter(row.lists) + Counter(t.lists)).items()))
    row.candidates = dict(sorted((Counter(row.candidates) + Counter(t.candidates)).items()))


def tally_of(row: TallyFields, contest: str) -> ContestTally:
    return ContestTally(contest, row.branches, row.ballots, row.blank, row.candidate_votes, row.lists, row.candidates)


def absorb_new_reports(election: Election, *, batch: int = BATCH) -> AbsorbOutcome:
    """Count every stored report not yet counted or set aside; safe to call at any time, any number of times."""
    pending = list(BranchReport.objects.filter(branch__election=election, counted__isnull=True,
                                               conflict__isnull=True).order_by("received_at", "id")
                   .values_list("id", flat=True))
    counted = conflicts = 0
    for start in range(0, len(pending), batch):
        c, k = _absorb_batch(election, pending[start:start + batch])
        counted += c
        conflicts += k
    return AbsorbOutcome(counted, conflicts)


def _absorb_batch(election: Election, ids: list[int]) -> tuple[int, int]:
    now = timezone.now()
    with transaction.atomic():
        Election.objects.select_for_update().get(pk=election.pk)  # one absorber at a time per election
        reports = list(BranchReport.objects.filter(id__in=ids, counted__isnull=True, conflict__isnull=True)
                       .select_related("branch__area").order_by("received_at", "id"))
        already = set(CountedReport.objects.filter(branch_id__in={r.branch_id for r in reports})
                      .values_list("branch_id", flat=True))
        contests = {c.code: c for c in Contest.objects.filter(election=election)}
        totaliser = Totaliser({r.branch.code: path_codes(r.branch.area.path) for r in reports})
        counted_rows, conflict_rows = [], []
        for r in reports:
            reason = ""
            try:
                summary = summarise(r.document)
                if summary.branch != r.branch.code or r.document["report"].get("election") != election.code:
                    reason = "the report names another branch or election"
                elif unknown := [t.contest for t in summary.contests if t.contest not in contests]:
                    reason = f"unknown contest {unknown[0]}"
            except DomainError as exc:
                reason = exc.message_en[:200]
            if not reason and (r.branch_id in already):
                reason = "another report of this branch is already counted"
            if reason:
                conflict_rows.append(ReportConflict(election=election, branch=r.branch, report=r, reason=reason,
                                                    noted_at=now))
                continue
            already.add(r.branch_id)
            totaliser.absorb_summary(summary)
            counted_rows.append(CountedReport(election=election, branch=r.branch, report=r, sha256=r.sha256,
                                              ballots=summary.ballots, absorbed_at=now))
        CountedReport.objects.bulk_create(counted_rows)
        ReportConflict.objects.bulk_create(conflict_rows)
        for code, t in totaliser.totals().items():
            row, _ = ContestTotal.objects.select_for_update().get_or_create(contest=contests[code])
            _add(row, t)
            row.save()
        by_area = totaliser.by_area()
        area_ids = dict(Area.objects.filter(code__in={a for _, a in by_area}).values_list("code", "id"))
        for (code, area), t in by_area.items():
            row, _ = AreaTotal.objects.select_for_update().get_or_create(contest=contests[code],
                                                                         area_id=area_ids[area])
            _add(row, t)
            row.save()
    return len(counted_rows), len(conflict_rows)


def reset_totals(election_id: int) -> AbsorbOutcome:
    """Forget every counted report and running total of the election, then count the stored reports again."""
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election_id)
        ContestTotal.objects.filter(contest__election=election).delete()
        AreaTotal.objects.filter(contest__election=election).delete()
        ReportConflict.objects.filter(election=election).delete()
        with resetting():
            CountedReport.objects.filter(election=election).delete()
    return absorb_new_reports(election)


def stored_reports(election: Election) -> Iterable[tuple[Branch, dict]]:
    """Every stored report, in arrival order (the order the first-counted policy follows)."""
    qs = (BranchReport.objects.filter(branch__election=election).select_related("branch__area")
          .order_by("received_at", "id"))
    for r in qs.iterator(chunk_size=200):
        yield r.branch, r.document


def recompute(election: Election) -> Totaliser:
    """Totals recomputed from the stored reports alone, by the same rules."""
    totaliser = Totaliser()
    for branch, document in stored_reports(election):
        totaliser.areas_of[branch.code] = path_codes(branch.area.path)
        try:
            totaliser.absorb(document)
        except DomainError:
            continue  # set aside at intake as well (a ReportConflict row)
    return totaliser


def check_running_totals(election: Election) -> list[Difference]:
    """Differences between the running totals and a recomputation: an empty list means they agree."""
    fresh = recompute(election)
    diffs: list[Difference] = []
    running = {t.contest.code: t for t in ContestTotal.objects.filter(contest__election=election)
               .select_related("contest")}
    totals = fresh.totals()
    for code in sorted(set(running) | set(totals)):
        a = tally_of(running[code], code) if code in running else ContestTally(code)
        b = totals.get(code, ContestTally(code))
        if a.branches != b.branches:
            diffs.append(Difference(f"{code}.branches", a.branches, b.branches))
        diffs.extend(compare_tallies(a, b, code))
    by_area = fresh.by_area()
    for row in AreaTotal.objects.filter(contest__election=election).select_related("contest", "area"):
        b = by_area.pop((row.contest.code, row.area.code), ContestTally(row.contest.code))
        diffs.extend(compare_tallies(tally_of(row, row.contest.code), b, f"{row.contest.code}.{row.area.code}"))
    for (code, area), b in by_area.items():
        diffs.extend(compare_tallies(ContestTally(code), b, f"{code}.{area}"))
    return diffs


def contest_branches(election: Election) -> dict[int, set[int]]:
    """Contest id → the ids of the branches whose ballot style carries it."""
    out: dict[int, set[int]] = {}
    through = Contest.ballot_styles.through.objects.filter(contest__election=election)
    by_style: dict[int, list[int]] = {}
    for style_id, contest_id in through.values_list("ballotstyle_id", "contest_id"):
        by_style.setdefault(style_id, []).append(contest_id)
    for branch_id, style_id in Branch.objects.filter(election=election).values_list("id", "ballot_style_id"):
        for contest_id in by_style.get(style_id, ()):
            out.setdefault(contest_id, set()).add(branch_id)
    return out


def contest_member_ids(contest: Contest) -> set[int]:
    """The ids of the branches whose ballot style carries ``contest``."""
    return set(Branch.objects.filter(election_id=contest.election_id, ballot_style__contests=contest)
               .values_list("id", flat=True))


def contest_excess(contest: Contest, members: Iterable[int] | None = None) -> tuple[BallotExcess, ...]:
    """Counted branches of the contest whose ballots exceed their accepted check-ins.

    Accepted check-ins are counted as polling's intake counts them: the branch's check-ins
    plus its offline duplicates (each already an incident of its own). Every contest row of
    a report carries the report's ballots, so the counted report's ballots are the contest's.
    """
    ids = set(members) if members is not None else contest_member_ids(contest)
    rows = list(CountedReport.objects.filter(branch_id__in=ids).values_list("branch_id", "branch__code", "ballots"))
    codes = {pk: code for pk, code, _ in rows}
    checkins: Counter[str] = Counter()
    for model in (CheckIn, DuplicateCheckIn):
        for pk, n in (model.objects.filter(branch_id__in=codes).order_by().values("branch_id")
                      .annotate(n=Count("id")).values_list("branch_id", "n")):
            checkins[codes[pk]] += n
    return ballot_excess(contest.code, {code: n for _, code, n in rows}, checkins)


def explained_excess(contest: Contest, excess: Iterable[BallotExcess]) -> set[str]:
    """Branch codes whose excess a resolved incident explains: same branch, same ballots and check-ins."""
    wanted = {e.branch: e for e in excess}
    if not wanted:
        return set()
    out = set()
    for code, details in (Incident.objects.filter(election_id=contest.election_id, branch__code__in=wanted,
                                                  kind__in=EXCESS_EXPLAINED_BY, status="resolved")
                          .values_list("branch__code", "details")):
        e = wanted[code]
        if details.get("ballots") == e.ballots and details.get("checkins") == e.checkins:
            out.add(code)
    return out


def unexplained_excess(contest: Contest, members: Iterable[int] | None = None) -> list[BallotExcess]:
    """What blocks the contest's certification now (empty: nothing)."""
    excess = contest_excess(contest, members)
    explained = explained_excess(contest, excess)
    return [e for e in excess if e.branch not in explained]
