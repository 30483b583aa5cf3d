"""Ballot interpretation: every refusal, Persian digits, policies, and round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entekhab.counting.errors import InvalidBallot, InvalidManifest
from entekhab.counting.interpret import (
    BallotRejection,
    InterpretedBallot,
    Interpreter,
    RejectionReason,
    interpret,
    interpret_or_raise,
)
from entekhab.counting.manifest import (
    ContestManifest,
    ListMixPolicy,
    ManifestCandidate,
    ManifestList,
)

R = RejectionReason


def manifest(policy: ListMixPolicy = ListMixPolicy.FORBIDDEN, max_votes: int = 4) -> ContestManifest:
    cands = tuple(ManifestCandidate(f"c{i}", f"1{i}") for i in range(1, 8))  # type: ignore[arg-type]
    lists = (
        ManifestList("L1", "101", ("c1", "c2", "c3")),  # type: ignore[arg-type]
        ManifestList("L2", "102", ("c4", "c5")),  # type: ignore[arg-type]
    )
    return ContestManifest(cands, lists, seats=4, max_votes=max_votes, list_mix=policy)


M = manifest()
U = manifest(ListMixPolicy.UNION)


def reason(m: ContestManifest, codes: list[str]) -> RejectionReason:
    verdict = interpret(m, codes)
    assert isinstance(verdict, BallotRejection), verdict
    return verdict.reason


@pytest.mark.parametrize(
    ("codes", "expected", "culprit"),
    [
        ([], R.BLANK, ""),
        (["", "  "], R.BLANK, ""),
        (["1a"], R.MALFORMED_CODE, "1a"),
        (["11", "-3"], R.MALFORMED_CODE, "-3"),
        (["99"], R.UNKNOWN_CODE, "99"),
        (["11", "12", "404"], R.UNKNOWN_CODE, "404"),
        (["11", "11"], R.DUPLICATE_CODE, "11"),
        (["11", "۱۱"], R.DUPLICATE_CODE, "11"),
        (["11", "12", "13", "14", "15"], R.TOO_MANY, ""),
        (["101", "16"], R.LIST_MIXED, "101"),
        (["16", "101"], R.LIST_MIXED, "101"),
        (["101", "102"], R.MULTIPLE_LISTS, "102"),
    ],
)
def test_every_refusal_names_its_reason(codes: list[str], expected: RejectionReason,
                                        culprit: str) -> None:
    verdict = interpret(M, codes)
    assert isinstance(verdict, BallotRejection)
    assert verdict.reason is expected
    assert verdict.code == culprit
    assert verdict.message_en and verdict.message_fa
    assert verdict.is_blank is (expected is R.BLANK)


def test_too_many_reports_count_and_limit_in_both_languages() -> None:
    v = interpret(M, ["11", "12", "13", "14", "15"])
    assert isinstance(v, BallotRejection) and (v.count, v.limit) == (5, 4)
    assert "5" in v.message_en and "4" in v.message_en
    assert "۵" in v.message_fa and "۴" in v.message_fa


def test_non_text_code_is_malformed() -> None:
    assert reason(M, [11]) is R.MALFORMED_CODE  # type: ignore[list-item]


def test_list_code_gives_one_vote_to_every_member() -> None:
    assert interpret(M, ["101"]) == InterpretedBallot("L1", (), ("c1", "c2", "c3"))  # type: ignore[arg-type]


def test_persian_and_arabic_digits_and_spaces_are_accepted() -> None:
    assert interpret(M, ["۱۰۲"]) == interpret(M, ["102"])
    assert interpret(M, ["١١", " ۱۲ "]) == InterpretedBallot(None, ("c1", "c2"), ("c1", "c2"))  # type: ignore[arg-type]


def test_union_policy_adds_individuals_to_the_list_up_to_the_limit() -> None:
    assert interpret(U, ["102", "16"]) == InterpretedBallot("L2", ("c6",), ("c4", "c5", "c6"))  # type: ignore[arg-type]
    # a member typed again next to its list counts once
    assert interpret(U, ["101", "11"]) == InterpretedBallot("L1", (), ("c1", "c2", "c3"))  # type: ignore[arg-type]
    assert reason(U, ["101", "16", "17"]) is R.TOO_MANY
    assert reason(U, ["101", "102"]) is R.MULTIPLE_LISTS


def test_interpret_or_raise() -> None:
    assert interpret_or_raise(M, ["13"]).candidates == ("c3",)
    with pytest.raises(InvalidBallot) as info:
        interpret_or_raise(M, ["101", "16"])
    assert info.value.code == "list_mixed"


def test_manifest_refuses_what_would_make_ballots_ambiguous() -> None:
    c = ManifestCandidate
    with pytest.raises(InvalidManifest, match="code 11"):
        ContestManifest((c("a", "11"), c("b", "۱۱")))  # type: ignore[arg-type]
    with pytest.raises(InvalidManifest, match="two lists"):
        ContestManifest((c("a", "1"), c("b", "2")), (ManifestList("L1", "8", ("a",)),  # type: ignore[arg-type]
                                                    ManifestList("L2", "9", ("a", "b"))))  # type: ignore[arg-type]
    with pytest.raises(InvalidManifest, match="unknown candidate"):
        ContestManifest((c("a", "1"),), (ManifestList("L1", "8", ("z",)),))  # type: ignore[arg-type]
    with pytest.raises(InvalidManifest, match="digits"):
        c("a", "x1")  # type: ignore[arg-type]
    with pytest.raises(InvalidManifest, match="more than"):
        ContestManifest((c("a", "1"), c("b", "2")), (ManifestList("L1", "8", ("a", "b")),),  # type: ignore[arg-type]
                        seats=1)
    with pytest.raises(InvalidManifest, match="no members"):
        ManifestList("L1", "8", ())  # type: ignore[arg-type]
    with pytest.raises(InvalidManifest, match="reserved"):
        ManifestList("independents", "8", ("a",))  # type: ignore[arg-type]


PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@settings(max_examples=200, deadline=None)
@given(
    chosen=st.lists(st.integers(1, 7), min_size=1, max_size=4, unique=True),
    persian=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_individual_ballot_round_trips(chosen: list[int], persian: list[bool]) -> None:
    codes = [f"1{i}".translate(PERSIAN) if p else f"1{i}" for i, p in zip(chosen, persian,
                                                                         strict=False)]
    v = interpret(M, codes)
    assert isinstance(v, InterpretedBallot)
    assert v.list_id is None and v.candidates == tuple(f"c{i}" for i in chosen)


@settings(max_examples=300, deadline=None)
@given(
    codes=st.lists(
        st.sampled_from(["11", "12", "13", "14", "15", "16", "17", "101", "102", "۱۱", "١٠٢",
                         " 12", "", "99", "x", "0"]),
        max_size=7,
    ),
    union=st.booleans(),
)
def test_fast_path_agrees_with_the_careful_definition(codes: list[str], union: bool) -> None:
    interp = Interpreter(U if union else M)
    assert interp.classify(codes) == interp.classify_carefully(codes)
