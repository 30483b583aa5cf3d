"""Property tests of the whole record: any single-field change, or any re-encoding of a value, is refused.

The index is re-signed with the real HQ key after every change, so the refusal must come
from the check that owns the changed field, not from the digests.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entekhab.crypto import encoding
from entekhab.crypto.demo import DemoResult, run_demo
from entekhab.crypto.record import MANIFEST, write_manifest
from entekhab.crypto.verifier import verify_record

HEX = set("0123456789abcdef")
UNCHECKABLE = {("devices.json", "checkins")}
"""A branch's check-in count comes from HQ's check-in rows: the record can only check cast ≤ check-ins,
so raising it is not a change a verifier can see (documented in docs/crypto.md)."""


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    out = tmp_path_factory.mktemp("fuzz") / "rec"
    return run_demo(out, 8, 3, 2, 3, ("small",), seed=b"fuzz", spoil_every=3, unused=("spare",))


def _documents(root: Path) -> list[tuple[str, int]]:
    """(file, line) of every JSON document in the record; line 0 is a whole-file document."""
    out = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        if rel.endswith(".jsonl"):
            out += [(rel, n) for n in range(1, len(path.read_text().splitlines()) + 1)]
        else:
            out.append((rel, 0))
    return out


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        value = value[p]
    return value


def _set(value: Any, path: tuple[Any, ...], new: Any) -> None:
    for p in path[:-1]:
        value = value[p]
    value[path[-1]] = new


def _changed(old: Any, pick: int) -> Any:
    """A different value of the same type: the smallest edit an attacker could make."""
    if isinstance(old, bool):
        return not old
    if isinstance(old, int):
        return old + 1 if pick % 2 or old == 0 else old - 1
    if isinstance(old, str):
        if old and set(old) <= HEX:
            i = pick % len(old)
            return old[:i] + ("0" if old[i] != "0" else "1") + old[i + 1:]
        return old + "x"
    return 1


def _reencoded(old: Any, pick: int) -> Any:
    """The same value in another spelling (which the one canonical form must refuse)."""
    if isinstance(old, bool):
        return int(old)
    if isinstance(old, int):
        return [str(old), old is not None and bool(old)][pick % 2]
    if isinstance(old, str) and old and set(old) <= HEX:
        if any(c in "abcdef" for c in old) and pick % 2:
            return old.upper()
        return "00" + old
    return None


def _load(root: Path, rel: str, line: int) -> Any:
    path = root / rel
    if line:
        return json.loads(path.read_text().splitlines()[line - 1])
    return json.loads(path.read_text())


def _store(root: Path, rel: str, line: int, value: Any) -> None:
    path = root / rel
    if line:
        lines = path.read_bytes().split(b"\n")
        lines[line - 1] = encoding.dumps(value)
        path.write_bytes(b"\n".join(lines))
    else:
        path.write_bytes(encoding.dumps(value))


def _tampered(record: DemoResult, choice: int, leaf_pick: int, edit: Any) -> bool | None:
    """Apply one edit, re-sign, verify; ``None`` when the edit is not applicable here."""
    assert record.keys is not None
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "rec"
        shutil.copytree(record.out, root)
        docs = _documents(root)
        rel, line = docs[choice % len(docs)]
        doc = _load(root, rel, line)
        leaves = _leaves(doc)
        if not leaves:
            return None
        path = leaves[leaf_pick % len(leaves)]
        if (rel, path[0] if path else None) in UNCHECKABLE:
            return None
        new = edit(_get(doc, path), leaf_pick)
        if new is None or (new == _get(doc, path) and type(new) is type(_get(doc, path))):
            return None
        _set(doc, path, new)
        _store(root, rel, line, doc)
        if rel != MANIFEST:
            write_manifest(root, record.fingerprint, record.keys.hq)
        return verify_record(root).ok


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_any_single_field_change_of_any_file_is_refused(record: DemoResult, choice: int, leaf: int) -> None:
    assert _tampered(record, choice, leaf, _changed) is not True


@SETTINGS
@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_any_re_encoding_of_a_value_is_refused(record: DemoResult, choice: int, leaf: int) -> None:
    assert _tampered(record, choice, leaf, _reencoded) is not True


def test_the_honest_copy_verifies(record: DemoResult) -> None:
    assert _tampered(record, 0, 0, lambda old, pick: None) is None
    assert verify_record(record.out).ok
