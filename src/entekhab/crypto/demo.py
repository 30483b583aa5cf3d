"""The demo election: manifests → key ceremony → devices encrypt, sign, close → mix → decrypt → record.

One machine plays HQ, every guardian, board, device and mix server, so that the verifier
has a real record to check and the bench a real pipeline to time; each still signs with
its own key. Heavy steps run in chunks through a ``pmap``. With a ``seed`` every key and
every ballot is reproducible.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from entekhab.crypto.ballot import BallotDevice, BallotStyle, PlaintextBallot
from entekhab.crypto.ceremony import CeremonyOpening
from entekhab.crypto.decryption import DecryptionShare, combine, share_chunk
from entekhab.crypto.demo_manifests import demo_documents
from entekhab.crypto.elgamal import DecodingTable
from entekhab.crypto.errors import DecodingError
from entekhab.crypto.group import Element, Randomness
from entekhab.crypto.keyceremony import GuardianKey, run_ceremony
from entekhab.crypto.layout import UNDECODABLE, StyleLayout, honest_values
from entekhab.crypto.mixnet import MixServer, mix, servers_to_json, stage_location
from entekhab.crypto.parallel import PMap, chunks, serial_map
from entekhab.crypto.record import (
    CAST,
    CEREMONY,
    CLOSING,
    DECODED,
    DEVICES,
    ELECTION,
    SPOILED,
    TALLY,
    DeviceEntry,
    DeviceList,
    ElectionDefinition,
    StyleEntry,
    base_hash,
    fingerprint_of,
    write_json,
    write_jsonl,
    write_manifest,
)
from entekhab.crypto.shuffle import Row
from entekhab.crypto.tracking import short_code
from entekhab.crypto.validity import check_ballot, decoded_document, tally, tally_document
from entekhab.records.manifest import parse_signed_manifest, sign_manifest
from entekhab.records.signing import SigningKey

STYLE_NAMES = ("tehran", "small", "spare")
"""The demo's ballot styles (``demo_manifests``): Tehran's council + Experts, a small one, a spare."""
BALLOTS_PER_DEVICE = 250
BOARDS = 2
"""The supervisory and executive boards, whose keys accept a ceremony with fewer than n guardians."""

Progress = Callable[[str, int, int], None]
"""``progress(step, done, total)``."""


def _no_progress(step: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class DemoKeys:
    """Every signing key of the demo, derived from the seed (or fresh when there is none)."""

    hq: SigningKey
    guardians: tuple[SigningKey, ...]
    boards: tuple[SigningKey, ...]
    mix_servers: tuple[SigningKey, ...]
    seed: bytes | None

    def device(self, serial: str) -> SigningKey:
        if self.seed is None:
            return SigningKey.generate()
        return _derived(self.seed, f"device/{serial}")

    @staticmethod
    def make(seed: bytes | None, guardians: int, mix_servers: int) -> DemoKeys:
        def key(label: str) -> SigningKey:
            return SigningKey.generate() if seed is None else _derived(seed, label)

        return DemoKeys(
            key("hq"),
            tuple(key(f"guardian/{i}") for i in range(1, guardians + 1)),
            tuple(key(f"board/{b}") for b in range(1, BOARDS + 1)),
            tuple(key(f"mix/{s}") for s in range(1, mix_servers + 1)),
            seed,
        )


def _derived(seed: bytes, label: str) -> SigningKey:
    return SigningKey.from_seed(hashlib.sha256(b"entekhab/demo-key\x00" + seed + b"\x00" + label.encode()).digest())


def encrypt_device_chunk(
    fingerprint: bytes,
    device: str,
    device_seed: bytes,
    public_key: bytes,
    layout: StyleLayout,
    style: BallotStyle,
    count: int,
    spoil_every: int,
    table_size: int,
    seed: bytes | None,
) -> tuple[list[dict[str, object]], list[dict[str, object]], dict[str, object], list[tuple[int, ...]]]:
    """One e-box's day: ``count`` cast ballots, a Benaloh challenge on the 3rd, 3+every-th…, then close."""
    rng = Randomness(seed) if seed is not None else Randomness()
    dev = BallotDevice(fingerprint, device, Element(public_key), DecodingTable(table_size),
                       SigningKey.from_seed(device_seed), rng)
    cast: list[dict[str, object]] = []
    spoiled: list[dict[str, object]] = []
    chosen: list[tuple[int, ...]] = []
    for i in range(count):
        plain = PlaintextBallot(style, honest_values(layout, rng))
        if spoil_every and i % spoil_every == 2:
            challenged, nonces = dev.encrypt(plain)
            spoiled.append(dev.spoil(challenged, nonces, plain.selections).to_json())
        ballot, _ = dev.encrypt(plain)  # the voter votes again with the same card
        cast.append(dev.cast(ballot).to_json())
        chosen.append(plain.selections)
    return cast, spoiled, dev.close().to_json(), chosen


def decrypt_chunk(
    keys: list[GuardianKey],
    rows: list[Row],
    fingerprint: bytes,
    quorum: int,
    table_size: int,
    seed: bytes | None,
) -> tuple[list[list[dict[str, object]]], list[tuple[int, ...]]]:
    """The quorum's shares for each mixed ballot, and the decoded option indexes."""
    table = DecodingTable(table_size)
    per_guardian = [
        share_chunk(k, rows, fingerprint, None if seed is None else seed + bytes([k.guardian])) for k in keys
    ]
    shares_out: list[list[dict[str, object]]] = []
    decoded: list[tuple[int, ...]] = []
    for i, row in enumerate(rows):
        shares: list[DecryptionShare] = [g[i] for g in per_guardian]
        shares_out.append([s.to_json() for s in shares])
        values = []
        for gm in combine(row, shares, quorum):
            try:
                values.append(table.decode(Element.trusted(gm)))
            except DecodingError:
                values.append(UNDECODABLE)
        decoded.append(tuple(values))
    return shares_out, decoded


def ballot_row(line: dict[str, object]) -> Row:
    ballot = line["ballot"]
    return tuple(bytes.fromhex(x) for pair in ballot["slots"] for x in pair)  # type: ignore[index]


@dataclass
class DemoResult:
    out: Path
    ballots: int
    spoiled: int
    fingerprint: bytes = b""
    keys: DemoKeys | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    decoded: dict[str, list[tuple[int, ...]]] = field(default_factory=dict)
    """Mixed ballots' option indexes per style (kept in memory for tests)."""
    sample_receipt: str = ""
    """The first ballot's device and short tracker, as a voter's receipt would show them."""
    cast_selections: dict[str, list[tuple[int, ...]]] = field(default_factory=dict)
    """What the voters chose per style (in memory for tests; never written to the record)."""


def run_demo(
    out: Path,
    ballots: int,
    guardians: int = 5,
    quorum: int = 3,
    mix_servers: int = 3,
    styles: Sequence[str] = ("tehran",),
    pmap: PMap = serial_map,
    parts: int = 1,
    seed: bytes | None = None,
    spoil_every: int = 25,
    progress: Progress = _no_progress,
    election_id: str = "tehran-1405-demo",
    fingerprint: str = "",
    unused: Sequence[str] = (),
) -> DemoResult:
    """Run the whole election and write its record to ``out``; ``unused`` styles get no ballots."""
    rng = Randomness(seed)
    keys = DemoKeys.make(seed, guardians, mix_servers)
    result = DemoResult(out, ballots, 0, keys=keys)
    out.mkdir(parents=True, exist_ok=True)

    documents = demo_documents(election=election_id)
    layouts: dict[str, StyleLayout] = {}
    for name in (*styles, *unused):
        envelope = sign_manifest(documents[name], keys.hq)
        write_json(out / "manifests" / f"{name}.json", envelope)
        layouts[name] = StyleLayout.from_manifest(parse_signed_manifest(envelope, keys.hq.public_key))
    opening = CeremonyOpening(guardians, quorum, tuple(k.public_key for k in keys.guardians),
                              tuple(k.public_key for k in keys.boards))
    servers = [MixServer(s, k.public_key) for s, k in enumerate(keys.mix_servers, start=1)]
    definition = ElectionDefinition(
        election_id,
        tuple(StyleEntry(layouts[n].style(n), layouts[n].manifest_sha256) for n in (*styles, *unused)),
        opening.to_json(),
        servers_to_json(servers),
        keys.hq.public_hex,
        fingerprint,
    )
    write_json(out / ELECTION, definition.to_json())
    base = base_hash((out / ELECTION).read_bytes())

    t = time.perf_counter()
    progress("keys", 0, 1)
    transcript, joint, guardian_keys = run_ceremony(opening, keys.guardians, base, rng.spawn(b"ceremony"),
                                                    board_keys=keys.boards)
    write_json(out / CEREMONY, transcript.to_json())
    fp = fingerprint_of(base, joint)
    result.fingerprint = fp
    progress("keys", 1, 1)
    result.seconds["keys"] = time.perf_counter() - t

    t = time.perf_counter()
    devices_total = max(2 * parts, (ballots + BALLOTS_PER_DEVICE - 1) // BALLOTS_PER_DEVICE, len(styles))
    jobs = []
    entries = []
    for d, (a, b) in enumerate(chunks(ballots, devices_total, minimum=1)):
        name = styles[d % len(styles)]
        serial = f"EBOX-{d + 1:04d}"
        device_key = keys.device(serial)
        entries.append(DeviceEntry(serial, f"{1001 + d}", device_key.public_hex))
        jobs.append((fp, serial, device_key.seed, joint.public_key.b, layouts[name], definition.style(name), b - a,
                     spoil_every, definition.table_size,
                     None if seed is None else rng.spawn(f"device-{d}".encode()).bytes64()))
    done = [0]

    def tick_encrypt() -> None:
        done[0] += 1
        progress("encrypt", done[0], len(jobs))

    progress("encrypt", 0, len(jobs))
    cast: list[dict[str, object]] = []
    spoiled: list[dict[str, object]] = []
    closings: list[dict[str, object]] = []
    checkins: dict[str, int] = {}
    for entry, job, (c, s, closing, chosen) in zip(entries, jobs, pmap(encrypt_device_chunk, jobs, tick_encrypt),
                                                   strict=True):
        cast.extend(c)
        spoiled.extend(s)
        closings.append(closing)
        checkins[entry.branch] = len(c) + int(entry.branch) % 3  # some voters check in and leave
        result.cast_selections.setdefault(job[5].style_id, []).extend(chosen)
    write_jsonl(out / CAST, cast)
    write_jsonl(out / SPOILED, sorted(spoiled, key=lambda s: str(s["ballot"]["tracker"])))  # type: ignore[index]
    write_jsonl(out / CLOSING, closings)
    write_json(out / DEVICES, DeviceList(tuple(entries), checkins).to_json())
    if cast:
        first = cast[0]["ballot"]
        result.sample_receipt = f"{first['device']}  {short_code(bytes.fromhex(str(first['tracker'])))}"  # type: ignore[index]
    result.spoiled = len(spoiled)
    result.seconds["encrypt"] = time.perf_counter() - t

    t = time.perf_counter()
    mixed: dict[str, list[Row]] = {}
    progress("mix", 0, len(styles) * mix_servers)
    for n, name in enumerate(styles):
        rows = [ballot_row(line) for line in cast if line["ballot"]["style"] == name]  # type: ignore[index]
        if not rows:
            continue
        stages = mix(rows, list(zip(servers, keys.mix_servers, strict=True)), joint.public_key.b, fp, name,
                     rng.spawn(f"mix/{name}".encode()), pmap, parts)
        for stage in stages:
            write_json(out / stage_location(name, stage.stage), stage.to_json())
        mixed[name] = stages[-1].outputs
        progress("mix", (n + 1) * mix_servers, len(styles) * mix_servers)
    result.seconds["mix"] = time.perf_counter() - t

    t = time.perf_counter()
    trustees = guardian_keys[:quorum]
    progress("decrypt", 0, len(mixed))
    for n, (name, rows) in enumerate(mixed.items()):
        djobs = [
            (trustees, rows[a:b], fp, quorum, definition.table_size,
             None if seed is None else rng.spawn(f"decrypt-{name}-{a}".encode()).bytes64())
            for a, b in chunks(len(rows), 4 * parts, minimum=8)
        ]
        share_lines: list[dict[str, object]] = []
        values: list[tuple[int, ...]] = []
        for shares, dec in pmap(decrypt_chunk, djobs):
            for sh in shares:
                share_lines.append({"position": len(share_lines), "shares": sh})
            values.extend(dec)
        write_jsonl(out / "decryption" / f"{name}.jsonl", share_lines)
        result.decoded[name] = values
        progress("decrypt", n + 1, len(mixed))
    every = {name: result.decoded.get(name, []) for name in (*styles, *unused)}
    write_json(out / DECODED, decoded_document(list(layouts.values()), every))
    write_json(out / TALLY, tally_document(
        [tally(layouts[name], [check_ballot(layouts[name], v) for v in rows]) for name, rows in every.items()]
    ))
    write_manifest(out, fp, keys.hq)
    result.seconds["decrypt"] = time.perf_counter() - t
    return result
