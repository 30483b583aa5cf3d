"""Refusals the supervisory board must see become incidents (after the refused transaction)."""

from __future__ import annotations

from typing import Any

from entekhab.domain.digits import to_persian_digits
from entekhab.domain.errors import DomainError
from entekhab.hq.polling.actions.authenticate import _authenticate
from entekhab.hq.polling.errors import PollingRefused
from entekhab.hq.polling.models import Incident, IncidentKind
from entekhab.i18n import gettext_in, render

AFTER_CLOSE = ("check-in of voter %(voter)s attempted after branch %(branch)s closed; %(where)s")


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
    where = "refused by the authentication device" if by_device else "refused by HQ"
    return Incident.objects.create(
        election_id=device.election_id,
        branch=branch,
        kind=IncidentKind.CHECKIN_AFTER_CLOSE,
        summary_fa=render(AFTER_CLOSE, {"voter": to_persian_digits(voter), "branch": branch.code,
                                        "where": gettext_in("fa", where)}, "fa"),
        summary_en=render(AFTER_CLOSE, {"voter": voter, "branch": branch.code, "where": where}, "en"),
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
        summary_fa=render("report of branch %(branch)s refused: %(reason)s",
                          {"branch": device.branch.code, "reason": refusal.message_fa}, "fa"),
        summary_en=render("report of branch %(branch)s refused: %(reason)s",
                          {"branch": device.branch.code, "reason": refusal.message_en}, "en"),
        details={"code": refusal.code, "device": device.serial, "seq": envelope.seq},
    )
