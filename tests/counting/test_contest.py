"""The count input: every bad input is refused with a message naming the problem."""

from __future__ import annotations

import copy

import pytest

from entekhab.counting.contest import contest_from_json
from entekhab.counting.errors import InvalidCountInput, UnknownMethod

GOOD = {
    "contest": {"method": "tehran-pr", "seats": 3, "alternates": 1},
    "groups": [{"id": "L1", "members": ["c1", "c2"]}],
    "candidates": [{"id": "c1", "votes": 10, "veteran": False, "degree": 4},
                   {"id": "c2", "votes": 5}, {"id": "c3", "votes": 7}],
    "seed": "s",
}


def bad(path: str, value: object) -> dict:
    data = copy.deepcopy(GOOD)
    target = data
    keys = path.split(".")
    for k in keys[:-1]:
        target = target[int(k)] if k.isdigit() else target[k]  # type: ignore[index]
    last = keys[-1]
    if value is KeyError:
        del target[last]  # type: ignore[arg-type]
    else:
        target[int(last) if last.isdigit() else last] = value  # type: ignore[index]
    return data


def test_good_input_parses() -> None:
    c = contest_from_json(GOOD)
    assert c.independents() == ("c3",)
    assert c.group_votes() == {"L1": 15, "independents": 7}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (bad("contest.method", "stv"), "unknown method"),
        (bad("candidates.0.votes", -1), "votes of candidate c1"),
        (bad("candidates.0.votes", 1.5), "votes of candidate c1"),
        (bad("candidates.0.votes", True), "votes of candidate c1"),
        (bad("groups", [{"id": "L1", "members": ["c1"]}, {"id": "L2", "members": ["c1"]}]),
         "two groups"),
        (bad("groups.0.members", ["c1", "zz"]), "unknown member zz"),
        (bad("contest.seats", 0), "seats"),
        (bad("contest.seats", "5"), "seats"),
        (bad("contest.seats", 10**9), "seats must be a whole number from 1 to"),
        (bad("contest.alternates", -2), "alternates"),
        (bad("contest", KeyError), "missing 'contest'"),
        (bad("candidates.1.id", "c1"), "candidate c1 appears twice"),
        (bad("groups.0.id", "independents"), "reserved"),
        (bad("groups.0.votes", 99), "differ"),
        (bad("contest.seat", 3), "unknown key 'seat'"),
        (bad("candidates.0.degree", -1), "degree"),
        (bad("candidates.0.veteran", "yes"), "veteran"),
        (bad("contest.alternates_policy", "random"), "alternates policy"),
        ([], "JSON object"),
        (bad("groups", {}), "JSON array"),
    ],
)
def test_bad_input_is_refused_naming_the_problem(data: object, words: str) -> None:
    with pytest.raises((InvalidCountInput, UnknownMethod)) as info:
        contest_from_json(data)
    assert words in str(info.value)
    assert info.value.message_fa


def test_group_methods_need_group_votes() -> None:
    data = {"contest": {"method": "dhondt", "seats": 2}, "groups": [{"id": "A"}]}
    with pytest.raises(InvalidCountInput, match="group A has no votes"):
        contest_from_json(data)


def test_a_needed_lot_without_a_seed_is_refused() -> None:
    from entekhab.counting.methods import count_json

    data = {"contest": {"method": "dhondt", "seats": 1},
            "groups": [{"id": "A", "votes": 5}, {"id": "B", "votes": 5}]}
    with pytest.raises(InvalidCountInput, match="no seed"):
        count_json(data)
