"""The verifier speaks Persian first: every failure of a tampered record reads in Persian under ``fa``.

Locations stay language-neutral (file names, lines, guardian numbers); the messages are
catalogue ids rendered at the edge. A message still built as an English f-string would
show up here as English words inside the Persian report.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from entekhab.crypto import encoding
from entekhab.crypto.demo import DemoResult, run_demo
from entekhab.crypto.record import write_manifest
from entekhab.crypto.report import Report
from entekhab.crypto.verifier import verify_record
from entekhab.i18n import Message, language

PERSIAN_LETTER = re.compile(r"[\u0621-\u064A\u067E\u0686\u0698\u06A9\u06AF\u06CC]")
TOKEN = re.compile(r"[A-Za-z0-9_./#:^\-]+")
LATIN_WORD = re.compile(r"[A-Za-z]{4,}")


def _english_words(text: str) -> list[str]:
    """Latin words of 4+ letters that are not identifiers (file names, hex, serials like EBOX-0001)."""
    return [t for t in TOKEN.findall(text)
            if LATIN_WORD.search(t) and not re.search(r"[0-9_./#-]", t) and not re.fullmatch(r"[0-9a-f]+", t)]


def _assert_persian(report: Report) -> None:
    assert report.failures, "the tampering must be caught"
    with language("fa"):
        for f in report.failures:
            text = str(f.message)
            assert PERSIAN_LETTER.search(text), (f.location, text)
            assert not _english_words(text), (f.location, text, _english_words(text))
    for f in report.failures:  # the report's JSON carries both, whatever the current language
        assert PERSIAN_LETTER.search(f.message.fa) and not PERSIAN_LETTER.search(f.message.en)


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("lang") / "rec", 6, 3, 2, 3, ("small",), seed=b"fa", spoil_every=3)


def _tampered(record: DemoResult, tmp_path: Path, tamper: Callable[[Path], None]) -> Report:
    root = tmp_path / "rec"
    shutil.copytree(record.out, root)
    tamper(root)
    assert record.keys is not None
    write_manifest(root, record.fingerprint, record.keys.hq)  # the strongest adversary re-signs the index
    return verify_record(root)


def _drop_last_cast(root: Path) -> None:
    cast = root / "ballots" / "cast.jsonl"
    cast.write_bytes(b"".join(cast.read_bytes().splitlines(keepends=True)[:-1]))


def test_the_honest_record_verifies(record: DemoResult) -> None:
    assert verify_record(record.out).ok


def test_a_dropped_ballot_is_reported_in_persian(record: DemoResult, tmp_path: Path) -> None:
    report = _tampered(record, tmp_path, _drop_last_cast)
    assert any(f.location == "mix/small/stage-1.json" for f in report.failures)  # verify_mix's own message
    _assert_persian(report)


def test_a_missing_mix_stage_is_reported_in_persian(record: DemoResult, tmp_path: Path) -> None:
    report = _tampered(record, tmp_path, lambda root: (root / "mix" / "small" / "stage-2.json").unlink())
    assert "mix/small/stage-2.json" in [f.location for f in report.failures]
    _assert_persian(report)


def test_a_false_ceremony_outcome_is_reported_in_persian(record: DemoResult, tmp_path: Path) -> None:
    def claim_fewer(root: Path) -> None:
        path = root / "ceremony.json"
        transcript = json.loads(path.read_text())
        transcript["qualified"] = transcript["qualified"][:-1]
        path.write_bytes(encoding.dumps(transcript))

    report = _tampered(record, tmp_path, claim_fewer)
    assert [f.location for f in report.failures] == ["ceremony.json#outcome qualified"]
    _assert_persian(report)


def test_a_nested_message_speaks_the_outer_ones_language() -> None:
    inner = Message("did not answer the complaint of guardian %(a)s", {"a": 4})
    outer = Message("guardian %(g)s is disqualified: %(why)s", {"g": 2, "why": inner})
    with language("en"):
        assert outer.en == "guardian 2 is disqualified: did not answer the complaint of guardian 4"
        assert PERSIAN_LETTER.search(outer.fa) and not _english_words(outer.fa)
        assert inner.fa in outer.fa
