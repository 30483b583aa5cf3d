"""Tehran province as demo data: counties, cities and Tehran's municipal regions.

Populations are rounded figures of the 1395 (2016) census, good enough to size
councils and spread ≈ 9.8 M eligible voters; Rey and Tajrish stand as separate
areas because the Tehran–Rey–Tajrish district names them.
"""

from __future__ import annotations

# (county code, Persian, English, [(city code, Persian, English, population)])
COUNTIES: list[tuple[str, str, str, list[tuple[str, str, str, int]]]] = [
    ("C01", "تهران", "Tehran", [("T01", "تهران", "Tehran", 8_693_706)]),
    (
        "C02",
        "ری",
        "Rey",
        [
            ("T01", "ری", "Rey", 400_000),
            ("T02", "کهریزک", "Kahrizak", 38_000),
            ("T03", "باقرشهر", "Baqershahr", 65_388),
            ("T04", "حسن‌آباد", "Hasanabad", 11_000),
        ],
    ),
    (
        "C03",
        "شمیرانات",
        "Shemiranat",
        [("T01", "تجریش", "Tajrish", 300_000), ("T02", "لواسان", "Lavasan", 20_000), ("T03", "فشم", "Fasham", 5_000)],
    ),
    (
        "C04",
        "اسلامشهر",
        "Eslamshahr",
        [("T01", "اسلامشهر", "Eslamshahr", 448_129), ("T02", "چهاردانگه", "Chahardangeh", 45_000)],
    ),
    (
        "C05",
        "شهریار",
        "Shahriar",
        [
            ("T01", "شهریار", "Shahriar", 309_607),
            ("T02", "اندیشه", "Andisheh", 116_062),
            ("T03", "باغستان", "Baghestan", 70_000),
            ("T04", "صباشهر", "Saba Shahr", 75_000),
        ],
    ),
    ("C06", "قدس", "Qods", [("T01", "قدس", "Qods", 309_605)]),
    ("C07", "ملارد", "Malard", [("T01", "ملارد", "Malard", 281_027), ("T02", "صفادشت", "Safadasht", 35_000)]),
    (
        "C08",
        "بهارستان",
        "Baharestan",
        [("T01", "گلستان", "Golestan", 259_480), ("T02", "نسیم‌شهر", "Nasimshahr", 200_393)],
    ),
    (
        "C09",
        "رباط‌کریم",
        "Robat Karim",
        [("T01", "رباط‌کریم", "Robat Karim", 105_393), ("T02", "پرند", "Parand", 97_000)],
    ),
    ("C10", "ورامین", "Varamin", [("T01", "ورامین", "Varamin", 225_628)]),
    ("C11", "قرچک", "Qarchak", [("T01", "قرچک", "Qarchak", 231_075)]),
    ("C12", "پیشوا", "Pishva", [("T01", "پیشوا", "Pishva", 59_000)]),
    ("C13", "پاکدشت", "Pakdasht", [("T01", "پاکدشت", "Pakdasht", 236_319)]),
    (
        "C14",
        "دماوند",
        "Damavand",
        [("T01", "دماوند", "Damavand", 48_380), ("T02", "آبسرد", "Absard", 11_000), ("T03", "کیلان", "Kilan", 3_500)],
    ),
    ("C15", "فیروزکوه", "Firuzkuh", [("T01", "فیروزکوه", "Firuzkuh", 17_453), ("T02", "ارجمند", "Arjomand", 1_700)]),
    (
        "C16",
        "پردیس",
        "Pardis",
        [("T01", "پردیس", "Pardis", 73_363), ("T02", "بومهن", "Bumehen", 80_000), ("T03", "رودهن", "Rudehen", 30_000)],
    ),
]

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

VILLAGE_NAMES: list[tuple[str, str]] = [
    ("حسن‌آباد", "Hasanabad"),
    ("علی‌آباد", "Aliabad"),
    ("احمدآباد", "Ahmadabad"),
    ("قاسم‌آباد", "Qasemabad"),
    ("مبارک‌آباد", "Mobarakabad"),
    ("حصارک", "Hesarak"),
    ("کن", "Kan"),
    ("سولقان", "Sulqan"),
    ("امامزاده داوود", "Imamzadeh Davud"),
    ("دارآباد", "Darabad"),
    ("کند", "Kond"),
    ("رودک", "Rudak"),
    ("امامه", "Amameh"),
    ("زایگان", "Zayegan"),
    ("اوشان", "Ushan"),
    ("میگون", "Meygun"),
    ("گرمابدر", "Garmabdar"),
    ("کلاک", "Kalak"),
    ("جاجرود", "Jajrud"),
    ("سرخه‌حصار", "Sorkheh Hesar"),
    ("طالب‌آباد", "Talebabad"),
    ("جوادآباد", "Javadabad"),
    ("خاوه", "Khaveh"),
    ("قلعه‌نو", "Qaleh Now"),
    ("ده‌خیر", "Deh Kheyr"),
    ("مامازن", "Mamazan"),
    ("آرو", "Aru"),
    ("شلمبه", "Shalambeh"),
    ("هومند", "Humand"),
    ("مشا", "Mosha"),
    ("سیاه‌سنگ", "Siahsang"),
    ("لزور", "Lazur"),
]

# Share of branches by venue type (school, mosque, hall, government, other).
VENUE_WEIGHTS = [("school", 65), ("mosque", 20), ("hall", 7), ("government", 5), ("other", 3)]
TEHRAN_CENTRE = (35.6892, 51.3890)
