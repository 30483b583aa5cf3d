"""The paper fallback end to end: two officials' entries → an HQ-signed branch report → totals → open data → recount.

A paper report has the one branch-report shape, so it is counted, published and
recounted like an electronic one; every refusal stores nothing.
"""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from django.conf import settings
from django.urls import reverse

from entekhab.domain.errors import DomainError
from entekhab.hq.accounts.roles import Role
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.elections.models import Branch
from entekhab.hq.polling.actions import do_enter_paper_counts
from entekhab.hq.polling.manifests import election_fingerprint, signed_manifest_for
from entekhab.hq.polling.models import BranchReport, Incident, PaperEntry
from entekhab.hq.results.models import ContestTotal, CountedReport, ReportConflict
from entekhab.hq.results.opendata import publish_to
from entekhab.hq.results.polling_day import store_polling_day
from entekhab.hq.results.totals import absorb_new_reports, check_running_totals
from entekhab.publication.opendata import recount_folder
from entekhab.publication.totals import summarise
from entekhab.records.manifest import parse_signed_manifest
from entekhab.records.report import REPORT_TYPE, SignedReport, qr_payloads, tally, verify_report
from entekhab.records.signing import load_hq_key


def _branches(election) -> list[Branch]:
    return list(Branch.objects.filter(election=election, ballot_style__isnull=False)
                .select_related("ballot_style", "election", "area").order_by("number"))


def _manifest(branch: Branch):
    signed = signed_manifest_for(branch)
    return parse_signed_manifest(signed, bytes.fromhex(signed["public_key"]))


def counts_for(branch: Branch, ballots: int = 6) -> dict:
    """A possible paper count: per contest one blank, two list ballots (if any), one vote each for two candidates."""
    contests = {}
    for c in _manifest(branch).document["contests"]:
        votes = {}
        if c["lists"]:
            votes[c["lists"][0]["code"]] = 2
        independents = [x["code"] for x in c["candidates"] if x["list"] is None] or [x["code"] for x in c["candidates"]]
        for code in independents[:2]:
            votes[code] = 1
        contests[c["code"]] = {"blank": 1, "votes": votes}
    return {"ballots": ballots, "contests": contests}


@pytest.fixture
def officials(make_user, election):
    """Three branch officials, each appointed at every branch these tests enter counts for."""
    from entekhab.hq.accounts.models import Appointment

    branches = _branches(election)
    people = [make_user(Role.BRANCH_HEAD, f"paper-official-{i}", branch=branches[0]) for i in range(3)]
    Appointment.objects.bulk_create([Appointment(user=p, role=Role.BRANCH_HEAD.value, branch=b, appointed_by="test")
                                     for p in people for b in branches[1:]])
    return people


@pytest.fixture
def day(election):
    """Every branch but the last reports electronically; the last has check-ins and no report (its e-box failed)."""
    branches = _branches(election)
    store_polling_day(election, seed=12, voters=(3, 8), branches=branches[:-1])
    store_polling_day(election, seed=13, voters=(8, 8), branches=branches[-1:], report=False)
    return branches[:-1], branches[-1]


def _nothing_stored(branch: Branch) -> None:
    assert not PaperEntry.objects.filter(branch=branch).exists()
    assert not BranchReport.objects.filter(branch=branch, source="paper").exists()


def test_paper_counts_travel_to_the_totals_the_open_data_and_the_recount(election, day, officials, client, tmp_path):
    electronic, branch = day
    counts = counts_for(branch)
    assert do_enter_paper_counts(branch, counts, acting_user=officials[0]) is None
    stored = do_enter_paper_counts(branch, copy.deepcopy(counts), acting_user=officials[1])
    assert stored is not None and stored.source == "paper" and stored.ballots == 6

    # One shape for every source: signed by HQ, bound to the manifest and the election definition.
    manifest = _manifest(branch)
    signed = verify_report(stored.document, manifest=manifest, fingerprint=election_fingerprint(election))
    report = signed.report
    assert report["type"] == REPORT_TYPE and report["source"] == "paper" and report["kind"] == "final"
    assert report["device_key"] == load_hq_key(settings.DATA_DIR).public_hex and report["device"] == ""
    assert report["entered_by"] == ["paper-official-0", "paper-official-1"]
    assert report["checkins"]["checkins"] == 8
    ebox = BranchReport.objects.filter(branch=electronic[0]).first().document["report"]
    # closed_at: the e-box's closing minute; a paper count entered at HQ has only the hour of entry.
    assert set(ebox) - set(report) <= {"zero_report_sha256", "mock_poll", "predecessors", "journal_head",
                                       "acknowledged_by", "closed_at"}
    # Rows of the e-box tally's shape (the same keys, contests in the manifest's order).
    assert [r["code"] for r in report["contests"]] == [r["code"] for r in tally(manifest, [])[1]]
    assert {tuple(sorted(r)) for r in report["contests"]} == {tuple(sorted(tally(manifest, [])[1][0]))}
    for c, row in zip(manifest.document["contests"], report["contests"], strict=True):
        assert row["ballots"] == 6 and row["blank"] == 1
        if c["lists"]:
            members = len(c["lists"][0]["members"])
            assert row["lists"] == {c["lists"][0]["code"]: 2}
            assert row["candidate_votes"] == 2 * members + 2
        assert row["candidate_votes"] == sum(row["candidates"].values())

    # Totalisation absorbs it like any other report.
    before = {t.contest.code: t.candidate_votes for t in ContestTotal.objects.filter(contest__election=election)}
    assert before == {}
    outcome = absorb_new_reports(election)
    assert outcome.counted == len(electronic) + 1 and outcome.conflicts == 0
    assert not ReportConflict.objects.exists()
    assert CountedReport.objects.filter(branch=branch, report=stored).exists()
    assert check_running_totals(election) == []
    paper_rows = {t.contest: t for t in summarise(stored.document).contests}
    electronic_sum: dict[str, int] = {}
    for b in electronic:
        for t in summarise(BranchReport.objects.get(branch=b).document).contests:
            electronic_sum[t.contest] = electronic_sum.get(t.contest, 0) + t.candidate_votes
    for code, t in paper_rows.items():
        total = ContestTotal.objects.get(contest__election=election, contest__code=code)
        assert total.candidate_votes == electronic_sum.get(code, 0) + t.candidate_votes
        for cand, n in t.candidates.items():
            assert total.candidates[cand] >= n

    # Published: the signed paper report as is, its source in reports.csv, the totals in results.json.
    folder = tmp_path / "open"
    publish_to(election, folder)
    assert json.loads((folder / f"reports/{branch.code}.json").read_text()) == stored.document
    rows = list(csv.DictReader(io.StringIO((folder / "reports.csv").read_text())))
    mine = [r for r in rows if r["branch"] == branch.code]
    assert mine and all(r["source_fa"] == "کاغذی" and r["source"] == "paper" for r in mine)
    assert {r["source"] for r in rows if r["branch"] != branch.code} == {"electronic"}
    results = json.loads((folder / "results.json").read_text())
    assert branch.code in {b["code"] for b in results["branches"]}
    for c in results["contests"]:
        if c["code"] in paper_rows:
            paper_votes = paper_rows[c["code"]].candidate_votes
            assert c["totals"]["candidate_votes"] == electronic_sum.get(c["code"], 0) + paper_votes

    # The recount from the folder alone agrees, paper branch included.
    recount = recount_folder(folder)
    assert recount.agrees, recount.as_json()
    assert recount.branches == len(electronic) + 1

    # The pages show the source, and the QR check accepts the paper report.
    page = client.get(reverse("results:branch", args=[election.code, branch.code])).content.decode()
    assert "کاغذی" in page and 'id="paper-note"' in page and stored.sha256 in page
    assert "کاغذی" in client.get(reverse("results:election", args=[election.code])).content.decode()
    texts = "\n".join(qr_payloads(SignedReport(stored.document["report"], stored.document["signature"])))
    check = client.post(reverse("results:check", args=[election.code]), {"codes": texts}).content.decode()
    assert "مطابق است" in check and "مطابق نیست" not in check


def test_paper_entry_is_refused_when_the_e_box_has_reported(election, day, officials):
    electronic, _ = day
    branch = electronic[0]
    with pytest.raises(DomainError) as refused:
        do_enter_paper_counts(branch, counts_for(branch), acting_user=officials[0])
    assert refused.value.code == "already_reported"
    _nothing_stored(branch)


def test_zero_check_ins_need_a_reason_and_the_reason_is_audited(election, officials, client):
    branch = _branches(election)[0]  # no check-ins, no report
    counts = counts_for(branch, ballots=5)
    with pytest.raises(DomainError) as refused:
        do_enter_paper_counts(branch, counts, acting_user=officials[0])
    assert refused.value.code == "no_checkins"
    _nothing_stored(branch)
    reason = "دستگاه احراز هویت هم از کار افتاد؛ پذیرش روی کاغذ"
    assert do_enter_paper_counts(branch, counts, acting_user=officials[0], reason=reason) is None
    client.force_login(officials[1])
    answer = client.post("/api/v1/polling/paper", {"election": election.code, "branch": branch.code,
                                                "counts": counts, "reason": reason}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["confirmed"], answer.content
    report = BranchReport.objects.get(branch=branch, source="paper")
    assert answer.json()["report"] == report.sha256 and report.checkins == 0
    assert AuditEvent.objects.filter(action="polling.paper.entry", reason=reason).count() == 2


def test_a_mismatched_second_entry_opens_an_incident_and_makes_no_report(election, day, officials):
    _, branch = day
    counts = counts_for(branch)
    do_enter_paper_counts(branch, counts, acting_user=officials[0])
    other = copy.deepcopy(counts)
    first_contest = next(iter(other["contests"].values()))
    first_contest["blank"] += 1
    with pytest.raises(DomainError) as refused:
        do_enter_paper_counts(branch, other, acting_user=officials[1])
    assert refused.value.code == "paper_mismatch"
    assert Incident.objects.filter(kind="paper_mismatch", branch=branch).count() == 1
    assert PaperEntry.objects.filter(branch=branch).count() == 1
    assert not BranchReport.objects.filter(branch=branch).exists()


def _first(counts: dict) -> dict:
    return next(iter(counts["contests"].values()))


@pytest.mark.parametrize("spoil, code", [
    (lambda c: _first(c)["votes"].update({"99999": 1}), "unknown_code"),
    (lambda c: _first(c)["votes"].update({next(iter(_first(c)["votes"])): -1}), "bad_paper_counts"),
    (lambda c: _first(c).update(blank=-1), "bad_paper_counts"),
    (lambda c: c.update(ballots=-1), "bad_paper_counts"),
    (lambda c: _first(c)["votes"].update({k: 1.5 for k in list(_first(c)["votes"])[:1]}), "bad_paper_counts"),
    (lambda c: _first(c).update(blank=7), "too_many_ballots"),
    (lambda c: c["contests"].pop(next(iter(c["contests"]))), "bad_paper_counts"),
])
def test_impossible_counts_are_refused_and_nothing_is_stored(election, day, officials, spoil, code):
    _, branch = day
    counts = counts_for(branch)
    spoil(counts)
    with pytest.raises(DomainError) as refused:
        do_enter_paper_counts(branch, counts, acting_user=officials[0])
    assert refused.value.code == code, refused.value.message_en
    _nothing_stored(branch)


def _candidate_codes(branch: Branch, contest: str) -> list[str]:
    entry = next(c for c in _manifest(branch).document["contests"] if c["code"] == contest)
    return [x["code"] for x in entry["candidates"]]


@pytest.mark.parametrize("votes", [
    lambda codes: {codes[0]: 3},  # one candidate named on more ballots than the 2 valid ones
    lambda codes: {c: 2 for c in codes[:8]},  # more candidate-votes than 2 ballots × max votes
])
def test_more_votes_than_the_ballots_can_give_are_refused(election, day, officials, votes):
    _, branch = day
    counts = counts_for(branch, ballots=3)
    experts = next(c for c in counts["contests"] if c.startswith("experts"))
    counts["contests"][experts] = {"blank": 1, "votes": votes(_candidate_codes(branch, experts))}
    with pytest.raises(DomainError) as refused:
        do_enter_paper_counts(branch, counts, acting_user=officials[0])
    assert refused.value.code == "too_many_votes", refused.value.message_en
    _nothing_stored(branch)
