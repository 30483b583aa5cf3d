"""A deterministic synthetic Tehran–Rey–Tajrish district, so the planner runs standalone.

≈ 4,950 branches and ≈ 7 M eligible voters (the 1398 branch count and the district's
electorate), split over Tehran's 22 municipal regions, Rey and Tajrish in proportion
to their populations. Branch sizes, village ballots on the fringe and a deliberately
thin device inventory are drawn from ``random.Random(seed)``, whose sequence is stable
across Python versions, so the same seed gives the same file everywhere.
"""

from __future__ import annotations

import math
import random

from entekhab.domain.ids import AreaCode, BranchCode
from entekhab.planning.branches import BranchLoad, BranchSet
from entekhab.planning.service import TEHRAN_CITY, VILLAGE

#: Approximate population (thousands) of each area: Tehran regions 1-22 (1395 census), then
#: the parts of Rey and Shemiranat (Tajrish) counties outside Tehran city.
AREAS: tuple[tuple[str, str, int], ...] = (
    *((f"tehran-{i:02d}", "tehran", p) for i, p in enumerate(
        (487, 692, 330, 917, 856, 251, 312, 425, 174, 327, 311, 241, 278, 505, 660, 283, 279,
         419, 263, 367, 187, 184), start=1)),
    ("rey", "rey", 330),
    ("tajrish", "shemiranat", 70),
)
#: Share of branches on the fringe that show a village ballot.
VILLAGE_SHARE = {"rey": 0.15, "tajrish": 0.2}


def _largest_remainder(total: int, weights: list[int]) -> list[int]:
    """Split an integer total in proportion to integer weights, exactly."""
    s = sum(weights)
    base = [total * w // s for w in weights]
    rest = total - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % s), i))
    for i in order[:rest]:
        base[i] += 1
    return base


def synthetic_district(seed: int = 1405, *, branches: int = 4950,
                       eligible: int = 7_000_000) -> BranchSet:
    """The synthetic district: same seed and sizes, same branches."""
    rng = random.Random(seed)
    counts = _largest_remainder(branches, [p for _, _, p in AREAS])
    # Areas too small to get a branch at this scale get no voters either.
    electorate = _largest_remainder(eligible, [p if n else 0
                                               for (_, _, p), n in zip(AREAS, counts,
                                                                       strict=True)])
    out: list[BranchLoad] = []
    for (region, county, _), n, voters in zip(AREAS, counts, electorate, strict=True):
        if n == 0:
            continue
        raw = [rng.lognormvariate(0.0, 0.35) for _ in range(n)]
        sizes = _largest_remainder(voters, [max(1, round(r * 1000)) for r in raw])
        prefix = region.upper().replace("TEHRAN-", "T")
        for i, size in enumerate(sizes, start=1):
            village = rng.random() < VILLAGE_SHARE.get(region, 0.0)
            # Inventory: one authentication device almost everywhere, e-boxes by size.
            auth = 2 if rng.random() < 0.1 else 1
            eboxes = max(1, min(4, math.floor(size / 700 + rng.random())))
            out.append(BranchLoad(
                code=BranchCode(f"{prefix}-{i:04d}"), region_code=AreaCode(region),
                county_code=AreaCode(county), district_code=AreaCode("tehran-rey-tajrish"),
                eligible_voters=size, ballot=VILLAGE if village else TEHRAN_CITY,
                auth_devices=auth, eboxes=eboxes))
    return BranchSet(AreaCode("tehran-rey-tajrish"), tuple(out))
