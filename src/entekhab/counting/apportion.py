"""Seats among groups from group votes: largest remainder (Hare, Droop) and highest averages.

Exact arithmetic throughout (``int`` and ``Fraction``). A tie that decides a seat is not
broken here: it is returned as a :class:`GroupTie` value, so the caller breaks it by a
named rule (for Entekhab, a lot from :mod:`entekhab.counting.lots`) and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from functools import cached_property

from entekhab.counting.errors import InvalidCountInput, UnknownMethod
from entekhab.domain.digits import to_persian_digits
from entekhab.domain.ids import GroupId

MAX_SEATS = 10_000
"""Above any real assembly; bounds the seat-by-seat loops against absurd input."""


class QuotaRule(StrEnum):
    """Quota of a largest-remainder method."""

    HARE = "hare"  # votes / seats, exact
    DROOP = "droop"  # floor(votes / (seats + 1)) + 1, the integer Droop quota


def quota(rule: QuotaRule, total_votes: int, seats: int) -> Fraction:
    """The quota of ``rule`` for ``total_votes`` and ``seats`` (exact)."""
    if rule is QuotaRule.HARE:
        return Fraction(total_votes, seats)
    return Fraction(total_votes // (seats + 1) + 1)


def dhondt_divisor(seats_held: int) -> int:
    """D'Hondt divisors 1, 2, 3, …"""
    return seats_held + 1


def sainte_lague_divisor(seats_held: int) -> int:
    """Sainte-Laguë (Webster) divisors 1, 3, 5, …"""
    return 2 * seats_held + 1


@dataclass(frozen=True)
class GroupTie:
    """Groups tied on ``value`` for ``places`` seats: fewer seats than contenders."""

    contenders: tuple[GroupId, ...]
    places: int
    value: Fraction


@dataclass(frozen=True)
class Award:
    """One seat given after the integer parts (remainder) or by a quotient (divisor)."""

    group: GroupId
    value: Fraction


@dataclass(frozen=True)
class Apportionment:
    """The seats of each group, with every intermediate figure kept for the explanation.

    ``allocated`` holds the seats fixed without a lot; when ``tie`` is set, its places
    still have to be given to some of its contenders (see :meth:`complete`). For the
    largest-remainder methods each group's share is ``votes × scale[0] / scale[1]``
    (seats/total for Hare, 1/quota for Droop): integers until a fraction is shown.
    """

    method: str
    seats: int
    votes: Mapping[GroupId, int]
    quota: Fraction | None
    integer_seats: Mapping[GroupId, int]
    awards: tuple[Award, ...]
    allocated: Mapping[GroupId, int]
    tie: GroupTie | None
    scale: tuple[int, int] | None = field(default=None, repr=False)

    @cached_property
    def shares(self) -> dict[GroupId, Fraction]:
        """votes ÷ quota of each group (largest remainder only)."""
        if self.scale is None:
            return {}
        a, b = self.scale
        return {g: Fraction(v * a, b) if b else Fraction(0) for g, v in self.votes.items()}

    @cached_property
    def remainders(self) -> dict[GroupId, Fraction]:
        """Fractional part of each share (largest remainder only)."""
        return {g: share - self.integer_seats[g] for g, share in self.shares.items()}

    def complete(self, tie_winners: Sequence[GroupId] = ()) -> dict[GroupId, int]:
        """Final seats: ``allocated`` plus one seat to each winner of the tie."""
        seats = dict(self.allocated)
        if self.tie is None:
            if tie_winners:
                raise InvalidCountInput("no tie to break")
            return seats
        winners = set(tie_winners)
        if len(winners) != self.tie.places or not winners <= set(self.tie.contenders):
            raise InvalidCountInput(
                "the tie needs %(places)s winner(s) among %(contenders)s",
                params={
                    "places": self.tie.places,
                    "contenders": list(self.tie.contenders),
                    "places2": to_persian_digits(self.tie.places),
                },
            )
        for g in winners:
            seats[g] += 1
        return seats


def _check(votes: Mapping[GroupId, int], seats: int) -> None:
    if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        raise InvalidCountInput(
            "seats must be a whole number from 1 to %(max_seats)s, got %(seats)s",
            params={"max_seats": MAX_SEATS, "seats": repr(seats), "max_seats2": to_persian_digits(MAX_SEATS)},
        )
    if not votes:
        raise InvalidCountInput("no groups to apportion seats among")
    for g, v in votes.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise InvalidCountInput(
                "votes of group %(g)s must be a whole number of at least 0, got %(v)s", params={"g": g, "v": repr(v)},
            )


def largest_remainder(
    votes: Mapping[GroupId, int], seats: int, rule: QuotaRule = QuotaRule.HARE
) -> Apportionment:
    """Integer parts of votes/quota first, then one seat each by descending remainder.

    Shares are compared as integers (``votes × a mod b`` over a common ``b``), so the
    count stays exact and fast. If more seats remain than there are groups (only with
    tiny vote totals under the Droop quota), every group receives one more seat per
    pass until fewer remain.
    """
    _check(votes, seats)
    groups = sorted(votes)
    total = sum(votes.values())
    q = quota(rule, total, seats)
    # share = votes × a / b: Hare a = seats, b = total; Droop a = 1, b = quota (an int).
    a, b = (seats, total) if rule is QuotaRule.HARE else (1, int(q))
    integer: dict[GroupId, int] = {}
    rest: dict[GroupId, int] = {}
    for g in groups:
        whole, r = divmod(votes[g] * a, b) if b else (0, 0)
        integer[g] = whole
        rest[g] = r
    allocated = dict(integer)
    left = seats - sum(integer.values())
    awards: list[Award] = []
    tie: GroupTie | None = None
    ranking = sorted(groups, key=lambda g: (-rest[g], g))

    def value(g: GroupId) -> Fraction:
        return Fraction(rest[g], b) if b else Fraction(0)

    while left > 0:
        if left >= len(ranking):
            for g in ranking:
                allocated[g] += 1
                awards.append(Award(g, value(g)))
            left -= len(ranking)
            continue
        cut = rest[ranking[left - 1]]
        if rest[ranking[left]] == cut:
            above = [g for g in ranking if rest[g] > cut]
            tied = tuple(g for g in ranking if rest[g] == cut)
            for g in above:
                allocated[g] += 1
                awards.append(Award(g, value(g)))
            tie = GroupTie(tied, left - len(above), value(tied[0]))
        else:
            for g in ranking[:left]:
                allocated[g] += 1
                awards.append(Award(g, value(g)))
        left = 0
    return Apportionment(
        method=f"{rule.value}-lr",
        seats=seats,
        votes={g: votes[g] for g in groups},
        quota=q,
        integer_seats=integer,
        awards=tuple(awards),
        allocated=allocated,
        tie=tie,
        scale=(a, b),
    )


def highest_averages(
    votes: Mapping[GroupId, int], seats: int, divisor: Callable[[int], int], name: str
) -> Apportionment:
    """Each seat to the group with the highest votes / divisor(seats already held)."""
    _check(votes, seats)
    groups = sorted(votes)
    allocated = dict.fromkeys(groups, 0)
    awards: list[Award] = []
    tie: GroupTie | None = None
    left = seats
    while left > 0:
        quotients = {g: Fraction(votes[g], divisor(allocated[g])) for g in groups}
        best = max(quotients.values())
        top = tuple(g for g in groups if quotients[g] == best)
        if len(top) > left:
            tie = GroupTie(top, left, best)
            break
        for g in top:
            allocated[g] += 1
            awards.append(Award(g, best))
        left -= len(top)
    return Apportionment(
        method=name,
        seats=seats,
        votes={g: votes[g] for g in groups},
        quota=None,
        integer_seats={},
        awards=tuple(awards),
        allocated=allocated,
        tie=tie,
    )


def hare_lr(votes: Mapping[GroupId, int], seats: int) -> Apportionment:
    """Hamilton / largest remainder with the Hare quota."""
    return largest_remainder(votes, seats, QuotaRule.HARE)


def droop_lr(votes: Mapping[GroupId, int], seats: int) -> Apportionment:
    """Largest remainder with the integer Droop quota."""
    return largest_remainder(votes, seats, QuotaRule.DROOP)


def dhondt(votes: Mapping[GroupId, int], seats: int) -> Apportionment:
    """D'Hondt (Jefferson) highest averages."""
    return highest_averages(votes, seats, dhondt_divisor, "dhondt")


def sainte_lague(votes: Mapping[GroupId, int], seats: int) -> Apportionment:
    """Sainte-Laguë (Webster) highest averages."""
    return highest_averages(votes, seats, sainte_lague_divisor, "sainte-lague")


APPORTIONMENT_METHODS: dict[str, Callable[[Mapping[GroupId, int], int], Apportionment]] = {
    "hare-lr": hare_lr,
    "droop-lr": droop_lr,
    "dhondt": dhondt,
    "sainte-lague": sainte_lague,
}


def apportionment_method(name: str) -> Callable[[Mapping[GroupId, int], int], Apportionment]:
    """Look a group-vote method up by its name, or refuse naming the known ones."""
    try:
        return APPORTIONMENT_METHODS[name]
    except KeyError:
        known = ", ".join(APPORTIONMENT_METHODS)
        raise UnknownMethod(
            "unknown apportionment method %(name)s (known: %(known)s)",
            params={"name": repr(name), "known": known, "name2": name},
        ) from None
