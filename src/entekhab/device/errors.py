"""Device refusals: every one names the problem in English and Persian, with a stable code."""

from __future__ import annotations

from entekhab.domain.errors import DomainError


class DeviceError(DomainError):
    """Base of every refusal raised by :mod:`entekhab.device`."""

    code = "device_error"


class JournalBroken(DeviceError):
    code = "journal_broken"


class BranchStateError(DeviceError):
    code = "branch_state"


class NotEligible(DeviceError):
    code = "not_eligible"


class CheckInRefused(DeviceError):
    """HQ refused the check-in (already voted elsewhere) or the device could not ask."""

    code = "checkin_refused"


class HQUnreachable(DeviceError):
    code = "hq_unreachable"


class BranchClosed(DeviceError):
    """The branch's ballot box has closed: the authentication device checks no one in any more."""

    code = "branch_closed"
