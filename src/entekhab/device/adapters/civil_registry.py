"""Civil registry interface and a demo registry that derives a synthetic population.

Eligibility (DOMAIN.md §2): the person exists, is alive, and is 18 or older on
polling day. The demo registry derives each person from the national code itself
(a keyed hash → birth date and vital status), so it answers for all 10⁹ codes without
a table: about 1.2 % are recorded as deceased and birth years spread from 1926 to
2012, so some codes belong to minors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from entekhab.domain.jalali import age_on
from entekhab.domain.national_code import parse_national_code
from entekhab.i18n import pgettext_in

VOTING_AGE = 18


class Ineligibility(StrEnum):
    DECEASED = "deceased"
    UNDER_AGE = "under_age"


@dataclass(frozen=True)
class Person:
    national_code: str
    birth_date: dt.date
    alive: bool


@dataclass(frozen=True)
class Eligibility:
    person: Person
    refusal: Ineligibility | None

    @property
    def eligible(self) -> bool:
        return self.refusal is None

    @property
    def message_fa(self) -> str:
        return pgettext_in("fa", "civil registry", self.message_en)

    @property
    def message_en(self) -> str:
        if self.refusal is Ineligibility.DECEASED:
            return "the civil registry records this person as deceased"
        if self.refusal is Ineligibility.UNDER_AGE:
            return "the voter is not 18 on polling day"
        return "eligible"


class CivilRegistry(Protocol):
    def lookup(self, national_code: str) -> Person: ...


def eligibility(registry: CivilRegistry, national_code: str, polling_day: dt.date) -> Eligibility:
    """The registry's answer judged against the law's two tests."""
    person = registry.lookup(parse_national_code(national_code))
    if not person.alive:
        return Eligibility(person, Ineligibility.DECEASED)
    if age_on(person.birth_date, polling_day) < VOTING_AGE:
        return Eligibility(person, Ineligibility.UNDER_AGE)
    return Eligibility(person, None)


@dataclass(frozen=True)
class DemoCivilRegistry:
    """A synthetic population keyed by ``seed``: same code, same person, every run."""

    seed: int = 1405
    deceased_share: float = 0.012
    first_birth: dt.date = dt.date(1926, 1, 1)
    last_birth: dt.date = dt.date(2012, 12, 31)

    def lookup(self, national_code: str) -> Person:
        h = hashlib.sha256(f"registry:{self.seed}:{national_code}".encode()).digest()
        span = (self.last_birth - self.first_birth).days
        birth = self.first_birth + dt.timedelta(days=int.from_bytes(h[:4], "big") % (span + 1))
        alive = int.from_bytes(h[4:8], "big") / 2**32 >= self.deceased_share
        return Person(national_code, birth, alive)


def sample_people(registry: CivilRegistry, n: int, polling_day: dt.date, *, seed: int = 1405,
                  eligible: bool = True) -> list[str]:
    """``n`` distinct valid national codes whose eligibility is ``eligible`` (for simulations and tests)."""
    import random

    from entekhab.domain.national_code import check_digit

    rng = random.Random(f"people:{seed}")
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        nine = f"{rng.randrange(10**9):09d}"
        code = nine + str(check_digit(nine))
        if len(set(code)) == 1 or code in seen:
            continue
        seen.add(code)
        if eligibility(registry, code, polling_day).eligible == eligible:
            out.append(code)
    return out
