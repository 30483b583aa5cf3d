"""The cast vote record (plain; the encrypted form comes with the verifiable-voting issue).

``{"election": fingerprint, "style": ballot style, "contests": {contest code: [codes, sorted]}}``.
It carries no time, no card nonce and no sequence number. Wherever records are listed —
the e-box's report, HQ's rows, the open data — they are in :func:`canonical_order`,
a function of their content alone, so no list reveals the order of casting at any
branch size; the report's ``records_sha256`` is the digest of that list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from entekhab.counting.manifest import normalise_code
from entekhab.i18n import en_fa
from entekhab.records.canonical import canonical_json, sha256_hex
from entekhab.records.errors import Problems, RecordError

MAX_CODES = 64


@dataclass(frozen=True)
class CastVoteRecord:
    election: str
    style: str
    contests: Mapping[str, tuple[str, ...]]

    def document(self) -> dict[str, Any]:
        return {"election": self.election, "style": self.style,
                "contests": {k: list(v) for k, v in sorted(self.contests.items())}}

    @classmethod
    def make(cls, election: str, style: str, ballot: Mapping[str, Sequence[str]]) -> CastVoteRecord:
        """A record from typed codes: normalised to ASCII digits, blanks dropped, sorted."""
        return cls(election, style, {k: tuple(sorted(c for c in (normalise_code(x) for x in v) if c))
                                     for k, v in ballot.items()})

    @classmethod
    def parse(cls, doc: object, path: str = "$") -> CastVoteRecord:
        problems = Problems()
        if not isinstance(doc, Mapping):
            raise RecordError("%(path)s: a vote record must be an object", params={"path": path}, path=path)
        if set(doc) != {"election", "style", "contests"}:
            problems.add(path, "a vote record has exactly election, style and contests")
        for name in ("election", "style"):
            if not isinstance(doc.get(name), str):
                problems.add(f"{path}.{name}", "must be text")
        contests = doc.get("contests")
        if not isinstance(contests, Mapping):
            problems.add(f"{path}.contests", "must be an object")
            contests = {}
        for code, codes in contests.items():
            p = f"{path}.contests.{code}"
            if not isinstance(codes, list) or len(codes) > MAX_CODES or not all(
                    isinstance(c, str) and c.isascii() and c.isdigit() for c in codes):
                problems.add(p, "must be a list of digit codes")
            elif codes != sorted(codes):
                problems.add(p, "codes must be sorted")
        problems.raise_if_any(RecordError, *en_fa("the vote record is malformed"))
        return cls(doc["election"], doc["style"], {k: tuple(v) for k, v in contests.items()})


def canonical_order(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Records sorted by their canonical bytes: the only order any list of records is kept in."""
    return [dict(r) for _, r in sorted(((canonical_json(r), r) for r in records), key=lambda p: p[0])]


def in_canonical_order(records: Sequence[Mapping[str, Any]]) -> bool:
    return digest_and_order(records)[1]


def digest_and_order(records: Sequence[Mapping[str, Any]]) -> tuple[str, bool]:
    """The records digest and whether the list is already in canonical order, from one serialisation.

    RFC 8785 writes an array as its elements' canonical forms joined by commas, so the list's
    canonical bytes are the sorted records' bytes joined: no second pass over 3,000 records.
    """
    keys = [canonical_json(r) for r in records]
    ordered = sorted(keys)
    return sha256_hex(b"[" + b",".join(ordered) + b"]"), keys == ordered


def records_digest(records: Sequence[Mapping[str, Any]]) -> str:
    """SHA-256 of the records list in canonical order (any order in, one digest out)."""
    return digest_and_order(records)[0]
