"""Branch info, opening and report intake: signature, device, manifest, fingerprint, records and counts."""

from __future__ import annotations

from typing import Any

from entekhab.domain.digits import to_persian_digits
from entekhab.domain.errors import DomainError
from entekhab.hq.polling import clock
from entekhab.hq.polling.errors import PollingRefused
from entekhab.hq.polling.manifests import election_definition, signed_manifest_for, verified_manifest_for
from entekhab.hq.polling.models import (
    BRANCH_DAY,
    BranchDayState,
    BranchOpening,
    BranchReport,
    CheckIn,
    DeviceEnrolment,
    DeviceRole,
    DuplicateCheckIn,
    ReportSource,
    VoteRecord,
)
from entekhab.records.cvr import canonical_order
from entekhab.records.messages import Envelope
from entekhab.records.report import verify_report
from entekhab.records.signing import verify_document


def _branch_info(device: DeviceEnrolment, envelope: Envelope) -> dict[str, Any]:
    branch = device.branch
    devices = {
        d.serial: {"role": d.role, "public_key": d.public_key}
        for d in DeviceEnrolment.objects.filter(branch=branch).exclude(public_key="")
    }
    signed = signed_manifest_for(branch)
    definition = election_definition(branch.election)
    return {
        "status": "ok",
        "branch": branch.code,
        "style": branch.ballot_style.code if branch.ballot_style else "",
        "manifest": signed,
        "election_definition": definition.document(),
        "election_fingerprint": definition.fingerprint,
        "devices": devices,
        "polling_day": branch.election.polling_date.isoformat(),
    }


def _refuse_report(exc: DomainError) -> PollingRefused:
    return PollingRefused(exc.message_en, exc.message_fa, code=exc.code)


def _branch_open(device: DeviceEnrolment, envelope: Envelope) -> dict[str, Any]:
    if device.role != DeviceRole.EBOX:
        raise PollingRefused(
            "only the e-box opens a branch", code="wrong_role"
        )
    manifest = verified_manifest_for(device.branch)
    try:
        zero = verify_report(envelope.body.get("zero_report"), manifest=manifest, records=[],
                             fingerprint=election_definition(device.branch.election).fingerprint)
    except DomainError as exc:
        raise _refuse_report(exc) from exc
    _check_report_identity(device, zero.report)
    if zero.report.get("kind") != "zero" or zero.report.get("ballots") != 0:
        raise PollingRefused(
            "the zero report must show an empty ballot box",
            code="zero_report_not_empty",
        )
    _, created = BranchOpening.objects.get_or_create(
        branch=device.branch,
        defaults={
            "device": device,
            "manifest_sha256": manifest.sha256,
            "zero_report": zero.document(),
            "opened_at": clock.now(),
        },
    )
    if not created:
        raise PollingRefused(
            "branch %(code)s is already open", params={"code": device.branch.code}, code="already_open"
        )
    return {"status": "opened", "zero_report_sha256": zero.sha256}


def _check_report_identity(device: DeviceEnrolment, report: dict[str, Any]) -> None:
    if report.get("device_key") != device.public_key or report.get("device") != device.serial:
        raise PollingRefused(
            "the report is not signed by this device", code="bad_signature"
        )
    if report.get("election") != device.election.code:
        raise PollingRefused(
            "the report is for another election", code="wrong_election"
        )
    if report.get("branch") != device.branch.code:
        raise PollingRefused(
            "the report is for another branch", code="wrong_branch"
        )


def _branch_report(device: DeviceEnrolment, envelope: Envelope) -> dict[str, Any]:
    """Intake: signature, device, opening, manifest hash, records ↔ counts, ballots ≤ check-ins."""
    if device.role != DeviceRole.EBOX:
        raise PollingRefused("only the e-box reports", code="wrong_role")
    branch = device.branch
    opening = BranchOpening.objects.select_for_update().filter(branch=branch).first()
    if opening is None:
        raise PollingRefused(
            "branch %(code)s never opened", params={"code": branch.code}, code="never_opened"
        )
    if opening.state == BranchDayState.REPORTED:
        raise PollingRefused(
            "branch %(code)s has already reported", params={"code": branch.code}, code="already_reported"
        )
    records = envelope.body.get("records")
    if not isinstance(records, list):
        raise PollingRefused(
            "the report must carry its vote records",
            code="bad_message",
        )
    manifest = verified_manifest_for(branch)
    try:
        report = verify_report(envelope.body.get("report"), manifest=manifest, records=records,
                               fingerprint=election_definition(branch.election).fingerprint)
    except DomainError as exc:
        raise _refuse_report(exc) from exc
    doc = report.report
    _check_report_identity(device, doc)
    _check_predecessors(device, doc)
    if doc.get("kind") != "final":
        raise PollingRefused(
            "only a final report closes a branch", code="bad_message"
        )
    if report.source == ReportSource.PAPER:
        raise PollingRefused(
            "a paper report is made at HQ, not sent by an e-box",
            code="bad_message",
        )
    statement_count = _verify_checkin_statement(device, doc.get("checkins"))
    hq_checkins = CheckIn.objects.filter(branch=branch).count() + DuplicateCheckIn.objects.filter(branch=branch).count()
    ballots = int(doc["ballots"])
    if ballots > hq_checkins or ballots > statement_count:
        raise PollingRefused(
            "%(ballots)s ballots but only %(hq_checkins)s check-ins",
            params={
                "ballots": ballots,
                "hq_checkins": min(hq_checkins, statement_count),
                "ballots2": to_persian_digits(ballots),
                "hq_checkins2": to_persian_digits(min(hq_checkins, statement_count)),
            },
            code="more_ballots_than_checkins",
        )
    stored = BranchReport.objects.create(
        branch=branch,
        device=device,
        source=ReportSource(report.source.value),  # electronic, or replacement after a device swap
        document=report.document(),
        sha256=report.sha256,
        ballots=ballots,
        checkins=hq_checkins,
        received_at=clock.now(),
    )
    # Stored (and so numbered and published) in canonical order whatever order arrived: row ids
    # then follow the records' contents, never the order of casting; the signed digest covers this order.
    VoteRecord.objects.bulk_create([VoteRecord(report=stored, ballot=r) for r in canonical_order(records)],
                                   batch_size=500)
    BRANCH_DAY.move(opening, BranchDayState.REPORTED)
    opening.save(update_fields=["state"])
    return {"status": "stored", "report": report.sha256, "ballots": ballots}


def _verify_checkin_statement(device: DeviceEnrolment, statement: object) -> int:
    """The authentication device's signed count of cards issued, checked against its enrolled key."""
    if not isinstance(statement, dict) or not isinstance(statement.get("statement"), dict):
        raise PollingRefused(
            "the report lacks the authentication device's check-in count",
            code="checkins_missing",
        )
    body = statement["statement"]
    auth = DeviceEnrolment.objects.filter(
        branch=device.branch, role=DeviceRole.AUTH, public_key=str(statement.get("device_key", ""))
    ).first()
    if auth is None or body.get("branch") != device.branch.code:
        raise PollingRefused(
            "the check-in count is not from this branch's authentication device",
            code="checkins_foreign",
        )
    verify_document(bytes.fromhex(auth.public_key), body, statement.get("signature"))
    count = body.get("checkins")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise PollingRefused("check-in count must be a whole number", code="bad_message")
    return count


def _check_predecessors(device: DeviceEnrolment, doc: dict[str, Any]) -> None:
    """Every journal taken over must come from a device this one replaced."""
    chain = set()
    node = device.replaces
    while node is not None:
        chain.add(node.public_key)
        node = node.replaces
    for pred in doc.get("predecessors") or []:
        if not isinstance(pred, dict) or pred.get("device_key") not in chain:
            raise PollingRefused(
                "the report covers a device this e-box did not replace",
                code="predecessor_unknown",
            )
