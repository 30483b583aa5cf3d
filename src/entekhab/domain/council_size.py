"""Council sizes by population (DOMAIN.md §3.2), as data.

The default table is the statutory one; the HQ keeps an editable copy in the
database (``elections.CouncilSizeRule``) and contests are sized from that copy.
The village threshold (3 seats up to 1,500 inhabitants, 5 above) is our reading
of the council law and a named policy: ``VILLAGE_FIVE_SEAT_THRESHOLD``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from entekhab.domain.errors import DomainError


class Settlement(StrEnum):
    CITY = "city"
    CAPITAL = "capital"
    VILLAGE = "village"


@dataclass(frozen=True, slots=True)
class CouncilSize:
    settlement: Settlement
    min_population: int  # inclusive
    max_population: int | None  # exclusive; None = no upper bound
    seats: int
    alternates: int

    def __post_init__(self) -> None:
        if self.min_population < 0 or self.seats < 1 or self.alternates < 0:
            raise ValueError("a council size row needs population ≥ 0, seats ≥ 1, alternates ≥ 0")
        if self.max_population is not None and self.max_population <= self.min_population:
            raise ValueError("max_population must exceed min_population")

    def applies(self, settlement: Settlement, population: int) -> bool:
        return (
            settlement == self.settlement
            and population >= self.min_population
            and (self.max_population is None or population < self.max_population)
        )


VILLAGE_FIVE_SEAT_THRESHOLD = 1_500

DEFAULT_COUNCIL_SIZES: tuple[CouncilSize, ...] = (
    CouncilSize(Settlement.CITY, 0, 50_000, 5, 3),
    CouncilSize(Settlement.CITY, 50_000, 200_000, 7, 5),
    CouncilSize(Settlement.CITY, 200_000, 500_000, 9, 6),
    CouncilSize(Settlement.CITY, 500_000, 1_000_000, 11, 7),
    CouncilSize(Settlement.CITY, 1_000_000, 2_000_000, 13, 8),
    CouncilSize(Settlement.CITY, 2_000_000, None, 15, 10),
    CouncilSize(Settlement.CAPITAL, 0, None, 21, 11),
    CouncilSize(Settlement.VILLAGE, 0, VILLAGE_FIVE_SEAT_THRESHOLD + 1, 3, 2),
    CouncilSize(Settlement.VILLAGE, VILLAGE_FIVE_SEAT_THRESHOLD + 1, None, 5, 3),
)


class NoCouncilSize(DomainError):
    code = "no_council_size"


def council_size(
    settlement: Settlement, population: int, table: tuple[CouncilSize, ...] = DEFAULT_COUNCIL_SIZES
) -> CouncilSize:
    """The single row of ``table`` for a settlement of this population."""
    if population < 0:
        raise NoCouncilSize("population cannot be negative")
    rows = [r for r in table if r.applies(settlement, population)]
    if len(rows) != 1:
        raise NoCouncilSize(
            "%(rows)s council size rows match a %(settlement)s of %(population)s inhabitants",
            params={"rows": len(rows), "settlement": settlement, "population": population},
        )
    return rows[0]
