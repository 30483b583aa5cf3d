"""A paper report in the open data: counted like any report, recounted by its rows, and only under HQ's key."""

from __future__ import annotations

from entekhab.hq.results.simulate import load_signed_manifest
from entekhab.publication.opendata import BranchData, recount_folder
from entekhab.publication.qrcheck import check_posted
from entekhab.records.cvr import records_digest
from entekhab.records.report import REPORT_TYPE, SignedReport, qr_payloads, sign_report
from entekhab.records.signing import SigningKey
from tests.publication.day import ELECTION, HQ_KEY, polling_day
from tests.publication.test_open_data import folder

OTHER_KEY = SigningKey(bytes([9]) * 32)


def paper_document(day, branch: str, key: SigningKey, *, extra_blank: int = 0) -> dict:
    """A paper report built by hand from the records core alone: 5 ballots, per contest 1 blank, 1 list, 3 votes."""
    manifest = load_signed_manifest(day.manifests[0])
    rows = []
    for c in manifest.document["contests"]:
        cands: dict[str, int] = {}
        lists: dict[str, int] = {}
        if c["lists"]:
            lst = c["lists"][0]
            lists[lst["code"]] = 1
            by_id = {x["id"]: x["code"] for x in c["candidates"]}
            for member in lst["members"]:
                cands[by_id[member]] = cands.get(by_id[member], 0) + 1
        first = c["candidates"][-1]["code"]
        cands[first] = cands.get(first, 0) + 3
        rows.append({"code": c["code"], "ballots": 5, "blank": 1 + extra_blank, "candidate_votes": sum(cands.values()),
                     "lists": dict(sorted(lists.items())), "candidates": dict(sorted(cands.items()))})
    report = {
        "type": REPORT_TYPE, "version": 1, "kind": "final", "source": "paper", "election": ELECTION["code"],
        "election_fingerprint": day.definition.fingerprint, "branch": branch, "style": manifest.style,
        "manifest_sha256": manifest.sha256, "device": "", "device_key": key.public_hex, "hour": "2026-05-01T18",
        "ballots": 5, "contests": rows, "records_sha256": records_digest([]), "entered_by": ["a", "b"],
        "checkins": {"branch": branch, "election": ELECTION["code"], "checkins": 5},
    }
    return sign_report(report, key).document()


def _with_paper(day, key: SigningKey, **kw) -> str:
    b = day.branches[0]
    day.branches[0] = BranchData(b.code, b.area, paper_document(day, b.code, key, **kw), ())
    return b.code


def test_a_paper_report_signed_by_hq_is_recounted_by_its_rows_and_agrees(tmp_path):
    day = polling_day(21, city_branches=2, village_branches=1, voters=10)
    _with_paper(day, HQ_KEY)
    outcome = recount_folder(folder(tmp_path, day), public_key=HQ_KEY.public_hex)
    assert outcome.agrees, outcome.as_json()
    assert outcome.branches == 3


def test_a_paper_report_signed_by_another_key_than_hq_is_refused_by_the_recount(tmp_path):
    day = polling_day(22, city_branches=2, village_branches=0, voters=10)
    code = _with_paper(day, OTHER_KEY)
    outcome = recount_folder(folder(tmp_path, day), public_key=HQ_KEY.public_hex)
    assert f"reports/{code}.json: a paper report not signed by the HQ key" in outcome.problems
    assert not outcome.agrees


def test_paper_rows_that_no_ballots_could_give_are_named_by_the_recount(tmp_path):
    day = polling_day(23, city_branches=2, village_branches=0, voters=10)
    code = _with_paper(day, HQ_KEY, extra_blank=4)  # 5 blank + 1 list ballot out of 5 ballots
    outcome = recount_folder(folder(tmp_path, day), public_key=HQ_KEY.public_hex)
    assert any(p.startswith(f"reports/{code}.json:") and "exceed the ballots" in p for p in outcome.problems), \
        outcome.problems


def test_the_qr_check_takes_a_paper_report_only_under_hq_key():
    day = polling_day(24, city_branches=1, village_branches=0, voters=5)
    genuine = paper_document(day, "B001", HQ_KEY)
    forged = paper_document(day, "B001", OTHER_KEY)

    def texts(doc):
        return qr_payloads(SignedReport(doc["report"], doc["signature"]))

    ok = check_posted(texts(genuine), {"B001": genuine}, hq_public_key=HQ_KEY.public_hex)
    assert ok.matches and ok.signature_valid
    bad = check_posted(texts(forged), {"B001": forged}, hq_public_key=HQ_KEY.public_hex)
    assert not bad.matches and not bad.signature_valid and "HQ key" in bad.signature_problem
