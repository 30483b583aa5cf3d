"""Branch inspections: the checklist as data, ratings → readiness, deficiency lists per body.

Every school, mosque and hall used as a branch is inspected; each checklist item is rated
compliant, fixable by a temporary measure, or relocate (the venue cannot be used), with
the body responsible for fixing it. A branch's readiness follows from its latest
inspection; the deficiency lists tell the Education department, each telecom operator and
the others what to fix where.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from entekhab.domain.errors import DomainError
from entekhab.i18n import N_, Catalogued, both


class InspectionInvalid(DomainError):
    code = "inspection_invalid"


class Rating(StrEnum):
    COMPLIANT = "compliant"
    TEMPORARY = "temporary"  # fixable by a temporary measure (generator, ramp, heater…)
    RELOCATE = "relocate"  # the venue cannot serve: move the branch


RATING_FA = Catalogued("rating", {
    Rating.COMPLIANT: N_("compliant"),
    Rating.TEMPORARY: N_("temporary"),
    Rating.RELOCATE: N_("relocate"),
})


class Readiness(StrEnum):
    READY = "ready"
    CONDITIONAL = "conditional"  # ready once the temporary measures are done
    NOT_READY = "not_ready"  # at least one item needs relocation
    NOT_INSPECTED = "not_inspected"


READINESS_FA = Catalogued("readiness", {
    Readiness.READY: N_("ready"),
    Readiness.CONDITIONAL: N_("conditional"),
    Readiness.NOT_READY: N_("not ready"),
    Readiness.NOT_INSPECTED: N_("not inspected"),
})


class Body(StrEnum):
    """Bodies that fix deficiencies; operators are named so each gets its own coverage list."""

    EDUCATION = "education"  # the general directorate of education: schools
    ENDOWMENTS = "endowments"  # the endowments and charity organisation: mosques
    MUNICIPALITY = "municipality"
    ELECTRICITY = "electricity"  # power distribution company
    TCI = "tci"  # the Telecommunication Company of Iran: fibre and landlines
    MCI = "mci"  # Hamrah-e Avval, the first mobile operator
    IRANCELL = "irancell"
    RIGHTEL = "rightel"
    POLICE = "police"
    GOVERNORATE = "governorate"  # the HQ's own support committee


BODY_FA = Catalogued("body", {
    Body.EDUCATION: N_("education"),
    Body.ENDOWMENTS: N_("endowments"),
    Body.MUNICIPALITY: N_("municipality"),
    Body.ELECTRICITY: N_("electricity"),
    Body.TCI: N_("tci"),
    Body.MCI: N_("mci"),
    Body.IRANCELL: N_("irancell"),
    Body.RIGHTEL: N_("rightel"),
    Body.POLICE: N_("police"),
    Body.GOVERNORATE: N_("governorate"),
})
OPERATORS = (Body.TCI, Body.MCI, Body.IRANCELL, Body.RIGHTEL)


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    category: str
    label_fa: str
    label_en: str
    default_body: Body | None  # None: the venue's owner (Education for a school, Endowments for a mosque…)
    measured: bool = False  # carries a measured value (signal in dBm)


CATEGORY_FA = Catalogued("category", {
    "power": N_("power"),
    "network": N_("network"),
    "space": N_("space"),
    "access": N_("access"),
    "security": N_("security"),
    "comfort": N_("comfort"),
    "toilets": N_("toilets"),
})

CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("power.mains", "power", *both("Stable mains power"), Body.ELECTRICITY),
    ChecklistItem("power.backup", "power", *both("Backup power (UPS or generator)"),
                  Body.GOVERNORATE),
    ChecklistItem("network.fibre", "network", *both("Fibre"), Body.TCI),
    ChecklistItem("network.landline", "network", *both("Landline"), Body.TCI),
    ChecklistItem("network.mobile", "network", *both("Mobile coverage (measured signal)"), Body.MCI, measured=True),
    ChecklistItem("space.capacity", "space", *both("Space and capacity for queue and devices"), None),
    ChecklistItem("space.waiting", "space", *both("Covered waiting area"), None),
    ChecklistItem("access.ground_floor", "access", *both("Ground floor"), None),
    ChecklistItem("access.ramp", "access", *both("Ramp"), Body.MUNICIPALITY),
    ChecklistItem("access.entrance", "access", *both("Entrance width (at least 90 cm)"),
                  None),
    ChecklistItem("security.perimeter", "security", *both("Perimeter and entrances"), Body.POLICE),
    ChecklistItem("security.storage", "security", *both("Secure storage for devices"), None),
    ChecklistItem("comfort.lighting", "comfort", *both("Lighting"), None),
    ChecklistItem("comfort.heating", "comfort", *both("Heating and cooling"), None),
    ChecklistItem("toilets", "toilets", *both("Toilets"), None),
)
ITEMS = {item.code: item for item in CHECKLIST}

# Policy: mobile signal (dBm) at or above this counts as coverage; weaker cannot be rated compliant.
MIN_SIGNAL_DBM = -100
SIGNAL_RANGE = (-140, -30)

VENUE_OWNER = {"school": Body.EDUCATION, "mosque": Body.ENDOWMENTS, "hall": Body.MUNICIPALITY,
               "government": Body.GOVERNORATE, "other": Body.GOVERNORATE}


def responsible_body(item_code: str, venue_type: str) -> Body:
    """Who fixes an item by default: the item's own body, or the venue's owner."""
    item = ITEMS[item_code]
    return item.default_body or VENUE_OWNER.get(venue_type, Body.GOVERNORATE)


@dataclass(frozen=True)
class ItemRating:
    code: str
    rating: Rating
    body: Body
    note: str = ""
    signal_dbm: int | None = None

    def __post_init__(self) -> None:
        try:  # accept the stored strings, keep the enums
            object.__setattr__(self, "rating", Rating(self.rating))
            object.__setattr__(self, "body", Body(self.body))
        except ValueError as exc:
            raise InspectionInvalid(
                "%(code)s: unknown rating or body", params={"code": self.code}, code="unknown_value"
            ) from exc
        if self.code not in ITEMS:
            raise InspectionInvalid(
                "unknown checklist item %(code)s",
                params={"code": repr(self.code), "code2": self.code},
                code="unknown_item",
            )
        if self.signal_dbm is not None:
            low, high = SIGNAL_RANGE
            if not ITEMS[self.code].measured:
                raise InspectionInvalid("%(code)s takes no measurement", params={"code": self.code})
            if not low <= self.signal_dbm <= high:
                raise InspectionInvalid(
                    "signal %(signal_dbm)s dBm is outside %(low)s…%(high)s",
                    params={"signal_dbm": self.signal_dbm, "low": low, "high": high},
                    code="signal_range",
                )
            if self.rating is Rating.COMPLIANT and self.signal_dbm < MIN_SIGNAL_DBM:
                raise InspectionInvalid(
                    "a signal of %(signal_dbm)s dBm is below %(min_signal_dbm)s dBm and cannot be compliant",
                    params={"signal_dbm": self.signal_dbm, "min_signal_dbm": MIN_SIGNAL_DBM},
                    code="signal_too_weak",
                )
        if self.rating is not Rating.COMPLIANT and not self.note.strip():
            raise InspectionInvalid(
                "%(code)s: a deficiency needs a note saying what to fix",
                params={"code": self.code, "label_fa": ITEMS[self.code].label_fa},
                code="note_missing",
            )


def check_ratings(ratings: Iterable[ItemRating]) -> tuple[ItemRating, ...]:
    """A complete inspection: every checklist item rated exactly once, in checklist order."""
    by_code: dict[str, ItemRating] = {}
    for r in ratings:
        if r.code in by_code:
            raise InspectionInvalid("%(code)s is rated twice", params={"code": r.code},
                                    code="item_twice")
        by_code[r.code] = r
    missing = [i for i in CHECKLIST if i.code not in by_code]
    if missing:
        raise InspectionInvalid(
            "these items are not rated: %(items)s", code="items_missing",
            params={"items": ", ".join(i.code for i in missing)})
    return tuple(by_code[i.code] for i in CHECKLIST)


def readiness(ratings: Iterable[ItemRating] | None) -> Readiness:
    """Any relocate → not ready; else any temporary → conditional; else ready."""
    if ratings is None:
        return Readiness.NOT_INSPECTED
    found = {r.rating for r in ratings}
    if not found:
        return Readiness.NOT_INSPECTED
    if Rating.RELOCATE in found:
        return Readiness.NOT_READY
    if Rating.TEMPORARY in found:
        return Readiness.CONDITIONAL
    return Readiness.READY


def compliance(ratings: Iterable[ItemRating]) -> Fraction:
    """Share of items rated compliant, exactly."""
    rs = list(ratings)
    return Fraction(sum(r.rating is Rating.COMPLIANT for r in rs), len(rs)) if rs else Fraction(0)


@dataclass(frozen=True)
class Deficiency:
    branch: str
    item: str
    rating: Rating
    note: str
    signal_dbm: int | None = None

    @property
    def label_fa(self) -> str:
        return ITEMS[self.item].label_fa


def deficiency_lists(latest: Mapping[str, Iterable[ItemRating]]) -> dict[Body, tuple[Deficiency, ...]]:
    """What each body must fix, in which branch (by branch code, then checklist order)."""
    order = {item.code: i for i, item in enumerate(CHECKLIST)}
    out: dict[Body, list[Deficiency]] = {}
    for branch in sorted(latest):
        for r in sorted(latest[branch], key=lambda r: order[r.code]):
            if r.rating is not Rating.COMPLIANT:
                out.setdefault(r.body, []).append(Deficiency(branch, r.code, r.rating, r.note, r.signal_dbm))
    return {body: tuple(items) for body, items in sorted(out.items())}
