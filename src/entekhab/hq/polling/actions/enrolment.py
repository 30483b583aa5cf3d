"""Device enrolment: staff issue a one-time code for a serial and branch; the device binds its key with it."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from entekhab.domain.errors import DomainError
from entekhab.domain.lifecycle import ElectionState
from entekhab.hq.accounts.guard import authorize
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Branch
from entekhab.hq.polling.errors import PollingRefused, UnknownDevice
from entekhab.hq.polling.models import ENROLMENT, DeviceEnrolment, DeviceRole, EnrolmentState, Incident, IncidentKind
from entekhab.i18n import render
from entekhab.records.signing import parse_public_key, verify_document

# Devices are enrolled once the lists are final (the manifest they load names the codes)
# and until polling ends; a faulty one is replaced up to the last report.
ENROLMENT_STATES = frozenset({ElectionState.LISTS_FINAL, ElectionState.READY, ElectionState.POLLING})
REPLACEMENT_STATES = frozenset({ElectionState.READY, ElectionState.POLLING, ElectionState.CLOSED})

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
    authorize(acting_user, "polling.add_deviceenrolment", branch, states=ENROLMENT_STATES,
              what="enrolling a branch device")
    serial = serial.strip()
    if not serial or len(serial) > 40:
        raise DomainError("serial must be 1-40 characters", code="bad_serial")
    if role not in DeviceRole.values:
        raise DomainError(
            "role must be one of %(values)s", params={"values": ', '.join(DeviceRole.values)}, code="bad_role"
        )
    other = _inventory_conflict(serial, branch)
    if other:
        raise DomainError(
            "device %(serial)s is allocated to branch %(other)s", params={"serial": serial, "other": other},
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
                "device %(serial)s is already enrolled in this election", params={"serial": serial},
                code="already_enrolled",
            ) from exc
        record(
            actor=acting_user,
            action=Event.POLLING_ENROLMENT_CREATE,
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
                code="enrolment_refused",
            )
        if enrolment.role != claim["role"]:
            raise PollingRefused(
                "this serial is enrolled as %(role)s", params={"role": enrolment.role}, code="wrong_role"
            )
        if DeviceEnrolment.objects.filter(public_key=claim["public_key"]).exists():
            raise PollingRefused(
                "this key is already bound to a device", code="key_reused"
            )
        enrolment.public_key = claim["public_key"]
        ENROLMENT.move(enrolment, EnrolmentState.ACTIVE)
        enrolment.code_hash = ""  # the code works once
        enrolment.enrolled_at = timezone.now()
        enrolment.save(update_fields=["public_key", "state", "code_hash", "enrolled_at"])
        if enrolment.replaces_id:
            old = DeviceEnrolment.objects.select_for_update().get(pk=enrolment.replaces_id)
            if old.state != EnrolmentState.RETIRED:  # a second successor finds it retired already
                ENROLMENT.move(old, EnrolmentState.RETIRED)
                old.save(update_fields=["state"])
        record(
            actor=None,
            action=Event.POLLING_ENROLMENT_BIND,
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
    authorize(acting_user, "polling.change_deviceenrolment", old, states=REPLACEMENT_STATES,
              what="replacing a device")
    if not reason.strip():
        raise DomainError(
            "a replacement needs a reason", code="reason_missing"
        )
    if old.state != EnrolmentState.ACTIVE:
        raise DomainError("only an active device can be replaced", code="not_active")
    with transaction.atomic():
        enrolment, code = do_create_enrolment(
            old.branch, serial=new_serial, role=old.role, acting_user=acting_user, replaces=old, reason=reason
        )
        Incident.objects.create(
            election=old.election,
            branch=old.branch,
            kind=IncidentKind.DEVICE_REPLACED,
            summary_fa=render("device %(old)s replaced by %(new)s: %(reason)s",
                              {"old": old.serial, "new": new_serial, "reason": reason}, "fa"),
            summary_en=render("device %(old)s replaced by %(new)s: %(reason)s",
                              {"old": old.serial, "new": new_serial, "reason": reason}, "en"),
            details={"old": old.serial, "new": new_serial, "reason": reason},
        )
    return enrolment, code
