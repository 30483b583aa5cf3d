"""Many ballots → totals, fast: 1.5 M Tehran ballots in seconds on one core.

Each ballot is classified once through the compiled :class:`Interpreter`; list votes
are counted per list (one integer per list) and individual votes per candidate index
(batched into :class:`collections.Counter`, whose counting loop runs in C). List votes
are expanded to their members once at the end, not once per ballot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from entekhab.counting.contest import (
    AlternatesPolicy,
    CandidateTotal,
    ContestTotals,
    GroupTotal,
)
from entekhab.counting.interpret import BallotRejection, Interpreter, RejectionReason
from entekhab.counting.manifest import ContestManifest
from entekhab.domain.ids import CandidateId, GroupId

_BATCH = 1 << 18


@dataclass(frozen=True)
class Tally:
    """Totals of one contest over a set of ballots.

    ``ballots`` counts every ballot taken; blank and invalid ones give no votes.
    ``candidate_votes`` = individual votes + votes through the candidate's list.
    """

    ballots: int
    valid: int
    blank: int
    invalid: Mapping[RejectionReason, int]
    list_ballots: Mapping[GroupId, int]
    individual_votes: Mapping[CandidateId, int]
    candidate_votes: Mapping[CandidateId, int]

    @property
    def invalid_total(self) -> int:
        return sum(self.invalid.values())

    @property
    def valid_candidate_votes(self) -> int:
        return sum(self.candidate_votes.values())


def tally(
    manifest: ContestManifest,
    ballots: Iterable[Sequence[str]],
    *,
    interpreter: Interpreter | None = None,
) -> Tally:
    """Interpret and count every ballot of one contest."""
    interp = interpreter or Interpreter(manifest)
    classify = interp.classify
    n_lists = len(interp.list_ids)
    list_counts = [0] * n_lists
    individual: Counter[int] = Counter()
    rejected: Counter[RejectionReason] = Counter()
    batch: list[int] = []
    extend = batch.extend
    taken = 0
    for codes in ballots:
        taken += 1
        verdict = classify(codes)
        if verdict.__class__ is BallotRejection:
            rejected[verdict.reason] += 1  # type: ignore[union-attr]
            continue
        li, extra = verdict  # type: ignore[misc]
        if li >= 0:
            list_counts[li] += 1
        if extra:
            extend(extra)
            if len(batch) > _BATCH:
                individual.update(batch)
                batch.clear()
    individual.update(batch)

    totals = [individual.get(i, 0) for i in range(len(interp.candidate_ids))]
    for li, members in enumerate(interp.list_members):
        for m in members:
            totals[m] += list_counts[li]
    blank = rejected.pop(RejectionReason.BLANK, 0)
    return Tally(
        ballots=taken,
        valid=taken - blank - sum(rejected.values()),
        blank=blank,
        invalid=dict(sorted(rejected.items())),
        list_ballots=dict(zip(interp.list_ids, list_counts, strict=True)),
        individual_votes={
            cid: individual.get(i, 0) for i, cid in enumerate(interp.candidate_ids)
        },
        candidate_votes=dict(zip(interp.candidate_ids, totals, strict=True)),
    )


def contest_totals(
    manifest: ContestManifest,
    result: Tally,
    *,
    method: str = "tehran-pr",
    seed: str = "",
    alternates_policy: AlternatesPolicy = AlternatesPolicy.NEXT_IN_GROUP,
) -> ContestTotals:
    """The counting input for a tallied contest (lists become groups)."""
    return ContestTotals(
        method=method,
        seats=manifest.seats,
        alternates=manifest.alternates,
        alternates_policy=alternates_policy,
        seed=seed,
        groups=tuple(GroupTotal(lst.id, lst.members) for lst in manifest.lists),
        candidates=tuple(
            CandidateTotal(c.id, result.candidate_votes[c.id], c.veteran, c.degree)
            for c in manifest.candidates
        ),
    )
