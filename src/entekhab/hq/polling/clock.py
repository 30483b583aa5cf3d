"""HQ's clock for polling-day facts: a check-in's time, a branch's opening, a report's receipt.

On a real polling day it is the real clock. A simulated polling day (the demo, the tests)
runs on the day it simulates: :func:`polling_day_at` sets the clock to the simulated moment,
so an online check-in HQ stamps and an offline one the device claims share one timeline,
and live and official turnout count the same check-ins. Times stay aware UTC; Tehran
hours are for display only.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_lock = threading.Lock()
_offset = dt.timedelta(0)  # simulated minus real time; zero except inside ``polling_day_at``


def now() -> dt.datetime:
    """The time HQ records for a polling-day fact (aware)."""
    return timezone.now() + _offset


def offset() -> dt.timedelta:
    """How far this clock is from the real one (for SQL that reads the database's own ``now()``)."""
    return _offset


@contextmanager
def polling_day_at(moment: dt.datetime) -> Iterator[None]:
    """Run HQ on a simulated polling day: inside, :func:`now` reads ``moment`` (then moves on in real time).

    Process-wide (the simulation's HQ serves from a thread of the same process); never used by a
    real server. Nested uses restore the outer setting.
    """
    global _offset
    if moment.tzinfo is None:
        raise ValueError("a polling-day moment must be aware")
    with _lock:
        before = _offset
        _offset = moment - timezone.now()
    try:
        yield
    finally:
        with _lock:
            _offset = before
