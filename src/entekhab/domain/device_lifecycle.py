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


class DeviceKind(StrEnum):
    AUTHENTICATION = "authentication"  # دستگاه احراز هویت
    EBOX = "ebox"  # صندوق الکترونیکی
    PRINTER = "printer"
    UPS = "ups"
    MODEM = "modem"


KIND_FA = {
    DeviceKind.AUTHENTICATION: "دستگاه احراز هویت",
    DeviceKind.EBOX: "صندوق الکترونیکی",
    DeviceKind.PRINTER: "چاپگر",
    DeviceKind.UPS: "یو‌پی‌اس",
    DeviceKind.MODEM: "مودم",
}


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


STATE_FA = {
    DeviceState.RECEIVED: "تحویل‌گرفته",
    DeviceState.TESTED: "آزمون‌شده",
    DeviceState.TEST_FAILED: "مردود در آزمون",
    DeviceState.ALLOCATED: "تخصیص‌یافته",
    DeviceState.DEPLOYED: "مستقر",
    DeviceState.IN_SERVICE: "در حال کار",
    DeviceState.FAULTY: "معیوب",
    DeviceState.REPLACED: "جایگزین‌شده",
    DeviceState.RETURNED: "عودت‌شده",
}


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
DEVICE = Lifecycle("device", "دستگاه", DeviceState, moves_of((t.source, t.target) for t in TRANSITIONS.values()),
                   STATE_FA)

PERMISSIONS_FA = {
    "test_device": "آزمون دستگاه",
    "allocate_device": "تخصیص دستگاه",
    "deploy_device": "استقرار دستگاه",
    "operate_device": "بهره‌برداری از دستگاه",
    "replace_device": "جایگزینی دستگاه",
    "return_device": "عودت دستگاه",
}

# States in which a device sends heartbeats and counts towards its branch's network status.
MONITORED = frozenset({S.DEPLOYED, S.IN_SERVICE})


def transition(state: str, event: str) -> Transition:
    """The transition an event makes from a state, or TransitionRefused naming both."""
    try:
        current, ev = DeviceState(state), DeviceEvent(event)
    except ValueError as exc:
        raise TransitionRefused(f"unknown device state or event: {state!r}, {event!r}",
                                "وضعیت یا رویداد دستگاه نامعتبر است") from exc
    t = TRANSITIONS[ev]
    if current not in t.source:
        raise TransitionRefused(
            f"a device in state {current} cannot {ev.replace('_', ' ')}",
            f"دستگاه در وضعیت «{STATE_FA[current]}» نمی‌تواند به «{STATE_FA[t.target]}» برود",
        )
    return t


def events_from(state: str) -> tuple[DeviceEvent, ...]:
    """Events allowed from a state, for buttons and help."""
    current = DeviceState(state)
    return tuple(e for e, t in TRANSITIONS.items() if current in t.source)
