from __future__ import annotations

import pytest

from entekhab.domain.device_lifecycle import DeviceEvent
from entekhab.domain.vetting import Action
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.operations.models.draws import DrawStage, DrawSubject
from entekhab.publication.certification import CertificationStep


def test_every_generated_action_is_an_event():
    generated = [f"candidates.vetting.{a.value}" for a in Action]
    generated += [f"results.{s.value}" for s in CertificationStep]
    generated += [f"device.{e.value}" for e in DeviceEvent]
    generated += [f"draw.{s.value}.{t.value}" for s in DrawSubject for t in DrawStage]
    generated += ["admin.add", "admin.change", "admin.delete"]
    assert [g for g in generated if g not in set(Event)] == []


def test_record_refuses_an_action_outside_the_enum(db):
    with pytest.raises(TypeError, match="unknown audit action"):
        record(actor=None, action="made.up", target_type="x", target_id="1")


def test_record_stores_the_event_value(db):
    event = record(actor=None, action=Event.COMMITTEE_CREATE, target_type="x", target_id="1")
    assert event.action == "committee.create"
