from __future__ import annotations

import pytest

from entekhab.domain.device_lifecycle import (
    TRANSITIONS,
    DeviceEvent,
    DeviceState,
    events_from,
    transition,
)
from entekhab.domain.lifecycle import TransitionRefused


def test_the_happy_life_of_a_device():
    state = DeviceState.RECEIVED
    for event in ("pass_test", "allocate", "allocate", "deploy", "start_service", "report_fault", "replace", "return"):
        state = transition(state, event).target
    assert state is DeviceState.RETURNED


@pytest.mark.parametrize("state", list(DeviceState))
@pytest.mark.parametrize("event", list(DeviceEvent))
def test_every_pair_is_allowed_exactly_when_the_table_says(state, event):
    allowed = state in TRANSITIONS[event].source
    if allowed:
        assert transition(state, event).target is TRANSITIONS[event].target
        assert event in events_from(state)
    else:
        with pytest.raises(TransitionRefused):
            transition(state, event)
        assert event not in events_from(state)


def test_unknown_names_are_refused_and_returned_is_final():
    with pytest.raises(TransitionRefused):
        transition("lost", "deploy")
    with pytest.raises(TransitionRefused):
        transition("tested", "explode")
    assert events_from("returned") == ()
    assert {t.permission for t in TRANSITIONS.values()} == {
        "test_device", "allocate_device", "deploy_device", "operate_device", "replace_device", "return_device"}
