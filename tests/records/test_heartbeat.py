"""The heartbeat body parser takes only a strictly bounded report (pure: no database)."""

from __future__ import annotations

import pytest

from entekhab.records.errors import RecordError
from entekhab.records.messages import Envelope, HeartbeatMessage

GOOD = {"state": "open", "battery": 80, "power": "battery", "link": "sim", "signal_dbm": -85, "queued": 3,
        "clock_offset_ms": -120, "interval_s": 30, "at": "2026-05-01T06:30:00Z"}


def test_a_good_heartbeat_parses_and_round_trips():
    assert HeartbeatMessage.parse(GOOD).document() == GOOD
    wired = {**GOOD, "link": "fibre", "signal_dbm": None, "battery": None, "power": "mains"}
    assert HeartbeatMessage.parse(wired).document() == wired
    Envelope("D-1", "1405", "B-1", 7, "heartbeat", GOOD)  # a known kind


@pytest.mark.parametrize("change", [
    {"battery": 80.0}, {"battery": float("nan")}, {"battery": float("inf")}, {"battery": 101}, {"battery": -1},
    {"battery": True}, {"battery": "80"}, {"queued": 2**63}, {"queued": -1}, {"queued": None},
    {"clock_offset_ms": 10**12}, {"signal_dbm": -200}, {"signal_dbm": 0}, {"signal_dbm": None},
    {"link": "fibre"},  # a wired link with a signal strength
    {"power": "solar"}, {"link": "wifi"}, {"state": "hacked"}, {"state": ["open"]}, {"interval_s": 0},
    {"interval_s": 10**9}, {"at": "yesterday"}, {"at": 1714545000}, {"extra": "x" * 10_000}, {"__proto__": {}},
])
def test_hostile_bodies_are_refused_with_a_named_error(change):
    with pytest.raises(RecordError) as caught:
        HeartbeatMessage.parse({**GOOD, **change})
    assert caught.value.code == "bad_message" and caught.value.path.startswith("$.envelope.body")
    assert caught.value.message_fa


@pytest.mark.parametrize("body", [None, [], "heartbeat", {}, {k: v for k, v in GOOD.items() if k != "queued"}])
def test_missing_or_non_object_bodies_are_refused(body):
    with pytest.raises(RecordError):
        HeartbeatMessage.parse(body)
