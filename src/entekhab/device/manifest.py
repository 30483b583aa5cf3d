"""The signed ballot manifest as the e-box loads it: one ballot style, its contests and codes.

HQ publishes ``{"manifest": …, "sha256": …, "signature": …}``; the e-box refuses it
unless the hash matches the canonical bytes and HQ's manifest key signed them. Each
contest converts to :class:`entekhab.counting.manifest.ContestManifest`, so the e-box
refuses exactly what the count would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from entekhab.counting.errors import CountingError
from entekhab.counting.interpret import Interpreter
from entekhab.counting.manifest import ContestManifest, ListMixPolicy, ManifestCandidate, ManifestList
from entekhab.device.errors import ManifestInvalid, SignatureInvalid
from entekhab.device.signing import SigningKey, canonical_json, sha256_hex, verify
from entekhab.domain.ids import CandidateId, GroupId


@dataclass(frozen=True)
class ContestDisplay:
    """One contest as the voter's screen shows it: names by code, and the interpreter."""

    code: str
    name_fa: str
    name_en: str
    max_votes: int
    names: dict[str, dict[str, str]]  # code → {"kind", "name_fa", "name_en", "photo"}
    interpreter: Interpreter

    def lookup(self, code: str) -> dict[str, str] | None:
        return self.names.get(code)


@dataclass(frozen=True)
class BallotManifest:
    """A verified manifest: the document, its hash, and the contests ready to interpret."""

    document: dict[str, Any]
    sha256: str
    contests: tuple[ContestDisplay, ...]

    @property
    def election(self) -> str:
        return manifest_election(self.document)

    @property
    def style(self) -> str:
        return manifest_style(self.document)

    def contest(self, code: str) -> ContestDisplay:
        for c in self.contests:
            if c.code == code:
                return c
        raise ManifestInvalid(f"no contest {code!r} on this ballot", f"رقابت «{code}» در این برگه نیست")


def manifest_election(document: dict[str, Any]) -> str:
    """The election code: HQ's format (``entekhab/ballot-manifest/1``) nests it as ``election.code``."""
    election = document.get("election")
    return str(election.get("code", "")) if isinstance(election, dict) else str(election or "")


def manifest_style(document: dict[str, Any]) -> str:
    return str(document.get("ballot_style") or document.get("style") or "")


def to_counting_manifest(contest: dict[str, Any]) -> ContestManifest:
    """A manifest contest as the counting package reads it."""
    return ContestManifest(
        candidates=tuple(
            ManifestCandidate(CandidateId(str(c["id"])), str(c["code"]), bool(c.get("veteran", False)),
                              int(c.get("degree", 0)))
            for c in contest.get("candidates", ())
        ),
        lists=tuple(
            ManifestList(GroupId(str(x["id"])), str(x["code"]), tuple(CandidateId(str(m)) for m in x["members"]))
            for x in contest.get("lists", ())
        ),
        seats=int(contest["seats"]),
        alternates=int(contest.get("alternates", 0)),
        max_votes=int(contest.get("max_votes") or contest["seats"]),
        list_mix=ListMixPolicy(contest.get("list_mix", "forbidden")),
    )


def _contest_display(contest: dict[str, Any]) -> ContestDisplay:
    counting = to_counting_manifest(contest)
    names: dict[str, dict[str, str]] = {}
    for c in contest.get("candidates", ()):
        names[counting_code(c["code"])] = {
            "kind": "candidate", "name_fa": str(c.get("name_fa", "")), "name_en": str(c.get("name_en", "")),
            "photo": str(c.get("photo_sha256", "")),
        }
    for x in contest.get("lists", ()):
        names[counting_code(x["code"])] = {
            "kind": "list", "name_fa": str(x.get("title_fa", x.get("name_fa", ""))),
            "name_en": str(x.get("title_en", x.get("name_en", ""))),
            "photo": "", "members": str(len(x["members"])),
        }
    return ContestDisplay(
        code=str(contest["code"]), name_fa=str(contest.get("name_fa", contest["code"])),
        name_en=str(contest.get("name_en", contest["code"])), max_votes=counting.max_candidate_votes,
        names=names, interpreter=Interpreter(counting),
    )


def counting_code(raw: object) -> str:
    from entekhab.counting.manifest import normalise_code

    return normalise_code(str(raw))


def sign_manifest(document: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    """The signed envelope a device loads (test fixtures; HQ signs with ``entekhab.crypto.signing``)."""
    data = canonical_json(document)
    return {"manifest": document, "sha256": sha256_hex(data), "signature": key.sign(data).hex(),
            "public_key": key.public_hex}


def load_manifest(signed: dict[str, Any], hq_public: bytes) -> BallotManifest:
    """Verify hash and signature, then build every contest; any problem refuses the whole manifest."""
    if not isinstance(signed, dict) or not isinstance(signed.get("manifest"), dict):
        raise ManifestInvalid("the manifest file is not a signed manifest", "پرونده، فهرست امضاشده برگه رأی نیست")
    document = signed["manifest"]
    data = canonical_json(document)
    if sha256_hex(data) != signed.get("sha256"):
        raise ManifestInvalid("the manifest does not match its hash (tampered)",
                              "چکیده فهرست برگه رأی نمی‌خواند (دستکاری شده است)", code="manifest_tampered")
    try:
        verify(hq_public, data, signed.get("signature"))
    except SignatureInvalid as exc:
        raise ManifestInvalid("the manifest is not signed by HQ", "فهرست برگه رأی امضای ستاد را ندارد",
                              code="manifest_signature") from exc
    try:
        contests = tuple(_contest_display(c) for c in document["contests"])
        if not contests or not manifest_election(document) or not manifest_style(document):
            raise KeyError("election, style or contests")
    except (KeyError, TypeError, ValueError, CountingError) as exc:
        raise ManifestInvalid(f"the manifest is malformed: {exc}", "ساختار فهرست برگه رأی نادرست است") from exc
    return BallotManifest(document, signed["sha256"], contests)
