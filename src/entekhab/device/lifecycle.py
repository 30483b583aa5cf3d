"""The e-box's day as an explicit state machine.

``installed`` → ``manifest_loaded`` (zero report printed) → ``mock_poll`` (optional,
votes cleared and reported) → ``open`` → ``closed``. ``retired`` is a device replaced
mid-day after its journal has moved to the new one.
"""

from __future__ import annotations

from enum import StrEnum

from entekhab.device.errors import BranchStateError


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

NAMES_FA = {
    BoxState.INSTALLED: "نصب‌شده",
    BoxState.MANIFEST_LOADED: "آماده (گزارش صفر چاپ شد)",
    BoxState.MOCK_POLL: "رأی‌گیری آزمایشی",
    BoxState.OPEN: "باز",
    BoxState.CLOSED: "بسته",
    BoxState.RETIRED: "کنار گذاشته",
}


def check_transition(current: BoxState, target: BoxState) -> BoxState:
    if target not in TRANSITIONS[current]:
        raise BranchStateError(
            f"the ballot box cannot go from {current} to {target}",
            f"صندوق نمی‌تواند از وضعیت «{NAMES_FA[current]}» به «{NAMES_FA[target]}» برود",
        )
    return target
