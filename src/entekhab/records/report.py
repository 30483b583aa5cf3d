"""The branch report (the minutes, *surat-jalase*): one shape for every source, its signature and its QR transport.

``source`` is ``electronic`` (the e-box counted its records), ``replacement`` (an e-box
that took over a faulty one's journal) or ``paper`` (two officials' matching entries of a
paper count, signed by HQ's key at entry). All sources have the same contest rows and are
totalised, published and recounted the same way. ``device_key`` is always the key that
signed the report. The same functions build a report on the e-box, check it at HQ
intake, and check one re-assembled from the QR codes on the posted copy.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from entekhab.counting.interpret import BallotRejection
from entekhab.records.canonical import canonical_json, loads, sha256_hex
from entekhab.records.cvr import records_digest
from entekhab.records.errors import CanonicalError, ReportInvalid, SignatureInvalid
from entekhab.records.manifest import BallotManifest
from entekhab.records.signing import SigningKey, parse_public_key, verify_document

REPORT_TYPE = "entekhab.branch_report"
QR_PREFIX = "EKB1"
QR_CHUNK = 700  # characters of base64 per code: version ≈ 22 at level M, easy for phone cameras
MAX_QR_CODES = 200
MAX_PACKED = 4 * 1024 * 1024


CLOSED_AT_FORMAT = "%Y-%m-%dT%H:%MZ"  # a final report's closing minute, UTC (the minutes print it in Tehran time)


def closed_at(moment: dt.datetime) -> str:
    """The minute the polls closed, as a final report carries it: UTC, so no reader guesses the zone."""
    if moment.tzinfo is None:
        raise ValueError("a closing time must be aware")
    return moment.astimezone(dt.UTC).strftime(CLOSED_AT_FORMAT)


def parse_closed_at(text: object) -> dt.datetime:
    """A report's ``closed_at`` as an aware UTC time; refused when not of the one form."""
    try:
        return dt.datetime.strptime(str(text), CLOSED_AT_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise ReportInvalid("the closing time must be UTC, as 2026-05-01T14:44Z",
                            path="$.report.closed_at") from exc


class ReportSource(StrEnum):
    ELECTRONIC = "electronic"
    REPLACEMENT = "replacement"
    PAPER = "paper"


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
        contests = record.get("contests") if isinstance(record, dict) else None
        if record.get("style") != manifest.style or not isinstance(contests, dict) or set(contests) != set(per):
            raise ReportInvalid("a vote record does not match the ballot style", code="record_invalid")
        for contest in manifest.contests:
            codes = contests[contest.code]
            row = per[contest.code]
            row["ballots"] += 1
            verdict = contest.interpreter.interpret(codes)
            if isinstance(verdict, BallotRejection):
                if not verdict.is_blank:
                    raise ReportInvalid(
                        "a vote record is invalid: %(message_en)s",
                        params={"message_en": verdict.message_en, "message_fa": verdict.message_fa},
                        code="record_invalid",
                    )
                row["blank"] += 1
                continue
            if verdict.list_id is not None:
                row["lists"][list_code_of[contest.code][verdict.list_id]] += 1
            codes_here = code_of[contest.code]
            for cid in verdict.candidates:
                row["candidates"][codes_here[cid]] += 1
            row["candidate_votes"] += len(verdict.candidates)
    contests_out = []
    for row in per.values():
        contests_out.append({**row, "lists": dict(sorted(row["lists"].items())),
                             "candidates": dict(sorted(row["candidates"].items()))})
    return ballots, contests_out


@dataclass(frozen=True)
class SignedReport:
    report: dict[str, Any]
    signature: str

    def document(self) -> dict[str, Any]:
        return {"report": self.report, "signature": self.signature}

    @property
    def sha256(self) -> str:
        return sha256_hex(canonical_json(self.document()))

    @property
    def source(self) -> ReportSource:
        return ReportSource(self.report.get("source", ReportSource.ELECTRONIC))


def sign_report(report: dict[str, Any], key: SigningKey) -> SignedReport:
    return SignedReport(report, key.sign_document(report))


def _check_shape(report: dict[str, Any]) -> None:
    for name in ("election", "branch", "style", "manifest_sha256", "device_key"):
        if not isinstance(report.get(name), str):
            raise ReportInvalid("report field %(name)s must be text", params={"name": name},
                                path=f"$.report.{name}")
    if report.get("source", "electronic") not in set(ReportSource):
        raise ReportInvalid("unknown report source", path="$.report.source")
    ballots = report.get("ballots")
    if isinstance(ballots, bool) or not isinstance(ballots, int) or ballots < 0:
        raise ReportInvalid("report ballots must be a whole number",
                            path="$.report.ballots")
    if "closed_at" in report:
        closed = parse_closed_at(report["closed_at"])
        if report.get("hour") != closed.strftime("%Y-%m-%dT%H"):
            raise ReportInvalid("the closing time is not in the report's hour", path="$.report.closed_at")
    if not isinstance(report.get("contests"), list):
        raise ReportInvalid("the report has no contests", path="$.report.contests")


def verify_report(signed: object, *, manifest: BallotManifest | None = None,
                  records: Sequence[dict[str, Any]] | None = None, fingerprint: str | None = None) -> SignedReport:
    """Signature under the key the report names, and (when given) manifest, fingerprint and counts.

    HQ additionally checks that the key belongs to a device assigned to the branch (or is
    HQ's own key, for a paper report).
    """
    if not isinstance(signed, dict) or not isinstance(signed.get("report"), dict):
        raise ReportInvalid("not a signed branch report")
    report = signed["report"]
    if report.get("type") != REPORT_TYPE:
        raise ReportInvalid("not a branch report", path="$.report.type")
    _check_shape(report)
    try:
        verify_document(parse_public_key(report.get("device_key")), report, signed.get("signature"))
    except (SignatureInvalid, CanonicalError) as exc:
        raise ReportInvalid(
            "report signature: %(message_en)s",
            params={"message_en": exc.message_en, "message_fa": exc.message_fa},
            code="bad_signature",
            path="$.signature",
        ) from exc
    if fingerprint is not None and report.get("election_fingerprint") != fingerprint:
        raise ReportInvalid("the report was made for another election definition", code="election_mismatch",
                            path="$.report.election_fingerprint")
    if manifest is not None and report.get("manifest_sha256") != manifest.sha256:
        raise ReportInvalid("the report was made with another ballot manifest", code="manifest_mismatch",
                            path="$.report.manifest_sha256")
    if records is not None:
        if fingerprint is not None and any(not isinstance(r, dict) or r.get("election") != fingerprint
                                           for r in records):
            raise ReportInvalid("a vote record was made for another election definition", code="election_mismatch",
                                path="$.records")
        if records_digest(records) != report.get("records_sha256"):
            raise ReportInvalid("the vote records do not match the report's digest", code="records_mismatch",
                                path="$.report.records_sha256")
        if manifest is not None:
            ballots, contests = tally(manifest, records)
            if ballots != report.get("ballots") or contests != report.get("contests"):
                raise ReportInvalid("the report's counts differ from its vote records", code="counts_mismatch",
                                    path="$.report.contests")
    return SignedReport(report, str(signed["signature"]))


# -- QR transport ---------------------------------------------------------------------------

def qr_payloads(signed: SignedReport, chunk: int = QR_CHUNK) -> list[str]:
    """The whole signed report as one or more QR texts: ``EKB1/i/n/digest8/base64-part``."""
    packed = base64.b64encode(zlib.compress(canonical_json(signed.document()), 9)).decode()
    parts = [packed[i:i + chunk] for i in range(0, len(packed), chunk)] or [""]
    tag = signed.sha256[:8]
    return [f"{QR_PREFIX}/{i + 1}/{len(parts)}/{tag}/{p}" for i, p in enumerate(parts)]


def join_qr_payloads(texts: Iterable[str]) -> dict[str, Any]:
    """Re-assemble a signed report from scanned texts in any order; refuse missing, foreign or broken parts."""
    parts: dict[int, str] = {}
    total, tag = None, None
    for text in texts:
        fields = str(text).strip().split("/", 4)
        if len(fields) != 5 or fields[0] != QR_PREFIX or not fields[1].isdigit() or not fields[2].isdigit():
            raise ReportInvalid("a code is not part of a branch report")
        i, n = int(fields[1]), int(fields[2])
        if not 1 <= i <= n <= MAX_QR_CODES:
            raise ReportInvalid("a code is not part of a branch report")
        if (total is not None and n != total) or (tag is not None and fields[3] != tag):
            raise ReportInvalid("codes from two different reports")
        total, tag = n, fields[3]
        parts[i] = fields[4]
    if total is None or sorted(parts) != list(range(1, total + 1)):
        raise ReportInvalid("some codes of the report are missing")
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.b64decode("".join(parts[i] for i in sorted(parts)), validate=True),
                                  MAX_PACKED)
        if inflater.unconsumed_tail:
            raise ReportInvalid("the report in the codes is too large")
        document = loads(raw)
    except (binascii.Error, zlib.error, CanonicalError) as exc:
        raise ReportInvalid("the codes do not hold a readable report") from exc
    if sha256_hex(canonical_json(document))[:8] != tag:
        raise ReportInvalid("the re-assembled report does not match its tag")
    return document
