"""The election record: one folder anyone can download and check, and its trust anchor.

Layout (schema ``entekhab-record/2``; every file is canonical JSON, see ``encoding``)::

    election.json                  the definition: styles (from the signed ballot manifests),
                                   the key ceremony's opening (guardians' and boards' keys),
                                   the mix servers' keys, the HQ key
    manifests/<style>.json         the signed ballot manifest each style is derived from
    ceremony.json                  every signed message of the key ceremony
    devices.json                   the e-boxes (serial, branch, key) and each branch's
                                   accepted check-ins
    ballots/cast.jsonl             every cast ballot, device-signed and chained per device
    ballots/spoiled.jsonl          every challenged ballot, sorted by tracker, no position
    ballots/closing.jsonl          each device's signed closing statement
    mix/<style>/stage-<s>.json     each mix server's signed output and proof of shuffle
    decryption/<style>.jsonl       per mixed ballot: the quorum's shares and proofs
    decoded.json                   the decoded ballots in the form the count needs, sorted
    tally.json                     the totals recomputed from decoded.json
    MANIFEST.json                  SHA-256 of every other file, signed by the HQ key

The **base hash** is the hash of ``election.json``'s bytes; the ceremony binds to it. The
**election fingerprint** (ElectionGuard's extended base hash) adds every coefficient
commitment and the joint key; it is published before the polls open and bound into every
ballot, tracker, mix stage and decryption share, and ``entekhab verify --fingerprint``
refuses a record of any other election. A file not in this layout is refused, listed or not.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entekhab.crypto import encoding as enc
from entekhab.crypto.ballot import BallotStyle
from entekhab.crypto.errors import CryptoError, RecordError
from entekhab.records.errors import RecordError as SignedRecordError
from entekhab.records.signing import SigningKey, verify

SCHEMA = "entekhab-record/2"
MANIFEST = "MANIFEST.json"
ELECTION = "election.json"
CEREMONY = "ceremony.json"
DEVICES = "devices.json"
CAST = "ballots/cast.jsonl"
SPOILED = "ballots/spoiled.jsonl"
CLOSING = "ballots/closing.jsonl"
DECODED = "decoded.json"
TALLY = "tally.json"
MAX_FILE_BYTES = 1 << 33
"""Policy: no record file over 8 GiB (Tehran's cast ballots are about 0.2 GiB)."""

_STYLE = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
LAYOUT = re.compile(
    rf"^(?:election\.json|ceremony\.json|devices\.json|decoded\.json|tally\.json"
    rf"|ballots/(?:cast|spoiled|closing)\.jsonl|manifests/{_STYLE}\.json"
    rf"|mix/{_STYLE}/stage-[1-9][0-9]{{0,2}}\.json|decryption/{_STYLE}\.jsonl)$"
)
STYLE_ID = re.compile(rf"^{_STYLE}$")


def in_layout(rel: str) -> bool:
    return bool(LAYOUT.match(rel)) and ".." not in rel


# ---- the definition ----------------------------------------------------------------


@dataclass(frozen=True)
class StyleEntry:
    """A ballot style and the SHA-256 of the signed manifest it was derived from."""

    style: BallotStyle
    manifest_sha256: str

    def to_json(self) -> dict[str, object]:
        return {**self.style.to_json(), "manifest_sha256": self.manifest_sha256}

    @staticmethod
    def from_json(d: object, where: str) -> StyleEntry:
        o = enc.obj(d, where, ("id", "options", "runs", "manifest_sha256"))
        style = BallotStyle.from_json({k: o[k] for k in ("id", "options", "runs")})
        if not STYLE_ID.match(style.style_id):
            raise enc.EncodingError("%(where)s: style id %(id)s is not a plain name",
                                    params={"where": where, "id": repr(style.style_id)})
        enc.hex_bytes(o["manifest_sha256"], 32, f"{where} manifest_sha256")
        return StyleEntry(style, o["manifest_sha256"])


@dataclass(frozen=True)
class ElectionDefinition:
    """``election.json``: what the base hash covers, published before the ceremony."""

    election_id: str
    styles: tuple[StyleEntry, ...]
    ceremony: Mapping[str, Any]
    """The key ceremony's opening document (``keyceremony``'s ``to_json``)."""
    mix_servers: Sequence[Mapping[str, Any]]
    """The mix servers' identities (``mixnet``'s ``to_json``)."""
    hq_key: str
    """Ed25519 key that signs ``MANIFEST.json`` and ``devices.json``."""
    definition_fingerprint: str = ""
    """The HQ election definition's fingerprint (``entekhab.records.election``), when bound."""

    def __post_init__(self) -> None:
        ids = [s.style.style_id for s in self.styles]
        if not ids or len(set(ids)) != len(ids):
            raise RecordError("election needs at least one ballot style, ids unique")

    def style(self, style_id: str) -> BallotStyle:
        for s in self.styles:
            if s.style.style_id == style_id:
                return s.style
        raise RecordError("unknown ballot style %(style_id)s", params={"style_id": repr(style_id)})

    @property
    def style_ids(self) -> tuple[str, ...]:
        return tuple(s.style.style_id for s in self.styles)

    @property
    def table_size(self) -> int:
        return max(max(s.style.options) for s in self.styles) + 1

    def to_json(self) -> dict[str, object]:
        return {
            "schema": SCHEMA,
            "election_id": self.election_id,
            "definition_fingerprint": self.definition_fingerprint,
            "styles": [s.to_json() for s in self.styles],
            "ceremony": dict(self.ceremony),
            "mix_servers": [dict(m) for m in self.mix_servers],
            "hq_key": self.hq_key,
        }

    @staticmethod
    def from_json(d: object) -> ElectionDefinition:
        o = enc.obj(d, ELECTION, ("schema", "election_id", "definition_fingerprint", "styles", "ceremony",
                                  "mix_servers", "hq_key"))
        check_schema(o, ELECTION)
        fp = o["definition_fingerprint"]
        if fp != "":
            enc.hex_bytes(fp, 32, "definition_fingerprint")
        enc.hex_bytes(o["hq_key"], 32, "hq_key")
        styles = tuple(
            StyleEntry.from_json(s, f"{ELECTION} style {n}")
            for n, s in enumerate(enc.array(o["styles"], "styles", 64))
        )
        return ElectionDefinition(
            enc.text(o["election_id"], "election_id", 200),
            styles,
            enc.mapping(o["ceremony"], "ceremony"),
            [enc.mapping(m, "mix server") for m in enc.array(o["mix_servers"], "mix_servers", 100)],
            o["hq_key"],
            fp,
        )




def check_schema(d: Mapping[str, Any], where: str) -> None:
    if d.get("schema") != SCHEMA:
        raise RecordError("%(where)s: schema is not %(schema)s", params={"where": where, "schema": SCHEMA})


# ---- the trust anchor ----------------------------------------------------------------


def base_hash(election_bytes: bytes) -> bytes:
    """What the key ceremony binds to: the definition, before any key exists."""
    return hashlib.sha256(b"entekhab/v2/base\x00" + election_bytes).digest()


def election_fingerprint(base: bytes, commitments: Sequence[Sequence[str]], qualified: Sequence[int],
                         joint_key: str) -> bytes:
    """The extended base hash: the definition plus every coefficient commitment and the joint key."""
    body = enc.dumps({"commitments": [list(c) for c in commitments], "qualified": list(qualified),
                      "joint_key": joint_key})
    return hashlib.sha256(b"entekhab/v2/fingerprint\x00" + base + body).digest()


def fingerprint_of(base: bytes, joint: Any) -> bytes:
    """The fingerprint of a ceremony's outcome (a ``ceremonycheck.JointKey``)."""
    return election_fingerprint(
        base,
        [[c.hex() for c in joint.commitments[g]] for g in joint.qualified],
        joint.qualified,
        joint.public_key.hex(),
    )


# ---- the device list ---------------------------------------------------------------


@dataclass(frozen=True)
class DeviceEntry:
    serial: str
    branch: str
    key: str  # Ed25519 public key, hex


@dataclass(frozen=True)
class DeviceList:
    """``devices.json``: which e-boxes may have cast ballots, and each branch's check-ins."""

    devices: tuple[DeviceEntry, ...]
    checkins: Mapping[str, int]

    def __post_init__(self) -> None:
        serials = [d.serial for d in self.devices]
        if len(set(serials)) != len(serials):
            raise RecordError("devices.json: a device serial appears twice")
        missing = sorted({d.branch for d in self.devices} - set(self.checkins))
        if missing:
            raise RecordError("devices.json: branch %(branch)s has devices but no check-in count",
                              params={"branch": missing[0]})

    def by_serial(self) -> dict[str, DeviceEntry]:
        return {d.serial: d for d in self.devices}

    def to_json(self) -> dict[str, object]:
        return {
            "schema": SCHEMA,
            "devices": [{"serial": d.serial, "branch": d.branch, "key": d.key}
                        for d in sorted(self.devices, key=lambda d: d.serial)],
            "checkins": dict(sorted(self.checkins.items())),
        }

    @staticmethod
    def from_json(d: object) -> DeviceList:
        o = enc.obj(d, DEVICES, ("schema", "devices", "checkins"))
        check_schema(o, DEVICES)
        devices = []
        for n, raw in enumerate(enc.array(o["devices"], "devices", 1_000_000)):
            e = enc.obj(raw, f"{DEVICES} device {n}", ("serial", "branch", "key"))
            enc.hex_bytes(e["key"], 32, f"{DEVICES} device {n} key")
            devices.append(DeviceEntry(enc.text(e["serial"], "serial", 64), enc.text(e["branch"], "branch", 64),
                                       e["key"]))
        checkins = enc.mapping(o["checkins"], "checkins")
        counts = {enc.text(b, "branch", 64): enc.integer(c, f"check-ins of {b}") for b, c in checkins.items()}
        return DeviceList(tuple(devices), counts)


# ---- files -------------------------------------------------------------------------


def write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(enc.dumps(obj))


def write_jsonl(path: Path, objs: Iterable[object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        for o in objs:
            f.write(enc.dumps(o) + b"\n")


def _read_bytes(root: Path, rel: str) -> bytes:
    path = root / rel
    try:
        if path.is_symlink() or not path.is_file():
            raise RecordError("%(rel)s: missing", params={"rel": rel})
        if path.stat().st_size > MAX_FILE_BYTES:
            raise RecordError("%(rel)s: larger than a record file may be", params={"rel": rel})
        return path.read_bytes()
    except OSError as exc:
        raise RecordError("%(rel)s: cannot be read (%(exc)s)", params={"rel": rel, "exc": exc}) from exc


def read_json(root: Path, rel: str) -> dict[str, Any]:
    """A whole-file canonical JSON object, or a ``RecordError`` naming the file and the fault."""
    try:
        d = enc.loads(_read_bytes(root, rel))
    except enc.EncodingError as exc:
        raise RecordError("%(rel)s: %(problem)s", params={"rel": rel, "problem": exc}) from exc
    if not isinstance(d, dict):
        raise RecordError("%(rel)s: not a JSON object", params={"rel": rel})
    return d


def read_jsonl(root: Path, rel: str) -> Iterator[tuple[int, object]]:
    """``(line number, parsed object)``; a bad line yields a ``RecordError`` as its object."""
    data = _read_bytes(root, rel)
    if data and not data.endswith(b"\n"):
        yield 0, RecordError("%(rel)s: the last line is not terminated (truncated file?)", params={"rel": rel})
    for n, line in enumerate(data.split(b"\n")[:-1] if data else [], start=1):
        try:
            yield n, enc.loads(line)
        except enc.EncodingError as exc:
            yield n, RecordError("%(rel)s line %(n)s: %(problem)s", params={"rel": rel, "n": n, "problem": exc})


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def record_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if (p.is_file() or p.is_symlink()) and p.relative_to(root).as_posix() != MANIFEST)


# ---- the signed index ----------------------------------------------------------------


def index_statement(fingerprint: str, files: Mapping[str, str]) -> bytes:
    return enc.dumps({"kind": "record-index", "schema": SCHEMA, "fingerprint": fingerprint, "files": dict(files)})


def write_manifest(root: Path, fingerprint: bytes, hq: SigningKey) -> None:
    """Digest every file and sign the list with the HQ key (the record's index)."""
    files = {rel: file_digest(root / rel) for rel in record_files(root)}
    signature = hq.sign(index_statement(fingerprint.hex(), files)).hex()
    write_json(root / MANIFEST, {"schema": SCHEMA, "fingerprint": fingerprint.hex(), "files": files,
                                 "signature": signature})


@dataclass(frozen=True)
class Index:
    fingerprint: str
    files: Mapping[str, str]
    signature: str

    @staticmethod
    def read(root: Path) -> Index:
        o = enc.obj(read_json(root, MANIFEST), MANIFEST, ("schema", "fingerprint", "files", "signature"))
        check_schema(o, MANIFEST)
        enc.hex_bytes(o["fingerprint"], 32, f"{MANIFEST} fingerprint")
        enc.hex_bytes(o["signature"], 64, f"{MANIFEST} signature")
        files = enc.mapping(o["files"], f"{MANIFEST} files")
        for rel, digest in files.items():
            enc.hex_bytes(digest, 32, f"{MANIFEST} digest of {rel[:80]}")
        return Index(o["fingerprint"], files, o["signature"])

    def check_signature(self, hq_key: str) -> None:
        try:
            verify(hq_key, index_statement(self.fingerprint, self.files), self.signature)
        except SignedRecordError as exc:
            raise RecordError("%(rel)s: not signed by the election's HQ key", params={"rel": MANIFEST}) from exc


def located(exc: Exception) -> str:
    """A failure's text for the report: our errors as they are, anything else named by type."""
    if isinstance(exc, (CryptoError, SignedRecordError)):
        return str(exc)
    return f"malformed ({type(exc).__name__}: {exc})"
