"""Totalisation at HQ: totals equal a recount of the vote records; duplicates, conflicts, late reports."""

from __future__ import annotations

import copy

from entekhab.hq.elections.models import Contest
from entekhab.hq.polling.models import BranchReport, ReportSource, VoteRecord
from entekhab.hq.results.actions import election_inputs
from entekhab.hq.results.models import ContestTotal, CountedReport, ReportConflict
from entekhab.hq.results.totals import absorb_new_reports, check_running_totals
from entekhab.publication.recount import recount_records
from entekhab.publication.totals import sum_tallies


def test_totals_from_reports_equal_a_recount_of_the_vote_records(election, polling_day):
    outcome = absorb_new_reports(election)
    assert outcome.counted == polling_day["branches"] and outcome.conflicts == 0
    inputs = election_inputs(election)
    recounted: dict = {}
    for report in BranchReport.objects.filter(branch__election=election):
        records = list(VoteRecord.objects.filter(report=report).values_list("ballot", flat=True))
        codes = [row["code"] for row in report.document["report"]["contests"]]
        for code, t in recount_records(inputs.infos, codes, records).items():
            recounted.setdefault(code, []).append(t)
    running = {t.contest.code: t for t in ContestTotal.objects.filter(contest__election=election)}
    assert set(running) == set(recounted)
    for code, tallies in recounted.items():
        total = sum_tallies(code, tallies)
        row = running[code]
        assert (row.ballots, row.blank, row.candidate_votes, row.branches) == (
            total.ballots, total.blank, total.candidate_votes, len(tallies))
        assert {k: v for k, v in row.candidates.items() if v} == dict(total.candidates)
    assert check_running_totals(election) == []


def test_absorbing_twice_counts_each_report_once(election, polling_day):
    absorb_new_reports(election)
    before = {t.contest_id: (t.ballots, dict(t.candidates)) for t in ContestTotal.objects.all()}
    again = absorb_new_reports(election)
    assert again.counted == 0 and again.conflicts == 0
    assert before == {t.contest_id: (t.ballots, dict(t.candidates)) for t in ContestTotal.objects.all()}
    assert CountedReport.objects.count() == polling_day["branches"]


def test_a_second_report_for_a_branch_is_set_aside_not_added(election, polling_day):
    absorb_new_reports(election)
    first = BranchReport.objects.filter(branch__election=election).order_by("id").first()
    before = {t.contest_id: t.ballots for t in ContestTotal.objects.all()}
    other = copy.deepcopy(first.document)
    other["report"]["hour"] = "2026-05-01T23"
    BranchReport.objects.create(branch=first.branch, source=ReportSource.PAPER, document=other, sha256="f" * 64,
                                ballots=first.ballots, checkins=first.checkins, received_at=first.received_at)
    outcome = absorb_new_reports(election)
    assert outcome.conflicts == 1 and outcome.counted == 0
    assert ReportConflict.objects.get().branch == first.branch
    assert before == {t.contest_id: t.ballots for t in ContestTotal.objects.all()}
    assert check_running_totals(election) == []


def test_a_late_report_updates_totals_and_progress(election):
    from entekhab.hq.elections.models import Branch
    from entekhab.hq.results.polling_day import store_polling_day

    council = Contest.objects.get(election=election, code="council-tehran")
    branches = list(Branch.objects.filter(election=election, ballot_style__contests=council).order_by("number"))
    store_polling_day(election, seed=3, voters=(2, 6), branches=branches[:-1])
    absorb_new_reports(election)
    early = ContestTotal.objects.get(contest=council)
    store_polling_day(election, seed=4, voters=(5, 5), branches=branches[-1:])
    absorb_new_reports(election)
    late = ContestTotal.objects.get(contest=council)
    assert late.branches == early.branches + 1 == len(branches)
    assert late.ballots == early.ballots + 5
    assert check_running_totals(election) == []


def test_an_edited_running_total_is_caught_by_the_recomputation(election, polling_day):
    absorb_new_reports(election)
    row = ContestTotal.objects.get(contest__election=election, contest__code="experts-tehran")
    code = next(iter(row.candidates))
    row.candidates = {**row.candidates, code: row.candidates[code] + 1}
    row.candidate_votes += 1
    row.save()
    wheres = [d.where for d in check_running_totals(election)]
    assert f"experts-tehran.candidates.{code}" in wheres and "experts-tehran.candidate_votes" in wheres
