"""Check-ins: one INSERT … ON CONFLICT under the (election, national code) constraint; closing is final."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from entekhab.domain.digits import to_persian_digits
from entekhab.domain.national_code import InvalidNationalCode, parse_national_code
from entekhab.hq.elections.models import Election
from entekhab.hq.polling import clock
from entekhab.hq.polling.actions.authenticate import _replay
from entekhab.hq.polling.errors import BranchClosed, PollingRefused, TimeOutsidePolling
from entekhab.hq.polling.models import (
    BranchDayState,
    BranchOpening,
    BranchReport,
    CheckIn,
    DeviceEnrolment,
    DeviceMessage,
    DeviceRole,
    DuplicateCheckIn,
    Incident,
    IncidentKind,
    OfflineWindow,
)
from entekhab.hq.polling.policy import OFFLINE_CLAIM_WINDOW, OFFLINE_WINDOW_GAP, POLLING_TIME_MARGIN
from entekhab.i18n import render
from entekhab.records.messages import Envelope

OFFLINE_CLAIM_CONTRADICTED = ("device %(serial)s claimed to be offline at %(claimed)s, but HQ heard from it at"
                              " %(hhmm)s: the check-in is kept for the boards to review")
DOUBLE_CHECKIN = ("voter %(voter)s checked in at branch %(first)s at %(at_first)s and offline at branch"
                  " %(second)s at %(at_second)s")


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
        code="fingerprint_required",
    )


def _already_voted(first: CheckIn) -> dict[str, Any]:
    local = timezone.localtime(first.at)
    hhmm = local.strftime("%H:%M")
    return {
        "status": "refused",
        "code": "already_voted",
        "message": render("already voted at branch %(branch)s at %(time)s",
                          {"branch": first.branch.code, "time": hhmm}, "en"),
        "message_fa": render("already voted at branch %(branch)s at %(time)s",
                             {"branch": first.branch.code, "time": to_persian_digits(hhmm)}, "fa"),
        "branch": first.branch.code,
        "at": hhmm,
    }


def _branch_closed_refusal(branch_code: str) -> BranchClosed:
    return BranchClosed(
        "branch %(branch_code)s has closed: its signed report is in, no check-in is taken after the close",
        params={"branch_code": branch_code},
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
            "only an authentication device checks voters in", code="wrong_role"
        )
    _refuse_if_closed(device, envelope)
    code = _national_code(envelope.body)
    fingerprint, detail = _fingerprint(envelope.body)
    new_id = _insert_checkin(
        device, envelope.seq, code, clock.now(), offline=False, fingerprint=fingerprint, detail=detail
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
            "only an authentication device checks voters in", code="wrong_role"
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
        "%s::bigint, now() + %s::interval, false, %s::varchar, CAST(%s AS jsonb) FROM open WHERE open.yes "
        "ON CONFLICT (election_id, national_code) DO NOTHING RETURNING id), "
        f"msg AS (INSERT INTO {DeviceMessage._meta.db_table} (device_id, seq, kind, digest, signature, answer, "
        "received_at) SELECT %s, %s, 'checkin', %s, %s, jsonb_build_object('status', 'accepted', 'checkin', ins.id), "
        "now() + %s::interval FROM ins "
        "RETURNING id) SELECT (SELECT id FROM ins), (SELECT id FROM msg)"
    )
    # Outside a transaction the statement autocommits; inside one (a caller's, a test's) a savepoint
    # keeps a refused insert from aborting it.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard, connection.cursor() as cursor:
            cursor.execute(sql, [device.branch_id, device.branch_id,
                                 device.election_id, code, device.branch_id, device.pk, envelope.seq,
                                 clock.offset(), fingerprint,
                                 json.dumps(detail, ensure_ascii=False), device.pk, envelope.seq, envelope.digest,
                                 signature, clock.offset()])
            checkin_id, _ = cursor.fetchone()
    except IntegrityError as exc:  # the sequence number is taken: nothing was written
        raise _replay(device, envelope.seq) from exc
    return None if checkin_id is None else {"status": "accepted", "checkin": checkin_id}


def _polling_hours(election_id: int) -> tuple[dt.datetime, dt.datetime]:
    """Opening to closing (or the latest extension) on the polling date, widened by ``POLLING_TIME_MARGIN``."""
    election = Election.objects.get(pk=election_id)
    tehran = timezone.get_default_timezone()
    opens = dt.datetime.combine(election.polling_date, election.opens_at, tzinfo=tehran)
    closes = dt.datetime.combine(election.polling_date, election.closes_at, tzinfo=tehran)
    extended = election.effective_closing()
    if extended is not None and extended > closes:
        closes = extended
    return opens - POLLING_TIME_MARGIN, closes + POLLING_TIME_MARGIN


def _refuse_outside_polling(device: DeviceEnrolment, at: dt.datetime) -> None:
    opens, closes = _polling_hours(device.election_id)
    if not opens <= at <= closes:
        local = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
        hours = f"{timezone.localtime(opens):%H:%M}–{timezone.localtime(closes):%H:%M}"
        raise TimeOutsidePolling(
            "offline check-in time %(local)s is outside polling hours (%(date)s %(hours)s, with extensions)",
            params={
                "local": local,
                "date": opens.date(),
                "hours": hours,
                "local2": to_persian_digits(local),
                "hours2": to_persian_digits(hours),
            },
        )


def _heard_online(device: DeviceEnrolment, at: dt.datetime, *, superseded: object) -> dt.datetime | None:
    """When HQ last heard the device around the claimed minute (``OFFLINE_CLAIM_WINDOW``), or ``None``.

    The online attempt this check-in supersedes does not count: it may have reached HQ with
    its answer lost on the way back, which is what sent the device offline.
    """
    heard = DeviceMessage.objects.filter(
        device_id=device.pk, received_at__gte=at - OFFLINE_CLAIM_WINDOW,
        received_at__lt=at + dt.timedelta(minutes=1) + OFFLINE_CLAIM_WINDOW,
    ).exclude(kind="checkin_offline")
    if isinstance(superseded, int) and not isinstance(superseded, bool):
        heard = heard.exclude(seq=superseded)
    return heard.order_by("-received_at").values_list("received_at", flat=True).first()


def _flag_contradiction(device: DeviceEnrolment, checkin: CheckIn, at: dt.datetime, heard: dt.datetime,
                        duplicate: DuplicateCheckIn | None) -> Incident:
    """An offline claim HQ's own record contradicts: kept, and put before the boards (policy.OFFLINE_CLAIM_WINDOW).

    Refusing it would not take back the ballot card the device already issued; it would only
    lose the record of it and leave the branch's report with more ballots than check-ins.
    """
    hhmm, claimed = timezone.localtime(heard).strftime("%H:%M"), timezone.localtime(at).strftime("%H:%M")
    params = {"serial": device.serial, "claimed": claimed, "hhmm": hhmm}
    fa = {**params, "claimed": to_persian_digits(claimed), "hhmm": to_persian_digits(hhmm)}
    return Incident.objects.create(
        election_id=device.election_id, branch_id=device.branch_id, kind=IncidentKind.OFFLINE_CLAIM_CONTRADICTED,
        checkin=checkin, summary_en=render(OFFLINE_CLAIM_CONTRADICTED, params, "en"),
        summary_fa=render(OFFLINE_CLAIM_CONTRADICTED, fa, "fa"),
        details={"device": device.serial, "claimed_at": at.isoformat(), "heard_at": heard.isoformat(),
                 "checkin": checkin.pk, "duplicate": duplicate.pk if duplicate else None})


def _record_offline_window(device: DeviceEnrolment, at: dt.datetime) -> None:
    """Extend the device's offline window that ``at`` falls within ``OFFLINE_WINDOW_GAP`` of, or open one."""
    window = (
        OfflineWindow.objects.select_for_update()
        .filter(device_id=device.pk, started_at__lte=at + OFFLINE_WINDOW_GAP, ended_at__gte=at - OFFLINE_WINDOW_GAP)
        .order_by("started_at")
        .first()
    )
    if window is None:
        OfflineWindow.objects.create(device_id=device.pk, branch_id=device.branch_id, started_at=at, ended_at=at,
                                     checkins=1)
        return
    window.started_at, window.ended_at = min(window.started_at, at), max(window.ended_at, at)
    window.checkins += 1
    window.save(update_fields=["started_at", "ended_at", "checkins"])


def _checkin_offline(device: DeviceEnrolment, envelope: Envelope) -> dict[str, Any]:
    """An offline check-in synced late: a duplicate is accepted for the record and becomes an incident.

    The claim is checked first: its time must lie within polling hours, and HQ must not have
    heard from the device around that time (``policy``); otherwise it is refused and nothing is kept.
    """
    if device.role != DeviceRole.AUTH:
        raise PollingRefused(
            "only an authentication device checks voters in", code="wrong_role"
        )
    _refuse_if_closed(device, envelope)
    body = envelope.body
    code = _national_code(body)
    fingerprint, detail = _fingerprint(body)
    approved = str(body.get("approved_by", "")).strip()
    if not approved:
        raise PollingRefused(
            "an offline check-in needs the branch head's approval",
            code="offline_needs_approval",
        )
    try:
        at = dt.datetime.strptime(str(body.get("at")), "%Y-%m-%dT%H:%MZ").replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise PollingRefused(
            "offline check-in time must look like 2026-05-01T09:30Z", code="bad_message"
        ) from exc
    if DeviceMessage.objects.filter(device_id=device.pk, seq=envelope.seq).exists():
        # A re-sent offline check-in HQ already took: its first answer, not a verdict on the claim made
        # with what HQ has heard since.
        raise _replay(device, envelope.seq)
    _refuse_outside_polling(device, at)
    heard = _heard_online(device, at, superseded=body.get("supersedes"))
    detail = {**detail, "approved_by": approved[:150]}
    new_id = _insert_checkin(device, envelope.seq, code, at, offline=True, fingerprint=fingerprint, detail=detail)
    _record_offline_window(device, at)
    if new_id is not None:
        answer: dict[str, Any] = {"status": "accepted", "checkin": new_id, "offline": True}
        if heard is not None:
            answer["contradicted"] = _flag_contradiction(device, CheckIn.objects.get(pk=new_id), at, heard, None).pk
        return answer
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
        summary_en=render(DOUBLE_CHECKIN, {"voter": f"{code[:3]}…{code[-1]}", "first": first.branch.code,
                                            "at_first": at_first, "second": device.branch.code,
                                            "at_second": at_second}, "en"),
        summary_fa=render(DOUBLE_CHECKIN, {
            "voter": f"{to_persian_digits(code[:3])}…{to_persian_digits(code[-1])}", "first": first.branch.code,
            "at_first": to_persian_digits(at_first), "second": device.branch.code,
            "at_second": to_persian_digits(at_second)}, "fa"),
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
    answer = {"status": "duplicate", "incident": incident.pk}
    if heard is not None:
        answer["contradicted"] = _flag_contradiction(device, first, at, heard, duplicate).pk
    return answer
