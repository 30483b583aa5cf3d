"""The election definition and its fingerprint: what every artefact of one election is bound to.

The definition is the canonical document of the election's contests, the digests of its
signed ballot manifests and, when a key ceremony has produced one, the election public
key. Its SHA-256 is the *fingerprint*; cards, vote records, branch reports, the open-data
index and the crypto record all carry it, and every intake refuses one that differs, so
a report made against another definition (an earlier manifest, a forged contest) never
counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from entekhab.i18n import en_fa
from entekhab.records.canonical import canonical_json, loads_canonical, sha256_hex
from entekhab.records.errors import FingerprintMismatch, Problems, RecordError

FORMAT = "entekhab/election/1"


@dataclass(frozen=True)
class ContestDefinition:
    code: str
    method: str
    seats: int
    area: str

    def document(self) -> dict[str, Any]:
        return {"code": self.code, "method": self.method, "seats": self.seats, "area": self.area}


@dataclass(frozen=True)
class ElectionDefinition:
    code: str
    contests: tuple[ContestDefinition, ...]
    manifests: tuple[str, ...]  # SHA-256 of each current signed ballot manifest, sorted
    public_key: str = ""  # the election's joint public key (hex), once the ceremony has run

    @classmethod
    def make(cls, code: str, contests: Iterable[ContestDefinition], manifests: Iterable[str],
             public_key: str = "") -> ElectionDefinition:
        return cls(code, tuple(sorted(contests, key=lambda c: c.code)), tuple(sorted(manifests)), public_key)

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"format": FORMAT, "election": self.code,
                               "contests": [c.document() for c in self.contests], "manifests": list(self.manifests)}
        if self.public_key:
            doc["public_key"] = self.public_key
        return doc

    def canonical(self) -> bytes:
        return canonical_json(self.document())

    @property
    def fingerprint(self) -> str:
        return sha256_hex(self.canonical())

    @classmethod
    def parse(cls, doc: object) -> ElectionDefinition:
        problems = Problems()
        if not isinstance(doc, dict):
            raise RecordError("an election definition must be an object")
        if doc.get("format") != FORMAT:
            problems.add("$.format", f"must be {FORMAT}")
        if not isinstance(doc.get("election"), str) or not doc.get("election"):
            problems.add("$.election", "must be the election code")
        contests = doc.get("contests") if isinstance(doc.get("contests"), list) else []
        if not isinstance(doc.get("contests"), list):
            problems.add("$.contests", "must be a list")
        parsed = []
        for i, c in enumerate(contests):
            p = f"$.contests[{i}]"
            if not isinstance(c, dict) or set(c) != {"code", "method", "seats", "area"}:
                problems.add(p, "a contest has exactly code, method, seats and area")
                continue
            if not all(isinstance(c[k], str) for k in ("code", "method", "area")):
                problems.add(p, "code, method and area are text")
            if isinstance(c["seats"], bool) or not isinstance(c["seats"], int) or c["seats"] < 1:
                problems.add(f"{p}.seats", "must be a whole number ≥ 1")
            else:
                parsed.append(ContestDefinition(c["code"], c["method"], c["seats"], c["area"]))
        manifests = doc.get("manifests")
        if not isinstance(manifests, list) or not all(isinstance(m, str) and len(m) == 64 for m in manifests):
            problems.add("$.manifests", "must be a list of SHA-256 digests")
            manifests = []
        key = doc.get("public_key", "")
        if not isinstance(key, str):
            problems.add("$.public_key", "must be hex text")
            key = ""
        problems.raise_if_any(RecordError, *en_fa("the election definition is malformed"))
        made = cls.make(doc["election"], parsed, manifests, key)
        if made.document() != doc:
            raise RecordError("the election definition is not in canonical order",
                              code="not_canonical")
        return made

    @classmethod
    def load(cls, data: bytes) -> ElectionDefinition:
        return cls.parse(loads_canonical(data))


def check_fingerprint(found: object, expected: str, what_en: str, what_fa: str) -> None:
    """Refuse an artefact bound to another election definition."""
    if found != expected:
        raise FingerprintMismatch(
            "%(what_en)s was made for another election definition", params={"what_en": what_en, "what_fa": what_fa}
        )
