"""Seeded demo ballot manifests in HQ's signed format, so the crypto demo reads real manifests.

Why: the slot layout is derived from the signed manifest (:mod:`entekhab.crypto.layout`),
so the demo needs manifests that :func:`entekhab.records.manifest.validate_document`
accepts, not hand-kept option counts. Three styles:

* ``tehran``: the city council (600 candidates, 30 lists, 21 votes, a list code alone)
  and the Assembly of Experts (55 candidates, 1 vote): 21 slots of 630 and 1 slot of 55;
* ``small``: three little contests, one of them with the ``union`` list policy;
* ``spare``: a style printed but given to no voter (an unused style is legal: its
  decoded multisets are empty and its tally is all zeros).

Same seed, same bytes, same hash and (Ed25519 being deterministic) same signature.
Persian names come from ``data/demo_manifests.json`` (no Persian in Python).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entekhab.crypto.group import Randomness
from entekhab.crypto.layout import StyleLayout
from entekhab.domain.digits import to_persian_digits
from entekhab.records.manifest import FORMAT, parse_signed_manifest, sign_manifest
from entekhab.records.signing import SigningKey

_DATA = json.loads((Path(__file__).parent / "data" / "demo_manifests.json").read_text(encoding="utf-8"))
DEMO_SEED = b"entekhab/demo-manifest/1405"
DEMO_ELECTION = "tehran-1405-demo"


@dataclass(frozen=True)
class DemoContest:
    """What a demo contest looks like: how many candidates, and the sizes of its lists."""

    code: str
    name_en: str
    candidates: int
    list_sizes: tuple[int, ...] = ()
    max_votes: int = 1
    method: str = "plurality"
    list_mix: str = "forbidden"


def _fa(key: str, n: int) -> str:
    return str(_DATA[key]).replace("%(n)s", to_persian_digits(n))


def contest_document(spec: DemoContest, rng: Randomness) -> dict[str, Any]:
    """One contest in the manifest's shape: candidates coded from 1001, lists from 101, sorted by code."""
    codes = [str(1001 + i) for i in range(spec.candidates)]
    ids = [f"{spec.code}-c{c}" for c in codes]
    order = list(range(spec.candidates))
    for i in range(len(order) - 1, 0, -1):  # seeded Fisher-Yates: who is on which list
        j = rng.below(i + 1)
        order[i], order[j] = order[j], order[i]
    on_list: dict[int, str] = {}
    lists, at = [], 0
    for li, size in enumerate(spec.list_sizes):
        list_id = f"{spec.code}-l{101 + li}"
        members = sorted(order[at : at + size])
        at += size
        for m in members:
            on_list[m] = list_id
        lists.append({
            "id": list_id, "code": str(101 + li), "title_fa": _fa("list_fa", li + 1), "title_en": f"List {li + 1}",
            "party": {"name_fa": _fa("party_fa", li + 1), "name_en": f"Party {li + 1}", "kind": "front",
                      "licence": ""},
            "members": [ids[m] for m in members],
        })
    candidates = [
        {"id": ids[i], "code": codes[i], "name_fa": _fa("candidate_fa", i + 1), "name_en": f"Candidate {i + 1}",
         "veteran": rng.below(10) == 0, "degree": 1 + rng.below(4), "photo_sha256": "", "list": on_list.get(i)}
        for i in range(spec.candidates)
    ]
    return {
        "code": spec.code, "office": "", "method": spec.method, "name_fa": _DATA["contests_fa"][spec.code],
        "name_en": spec.name_en, "seats": spec.max_votes, "alternates": 0, "max_votes": spec.max_votes,
        "list_mix": spec.list_mix, "alternates_policy": "next-in-group", "lists": lists, "candidates": candidates,
    }


def manifest_document(style: str, contests: tuple[DemoContest, ...], seed: bytes = DEMO_SEED,
                      election: str = DEMO_ELECTION) -> dict[str, Any]:
    """A whole ballot manifest document (unsigned), contests sorted by code."""
    rng = Randomness(seed + b"/" + style.encode())
    return {
        "format": FORMAT,
        "election": {"code": election, "name_fa": _DATA["election_fa"], "name_en": "Demo election",
                     "polling_date": "1405-03-08"},
        "ballot_style": style, "code_length": 4, "code_seed": seed.hex()[:16],
        "contests": [contest_document(c, rng.spawn(c.code.encode())) for c in sorted(contests, key=lambda c: c.code)],
    }


def _council_list_sizes(rng: Randomness, lists: int = 30, candidates: int = 600, most: int = 21) -> tuple[int, ...]:
    """Seeded list sizes 8..``most`` whose sum leaves some independents."""
    sizes = [8 + rng.below(most - 7) for _ in range(lists)]
    while sum(sizes) > candidates - 30:
        k = max(range(lists), key=lambda i: sizes[i])
        sizes[k] -= 1
    return tuple(sizes)


def tehran_contests(seed: bytes = DEMO_SEED) -> tuple[DemoContest, ...]:
    sizes = _council_list_sizes(Randomness(seed + b"/council-lists"))
    return (
        DemoContest("council", "Tehran city council", 600, sizes, max_votes=21, method="proportional-list"),
        DemoContest("experts", "Assembly of Experts", 55),
    )


SMALL_CONTESTS = (
    DemoContest("a-mayor", "Mayor", 3),
    DemoContest("b-board", "Board", 4, (2,), max_votes=2, method="proportional-list", list_mix="union"),
    DemoContest("c-question", "Question", 2),
)
SPARE_CONTESTS = (DemoContest("spare", "Unused contest", 2),)


def demo_documents(seed: bytes = DEMO_SEED, election: str = DEMO_ELECTION) -> dict[str, dict[str, Any]]:
    """Style id → manifest document: ``tehran``, ``small`` and the unused ``spare``."""
    return {
        "tehran": manifest_document("tehran", tehran_contests(seed), seed, election),
        "small": manifest_document("small", SMALL_CONTESTS, seed, election),
        "spare": manifest_document("spare", SPARE_CONTESTS, seed, election),
    }


def demo_hq_key(seed: bytes = DEMO_SEED) -> SigningKey:
    """HQ's manifest-signing key of the demo (seeded; a real HQ key never is)."""
    return SigningKey.from_seed(hashlib.sha256(b"entekhab/demo-hq-key\x00" + seed).digest())


def signed_demo_manifests(seed: bytes = DEMO_SEED, election: str = DEMO_ELECTION) -> dict[str, dict[str, Any]]:
    """Style id → the signed envelope a device loads."""
    key = demo_hq_key(seed)
    return {style: sign_manifest(doc, key) for style, doc in demo_documents(seed, election).items()}


def demo_layouts(seed: bytes = DEMO_SEED, election: str = DEMO_ELECTION) -> dict[str, StyleLayout]:
    """Style id → layout, read the way a verifier reads it: signature checked, then derived."""
    key = demo_hq_key(seed)
    return {
        style: StyleLayout.from_manifest(parse_signed_manifest(signed, key.public_key))
        for style, signed in signed_demo_manifests(seed, election).items()
    }
