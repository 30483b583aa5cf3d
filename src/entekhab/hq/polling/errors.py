"""HQ polling refusals with the HTTP status the device API answers."""

from __future__ import annotations

from typing import Any

from entekhab.domain.errors import DomainError
from entekhab.i18n import en_fa


class PollingRefused(DomainError):
    """A device message refused; nothing of it is stored."""

    code = "refused"
    status = 400


class UnknownDevice(PollingRefused):
    code = "unknown_device"
    status = 403


class Replay(PollingRefused):
    """A sequence number already used by this device; ``original`` is the first answer."""

    code = "replay"
    status = 409

    def __init__(self, original: dict[str, Any]) -> None:
        super().__init__(*en_fa("replayed message: this sequence number was already used"))
        self.original = original


class AlreadyVoted(PollingRefused):
    code = "already_voted"
    status = 409


class BranchClosed(PollingRefused):
    """A check-in for a branch whose signed report HQ already holds: closing is final."""

    code = "branch_closed"
    status = 409


class ElectionNotPolling(PollingRefused):
    """The election's lifecycle does not take this message now (before polling, after closing)."""

    code = "election_state"
    status = 409


class TimeOutsidePolling(PollingRefused):
    """A device-supplied time outside polling hours and their extensions (policy.POLLING_TIME_MARGIN)."""

    code = "time_outside_polling"
    status = 409


class StaleHeartbeat(PollingRefused):
    """A heartbeat not newer than the last one HQ took from this device: a replay, or one delayed past a newer one."""

    code = "stale_heartbeat"
    status = 409
