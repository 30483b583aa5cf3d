"""The demo election as plain data, from a seed: same seed, same election, byte for byte.

Pure (no database): ``build_demo(scale, seed)`` returns areas, contests and
branches; ``load.py`` writes them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from enum import StrEnum

from entekhab.domain.council_size import DEFAULT_COUNCIL_SIZES, CouncilSize, Settlement, council_size
from entekhab.domain.digits import to_persian_digits
from entekhab.hq.demo.content import demo_content
from entekhab.hq.demo.tehran import (
    COUNTIES,
    DISTRICT_MEMBERS,
    TEHRAN_CENTRE,
    TEHRAN_REGIONS,
    VENUE_WEIGHTS,
    VILLAGE_NAMES,
)
from entekhab.i18n import N_, Catalogued, both

ELIGIBLE_SHARE = 0.745  # adults of voting age among residents, so that the province has ≈ 9.8 M
PROVINCE = "P23"
DISTRICT = f"{PROVINCE}-D01"
ELECTION_CODE = "1405"
POLLING_DAY = dt.date(2026, 5, 1)  # 11 Ordibehesht 1405


class Scale(StrEnum):
    SMALL = "small"
    TEHRAN = "tehran"


# Branch targets: (district branches, branches elsewhere in the province, villages per county).
SCALE_TARGETS = {Scale.SMALL: (60, 24, 1), Scale.TEHRAN: (4_950, 1_750, 16)}
SMALL_COUNTIES = {"C01", "C02", "C03", "C04", "C14"}


@dataclass(frozen=True)
class AreaSpec:
    code: str
    kind: str
    name_fa: str
    name_en: str
    parent: str | None
    population: int = 0
    is_capital: bool = False
    constituents: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContestSpec:
    code: str
    office: str
    method: str
    area: str
    name_fa: str
    name_en: str
    seats: int
    alternates: int
    is_by_election: bool = False


@dataclass(frozen=True)
class BranchSpec:
    number: int
    code: str
    area: str
    venue_type: str
    venue_name: str
    address: str
    latitude: float
    longitude: float
    is_mobile: bool
    is_urban: bool
    eligible_estimate: int


@dataclass
class DemoElection:
    scale: Scale
    seed: int
    areas: list[AreaSpec] = field(default_factory=list)
    contests: list[ContestSpec] = field(default_factory=list)
    branches: list[BranchSpec] = field(default_factory=list)

    @property
    def eligible(self) -> int:
        return sum(b.eligible_estimate for b in self.branches)


def _largest_remainder(weights: list[int], total: int, minimum: int = 1) -> list[int]:
    """Split ``total`` items in proportion to ``weights``, each part at least ``minimum``."""
    base = [minimum] * len(weights)
    rest = total - minimum * len(weights)
    if rest < 0:
        raise ValueError("too few items for the minimum per part")
    wsum = sum(weights)
    quotas = [w * rest / wsum for w in weights]
    parts = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [b + p for b, p in zip(base, parts, strict=True)]


def _eligible(population: int) -> int:
    return round(population * ELIGIBLE_SHARE)


def build_demo(scale: Scale | str, seed: int, table: tuple[CouncilSize, ...] = DEFAULT_COUNCIL_SIZES) -> DemoElection:
    scale = Scale(scale)
    rng = random.Random(f"entekhab-demo:{scale}:{seed}")
    demo = DemoElection(scale, seed)
    n_district, n_rest, villages_per_county = SCALE_TARGETS[scale]
    counties = [c for c in COUNTIES if scale is Scale.TEHRAN or c[0] in SMALL_COUNTIES]

    demo.areas.append(AreaSpec(PROVINCE, "province", *both("Tehran Province"), None, 13_267_637))
    district_units: list[tuple[str, int, bool]] = []  # (area code, eligible, urban)
    other_units: list[tuple[str, int, bool]] = []
    district_members = {f"{PROVINCE}-{cc}-{tc}" for cc, tc in DISTRICT_MEMBERS}

    for ccode, cfa, cen, cities in counties:
        county = f"{PROVINCE}-{ccode}"
        demo.areas.append(
            AreaSpec(county, "county", *both("%(cen)s County", cen=cen, cfa=cfa), PROVINCE, sum(c[3] for c in cities))
        )
        for tcode, tfa, ten, pop in cities:
            city = f"{county}-{tcode}"
            capital = ccode == "C01" and tcode == "T01"
            demo.areas.append(AreaSpec(city, "city", tfa, ten, county, pop, is_capital=capital))
            if capital:
                for r, rpop in enumerate(TEHRAN_REGIONS, start=1):
                    region = f"{city}-R{r:02d}"
                    name_fa = demo_content("areas")["tehran_region"].format(number=to_persian_digits(r))
                    demo.areas.append(AreaSpec(region, "region", name_fa, f"Tehran Region {r}", city, rpop))
                    district_units.append((region, _eligible(rpop), True))
            elif city in district_members:
                district_units.append((city, _eligible(pop), True))
            else:
                other_units.append((city, _eligible(pop), True))
                size = council_size(Settlement.CITY, pop, table)
                demo.contests.append(
                    ContestSpec(
                        f"council-{city.lower()}",
                        "city_council",
                        "plurality",
                        city,
                        *both("%(ten)s City Council", ten=ten, tfa=tfa),
                        size.seats,
                        size.alternates,
                    )
                )
        if ccode == "C01":
            continue  # Tehran county's villages are outside the demo
        used: dict[str, int] = {}
        for v in range(1, villages_per_county + 1):
            vfa, ven = VILLAGE_NAMES[rng.randrange(len(VILLAGE_NAMES))]
            used[ven] = used.get(ven, 0) + 1
            suffix_fa = f" {to_persian_digits(used[ven])}" if used[ven] > 1 else ""
            suffix_en = f" {used[ven]}" if used[ven] > 1 else ""
            vpop = int(rng.lognormvariate(7.0, 0.8)) + 150
            village = f"{county}-V{v:03d}"
            demo.areas.append(
                AreaSpec(
                    village,
                    "village",
                    *both("%(ven)s%(suffix_en)s village", ven=ven, suffix_en=suffix_en, vfa=vfa, suffix_fa=suffix_fa),
                    county,
                    vpop,
                )
            )
            other_units.append((village, _eligible(vpop), False))
            size = council_size(Settlement.VILLAGE, vpop, table)
            demo.contests.append(
                ContestSpec(
                    f"vcouncil-{village.lower()}",
                    "village_council",
                    "plurality",
                    village,
                    *both(
                        "%(ven)s%(suffix_en)s Village Council",
                        ven=ven,
                        suffix_en=suffix_en,
                        vfa=vfa,
                        suffix_fa=suffix_fa,
                    ),
                    size.seats,
                    size.alternates,
                )
            )

    members = tuple(sorted(district_members))
    demo.areas.append(
        AreaSpec(
            DISTRICT,
            "district",
            *both("Tehran, Rey and Tajrish electoral district"),
            PROVINCE,
            sum(a.population for a in demo.areas if a.code in district_members),
            constituents=members,
        )
    )
    capital_size = council_size(Settlement.CAPITAL, 0, table)
    demo.contests.insert(
        0,
        ContestSpec(
            "council-tehran",
            "city_council",
            "proportional-list",
            DISTRICT,
            *both("Tehran City Council (Tehran, Rey and Tajrish)"),
            capital_size.seats,
            capital_size.alternates,
        ),
    )
    demo.contests.insert(
        0,
        ContestSpec(
            "experts-tehran",
            "experts",
            "plurality",
            PROVINCE,
            *both("Assembly of Experts by-election, Tehran Province"),
            1,
            0,
            is_by_election=True,
        ),
    )

    number = 0
    venues, weights = zip(*VENUE_WEIGHTS, strict=True)
    for units, target in ((district_units, n_district), (other_units, n_rest)):
        counts = _largest_remainder([u[1] for u in units], max(target, len(units)))
        for (area, eligible, urban), n in zip(units, counts, strict=True):
            per_branch = _largest_remainder([1] * n, eligible, minimum=0)
            if scale is Scale.SMALL:
                per_branch = [min(e, 1_400 + rng.randrange(400)) for e in per_branch]
            for k in range(n):
                number += 1
                venue = rng.choices(venues, weights)[0]
                lat = TEHRAN_CENTRE[0] + rng.uniform(-0.35, 0.35)
                lon = TEHRAN_CENTRE[1] + rng.uniform(-0.6, 0.6)
                demo.branches.append(
                    BranchSpec(
                        number=number,
                        code=f"{area.removeprefix(PROVINCE + '-')}-{k + 1:04d}",
                        area=area,
                        venue_type=venue,
                        venue_name=f"{_VENUE_FA[venue]} {to_persian_digits(k + 1)}",
                        address=f"{area} / {k + 1}",
                        latitude=round(lat, 6),
                        longitude=round(lon, 6),
                        is_mobile=rng.random() < 0.03,
                        is_urban=urban,
                        eligible_estimate=per_branch[k],
                    )
                )
    return demo


_VENUE_FA = Catalogued("venue", {
    "school": N_("school"),
    "mosque": N_("mosque"),
    "hall": N_("hall"),
    "government": N_("government"),
    "other": N_("other"),
})
