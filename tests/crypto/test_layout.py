"""The slot layout comes from the signed ballot manifest, and only from it."""

from __future__ import annotations

import copy

import pytest

from entekhab.crypto.ballot import PlaintextBallot
from entekhab.crypto.demo_manifests import (
    demo_documents,
    demo_hq_key,
    demo_layouts,
    signed_demo_manifests,
)
from entekhab.crypto.group import Randomness
from entekhab.crypto.layout import LayoutError, StyleLayout, honest_values
from entekhab.records.canonical import canonical_json
from entekhab.records.errors import ManifestInvalid
from entekhab.records.manifest import parse_signed_manifest, validate_document


@pytest.fixture(scope="module")
def layouts() -> dict[str, StyleLayout]:
    return demo_layouts()


def test_demo_manifests_are_valid_records_documents() -> None:
    docs = demo_documents()
    assert set(docs) == {"tehran", "small", "spare"}
    for doc in docs.values():
        validate_document(doc)
    council = validate_document(docs["tehran"])["council"]
    assert (len(council.candidates), len(council.lists), council.max_votes) == (600, 30, 21)
    assert validate_document(docs["tehran"])["experts"].max_votes == 1


def test_demo_manifests_are_deterministic_and_seeded() -> None:
    assert canonical_json(demo_documents()["tehran"]) == canonical_json(demo_documents()["tehran"])
    assert signed_demo_manifests() == signed_demo_manifests()
    assert demo_documents(b"other seed")["tehran"] != demo_documents()["tehran"]


def test_tehran_layout_matches_the_demo_style(layouts: dict[str, StyleLayout]) -> None:
    tehran = layouts["tehran"]
    assert tehran.runs == (21, 1)
    assert tehran.style("tehran").options == (630,) * 21 + (55,)  # what the demo's TEHRAN style hard-coded
    council = tehran.contest("council")
    assert council.options[0] == "1001" and council.options[599] == "1600"  # candidates first, manifest order
    assert council.options[600] == "101" and council.options[629] == "130"  # then lists
    assert council.index_of["101"] == 601


def test_small_and_unused_styles(layouts: dict[str, StyleLayout]) -> None:
    assert layouts["small"].runs == (1, 2, 1)
    assert layouts["small"].options == (3, 5, 5, 2)
    assert layouts["spare"].style().options == (2,)


def test_layout_from_document_equals_layout_from_verified_manifest(layouts: dict[str, StyleLayout]) -> None:
    doc = demo_documents()["tehran"]
    assert StyleLayout.from_manifest(doc) == layouts["tehran"]
    assert StyleLayout.from_manifest(doc).manifest_sha256 == layouts["tehran"].manifest_sha256


def test_unverified_envelope_is_refused() -> None:
    with pytest.raises(LayoutError, match="verified manifest"):
        StyleLayout.from_manifest(signed_demo_manifests()["small"])


def test_tampered_manifest_gives_no_layout() -> None:
    signed = copy.deepcopy(signed_demo_manifests()["small"])
    signed["manifest"]["contests"][0]["max_votes"] = 3
    with pytest.raises(ManifestInvalid):
        parse_signed_manifest(signed, demo_hq_key().public_key)


def test_invalid_document_is_refused_naming_the_field() -> None:
    doc = copy.deepcopy(demo_documents()["small"])
    del doc["contests"][1]["max_votes"]
    with pytest.raises(LayoutError, match=r"contests\[1\]\.max_votes"):
        StyleLayout.from_manifest(doc)


def test_wrong_style_id_is_refused(layouts: dict[str, StyleLayout]) -> None:
    with pytest.raises(LayoutError, match="not small"):
        layouts["tehran"].style("small")


def test_encode_is_canonical_and_codes_invert_it(layouts: dict[str, StyleLayout]) -> None:
    tehran = layouts["tehran"]
    values = tehran.encode({"council": ["1500", "1002", "1300"], "experts": ["1055"]})
    assert values == (2, 300, 500, *([0] * 18), 55)
    assert tehran.codes(values) == {"council": ["1002", "1300", "1500"], "experts": ["1055"]}
    assert tehran.encode({"council": ["۱۰۱"]}) == (601, *([0] * 20), 0)  # Persian digits, missing contest = blank
    assert tehran.encode([["1001"], []]) == (1, *([0] * 20), 0)


@pytest.mark.parametrize(
    ("codes", "match"),
    [
        ({"council": ["9999"]}, "no code 9999"),
        ({"council": ["1001", "1001"]}, "entered twice"),
        ({"council": [str(1001 + i) for i in range(22)]}, "21 slots, got 22"),
        ({"mayor": ["1001"]}, "no contest mayor"),
        ({"council": "1001"}, "must be a list"),
    ],
)
def test_encode_refuses(layouts: dict[str, StyleLayout], codes: dict[str, object], match: str) -> None:
    with pytest.raises(LayoutError, match=match):
        layouts["tehran"].encode(codes)  # type: ignore[arg-type]


def test_codes_refuses_an_index_off_the_table(layouts: dict[str, StyleLayout]) -> None:
    with pytest.raises(LayoutError, match=r"contest experts slot 0: index 600 outside 0\.\.55"):
        layouts["tehran"].codes((0,) * 21 + (600,))
    with pytest.raises(LayoutError, match="22 slots"):
        layouts["tehran"].codes((0,) * 3)


def test_honest_values_are_canonical_and_fit_the_style(layouts: dict[str, StyleLayout]) -> None:
    rng = Randomness(b"test/honest")
    for layout in layouts.values():
        style = layout.style()
        for _ in range(100):
            values = honest_values(layout, rng)
            PlaintextBallot(style, values)
            for run in layout.split(values):
                filled = [v for v in run if v]
                assert list(run) == sorted(filled) + [0] * (len(run) - len(filled))
                assert len(set(filled)) == len(filled)
