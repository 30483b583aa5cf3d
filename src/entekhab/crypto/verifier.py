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
from entekhab.crypto.ballot import BallotStyle, CastBallot, ClosingStatement, SpoiledBallot
from entekhab.crypto.ceremony import CeremonyOpening, CeremonyTranscript
from entekhab.crypto.ceremonycheck import JointKey, analyse
from entekhab.crypto.chain import check_cast_ballot, check_devices, check_spoiled_ballot
from entekhab.crypto.decryption import DecryptionShare, combine
from entekhab.crypto.elgamal import DecodingTable
from entekhab.crypto.errors import CryptoError, RecordError
from entekhab.crypto.group import Element
from entekhab.crypto.layout import UNDECODABLE, StyleLayout
from entekhab.crypto.mixnet import MixServer, SignedMixStage, servers_from_json, stage_location, verify_mix
from entekhab.crypto.parallel import PMap, chunks, serial_map
from entekhab.crypto.record import (
    CAST,
    CEREMONY,
    CLOSING,
    DECODED,
    ELECTION,
    MANIFEST,
    SPOILED,
    TALLY,
    DeviceList,
    ElectionDefinition,
    Index,
    base_hash,
    file_digest,
    fingerprint_of,
    in_layout,
    read_json,
    read_jsonl,
    record_files,
)
from entekhab.crypto.record import _read_bytes as read_bytes
from entekhab.crypto.report import Failure, Report, Step, fail, fail_from, no_step
from entekhab.crypto.shuffle import Row
from entekhab.crypto.validity import (
    InvalidVote,
    check_ballot,
    decoded_document,
    read_decoded_document,
    read_tally_document,
    tally,
    tally_document,
)
from entekhab.records.manifest import parse_signed_manifest

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


# ---- ballots (workers, then across ballots) ----------------------------------------


def check_ballots_chunk(
    fingerprint: bytes,
    styles: dict[str, BallotStyle],
    device_keys: dict[str, str],
    public_key: bytes,
    table_size: int,
    items: list[tuple[str, object]],
    spoiled: bool,
) -> tuple[list[Failure], list[tuple[str, CastBallot | SpoiledBallot]]]:
    """One chunk of cast or spoiled lines: parse strictly, then each ballot's own checks."""
    failures: list[Failure] = []
    parsed: list[tuple[str, CastBallot | SpoiledBallot]] = []
    table = DecodingTable(table_size) if spoiled else None
    pk = Element(public_key)
    for where, raw in items:
        try:
            if isinstance(raw, BaseException):
                raise raw
            if spoiled:
                assert table is not None
                sp = SpoiledBallot.from_json(raw)
                problems = check_spoiled_ballot(fingerprint, styles, device_keys, pk, table, where, sp)
                parsed.append((where, sp))
            else:
                c = CastBallot.from_json(raw)
                problems = check_cast_ballot(fingerprint, styles, device_keys, where, c)
                parsed.append((where, c))
            failures.extend(Failure(w, m) for w, m in problems)
        except MALFORMED as exc:
            failures.append(fail_from(where, exc))
    return failures, parsed


def _read_lines(root: Path, rel: str, report: Report) -> list[tuple[str, object]]:
    try:
        return [(f"{rel}:{n}" if n else rel, obj) for n, obj in read_jsonl(root, rel)]
    except MALFORMED as exc:
        report.fail(rel, exc)
        return []


def _check_ballots(
    root: Path,
    report: Report,
    fingerprint: bytes,
    definition: ElectionDefinition,
    devices: DeviceList,
    public_key: bytes,
    pmap: PMap,
    parts: int,
    step: Step,
) -> tuple[list[tuple[str, CastBallot]], list[tuple[str, SpoiledBallot]], dict[str, int]]:
    """Every ballot's own checks in parallel; then chains, closings, branches and repeats here."""
    styles = {s.style.style_id: s.style for s in definition.styles}
    keys = {d.serial: d.key for d in devices.devices}
    found: dict[bool, list[tuple[str, CastBallot | SpoiledBallot]]] = {}
    for spoiled, rel, name in ((False, CAST, "cast ballots"), (True, SPOILED, "spoiled ballots")):
        items = _read_lines(root, rel, report)
        jobs = [(fingerprint, styles, keys, public_key, definition.table_size, items[a:b], spoiled)
                for a, b in chunks(len(items), 4 * parts, minimum=32)]
        done = [0]

        def tick(name: str = name, total: int = len(jobs), done: list[int] = done) -> None:
            done[0] += 1
            step(name, done[0], total)

        step(name, 0, len(jobs))
        found[spoiled] = []
        for fails, parsed in pmap(check_ballots_chunk, jobs, tick):
            report.extend(fails)
            found[spoiled].extend(parsed)
        report.count(name, len(items))
    cast = [(w, b) for w, b in found[False] if isinstance(b, CastBallot)]
    spoiled_ballots = [(w, b) for w, b in found[True] if isinstance(b, SpoiledBallot)]
    closings: list[tuple[str, ClosingStatement]] = []
    for where, raw in _read_lines(root, CLOSING, report):
        try:
            if isinstance(raw, BaseException):
                raise raw
            closings.append((where, ClosingStatement.from_json(raw)))
        except MALFORMED as exc:
            report.fail(where, exc)
    problems = check_devices(fingerprint, keys, cast, spoiled_ballots, closings, signatures=False)
    report.extend([Failure(w, m) for w, m in problems])
    report.count("device chains closed and signed", len(closings))
    seen_alpha: dict[bytes, str] = {}
    for where, b in [*cast, *spoiled_ballots]:
        for k, c in enumerate(b.ballot.slots):
            first = seen_alpha.setdefault(c.alpha.b, where)
            if first != where:
                report.fail(where, "slot %(k)s ciphertext repeats one at %(first)s", k=k, first=first)
    cast_by_device: dict[str, int] = {}
    for _, c in cast:
        cast_by_device[c.device] = cast_by_device.get(c.device, 0) + 1
    return cast, spoiled_ballots, cast_by_device


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


# ---- decryption (workers) -------------------------------------------------------------


def decrypt_chunk_checked(
    fingerprint: bytes,
    verification_keys: dict[int, bytes],
    quorum: int,
    table_size: int,
    rel: str,
    lo: int,
    rows: list[Row],
    lines: list[object],
) -> tuple[list[Failure], list[tuple[int, ...]]]:
    """Each mixed ballot's shares and proofs, combined and decoded; ``-1`` marks an undecodable slot."""
    failures: list[Failure] = []
    values: list[tuple[int, ...]] = []
    table = DecodingTable(table_size)
    vks = {g: Element(k, allow_identity=True) for g, k in verification_keys.items()}
    for i, (row, line) in enumerate(zip(rows, lines, strict=True)):
        pos = lo + i
        loc = f"{rel}:{pos + 1}"
        try:
            if isinstance(line, BaseException):
                raise line
            o = enc.obj(line, "decryption line", ("position", "shares"))
            if enc.integer(o["position"], "position") != pos:
                raise RecordError("position %(found)s where %(pos)s was due", params={"found": o["position"],
                                                                                     "pos": pos})
            shares = [DecryptionShare.from_json(s) for s in enc.array(o["shares"], "shares", len(vks))]
            good = []
            for s in shares:
                where = f"{loc}#guardian-{s.guardian}"
                if s.guardian not in vks:
                    failures.append(fail(where, "guardian %(g)s is not a qualified guardian", g=s.guardian))
                elif len(s.values) != len(row) // 2:
                    failures.append(fail(where, "wrong number of values"))
                elif any(s.guardian == g.guardian for g in good):
                    failures.append(fail(where, "a second share from guardian %(g)s", g=s.guardian))
                else:
                    try:
                        s.verify(vks[s.guardian], row, fingerprint)
                        good.append(s)
                    except CryptoError as exc:
                        failures.append(fail_from(where, exc))
            if len(good) < quorum or len(good) != len(shares):
                if len(good) < quorum:
                    failures.append(fail(loc, "%(good)s valid shares from distinct guardians, %(quorum)s needed",
                                         good=len(good), quorum=quorum))
                values.append(tuple(UNDECODABLE for _ in range(len(row) // 2)))
                continue
            values.append(tuple(table.decode_or(Element.trusted(gm), UNDECODABLE)
                                for gm in combine(row, good, quorum)))
        except MALFORMED as exc:
            failures.append(fail_from(loc, exc))
            values.append(tuple(UNDECODABLE for _ in range(len(row) // 2)))
    return failures, values


# ---- per style: mix, decryption, validity ------------------------------------------


def _layouts(root: Path, report: Report, definition: ElectionDefinition) -> dict[str, StyleLayout]:
    """Each style re-derived from its HQ-signed ballot manifest, and equal to election.json's."""
    out: dict[str, StyleLayout] = {}
    for entry in definition.styles:
        sid = entry.style.style_id
        rel = f"manifests/{sid}.json"
        try:
            envelope = enc.obj(read_json(root, rel), rel, ("manifest", "sha256", "signature", "public_key"))
            enc.hex_bytes(envelope["sha256"], 32, f"{rel} sha256")
            enc.hex_bytes(envelope["signature"], 64, f"{rel} signature")
            if envelope["public_key"] != definition.hq_key:  # the parser checks under HQ's key, not this field
                raise RecordError("the manifest names a key that is not the election's HQ key")
            layout = StyleLayout.from_manifest(parse_signed_manifest(envelope, definition.hq_key))
            if layout.manifest_sha256 != entry.manifest_sha256:
                raise RecordError("the manifest is not the one election.json names")
            if layout.style(sid) != entry.style:
                raise RecordError("election.json's slots for style %(style)s are not the manifest's",
                                  params={"style": sid})
            out[sid] = layout
        except MALFORMED as exc:
            report.fail(rel, exc)
    report.count("ballot styles from signed manifests", len(out))
    return out


def _read_stages(root: Path, report: Report, sid: str, servers: int) -> list[SignedMixStage]:
    stages = []
    for s in range(1, servers + 1):
        rel = stage_location(sid, s)
        if not (root / rel).exists():
            continue  # verify_mix names the missing stage
        try:
            stages.append(SignedMixStage.from_json(read_json(root, rel)))
        except MALFORMED as exc:
            report.fail(rel, exc)
    return stages


def _check_style(
    root: Path,
    report: Report,
    fingerprint: bytes,
    definition: ElectionDefinition,
    layout: StyleLayout,
    servers: list[MixServer],
    rows: list[Row],
    joint: JointKey,
    pmap: PMap,
    parts: int,
    step: Step,
) -> list[tuple[int, ...]]:
    """Mix → decryption → decoded option indexes of one style (empty for a style nobody voted in)."""
    sid = layout.style_id
    if not rows:
        for rel in [stage_location(sid, s) for s in range(1, len(servers) + 1)] + [f"decryption/{sid}.jsonl"]:
            if (root / rel).exists():
                report.fail(rel, "style %(style)s has no cast ballots, so this file must not exist", style=sid)
        return []
    step(f"mix {sid}", 0, 1)
    stages = _read_stages(root, report, sid, len(servers))
    mixed, problems = verify_mix(rows, stages, servers, joint.public_key.b, fingerprint, sid, pmap, parts)
    for where, message in problems:
        report.fail(where, message)
    report.count("shuffle proofs (signed stages)", len(stages))
    step(f"mix {sid}", 1, 1)
    rel = f"decryption/{sid}.jsonl"
    lines = [obj for _, obj in _read_lines(root, rel, report)]
    if len(lines) != len(mixed):
        report.fail(rel, "%(lines)s decrypted ballots, %(mixed)s mixed", lines=len(lines), mixed=len(mixed))
    n = min(len(lines), len(mixed))
    vks = {g: joint.verification_key(g).b for g in joint.qualified}
    jobs = [(fingerprint, vks, joint.quorum, definition.table_size, rel, a, mixed[a:b], lines[a:b])
            for a, b in chunks(n, 4 * parts, minimum=16)]
    done = [0]

    def tick(total: int = len(jobs), done: list[int] = done) -> None:
        done[0] += 1
        step(f"decryption {sid}", done[0], total)

    step(f"decryption {sid}", 0, len(jobs))
    values: list[tuple[int, ...]] = []
    for fails, vals in pmap(decrypt_chunk_checked, jobs, tick):
        report.extend(fails)
        values.extend(vals)
    report.count("decrypted ballots (shares and proofs)", n)
    return values


def _check_results(root: Path, report: Report, layouts: dict[str, StyleLayout],
                   values: dict[str, list[tuple[int, ...]]]) -> None:
    """decoded.json and tally.json are exactly what the decryption gives, read by the manifests' rules."""
    verdicts = {sid: [check_ballot(layouts[sid], v) for v in values.get(sid, [])] for sid in layouts}
    for vs in verdicts.values():
        invalid = sum(1 for ballot in vs for v in ballot if isinstance(v, InvalidVote))
        report.count("contest votes read against the manifest", sum(len(b) for b in vs))
        if invalid:
            report.count("invalid contest votes (counted as invalid, with reason)", invalid)
    expected_decoded = decoded_document(list(layouts.values()), {sid: values.get(sid, []) for sid in layouts})
    expected_tally = tally_document([tally(layouts[sid], verdicts[sid]) for sid in layouts])
    for rel, expected, reader in ((DECODED, expected_decoded, read_decoded_document),
                                  (TALLY, expected_tally, read_tally_document)):
        try:
            published = read_json(root, rel)
            reader(published, list(layouts.values()))
        except MALFORMED as exc:
            report.fail(rel, exc)
            continue
        if published == expected:
            continue
        styles = published.get("styles") if isinstance(published.get("styles"), dict) else {}
        for sid, body in expected["styles"].items():
            got = styles.get(sid)  # type: ignore[union-attr]
            if got == body:
                continue
            for code in layouts[sid].contests:
                want = body["contests"][code.code]
                have = got.get("contests", {}).get(code.code) if isinstance(got, dict) else None
                if have != want:
                    report.fail(f"{rel}#{sid}/{code.code}", "differs from what the decryption of the mixed "
                                "ballots gives")
            if isinstance(got, dict) and got.get("ballots") != body["ballots"]:
                report.fail(f"{rel}#{sid}", "ballot count differs from the decryption")
    report.count("tallies recomputed", len(layouts))


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
    layouts = _layouts(root, report, definition)
    try:
        opening = CeremonyOpening.from_json(definition.ceremony)
        servers = servers_from_json(definition.mix_servers)
    except MALFORMED as exc:
        report.fail(ELECTION, exc)
        return report
    try:
        transcript = CeremonyTranscript.from_json(read_json(root, CEREMONY))
    except MALFORMED as exc:
        report.fail(CEREMONY, exc)
        return report
    analysis = analyse(transcript, opening, base)
    for where, message in analysis.fatal:
        report.fail(f"{CEREMONY}#{where}", message)
    report.count("ceremony guardians qualified", len(analysis.qualified))
    report.count("ceremony findings (refused messages, disqualifications)", len(analysis.findings))
    if analysis.fatal:
        return report
    joint = analysis.joint_key()
    report.fingerprint = fingerprint_of(base, joint).hex()
    fingerprint = bytes.fromhex(report.fingerprint)
    _check_fingerprint(report, index, expected_fingerprint)

    devices = _devices(root, report)
    if devices is None:
        return report
    cast, spoiled, cast_by_device = _check_ballots(root, report, fingerprint, definition, devices,
                                                   joint.public_key.b, pmap, parts, step)
    check_branch_counts(devices, cast_by_device, report)
    for where, sp in spoiled:
        layout = layouts.get(sp.ballot.style_id)
        if layout is not None and any(isinstance(v, InvalidVote) for v in check_ballot(layout, sp.selections)):
            report.fail(where, "the challenged ballot reveals a vote the manifest does not allow")

    values: dict[str, list[tuple[int, ...]]] = {}
    for sid, layout in layouts.items():
        rows = [tuple(x for c in b.ballot.slots for x in (c.alpha.b, c.beta.b))
                for _, b in cast if b.ballot.style_id == sid]
        values[sid] = _check_style(root, report, fingerprint, definition, layout, servers, rows, joint, pmap,
                                   parts, step)
    if len(layouts) == len(definition.styles):
        _check_results(root, report, layouts, values)
    return report
