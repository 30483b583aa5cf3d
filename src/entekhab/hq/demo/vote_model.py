"""How the demo's simulated voters choose in a proportional (Tehran) contest: a few big coalitions.

Before this model every list was equally popular, so each of 30 lists won about one seat,
purely by remainders. Tehran's council races have been won by one dominant list with a distant
second (1396: the winning list took all 21 seats, its first name with 1,746,568 votes; 1400:
the other camp took all 21), and under the 1405 proportional rules a realistic field is a few
large coalitions, many small lists and a thin independent bloc. docs/results.md, "Demo vote
model", gives the figures, their sources and which of them are assumptions.

Pure (no Django, no database). The shares are fixed by the contest (its lists' sizes and ids,
which the demo seed decides); each voter's choice comes from the caller's seeded ``rng``, so
the same ``--seed`` gives the same ballots and the same seats.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction

from entekhab.domain.ids import GroupId
from entekhab.publication.contests import ContestInfo

# Voters' preferred group. Coalitions are the lists with the most members (they field full
# slates); the rest of the list vote falls off as 1/rank over the small lists.
COALITION_SHARES = (Fraction(40, 100), Fraction(22, 100), Fraction(10, 100))
SMALL_LISTS_SHARE = Fraction(23, 100)
INDEPENDENTS_SHARE = Fraction(5, 100)
# How a voter with a preferred list votes: by the list's code, or by typing candidate codes.
LIST_CODE_SHARE = 0.6
KEEP_MEMBER = 0.85  # a candidate-code voter keeps each member of their list's slate with this chance
EXTRA_PICKS = (0, 0, 1, 1, 2, 3)  # … and adds this many names from elsewhere


@dataclass(frozen=True)
class VoteModel:
    """One proportional contest's preference shares and the codes each group's voters type."""

    groups: tuple[GroupId | None, ...]  # None: the independent bloc
    shares: tuple[Fraction, ...]
    list_codes: dict[GroupId, str]
    member_codes: dict[GroupId | None, tuple[str, ...]]
    max_votes: int
    cumulative: tuple[float, ...]  # running sums of ``shares``, for ``rng.choices``

    def share_of(self, group: GroupId | None) -> Fraction:
        return self.shares[self.groups.index(group)]

    def ballot(self, rng: random.Random) -> list[str]:
        """The codes of one non-blank ballot: a list code alone, or up to ``max_votes`` candidate codes."""
        group = rng.choices(self.groups, cum_weights=self.cumulative)[0]
        members = self.member_codes[group]
        if group is not None and rng.random() < LIST_CODE_SHARE:
            return [self.list_codes[group]]
        if group is None:  # an independent's voter names a few independents
            chosen = set(rng.sample(members, min(len(members), rng.randint(1, 4))))
        else:
            chosen = {c for c in members if rng.random() < KEEP_MEMBER} or {rng.choice(members)}
        for _ in range(rng.choice(EXTRA_PICKS)):
            other = self.member_codes[rng.choices(self.groups, cum_weights=self.cumulative)[0]]
            chosen.add(rng.choice(other))
        codes = sorted(chosen)
        if len(codes) > self.max_votes:
            codes = sorted(rng.sample(codes, self.max_votes))
        return codes


def proportional_model(info: ContestInfo) -> VoteModel:
    """The shares for a contest with lists: coalitions by list size, then small lists by 1/rank."""
    ranked = sorted(info.lists, key=lambda x: (-len(x.members), x.id))
    big, small = ranked[: len(COALITION_SHARES)], ranked[len(COALITION_SHARES):]
    shares: dict[GroupId | None, Fraction] = {x.id: s for x, s in zip(big, COALITION_SHARES, strict=False)}
    weights = [Fraction(1, k) for k in range(1, len(small) + 1)]
    for x, w in zip(small, weights, strict=True):
        shares[x.id] = SMALL_LISTS_SHARE * w / sum(weights)
    code_of = {c.id: c.code for c in info.candidates}
    members: dict[GroupId | None, tuple[str, ...]] = {x.id: tuple(code_of[m] for m in x.members) for x in ranked}
    independents = tuple(sorted(c.code for c in info.candidates if c.list_id is None))
    if independents:
        shares[None] = INDEPENDENTS_SHARE
        members[None] = independents
    groups = tuple(g for g in shares if shares[g] > 0 and members.get(g))
    total = sum(shares[g] for g in groups)
    normalised = tuple(shares[g] / total for g in groups)
    return VoteModel(
        groups=groups,
        shares=normalised,
        list_codes={x.id: x.code for x in ranked},
        member_codes=members,
        max_votes=info.max_votes,
        cumulative=tuple(itertools.accumulate(float(s) for s in normalised)),
    )
