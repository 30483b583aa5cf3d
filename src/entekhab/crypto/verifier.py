"""The independent verifier: reads a record folder and checks everything in it.

No database, no server, no trust in the rest of Entekhab: only this package, the
standard library and libsodium.  Every failure is reported with its location (file,
line, ballot, slot, guardian); the caller exits non-zero if there is any.  Heavy checks
run in chunks through a ``pmap`` (processes, or Dask with a scheduler address).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from entekhab.crypto.ballot import BallotStyle, EncryptedBallot, SpoiledBallot
from entekhab.crypto.decryption import DecryptionShare, combine
from entekhab.crypto.elgamal import DecodingTable
from entekhab.crypto.errors import CryptoError, RecordError
from entekhab.crypto.group import Element
from entekhab.crypto.keyceremony_v0 import JointKey, check_joint_key
from entekhab.crypto.mixnet import stage_label
from entekhab.crypto.parallel import PMap, chunks, serial_map
from entekhab.crypto.record import (
    MANIFEST,
    SCHEMA,
    ElectionManifest,
    election_hash,
    file_digest,
    joint_key_from_json,
    read_json,
    read_jsonl,
    record_files,
)
from entekhab.crypto.shuffle import Row, ShuffleProof, verify_shuffle
from entekhab.crypto.tracking import chain_start

UNDECODABLE = -1
MALFORMED = (CryptoError, ValueError, TypeError, KeyError, IndexError, AttributeError)
"""What a hostile or broken record can raise while being read; each becomes a located failure."""


def _describe(exc: Exception) -> str:
    return str(exc) if isinstance(exc, CryptoError) else f"malformed ({type(exc).__name__}: {exc})"


@dataclass(frozen=True, slots=True)
class Failure:
    location: str
    message: str


@dataclass
class Report:
    """What was checked (name → number of items) and every failure found."""

    checks: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, location: str, message: str) -> None:
        self.failures.append(Failure(location, message))

    def count(self, name: str, n: int) -> None:
        self.checks[name] = self.checks.get(name, 0) + n

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checks": self.checks,
            "failures": [{"location": f.location, "message": f.message} for f in self.failures],
        }


@dataclass(frozen=True, slots=True)
class BallotSummary:
    """What the main process needs for cross-ballot checks (chains, duplicates, mix input)."""

    location: str
    ballot_id: str
    style: str
    device: str
    sequence: int
    previous: bytes
    code: bytes
    row: Row


Step = Callable[[str, int, int], None]


def _no_step(step: str, done: int, total: int) -> None:
    return None


# ---- workers -------------------------------------------------------------------------


def verify_ballots_chunk(
    election: bytes,
    styles: dict[str, tuple[int, ...]],
    public_key: bytes,
    table_size: int,
    items: list[tuple[str, object]],
    spoiled: bool,
) -> tuple[list[Failure], list[BallotSummary]]:
    failures: list[Failure] = []
    summaries: list[BallotSummary] = []
    table = DecodingTable(table_size) if spoiled else None
    pk = Element(public_key)
    for where, raw in items:
        try:
            if isinstance(raw, RecordError):
                raise raw
            if not isinstance(raw, dict):
                raise RecordError("not a JSON object")
            if spoiled:
                sp = SpoiledBallot.from_json(raw)
                b = sp.ballot
            else:
                b = EncryptedBallot.from_json(raw)
            where = f"{where} (ballot {b.ballot_id})"
            if b.style_id not in styles:
                raise RecordError("unknown ballot style %(style_id)s", params={"style_id": repr(b.style_id)})
            style = BallotStyle(b.style_id, styles[b.style_id])
            if len(b.slots) != style.width:
                raise RecordError(
                    "%(slots)s slots, style %(style_id)s has %(width)s",
                    params={"slots": len(b.slots), "style_id": b.style_id, "width": style.width},
                )
            if spoiled:
                assert table is not None
                sp.verify(election, style, pk, table)
            else:
                b.verify(election)
            summaries.append(
                BallotSummary(
                    where,
                    b.ballot_id,
                    b.style_id,
                    b.device,
                    b.sequence,
                    b.previous_code,
                    b.tracking_code,
                    tuple(x for c in b.slots for x in (c.alpha.b, c.beta.b)),
                )
            )
        except MALFORMED as exc:
            failures.append(Failure(where, _describe(exc)))
    return failures, summaries


def verify_decryption_chunk(
    election: bytes,
    verification_keys: dict[int, bytes],
    quorum: int,
    table_size: int,
    where: str,
    lo: int,
    rows: list[Row],
    lines: list[object],
    decoded: list[object],
) -> list[Failure]:
    failures: list[Failure] = []
    table = DecodingTable(table_size)
    vks = {g: Element(k, allow_identity=True) for g, k in verification_keys.items()}
    for i, (row, line, dec) in enumerate(zip(rows, lines, decoded, strict=True)):
        pos = lo + i
        loc = f"{where} line {pos + 1} (mixed ballot {pos})"
        try:
            if isinstance(line, RecordError):
                raise line
            if not isinstance(line, dict) or line.get("position") != pos:
                raise RecordError("missing or wrong position")
            shares_raw = line.get("shares")
            if not isinstance(shares_raw, list):
                raise RecordError("shares is not a list")
            shares = [DecryptionShare.from_json(s) for s in shares_raw]
            good = []
            for s in shares:
                if s.guardian not in vks:
                    failures.append(Failure(f"{loc} guardian {s.guardian}", "unknown guardian"))
                    continue
                if len(s.values) != len(row) // 2:
                    failures.append(Failure(f"{loc} guardian {s.guardian}", "wrong number of values"))
                    continue
                try:
                    s.verify(vks[s.guardian], row, election)
                    good.append(s)
                except CryptoError as exc:
                    failures.append(Failure(f"{loc} guardian {s.guardian}", str(exc)))
            if len(good) < quorum or len(good) != len(shares):
                if len(good) < quorum:
                    failures.append(Failure(loc, f"{len(good)} valid shares from distinct guardians, {quorum} needed"))
                continue
            plain = combine(row, good, quorum)
            if not isinstance(dec, list) or len(dec) != len(plain):
                failures.append(Failure(f"decoded.json ballot {pos}", "wrong shape"))
                continue
            for k, (gm, m) in enumerate(zip(plain, dec, strict=True)):
                got = table.decode_or(Element.trusted(gm), UNDECODABLE)
                if got != m:
                    failures.append(
                        Failure(f"decoded.json ballot {pos} slot {k}", f"decoded {m}, decryption gives {got}")
                    )
        except MALFORMED as exc:
            failures.append(Failure(loc, _describe(exc)))
    return failures


# ---- main ----------------------------------------------------------------------------


def _check_manifest(root: Path, report: Report) -> None:
    try:
        man = read_json(root, MANIFEST)
    except RecordError as exc:
        report.fail(MANIFEST, str(exc))
        return
    files = man.get("files")
    if man.get("schema") != SCHEMA or not isinstance(files, dict):
        report.fail(MANIFEST, f"schema is not {SCHEMA} or files missing")
        return
    present = set(record_files(root))
    for rel, digest in files.items():
        if rel not in present:
            report.fail(rel, "listed in MANIFEST.json but missing")
        elif file_digest(root / rel) != digest:
            report.fail(rel, "SHA-256 digest differs from MANIFEST.json")
    for rel in sorted(present - set(files)):
        report.fail(rel, "file not listed in MANIFEST.json")
    report.count("files digested", len(files))


def _check_chains(election: bytes, summaries: list[BallotSummary], report: Report) -> None:
    by_device: dict[str, list[BallotSummary]] = defaultdict(list)
    for s in summaries:
        by_device[s.device].append(s)
    for device, items in sorted(by_device.items()):
        items.sort(key=lambda s: s.sequence)
        head = chain_start(election, device)
        for expected_seq, s in enumerate(items, start=1):
            if s.sequence != expected_seq:
                report.fail(s.location, f"device {device}: sequence {s.sequence}, expected {expected_seq}")
                break
            if s.previous != head:
                report.fail(s.location, f"device {device}: tracking chain broken before sequence {s.sequence}")
                break
            head = s.code
    report.count("device tracking chains", len(by_device))


def _parse_rows(raw: object) -> list[Row]:
    if not isinstance(raw, list):
        raise RecordError("outputs is not a list")
    try:
        return [tuple(bytes.fromhex(x) for x in row) for row in raw]
    except (TypeError, ValueError) as exc:
        raise RecordError("outputs malformed (%(exc)s)", params={"exc": exc}) from exc


def verify_record(root: Path, pmap: PMap = serial_map, parts: int = 1, step: Step = _no_step) -> Report:
    """Check the record in ``root``; the report lists every failure with its location."""
    report = Report()
    step("digests", 0, 1)
    _check_manifest(root, report)
    step("digests", 1, 1)
    try:
        manifest = ElectionManifest.from_json(read_json(root, "election.json"))
        election = election_hash(root)
        joint: JointKey = joint_key_from_json(read_json(root, "guardians.json"))
    except RecordError as exc:
        where = str(exc).split(":", 1)[0]
        report.fail(where, str(exc))
        return report

    try:
        problems = check_joint_key(joint, election)
    except MALFORMED as exc:
        problems = [f"guardians: {_describe(exc)}"]
    for problem in problems:
        report.fail("guardians.json " + problem.split(":", 1)[0], problem)
    if (joint.guardians, joint.quorum) != (manifest.guardians, manifest.quorum):
        report.fail("guardians.json", "guardian count or quorum differs from election.json")
    report.count("guardians (proofs of possession, commitments)", len(joint.commitments))
    pk = joint.public_key.b
    styles = {s.style_id: s.options for s in manifest.styles}

    summaries: dict[bool, list[BallotSummary]] = {}
    for spoiled, rel in ((False, "ballots/cast.jsonl"), (True, "ballots/spoiled.jsonl")):
        try:
            items = [(f"{rel} line {n}", obj) for n, obj in read_jsonl(root, rel)]
        except RecordError as exc:
            report.fail(rel, str(exc))
            items = []
        spans = chunks(len(items), 4 * parts, minimum=32)
        jobs = [(election, styles, pk, manifest.table_size, items[a:b], spoiled) for a, b in spans]
        name = "spoiled ballots" if spoiled else "cast ballots"
        done = [0]

        def tick(name: str = name, total: int = len(jobs), done: list[int] = done) -> None:
            done[0] += 1
            step(name, done[0], total)

        step(name, 0, len(jobs))
        found: list[BallotSummary] = []
        for fails, sums in pmap(verify_ballots_chunk, jobs, tick):
            report.failures.extend(fails)
            found.extend(sums)
        summaries[spoiled] = found
        report.count(name, len(items))

    every = summaries[False] + summaries[True]
    seen_ids: dict[str, str] = {}
    seen_alpha: dict[bytes, str] = {}
    for s in every:
        if s.ballot_id in seen_ids:
            report.fail(s.location, f"ballot id {s.ballot_id} also at {seen_ids[s.ballot_id]}")
        seen_ids.setdefault(s.ballot_id, s.location)
        for j in range(0, len(s.row), 2):
            if s.row[j] in seen_alpha:
                report.fail(s.location, f"slot {j // 2} ciphertext duplicates one at {seen_alpha[s.row[j]]}")
            seen_alpha.setdefault(s.row[j], s.location)
    _check_chains(election, every, report)

    try:
        decoded_all = read_json(root, "decoded.json")
        if decoded_all.get("schema") != SCHEMA or not isinstance(decoded_all.get("ballots"), dict):
            raise RecordError("decoded.json: schema or ballots missing")
        decoded_styles: dict[str, object] = decoded_all["ballots"]  # type: ignore[assignment]
    except RecordError as exc:
        report.fail("decoded.json", str(exc))
        decoded_styles = {}
    for extra in sorted(set(decoded_styles) - set(styles)):
        report.fail(f"decoded.json style {extra}", "style not in election.json")

    try:
        vks = {g: joint.verification_key(g).b for g in range(1, joint.guardians + 1)}
    except MALFORMED as exc:
        report.fail("guardians.json", f"verification keys cannot be derived: {_describe(exc)}")
        vks = {}
    for style in manifest.styles:
        sid = style.style_id
        current = [s.row for s in summaries[False] if s.style == sid]
        cast_count = len(current)
        for stage in range(1, manifest.mix_servers + 1):
            rel = f"mix/{sid}/stage-{stage}.json"
            step(f"mix {sid} {stage}", 0, 1)
            outputs = current  # if this stage cannot be read, later stages are checked against its input
            try:
                d = read_json(root, rel)
                if d.get("schema") != SCHEMA or d.get("style") != sid or d.get("stage") != stage:
                    raise RecordError("schema, style or stage field wrong")
                outputs = _parse_rows(d.get("outputs"))
                proof = ShuffleProof.from_json(d.get("proof"))  # type: ignore[arg-type]
                verify_shuffle(current, outputs, proof, pk, stage_label(election, sid, stage), pmap, parts)
                report.count("shuffle proofs", 1)
            except MALFORMED as exc:
                report.fail(rel, _describe(exc))
            current = outputs
            step(f"mix {sid} {stage}", 1, 1)

        rel = f"decryption/{sid}.jsonl"
        try:
            lines = [obj for _, obj in read_jsonl(root, rel)]
        except RecordError as exc:
            report.fail(rel, str(exc))
            continue
        decoded = decoded_styles.get(sid, [])
        if not isinstance(decoded, list):
            report.fail(f"decoded.json style {sid}", "not a list")
            decoded = []
        if not (len(lines) == len(current) == len(decoded) == cast_count):
            report.fail(
                rel,
                f"counts differ: {cast_count} cast, {len(current)} mixed, {len(lines)} decrypted, "
                f"{len(decoded)} decoded",
            )
        n = min(len(lines), len(current), len(decoded))
        spans = chunks(n, 4 * parts, minimum=16)
        jobs = [
            (election, vks, joint.quorum, manifest.table_size, rel, a, current[a:b], lines[a:b], decoded[a:b])
            for a, b in spans
        ]
        done = [0]

        def tick2(total: int = len(jobs), done: list[int] = done, sid: str = sid) -> None:
            done[0] += 1
            step(f"decryption {sid}", done[0], total)

        step(f"decryption {sid}", 0, len(jobs))
        for fails in pmap(verify_decryption_chunk, jobs, tick2):
            report.failures.extend(fails)
        report.count("decrypted ballots (shares and proofs)", n)
        report.count("decoded ballots", len(decoded))
    return report
