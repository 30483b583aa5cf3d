"""The demo's Tehran council vote (issue 15, item 3): a few big coalitions, many small lists and a
thin independent bloc, so the count shows integer seats and remainders; same seed, same result."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.db import transaction

from entekhab.hq.demo.people import demo_user
from entekhab.hq.elections.models import Contest
from entekhab.hq.results.actions import do_compute_result, election_inputs
from entekhab.hq.results.polling_day import store_polling_day
from entekhab.hq.results.totals import absorb_new_reports

DEFAULT_SEED = 1405  # entekhab demo's default --seed


class Rollback(Exception):
    pass


def tehran_result(election, seed: int) -> dict:
    """The Tehran council's computed result after a synthetic polling day from ``seed`` (rolled back)."""
    out: dict = {}
    with pytest.raises(Rollback), transaction.atomic():
        store_polling_day(election, seed=seed)
        absorb_new_reports(election)
        contest = Contest.objects.get(election=election, code="council-tehran")
        version = do_compute_result(contest, acting_user=demo_user("demo"), inputs=election_inputs(election))
        out.update(version.document)
        raise Rollback
    return out


@pytest.mark.election_state("counting")
def test_the_default_seed_gives_coalitions_integer_seats_remainders_and_a_thin_bloc(election):
    doc = tehran_result(election, DEFAULT_SEED)
    result = doc["result"]
    first_round = next(s for s in result["steps"] if s["kind"] == "shares" and s["data"]["stage"] == "seats/round-1")
    integer = {g["group"]: g["integer_seats"] for g in first_round["data"]["groups"]}
    seats = result["group_seats"]
    assert sum(seats.values()) == 21
    assert max(integer.values()) >= 2, integer  # a coalition wins seats by whole quotas
    by_remainder = sum(seats.values()) - sum(integer.values())
    assert by_remainder >= 1
    votes = result["group_votes"]
    total = sum(votes.values())
    top3 = sorted((v for g, v in votes.items() if g != "independents"), reverse=True)[:3]
    assert Fraction(sum(top3), total) > Fraction(1, 2)  # skewed: the three coalitions hold most votes
    assert sum(1 for g, n in seats.items() if n) >= 4  # … and small lists still win seats
    assert Fraction(votes.get("independents", 0), total) < Fraction(5, 100)  # a thin independent bloc


@pytest.mark.election_state("counting")
def test_same_seed_same_result_and_another_seed_another_vote(election):
    a, b = tehran_result(election, DEFAULT_SEED), tehran_result(election, DEFAULT_SEED)
    assert a["totals"] == b["totals"] and a["result"]["group_seats"] == b["result"]["group_seats"]
    assert a["result"]["elected"] == b["result"]["elected"]
    assert tehran_result(election, 7)["totals"] != a["totals"]
