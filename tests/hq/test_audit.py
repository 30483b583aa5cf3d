from __future__ import annotations

import pytest

from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record, verify_chain
from entekhab.hq.audit.models import AuditEvent


def test_chain_verifies_and_detects_an_edit(db):
    for i in range(3):
        record(actor=None, action=Event.MEETING_RECORD, target_type="x", target_id=str(i), after={"i": i})
    assert verify_chain() == []
    victim = AuditEvent.objects.filter(action=Event.MEETING_RECORD, target_type="x").order_by("id")[1]
    AuditEvent.objects.filter(pk=victim.pk).update(reason="rewritten later")
    broken = verify_chain()
    assert [b.event_id for b in broken] == [victim.pk]


def test_events_cannot_be_saved_twice_or_deleted(db):
    event = record(actor=None, action=Event.MEETING_RECORD, target_type="x", target_id="1")
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
