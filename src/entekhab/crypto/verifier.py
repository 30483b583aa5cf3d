"""The independent verifier: reads a record folder and checks everything in it.

No database, no server, no trust in the rest of Entekhab: only this package, the
standard library and libsodium.  Every failure is reported with its location (file, line,
ballot, slot, guardian); the caller exits non-zero if there is any.  Heavy checks run in
chunks through a ``pmap`` (processes, or Dask with a scheduler address).

Order: the signed index and the layout → the definition and the styles' manifests → the
key ceremony → the fingerprint (compared with the one the caller expects) → the device
list → every ballot (in parallel) → each device's closed chain and each branch's
check-ins → each style's mix, decryption, validity and tally.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from entekhab.crypto import encoding as enc
from entekhab.crypto.errors import RecordError
from entekhab.crypto.parallel import PMap, serial_map
from entekhab.crypto.record import (
    ELECTION,
    MANIFEST,
    DeviceList,
    ElectionDefinition,
    Index,
    base_hash,
    file_digest,
    in_layout,
    read_json,
    record_files,
)
from entekhab.crypto.record import _read_bytes as read_bytes
from entekhab.crypto.report import Report, Step, no_step

MALFORMED = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)
"""What a hostile or broken record can raise while being read; each becomes a located failure."""


def _definition(root: Path, report: Report) -> tuple[ElectionDefinition, bytes] | None:
    try:
        raw = read_bytes(root, ELECTION)
        return ElectionDefinition.from_json(enc.loads(raw)), base_hash(raw)
    except MALFORMED as exc:
        report.fail(ELECTION, exc)
        return None


def _index(root: Path, report: Report, definition: ElectionDefinition) -> Index | None:
    """The HQ-signed list of files: every file present, listed, in the layout and unchanged."""
    try:
        index = Index.read(root)
        index.check_signature(definition.hq_key)
    except MALFORMED as exc:
        report.fail(MANIFEST, exc)
        return None
    present = set(record_files(root))
    for rel in sorted(present | set(index.files)):
        if not in_layout(rel):
            report.fail(rel[:200], "file is not part of the record layout")
        elif rel not in index.files:
            report.fail(rel, "file not listed in MANIFEST.json")
        elif rel not in present:
            report.fail(rel, "listed in MANIFEST.json but missing")
        elif file_digest(root / rel) != index.files[rel]:
            report.fail(rel, "SHA-256 digest differs from MANIFEST.json")
    report.count("files digested", len(index.files))
    return index


def _devices(root: Path, report: Report) -> DeviceList | None:
    try:
        return DeviceList.from_json(read_json(root, "devices.json"))
    except MALFORMED as exc:
        report.fail("devices.json", exc)
        return None


def _check_fingerprint(report: Report, index: Index | None, expected: bytes | None) -> None:
    if index is not None and index.fingerprint != report.fingerprint:
        report.fail(MANIFEST, "the index names fingerprint %(named)s, the record computes %(computed)s",
                    named=index.fingerprint, computed=report.fingerprint)
    if expected is None:
        return
    if expected.hex() != report.fingerprint:
        report.fail(ELECTION, "this record is for election %(computed)s, not the expected %(expected)s",
                    computed=report.fingerprint or "?", expected=expected.hex())
    else:
        report.anchored = True


def check_branch_counts(devices: DeviceList, cast_by_device: Mapping[str, int], report: Report) -> None:
    """No branch's devices cast more ballots than the branch accepted check-ins."""
    per_branch: dict[str, int] = {}
    for d in devices.devices:
        per_branch[d.branch] = per_branch.get(d.branch, 0) + cast_by_device.get(d.serial, 0)
    for branch, cast in sorted(per_branch.items()):
        if cast > devices.checkins[branch]:
            report.fail(f"devices.json#branch-{branch}", "branch %(branch)s: %(cast)s ballots cast, only "
                        "%(checkins)s check-ins accepted", branch=branch, cast=cast,
                        checkins=devices.checkins[branch])
    report.count("branches (cast ≤ check-ins)", len(per_branch))


def verify_record(
    root: Path,
    pmap: PMap = serial_map,
    parts: int = 1,
    step: Step = no_step,
    expected_fingerprint: bytes | None = None,
) -> Report:
    """Check the record in ``root``; the report lists every failure with its location."""
    report = Report()
    step("digests", 0, 1)
    found = _definition(root, report)
    if found is None:
        return report
    definition, base = found
    index = _index(root, report, definition)
    step("digests", 1, 1)
    raise RecordError("verifier under construction")  # replaced at integration
