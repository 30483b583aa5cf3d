"""The shared lifecycle functions: ``check`` and ``move`` refuse what a table does not allow, and change nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from entekhab.domain.device_lifecycle import DEVICE, TRANSITIONS
from entekhab.domain.lifecycle import ELECTION, ElectionState, TransitionRefused
from entekhab.domain.vetting import CANDIDACY
from entekhab.domain.vetting import TRANSITIONS as VETTING
from entekhab.publication.certification import RESULT, STEPS


@dataclass
class Thing:
    state: str


def test_move_makes_an_allowed_move():
    t = Thing("draft")
    assert ELECTION.move(t, "registration") is ElectionState.REGISTRATION
    assert t.state == "registration"


@pytest.mark.parametrize(("start", "target"), [("draft", "polling"), ("published", "counting"), ("closed", "polling")])
def test_move_refuses_and_leaves_the_state(start, target):
    t = Thing(start)
    with pytest.raises(TransitionRefused) as caught:
        ELECTION.move(t, target)
    assert t.state == start
    assert "نمی‌تواند" in caught.value.message_fa and ELECTION.fa(ElectionState(start)) in caught.value.message_fa


def test_an_unknown_state_is_refused_by_name():
    with pytest.raises(TransitionRefused) as caught:
        ELECTION.move(Thing("draft"), "bogus")
    assert caught.value.code == "unknown_state"


def test_the_candidacy_moves_are_exactly_the_vetting_table():
    assert set(CANDIDACY.pairs()) == {(t.source.value, t.target.value) for t in VETTING}


def test_the_device_moves_are_exactly_the_event_table():
    assert set(DEVICE.pairs()) == {(s.value, t.target.value) for t in TRANSITIONS.values() for s in t.source}


def test_the_result_moves_are_exactly_the_certification_steps():
    assert set(RESULT.pairs()) == {(a.value, b.value) for a, b, _, _ in STEPS.values()}
