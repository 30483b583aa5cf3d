"""Who sent a device message: the enrolled device, its key, election and branch, and an unused sequence number."""

from __future__ import annotations

from django.db import connection

from entekhab.device.errors import DeviceError
from entekhab.hq.elections.models import Branch, Election
from entekhab.hq.polling.errors import PollingRefused, Replay, UnknownDevice
from entekhab.hq.polling.models import DeviceEnrolment, DeviceMessage, EnrolmentState
from entekhab.records.canonical import canonical_json
from entekhab.records.errors import RecordError
from entekhab.records.messages import Envelope
from entekhab.records.signing import verify

# -- device messages -------------------------------------------------------------------------


_DEVICE_SQL = (
    f"SELECT e.id, e.public_key, e.role, e.election_id, e.branch_id, e.replaces_id, el.code, b.code, el.state "
    f"FROM {DeviceEnrolment._meta.db_table} e JOIN {Election._meta.db_table} el ON el.id = e.election_id "
    f"JOIN {Branch._meta.db_table} b ON b.id = e.branch_id WHERE e.serial = %s AND e.state = %s LIMIT 1"
)


def _authenticate(payload: object) -> tuple[DeviceEnrolment, Envelope]:
    if not isinstance(payload, dict):
        raise PollingRefused("the message must be a JSON object", code="bad_message")
    try:
        envelope = Envelope.parse(payload.get("envelope"))
    except (DeviceError, RecordError) as exc:
        raise PollingRefused(exc.message_en, exc.message_fa, code="bad_message") from exc
    # One plain row by raw SQL (no ORM compilation, no model instances): this runs once per check-in.
    with connection.cursor() as cursor:
        cursor.execute(_DEVICE_SQL, [envelope.device, EnrolmentState.ACTIVE.value])
        found = cursor.fetchall()
    if not found:
        raise UnknownDevice("device %(device)s is not enrolled", params={"device": envelope.device})
    pk, public_key, role, election_id, branch_id, replaces_id, election_code, branch_code, state = found[0]
    device = DeviceEnrolment(pk=pk, serial=envelope.device, public_key=public_key, role=role, election_id=election_id,
                             branch_id=branch_id, replaces_id=replaces_id, state=EnrolmentState.ACTIVE)
    device.election_state = state  # read in the same query, for the lifecycle gate in handle_message
    verify(bytes.fromhex(public_key), canonical_json(envelope.document()), payload.get("signature"))
    if envelope.election != election_code:
        raise PollingRefused(
            "device %(serial)s is enrolled for election %(election_code)s",
            params={"serial": device.serial, "election_code": election_code},
            code="wrong_election",
        )
    if envelope.branch != branch_code:
        raise PollingRefused(
            "device %(serial)s belongs to branch %(branch_code)s, not %(branch)s",
            params={"serial": device.serial, "branch_code": branch_code, "branch": envelope.branch},
            code="wrong_branch",
        )
    return device, envelope


def _replay(device: DeviceEnrolment, seq: int) -> Replay:
    answer = DeviceMessage.objects.filter(device=device, seq=seq).values_list("answer", flat=True).first()
    return Replay(answer or {})
