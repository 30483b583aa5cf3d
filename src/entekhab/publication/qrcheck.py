"""Check a branch report posted at a door (its QR contents) against the published one.

Anyone pastes (or scans) the QR texts of the posted copy; they are re-assembled with
:func:`entekhab.records.report.join_qr_payloads`, the signature is checked with
:func:`entekhab.records.report.verify_report` (a paper report's must be
HQ's), and the report is compared with what HQ
published for that branch. A difference is named by its path, e.g.
``contests[council-tehran].candidates.1234: published 120, posted 121``.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from entekhab.domain.errors import DomainError
from entekhab.i18n import en_fa
from entekhab.publication.errors import QrUnreadable
from entekhab.publication.recount import Difference
from entekhab.records.canonical import canonical_json, sha256_hex
from entekhab.records.report import QR_PREFIX, join_qr_payloads, verify_report

MAX_PASTE = 200_000  # characters: a real report is a few QR codes of 700 characters
MAX_REPORT_BYTES = 4_000_000  # a decompressed report larger than this is refused (zip bomb)


def split_pasted(text: str) -> list[str]:
    """QR texts out of whatever was pasted: one per line or separated by spaces."""
    if len(text) > MAX_PASTE:
        raise QrUnreadable("the pasted text is too long")
    parts = [p for p in re.split(r"\s+", text.strip()) if p]
    if not parts:
        raise QrUnreadable("nothing was pasted", code="qr_empty")
    if any(not p.startswith(QR_PREFIX + "/") for p in parts):
        raise QrUnreadable("every code must start with %(qr_prefix)s/", params={"qr_prefix": QR_PREFIX})
    return parts


def json_differences(published: Any, posted: Any, where: str = "") -> list[Difference]:
    """Every leaf where two JSON values differ; contest rows are matched by their code."""
    if isinstance(published, Mapping) and isinstance(posted, Mapping):
        out: list[Difference] = []
        for key in sorted(set(published) | set(posted), key=str):
            path = f"{where}.{key}" if where else str(key)
            if key not in published:
                out.append(Difference(path, None, posted[key]))
            elif key not in posted:
                out.append(Difference(path, published[key], None))
            else:
                out.extend(json_differences(published[key], posted[key], path))
        return out
    if (
        isinstance(published, list)
        and isinstance(posted, list)
        and all(isinstance(x, Mapping) and "code" in x for x in published + posted)
    ):
        a = {str(x["code"]): x for x in published}
        b = {str(x["code"]): x for x in posted}
        return (
            json_differences(a, b, where)
            if len(a) == len(published) and len(b) == len(posted)
            else ([Difference(where, published, posted)])
        )
    if published != posted or type(published) is not type(posted):
        return [Difference(where, published, posted)]
    return []


def _refuse_bombs(texts: list[str]) -> None:
    """Refuse codes that would inflate into a huge document before anything decompresses them."""
    parts: dict[str, str] = {}
    for text in texts:
        fields = text.strip().split("/", 4)
        if len(fields) == 5:
            parts[fields[1]] = fields[4]
    try:
        packed = base64.b64decode("".join(parts[k] for k in sorted(parts, key=lambda k: (len(k), k))))
        inflater = zlib.decompressobj()
        inflater.decompress(packed, MAX_REPORT_BYTES)
    except (binascii.Error, ValueError, zlib.error):
        return  # malformed: join_qr_payloads names the problem
    if inflater.unconsumed_tail:
        raise QrUnreadable("the codes inflate into a document far larger than a branch report", code="qr_too_large")


@dataclass(frozen=True)
class QrVerdict:
    """The answer shown to the citizen: does the posted report match the published one?"""

    branch: str
    matches: bool
    signature_valid: bool
    published: bool
    posted_sha256: str
    differences: tuple[Difference, ...]
    signature_problem: str = ""
    signature_problem_fa: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "branch": self.branch,
            "matches": self.matches,
            "signature_valid": self.signature_valid,
            "published": self.published,
            "posted_sha256": self.posted_sha256,
            "differences": [d.as_json() for d in self.differences],
            "signature_problem": self.signature_problem,
        }


def read_posted(texts: list[str]) -> Any:
    """The document a posted report's QR texts join into, or one clear refusal (never a raw decode error)."""
    _refuse_bombs(texts)
    try:
        return join_qr_payloads(texts)
    except DomainError as exc:
        raise QrUnreadable(exc.message_en, exc.message_fa) from exc
    except (ValueError, TypeError, zlib.error) as exc:  # bad base64, zlib or JSON inside a well-formed frame
        raise QrUnreadable("the codes do not decode to a report") from exc


def check_posted(texts: list[str], published: Mapping[str, Mapping[str, Any]],
                 hq_public_key: str | None = None) -> QrVerdict:
    """Compare the posted report's QR texts with ``published`` (branch code → signed document).

    A paper report is signed by HQ at entry, so when ``hq_public_key`` is given a paper report
    under any other key has no valid signature.
    """
    document = read_posted(texts)
    report = document.get("report") if isinstance(document, dict) else None
    if not isinstance(report, dict):
        raise QrUnreadable("the codes do not hold a branch report")
    branch = str(report.get("branch", ""))
    problem, problem_fa = "", ""
    try:
        verify_report(document)
    except DomainError as exc:
        problem, problem_fa = exc.message_en, exc.message_fa
    if (not problem and hq_public_key is not None and report.get("source") == "paper"
            and report.get("device_key") != hq_public_key):
        problem, problem_fa = en_fa("a paper report not signed by the HQ key")
    posted_sha = sha256_hex(canonical_json(document))
    original = published.get(branch)
    if original is None:
        return QrVerdict(
            branch,
            False,
            not problem,
            False,
            posted_sha,
            (Difference("branch", "not published", branch),),
            problem,
            problem_fa,
        )
    diffs = tuple(json_differences(dict(original), document))
    return QrVerdict(branch, not diffs and not problem, not problem, True, posted_sha, diffs, problem, problem_fa)
