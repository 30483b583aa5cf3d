"""End to end: a simulated polling day through real device agents and the HQ API over HTTP.

It commits for real (the devices reach HQ over a socket), so it loads its own demo election.
"""

from __future__ import annotations

from entekhab.hq.polling.models import BranchReport, CheckIn, DuplicateCheckIn, Incident, VoteRecord
from entekhab.hq.polling.simulate import simulate_polling_day
from entekhab.records.report import verify_report


def test_simulated_polling_day_reports_every_branch_and_reconciles_offline_duplicates(
    transactional_db, council_sizes, tmp_path
):
    from entekhab.hq.demo.load import load_demo

    load_demo("small", 1405)
    result = simulate_polling_day(out_dir=tmp_path, branches=3, voters_per_branch=8, seed=7)
    assert len(result.branches) == 3
    assert BranchReport.objects.count() == 3
    for outcome in result.branches:
        stored = BranchReport.objects.get(branch__code=outcome.branch)
        verify_report(stored.document)
        assert stored.ballots == outcome.ballots == outcome.checkins
        assert stored.vote_records.count() == stored.ballots
        assert (tmp_path / "reports" / f"{outcome.branch}.pdf").exists()
    assert VoteRecord.objects.count() == sum(b.ballots for b in result.branches)
    assert CheckIn.objects.count() == sum(b.checkins for b in result.branches) - DuplicateCheckIn.objects.count()
    assert Incident.objects.filter(kind="double_checkin").count() == DuplicateCheckIn.objects.count() >= 1
    assert sum(b.refused_already_voted for b in result.branches) >= 1
    # Every device heartbeated, so no branch with enrolled devices is "without a deployed device".
    from entekhab.hq.operations.models import BranchNetwork
    from entekhab.hq.polling.models import DeviceEnrolment

    enrolled = DeviceEnrolment.objects.filter(state="active")
    assert enrolled.count() == 6 and not enrolled.filter(heartbeat_at__isnull=True).exists()
    status = dict(BranchNetwork.objects.values_list("branch__code", "status"))
    for outcome in result.branches:
        assert status.get(outcome.branch, "unmonitored") != "unmonitored", outcome.branch
