"""Lots: the documented SHA-256 construction, reproducible by hand."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entekhab.counting.errors import CountingError
from entekhab.counting.lots import draw_lot, lot_digest


def test_digest_is_sha256_of_seed_context_contender_joined_by_newlines() -> None:
    seed, context = "بذر منتشرشده ۱۴۰۵", "tehran-pr/seats/round-1/remainder"
    expected = hashlib.sha256((seed + "\n" + context + "\n" + "L7").encode("utf-8")).hexdigest()
    assert lot_digest(seed, context, "L7") == expected


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs coreutils sha256sum")
def test_the_shell_recipe_in_the_docs_gives_the_same_digest() -> None:
    seed, context = "published seed text", "plurality/votes=80"
    out = subprocess.run(
        ["sh", "-c", 'printf "%s\\n%s\\n%s" "$0" "$1" "$2" | sha256sum', seed, context, "c3"],
        capture_output=True, text=True, check=True,
    ).stdout.split()[0]
    assert out == lot_digest(seed, context, "c3")


def test_winners_are_the_contenders_with_the_smallest_digests() -> None:
    lot = draw_lot("seed", "ctx", ["b", "a", "c", "d"], 2)
    by_digest = sorted("abcd", key=lambda c: lot_digest("seed", "ctx", c))
    assert lot.order == tuple(by_digest)
    assert lot.winners == tuple(by_digest[:2])
    assert lot.contenders == ("a", "b", "c", "d")
    assert lot.as_json()["digests"] == {c: lot_digest("seed", "ctx", c) for c in "abcd"}


def test_a_lot_needs_two_contenders_and_sensible_places() -> None:
    with pytest.raises(CountingError):
        draw_lot("s", "c", ["a"], 1)
    with pytest.raises(CountingError):
        draw_lot("s", "c", ["a", "b"], 0)
    with pytest.raises(CountingError):
        draw_lot("s", "c", ["a", "b"], 3)


@settings(max_examples=100, deadline=None)
@given(
    seed=st.text(max_size=20),
    context=st.text(max_size=20),
    contenders=st.lists(st.text(min_size=1, max_size=5), min_size=2, max_size=8, unique=True),
    data=st.data(),
)
def test_same_seed_same_lot_whatever_the_order(
    seed: str, context: str, contenders: list[str], data: st.DataObject
) -> None:
    places = data.draw(st.integers(1, len(contenders)))
    shuffled = data.draw(st.permutations(contenders))
    assert draw_lot(seed, context, contenders, places) == draw_lot(seed, context, shuffled, places)


def test_different_seeds_can_pick_different_winners() -> None:
    winners = {draw_lot(f"seed-{i}", "ctx", ["a", "b"], 1).winners for i in range(40)}
    assert winners == {("a",), ("b",)}
