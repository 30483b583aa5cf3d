"""Named policy values of the operations side (docs/operations.md lists them with their defaults)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from types import MappingProxyType

from entekhab.domain.device_lifecycle import DeviceKind

# Devices each branch receives in the second stage of the draw (two devices per branch in 1405).
DEVICES_PER_BRANCH = MappingProxyType({DeviceKind.AUTHENTICATION: 1, DeviceKind.EBOX: 1})
# Reserves sent to each region on top of what its branches need (India keeps 20-30 %, Brazil ≈ 12 %).
DEVICE_RESERVE = Fraction(15, 100)
# Staff drawn to a region on top of its branches' needs (the rest wait as reserves).
STAFF_RESERVE = Fraction(50, 100)
# Action items due within this many days count as "upcoming" on the dashboard.
UPCOMING_DAYS = dt.timedelta(days=7)
# A device is silent once it has missed this many of its own heartbeat intervals (the interval
# is in each signed heartbeat), and never later than its branch's sensitivity timeout.
MISSED_HEARTBEATS = 3


def allocation_region_code(path: str) -> str:
    """The unit devices and staff are drawn to: a Tehran municipal region, else the county.

    ``path`` is an area path ``/province/county/city/region/``.
    """
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 4:
        return parts[3]
    if len(parts) >= 2:
        return parts[1]
    return parts[0]
