"""On top of polling's own simulation (real device agents, the HQ API over HTTP, real commits)."""

from __future__ import annotations

from django.urls import reverse

from entekhab.hq.polling.models import BranchReport, VoteRecord
from entekhab.hq.results.actions import election_inputs
from entekhab.hq.results.models import ContestTotal, CountedReport
from entekhab.hq.results.public import clear_cache
from entekhab.hq.results.totals import check_running_totals
from entekhab.publication.recount import recount_records
from entekhab.publication.totals import sum_tallies
from entekhab.records.report import SignedReport, qr_payloads
from tests.seeds import reseed_after_flush


def test_reports_from_the_real_intake_are_counted_on_arrival_and_agree_with_their_records(
    transactional_db, tmp_path, client
):
    from entekhab.hq.demo.load import load_demo
    from entekhab.hq.elections.models import Election
    from entekhab.hq.polling.simulate import simulate_polling_day

    clear_cache()
    reseed_after_flush()  # an earlier transactional test may have emptied the migration-seeded tables
    load_demo("small", 1405)
    election = Election.objects.get(code="1405")
    simulate_polling_day(out_dir=tmp_path, branches=3, voters_per_branch=8, seed=7)
    assert CountedReport.objects.count() == BranchReport.objects.count() == 3  # counted as the intake committed
    assert check_running_totals(election) == []
    inputs = election_inputs(election)
    per_contest: dict = {}
    for report in BranchReport.objects.all():
        records = list(VoteRecord.objects.filter(report=report).values_list("ballot", flat=True))
        codes = [row["code"] for row in report.document["report"]["contests"]]
        for code, t in recount_records(inputs.infos, codes, records).items():
            per_contest.setdefault(code, []).append(t)
    for code, tallies in per_contest.items():
        row = ContestTotal.objects.get(contest__election=election, contest__code=code)
        assert (row.ballots, row.candidate_votes) == (sum_tallies(code, tallies).ballots,
                                                      sum_tallies(code, tallies).candidate_votes)
    report = BranchReport.objects.first()
    texts = "\n".join(qr_payloads(SignedReport(report.document["report"], report.document["signature"])))
    page = client.post(reverse("results:check", args=[election.code]), {"codes": texts})
    assert "مطابق است" in page.content.decode()

    # Polling day replayed: the old reports go, the totals are recounted from the new ones.
    simulate_polling_day(out_dir=tmp_path / "again", branches=2, voters_per_branch=5, seed=8, replace=True)
    assert CountedReport.objects.count() == BranchReport.objects.count() == 2
    assert check_running_totals(election) == []
