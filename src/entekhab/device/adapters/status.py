"""What a device knows about its own power and line, for its heartbeats.

A real device reads its battery gauge, power supply and modem; the demo derives the same from a
seed, so a simulated day is reproducible. The agent asks only this interface (``DeviceStatus``)
and fills in the rest (lifecycle state, queue length, sequence) from its own journal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PowerAndLink:
    battery: int | None  # percent; None on a mains-only device
    power: str  # mains / battery / ups
    link: str  # sim / landline / fibre
    signal_dbm: int | None  # None on a wired link
    clock_offset_ms: int  # the device clock minus the reference clock it last synchronised with


class DeviceStatus(Protocol):
    def read(self, now: dt.datetime) -> PowerAndLink:
        """The device's power and line at ``now`` (must not block for long: it runs every interval)."""
        ...


class DemoDeviceStatus:
    """Seeded and deterministic: each serial has its own link; battery drains slowly once on battery."""

    def __init__(self, serial: str, seed: int = 1405) -> None:
        h = hashlib.sha256(f"status:{seed}:{serial}".encode()).digest()
        self.link = ("sim", "landline", "fibre")[h[0] % 3]
        self.power = ("mains", "ups", "battery")[h[1] % 3]
        self.base_signal = -60 - h[2] % 40
        self.offset_ms = (h[3] % 200) - 100
        self.start: dt.datetime | None = None

    def read(self, now: dt.datetime) -> PowerAndLink:
        self.start = self.start or now
        hours = (now - self.start).total_seconds() / 3600
        battery = None if self.power == "mains" else max(5, 100 - int(hours * 6))
        signal = self.base_signal - int(hours) % 5 if self.link == "sim" else None
        return PowerAndLink(battery, self.power, self.link, signal, self.offset_ms)
