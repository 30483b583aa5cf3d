"""A small synthetic polling day for the pure publication tests: manifests, reports, records."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from entekhab.device.synthetic import ContestSpec, synthetic_manifest
from entekhab.hq.results.simulate import branch_report, load_signed_manifest, random_records
from entekhab.publication.contests import ContestInfo, contests_of
from entekhab.publication.opendata import BranchData, ContestMeta
from entekhab.records.canonical import canonical_json, sha256_hex
from entekhab.records.election import ContestDefinition, ElectionDefinition
from entekhab.records.signing import SigningKey

HQ_KEY = SigningKey(bytes(range(32)))
ELECTION = {"code": "T1", "name_fa": "انتخابات آزمایشی", "name_en": "Test election", "polling_date": "2026-05-01"}
AREAS = [
    {"code": "P", "kind": "province", "name_fa": "استان", "name_en": "Province", "parent": None},
    {"code": "P-C", "kind": "city", "name_fa": "شهر", "name_en": "City", "parent": "P"},
    {"code": "P-C-R1", "kind": "region", "name_fa": "منطقه ۱", "name_en": "Region 1", "parent": "P-C"},
    {"code": "P-C-R2", "kind": "region", "name_fa": "منطقه ۲", "name_en": "Region 2", "parent": "P-C"},
    {"code": "P-V", "kind": "village", "name_fa": "روستا", "name_en": "Village", "parent": "P"},
]
CITY = [ContestSpec("council-city", "شورای شهر", "City council", 7, True),
        ContestSpec("experts", "خبرگان", "Experts", 1, False)]
VILLAGE = [ContestSpec("council-village", "شورای روستا", "Village council", 3, False),
           ContestSpec("experts", "خبرگان", "Experts", 1, False)]
CLOSED = dt.datetime(2026, 5, 1, 18, 0, tzinfo=dt.UTC)


def sign(document: dict[str, Any]) -> dict[str, Any]:
    data = canonical_json(document)
    return {"manifest": document, "sha256": sha256_hex(data), "signature": HQ_KEY.sign(data).hex(),
            "public_key": HQ_KEY.public_hex}


@dataclass
class Day:
    manifests: list[dict[str, Any]]
    infos: dict[str, ContestInfo]
    branches: list[BranchData]
    contests: list[ContestMeta]
    definition: ElectionDefinition

    def areas_of(self) -> dict[str, tuple[str, ...]]:
        parent = {a["code"]: a["parent"] for a in AREAS}
        out = {}
        for b in self.branches:
            chain, node = [], b.area
            while node:
                chain.append(node)
                node = parent[node]
            out[b.code] = tuple(chain)
        return out


def polling_day(seed: int, *, city_branches: int = 4, village_branches: int = 1, voters: int = 30) -> Day:
    """Branches in two regions and a village; every branch reports; records in the e-box's format."""
    rng = random.Random(seed)
    city_doc = synthetic_manifest(ELECTION["code"], "S-CITY", CITY)
    village_doc = synthetic_manifest(ELECTION["code"], "S-VILLAGE", VILLAGE)
    experts = next(c for c in city_doc["contests"] if c["code"] == "experts")  # one contest, one definition
    village_doc["contests"] = [experts if c["code"] == "experts" else c for c in village_doc["contests"]]
    city, village = sign(city_doc), sign(village_doc)
    infos = contests_of([city["manifest"], village["manifest"]])
    definition = ElectionDefinition.make(
        ELECTION["code"], [ContestDefinition("council-city", "proportional-list", 7, "P-C"),
                           ContestDefinition("council-village", "plurality", 3, "P-V"),
                           ContestDefinition("experts", "plurality", 1, "P")],
        [city["sha256"], village["sha256"]])
    branches = []
    plan = [("P-C-R1" if i % 2 == 0 else "P-C-R2", city) for i in range(city_branches)]
    plan += [("P-V", village)] * village_branches
    for n, (area, signed) in enumerate(plan, start=1):
        code = f"B{n:03d}"
        records = random_records(rng, signed["manifest"], rng.randint(0, voters), infos=infos,
                                 fingerprint=definition.fingerprint)
        rep = branch_report(election=ELECTION["code"], branch=code, manifest=load_signed_manifest(signed),
                            fingerprint=definition.fingerprint,
                            records=records, checkins=len(records) + 2, closed=CLOSED)
        branches.append(BranchData(code, area, rep.document, rep.records))
    contests = [ContestMeta("council-city", "P-C", city_branches),
                ContestMeta("council-village", "P-V", village_branches),
                ContestMeta("experts", "P", city_branches + village_branches)]
    return Day([city, village], infos, branches, contests, definition)
