"""Open data: NIST schema validation, the signed index, the recount from the folder alone."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from entekhab.publication.errors import OpenDataInvalid
from entekhab.publication.index import build_index, check_files, verify_index
from entekhab.publication.nist import cvr_report, records_from_cvr, results_report
from entekhab.publication.opendata import (
    areas_chain,
    build_results,
    open_data_files,
    recount_folder,
    write_open_data,
)
from entekhab.records.cvr import records_digest
from entekhab.records.signing import SigningKey
from tests.publication.day import AREAS, ELECTION, HQ_KEY, polling_day

STANDARDS = Path(__file__).resolve().parents[1] / "fixtures" / "standards"
GENERATED = "2026-05-01T22:00:00Z"


def schema(name: str) -> dict:
    return json.loads((STANDARDS / name).read_text())


def results_of(day, status: str = "provisional") -> dict:
    chain = areas_chain(AREAS)
    return build_results(election=ELECTION, areas=AREAS, contests=day.contests, infos=day.infos,
                         reports=[(b.area, b.document) for b in day.branches],
                         areas_of={b.code: chain(b.area) for b in day.branches})


def folder(tmp_path: Path, day, key: SigningKey = HQ_KEY) -> Path:
    results = results_of(day)
    files = open_data_files(election=ELECTION, areas=AREAS, contests=day.contests,
                            manifests=day.manifests, branches=day.branches, results=results,
                            generated=GENERATED, key=key, definition=day.definition)
    out = tmp_path / "open"
    write_open_data(out, files)
    return out


def test_results_validate_against_nist_1500_100_v2():
    day = polling_day(1, city_branches=4, village_branches=1)
    report = results_report(results_of(day), generated=GENERATED)
    jsonschema.validate(report, schema("NIST_V2_election_results_reporting.json"))
    contest = next(c for c in report["Election"][0]["Contest"] if c["@id"] == "contest-council-city-lists")
    seats = sum(vc["Count"] for sel in contest["ContestSelection"] for vc in sel["VoteCounts"] if vc["Type"] == "seats")
    assert seats == 7


def test_a_broken_results_export_fails_the_schema():
    day = polling_day(1, city_branches=1, village_branches=0)
    report = results_report(results_of(day), generated=GENERATED)
    report["Status"] = "final-ish"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, schema("NIST_V2_election_results_reporting.json"))


def test_vote_records_validate_against_nist_1500_103_and_read_back_exactly():
    day = polling_day(2, city_branches=1, village_branches=0, voters=25)
    b = day.branches[0]
    infos = [day.infos[c["code"]] for c in day.manifests[0]["manifest"]["contests"]]
    cvr = cvr_report(election="T1", branch=b.code, device=b.device, contests=infos, records=b.records,
                     generated=GENERATED, fingerprint=day.definition.fingerprint)
    jsonschema.validate(cvr, schema("NIST_V0_cast_vote_records.json"))
    back = records_from_cvr(cvr)
    assert back == b.records
    assert records_digest(back) == b.document["report"]["records_sha256"]
    assert "UniqueId" not in json.dumps(cvr)  # nothing that could link a record to a voter or a time


def test_the_index_is_signed_and_names_every_altered_file(tmp_path):
    files = {"a.json": b"{}", "b/c.csv": b"x,y\n"}
    signed = build_index(files, election="T1", generated=GENERATED, key=HQ_KEY, fingerprint="f" * 64)
    index = verify_index(signed, public_key=HQ_KEY.public_hex)
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    assert check_files(tmp_path, index) == []
    (tmp_path / "a.json").write_bytes(b'{"x":1}')
    (tmp_path / "extra.txt").write_text("hi")
    assert check_files(tmp_path, index) == ["a.json: SHA-256 differs from the index", "extra.txt: not in the index"]
    forged = json.loads(json.dumps(signed))
    forged["index"]["files"][0]["sha256"] = "0" * 64
    with pytest.raises(OpenDataInvalid, match="signature"):
        verify_index(forged)
    other = build_index(files, election="T1", generated=GENERATED, key=SigningKey(bytes(32)), fingerprint="f" * 64)
    with pytest.raises(OpenDataInvalid, match="another key"):
        verify_index(other, public_key=HQ_KEY.public_hex)


def test_recount_of_a_genuine_folder_agrees(tmp_path):
    day = polling_day(3, city_branches=4, village_branches=1)
    out = folder(tmp_path, day)
    outcome = recount_folder(out, public_key=HQ_KEY.public_hex)
    assert outcome.agrees, outcome.as_json()
    assert outcome.branches == 5 and outcome.contests == 3
    results = json.loads((out / "results.json").read_text())
    council = next(c for c in results["contests"] if c["code"] == "council-city")
    assert sum(council["result"]["group_seats"].values()) == 7


def _resign(out: Path, key: SigningKey = HQ_KEY) -> None:
    """Rebuild the index after an edit, as a forger holding the key would."""
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    fingerprint = json.loads(files.pop("index.json"))["index"]["election_fingerprint"]
    (out / "index.json").write_text(json.dumps(build_index(files, election="T1", generated=GENERATED, key=key,
                                                           fingerprint=fingerprint)))


def test_recount_names_an_altered_published_total(tmp_path):
    day = polling_day(4, city_branches=3, village_branches=1)
    out = folder(tmp_path, day)
    results = json.loads((out / "results.json").read_text())
    council = next(c for c in results["contests"] if c["code"] == "council-city")
    code = next(iter(council["totals"]["candidates"]))
    council["totals"]["candidates"][code] += 50
    council["totals"]["candidate_votes"] += 50
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False))
    # unsigned edit: the index catches it
    assert "results.json: SHA-256 differs from the index" in recount_folder(out).problems
    _resign(out)
    outcome = recount_folder(out)
    wheres = [d.where for d in outcome.differences]
    assert f"council-city.totals.candidates.{code}" in wheres
    assert "council-city.totals.candidate_votes" in wheres


def test_recount_names_an_altered_vote_record(tmp_path):
    day = polling_day(5, city_branches=2, village_branches=0, voters=25)
    out = folder(tmp_path, day)
    b = day.branches[0]
    cvr = json.loads((out / f"records/{b.code}.json").read_text())
    cvr["CVR"] = cvr["CVR"][1:]  # a record removed
    (out / f"records/{b.code}.json").write_text(json.dumps(cvr))
    _resign(out)
    outcome = recount_folder(out)
    wheres = [d.where for d in outcome.differences]
    assert f"{b.code}.ballots" in wheres and f"{b.code}.experts.ballots" in wheres
    assert outcome.records_in_canonical_order == 2  # a record removed leaves the rest in canonical order


def test_recount_refuses_a_folder_signed_by_another_key(tmp_path):
    day = polling_day(6, city_branches=1, village_branches=0)
    out = folder(tmp_path, day, key=SigningKey(bytes([7]) * 32))
    with pytest.raises(OpenDataInvalid, match="another key"):
        recount_folder(out, public_key=HQ_KEY.public_hex)
    with pytest.raises(OpenDataInvalid, match=r"no index\.json"):
        recount_folder(tmp_path)


def test_writing_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "x").write_text("keep me")
    with pytest.raises(OpenDataInvalid, match="not empty"):
        write_open_data(tmp_path, {"a": b"1"})
    assert (tmp_path / "x").read_text() == "keep me"


def test_recount_names_reordered_vote_records(tmp_path):
    """Same ballots, another order: counts and digest agree, but a non-canonical order is named (it could leak)."""
    day = polling_day(6, city_branches=2, village_branches=0, voters=25)
    out = folder(tmp_path, day)
    b = day.branches[0]
    cvr = json.loads((out / f"records/{b.code}.json").read_text())
    cvr["CVR"] = list(reversed(cvr["CVR"]))
    (out / f"records/{b.code}.json").write_text(json.dumps(cvr))
    _resign(out)
    outcome = recount_folder(out)
    assert not outcome.agrees
    assert [d.where for d in outcome.differences] == [f"{b.code}.records_order"]


def test_recount_refuses_a_report_made_for_another_election_definition(tmp_path):
    """A report signed by a real device but bound to another definition (say, an earlier manifest) never counts."""
    from entekhab.hq.results.simulate import branch_report, device_key, load_signed_manifest
    from tests.publication.day import CLOSED

    day = polling_day(8, city_branches=2, village_branches=0, voters=10)
    b = day.branches[0]
    signed = day.manifests[0]
    forged = branch_report(election="T1", branch=b.code, manifest=load_signed_manifest(signed),
                           records=b.records, checkins=len(b.records), closed=CLOSED,
                           key=device_key("T1", b.code), fingerprint="0" * 64)
    day.branches[0] = type(b)(b.code, b.area, forged.document, b.records)
    outcome = recount_folder(folder(tmp_path, day))
    assert f"reports/{b.code}.json: made for another election definition" in outcome.problems
    assert not outcome.agrees
