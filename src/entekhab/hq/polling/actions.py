"""Polling-day writes: enrolment by staff and devices, signed device messages, paper counts.

Device messages are authenticated by signature, not by a session: ``handle_message``
checks the envelope (known active device, its key, its election and branch, an unused
sequence number) before anything is written, then dispatches on the kind. A check-in is
one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` under the (election, national code)
unique constraint, so concurrent attempts for one voter cannot both succeed on either
database. People's actions (enrolment codes, replacements, paper entries) are audited;
device messages are kept whole (envelope digest, signature, answer) in ``DeviceMessage``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from entekhab.device.errors import DeviceError
from entekhab.domain.digits import to_persian_digits
from entekhab.domain.errors import DomainError
from entekhab.domain.national_code import InvalidNationalCode, parse_national_code
from entekhab.hq.audit.log import record
from entekhab.hq.elections.actions import require_perm
from entekhab.hq.elections.models import Branch, Election
from entekhab.hq.polling.errors import AlreadyVoted, BranchClosed, PollingRefused, Replay, UnknownDevice
from entekhab.hq.polling.manifests import election_definition, signed_manifest_for, verified_manifest_for
from entekhab.hq.polling.models import (
    BranchDayState,
    BranchOpening,
    BranchReport,
    CheckIn,
    DeviceEnrolment,
    DeviceMessage,
    DeviceRole,
    DuplicateCheckIn,
    EnrolmentState,
    Incident,
    IncidentKind,
    PaperEntry,
    ReportSource,
    VoteRecord,
)
from entekhab.publication.contests import contests_of
from entekhab.publication.paper import paper_report, paper_rows
from entekhab.records.canonical import canonical_json
from entekhab.records.cvr import canonical_order
from entekhab.records.errors import RecordError
from entekhab.records.manifest import BallotManifest
from entekhab.records.messages import Envelope
from entekhab.records.report import verify_report
from entekhab.records.signing import load_hq_key, parse_public_key, verify, verify_document

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _inventory_conflict(serial: str, branch: Branch) -> str | None:
    """The operations inventory's say: a serial allocated to another branch cannot enrol here."""
    from django.apps import apps

    if not apps.is_installed("entekhab.hq.operations"):
        return None
    device = apps.get_model("operations", "Device").objects.filter(serial=serial).first()
    if device is not None and device.branch_id not in (None, branch.pk):
        return device.branch.code
    return None


# -- enrolment -----------------------------------------------------------------------------


def do_create_enrolment(
    branch: Branch,
    *,
    serial: str,
    role: str,
    acting_user: Any,
    replaces: DeviceEnrolment | None = None,
    reason: str = "",
) -> tuple[DeviceEnrolment, str]:
    """A pending binding of serial → branch and the one-time code the device must present."""
    require_perm(acting_user, "polling.add_deviceenrolment")
    serial = serial.strip()
    if not serial or len(serial) > 40:
        raise DomainError("serial must be 1-40 characters", "شماره سریال باید ۱ تا ۴۰ نویسه باشد", code="bad_serial")
    if role not in DeviceRole.values:
        raise DomainError(
            f"role must be one of {', '.join(DeviceRole.values)}", "نقش دستگاه نادرست است", code="bad_role"
        )
    other = _inventory_conflict(serial, branch)
    if other:
        raise DomainError(
            f"device {serial} is allocated to branch {other}",
            f"دستگاه {serial} به شعبه {other} تخصیص یافته است",
            code="wrong_branch",
        )
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    with transaction.atomic():
        try:
            with transaction.atomic():
                enrolment = DeviceEnrolment.objects.create(
                    election=branch.election,
                    branch=branch,
                    serial=serial,
                    role=role,
                    code_hash=_hash_code(code),
                    replaces=replaces,
                )
        except IntegrityError as exc:
            raise DomainError(
                f"device {serial} is already enrolled in this election",
                f"دستگاه {serial} قبلاً در این انتخابات ثبت شده است",
                code="already_enrolled",
            ) from exc
        record(
            actor=acting_user,
            action="polling.enrolment.create",
            target=enrolment,
            after={
                "serial": serial,
                "branch": branch.code,
                "role": role,
                "replaces": replaces.serial if replaces else None,
            },
            reason=reason,
        )
    return enrolment, code


def enrol_device(payload: dict[str, Any]) -> dict[str, Any]:
    """The device's half: present the code with its public key, signed by that key (proof of possession)."""
    try:
        claim = {k: payload[k] for k in ("serial", "role", "public_key", "code")}
        if not all(isinstance(v, str) for v in claim.values()):
            raise KeyError("text")
    except (KeyError, TypeError) as exc:
        raise PollingRefused(
            "enrolment needs serial, role, public_key, code and proof",
            "ثبت دستگاه به سریال، نقش، کلید عمومی، کد و امضا نیاز دارد",
            code="bad_message",
        ) from exc
    public = parse_public_key(claim["public_key"])
    verify_document(public, claim, payload.get("proof"))
    with transaction.atomic():
        enrolment = (
            DeviceEnrolment.objects.select_for_update()
            .select_related("branch", "election")
            .filter(serial=claim["serial"], state=EnrolmentState.PENDING)
            .first()
        )
        if enrolment is None or not secrets.compare_digest(enrolment.code_hash, _hash_code(claim["code"])):
            raise UnknownDevice(
                "no pending enrolment matches this serial and code",
                "ثبت معلقی با این سریال و کد وجود ندارد",
                code="enrolment_refused",
            )
        if enrolment.role != claim["role"]:
            raise PollingRefused(
                f"this serial is enrolled as {enrolment.role}", "نقش دستگاه با ثبت نمی‌خواند", code="wrong_role"
            )
        if DeviceEnrolment.objects.filter(public_key=claim["public_key"]).exists():
            raise PollingRefused(
                "this key is already bound to a device", "این کلید قبلاً ثبت شده است", code="key_reused"
            )
        enrolment.public_key = claim["public_key"]
        enrolment.state = EnrolmentState.ACTIVE
        enrolment.code_hash = ""  # the code works once
        enrolment.enrolled_at = timezone.now()
        enrolment.save(update_fields=["public_key", "state", "code_hash", "enrolled_at"])
        if enrolment.replaces_id:
            DeviceEnrolment.objects.filter(pk=enrolment.replaces_id).update(state=EnrolmentState.RETIRED)
        record(
            actor=None,
            action="polling.enrolment.bind",
            target=enrolment,
            after={"serial": enrolment.serial, "public_key": enrolment.public_key},
        )
    from entekhab.hq.polling.manifests import hq_public_key

    return {
        "election": enrolment.election.code,
        "branch": enrolment.branch.code,
        "role": enrolment.role,
        "hq_public_key": hq_public_key(),
    }


def do_replace_device(
    old: DeviceEnrolment, *, new_serial: str, acting_user: Any, reason: str
) -> tuple[DeviceEnrolment, str]:
    """A faulty device's successor: a pending enrolment that retires the old one when it binds."""
    require_perm(acting_user, "polling.change_deviceenrolment")
    if not reason.strip():
        raise DomainError(
            "a replacement needs a reason", "جایگزینی دستگاه به ذکر دلیل نیاز دارد", code="reason_missing"
        )
    if old.state != EnrolmentState.ACTIVE:
        raise DomainError("only an active device can be replaced", "فقط دستگاه فعال جایگزین می‌شود", code="not_active")
    with transaction.atomic():
        enrolment, code = do_create_enrolment(
            old.branch, serial=new_serial, role=old.role, acting_user=acting_user, replaces=old, reason=reason
        )
        Incident.objects.create(
            election=old.election,
            branch=old.branch,
            kind=IncidentKind.DEVICE_REPLACED,
            summary_fa=f"دستگاه {old.serial} با {new_serial} جایگزین شد: {reason}",
            summary_en=f"device {old.serial} replaced by {new_serial}: {reason}",
            details={"old": old.serial, "new": new_serial, "reason": reason},
        )
    return enrolment, code


# -- device messages -------------------------------------------------------------------------


_DEVICE_SQL = (
    f"SELECT e.id, e.public_key, e.role, e.election_id, e.branch_id, e.replaces_id, el.code, b.code "
    f"FROM {DeviceEnrolment._meta.db_table} e JOIN {Election._meta.db_table} el ON el.id = e.election_id "
    f"JOIN {Branch._meta.db_table} b ON b.id = e.branch_id WHERE e.serial = %s AND e.state = %s LIMIT 1"
)


def _authenticate(payload: object) -> tuple[DeviceEnrolment, Envelope]:
    if not isinstance(payload, dict):
        raise PollingRefused("the message must be a JSON object", "پیام باید یک شیء JSON باشد", code="bad_message")
    try:
        envelope = Envelope.parse(payload.get("envelope"))
    except (DeviceError, RecordError) as exc:
        raise PollingRefused(exc.message_en, exc.message_fa, code="bad_message") from exc
    # One plain row by raw SQL (no ORM compilation, no model instances): this runs once per check-in.
    with connection.cursor() as cursor:
        cursor.execute(_DEVICE_SQL, [envelope.device, EnrolmentState.ACTIVE.value])
        found = cursor.fetchall()
    if not found:
        raise UnknownDevice(f"device {envelope.device} is not enrolled", f"دستگاه {envelope.device} ثبت نشده است")
    pk, public_key, role, election_id, branch_id, replaces_id, election_code, branch_code = found[0]
    device = DeviceEnrolment(pk=pk, serial=envelope.device, public_key=public_key, role=role, election_id=election_id,
                             branch_id=branch_id, replaces_id=replaces_id, state=EnrolmentState.ACTIVE)
    verify(bytes.fromhex(public_key), canonical_json(envelope.document()), payload.get("signature"))
    if envelope.election != election_code:
        raise PollingRefused(
            f"device {device.serial} is enrolled for election {election_code}",
            "پیام برای انتخابات دیگری است",
            code="wrong_election",
        )
    if envelope.branch != branch_code:
        raise PollingRefused(
            f"device {device.serial} belongs to branch {branch_code}, not {envelope.branch}",
            f"دستگاه {device.serial} متعلق به شعبه {branch_code} است",
            code="wrong_branch",
        )
    return device, envelope


def _replay(device: DeviceEnrolment, seq: int) -> Replay:
    answer = DeviceMessage.objects.filter(device=device, seq=seq).values_list("answer", flat=True).first()
    return Replay(answer or {})


def handle_message(payload: object) -> dict[str, Any]:
    """Authenticate, refuse replays, dispatch. Refusals raise; nothing of a refused message is kept."""
    device, envelope = _authenticate(payload)
    assert isinstance(payload, dict)
    signature = str(payload["signature"])
    # Check-ins skip this query: a replayed check-in fails on the (device, seq) constraint below.
    if (
        envelope.kind not in ("checkin", "checkin_offline")
        and DeviceMessage.objects.filter(device=device, seq=envelope.seq).exists()
    ):
        raise _replay(device, envelope.seq)
    handler = HANDLERS.get(envelope.kind)
    if handler is None:
        raise PollingRefused(
            f"HQ does not take {envelope.kind} messages", "ستاد این نوع پیام را نمی‌پذیرد", code="bad_message"
        )
    if envelope.kind == "checkin" and connection.vendor == "postgresql":
        accepted = _checkin_one_statement(device, envelope, signature)
        if accepted is not None:
            return accepted
    try:
        with transaction.atomic():
            answer = handler(device, envelope)
            DeviceMessage.objects.create(
                device=device,
                seq=envelope.seq,
                kind=envelope.kind,
                digest=envelope.digest,
                signature=signature,
                answer=answer,
            )
    except IntegrityError as exc:
        if DeviceMessage.objects.filter(device=device, seq=envelope.seq).exists():
            raise _replay(device, envelope.seq) from exc
        raise
    if answer.get("status") == "refused":
        raise AlreadyVoted(answer["message"], answer["message_fa"])
    return answer


def _national_code(body: dict[str, Any]) -> str:
    try:
        return parse_national_code(body.get("national_code"))
    except InvalidNationalCode as exc:
        raise PollingRefused(exc.message_en, exc.message_fa, code=exc.code) from exc


def _insert_checkin(
    device: DeviceEnrolment,
    seq: int,
    code: str,
    at: dt.datetime,
    *,
    offline: bool,
    fingerprint: str,
    detail: dict[str, Any],
) -> int | None:
    """The id of the new check-in, or None when the voter already has one (the constraint decides)."""
    table = CheckIn._meta.db_table
    json_param = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql = (
        f"INSERT INTO {table} (election_id, national_code, branch_id, device_id, message_seq, at, offline, "
        f"fingerprint, detail) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, {json_param}) "
        f"ON CONFLICT (election_id, national_code) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                device.election_id,
                code,
                device.branch_id,
                device.pk,
                seq,
                at,
                offline,
                fingerprint,
                json.dumps(detail, ensure_ascii=False),
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _fingerprint(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    fingerprint = body.get("fingerprint")
    release = body.get("release")
    if fingerprint == "matched":
        return "matched", {}
    if (
        fingerprint == "released"
        and isinstance(release, dict)
        and str(release.get("by", "")).strip()
        and str(release.get("reason", "")).strip()
    ):
        return "released", {"released_by": str(release["by"])[:150], "reason": str(release["reason"])[:500]}
    raise PollingRefused(
        "a check-in needs a matched fingerprint or the branch head's release with a reason",
        "پذیرش به تطبیق اثر انگشت یا اجازه رئیس شعبه با ذکر دلیل نیاز دارد",
        code="fingerprint_required",
    )


def _already_voted(first: CheckIn) -> dict[str, Any]:
    local = timezone.localtime(first.at)
    hhmm = local.strftime("%H:%M")
    return {
        "status": "refused",
        "code": "already_voted",
        "message": f"already voted at branch {first.branch.code} at {hhmm}",
        "message_fa": f"این رأی‌دهنده ساعت {to_persian_digits(hhmm)} در شعبه "
        f"{first.branch.code} رأی داده است",
        "branch": first.branch.code,
        "at": hhmm,
    }


def _branch_closed_refusal(branch_code: str) -> BranchClosed:
    return BranchClosed(
        f"branch {branch_code} has closed: its signed report is in, no check-in is taken after the close",
        f"شعبه {branch_code} بسته شده و صورتجلسه آن رسیده است؛ پس از بسته‌شدن شعبه پذیرش رأی‌دهنده ممکن نیست",
    )


_REPORTED_SQL = (
    f"SELECT EXISTS (SELECT 1 FROM {BranchReport._meta.db_table} WHERE branch_id = %s)"
)
_OPENING_SQL = f"SELECT state FROM {BranchOpening._meta.db_table} WHERE branch_id = %s"


def _refuse_if_closed(device: DeviceEnrolment, envelope: Envelope) -> None:
    """Closing is final: a branch with a report (or whose device already refused locally) takes no check-in.

    On PostgreSQL the opening row is read FOR KEY SHARE, which waits for a report intake holding
    it FOR UPDATE and then sees the committed state, so a check-in racing the close is either
    counted by the report or refused; on SQLite the IMMEDIATE transaction serialises the two.
    """
    if envelope.body.get("refused") == "branch_closed":  # the device's own refusal, sent for the record
        raise _branch_closed_refusal(envelope.branch)
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(_OPENING_SQL + lock, [device.branch_id])
        row = cursor.fetchone()
        cursor.execute(_REPORTED_SQL, [device.branch_id])
        reported = bool(cursor.fetchone()[0])
    if reported or (row is not None and row[0] == BranchDayState.REPORTED):
        raise _branch_closed_refusal(envelope.branch)


def _checkin(device: DeviceEnrolment, envelope: Envelope) -> dict[str, Any]:
    if device.role != DeviceRole.AUTH:
        raise PollingRefused(
            "only an authentication device checks voters in", "فقط دستگاه احراز هویت پذیرش می‌کند", code="wrong_role"
        )
    _refuse_if_closed(device, envelope)
    code = _national_code(envelope.body)
    fingerprint, detail = _fingerprint(envelope.body)
    new_id = _insert_checkin(
        device, envelope.seq, code, timezone.now(), offline=False, fingerprint=fingerprint, detail=detail
    )
    if new_id is not None:
        return {"status": "accepted", "checkin": new_id}
    first = CheckIn.objects.select_related("branch").get(election_id=device.election_id, national_code=code)
    return _already_voted(first)


def _checkin_one_statement(device: DeviceEnrolment, envelope: Envelope, signature: str) -> dict[str, Any] | None:
    """PostgreSQL: the accepted check-in and its message row in one statement (one round trip, one commit).

    Both inserts are data-modifying CTEs of one autocommitted statement, so they commit
    together or not at all. The ``gate`` CTE reads the branch's opening row FOR KEY SHARE:
    a report intake holding it FOR UPDATE makes the statement wait and then see "reported",
    so nothing is inserted for a closed branch. ``None`` when nothing was written (the voter
    already has a check-in, or the branch has closed): the caller then takes the general path,
    which answers "branch closed", "already voted" or, if the sequence number was used, "replay".
    """
    if device.role != DeviceRole.AUTH:
        raise PollingRefused(
            "only an authentication device checks voters in", "فقط دستگاه احراز هویت پذیرش می‌کند", code="wrong_role"
        )
    if envelope.body.get("refused") == "branch_closed":
        raise _branch_closed_refusal(envelope.branch)
    code = _national_code(envelope.body)
    fingerprint, detail = _fingerprint(envelope.body)
    sql = (
        f"WITH gate AS MATERIALIZED (SELECT state FROM {BranchOpening._meta.db_table} WHERE branch_id = %s "
        "FOR KEY SHARE), "
        "open AS (SELECT NOT (COALESCE((SELECT state = 'reported' FROM gate), false) "
        f"OR EXISTS (SELECT 1 FROM {BranchReport._meta.db_table} WHERE branch_id = %s)) AS yes), "
        f"ins AS (INSERT INTO {CheckIn._meta.db_table} (election_id, national_code, branch_id, device_id, "
        "message_seq, at, offline, fingerprint, detail) SELECT %s::bigint, %s::varchar, %s::bigint, %s::bigint, "
        "%s::bigint, now(), false, %s::varchar, CAST(%s AS jsonb) FROM open WHERE open.yes "
        "ON CONFLICT (election_id, national_code) DO NOTHING RETURNING id), "
        f"msg AS (INSERT INTO {DeviceMessage._meta.db_table} (device_id, seq, kind, digest, signature, answer) "
        "SELECT %s, %s, 'checkin', %s, %s, jsonb_build_object('status', 'accepted', 'checkin', ins.id) FROM ins "
        "RETURNING id) SELECT (SELECT id FROM ins), (SELECT id FROM msg)"
    )
    # Outside a transaction the statement autocommits; inside one (a caller's, a test's) a savepoint
    # keeps a refused insert from aborting it.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard, connection.cursor() as cursor:
            cursor.execute(sql, [device.branch_id, device.branch_id,
                                 device.election_id, code, device.branch_id, device.pk, envelope.seq, fingerprint,
                                 json.dumps(detail, ensure_ascii=False), device.pk, envelope.seq, envelope.digest,
                                 signature])
            checkin_id, _ = cursor.fetchone()
    except IntegrityError as exc:  # the sequence number is taken: nothing was written
        raise _replay(device, envelope.seq) from exc
    return None if checkin_id is None else {"status": "accepted", "checkin": checkin_id}


def _checkin_offline(device: DeviceEnrolment, envelope: Envelope) -> dict[str, Any]:
    """An offline check-in synced late: a duplicate is accepted for the record and becomes an incident."""
    if device.role != DeviceRole.AUTH:
        raise PollingRefused(
            "only an authentication device checks voters in", "فقط دستگاه احراز هویت پذیرش می‌کند", code="wrong_role"
        )
    _refuse_if_closed(device, envelope)
    body = envelope.body
    code = _national_code(body)
    fingerprint, detail = _fingerprint(body)
    approved = str(body.get("approved_by", "")).strip()
    if not approved:
        raise PollingRefused(
            "an offline check-in needs the branch head's approval",
            "پذیرش برون‌خط به تأیید رئیس شعبه نیاز دارد",
            code="offline_needs_approval",
        )
    try:
        at = dt.datetime.strptime(str(body.get("at")), "%Y-%m-%dT%H:%MZ").replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise PollingRefused(
            "offline check-in time must look like 2026-05-01T09:30Z", "زمان پذیرش برون‌خط نادرست است", code="bad_message"
        ) from exc
    detail = {**detail, "approved_by": approved[:150]}
    new_id = _insert_checkin(device, envelope.seq, code, at, offline=True, fingerprint=fingerprint, detail=detail)
    if new_id is not None:
        return {"status": "accepted", "checkin": new_id, "offline": True}
    first = CheckIn.objects.select_related("branch", "device").get(election_id=device.election_id, national_code=code)
    if first.device_id == device.pk and first.message_seq == body.get("supersedes"):
        # The online attempt did reach HQ before the line dropped: the same check-in, not a duplicate.
        return {"status": "accepted", "checkin": first.pk, "offline": True, "same_as_online": True}
    duplicate = DuplicateCheckIn.objects.create(
        election_id=device.election_id,
        national_code=code,
        branch_id=device.branch_id,
        device=device,
        message_seq=envelope.seq,
        at=at,
        detail=detail,
        first=first,
    )
    at_first = timezone.localtime(first.at).strftime("%H:%M")
    at_second = timezone.localtime(at).strftime("%H:%M")
    incident = Incident.objects.create(
        election_id=device.election_id,
        branch_id=device.branch_id,
        kind=IncidentKind.DOUBLE_CHECKIN,
        checkin=first,
        duplicate=duplicate,
        summary_en=(
            f"voter {code[:3]}…{code[-1]} checked in at branch {first.branch.code} at {at_first} and "
            f"offline at branch {device.branch.code} at {at_second}"
        ),
        summary_fa=(
            f"رأی‌دهنده {to_persian_digits(code[:3])}…{to_persian_digits(code[-1])} ساعت "
            f"{to_persian_digits(at_first)} در شعبه {first.branch.code} و به‌صورت "
            f"برون‌خط ساعت {to_persian_digits(at_second)} در شعبه {device.branch.code} "
            "پذیرش شده است"
        ),
        details={
            "first": {
                "checkin": first.pk,
                "branch": first.branch.code,
                "device": first.device.serial,
                "at": first.at.isoformat(),
                "offline": first.offline,
            },
            "second": {
                "duplicate": duplicate.pk,
                "branch": device.branch.code,
                "device": device.serial,
                "at": at.isoformat(),
                "approved_by": approved,
            },
        },
    )
    return {"status": "duplicate", "incident": incident.pk}


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
            "only the e-box opens a branch", "فقط صندوق الکترونیک شعبه را باز می‌کند", code="wrong_role"
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
            "گزارش صفر باید صندوق خالی را نشان دهد",
            code="zero_report_not_empty",
        )
    _, created = BranchOpening.objects.get_or_create(
        branch=device.branch,
        defaults={
            "device": device,
            "manifest_sha256": manifest.sha256,
            "zero_report": zero.document(),
            "opened_at": timezone.now(),
        },
    )
    if not created:
        raise PollingRefused(
            f"branch {device.branch.code} is already open", "این شعبه قبلاً باز شده است", code="already_open"
        )
    return {"status": "opened", "zero_report_sha256": zero.sha256}


def _check_report_identity(device: DeviceEnrolment, report: dict[str, Any]) -> None:
    if report.get("device_key") != device.public_key or report.get("device") != device.serial:
        raise PollingRefused(
            "the report is not signed by this device", "صورتجلسه با امضای همین دستگاه نیست", code="bad_signature"
        )
    if report.get("election") != device.election.code:
        raise PollingRefused(
            "the report is for another election", "صورتجلسه مربوط به انتخابات دیگری است", code="wrong_election"
        )
    if report.get("branch") != device.branch.code:
        raise PollingRefused(
            "the report is for another branch", "صورتجلسه مربوط به شعبه دیگری است", code="wrong_branch"
        )


def _branch_report(device: DeviceEnrolment, envelope: Envelope) -> dict[str, Any]:
    """Intake: signature, device, opening, manifest hash, records ↔ counts, ballots ≤ check-ins."""
    if device.role != DeviceRole.EBOX:
        raise PollingRefused("only the e-box reports", "فقط صندوق الکترونیک صورتجلسه می‌فرستد", code="wrong_role")
    branch = device.branch
    opening = BranchOpening.objects.select_for_update().filter(branch=branch).first()
    if opening is None:
        raise PollingRefused(
            f"branch {branch.code} never opened", f"شعبه {branch.code} هرگز باز نشده است", code="never_opened"
        )
    if opening.state == BranchDayState.REPORTED:
        raise PollingRefused(
            f"branch {branch.code} has already reported", "صورتجلسه این شعبه قبلاً رسیده است", code="already_reported"
        )
    records = envelope.body.get("records")
    if not isinstance(records, list):
        raise PollingRefused(
            "the report must carry its vote records",
            "صورتجلسه باید رکوردهای رأی را همراه داشته باشد",
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
            "only a final report closes a branch", "فقط صورتجلسه پایانی پذیرفته می‌شود", code="bad_message"
        )
    if report.source == ReportSource.PAPER:
        raise PollingRefused(
            "a paper report is made at HQ, not sent by an e-box", "صورتجلسه کاغذی را ستاد می‌سازد، نه صندوق",
            code="bad_message",
        )
    statement_count = _verify_checkin_statement(device, doc.get("checkins"))
    hq_checkins = CheckIn.objects.filter(branch=branch).count() + DuplicateCheckIn.objects.filter(branch=branch).count()
    ballots = int(doc["ballots"])
    if ballots > hq_checkins or ballots > statement_count:
        raise PollingRefused(
            f"{ballots} ballots but only {min(hq_checkins, statement_count)} check-ins",
            f"تعداد آرا ({to_persian_digits(ballots)}) از تعداد پذیرش‌شدگان "
            f"({to_persian_digits(min(hq_checkins, statement_count))}) بیشتر است",
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
        received_at=timezone.now(),
    )
    # Stored (and so numbered and published) in canonical order whatever order arrived: row ids
    # then follow the records' contents, never the order of casting; the signed digest covers this order.
    VoteRecord.objects.bulk_create([VoteRecord(report=stored, ballot=r) for r in canonical_order(records)],
                                   batch_size=500)
    opening.state = BranchDayState.REPORTED
    opening.save(update_fields=["state"])
    return {"status": "stored", "report": report.sha256, "ballots": ballots}


def _verify_checkin_statement(device: DeviceEnrolment, statement: object) -> int:
    """The authentication device's signed count of cards issued, checked against its enrolled key."""
    if not isinstance(statement, dict) or not isinstance(statement.get("statement"), dict):
        raise PollingRefused(
            "the report lacks the authentication device's check-in count",
            "صورتجلسه فاقد شمار پذیرش دستگاه احراز هویت است",
            code="checkins_missing",
        )
    body = statement["statement"]
    auth = DeviceEnrolment.objects.filter(
        branch=device.branch, role=DeviceRole.AUTH, public_key=str(statement.get("device_key", ""))
    ).first()
    if auth is None or body.get("branch") != device.branch.code:
        raise PollingRefused(
            "the check-in count is not from this branch's authentication device",
            "شمار پذیرش از دستگاه احراز هویت این شعبه نیست",
            code="checkins_foreign",
        )
    verify_document(bytes.fromhex(auth.public_key), body, statement.get("signature"))
    count = body.get("checkins")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise PollingRefused("check-in count must be a whole number", "شمار پذیرش نادرست است", code="bad_message")
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
                "صورتجلسه دستگاهی را پوشش می‌دهد که این صندوق جایگزین آن نشده است",
                code="predecessor_unknown",
            )


HANDLERS = {
    "checkin": _checkin,
    "checkin_offline": _checkin_offline,
    "branch_info": _branch_info,
    "branch_open": _branch_open,
    "branch_report": _branch_report,
}


def record_refusal(payload: object, refusal: PollingRefused) -> None:
    """Refusals that the supervisory board must see become incidents (after the refused transaction)."""
    if refusal.code == "branch_closed":
        record_refused_checkin(payload, refusal)
    else:
        record_refused_report(payload, refusal)


def _masked(code: object) -> str:
    text = str(code or "")
    if "…" in text or len(text) < 4:
        return text[:12]
    return f"{text[:3]}…{text[-1]}"


def record_refused_checkin(payload: object, refusal: PollingRefused) -> Incident | None:
    """A check-in attempted after the branch closed (refused by HQ or by the device itself) is an incident.

    The voter's code is kept masked, except for an offline check-in: that voter was given a
    card before HQ heard of it, so the board needs the whole record.
    """
    try:
        device, envelope = _authenticate(payload)
    except DomainError:
        return None
    if envelope.kind not in ("checkin", "checkin_offline") or refusal.code != "branch_closed":
        return None
    body = envelope.body
    by_device = body.get("refused") == "branch_closed"
    voter = _masked(body.get("voter") if by_device else body.get("national_code"))
    details: dict[str, Any] = {"code": refusal.code, "device": device.serial, "seq": envelope.seq,
                               "kind": envelope.kind, "refused_by": "device" if by_device else "hq", "voter": voter}
    if envelope.kind == "checkin_offline":
        details.update(national_code=str(body.get("national_code", ""))[:10], at=str(body.get("at", ""))[:20],
                       approved_by=str(body.get("approved_by", ""))[:150])
    branch = device.branch
    where_fa = "دستگاه احراز هویت آن را رد کرد" if by_device else "ستاد آن را رد کرد"
    where_en = "refused by the authentication device" if by_device else "refused by HQ"
    return Incident.objects.create(
        election_id=device.election_id,
        branch=branch,
        kind=IncidentKind.CHECKIN_AFTER_CLOSE,
        summary_fa=f"پس از بسته‌شدن شعبه {branch.code} برای رأی‌دهنده {to_persian_digits(voter)} "
        f"درخواست پذیرش رسید؛ {where_fa}",
        summary_en=f"check-in of voter {voter} attempted after branch {branch.code} closed; {where_en}",
        details=details,
    )


def record_refused_report(payload: object, refusal: PollingRefused) -> None:
    """An authentic report that intake refused becomes an incident (forgeries do not)."""
    claimed = payload.get("envelope") if isinstance(payload, dict) else None
    if not isinstance(claimed, dict) or claimed.get("kind") != "branch_report":
        return  # not a report: no second device lookup and signature check for a refused check-in
    try:
        device, envelope = _authenticate(payload)
    except DomainError:
        return
    if envelope.kind != "branch_report" or refusal.code in ("replay", "already_reported"):
        return
    Incident.objects.create(
        election=device.election,
        branch=device.branch,
        kind=IncidentKind.REPORT_REFUSED,
        summary_fa=f"صورتجلسه شعبه {device.branch.code} رد شد: {refusal.message_fa}",
        summary_en=f"report of branch {device.branch.code} refused: {refusal.message_en}",
        details={"code": refusal.code, "device": device.serial, "seq": envelope.seq},
    )


# -- paper fallback --------------------------------------------------------------------------


def do_enter_paper_counts(branch: Branch, counts: dict[str, Any], *, acting_user: Any,
                          reason: str = "") -> BranchReport | None:
    """One official's entry; the second agreeing entry by another official makes the paper report.

    Refused when the branch already reported (its e-box or a confirmed paper count), and,
    unless a reason is given (audited), when the branch has no check-ins or fewer
    check-ins than ballots: paper must not add ballots nobody was checked in for silently.
    """
    require_perm(acting_user, "polling.add_paperentry")
    reason = (reason or "").strip()[:500]
    _check_paper_counts(branch, counts)
    with transaction.atomic():
        others = list(PaperEntry.objects.select_for_update().filter(branch=branch).exclude(entered_by=acting_user))
        if PaperEntry.objects.filter(branch=branch, entered_by=acting_user).exists():
            raise DomainError(
                "you have already entered this branch's paper counts",
                "شما قبلاً شمارش برگه‌های این شعبه را وارد کرده‌اید",
                code="already_entered",
            )
        if BranchReport.objects.filter(branch=branch, source=ReportSource.PAPER).exists():
            raise DomainError(
                "this branch's paper counts are already confirmed",
                "شمارش کاغذی این شعبه قبلاً تأیید شده است",
                code="already_reported",
            )
        if BranchReport.objects.filter(branch=branch).exists() or BranchOpening.objects.filter(
                branch=branch, state=BranchDayState.REPORTED).exists():
            raise DomainError(
                "this branch's e-box has already reported: paper counts are not taken",
                "صندوق الکترونیک این شعبه صورتجلسه فرستاده است؛ شمارش کاغذی پذیرفته نمی‌شود",
                code="already_reported",
            )
        _check_paper_checkins(branch, counts["ballots"], reason)
        mismatch = bool(others) and canonical_json(others[0].counts) != canonical_json(counts)
        if not mismatch:
            PaperEntry.objects.create(branch=branch, entered_by=acting_user, counts=counts)
            record(actor=acting_user, action="polling.paper.entry", target=branch, after=counts, reason=reason)
            return _paper_report(branch, counts, others[0].entered_by, acting_user) if others else None

    # Outside the entry's transaction: the refusal must not take the incident with it.
    with transaction.atomic():
        Incident.objects.create(
            election=branch.election,
            branch=branch,
            kind=IncidentKind.PAPER_MISMATCH,
            summary_fa=f"دو ورود شمارش برگه‌های کاغذی شعبه {branch.code} یکسان نیست",
            summary_en=f"the two entries of branch {branch.code}'s paper counts differ",
            details={
                "first": others[0].counts,
                "second": counts,
                "officials": [others[0].entered_by.username, acting_user.username],
            },
        )
        record(actor=acting_user, action="polling.paper.mismatch", target=branch, after=counts, succeeded=False,
               reason=reason)
    raise DomainError(
        "the second entry differs from the first: an incident was opened",
        "ورود دوم با ورود اول یکسان نیست؛ گزارش رخداد ثبت شد",
        code="paper_mismatch",
    )


def _paper_checkins(branch: Branch) -> int:
    return CheckIn.objects.filter(branch=branch).count() + DuplicateCheckIn.objects.filter(branch=branch).count()


def _check_paper_checkins(branch: Branch, ballots: int, reason: str) -> None:
    """No check-ins (or fewer than the ballots) needs a recorded reason, e.g. the authentication device failed too."""
    checkins = _paper_checkins(branch)
    if reason:
        return
    if checkins == 0:
        raise DomainError(
            f"branch {branch.code} has no check-ins: paper counts need a reason",
            f"شعبه {branch.code} هیچ پذیرشی ندارد؛ ورود شمارش کاغذی به ذکر دلیل نیاز دارد",
            code="no_checkins",
        )
    if ballots > checkins:
        raise DomainError(
            f"{ballots} ballots but only {checkins} check-ins: paper counts need a reason",
            f"تعداد آرا ({to_persian_digits(ballots)}) از تعداد پذیرش‌شدگان ({to_persian_digits(checkins)}) "
            "بیشتر است؛ به ذکر دلیل نیاز دارد",
            code="more_ballots_than_checkins",
        )


def _paper_report(branch: Branch, counts: dict[str, Any], first: Any, acting_user: Any) -> BranchReport:
    """The two agreeing entries as a branch report of the one shape, signed by HQ's key."""
    checkins = _paper_checkins(branch)
    signed = paper_report(
        election=branch.election.code,
        fingerprint=election_definition(branch.election).fingerprint,
        branch=branch.code,
        manifest=_branch_manifest(branch),
        counts=counts,
        entered_by=[first.username, acting_user.username],
        checkins=checkins,
        hour=timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H"),
        key=load_hq_key(settings.DATA_DIR),
    )
    stored = BranchReport.objects.create(
        branch=branch,
        source=ReportSource.PAPER,
        document=signed.document(),
        sha256=signed.sha256,
        ballots=signed.report["ballots"],
        checkins=checkins,
        received_at=timezone.now(),
    )
    # The branch is closed: an e-box report arriving later is refused as already reported.
    BranchOpening.objects.filter(branch=branch).update(state=BranchDayState.REPORTED)
    record(actor=acting_user, action="polling.paper.confirmed", target=stored,
           after={"ballots": signed.report["ballots"], "sha256": signed.sha256,
                  "entered_by": signed.report["entered_by"]})
    return stored


def _branch_manifest(branch: Branch) -> BallotManifest:
    return verified_manifest_for(branch)


def _check_paper_counts(branch: Branch, counts: object) -> None:
    """Refuse, before anything is stored, counts no paper ballots of the branch's style could give."""
    manifest = _branch_manifest(branch)
    paper_rows(contests_of([manifest.document]), [c.code for c in manifest.contests], counts)
