"""Hypothesis strategies for counting tests, in one place."""

from __future__ import annotations

from hypothesis import strategies as st

from entekhab.counting.contest import CandidateTotal, ContestTotals, GroupTotal
from entekhab.domain.ids import CandidateId, GroupId


@st.composite
def group_votes(draw: st.DrawFn, min_groups: int = 1, max_groups: int = 8) -> dict[GroupId, int]:
    n = draw(st.integers(min_groups, max_groups))
    votes = draw(st.lists(st.integers(0, 100_000), min_size=n, max_size=n))
    return {GroupId(f"G{i}"): v for i, v in enumerate(votes)}


@st.composite
def tehran_contests(draw: st.DrawFn, method: str = "tehran-pr") -> ContestTotals:
    """Small proportional contests: lists of 1-6 members, 0-4 independents."""
    n_lists = draw(st.integers(1, 5))
    sizes = draw(st.lists(st.integers(1, 6), min_size=n_lists, max_size=n_lists))
    n_free = draw(st.integers(0, 4))
    total = sum(sizes) + n_free
    votes = draw(st.lists(st.integers(0, 400), min_size=total, max_size=total))
    veterans = draw(st.lists(st.booleans(), min_size=total, max_size=total))
    degrees = draw(st.lists(st.integers(0, 3), min_size=total, max_size=total))
    candidates = tuple(
        CandidateTotal(CandidateId(f"c{i}"), votes[i], veterans[i], degrees[i])
        for i in range(total)
    )
    groups = []
    at = 0
    for li, size in enumerate(sizes):
        groups.append(
            GroupTotal(GroupId(f"L{li}"), tuple(CandidateId(f"c{i}") for i in range(at, at + size)))
        )
        at += size
    seats = draw(st.integers(1, 12))
    alternates = draw(st.integers(0, 5))
    seed = draw(st.text(min_size=1, max_size=12))
    policy = draw(st.sampled_from(["next-in-group", "overall-highest"]))
    return ContestTotals(
        method=method,
        seats=seats,
        alternates=alternates,
        groups=tuple(groups),
        candidates=candidates,
        seed=seed,
        alternates_policy=policy,  # type: ignore[arg-type]
    )
