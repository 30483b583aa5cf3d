"""Branch reports (صورتجلسه): counts from the cast vote records, signature, QR transport.

The same functions build a report on the e-box, check it at HQ intake, and check a
report re-assembled from the QR codes on the posted copy; a citizen's verifier needs
only this module, the device's public key and the manifest hash.
"""

from __future__ import annotations

import base64
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from entekhab.counting.interpret import BallotRejection
from entekhab.device.errors import ReportInvalid, SignatureInvalid
from entekhab.device.manifest import BallotManifest
from entekhab.device.signing import SigningKey, canonical_json, parse_public_key, sha256_hex, verify_document

REPORT_TYPE = "entekhab.branch_report"
QR_PREFIX = "EKB1"
QR_CHUNK = 700  # characters of base64 per code: version ≈ 22 at level M, easy for phone cameras


def records_digest(records: Sequence[dict[str, Any]]) -> str:
    return sha256_hex(canonical_json(list(records)))


def tally(manifest: BallotManifest, records: Iterable[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """Ballots and per-contest counts; a record that does not interpret is an error, not a skip."""
    ballots = 0
    per: dict[str, dict[str, Any]] = {
        c.code: {"code": c.code, "ballots": 0, "blank": 0, "candidate_votes": 0,
                 "lists": Counter(), "candidates": Counter()}
        for c in manifest.contests
    }
    # Code tables built once per contest, not once per record (600 candidates in Tehran).
    list_code_of = {c.code: {lst.id: lst.code for lst in c.interpreter.manifest.lists} for c in manifest.contests}
    code_of = {c.code: {cand.id: cand.code for cand in c.interpreter.manifest.candidates} for c in manifest.contests}
    for record in records:
        ballots += 1
        if record.get("style") != manifest.style or set(record.get("contests", {})) != set(per):
            raise ReportInvalid("a vote record does not match the ballot style",
                                "یک رکورد رأی با سبک برگه رأی نمی‌خواند", code="record_invalid")
        for contest in manifest.contests:
            codes = record["contests"][contest.code]
            row = per[contest.code]
            row["ballots"] += 1
            verdict = contest.interpreter.interpret(codes)
            if isinstance(verdict, BallotRejection):
                if not verdict.is_blank:
                    raise ReportInvalid(f"a vote record is invalid: {verdict.message_en}",
                                        f"یک رکورد رأی نامعتبر است: {verdict.message_fa}", code="record_invalid")
                row["blank"] += 1
                continue
            if verdict.list_id is not None:
                row["lists"][list_code_of[contest.code][verdict.list_id]] += 1
            codes_here = code_of[contest.code]
            for cid in verdict.candidates:
                row["candidates"][codes_here[cid]] += 1
            row["candidate_votes"] += len(verdict.candidates)
    contests = []
    for row in per.values():
        contests.append({**row, "lists": dict(sorted(row["lists"].items())),
                         "candidates": dict(sorted(row["candidates"].items()))})
    return ballots, contests


@dataclass(frozen=True)
class SignedReport:
    report: dict[str, Any]
    signature: str

    def document(self) -> dict[str, Any]:
        return {"report": self.report, "signature": self.signature}

    @property
    def sha256(self) -> str:
        return sha256_hex(canonical_json(self.document()))


def sign_report(report: dict[str, Any], key: SigningKey) -> SignedReport:
    return SignedReport(report, key.sign_document(report))


def verify_report(signed: dict[str, Any], *, manifest: BallotManifest | None = None,
                  records: Sequence[dict[str, Any]] | None = None) -> SignedReport:
    """Signature under the key the report names, and (when given) counts re-derived from records.

    HQ additionally checks that the key belongs to a device assigned to the branch.
    """
    if not isinstance(signed, dict) or not isinstance(signed.get("report"), dict):
        raise ReportInvalid("not a signed branch report", "این سند، صورتجلسه امضاشده شعبه نیست")
    report = signed["report"]
    if report.get("type") != REPORT_TYPE:
        raise ReportInvalid("not a branch report", "این سند، صورتجلسه شعبه نیست")
    try:
        verify_document(parse_public_key(report.get("device_key")), report, signed.get("signature"))
    except SignatureInvalid as exc:
        raise ReportInvalid(f"report signature: {exc.message_en}", f"امضای صورتجلسه: {exc.message_fa}",
                            code="bad_signature") from exc
    if manifest is not None and report.get("manifest_sha256") != manifest.sha256:
        raise ReportInvalid("the report was made with another ballot manifest",
                            "صورتجلسه با فهرست برگه رأی دیگری تهیه شده است", code="manifest_mismatch")
    if records is not None:
        if records_digest(records) != report.get("records_sha256"):
            raise ReportInvalid("the vote records do not match the report's digest",
                                "رکوردهای رأی با چکیده صورتجلسه نمی‌خوانند", code="records_mismatch")
        if manifest is not None:
            ballots, contests = tally(manifest, records)
            if ballots != report.get("ballots") or contests != report.get("contests"):
                raise ReportInvalid("the report's counts differ from its vote records",
                                    "شمارش صورتجلسه با رکوردهای رأی نمی‌خواند", code="counts_mismatch")
    return SignedReport(report, str(signed["signature"]))


# -- QR transport ---------------------------------------------------------------------------

def qr_payloads(signed: SignedReport, chunk: int = QR_CHUNK) -> list[str]:
    """The whole signed report as one or more QR texts: ``EKB1/i/n/digest8/base64-part``."""
    packed = base64.b64encode(zlib.compress(canonical_json(signed.document()), 9)).decode()
    parts = [packed[i:i + chunk] for i in range(0, len(packed), chunk)] or [""]
    tag = signed.sha256[:8]
    return [f"{QR_PREFIX}/{i + 1}/{len(parts)}/{tag}/{p}" for i, p in enumerate(parts)]


def join_qr_payloads(texts: Iterable[str]) -> dict[str, Any]:
    """Re-assemble a signed report from scanned texts in any order; refuse missing or foreign parts."""
    import json

    parts: dict[int, str] = {}
    total, tag = None, None
    for text in texts:
        fields = text.strip().split("/", 4)
        if len(fields) != 5 or fields[0] != QR_PREFIX:
            raise ReportInvalid("a code is not part of a branch report", "یکی از کدها مربوط به صورتجلسه نیست")
        i, n = int(fields[1]), int(fields[2])
        if (total is not None and n != total) or (tag is not None and fields[3] != tag):
            raise ReportInvalid("codes from two different reports", "کدها از دو صورتجلسه متفاوت‌اند")
        total, tag = n, fields[3]
        parts[i] = fields[4]
    if total is None or sorted(parts) != list(range(1, total + 1)):
        raise ReportInvalid("some codes of the report are missing", "برخی از کدهای صورتجلسه خوانده نشده‌اند")
    document = json.loads(zlib.decompress(base64.b64decode("".join(parts[i] for i in sorted(parts)))))
    if sha256_hex(canonical_json(document))[:8] != tag:
        raise ReportInvalid("the re-assembled report does not match its tag", "صورتجلسه بازسازی‌شده نمی‌خواند")
    return document
