"""Fingerprint reader interface and a demo reader with realistic timings and failure rates.

Policy (configurable): up to ``MAX_ATTEMPTS`` = 4 scans; after the fourth failure only
a manual release by the branch head, with a written reason, lets the voter through.

The demo reader's figures: a scan takes 1.2-3.5 s (uniform); a typical voter matches
with probability 0.93 per attempt; about 3 % of people (worn or damaged prints, the
elderly, manual labourers) match with probability 0.25. Which people those are is
derived from the national code, so the same voter behaves the same way in every run;
each attempt's outcome comes from a seeded generator.
"""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass
from typing import Protocol

MAX_ATTEMPTS = 4


@dataclass(frozen=True)
class ScanResult:
    matched: bool
    seconds: float
    quality: int  # 0-100, what the reader reports about the image


class FingerprintReader(Protocol):
    """Capture a print and compare it with the national ID card's template for this code."""

    def scan(self, national_code: str, attempt: int) -> ScanResult: ...


@dataclass
class DemoFingerprintReader:
    """Deterministic per (seed, national code, attempt); ``time_scale`` > 0 really waits."""

    seed: int = 1405
    time_scale: float = 0.0
    typical_match: float = 0.93
    hard_share: float = 0.03
    hard_match: float = 0.25

    def _hard(self, national_code: str) -> bool:
        h = hashlib.sha256(f"fp-hard:{self.seed}:{national_code}".encode()).digest()
        return int.from_bytes(h[:4], "big") / 2**32 < self.hard_share

    def scan(self, national_code: str, attempt: int) -> ScanResult:
        rng = random.Random(f"fp:{self.seed}:{national_code}:{attempt}")
        seconds = rng.uniform(1.2, 3.5)
        p = self.hard_match if self._hard(national_code) else self.typical_match
        matched = rng.random() < p
        quality = rng.randint(55, 95) if matched else rng.randint(10, 60)
        if self.time_scale > 0:
            time.sleep(seconds * self.time_scale)
        return ScanResult(matched, round(seconds, 2), quality)
