"""A synthetic ballot manifest in HQ's format, for demos and tests before candidates are registered.

Deterministic from (election, style, contests, seed): the same inputs give the same
bytes, hash and (Ed25519 being deterministic) signature. Proportional contests get
lists of parties plus independents; plurality contests get individual candidates.
Codes: lists 3 digits from 101, candidates 4 digits from 1001, distinct per contest.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The names are data, kept beside the code: data/synthetic.json.
_DATA = json.loads((Path(__file__).parent / "data" / "synthetic.json").read_text(encoding="utf-8"))

FORMAT = "entekhab/ballot-manifest/1"

FRONTS = _DATA["FRONTS"]
GIVEN = _DATA["GIVEN"]
FAMILY = _DATA["FAMILY"]
GIVEN_EN = _DATA["GIVEN_EN"]
FAMILY_EN = _DATA["FAMILY_EN"]


@dataclass(frozen=True)
class ContestSpec:
    code: str
    name_fa: str
    name_en: str
    seats: int
    proportional: bool


def synthetic_manifest(election: str, style: str, contests: Sequence[ContestSpec], seed: int = 1405) -> dict[str, Any]:
    rng = random.Random(f"manifest:{seed}:{election}:{style}")
    out = []
    for spec in sorted(contests, key=lambda c: c.code):
        candidates: list[dict[str, Any]] = []
        lists: list[dict[str, Any]] = []
        next_code = 1001

        def person(list_id: str | None, spec: ContestSpec = spec, candidates: list[dict[str, Any]] = candidates
                   ) -> dict[str, Any]:
            nonlocal next_code
            g, f = rng.randrange(len(GIVEN)), rng.randrange(len(FAMILY))
            cand = {"id": f"{spec.code}-c{next_code}", "code": str(next_code),
                    "name_fa": f"{GIVEN[g]} {FAMILY[f]}", "name_en": f"{GIVEN_EN[g]} {FAMILY_EN[f]}",
                    "veteran": rng.random() < 0.1, "degree": rng.randint(1, 4), "photo_sha256": "",
                    "list": list_id}
            next_code += 1
            candidates.append(cand)
            return cand

        if spec.proportional:
            for i, (fa, en) in enumerate(FRONTS[: min(4, max(2, spec.seats // 5))]):
                list_id = f"{spec.code}-l{101 + i}"
                members = [person(list_id)["id"] for _ in range(spec.seats)]
                lists.append({"id": list_id, "code": str(101 + i), "title_fa": fa, "title_en": en,
                              "party": {"name_fa": fa, "name_en": en, "kind": "front", "licence": ""},
                              "members": members})
        for _ in range(max(spec.seats + 2, 4)):
            person(None)
        out.append({"code": spec.code, "office": "", "method": "proportional-list" if spec.proportional
                    else "plurality", "name_fa": spec.name_fa, "name_en": spec.name_en, "seats": spec.seats,
                    "alternates": 0, "max_votes": spec.seats, "list_mix": "forbidden",
                    "alternates_policy": "next-in-group",
                    "lists": sorted(lists, key=lambda x: x["code"]),
                    "candidates": sorted(candidates, key=lambda x: x["code"])})
    return {"format": FORMAT, "election": {"code": election, "name_fa": "", "name_en": "", "polling_date": ""},
            "ballot_style": style, "code_length": 4, "code_seed": str(seed), "contests": out}
