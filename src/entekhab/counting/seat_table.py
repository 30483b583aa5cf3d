"""The seat table of a count: one row per group, read back from the count's published steps.

A page shows, for each list and the independent bloc: votes, share of the vote, votes ÷
quota, the integer seats, the remainder, the seat won on the remainder (or by lot), the
seats moved by a shortfall round, the final seats and who fills them. Everything comes
from the steps' ``data`` (the form published in ``results.json``), exact, so the table
says what the count did and cannot drift from it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from entekhab.domain.ids import CandidateId, GroupId


@dataclass(frozen=True)
class SeatRow:
    """One group. Largest remainder: ``quotas``, ``integer_seats``, ``remainder`` are set;
    divisor methods: ``quotient`` (the quotient that won the group's last seat) instead."""

    group: GroupId
    votes: int
    share: Fraction
    seats: int
    quotas: Fraction | None = None
    integer_seats: int | None = None
    remainder: Fraction | None = None
    remainder_seats: int = 0
    reallocated: int = 0
    quotient: Fraction | None = None
    elected: tuple[CandidateId, ...] = ()

    @property
    def extra_seat(self) -> bool:
        """Whether the group won a seat on its remainder (or a lot among equal remainders)."""
        return self.remainder_seats > 0


@dataclass(frozen=True)
class SeatTable:
    """Rows in the order asked for; ``quota`` is the first round's (None for divisor methods)."""

    method: str
    seats: int
    total: int
    quota: Fraction | None
    rows: tuple[SeatRow, ...]
    rounds: int
    vacant: int

    @property
    def seats_given(self) -> int:
        return sum(r.seats for r in self.rows)

    @property
    def largest_remainder(self) -> bool:
        return self.quota is not None


def _data(step: Mapping[str, Any]) -> Mapping[str, Any]:
    return step.get("data", {})


def seat_table(method: str, steps: Sequence[Mapping[str, Any]], order: Sequence[str] | None = None) -> SeatTable:
    """The table of a count from its steps (``{"kind", "data", …}`` as published).

    ``order`` names the groups in the order to show them (unknown ids are skipped);
    by default, most votes first. Only the seat stage is read (alternate places are not
    seats). Raises ``ValueError`` when the steps hold no group totals (a plurality count).
    """
    totals = next((_data(s) for s in steps if s.get("kind") == "totals"), None)
    if totals is None:
        raise ValueError("these steps hold no group totals")
    votes: dict[str, int] = dict(totals["group_votes"])
    total = sum(votes.values())
    seat_steps = [s for s in steps if str(_data(s).get("stage", "")).startswith("seats")]
    first = next((str(_data(s)["stage"]) for s in seat_steps
                  if s.get("kind") in ("quota", "shares", "quotients")), "seats")
    rounds = len({str(_data(s)["stage"]) for s in seat_steps if s.get("kind") == "shares"}) or 1
    quota = shares = None
    extra: Counter[str] = Counter()
    last_quotient: dict[str, Fraction] = {}
    final: dict[str, int] = {}
    vacant = 0
    for s in seat_steps:
        kind, d = s.get("kind"), _data(s)
        if kind == "group-seats":
            final = dict(d["seats"])
        elif kind == "vacant":
            vacant = int(d["vacant"])
        elif d.get("stage") != first:
            continue
        elif kind == "quota":
            quota = Fraction(d["quota"])
        elif kind == "shares":
            shares = {r["group"]: r for r in d["groups"]}
        elif kind == "remainders":
            extra.update(d["awarded"])
        elif kind == "quotients":
            last_quotient.update({x["group"]: Fraction(x["quotient"]) for x in d["sequence"]})
        elif kind == "group-tie":  # the lot's winners take the places left at the cut
            if shares is not None:
                extra.update(d["winners"])
            else:
                last_quotient.update(dict.fromkeys(d["winners"], Fraction(d["value"])))
    elected = {d["group"]: tuple(d["elected"]) for s in steps if s.get("kind") == "members" for d in [_data(s)]}
    ids = [g for g in order if g in votes] if order is not None else sorted(votes, key=lambda g: (-votes[g], g))
    rows = []
    for g in ids:
        seats = int(final.get(g, 0))
        row = SeatRow(group=GroupId(g), votes=votes[g], share=Fraction(votes[g], total) if total else Fraction(0),
                      seats=seats, elected=elected.get(g, ()))
        if shares is not None and g in shares:
            integer = int(shares[g]["integer_seats"])
            row = replace(row, quotas=Fraction(shares[g]["share"]), integer_seats=integer,
                          remainder=Fraction(shares[g]["remainder"]), remainder_seats=extra[g],
                          reallocated=seats - integer - extra[g])
        elif g in last_quotient:
            row = replace(row, quotient=last_quotient[g])
        rows.append(row)
    seats_total = sum(final.values()) + vacant
    return SeatTable(method=method, seats=seats_total, total=total, quota=quota, rows=tuple(rows),
                     rounds=rounds, vacant=vacant)
