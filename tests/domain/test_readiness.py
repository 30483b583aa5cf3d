from __future__ import annotations

from fractions import Fraction

import pytest

from entekhab.domain.readiness import (
    CHECKLIST,
    Body,
    InspectionInvalid,
    ItemRating,
    Rating,
    Readiness,
    check_ratings,
    compliance,
    deficiency_lists,
    readiness,
    responsible_body,
)


def all_compliant(venue: str = "school") -> list[ItemRating]:
    return [ItemRating(i.code, Rating.COMPLIANT, responsible_body(i.code, venue)) for i in CHECKLIST]


def with_(ratings, code, rating, note="fix it", **kw):
    return [ItemRating(code, rating, r.body, note, **kw) if r.code == code else r for r in ratings]


def test_readiness_follows_the_worst_rating():
    ok = all_compliant()
    assert readiness(ok) is Readiness.READY and compliance(ok) == 1
    temp = with_(ok, "access.ramp", Rating.TEMPORARY)
    assert readiness(temp) is Readiness.CONDITIONAL
    assert compliance(temp) == Fraction(len(CHECKLIST) - 1, len(CHECKLIST))
    assert readiness(with_(temp, "space.capacity", Rating.RELOCATE)) is Readiness.NOT_READY
    assert readiness(None) is Readiness.NOT_INSPECTED and readiness([]) is Readiness.NOT_INSPECTED


def test_the_venue_owner_is_responsible_for_building_items():
    assert responsible_body("toilets", "school") is Body.EDUCATION
    assert responsible_body("toilets", "mosque") is Body.ENDOWMENTS
    assert responsible_body("network.fibre", "school") is Body.TCI


def test_an_inspection_must_rate_every_item_once():
    ok = all_compliant()
    assert [r.code for r in check_ratings(reversed(ok))] == [i.code for i in CHECKLIST]
    with pytest.raises(InspectionInvalid, match="not rated"):
        check_ratings(ok[1:])
    with pytest.raises(InspectionInvalid, match="twice"):
        check_ratings([*ok, ok[0]])


def test_bad_items_are_refused():
    with pytest.raises(InspectionInvalid):
        ItemRating("roof", Rating.COMPLIANT, Body.EDUCATION)
    with pytest.raises(InspectionInvalid, match="note"):
        ItemRating("toilets", Rating.TEMPORARY, Body.EDUCATION, "  ")
    with pytest.raises(InspectionInvalid, match="cannot be compliant"):
        ItemRating("network.mobile", Rating.COMPLIANT, Body.MCI, signal_dbm=-113)
    with pytest.raises(InspectionInvalid, match="outside"):
        ItemRating("network.mobile", Rating.TEMPORARY, Body.MCI, "weak", signal_dbm=20)
    with pytest.raises(InspectionInvalid, match="measurement"):
        ItemRating("toilets", Rating.COMPLIANT, Body.EDUCATION, signal_dbm=-80)
    assert ItemRating("network.mobile", Rating.COMPLIANT, Body.MCI, signal_dbm=-100).signal_dbm == -100


def test_deficiency_lists_per_body():
    a = with_(all_compliant("school"), "toilets", Rating.TEMPORARY, "two broken toilets")
    a = with_(a, "network.mobile", Rating.TEMPORARY, "no 4G indoors", signal_dbm=-112)
    b = with_(all_compliant("mosque"), "access.ground_floor", Rating.RELOCATE, "hall upstairs")
    lists = deficiency_lists({"B2": b, "B1": a, "B3": all_compliant()})
    assert set(lists) == {Body.EDUCATION, Body.MCI, Body.ENDOWMENTS}
    assert [(d.branch, d.item) for d in lists[Body.EDUCATION]] == [("B1", "toilets")]
    assert lists[Body.MCI][0].signal_dbm == -112
    assert lists[Body.ENDOWMENTS][0].rating is Rating.RELOCATE


def test_stored_strings_become_enums_and_unknown_values_are_refused():
    r = ItemRating("toilets", "temporary", "education", "broken")
    assert r.rating is Rating.TEMPORARY and r.body is Body.EDUCATION
    with pytest.raises(InspectionInvalid):
        ItemRating("toilets", "fine", "education")
    with pytest.raises(InspectionInvalid):
        ItemRating("toilets", "compliant", "nasa")
