"""Named policy values of the capacity pages (docs/planning.md, "HQ app", lists them with their defaults)."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

from entekhab.domain.device_lifecycle import DeviceKind, DeviceState

# Devices that count as a branch's inventory once the operations draw has put them there.
AT_BRANCH_STATES = frozenset({DeviceState.ALLOCATED, DeviceState.DEPLOYED, DeviceState.IN_SERVICE})
# Until any device of the election is allocated to a branch, every branch is assumed to hold
# what the 1405 plan gives each branch: one authentication device and one e-box
# (the operations app's DEVICES_PER_BRANCH).
DEFAULT_INVENTORY = MappingProxyType({DeviceKind.AUTHENTICATION: 1, DeviceKind.EBOX: 1})
# Plans of at most this many branches run inside the request (≈ 0.2 s per 100 branches);
# larger ones go on the task queue, computed by a worker process (`entekhab worker`).
SYNC_BRANCH_LIMIT = 400
# Branches listed on the plan page, largest shortfall first (the PDF lists the same).
BRANCH_ROWS_SHOWN = 50
# A run still "running" this long after it started has lost its task (no worker took it, or the
# worker computing it was killed): the next run of the election marks it failed, audited, so no
# page waits forever. A run whose task ended without storing the plan is failed at once.
STALLED_AFTER = dt.timedelta(minutes=30)
