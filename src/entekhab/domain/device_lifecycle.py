"""A device's life as a state machine: received → tested → allocated → deployed → in service
→ faulty → replaced → returned.

Each transition is an event with a name and the permission it needs (the HQ maps the
permission to roles), so a warehouse clerk cannot deploy and an operator cannot allocate.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from entekhab.domain.lifecycle import Lifecycle, TransitionRefused, moves_of
from entekhab.i18n import N_, Catalogued, pgettext_in


class DeviceKind(StrEnum):
    AUTHENTICATION = "authentication"
    EBOX = "ebox"
    PRINTER = "printer"
    UPS = "ups"
    MODEM = "modem"


KIND_FA = Catalogued("kind", {
    DeviceKind.AUTHENTICATION: N_("authentication"),
    DeviceKind.EBOX: N_("ebox"),
    DeviceKind.PRINTER: N_("printer"),
    DeviceKind.UPS: N_("ups"),
    DeviceKind.MODEM: N_("modem"),
})


class DeviceState(StrEnum):
    RECEIVED = "received"
    TESTED = "tested"  # first-level check passed
    TEST_FAILED = "test_failed"  # first-level check failed
    ALLOCATED = "allocated"  # drawn to a region (stage 1) or a branch (stage 2)
    DEPLOYED = "deployed"  # delivered to its branch
    IN_SERVICE = "in_service"
    FAULTY = "faulty"
    REPLACED = "replaced"  # a reserve took over, its journal transferred
    RETURNED = "returned"


STATE_FA = Catalogued("state", {
    DeviceState.RECEIVED: N_("received"),
    DeviceState.TESTED: N_("tested"),
    DeviceState.TEST_FAILED: N_("test failed"),
    DeviceState.ALLOCATED: N_("allocated"),
    DeviceState.DEPLOYED: N_("deployed"),
    DeviceState.IN_SERVICE: N_("in service"),
    DeviceState.FAULTY: N_("faulty"),
    DeviceState.REPLACED: N_("replaced"),
    DeviceState.RETURNED: N_("returned"),
})


class DeviceEvent(StrEnum):
    PASS_TEST = "pass_test"
    FAIL_TEST = "fail_test"
    ALLOCATE = "allocate"
    RELEASE = "release"  # an allocation undone before deployment (back to the tested pool)
    DEPLOY = "deploy"
    START_SERVICE = "start_service"
    REPORT_FAULT = "report_fault"
    REPLACE = "replace"
    RETURN = "return"


@dataclass(frozen=True)
class Transition:
    event: DeviceEvent
    source: frozenset[DeviceState]
    target: DeviceState
    permission: str  # codename of the permission that allows it


S = DeviceState
TRANSITIONS: MappingProxyType[DeviceEvent, Transition] = MappingProxyType({
    t.event: t
    for t in (
        Transition(DeviceEvent.PASS_TEST, frozenset({S.RECEIVED, S.FAULTY}), S.TESTED, "test_device"),
        Transition(DeviceEvent.FAIL_TEST, frozenset({S.RECEIVED, S.FAULTY}), S.TEST_FAILED, "test_device"),
        Transition(DeviceEvent.ALLOCATE, frozenset({S.TESTED, S.ALLOCATED}), S.ALLOCATED, "allocate_device"),
        Transition(DeviceEvent.RELEASE, frozenset({S.ALLOCATED}), S.TESTED, "allocate_device"),
        Transition(DeviceEvent.DEPLOY, frozenset({S.ALLOCATED}), S.DEPLOYED, "deploy_device"),
        Transition(DeviceEvent.START_SERVICE, frozenset({S.DEPLOYED}), S.IN_SERVICE, "operate_device"),
        Transition(DeviceEvent.REPORT_FAULT, frozenset({S.DEPLOYED, S.IN_SERVICE}), S.FAULTY, "operate_device"),
        Transition(DeviceEvent.REPLACE, frozenset({S.FAULTY}), S.REPLACED, "replace_device"),
        Transition(DeviceEvent.RETURN,
                   frozenset({S.TEST_FAILED, S.REPLACED, S.DEPLOYED, S.IN_SERVICE, S.TESTED, S.ALLOCATED}),
                   S.RETURNED, "return_device"),
    )
})

# The state-to-state projection of the events: what ``DEVICE.move`` and the database allow.
DEVICE = Lifecycle(
    "device",
    pgettext_in("fa", "lifecycle", "device"),
    DeviceState,
    moves_of((t.source, t.target) for t in TRANSITIONS.values()),
    STATE_FA,
)

PERMISSIONS_FA = Catalogued("permissions", {
    "test_device": N_("test device"),
    "allocate_device": N_("allocate device"),
    "deploy_device": N_("deploy device"),
    "operate_device": N_("operate device"),
    "replace_device": N_("replace device"),
    "return_device": N_("return device"),
})

# States in which a device sends heartbeats and counts towards its branch's network status.
MONITORED = frozenset({S.DEPLOYED, S.IN_SERVICE})


def transition(state: str, event: str) -> Transition:
    """The transition an event makes from a state, or TransitionRefused naming both."""
    try:
        current, ev = DeviceState(state), DeviceEvent(event)
    except ValueError as exc:
        raise TransitionRefused(
            "unknown device state or event: %(state)s, %(event)s", params={"state": repr(state), "event": repr(event)}
        ) from exc
    t = TRANSITIONS[ev]
    if current not in t.source:
        raise TransitionRefused(
            "a device in state %(current)s cannot %(value)s",
            params={
                "current": current,
                "value": ev.replace("_", " "),
                "value2": STATE_FA[current],
                "value3": STATE_FA[t.target],
            },
        )
    return t


def events_from(state: str) -> tuple[DeviceEvent, ...]:
    """Events allowed from a state, for buttons and help."""
    current = DeviceState(state)
    return tuple(e for e, t in TRANSITIONS.items() if current in t.source)
