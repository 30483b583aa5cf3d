"""Tehran province as demo data: counties, cities and Tehran's municipal regions.

Populations are rounded figures of the 1395 (2016) census, good enough to size
councils and spread ≈ 9.8 M eligible voters; Rey and Tajrish stand as separate
areas because the Tehran–Rey–Tajrish district names them.
"""

from __future__ import annotations

import json
from pathlib import Path

# The names are data, kept beside the code: data/tehran.json.
_DATA = json.loads((Path(__file__).parent / "data" / "tehran.json").read_text(encoding="utf-8"))

# (county code, Persian, English, [(city code, Persian, English, population)])
COUNTIES: list[tuple[str, str, str, list[tuple[str, str, str, int]]]] = _DATA["COUNTIES"]

# Tehran's 22 municipal regions, approximate residents.
TEHRAN_REGIONS: list[int] = [
    487_000,
    692_000,
    330_000,
    917_000,
    856_000,
    251_000,
    312_000,
    425_000,
    174_000,
    327_000,
    308_000,
    241_000,
    277_000,
    487_000,
    659_000,
    276_000,
    256_000,
    419_000,
    263_000,
    367_000,
    186_000,
    182_000,
]

# Where the district's constituents are: (county code, city code).
DISTRICT_MEMBERS = [("C01", "T01"), ("C02", "T01"), ("C03", "T01")]

VILLAGE_NAMES: list[tuple[str, str]] = _DATA["VILLAGE_NAMES"]

# Share of branches by venue type (school, mosque, hall, government, other).
VENUE_WEIGHTS = [("school", 65), ("mosque", 20), ("hall", 7), ("government", 5), ("other", 3)]
TEHRAN_CENTRE = (35.6892, 51.3890)
