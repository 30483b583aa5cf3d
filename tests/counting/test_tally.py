"""Tally: many ballots give the same totals as interpreting them one by one."""

from __future__ import annotations

import random
from collections import Counter

from entekhab.counting.interpret import BallotRejection, Interpreter, RejectionReason
from entekhab.counting.manifest import ContestManifest, ListMixPolicy, ManifestCandidate, ManifestList
from entekhab.counting.methods import count
from entekhab.counting.tally import contest_totals, tally


def make_manifest(policy: ListMixPolicy) -> ContestManifest:
    cands = tuple(
        ManifestCandidate(f"c{i}", str(1000 + i), veteran=i % 7 == 0, degree=i % 4)  # type: ignore[arg-type]
        for i in range(40)
    )
    lists = tuple(
        ManifestList(f"L{k}", str(100 + k), tuple(f"c{i}" for i in range(k * 6, k * 6 + 6)))  # type: ignore[arg-type]
        for k in range(5)
    )
    return ContestManifest(cands, lists, seats=7, alternates=3, list_mix=policy)


def random_ballots(m: ContestManifest, n: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    cand_codes = [c.code for c in m.candidates]
    list_codes = [lst.code for lst in m.lists]
    out: list[list[str]] = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.3:
            out.append([rng.choice(list_codes)])
        elif kind < 0.8:
            out.append(rng.sample(cand_codes, rng.randint(1, 7)))
        elif kind < 0.85:
            out.append([])
        else:
            extra = rng.choice([*list_codes, "9", "x"])
            ballot = [*rng.sample(cand_codes, rng.randint(0, 8)), extra]
            if rng.random() < 0.3:
                ballot.append(ballot[0])
            rng.shuffle(ballot)
            out.append(ballot)
    return out


def expected_totals(m: ContestManifest, ballots: list[list[str]]):
    interp = Interpreter(m)
    votes: Counter[str] = Counter()
    reasons: Counter[RejectionReason] = Counter()
    for b in ballots:
        v = interp.interpret(b)
        if isinstance(v, BallotRejection):
            reasons[v.reason] += 1
        else:
            votes.update(v.candidates)
    return votes, reasons


def test_tally_matches_one_by_one_interpretation() -> None:
    for policy in ListMixPolicy:
        m = make_manifest(policy)
        ballots = random_ballots(m, 5_000, seed=7)
        t = tally(m, ballots)
        votes, reasons = expected_totals(m, ballots)
        assert t.ballots == 5_000
        assert t.blank == reasons.pop(RejectionReason.BLANK, 0)
        assert dict(t.invalid) == dict(reasons)
        assert t.valid + t.blank + t.invalid_total == t.ballots
        assert {k: v for k, v in t.candidate_votes.items() if v} == dict(votes)
        assert sum(t.list_ballots.values()) + sum(t.individual_votes.values()) > 0


def test_tally_feeds_the_tehran_count() -> None:
    m = make_manifest(ListMixPolicy.FORBIDDEN)
    t = tally(m, random_ballots(m, 3_000, seed=11))
    c = contest_totals(m, t, seed="s")
    r = count(c)
    assert len(r.elected) == 7 and len(r.alternates) == 3
    assert c.group_votes()["independents"] == sum(
        t.candidate_votes[f"c{i}"] for i in range(30, 40)
    )
