"""The election record withstands the audit's attacks: each is refused and its place is named.

Most attacks here are written as the strongest adversary: after tampering, the index is
re-signed with the real HQ key, so the check that must catch the attack is the one that
does, not the index's digests.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entekhab.crypto import demo as demo_module
from entekhab.crypto import encoding
from entekhab.crypto.ballot import BallotStyle, PlaintextBallot
from entekhab.crypto.demo import DemoResult, run_demo
from entekhab.crypto.keyceremony import run_ceremony
from entekhab.crypto.parallel import ProcessMap
from entekhab.crypto.record import MANIFEST, base_hash, write_manifest
from entekhab.crypto.report import Report
from entekhab.crypto.verifier import verify_record


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    out = tmp_path_factory.mktemp("record") / "rec"
    result = run_demo(out, 16, 5, 3, 3, ("small",), seed=b"record-test", spoil_every=6, unused=("spare",),
                      fingerprint="ab" * 32)
    assert result.spoiled > 0
    return result


def _copy(result: DemoResult, tmp_path: Path) -> Path:
    dst = tmp_path / "rec"
    shutil.copytree(result.out, dst)
    return dst


def _resign(root: Path, result: DemoResult) -> None:
    assert result.keys is not None
    write_manifest(root, result.fingerprint, result.keys.hq)


def _lines(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _write_lines(path: Path, objs: list[Any]) -> None:
    path.write_bytes(b"".join(encoding.dumps(o) + b"\n" for o in objs))


def _edit_json(path: Path, fn: Callable[[Any], None]) -> None:
    obj = json.loads(path.read_text())
    fn(obj)
    path.write_bytes(encoding.dumps(obj))


def _at(report: Report, fragment: str) -> bool:
    return any(fragment in f.location for f in report.failures)


def _says(report: Report, fragment: str) -> bool:
    return any(fragment in f.message.en for f in report.failures)


# ---- honest records ------------------------------------------------------------------


def test_honest_record_with_an_unused_style_verifies(small: DemoResult) -> None:
    report = verify_record(small.out)
    assert report.ok, report.failures
    assert report.fingerprint == small.fingerprint.hex()
    assert report.checks["cast ballots"] == 16
    assert report.checks["ballot styles from signed manifests"] == 2
    assert not (small.out / "mix" / "spare").exists()


@pytest.mark.parametrize("styles", [("tehran",), ("small", "tehran"), ("small", "tehran", "spare")])
def test_honest_records_of_one_two_and_three_styles_verify(tmp_path: Path, styles: tuple[str, ...]) -> None:
    result = run_demo(tmp_path / "rec", 2 * len(styles) + 1, 3, 2, 3, styles, seed=b"styles", spoil_every=3)
    report = verify_record(result.out, expected_fingerprint=result.fingerprint)
    assert report.ok, report.failures
    assert report.anchored


def test_decoded_votes_are_what_the_voters_chose(small: DemoResult) -> None:
    from entekhab.crypto.layout import StyleLayout
    from entekhab.crypto.validity import decoded_document
    from entekhab.records.manifest import parse_signed_manifest

    envelope = json.loads((small.out / "manifests" / "small.json").read_text())
    assert small.keys is not None
    layout = StyleLayout.from_manifest(parse_signed_manifest(envelope, small.keys.hq.public_key))
    published = json.loads((small.out / "decoded.json").read_text())["styles"]["small"]
    chosen = decoded_document([layout], {"small": small.cast_selections["small"]})["styles"]["small"]
    assert published == chosen
    assert sorted(small.decoded["small"]) == sorted(small.cast_selections["small"])


def test_parallel_verifier_agrees_with_serial(small: DemoResult) -> None:
    with ProcessMap(2) as pmap:
        parallel = verify_record(small.out, pmap, 2)
    serial = verify_record(small.out)
    assert parallel.ok and serial.ok
    assert parallel.checks == serial.checks


def test_dask_scheduler_verifies_the_same(small: DemoResult) -> None:
    from distributed import LocalCluster

    from entekhab.crypto.parallel import DaskMap

    with (
        LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster,
        DaskMap(cluster.scheduler_address) as pmap,
    ):
        report = verify_record(small.out, pmap, 2)
    assert report.ok, report.failures
    assert report.checks == verify_record(small.out).checks


# ---- the trust anchor --------------------------------------------------------------


def test_a_record_of_another_election_is_refused_by_fingerprint(small: DemoResult, tmp_path: Path) -> None:
    assert verify_record(small.out, expected_fingerprint=small.fingerprint).anchored
    report = verify_record(small.out, expected_fingerprint=bytes(32))
    assert _says(report, "not the expected")
    assert not report.anchored


def test_same_election_json_with_other_keys_is_another_election(small: DemoResult, tmp_path: Path) -> None:
    """The audit's two records with byte-identical election.json: a second ceremony is another fingerprint."""
    from entekhab.crypto.ceremony import CeremonyOpening
    from entekhab.crypto.group import Randomness
    from entekhab.crypto.record import CEREMONY, write_json

    root = _copy(small, tmp_path)
    assert small.keys is not None
    election = json.loads((root / "election.json").read_text())
    opening = CeremonyOpening.from_json(election["ceremony"])
    transcript, _, _ = run_ceremony(opening, small.keys.guardians, base_hash((root / "election.json").read_bytes()),
                                    Randomness(b"another ceremony"))
    write_json(root / CEREMONY, transcript.to_json())
    _resign(root, small)
    report = verify_record(root, expected_fingerprint=small.fingerprint)
    assert not report.ok
    assert report.fingerprint != small.fingerprint.hex()
    assert _says(report, "not the expected")
    assert _at(report, "ballots/cast.jsonl:1")  # every ballot was bound to the real fingerprint


def test_the_index_must_be_signed_by_the_elections_hq_key(small: DemoResult, tmp_path: Path) -> None:
    from entekhab.records.signing import SigningKey

    root = _copy(small, tmp_path)
    write_manifest(root, small.fingerprint, SigningKey.from_seed(b"\x01" * 32))
    report = verify_record(root)
    assert _at(report, MANIFEST) and _says(report, "HQ key")


def test_unlisted_and_foreign_files_are_refused(small: DemoResult, tmp_path: Path) -> None:
    root = _copy(small, tmp_path)
    (root / "notes.txt").write_text("hello")
    assert _at(verify_record(root), "notes.txt")
    _resign(root, small)  # even when HQ lists and signs it
    report = verify_record(root)
    assert _at(report, "notes.txt") and _says(report, "not part of the record layout")


def test_a_listed_file_that_is_garbage_is_refused(small: DemoResult, tmp_path: Path) -> None:
    root = _copy(small, tmp_path)
    (root / "tally.json").write_bytes(b"\x00\xff garbage")
    _resign(root, small)
    report = verify_record(root)
    assert _at(report, "tally.json")


# ---- ballot stuffing and deletion --------------------------------------------------------


def test_a_forged_ballot_appended_to_a_real_chain_is_refused(small: DemoResult, tmp_path: Path) -> None:
    root = _copy(small, tmp_path)
    cast = _lines(root / "ballots" / "cast.jsonl")
    forged = json.loads(json.dumps(cast[0]))
    forged["seq"] = max(c["seq"] for c in cast if c["ballot"]["device"] == forged["ballot"]["device"]) + 1
    forged["ballot"]["id"] = "ab" * 16
    cast.append(forged)
    _write_lines(root / "ballots" / "cast.jsonl", cast)
    _resign(root, small)
    report = verify_record(root)
    assert not report.ok
    assert _at(report, f"ballots/cast.jsonl:{len(cast)}")


def test_an_invented_device_is_refused(small: DemoResult, tmp_path: Path) -> None:
    root = _copy(small, tmp_path)
    cast = _lines(root / "ballots" / "cast.jsonl")
    ghost = json.loads(json.dumps(cast[0]))
    ghost["ballot"]["device"] = "EBOX-9999"
    ghost["seq"] = 1
    cast.append(ghost)
    _write_lines(root / "ballots" / "cast.jsonl", cast)
    _resign(root, small)
    report = verify_record(root)
    assert _at(report, f"ballots/cast.jsonl:{len(cast)}") and _says(report, "not in the device list")


def test_a_spoiled_ballot_moved_into_the_cast_list_is_refused(small: DemoResult, tmp_path: Path) -> None:
    root = _copy(small, tmp_path)
    cast = _lines(root / "ballots" / "cast.jsonl")
    spoiled = _lines(root / "ballots" / "spoiled.jsonl")
    moved = spoiled[0]
    device = moved["ballot"]["device"]
    last = [c for c in cast if c["ballot"]["device"] == device][-1]
    cast.insert(cast.index(last) + 1, {"ballot": moved["ballot"], "seq": last["seq"] + 1, "prev": last["link"],
                                       "link": "00" * 32, "sig": "00" * 64})
    _write_lines(root / "ballots" / "cast.jsonl", cast)
    _resign(root, small)
    report = verify_record(root)
    assert not report.ok
    assert _says(report, "spoiled")


def test_the_last_two_ballots_of_every_device_dropped_are_refused(small: DemoResult, tmp_path: Path) -> None:
    root = _copy(small, tmp_path)
    cast = _lines(root / "ballots" / "cast.jsonl")
    devices = {c["ballot"]["device"] for c in cast}
    kept = []
    for device in sorted(devices):
        mine = [c for c in cast if c["ballot"]["device"] == device]
        kept += mine[:-2]
    _write_lines(root / "ballots" / "cast.jsonl", kept)
    _resign(root, small)
    report = verify_record(root)
    assert not report.ok
    closing_failures = {f.location for f in report.failures if f.location.startswith("ballots/closing.jsonl")}
    assert len(closing_failures) == len(devices)


def test_more_ballots_than_the_branch_checked_in_are_refused(small: DemoResult, tmp_path: Path) -> None:
    root = _copy(small, tmp_path)
    _edit_json(root / "devices.json", lambda d: d["checkins"].__setitem__(sorted(d["checkins"])[0], 1))
    _resign(root, small)
    report = verify_record(root)
    branch = sorted(json.loads((root / "devices.json").read_text())["checkins"])[0]
    assert _at(report, f"devices.json#branch-{branch}")


# ---- validity -----------------------------------------------------------------------


def test_a_device_that_encrypts_invalid_votes_gets_them_counted_invalid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit's device put 600 into the 55-option Experts slot and one candidate into all 21 council slots."""
    forged = iter([(7,) * 21 + (600,), (7,) * 21 + (3,)])
    honest = demo_module.honest_values

    def values(layout: Any, rng: Any) -> tuple[int, ...]:
        return next(forged, None) or honest(layout, rng)

    monkeypatch.setattr(demo_module, "honest_values", values)
    monkeypatch.setattr(BallotStyle, "is_canonical", lambda self, sel: True)
    monkeypatch.setattr(PlaintextBallot, "__post_init__", lambda self: None)
    result = run_demo(tmp_path / "rec", 4, 3, 2, 3, ("tehran",), seed=b"bad device", spoil_every=0)
    monkeypatch.undo()
    report = verify_record(result.out)
    assert report.ok, report.failures
    tally = json.loads((result.out / "tally.json").read_text())["styles"]["tehran"]["contests"]
    council, experts = (tally[c] for c in sorted(tally))
    assert council["invalid"] == {"duplicate_code": 2} or experts["invalid"] == {"duplicate_code": 2}
    assert {"out_of_range": 1} in (council["invalid"], experts["invalid"])
    assert report.checks["invalid contest votes (counted as invalid, with reason)"] == 3


def test_a_tally_that_counts_an_invalid_vote_is_refused(small: DemoResult, tmp_path: Path) -> None:
    root = _copy(small, tmp_path)

    def bump(d: Any) -> None:
        contest = sorted(d["styles"]["small"]["contests"])[0]
        votes = d["styles"]["small"]["contests"][contest]["votes"]
        first = sorted(votes)[0]
        votes[first] += 1

    _edit_json(root / "tally.json", bump)
    _resign(root, small)
    report = verify_record(root)
    assert _at(report, "tally.json")


def test_an_edited_decoded_vote_is_refused(small: DemoResult, tmp_path: Path) -> None:
    root = _copy(small, tmp_path)

    def swap(d: Any) -> None:
        contest = sorted(d["styles"]["small"]["contests"])[0]
        entries = d["styles"]["small"]["contests"][contest]
        entries[0]["count"] += 1
        entries[-1]["count"] -= 1
        d["styles"]["small"]["contests"][contest] = [e for e in entries if e["count"]]

    _edit_json(root / "decoded.json", swap)
    _resign(root, small)
    report = verify_record(root)
    assert _at(report, "decoded.json")


# ---- guardians and mixes ------------------------------------------------------------


def test_a_forged_complaint_in_the_record_disqualifies_nobody(small: DemoResult, tmp_path: Path) -> None:
    """The audit's attack: an unsigned complaint is refused, so the joint key stays all five guardians'."""
    root = _copy(small, tmp_path)

    def forge(d: Any) -> None:
        d["round4_complaints"] = [{"accuser": 2, "accused": 1, "share_digest": "00" * 32, "signature": "00" * 64}]

    _edit_json(root / "ceremony.json", forge)
    _resign(root, small)
    report = verify_record(root)
    assert report.ok, report.failures
    assert report.checks["ceremony guardians qualified"] == 5
    assert report.checks["ceremony findings (refused messages, disqualifications)"] == 1
    assert report.fingerprint == small.fingerprint.hex()


def test_a_ceremony_whose_stated_outcome_is_not_derived_is_refused(small: DemoResult, tmp_path: Path) -> None:
    root = _copy(small, tmp_path)
    _edit_json(root / "ceremony.json", lambda d: d.__setitem__("qualified", d["qualified"][:-1]))
    _resign(root, small)
    report = verify_record(root)
    assert _at(report, "ceremony.json#outcome")


def test_fewer_mix_servers_than_the_policy_are_refused(tmp_path: Path) -> None:
    result = run_demo(tmp_path / "rec", 4, 3, 2, 2, ("small",), seed=b"two mixes", spoil_every=0)
    report = verify_record(result.out)
    assert _says(report, "at least 3")


def test_a_mix_stage_signed_by_another_server_is_refused(small: DemoResult, tmp_path: Path) -> None:
    root = _copy(small, tmp_path)
    _edit_json(root / "mix" / "small" / "stage-2.json", lambda d: d.__setitem__("signature", "00" * 64))
    _resign(root, small)
    report = verify_record(root)
    assert _at(report, "mix/small/stage-2.json")


def test_a_decryption_share_from_a_guardian_outside_the_quorum_is_not_enough(
    small: DemoResult, tmp_path: Path
) -> None:
    root = _copy(small, tmp_path)
    lines = _lines(root / "decryption" / "small.jsonl")
    lines[3]["shares"] = lines[3]["shares"][:2]
    _write_lines(root / "decryption" / "small.jsonl", lines)
    _resign(root, small)
    report = verify_record(root)
    assert _at(report, "decryption/small.jsonl:4")


# ---- strict encodings and broken files ------------------------------------------------


@pytest.mark.parametrize("mutate", [
    lambda line: line["ballot"].__setitem__("tracker", line["ballot"]["tracker"].upper()),
    lambda line: line.__setitem__("seq", True),
    lambda line: line["ballot"].__setitem__("id", line["ballot"]["id"] + "00"),
    lambda line: line.__setitem__("extra", 1),
], ids=["uppercase-hex", "bool-for-int", "zero-padded-hex", "unknown-key"])
def test_re_encoded_values_are_refused(small: DemoResult, tmp_path: Path, mutate: Callable[[Any], None]) -> None:
    root = _copy(small, tmp_path)
    cast = _lines(root / "ballots" / "cast.jsonl")
    mutate(cast[1])
    _write_lines(root / "ballots" / "cast.jsonl", cast)
    _resign(root, small)
    assert _at(verify_record(root), "ballots/cast.jsonl:2")


def test_a_non_canonical_line_is_refused(small: DemoResult, tmp_path: Path) -> None:
    root = _copy(small, tmp_path)
    path = root / "ballots" / "cast.jsonl"
    lines = path.read_text().splitlines()
    lines[0] = json.dumps(json.loads(lines[0]))  # spaces after separators
    path.write_text("\n".join(lines) + "\n")
    _resign(root, small)
    assert _at(verify_record(root), "ballots/cast.jsonl:1")


def test_a_truncated_file_is_refused(small: DemoResult, tmp_path: Path) -> None:
    root = _copy(small, tmp_path)
    path = root / "ballots" / "cast.jsonl"
    data = path.read_bytes()
    cut = len(data) // 2
    while data[cut - 1 : cut] == b"\n":
        cut += 1
    path.write_bytes(data[:cut])
    _resign(root, small)
    report = verify_record(root)
    assert not report.ok and _at(report, "ballots/cast.jsonl")


# ---- privacy ----------------------------------------------------------------------


def test_nothing_in_the_record_links_a_decoded_vote_to_a_device_sequence(small: DemoResult) -> None:
    """Try the links an observer would: order of decoded votes, shared ciphertexts, spoiled positions."""
    root = small.out
    cast = _lines(root / "ballots" / "cast.jsonl")
    cast_alphas = {pair[0] for line in cast for pair in line["ballot"]["slots"]}
    final = json.loads((root / "mix" / "small" / "stage-3.json").read_text())["outputs"]
    assert not cast_alphas & {row[j] for row in final for j in range(0, len(row), 2)}  # all re-encrypted
    decoded = json.loads((root / "decoded.json").read_text())["styles"]["small"]["contests"]
    for entries in decoded.values():  # published as a sorted multiset: no order to follow
        keys = [encoding.dumps(e["vote"]) for e in entries]
        assert keys == sorted(keys) and all("count" in e for e in entries)
    for line in _lines(root / "ballots" / "spoiled.jsonl"):
        assert not {"seq", "prev", "link"} & set(line)
    trackers = [line["ballot"]["tracker"] for line in _lines(root / "ballots" / "spoiled.jsonl")]
    assert trackers == sorted(trackers)
    lines = _lines(root / "decryption" / "small.jsonl")
    assert [line["position"] for line in lines] == list(range(len(cast)))
