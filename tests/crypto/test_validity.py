"""Every decoded ballot is judged against the manifest; invalid ones are never counted as votes."""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entekhab.counting.interpret import InterpretedBallot
from entekhab.counting.tally import tally as counting_tally
from entekhab.crypto.demo_manifests import demo_layouts
from entekhab.crypto.encoding import EncodingError, dumps
from entekhab.crypto.group import Randomness
from entekhab.crypto.layout import UNDECODABLE, StyleLayout, honest_codes, honest_values
from entekhab.crypto.validity import (
    BLANK,
    InvalidReason,
    InvalidVote,
    ValidVote,
    check_ballot,
    decoded_document,
    decoded_form,
    merge,
    read_decoded_document,
    read_tally_document,
    tally,
    tally_decoded,
    tally_document,
)
from tests.crypto.strategies import PROPERTY

LAYOUTS = demo_layouts()
TEHRAN, SMALL = LAYOUTS["tehran"], LAYOUTS["small"]
EMPTY_COUNCIL = (0,) * 21


def honest(layout: StyleLayout, n: int, seed: bytes = b"test/validity") -> list[tuple[int, ...]]:
    rng = Randomness(seed)
    return [honest_values(layout, rng) for _ in range(n)]


# ---- the attacks of the audit are refused ------------------------------------------


def test_600_in_the_55_option_experts_slot_is_out_of_range_never_a_vote() -> None:
    verdicts = check_ballot(TEHRAN, (*EMPTY_COUNCIL, 600))
    assert verdicts[1] == InvalidVote(InvalidReason.OUT_OF_RANGE, slot=0)
    totals = tally(TEHRAN, [verdicts]).contest("experts")
    assert (totals.valid, totals.invalid) == (0, {"out_of_range": 1})
    assert sum(totals.candidate_votes.values()) == 0


def test_one_candidate_in_all_21_council_slots_is_a_duplicate() -> None:
    verdicts = check_ballot(TEHRAN, (5,) * 21 + (3,))
    assert verdicts[0] == InvalidVote(InvalidReason.DUPLICATE_CODE, code="1005")
    assert verdicts[1] == ValidVote(None, ("1003",))  # the other contest of the ballot still counts
    council = tally(TEHRAN, [verdicts]).contest("council")
    assert council.candidate_votes["1005"] == 0 and council.invalid == {"duplicate_code": 1}


def test_list_code_with_candidates_is_list_mixed_under_the_forbidden_policy() -> None:
    verdicts = check_ballot(TEHRAN, (5, 601, *([0] * 19), 0))
    assert verdicts[0] == InvalidVote(InvalidReason.LIST_MIXED, code="101")
    assert verdicts[1] is BLANK


def test_list_with_candidates_under_the_union_policy() -> None:
    board = SMALL.contest("b-board")
    lst = board.list_code_order[0]
    outsider = next(c for c in board.candidate_codes if c not in board.members[lst])
    member = board.members[lst][0]
    # The list has 2 members and the contest 2 votes: an outsider makes 3 candidate-votes.
    assert check_ballot(SMALL, SMALL.encode({"b-board": [outsider, lst]}))[1].reason is InvalidReason.TOO_MANY  # type: ignore[union-attr]
    # A typed member is already in the list's vote.
    assert check_ballot(SMALL, SMALL.encode({"b-board": [member, lst]}))[1] == ValidVote(lst, ())


def test_two_lists_are_multiple_lists() -> None:
    assert check_ballot(TEHRAN, (601, 602, *([0] * 19), 0))[0].reason is InvalidReason.MULTIPLE_LISTS  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("council", "slot"),
    [((7, 5, *([0] * 19)), 1), ((0, 5, *([0] * 19)), 1), ((5, 0, 7, *([0] * 18)), 1), ((*([0] * 20), 601), 20)],
)
def test_a_valid_vote_out_of_canonical_order_is_non_canonical(council: tuple[int, ...], slot: int) -> None:
    verdict = check_ballot(TEHRAN, (*council, 0))[0]
    assert verdict == InvalidVote(InvalidReason.NON_CANONICAL, slot=slot)


def test_undecodable_slot() -> None:
    assert check_ballot(TEHRAN, (1, UNDECODABLE, *([0] * 19), 1))[0] == InvalidVote(InvalidReason.UNDECODABLE, slot=1)


def test_wrong_width_is_a_malformed_record_not_a_vote() -> None:
    with pytest.raises(Exception, match="22 slots"):
        check_ballot(TEHRAN, (0,) * 4)


# ---- honest ballots ----------------------------------------------------------------


def _interpretation(layout: StyleLayout, codes: dict[str, list[str]]) -> dict[str, dict[str, object]]:
    """What counting says of typed codes, in the published form (ids mapped back to codes)."""
    out: dict[str, dict[str, object]] = {}
    for c in layout.contests:
        verdict = c.interpreter.interpret(codes[c.code])
        if not isinstance(verdict, InterpretedBallot):
            assert verdict.is_blank
            out[c.code] = {"blank": True}
            continue
        code_of = {m.id: m.code for m in c.manifest.candidates}
        list_code = {lst.id: lst.code for lst in c.manifest.lists}.get(verdict.list_id) if verdict.list_id else None
        out[c.code] = {"list": list_code, "candidates": sorted(code_of[i] for i in verdict.individual)}
    return out


@pytest.mark.parametrize("style", ["tehran", "small"])
def test_honest_ballots_are_valid_and_the_published_multiset_is_their_interpretation(style: str) -> None:
    layout = LAYOUTS[style]
    rng = Randomness(b"test/honest-multiset")
    typed = [honest_codes(layout, rng) for _ in range(300)]
    values = [layout.encode(t) for t in typed]
    verdicts = [check_ballot(layout, v) for v in values]
    assert not any(isinstance(v, InvalidVote) for vs in verdicts for v in vs)
    assert [decoded_form(layout, vs) for vs in verdicts] == [_interpretation(layout, t) for t in typed]
    doc = decoded_document(layout, values)
    for c in layout.contests:
        published = Counter({dumps(e["vote"]): e["count"] for e in doc["styles"][style]["contests"][c.code]})
        expected = Counter(dumps(_interpretation(layout, t)[c.code]) for t in typed)
        assert published == expected


def test_the_decoded_document_forgets_mix_order_and_slot_vectors() -> None:
    values = honest(TEHRAN, 200)
    doc = decoded_document(LAYOUTS.values(), {"tehran": values})
    assert dumps(doc) == dumps(decoded_document(LAYOUTS.values(), {"tehran": values[::-1]}))
    for contest in doc["styles"]["tehran"]["contests"].values():
        keys = [dumps(e["vote"]) for e in contest]
        assert keys == sorted(set(keys))
    assert doc["styles"]["spare"] == {"manifest": LAYOUTS["spare"].manifest_sha256, "ballots": 0,
                                      "contests": {"spare": []}}
    assert "ballots" not in json.dumps(doc["styles"]["tehran"]["contests"])


def test_tally_equals_a_direct_recount_by_counting() -> None:
    rng = Randomness(b"test/recount")
    typed = [honest_codes(TEHRAN, rng) for _ in range(400)]
    mine = tally(TEHRAN, [check_ballot(TEHRAN, TEHRAN.encode(t)) for t in typed])
    for c in TEHRAN.contests:
        direct = counting_tally(c.manifest, [t[c.code] for t in typed])
        got = mine.contest(c.code)
        assert (got.ballots, got.valid, got.blank, got.invalid) == (direct.ballots, direct.valid, direct.blank, {})
        code_of = {m.id: m.code for m in c.manifest.candidates}
        assert got.candidate_votes == {code_of[i]: n for i, n in direct.candidate_votes.items()}
        assert got.individual_votes == {code_of[i]: n for i, n in direct.individual_votes.items()}
        assert got.list_ballots == {lst.code: direct.list_ballots[lst.id] for lst in c.manifest.lists}


def test_tally_from_the_published_document_equals_tally_from_verdicts_and_round_trips() -> None:
    values = {"tehran": [*honest(TEHRAN, 150), (5,) * 21 + (600,)], "small": honest(SMALL, 80)}
    doc = json.loads(json.dumps(decoded_document(LAYOUTS.values(), values)))
    recomputed = tally_decoded(LAYOUTS.values(), doc)
    assert recomputed["tehran"] == tally(TEHRAN, [check_ballot(TEHRAN, v) for v in values["tehran"]])
    assert recomputed["tehran"].contest("experts").invalid == {"out_of_range": 1}
    published = json.loads(dumps(tally_document(recomputed.values())))
    assert read_tally_document(published, LAYOUTS.values()) == recomputed
    totals = recomputed["tehran"].contest("council").contest_totals(TEHRAN.contest("council"))
    council = recomputed["tehran"].contest("council")
    assert sum(c.votes for c in totals.candidates) == sum(council.candidate_votes.values())


def test_merge_adds_one_contest_over_styles() -> None:
    a = tally(TEHRAN, [check_ballot(TEHRAN, v) for v in honest(TEHRAN, 30, b"a")]).contest("experts")
    b = tally(TEHRAN, [check_ballot(TEHRAN, v) for v in honest(TEHRAN, 40, b"b")]).contest("experts")
    both = merge([a, b])
    assert both.ballots == 70 and both.candidate_votes["1001"] == a.candidate_votes["1001"] + b.candidate_votes["1001"]


# ---- the published files are read strictly ----------------------------------------


def _decoded() -> dict[str, object]:
    values = {"tehran": honest(TEHRAN, 60), "small": honest(SMALL, 20)}
    return json.loads(dumps(decoded_document(LAYOUTS.values(), values)))


def _first_valid(doc: dict, contest: str = "council") -> dict:  # type: ignore[type-arg]
    return next(e for e in doc["styles"]["tehran"]["contests"][contest] if "list" in e["vote"])


def _forge_experts_600(d: dict) -> None:  # type: ignore[type-arg]
    _first_valid(d, "experts")["vote"]["candidates"] = ["9999"]


def _forge_list_mixed(d: dict) -> None:  # type: ignore[type-arg]
    e = _first_valid(d)
    e["vote"]["list"], e["vote"]["candidates"] = "101", ["1001"]


def _forge_unsorted(d: dict) -> None:  # type: ignore[type-arg]
    contest = d["styles"]["tehran"]["contests"]["council"]
    contest[0], contest[1] = contest[1], contest[0]


def _forge_count(d: dict) -> None:  # type: ignore[type-arg]
    d["styles"]["tehran"]["contests"]["council"][0]["count"] += 1


def _forge_hash(d: dict) -> None:  # type: ignore[type-arg]
    d["styles"]["small"]["manifest"] = "0" * 64


def _forge_vector(d: dict) -> None:  # type: ignore[type-arg]
    d["styles"]["tehran"]["ballots_raw"] = [[1, 2, 3]]


def _forge_reason(d: dict) -> None:  # type: ignore[type-arg]
    d["styles"]["tehran"]["contests"]["experts"][0]["vote"] = {"invalid": "blank"}


def _forge_order_in_form(d: dict) -> None:  # type: ignore[type-arg]
    e = next(e for e in d["styles"]["tehran"]["contests"]["council"] if len(e["vote"].get("candidates", [])) > 1)
    e["vote"]["candidates"] = e["vote"]["candidates"][::-1]


def _forge_missing_style(d: dict) -> None:  # type: ignore[type-arg]
    del d["styles"]["spare"]


@pytest.mark.parametrize(
    ("forge", "match"),
    [
        (_forge_experts_600, "experts.*candidates"),
        (_forge_list_mixed, "council.*not the canonical form of a valid vote"),
        (_forge_unsorted, "council: entries not in canonical order"),
        (_forge_count, "council: 61 forms for 60 ballots"),
        (_forge_hash, "style small: manifest hash"),
        (_forge_vector, "style tehran has unknown keys ballots_raw"),
        (_forge_reason, r"experts\[0\]\.vote .blank. is not one of the allowed"),
        (_forge_order_in_form, "council.*not the canonical form"),
        (_forge_missing_style, "styles lacks spare"),
    ],
)
def test_read_decoded_document_refuses_forgeries(forge, match: str) -> None:  # type: ignore[no-untyped-def]
    doc = _decoded()
    read_decoded_document(copy.deepcopy(doc), LAYOUTS.values())
    forge(doc)
    with pytest.raises(EncodingError, match=match):
        read_decoded_document(doc, LAYOUTS.values())


def _tally_json() -> dict:  # type: ignore[type-arg]
    t = tally(TEHRAN, [check_ballot(TEHRAN, v) for v in honest(TEHRAN, 50)])
    return json.loads(dumps(tally_document([t])))


@pytest.mark.parametrize(
    ("path", "value", "match"),
    [
        (("votes", "1001"), 10**6, "totals do not add up"),
        (("individual", "1001"), True, r"individual\.1001 must be an integer"),
        (("invalid", "out_of_range"), 1, "totals do not add up"),
        (("invalid", "stuffed"), 1, "unknown keys stuffed"),
        (("lists", "999"), 0, "unknown keys 999"),
        (("valid",), None, "totals do not add up"),
    ],
)
def test_read_tally_document_refuses_totals_that_do_not_hold(path: tuple[str, ...], value: object, match: str) -> None:
    doc = _tally_json()
    node = doc["styles"]["tehran"]["contests"]["council"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = node[path[-1]] + 1 if value is None else value
    with pytest.raises(EncodingError, match=match):
        read_tally_document(doc, [TEHRAN])


# ---- property: nothing off the table is ever a vote --------------------------------


def _vectors(layout: StyleLayout) -> st.SearchStrategy[list[int]]:
    slot = st.one_of(st.integers(-1, 3), st.integers(-3, 1200), st.sampled_from([0, 0, 0, 1, 601, 630, 631]))
    return st.lists(slot, min_size=layout.width, max_size=layout.width)


@PROPERTY
@given(st.sampled_from(["tehran", "small"]).flatmap(lambda s: st.tuples(st.just(s), _vectors(LAYOUTS[s]))))
def test_check_ballot_never_raises_and_never_counts_off_table_values(case: tuple[str, list[int]]) -> None:
    style, values = case
    layout = LAYOUTS[style]
    verdicts = check_ballot(layout, values)
    for contest, run, verdict in zip(layout.contests, layout.split(values), verdicts, strict=True):
        if any(not 0 <= v <= contest.size for v in run):
            assert isinstance(verdict, InvalidVote)
            assert verdict.reason in (InvalidReason.UNDECODABLE, InvalidReason.OUT_OF_RANGE)
        if isinstance(verdict, ValidVote):
            filled = [v for v in run if v]
            assert list(run) == sorted(set(filled)) + [0] * (len(run) - len(filled))
    decoded_document(layout, [values])
