"""The signed ballot manifest as a document: its shape, verification, and the counting view.

Pure (no Django): the device agent and any verifier import this module alone. The
document is canonical JSON (``entekhab.crypto.signing.canonical_json``: sorted keys,
no spaces, NFC text, integers only), so the same data always gives the same bytes and
the same SHA-256. Shape (``format`` = ``entekhab/ballot-manifest/1``)::

    {"format", "election": {code, name_fa, name_en, polling_date},
     "ballot_style", "code_length", "code_seed",
     "contests": [{code, office, method, name_fa, name_en, seats, alternates, max_votes,
                   list_mix, alternates_policy,
                   "lists": [{id, code, title_fa, title_en, party: {name_fa, name_en, kind, licence},
                              members: [candidate id, ... in list order]}],
                   "candidates": [{id, code, name_fa, name_en, veteran, degree, photo_sha256,
                                   list: list id | null}]}]}

Contests are ordered by code, lists and candidates by ballot code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from entekhab.counting.manifest import ContestManifest, ListMixPolicy, ManifestCandidate, ManifestList
from entekhab.crypto.signing import SignatureInvalid, canonical_json, verify
from entekhab.domain.errors import DomainError
from entekhab.domain.ids import CandidateId, GroupId

FORMAT = "entekhab/ballot-manifest/1"


class ManifestError(DomainError):
    code = "manifest_invalid"


def load_document(data: bytes) -> dict[str, Any]:
    """Parse manifest bytes, refusing anything that is not canonical JSON of this format."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ManifestError("manifest is not UTF-8 JSON", "فهرست‌نامه برگه رأی JSON معتبر نیست") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ManifestError(f"manifest format is not {FORMAT}", "قالب فهرست‌نامه برگه رأی شناخته نیست")
    if canonical_json(doc) != data:
        raise ManifestError("manifest bytes are not in canonical form", "فهرست‌نامه به شکل استاندارد نیست")
    return doc


def verify_manifest(data: bytes, sha256_hex: str, signature_hex: str, public_key_hex: str) -> dict[str, Any]:
    """The document, if its digest is ``sha256_hex`` and the HQ key signed it; else raise."""
    if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), sha256_hex.lower()):
        raise ManifestError("manifest does not match its SHA-256", "چکیده SHA-256 فهرست‌نامه مطابقت ندارد")
    try:
        signature, key = bytes.fromhex(signature_hex), bytes.fromhex(public_key_hex)
    except ValueError as exc:
        raise SignatureInvalid("signature or key is not hex", "امضا یا کلید هگز نیست") from exc
    verify(data, signature, key)
    return load_document(data)


def contest_entry(doc: dict[str, Any], contest_code: str) -> dict[str, Any]:
    for contest in doc.get("contests", []):
        if contest.get("code") == contest_code:
            return contest
    raise ManifestError(f"manifest has no contest {contest_code!r}", f"رقابت «{contest_code}» در فهرست‌نامه نیست")


def counting_manifest(doc: dict[str, Any], contest_code: str) -> ContestManifest:
    """The pure counting manifest of one contest, so the e-box and the tally read codes alike."""
    c = contest_entry(doc, contest_code)
    try:
        return ContestManifest(
            candidates=tuple(
                ManifestCandidate(CandidateId(x["id"]), x["code"], bool(x["veteran"]), int(x["degree"]))
                for x in c["candidates"]
            ),
            lists=tuple(
                ManifestList(GroupId(x["id"]), x["code"], tuple(CandidateId(m) for m in x["members"]))
                for x in c["lists"]
            ),
            seats=c["seats"],
            alternates=c["alternates"],
            max_votes=c["max_votes"],
            list_mix=ListMixPolicy(c["list_mix"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, DomainError):
            raise
        raise ManifestError(f"contest {contest_code} is malformed: {exc}", f"رقابت {contest_code} ناقص است") from exc


@dataclass(frozen=True)
class CodeEntry:
    """What the e-box shows as a voter types a code."""

    code: str
    kind: str  # "list" or "candidate"
    id: str
    name_fa: str
    name_en: str
    photo_sha256: str = ""
    members: tuple[str, ...] = ()


def code_directory(doc: dict[str, Any], contest_code: str) -> dict[str, CodeEntry]:
    """Code → name (and photo digest) for every list and candidate of a contest."""
    c = contest_entry(doc, contest_code)
    out: dict[str, CodeEntry] = {}
    for lst in c["lists"]:
        out[lst["code"]] = CodeEntry(lst["code"], "list", lst["id"], lst["title_fa"], lst["title_en"],
                                     members=tuple(lst["members"]))
    for cand in c["candidates"]:
        out[cand["code"]] = CodeEntry(cand["code"], "candidate", cand["id"], cand["name_fa"], cand["name_en"],
                                      cand["photo_sha256"])
    return out
