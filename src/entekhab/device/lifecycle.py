"""The e-box's day as an explicit state machine.

``installed`` → ``manifest_loaded`` (zero report printed) → ``mock_poll`` (optional,
votes cleared and reported) → ``open`` → ``closed``. ``retired`` is a device replaced
mid-day after its journal has moved to the new one.
"""

from __future__ import annotations

from enum import StrEnum

from entekhab.device.errors import BranchStateError
from entekhab.i18n import N_, Catalogued


class BoxState(StrEnum):
    INSTALLED = "installed"
    MANIFEST_LOADED = "manifest_loaded"
    MOCK_POLL = "mock_poll"
    OPEN = "open"
    CLOSED = "closed"
    RETIRED = "retired"


TRANSITIONS: dict[BoxState, frozenset[BoxState]] = {
    BoxState.INSTALLED: frozenset({BoxState.MANIFEST_LOADED, BoxState.OPEN}),  # OPEN: a replacement device
    BoxState.MANIFEST_LOADED: frozenset({BoxState.MOCK_POLL, BoxState.OPEN}),
    BoxState.MOCK_POLL: frozenset({BoxState.MANIFEST_LOADED}),
    BoxState.OPEN: frozenset({BoxState.CLOSED, BoxState.RETIRED}),
    BoxState.CLOSED: frozenset(),
    BoxState.RETIRED: frozenset(),
}

NAMES_FA = Catalogued("names", {
    BoxState.INSTALLED: N_("installed"),
    BoxState.MANIFEST_LOADED: N_("manifest loaded"),
    BoxState.MOCK_POLL: N_("mock poll"),
    BoxState.OPEN: N_("open"),
    BoxState.CLOSED: N_("closed"),
    BoxState.RETIRED: N_("retired"),
})


def check_transition(current: BoxState, target: BoxState) -> BoxState:
    if target not in TRANSITIONS[current]:
        raise BranchStateError(
            "the ballot box cannot go from %(current)s to %(target)s",
            params={"current": current, "target": target, "value": NAMES_FA[current], "value2": NAMES_FA[target]},
        )
    return target
