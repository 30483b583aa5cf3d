"""Tampering with the record in any way makes the verifier fail and name the place."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entekhab.crypto.demo import SMALL, run_demo
from entekhab.crypto.group import g_pow
from entekhab.crypto.parallel import ProcessMap
from entekhab.crypto.record import MANIFEST, write_manifest
from entekhab.crypto.verifier import Report, verify_record

from .strategies import PROPERTY

FRESH = g_pow(123456789).hex()


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("record") / "rec"
    result = run_demo(out, 16, 5, 3, 3, SMALL, seed=b"record-test", spoil_every=6, fingerprint="ab" * 32)
    assert result.spoiled > 0
    return out


def _copy(record: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "rec"
    shutil.copytree(record, dst)
    return dst


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def _edit_line(path: Path, n: int, fn: Callable[[dict], None]) -> None:
    lines = _lines(path)
    obj = json.loads(lines[n - 1])
    fn(obj)
    lines[n - 1] = json.dumps(obj, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n")


def _edit_json(path: Path, fn: Callable[[dict], None]) -> None:
    obj = json.loads(path.read_text())
    fn(obj)
    path.write_text(json.dumps(obj, separators=(",", ":")))


def _located(report: Report, fragment: str) -> bool:
    return any(fragment in f.location for f in report.failures)


def test_honest_record_verifies_and_decodes_the_cast_multiset(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    result = run_demo(out, 24, 5, 3, 3, SMALL, seed=b"multiset")
    report = verify_record(out)
    assert report.ok, report.failures
    assert report.checks["cast ballots"] == 24
    assert report.checks["shuffle proofs"] == 3
    assert Counter(map(tuple, result.decoded["small"])) == Counter(result.cast_selections)


def test_parallel_verifier_agrees_with_serial(record: Path) -> None:
    with ProcessMap(2) as pmap:
        parallel = verify_record(record, pmap, 2)
    serial = verify_record(record)
    assert parallel.ok and serial.ok
    assert parallel.checks == serial.checks


def _rewrite_then_redigest(record: Path, tmp_path: Path, rel: str, fn: Callable[[Path], None]) -> Report:
    """Tamper and re-digest, so the deeper check (not only the manifest) must catch it."""
    root = _copy(record, tmp_path)
    fn(root / rel)
    write_manifest(root)
    return verify_record(root)


def test_changed_ciphertext(record: Path, tmp_path: Path) -> None:
    def tamper(p: Path) -> None:
        _edit_line(p, 3, lambda b: b["slots"][1].__setitem__(1, FRESH))

    report = _rewrite_then_redigest(record, tmp_path, "ballots/cast.jsonl", tamper)
    assert not report.ok
    assert _located(report, "ballots/cast.jsonl line 3")


def test_dropped_ballot(record: Path, tmp_path: Path) -> None:
    def tamper(p: Path) -> None:
        lines = _lines(p)
        p.write_text("\n".join(lines[:4] + lines[5:]) + "\n")

    report = _rewrite_then_redigest(record, tmp_path, "ballots/cast.jsonl", tamper)
    assert not report.ok
    assert _located(report, "mix/small/stage-1.json")
    assert any(f.message.startswith("device EBOX-") for f in report.failures)


def test_duplicated_ballot(record: Path, tmp_path: Path) -> None:
    def tamper(p: Path) -> None:
        lines = _lines(p)
        p.write_text("\n".join([*lines, lines[1]]) + "\n")

    report = _rewrite_then_redigest(record, tmp_path, "ballots/cast.jsonl", tamper)
    assert not report.ok
    assert _located(report, f"ballots/cast.jsonl line {len(_lines(record / 'ballots/cast.jsonl')) + 1}")
    assert any("also at ballots/cast.jsonl line 2" in f.message for f in report.failures)


def test_swapped_shuffle_output(record: Path, tmp_path: Path) -> None:
    def tamper(p: Path) -> None:
        _edit_json(p, lambda d: d["outputs"].insert(0, d["outputs"].pop(3)))

    report = _rewrite_then_redigest(record, tmp_path, "mix/small/stage-2.json", tamper)
    assert not report.ok
    assert _located(report, "mix/small/stage-2.json")


def test_wrong_decryption_share(record: Path, tmp_path: Path) -> None:
    def tamper(p: Path) -> None:
        _edit_line(p, 4, lambda d: d["shares"][1]["values"].__setitem__(0, FRESH))

    report = _rewrite_then_redigest(record, tmp_path, "decryption/small.jsonl", tamper)
    assert not report.ok
    assert _located(report, "decryption/small.jsonl line 4 (mixed ballot 3) guardian 2")


def test_missing_share_below_quorum(record: Path, tmp_path: Path) -> None:
    def tamper(p: Path) -> None:
        _edit_line(p, 2, lambda d: d["shares"].pop())

    report = _rewrite_then_redigest(record, tmp_path, "decryption/small.jsonl", tamper)
    assert _located(report, "decryption/small.jsonl line 2")
    assert any("3 needed" in f.message for f in report.failures)


def test_edited_decoded_ballot(record: Path, tmp_path: Path) -> None:
    def tamper(p: Path) -> None:
        _edit_json(p, lambda d: d["ballots"]["small"][5].__setitem__(1, (d["ballots"]["small"][5][1] + 1) % 6))

    report = _rewrite_then_redigest(record, tmp_path, "decoded.json", tamper)
    assert not report.ok
    assert _located(report, "decoded.json ballot 5 slot 1")


def test_changed_digest(record: Path, tmp_path: Path) -> None:
    root = _copy(record, tmp_path)
    _edit_json(root / MANIFEST, lambda d: d["files"].__setitem__("guardians.json", "0" * 64))
    report = verify_record(root)
    assert [f.location for f in report.failures] == ["guardians.json"]


def test_edit_without_redigest_is_named_by_the_manifest(record: Path, tmp_path: Path) -> None:
    root = _copy(record, tmp_path)
    (root / "ballots" / "extra.jsonl").write_text("{}\n")
    _edit_json(root / "decoded.json", lambda d: d["ballots"]["small"][0].__setitem__(0, 5))
    report = verify_record(root)
    assert _located(report, "decoded.json")
    assert _located(report, "ballots/extra.jsonl")


def test_forged_guardian_proof(record: Path, tmp_path: Path) -> None:
    def tamper(p: Path) -> None:
        _edit_json(p, lambda d: d["commitments"][1]["proof"].__setitem__(1, "00" * 32))

    report = _rewrite_then_redigest(record, tmp_path, "guardians.json", tamper)
    assert _located(report, "guardians.json guardian 2")


def test_spoiled_ballot_with_changed_selection(record: Path, tmp_path: Path) -> None:
    def tamper(p: Path) -> None:
        _edit_line(p, 1, lambda d: d["selections"].__setitem__(0, (d["selections"][0] + 1) % 6))

    report = _rewrite_then_redigest(record, tmp_path, "ballots/spoiled.jsonl", tamper)
    assert _located(report, "ballots/spoiled.jsonl line 1")


@pytest.mark.parametrize("bad", ["ff" * 32, "00" * 32, "ed" + "ff" * 30 + "7f", "zz"])
def test_invalid_elements_rejected_at_input(record: Path, tmp_path: Path, bad: str) -> None:
    def tamper(p: Path) -> None:
        _edit_line(p, 2, lambda b: b["slots"][0].__setitem__(0, bad))

    report = _rewrite_then_redigest(record, tmp_path, "ballots/cast.jsonl", tamper)
    assert _located(report, "ballots/cast.jsonl line 2")


def test_invalid_element_in_mix_output_rejected(record: Path, tmp_path: Path) -> None:
    def tamper(p: Path) -> None:
        _edit_json(p, lambda d: d["outputs"][2].__setitem__(1, "00" * 32))

    report = _rewrite_then_redigest(record, tmp_path, "mix/small/stage-3.json", tamper)
    assert any(f.location == "mix/small/stage-3.json" and "output 2" in f.message for f in report.failures)


def test_missing_file(record: Path, tmp_path: Path) -> None:
    root = _copy(record, tmp_path)
    (root / "mix" / "small" / "stage-1.json").unlink()
    report = verify_record(root)
    assert _located(report, "mix/small/stage-1.json")


def test_dask_scheduler_verifies_the_same(record: Path) -> None:
    from distributed import LocalCluster

    from entekhab.crypto.parallel import DaskMap

    with (
        LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster,
        DaskMap(cluster.scheduler_address) as pmap,
    ):
        report = verify_record(record, pmap, 2)
    assert report.ok, report.failures
    assert report.checks == verify_record(record).checks


def test_identity_guardian_commitment_rejected(record: Path, tmp_path: Path) -> None:
    def tamper(p: Path) -> None:
        _edit_json(p, lambda d: d["commitments"][0]["coefficients"].__setitem__(1, "00" * 32))

    report = _rewrite_then_redigest(record, tmp_path, "guardians.json", tamper)
    assert _located(report, "guardians.json")


def test_non_canonical_scalar_in_shuffle_proof_rejected(record: Path, tmp_path: Path) -> None:
    order = 2**252 + 27742317777372353535851937790883648493

    def tamper(p: Path) -> None:
        _edit_json(p, lambda d: d["proof"].__setitem__("s1", order.to_bytes(32, "little").hex()))

    report = _rewrite_then_redigest(record, tmp_path, "mix/small/stage-1.json", tamper)
    assert any(f.location == "mix/small/stage-1.json" and "non-canonical" in f.message for f in report.failures)


def _paths(obj: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:3]):
            out += _paths(v, (*prefix, i))
    return out


@PROPERTY
@given(st.data())
def test_structurally_broken_records_are_reported_never_crash(
    record: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    root = _copy(record, tmp_path_factory.mktemp("fuzz"))
    rel = data.draw(
        st.sampled_from(
            ["election.json", "guardians.json", "decoded.json", "mix/small/stage-1.json", "ballots/cast.jsonl",
             "ballots/spoiled.jsonl", "decryption/small.jsonl"]
        )
    )  # fmt: skip
    path = root / rel
    lines = path.read_text().splitlines()
    n = data.draw(st.integers(0, len(lines) - 1))
    obj = json.loads(lines[n])
    target = data.draw(st.sampled_from(_paths(obj)[1:]))
    replacement = data.draw(st.sampled_from([None, 0, -1, "zz", "", [], {}, [0], {"a": 1}, 2**300]))
    parent = obj
    for key in target[:-1]:
        parent = parent[key]  # type: ignore[index]
    parent[target[-1]] = replacement  # type: ignore[index]
    lines[n] = json.dumps(obj)
    path.write_text("\n".join(lines) + "\n")
    write_manifest(root)
    report = verify_record(root)
    assert isinstance(report, Report)
    if not report.ok:
        assert all(f.location for f in report.failures)


def test_the_record_is_bound_to_the_election_fingerprint(record: Path, tmp_path: Path) -> None:
    """election.json names the HQ election definition; changing it breaks every proof bound to the election hash."""
    assert json.loads((record / "election.json").read_text())["election_fingerprint"] == "ab" * 32
    out = _copy(record, tmp_path)
    _edit_json(out / "election.json", lambda d: d.update(election_fingerprint="cd" * 32))
    write_manifest(out)  # the forger also rewrites the digest list
    report = verify_record(out)
    assert not report.ok and _located(report, "guardians.json")
