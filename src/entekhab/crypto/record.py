"""The election record: one folder anyone can download and check.

Layout (schema ``entekhab-record/1``)::

    election.json                 election id, ballot styles, guardians n/k, mix servers
    guardians.json                commitments, proofs of possession, complaints, joint key
    ballots/cast.jsonl            every cast ballot, one JSON object per line
    ballots/spoiled.jsonl         every challenged ballot with its revealed randomness
    mix/<style>/stage-<s>.json    each mix server's output and proof of shuffle
    decryption/<style>.jsonl      per mixed ballot: the quorum's shares and proofs
    decoded.json                  decoded ballots per style (option index per slot)
    MANIFEST.json                 SHA-256 of every other file

The election hash (SHA-256 of ``election.json``'s bytes) is bound into every proof, so a
record cannot be spliced from pieces of two elections. ``election.json`` carries the HQ
election definition's fingerprint when the record belongs to one, so the proofs are bound to
the same contests and manifests as the cards, reports and open data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from entekhab.crypto.ballot import BallotStyle, StyleId
from entekhab.crypto.errors import CryptoError, RecordError
from entekhab.crypto.group import Element, Scalar
from entekhab.crypto.keyceremony_v0 import Complaint, GuardianCommitment, JointKey, validate_parameters
from entekhab.crypto.proofs import SchnorrProof

SCHEMA = "entekhab-record/1"
MANIFEST = "MANIFEST.json"


@dataclass(frozen=True)
class ElectionManifest:
    election_id: str
    styles: tuple[BallotStyle, ...]
    guardians: int
    quorum: int
    mix_servers: int
    fingerprint: str = ""  # the HQ election definition's fingerprint (entekhab.records.election), when bound

    def __post_init__(self) -> None:
        if self.fingerprint and (len(self.fingerprint) != 64 or any(c not in "0123456789abcdef"
                                                                    for c in self.fingerprint)):
            raise RecordError("election fingerprint must be 64 hex digits")
        ids = [s.style_id for s in self.styles]
        if not ids or len(set(ids)) != len(ids):
            raise RecordError(
                "election needs at least one ballot style, ids unique"
            )
        if not 1 <= self.mix_servers <= 100:
            raise RecordError("election needs at least one mix server")
        validate_parameters(self.guardians, self.quorum)

    def style(self, style_id: str) -> BallotStyle:
        for s in self.styles:
            if s.style_id == style_id:
                return s
        raise RecordError("unknown ballot style %(style_id)s", params={"style_id": repr(style_id)})

    @property
    def table_size(self) -> int:
        return max(max(s.options) for s in self.styles) + 1

    def to_json(self) -> dict[str, object]:
        return {
            "schema": SCHEMA,
            "election_id": self.election_id,
            "styles": [s.to_json() for s in self.styles],
            "guardians": self.guardians,
            "quorum": self.quorum,
            "mix_servers": self.mix_servers,
            **({"election_fingerprint": self.fingerprint} if self.fingerprint else {}),
        }

    @staticmethod
    def from_json(d: dict[str, object]) -> ElectionManifest:
        check_schema(d, "election.json")
        try:
            styles = tuple(
                BallotStyle(StyleId(str(s["id"])), tuple(int(o) for o in s["options"]))
                for s in d["styles"]  # type: ignore[attr-defined]
            )
            return ElectionManifest(
                str(d["election_id"]),
                styles,
                int(d["guardians"]),  # type: ignore[call-overload]
                int(d["quorum"]),  # type: ignore[call-overload]
                int(d["mix_servers"]),  # type: ignore[call-overload]
                str(d.get("election_fingerprint", "")),
            )
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, CryptoError) as exc:
            raise RecordError("election.json: malformed (%(exc)s)", params={"exc": exc}) from exc


def check_schema(d: object, where: str) -> None:
    if not isinstance(d, dict) or d.get("schema") != SCHEMA:
        raise RecordError("%(where)s: schema is not %(schema)s", params={"where": where, "schema": SCHEMA})


def joint_key_to_json(joint: JointKey) -> dict[str, object]:
    return {
        "schema": SCHEMA,
        "guardians": joint.guardians,
        "quorum": joint.quorum,
        "commitments": [
            {
                "guardian": c.guardian,
                "coefficients": [e.hex() for e in c.coefficients],
                "proof": c.proof.to_json(),
            }
            for c in joint.commitments
        ],
        "complaints": [
            {
                "accuser": c.accuser,
                "accused": c.accused,
                "revealed": c.revealed.hex() if c.revealed is not None else "",
                "upheld": c.upheld,
            }
            for c in joint.complaints
        ],
        "qualified": list(joint.qualified),
        "public_key": joint.public_key.hex(),
    }


def joint_key_from_json(d: dict[str, object]) -> JointKey:
    check_schema(d, "guardians.json")
    try:
        commitments = tuple(
            GuardianCommitment(
                int(c["guardian"]),
                tuple(Element.from_hex(e) for e in c["coefficients"]),
                SchnorrProof.from_json(c["proof"]),
            )
            for c in d["commitments"]  # type: ignore[attr-defined]
        )
        complaints = tuple(
            Complaint(
                int(c["accuser"]),
                int(c["accused"]),
                Scalar.from_hex(c["revealed"]) if c["revealed"] else None,
                bool(c["upheld"]),
            )
            for c in d["complaints"]  # type: ignore[attr-defined]
        )
        return JointKey(
            int(d["guardians"]),  # type: ignore[call-overload]
            int(d["quorum"]),  # type: ignore[call-overload]
            commitments,
            complaints,
            tuple(int(q) for q in d["qualified"]),  # type: ignore[attr-defined]
            Element.from_hex(str(d["public_key"])),
        )
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise RecordError("guardians.json: malformed (%(exc)s)", params={"exc": exc}) from exc
    except CryptoError as exc:
        raise RecordError(f"guardians.json: {exc}", f"guardians.json: {exc.message_fa}") from exc


def dumps(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dumps(obj) + b"\n")


def write_jsonl(path: Path, objs: Iterable[object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        for o in objs:
            f.write(dumps(o) + b"\n")


def read_json(root: Path, rel: str) -> dict[str, object]:
    try:
        d = json.loads((root / rel).read_bytes())
    except FileNotFoundError as exc:
        raise RecordError("%(rel)s: missing", params={"rel": rel}) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RecordError("%(rel)s: not valid JSON (%(exc)s)", params={"rel": rel, "exc": exc}) from exc
    if not isinstance(d, dict):
        raise RecordError("%(rel)s: not a JSON object", params={"rel": rel})
    return d


def read_jsonl(root: Path, rel: str) -> Iterator[tuple[int, object]]:
    """``(line number, parsed object)``; a bad line yields a ``RecordError`` as object."""
    try:
        data = (root / rel).read_bytes()
    except FileNotFoundError as exc:
        raise RecordError("%(rel)s: missing", params={"rel": rel}) from exc
    for n, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield (
                n,
                RecordError("%(rel)s line %(n)s: not valid JSON (%(exc)s)", params={"rel": rel, "n": n, "exc": exc}),
            )


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def record_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != MANIFEST)


def write_manifest(root: Path) -> None:
    files = {rel: file_digest(root / rel) for rel in record_files(root)}
    write_json(root / MANIFEST, {"schema": SCHEMA, "algorithm": "sha256", "files": files})


def election_hash(root: Path) -> bytes:
    try:
        return hashlib.sha256((root / "election.json").read_bytes()).digest()
    except FileNotFoundError as exc:
        raise RecordError("election.json: missing") from exc
