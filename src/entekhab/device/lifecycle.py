"""The e-box's day as an explicit state machine.

``installed`` → ``manifest_loaded`` (first zero report printed) → ``mock_poll`` (test
votes cast) → ``mock_cleared`` (the test votes reported in the mock-poll report and
cleared) → ``ready`` (a second zero report proves the box empty again) → ``open`` →
``closed``. The order is the law's: no test vote before the first zero report, no real
vote before the opening, and after a mock poll no opening before the second zero report.
A branch may open straight after its first zero report (``manifest_loaded`` → ``open``)
only where the policy lets it skip the mock poll (the kiosk does not; simulations may).
``retired`` is a device replaced mid-day after its journal has moved to the new one.
"""

from __future__ import annotations

from enum import StrEnum

from entekhab.device.errors import BranchStateError
from entekhab.i18n import N_, Catalogued


class BoxState(StrEnum):
    INSTALLED = "installed"
    MANIFEST_LOADED = "manifest_loaded"
    MOCK_POLL = "mock_poll"
    MOCK_CLEARED = "mock_cleared"
    READY = "ready"
    OPEN = "open"
    CLOSED = "closed"
    RETIRED = "retired"


TRANSITIONS: dict[BoxState, frozenset[BoxState]] = {
    BoxState.INSTALLED: frozenset({BoxState.MANIFEST_LOADED, BoxState.OPEN}),  # OPEN: a replacement device
    BoxState.MANIFEST_LOADED: frozenset({BoxState.MOCK_POLL, BoxState.OPEN}),
    BoxState.MOCK_POLL: frozenset({BoxState.MOCK_CLEARED}),
    BoxState.MOCK_CLEARED: frozenset({BoxState.READY}),
    BoxState.READY: frozenset({BoxState.OPEN}),
    BoxState.OPEN: frozenset({BoxState.CLOSED, BoxState.RETIRED}),
    BoxState.CLOSED: frozenset(),
    BoxState.RETIRED: frozenset(),
}

NAMES_FA = Catalogued("names", {
    BoxState.INSTALLED: N_("installed"),
    BoxState.MANIFEST_LOADED: N_("manifest loaded"),
    BoxState.MOCK_POLL: N_("mock poll"),
    BoxState.MOCK_CLEARED: N_("mock poll cleared, second zero report due"),
    BoxState.READY: N_("ready to open"),
    BoxState.OPEN: N_("open"),
    BoxState.CLOSED: N_("closed"),
    BoxState.RETIRED: N_("retired"),
})

# What a heartbeat says (records.messages.HEARTBEAT_STATES): the whole mock-poll procedure,
# up to its second zero report, is "mock_poll" to HQ's control room.
HEARTBEAT_WORD: dict[BoxState, str] = {BoxState.MOCK_CLEARED: "mock_poll", BoxState.READY: "mock_poll"}


def check_transition(current: BoxState, target: BoxState) -> BoxState:
    if target not in TRANSITIONS[current]:
        raise BranchStateError(
            "the ballot box cannot go from %(current)s to %(target)s",
            params={"current": current, "target": target, "value": NAMES_FA[current], "value2": NAMES_FA[target]},
        )
    return target
