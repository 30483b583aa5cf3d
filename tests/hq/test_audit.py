from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record, verify_chain
from entekhab.hq.audit.models import AuditEvent


def test_chain_verifies_and_a_queryset_update_is_refused(db):
    for i in range(3):
        record(actor=None, action=Event.MEETING_RECORD, target_type="x", target_id=str(i), after={"i": i})
    assert verify_chain() == []
    victim = AuditEvent.objects.filter(action=Event.MEETING_RECORD, target_type="x").order_by("id")[1]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=victim.pk).update(reason="rewritten later")
    assert verify_chain() == []


def test_events_cannot_be_saved_twice_or_deleted(db):
    event = record(actor=None, action=Event.MEETING_RECORD, target_type="x", target_id="1")
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
