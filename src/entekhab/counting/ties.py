"""Tie-breaking rules, named and in one place.

Candidates (DOMAIN §3.1): more votes first; on equal votes, war veterans and devotees
(*isargaran*) first, then the higher academic degree, then a lot. Groups (equal remainders
or quotients): a lot. A lot is drawn only where the order decides something: a seat,
an alternate place, or the order of alternates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from entekhab.counting.apportion import Apportionment
from entekhab.counting.contest import CandidateTotal
from entekhab.counting.errors import InvalidCountInput
from entekhab.counting.explain import candidate_tie_step, group_tie_step
from entekhab.counting.lots import Lot, draw_lot
from entekhab.counting.result import Step
from entekhab.domain.ids import CandidateId, GroupId


def standing(c: CandidateTotal) -> tuple[int, int, int]:
    """Sort key of the candidate tie chain, without the lot (smaller is better)."""
    return (-c.votes, 0 if c.veteran else 1, -c.degree)


def require_seed(seed: str, context: str) -> None:
    """A lot without a published seed would not be reproducible by anyone else."""
    if not seed:
        raise InvalidCountInput(
            "a lot is needed (%(context)s) but no seed was given", params={"context": context},
        )


@dataclass(frozen=True)
class Ranking:
    """Candidates in tie-chain order, with the lots drawn and the tie steps to explain."""

    order: tuple[CandidateId, ...]
    lots: tuple[Lot, ...]
    steps: tuple[Step, ...]


def rank_candidates(
    candidates: Sequence[CandidateTotal],
    *,
    decided: int,
    ordered_until: int,
    seed: str,
    context: str,
    scope: str,
) -> Ranking:
    """Order candidates by the tie chain.

    The first ``decided`` positions form one block (e.g. the elected): order inside it
    confers nothing, so ties wholly inside it are listed by id and draw no lot.
    Positions ``decided`` … ``ordered_until - 1`` each matter (e.g. alternates). A tie
    that crosses position ``decided`` or touches that range is broken by the chain.
    """
    base = sorted(candidates, key=lambda c: (standing(c), c.id))
    order: list[CandidateId] = []
    lots: list[Lot] = []
    steps: list[Step] = []
    n = len(base)
    i = 0

    def matters(a: int, b: int) -> bool:
        return b - a > 1 and b > decided and a < max(ordered_until, decided)

    while i < n:
        j = i
        while j < n and base[j].votes == base[i].votes:
            j += 1
        cls = base[i:j]
        if not matters(i, j):
            order.extend(c.id for c in cls)
            i = j
            continue
        criteria: list[str] = []
        if len({c.veteran for c in cls}) > 1:
            criteria.append("veteran")
        by_veteran: dict[bool, set[int]] = {}
        for c in cls:
            by_veteran.setdefault(c.veteran, set()).add(c.degree)
        if any(len(d) > 1 for d in by_veteran.values()):
            criteria.append("degree")
        class_lots: list[Lot] = []
        a = i
        while a < j:
            b = a
            while b < j and standing(base[b]) == standing(base[a]):
                b += 1
            sub = base[a:b]
            if matters(a, b):
                tie_context = f"{context}/votes={base[a].votes}"
                require_seed(seed, tie_context)
                places = (decided - a) if a < decided < b else min(b, max(ordered_until,
                                                                       decided)) - a
                lot = draw_lot(seed, tie_context, [c.id for c in sub], places)
                class_lots.append(lot)
                order.extend(CandidateId(x) for x in lot.order)
            else:
                order.extend(c.id for c in sub)
            a = b
        if class_lots:
            criteria.append("lot")
        lots.extend(class_lots)
        steps.append(
            candidate_tie_step(scope, cls[0].votes, order[i:j], criteria, class_lots)
        )
        i = j
    return Ranking(tuple(order), tuple(lots), tuple(steps))


def settle_group_tie(
    app: Apportionment, *, seed: str, context: str, stage: str
) -> tuple[dict[GroupId, int], Lot | None, Step | None]:
    """Complete an apportionment, breaking its tie (if any) by a lot."""
    if app.tie is None:
        return app.complete(), None, None
    require_seed(seed, context)
    lot = draw_lot(seed, context, app.tie.contenders, app.tie.places)
    seats = app.complete([GroupId(w) for w in lot.winners])
    return seats, lot, group_tie_step(app.tie, lot, stage)
