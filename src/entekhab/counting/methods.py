"""Counting methods by name (as written in a contest's ``method``), and one entry point."""

from __future__ import annotations

from collections.abc import Callable

from entekhab.counting.apportion import apportionment_method
from entekhab.counting.contest import GROUP_METHODS, METHOD_NAMES, ContestTotals, contest_from_json
from entekhab.counting.errors import UnknownMethod
from entekhab.counting.explain import apportionment_steps, group_seats_step, totals_step
from entekhab.counting.plurality import count_plurality
from entekhab.counting.result import CountResult, Step
from entekhab.counting.tehran_pr import count_tehran_pr
from entekhab.counting.ties import settle_group_tie


def count_group_votes(contest: ContestTotals) -> CountResult:
    """Seats per group from group votes only (comparison and what-if analysis)."""
    group_votes = dict(sorted(contest.group_votes().items()))
    app = apportionment_method(contest.method)(group_votes, contest.seats)
    steps: list[Step] = [totals_step(group_votes, sum(group_votes.values()), 0)]
    steps.extend(apportionment_steps(app, "seats"))
    seats, lot, tie_step = settle_group_tie(
        app, seed=contest.seed, context=f"{contest.method}/seats/tie", stage="seats"
    )
    if tie_step is not None:
        steps.append(tie_step)
    steps.append(group_seats_step(seats, "seats"))
    return CountResult(
        method=contest.method,
        elected=(),
        alternates=(),
        group_seats=seats,
        lots=(lot,) if lot is not None else (),
        steps=tuple(steps),
    )


METHODS: dict[str, Callable[[ContestTotals], CountResult]] = {
    "tehran-pr": count_tehran_pr,
    "plurality": count_plurality,
    **dict.fromkeys(GROUP_METHODS, count_group_votes),
}
if set(METHODS) != set(METHOD_NAMES):  # pragma: no cover - guards the two lists together
    raise RuntimeError("method registry and METHOD_NAMES disagree")


def count(contest: ContestTotals) -> CountResult:
    """Count a contest with its method."""
    try:
        method = METHODS[contest.method]
    except KeyError:
        raise UnknownMethod(
            "unknown method %(method)s", params={"method": repr(contest.method), "method2": contest.method}
        ) from None
    return method(contest)


def count_json(data: object) -> CountResult:
    """Validate parsed JSON (the ``entekhab count`` input) and count it."""
    return count(contest_from_json(data))
