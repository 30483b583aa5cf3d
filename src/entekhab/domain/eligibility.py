"""Who may stand: eligibility rules as data, one rule set per office, evaluated without a database.

A rule is named, versioned, cites its legal source and carries its failure message
in Persian and English (``{placeholders}`` filled from the rule's parameters and the
application). Evaluating an application returns *every* failing rule, so a person
sees all problems at once. The defaults follow DOMAIN.md §5 and the council law's
Art. 37 and Art. 41 as announced for 1404-1405; HQ administrators edit them as data
(``EligibilityRule`` rows), each edit a new version.

Dates: "three months" are Jalali calendar months (see :func:`months_before`); ages
are completed years on the exact day (:func:`entekhab.domain.jalali.age_on`).

The default messages are catalogue entries (``entekhab.i18n``); the legal sources the
defaults cite are seed data in ``data/eligibility.json``. Both are copied into the
stored rules, where they are edited as data.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jdatetime

from entekhab.domain.digits import clause_separator, list_separator, to_persian_digits
from entekhab.domain.errors import DomainError
from entekhab.domain.jalali import age_on, format_jalali
from entekhab.i18n import N_, both


class InvalidRule(DomainError):
    code = "invalid_rule"


class InvalidApplication(DomainError):
    code = "invalid_application"


class Office(StrEnum):
    CITY_COUNCIL = "city_council"
    VILLAGE_COUNCIL = "village_council"
    EXPERTS = "experts"
    MAJLIS = "majlis"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Degree(IntEnum):
    """Education as an ordinal (the counting tie chain compares these numbers)."""

    NONE = 0
    LITERACY = 1  # can read and write
    DIPLOMA = 2  # secondary-school diploma
    ASSOCIATE = 3  # associate degree (kardani)
    BACHELOR = 4  # bachelor's degree (karshenasi)
    MASTER = 5  # master's degree (karshenasi-arshad)
    DOCTORATE = 6  # doctorate


DEGREE_NAMES: Mapping[Degree, tuple[str, str]] = MappingProxyType({
    Degree.NONE: both("no degree"),
    Degree.LITERACY: both("literacy"),
    Degree.DIPLOMA: both("secondary diploma"),
    Degree.ASSOCIATE: both("associate degree"),
    Degree.BACHELOR: both("bachelor's degree"),
    Degree.MASTER: both("master's degree"),
    Degree.DOCTORATE: both("doctorate"),
})


def degree_by_name(name: str) -> Degree:
    try:
        return Degree[name.upper()]
    except KeyError:
        raise InvalidRule("unknown degree %(name)s", params={"name": repr(name), "name2": name}) from None


# Art. 41 of the council law (DOMAIN.md §5): holders must resign ≥ 3 months before registration.
ART41_POSTS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "minister": both("minister or deputy minister"),
    "mp": both("member of parliament"),
    "governor_general": both("provincial governor or deputy"),
    "county_governor": both("county governor or deputy"),
    "district_governor": both("district governor"),
    "mayor_deputy": both("mayor or deputy mayor"),
    "director_general": both("director-general or deputy"),
    "judge": both("judge"),
    "university_head": both("university head"),
    "bank_head": both("bank head"),
    "military_commander": both("armed forces commander"),
    "state_company_head": both("head of a state company"),
})


class RuleKind(StrEnum):
    AGE = "age"  # params: min_age, max_age (either may be null)
    EDUCATION = "education"  # params: measure (population|households|null), tiers [[above, degree]], exempt
    CERTIFICATE_AGE = "certificate_age"  # params: max_months
    RESIGNATION = "resignation"  # params: months, posts [post codes]
    RESIDENCE = "residence"  # params: {} (residence area must be one of the contest's areas)
    ATTESTATION = "attestation"  # params: name, sex (null = everyone)


@dataclass(frozen=True)
class PostHeld:
    """A post held recently: ``ended`` is the resignation date, ``None`` while still held."""

    post: str
    ended: dt.date | None = None

    def __post_init__(self) -> None:
        if self.post not in ART41_POSTS and not self.post.startswith("other:"):
            raise InvalidApplication("unknown post %(post)s", params={"post": repr(self.post), "post2": self.post})


@dataclass(frozen=True)
class Application:
    """What a person declares when registering, as the rules read it."""

    birth_date: dt.date
    sex: Sex
    degree: Degree
    residence_area: str
    certificate_date: dt.date
    registration_day: dt.date
    posts: tuple[PostHeld, ...] = ()
    attestations: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "sex", Sex(self.sex))
        object.__setattr__(self, "degree", Degree(self.degree))
        object.__setattr__(self, "posts", tuple(self.posts))
        object.__setattr__(self, "attestations", frozenset(self.attestations))
        if self.birth_date > self.registration_day:
            raise InvalidApplication("birth date is in the future")


@dataclass(frozen=True)
class ContestFacts:
    """What the rules need to know about the contest and its registration window."""

    office: Office
    window_opens: dt.date
    residence_areas: frozenset[str] = frozenset()
    population: int = 0
    households: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "office", Office(self.office))
        object.__setattr__(self, "residence_areas", frozenset(self.residence_areas))


@dataclass(frozen=True)
class Rule:
    """One named, versioned eligibility rule with its legal source and messages."""

    code: str
    kind: RuleKind
    params: Mapping[str, Any]
    legal_ref: str
    message_fa: str
    message_en: str
    version: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _kind(self.kind))
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        if not self.code or not self.code.replace("_", "").replace("-", "").isalnum():
            raise InvalidRule("rule code %(code)s must be a word", params={"code": repr(self.code)})
        if self.version < 1:
            raise InvalidRule("rule version starts at 1")
        if not self.message_fa.strip() or not self.message_en.strip():
            raise InvalidRule(
                "rule %(code)s needs Persian and English messages", params={"code": self.code},
            )
        _check_params(self)


def _kind(value: object) -> RuleKind:
    try:
        return RuleKind(value)
    except ValueError:
        raise InvalidRule("unknown rule kind %(value)s", params={"value": repr(value), "value2": value}) from None


def _need_int(rule: str, params: Mapping[str, Any], key: str, *, optional: bool = False) -> None:
    value = params.get(key)
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRule(
            "rule %(rule)s: %(key)s must be a whole number ≥ 0", params={"rule": rule, "key": key}
        )


def _check_params(rule: Rule) -> None:
    p, code = rule.params, rule.code
    known = {
        RuleKind.AGE: {"min_age", "max_age"},
        RuleKind.EDUCATION: {"measure", "tiers", "exempt"},
        RuleKind.CERTIFICATE_AGE: {"max_months"},
        RuleKind.RESIGNATION: {"months", "posts"},
        RuleKind.RESIDENCE: set(),
        RuleKind.ATTESTATION: {"name", "sex"},
    }[rule.kind]
    unknown = sorted(set(p) - known)
    if unknown:
        raise InvalidRule(
            "rule %(code)s: unknown parameter %(value)s",
            params={"code": code, "value": repr(unknown[0]), "value2": unknown[0]},
        )
    if rule.kind is RuleKind.AGE:
        _need_int(code, p, "min_age", optional=True)
        _need_int(code, p, "max_age", optional=True)
        lo, hi = p.get("min_age"), p.get("max_age")
        if lo is None and hi is None:
            raise InvalidRule("rule %(code)s: give min_age or max_age", params={"code": code})
        if lo is not None and hi is not None and lo > hi:
            raise InvalidRule("rule %(code)s: min_age > max_age", params={"code": code})
    elif rule.kind is RuleKind.EDUCATION:
        if p.get("measure") not in (None, "population", "households"):
            raise InvalidRule("rule %(code)s: measure is population, households or null", params={"code": code})
        tiers = p.get("tiers")
        if not isinstance(tiers, list | tuple) or not tiers:
            raise InvalidRule("rule %(code)s: tiers must be a non-empty list", params={"code": code})
        last = -1
        for tier in tiers:
            if not isinstance(tier, list | tuple) or len(tier) != 2 or not isinstance(tier[0], int) or tier[0] <= last:
                raise InvalidRule(
                    "rule %(code)s: each tier is [above, degree] with rising thresholds", params={"code": code},
                )
            degree_by_name(str(tier[1]))
            last = tier[0]
    elif rule.kind is RuleKind.CERTIFICATE_AGE:
        _need_int(code, p, "max_months")
    elif rule.kind is RuleKind.RESIGNATION:
        _need_int(code, p, "months")
        posts = p.get("posts")
        if not isinstance(posts, list | tuple) or any(x not in ART41_POSTS for x in posts):
            raise InvalidRule("rule %(code)s: posts must name Art. 41 posts", params={"code": code})
    elif rule.kind is RuleKind.ATTESTATION:
        if not isinstance(p.get("name"), str) or not p["name"]:
            raise InvalidRule("rule %(code)s: attestation needs a name", params={"code": code})
        if p.get("sex") not in (None, *Sex):
            raise InvalidRule("rule %(code)s: sex must be male, female or null", params={"code": code})


@dataclass(frozen=True)
class RuleSet:
    office: Office
    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(self.rules))
        codes = [r.code for r in self.rules]
        if len(set(codes)) != len(codes):
            raise InvalidRule("a rule set names a rule twice")


@dataclass(frozen=True)
class RuleFailure:
    """A failed rule and why, already worded for the person."""

    rule: str
    version: int
    legal_ref: str
    message_fa: str
    message_en: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "version": self.version, "legal_ref": self.legal_ref,
            "message_fa": self.message_fa, "message_en": self.message_en, "detail": dict(self.detail),
        }


class NotEligible(DomainError):
    """Registration refused: carries every failing rule."""

    code = "not_eligible"

    def __init__(self, failures: Iterable[RuleFailure]):
        self.failures = tuple(failures)
        super().__init__(
            clause_separator("en").join(f.message_en for f in self.failures),
            clause_separator("fa").join(f.message_fa for f in self.failures),
        )


def months_before(day: dt.date, months: int) -> dt.date:
    """The same Jalali day ``months`` Jalali months earlier (clamped to the month's last day).

    11 Ordibehesht minus 3 months is 11 Bahman; 31 Shahrivar minus 3 months is 30 Khordad
    (Khordad has 31 days, so 31 Khordad), 30 Esfand minus 1 month is 30 Bahman.
    """
    j = jdatetime.date.fromgregorian(date=day)
    index = j.year * 12 + (j.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    last = 31 if month <= 6 else 30 if month <= 11 else (30 if jdatetime.date(year, 1, 1).isleap() else 29)
    return jdatetime.date(year, month, min(j.day, last)).togregorian()


def _fmt(template: str, values: Mapping[str, Any], persian: bool) -> str:
    shown = {k: (to_persian_digits(v) if persian and isinstance(v, int | str) else v) for k, v in values.items()}
    try:
        return template.format(**shown)
    except (KeyError, IndexError, ValueError):
        return template  # an edited message naming an unknown placeholder is shown as written


def _required_degree(rule: Rule, facts: ContestFacts) -> Degree:
    measure = rule.params.get("measure")
    size = 0 if measure is None else (facts.population if measure == "population" else facts.households)
    needed = Degree.NONE
    for above, name in rule.params["tiers"]:
        if measure is None or above == 0 or size > above:
            needed = degree_by_name(str(name))
    return needed


def check_rule(rule: Rule, app: Application, facts: ContestFacts) -> RuleFailure | None:
    """The failure of one rule, or ``None`` when the application satisfies it."""
    p = rule.params
    detail: dict[str, Any] = {}
    if rule.kind is RuleKind.AGE:
        age = age_on(app.birth_date, app.registration_day)
        detail = {"age": age, "min_age": p.get("min_age") or 0, "max_age": p.get("max_age") or 0}
        ok = (p.get("min_age") is None or age >= p["min_age"]) and (p.get("max_age") is None or age <= p["max_age"])
    elif rule.kind is RuleKind.EDUCATION:
        needed = _required_degree(rule, facts)
        exempt = p.get("exempt")
        detail = {"required_fa": DEGREE_NAMES[needed][0], "required_en": DEGREE_NAMES[needed][1]}
        ok = app.degree >= needed or (bool(exempt) and exempt in app.attestations)
    elif rule.kind is RuleKind.CERTIFICATE_AGE:
        oldest = months_before(app.registration_day, p["max_months"])
        detail = {"max_months": p["max_months"], "oldest_fa": format_jalali(oldest), "oldest": oldest.isoformat()}
        ok = oldest <= app.certificate_date <= app.registration_day
    elif rule.kind is RuleKind.RESIGNATION:
        latest = months_before(facts.window_opens, p["months"])
        covered = [h for h in app.posts if h.post in p["posts"]]
        late = [h for h in covered if h.ended is None or h.ended > latest]
        detail = {
            "months": p["months"], "latest_fa": format_jalali(latest), "latest": latest.isoformat(),
            "posts_fa": list_separator("fa").join(ART41_POSTS[h.post][0] for h in late),
            "posts_en": list_separator("en").join(ART41_POSTS[h.post][1] for h in late),
        }
        ok = not late
    elif rule.kind is RuleKind.RESIDENCE:
        ok = app.residence_area in facts.residence_areas
    else:
        applies = p.get("sex") is None or p["sex"] == app.sex
        ok = not applies or p["name"] in app.attestations
    if ok:
        return None
    values = {**detail, **{k: v for k, v in p.items() if isinstance(v, int | str)}}
    return RuleFailure(
        rule.code, rule.version, rule.legal_ref,
        _fmt(rule.message_fa, values, persian=True), _fmt(rule.message_en, values, persian=False), detail,
    )


def evaluate(rules: RuleSet | Iterable[Rule], app: Application, facts: ContestFacts) -> tuple[RuleFailure, ...]:
    """Every failing rule, in rule-set order; empty when the person may register."""
    items = rules.rules if isinstance(rules, RuleSet) else tuple(rules)
    return tuple(f for f in (check_rule(r, app, facts) for r in items) if f is not None)


def require_eligible(rules: RuleSet | Iterable[Rule], app: Application, facts: ContestFacts) -> None:
    failures = evaluate(rules, app, facts)
    if failures:
        raise NotEligible(failures)


# ----------------------------------------------------------------------------- defaults

# Message templates, filled by ``_fmt`` from the rule's parameters and the failure's detail
# (``{placeholders}``, not ``%(name)s``: an administrator edits the stored copy as text).
_AGE = N_("you are {age} on the day of registration; a candidate must be at least {min_age} full years old")
_AGE_RANGE = N_("you are {age} on the day of registration; a candidate must be {min_age} to {max_age} years old")
_EDU = N_("this contest requires at least a {required_en}")
_CERT = N_("the criminal-record certificate must be at most {max_months} months old (issued on or after {oldest})")
_RESIGN = N_("holders of Art. 41 posts must have resigned by {latest}; post: {posts_en}")
_RES = N_("your residence is not in this contest's area")
_MILITARY = N_("men must hold a military service completion or permanent exemption card")
_IJTIHAD = N_("an Experts candidate must have ijtihad attested by the Guardian Council's jurists")

# The legal source each default rule cites, by office and rule code (seed data, not interface text).
_LEGAL_REFS: Mapping[str, Mapping[str, str]] = json.loads(
    (Path(__file__).parent / "data" / "eligibility.json").read_text(encoding="utf-8"),
)["legal_refs"]


def _rule(office: Office, code: str, kind: RuleKind, params: Mapping[str, Any], message: str) -> Rule:
    """A default rule: its citation from the seed data, its message in Persian and English."""
    return Rule(code, kind, params, _LEGAL_REFS[office.value][code], *both(message))


def _council_rules(office: Office) -> tuple[Rule, ...]:
    if office is Office.CITY_COUNCIL:
        sizing = {"measure": "population", "tiers": [[0, "associate"], [20_000, "bachelor"]]}
    else:
        sizing = {"measure": "households", "tiers": [[0, "literacy"], [200, "diploma"]]}
    return (
        _rule(office, "age", RuleKind.AGE, {"min_age": 25, "max_age": None}, _AGE),
        _rule(office, "education", RuleKind.EDUCATION, {**sizing, "exempt": "former_council_member"}, _EDU),
        _rule(office, "certificate", RuleKind.CERTIFICATE_AGE, {"max_months": 3}, _CERT),
        _rule(office, "art41", RuleKind.RESIGNATION, {"months": 3, "posts": sorted(ART41_POSTS)}, _RESIGN),
        _rule(office, "residence", RuleKind.RESIDENCE, {}, _RES),
        _rule(office, "military_service", RuleKind.ATTESTATION, {"name": "military_service", "sex": "male"},
              _MILITARY),
    )


DEFAULT_RULES: Mapping[Office, RuleSet] = MappingProxyType({
    Office.CITY_COUNCIL: RuleSet(Office.CITY_COUNCIL, _council_rules(Office.CITY_COUNCIL)),
    Office.VILLAGE_COUNCIL: RuleSet(Office.VILLAGE_COUNCIL, _council_rules(Office.VILLAGE_COUNCIL)),
    Office.EXPERTS: RuleSet(Office.EXPERTS, (
        _rule(Office.EXPERTS, "certificate", RuleKind.CERTIFICATE_AGE, {"max_months": 3}, _CERT),
        _rule(Office.EXPERTS, "ijtihad", RuleKind.ATTESTATION, {"name": "ijtihad", "sex": None}, _IJTIHAD),
    )),
    Office.MAJLIS: RuleSet(Office.MAJLIS, (
        _rule(Office.MAJLIS, "age", RuleKind.AGE, {"min_age": 30, "max_age": 75}, _AGE_RANGE),
        _rule(Office.MAJLIS, "education", RuleKind.EDUCATION, {"measure": None, "tiers": [[0, "master"]]}, _EDU),
        _rule(Office.MAJLIS, "certificate", RuleKind.CERTIFICATE_AGE, {"max_months": 3}, _CERT),
    )),
})
