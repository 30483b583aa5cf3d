"""HQ's clock for polling-day facts: a check-in's time, a branch's opening, a report's receipt.

On a real polling day it is the real clock. A simulated polling day (the demo, the tests)
runs on the day it simulates: :func:`polling_day_at` sets the clock to the simulated moment,
so an online check-in HQ stamps and an offline one the device claims share one timeline,
and live and official turnout count the same check-ins. Times stay aware UTC; Tehran
hours are for display only.

A rehearsal (``entekhab polling rehearse``) runs HQ under gunicorn, in processes of its own, on
a compressed day: ``ENTEKHAB_POLLING_CLOCK="<simulated start ISO> <real start, Unix s> <rate>"``
makes every worker's clock read ``start + (real - real start) × rate``, so a restarted worker
agrees with the others. A production deployment refuses it.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

_lock = threading.Lock()
_offset = dt.timedelta(0)  # simulated minus real time; zero except inside ``polling_day_at``
ENVIRONMENT = "ENTEKHAB_POLLING_CLOCK"


@dataclass(frozen=True)
class CompressedDay:
    """A rehearsal's clock: ``start`` at real Unix time ``real_start``, running ``rate`` times faster."""

    start: dt.datetime
    real_start: float
    rate: float

    def at(self, real: float) -> dt.datetime:
        """Aware UTC, like ``timezone.now()`` (SQLite stores what it is given)."""
        return (self.start + dt.timedelta(seconds=(real - self.real_start) * self.rate)).astimezone(dt.UTC)

    def real(self, moment: dt.datetime) -> float:
        """The real Unix time at which the rehearsal reaches ``moment``."""
        return self.real_start + (moment - self.start).total_seconds() / self.rate

    def encode(self) -> str:
        return f"{self.start.isoformat()} {self.real_start!r} {self.rate!r}"

    @classmethod
    def parse(cls, raw: str) -> CompressedDay:
        try:
            start, real_start, rate = raw.split()
            day = cls(dt.datetime.fromisoformat(start), float(real_start), float(rate))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{ENVIRONMENT}: expected '<ISO start> <Unix seconds> <rate>'") from exc
        if day.start.tzinfo is None or not 0 < day.rate <= 100_000:
            raise ImproperlyConfigured(f"{ENVIRONMENT}: the start must be aware and the rate in (0, 100000]")
        return day


def _compressed() -> CompressedDay | None:
    raw = os.environ.get(ENVIRONMENT, "").strip()
    if not raw:
        return None
    if os.environ.get("ENTEKHAB_ENV") == "production":
        raise ImproperlyConfigured(f"{ENVIRONMENT} is for rehearsals: a production HQ runs on the real clock")
    return CompressedDay.parse(raw)


_day = _compressed()


def now() -> dt.datetime:
    """The time HQ records for a polling-day fact (aware)."""
    if _day is not None:
        return _day.at(time.time())
    return timezone.now() + _offset


def offset() -> dt.timedelta:
    """How far this clock is from the real one (for SQL that reads the database's own ``now()``)."""
    if _day is not None:
        return now() - timezone.now()
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
