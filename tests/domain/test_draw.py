from __future__ import annotations

import hashlib
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entekhab.domain.draw import (
    DrawError,
    Entrant,
    Slot,
    draw_key,
    draw_order,
    run_draw,
    seed_commitment,
    with_reserve,
)


def test_draw_key_is_sha256_of_seed_stage_and_id_redone_by_hand():
    by_hand = hashlib.sha256(b"1405-07-12 lottery 4 19 27\ndevices/region\nSN-0001").hexdigest()
    assert draw_key("1405-07-12 lottery 4 19 27", "devices/region", "SN-0001") == by_hand


def test_order_is_the_ascending_hex_order_of_the_keys():
    ids = [f"SN-{i:04d}" for i in range(50)]
    order = draw_order("seed", "s", ids)
    keys = [draw_key("seed", "s", i) for i in order]
    assert keys == sorted(keys) and sorted(order) == sorted(ids)
    assert draw_order("seed", "s", list(reversed(ids))) == order
    assert draw_order("other seed", "s", ids) != order


def test_bad_seeds_and_duplicates_are_refused():
    for bad in ("", "   ", "x" * 201, "a\x00b"):
        with pytest.raises(DrawError):
            draw_order(bad, "s", ["a"])
    with pytest.raises(DrawError):
        draw_order("s", "s", ["a", "a"])
    with pytest.raises(DrawError):
        run_draw("s", "s", [], [Slot("x", "k", 1), Slot("x", "k", 1)])
    with pytest.raises(DrawError):
        Slot("x", "k", -1)
    assert len(seed_commitment(" abc ")) == 64 and seed_commitment("abc") == hashlib.sha256(b"abc").hexdigest()


def test_slots_filled_in_priority_order_reserves_left_and_shortfalls_named():
    entrants = [Entrant(f"p{i}", frozenset({"head"} if i < 3 else {"member"})) for i in range(10)]
    slots = [Slot("b2", "head", 1), Slot("b1", "head", 1, priority=-1), Slot("b3", "head", 2),
             Slot("b1m", "member", 3)]
    result = run_draw("seed", "staff/branch", entrants, slots)
    heads = [p for p in result.placements if p.kind == "head"]
    order = [e for e in draw_order("seed", "staff/branch", [e.id for e in entrants]) if e in {"p0", "p1", "p2"}]
    # b1 (critical, priority -1) gets the first head in the draw order, then b2, then b3.
    assert [(p.slot, p.entrant) for p in heads] == [("b1", order[0]), ("b2", order[1]), ("b3", order[2])]
    assert [(s.slot, s.missing) for s in result.shortfalls] == [("b3", 1)]
    assert len(result.reserves) == 4 and not set(result.reserves) & {p.entrant for p in result.placements}


def test_exclusions_are_respected_and_the_excluded_stay_available_elsewhere():
    entrants = [Entrant(f"p{i}", frozenset({"m"}), excluded=frozenset({"b1"})) for i in range(3)]
    entrants.append(Entrant("free", frozenset({"m"})))
    result = run_draw("seed", "x", entrants, [Slot("b1", "m", 1), Slot("b2", "m", 3)])
    assert result.by_slot()["b1"] == ["free"]
    assert sorted(result.by_slot()["b2"]) == ["p0", "p1", "p2"]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.text(alphabet="abcdef0123456789 -", min_size=1, max_size=20).filter(str.strip),
    n=st.integers(0, 40),
    seats=st.lists(st.integers(0, 5), min_size=1, max_size=8),
)
def test_rerun_from_the_published_seed_gives_the_same_result(seed, n, seats):
    entrants = [Entrant(f"e{i}", frozenset({"a"} if i % 3 else {"a", "b"}),
                        excluded=frozenset({"s0"}) if i % 5 == 0 else frozenset()) for i in range(n)]
    slots = [Slot(f"s{i}", "a" if i % 2 else "b", k, priority=i % 3) for i, k in enumerate(seats)]
    first = run_draw(seed, "stage", entrants, slots)
    again = run_draw(seed, "stage", list(reversed(entrants)), list(reversed(slots)))
    assert first == again and first.digest == again.digest
    placed = [p.entrant for p in first.placements]
    assert len(placed) == len(set(placed))  # nobody in two places
    assert sorted(placed + list(first.reserves)) == sorted(e.id for e in entrants)
    by_id = {e.id: e for e in entrants}
    for p in first.placements:
        assert p.kind in by_id[p.entrant].kinds and p.slot not in by_id[p.entrant].excluded
    wanted = sum(seats)
    assert len(placed) + sum(s.missing for s in first.shortfalls) == wanted


def test_reserve_rounds_up():
    assert with_reserve(20, Fraction(15, 100)) == 23
    assert with_reserve(100, Fraction(15, 100)) == 115
    assert with_reserve(0, Fraction(1, 2)) == 0
    with pytest.raises(DrawError):
        with_reserve(-1, Fraction(0))
