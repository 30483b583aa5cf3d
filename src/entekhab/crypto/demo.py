"""The demo ceremony: keys → encrypt N random ballots → mix → decrypt → record.

One machine plays every guardian, device and mix server, so that the verifier has a real
record to check and the bench has a real pipeline to time.  Heavy steps run in chunks
through a ``pmap`` (process pool by default).  With a ``seed`` everything is reproducible.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from entekhab.crypto.ballot import BallotDevice, BallotStyle, PlaintextBallot, SpoiledBallot, StyleId
from entekhab.crypto.decryption import DecryptionShare, combine, share_chunk
from entekhab.crypto.elgamal import DecodingTable
from entekhab.crypto.errors import DecodingError
from entekhab.crypto.group import Element, Randomness
from entekhab.crypto.keyceremony_v0 import GuardianKey, run_ceremony
from entekhab.crypto.mixnet import mix_stage
from entekhab.crypto.parallel import PMap, chunks, serial_map
from entekhab.crypto.record import (
    ElectionManifest,
    election_hash,
    joint_key_to_json,
    write_json,
    write_jsonl,
    write_manifest,
)
from entekhab.crypto.shuffle import Row
from entekhab.crypto.tracking import short_code

TEHRAN = BallotStyle(StyleId("tehran"), (630,) * 21 + (55,))
"""21 council slots (600 candidates + 30 lists), 1 Experts slot (55 candidates)."""
SMALL = BallotStyle(StyleId("small"), (5, 5, 3))
STYLES = {"tehran": TEHRAN, "small": SMALL}
UNDECODABLE = -1
"""Decoded value of a slot whose plaintext is outside the option table (invalid slot)."""

Progress = Callable[[str, int, int], None]
"""``progress(step, done, total)``."""


def _no_progress(step: str, done: int, total: int) -> None:
    return None


def random_selections(style: BallotStyle, rng: Randomness) -> tuple[int, ...]:
    """A plausible ballot: for Tehran, a list code alone or up to 21 distinct candidates."""
    if style.style_id == "tehran":
        council = [0] * 21
        if rng.below(10) < 3:
            council[0] = 601 + rng.below(30)
        else:
            chosen: set[int] = set()
            for _ in range(rng.below(22)):
                chosen.add(1 + rng.below(600))
            for k, c in enumerate(sorted(chosen)):
                council[k] = c
        return (*council, rng.below(56))
    return tuple(rng.below(o + 1) for o in style.options)


def encrypt_device_chunk(
    election: bytes,
    device: str,
    public_key: bytes,
    style: BallotStyle,
    count: int,
    spoil_every: int,
    table_size: int,
    seed: bytes | None,
) -> tuple[list[dict[str, object]], list[dict[str, object]], list[tuple[int, ...]]]:
    """One e-box's day: ``count`` cast ballots; a Benaloh challenge on ballots 3, 3+every, …"""
    rng = Randomness(seed) if seed is not None else Randomness()
    table = DecodingTable(table_size)
    dev = BallotDevice(election, device, Element(public_key), table, rng)
    cast: list[dict[str, object]] = []
    spoiled: list[dict[str, object]] = []
    chosen: list[tuple[int, ...]] = []
    for i in range(count):
        plain = PlaintextBallot(style, random_selections(style, rng))
        if spoil_every and i % spoil_every == 2:
            enc, nonces = dev.encrypt(plain)
            spoiled.append(SpoiledBallot(enc, plain.selections, nonces).to_json())
        enc, _ = dev.encrypt(plain)
        cast.append(enc.to_json())
        chosen.append(plain.selections)
    return cast, spoiled, chosen


def decrypt_chunk(
    keys: list[GuardianKey],
    rows: list[Row],
    election: bytes,
    quorum: int,
    table_size: int,
    seed: bytes | None,
) -> tuple[list[list[dict[str, object]]], list[list[int]]]:
    """The quorum's shares for each ballot, and the decoded indexes."""
    table = DecodingTable(table_size)
    per_guardian = [share_chunk(k, rows, election, None if seed is None else seed + bytes([k.guardian])) for k in keys]
    shares_out: list[list[dict[str, object]]] = []
    decoded: list[list[int]] = []
    for i, row in enumerate(rows):
        shares: list[DecryptionShare] = [g[i] for g in per_guardian]
        shares_out.append([s.to_json() for s in shares])
        values = []
        for gm in combine(row, shares, quorum):
            try:
                values.append(table.decode(Element.trusted(gm)))
            except DecodingError:
                values.append(UNDECODABLE)
        decoded.append(values)
    return shares_out, decoded


def ballot_row(ballot: dict[str, object]) -> Row:
    return tuple(bytes.fromhex(x) for pair in ballot["slots"] for x in pair)  # type: ignore[attr-defined]


@dataclass
class DemoResult:
    out: Path
    ballots: int
    spoiled: int
    seconds: dict[str, float] = field(default_factory=dict)
    decoded: dict[str, list[list[int]]] = field(default_factory=dict)
    sample_receipt: str = ""
    """The first ballot's id and short tracking code, as a voter's receipt would show them."""
    cast_selections: list[tuple[int, ...]] = field(default_factory=list)
    """What the voters chose (kept in memory for tests; never written to the record)."""


def run_demo(
    out: Path,
    ballots: int,
    guardians: int = 5,
    quorum: int = 3,
    mix_servers: int = 3,
    style: BallotStyle = TEHRAN,
    pmap: PMap = serial_map,
    parts: int = 1,
    seed: bytes | None = None,
    spoil_every: int = 25,
    progress: Progress = _no_progress,
    election_id: str = "tehran-1405-demo",
    fingerprint: str = "",
) -> DemoResult:
    """Run the whole ceremony and write a record to ``out``; returns timings and counts."""
    rng = Randomness(seed)
    result = DemoResult(out, ballots, 0)
    manifest = ElectionManifest(election_id, (style,), guardians, quorum, mix_servers, fingerprint)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "election.json", manifest.to_json())
    election = election_hash(out)

    t = time.perf_counter()
    progress("keys", 0, 1)
    joint, keys = run_ceremony(guardians, quorum, election, rng.spawn(b"ceremony"))
    write_json(out / "guardians.json", joint_key_to_json(joint))
    progress("keys", 1, 1)
    result.seconds["keys"] = time.perf_counter() - t

    t = time.perf_counter()
    devices = max(2 * parts, (ballots + 249) // 250)
    spans = chunks(ballots, devices, minimum=1)
    jobs = [
        (
            election,
            f"EBOX-{d + 1:04d}",
            joint.public_key.b,
            style,
            b - a,
            spoil_every,
            manifest.table_size,
            None if seed is None else rng.spawn(f"device-{d}".encode()).bytes64(),
        )
        for d, (a, b) in enumerate(spans)
    ]
    done = [0]

    def tick_encrypt() -> None:
        done[0] += 1
        progress("encrypt", done[0], len(jobs))

    progress("encrypt", 0, len(jobs))
    cast: list[dict[str, object]] = []
    spoiled: list[dict[str, object]] = []
    for c, s, chosen in pmap(encrypt_device_chunk, jobs, tick_encrypt):
        cast.extend(c)
        spoiled.extend(s)
        result.cast_selections.extend(chosen)
    write_jsonl(out / "ballots" / "cast.jsonl", cast)
    result.sample_receipt = f"{cast[0]['id']}  {short_code(bytes.fromhex(str(cast[0]['code'])))}"
    write_jsonl(out / "ballots" / "spoiled.jsonl", spoiled)
    result.spoiled = len(spoiled)
    result.seconds["encrypt"] = time.perf_counter() - t

    t = time.perf_counter()
    rows = [ballot_row(b) for b in cast]
    progress("mix", 0, mix_servers)
    current = rows
    for s in range(1, mix_servers + 1):
        stage = mix_stage(current, s, joint.public_key.b, election, style.style_id, rng, pmap, parts)
        outputs, proof = stage.outputs, stage.proof
        stage_json = {
            "schema": "entekhab-record/1",
            "style": style.style_id,
            "stage": s,
            "outputs": [[x.hex() for x in row] for row in outputs],
            "proof": proof.to_json(),
        }
        write_json(out / "mix" / style.style_id / f"stage-{s}.json", stage_json)
        current = outputs
        progress("mix", s, mix_servers)
    result.seconds["mix"] = time.perf_counter() - t

    t = time.perf_counter()
    trustees = [k for k in keys][:quorum]
    spans = chunks(len(current), 4 * parts, minimum=8)
    djobs = [
        (
            trustees,
            current[a:b],
            election,
            quorum,
            manifest.table_size,
            None if seed is None else rng.spawn(f"decrypt-{a}".encode()).bytes64(),
        )
        for a, b in spans
    ]
    ddone = [0]

    def tick_decrypt() -> None:
        ddone[0] += 1
        progress("decrypt", ddone[0], len(djobs))

    progress("decrypt", 0, len(djobs))
    share_lines: list[dict[str, object]] = []
    decoded: list[list[int]] = []
    for shares, dec in pmap(decrypt_chunk, djobs, tick_decrypt):
        for sh in shares:
            share_lines.append({"position": len(share_lines), "shares": sh})
        decoded.extend(dec)
    write_jsonl(out / "decryption" / f"{style.style_id}.jsonl", share_lines)
    write_json(out / "decoded.json", {"schema": "entekhab-record/1", "ballots": {style.style_id: decoded}})
    write_manifest(out)
    result.decoded = {style.style_id: decoded}
    result.seconds["decrypt"] = time.perf_counter() - t
    return result
