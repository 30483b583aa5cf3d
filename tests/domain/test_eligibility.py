from __future__ import annotations

import datetime as dt

import pytest

from entekhab.domain.eligibility import (
    DEFAULT_RULES,
    Application,
    ContestFacts,
    Degree,
    InvalidApplication,
    InvalidRule,
    NotEligible,
    Office,
    PostHeld,
    Rule,
    RuleKind,
    Sex,
    evaluate,
    months_before,
    require_eligible,
)
from entekhab.domain.jalali import from_jalali

REG_DAY = from_jalali(1404, 10, 21)  # the council window opens on 21 Dey 1404
CITY = ContestFacts(Office.CITY_COUNCIL, window_opens=REG_DAY, residence_areas=frozenset({"T1", "T2"}),
                    population=250_000)
CITY_RULES = DEFAULT_RULES[Office.CITY_COUNCIL]


def app(**changes) -> Application:
    base = dict(birth_date=dt.date(1980, 3, 1), sex=Sex.FEMALE, degree=Degree.MASTER, residence_area="T1",
                certificate_date=REG_DAY - dt.timedelta(days=10), registration_day=REG_DAY)
    base.update(changes)
    return Application(**base)


def failing(application: Application, facts: ContestFacts = CITY, rules=CITY_RULES) -> dict[str, object]:
    return {f.rule: f for f in evaluate(rules, application, facts)}


def test_a_good_application_passes_every_rule():
    assert failing(app()) == {}
    require_eligible(CITY_RULES, app(), CITY)


def test_age_on_the_exact_day():
    on_birthday = REG_DAY.replace(year=REG_DAY.year - 25)
    assert "age" not in failing(app(birth_date=on_birthday))
    day_after = on_birthday + dt.timedelta(days=1)
    failure = failing(app(birth_date=day_after))["age"]
    assert failure.detail["age"] == 24
    assert "۲۴" in failure.message_fa and "۲۵" in failure.message_fa
    assert "at least 25" in failure.message_en and failure.legal_ref


def test_upper_age_bound_of_the_majlis():
    facts = ContestFacts(Office.MAJLIS, window_opens=REG_DAY)
    rules = DEFAULT_RULES[Office.MAJLIS]
    turns_76 = REG_DAY.replace(year=REG_DAY.year - 76)  # 76 on the day: over the bound
    assert failing(app(birth_date=turns_76), facts, rules)["age"].detail["age"] == 76
    assert "age" not in failing(app(birth_date=turns_76 + dt.timedelta(days=1)), facts, rules)


def test_certificate_exactly_three_jalali_months_old_passes_one_day_older_fails():
    oldest = from_jalali(1404, 7, 21)
    assert months_before(REG_DAY, 3) == oldest
    assert "certificate" not in failing(app(certificate_date=oldest))
    failure = failing(app(certificate_date=oldest - dt.timedelta(days=1)))["certificate"]
    assert "۳ ماهه" in failure.message_fa and "1404/07/21" not in failure.message_en
    assert failure.detail["oldest"] == oldest.isoformat()
    assert "certificate" in failing(app(certificate_date=REG_DAY + dt.timedelta(days=1)))  # not in the future


def test_resignation_exactly_three_months_before_the_window_opens():
    latest = months_before(REG_DAY, 3)
    assert "art41" not in failing(app(posts=(PostHeld("mayor_deputy", latest),)))
    failure = failing(app(posts=(PostHeld("mayor_deputy", latest + dt.timedelta(days=1)),)))["art41"]
    assert "شهردار" in failure.message_fa and "deputy mayor" in failure.message_en
    assert "art41" in failing(app(posts=(PostHeld("judge", None),)))  # still holding the post
    assert "art41" not in failing(app(posts=(PostHeld("other:teacher", None),)))  # not an Art. 41 post


def test_resignation_counts_from_the_window_not_the_day_of_registration():
    later_day = REG_DAY + dt.timedelta(days=5)
    resigned = months_before(REG_DAY, 3) + dt.timedelta(days=2)  # 3 months before the late day, not the window
    assert "art41" in failing(app(registration_day=later_day, posts=(PostHeld("minister", resigned),)))


@pytest.mark.parametrize(("population", "degree", "fails"), [
    (20_000, Degree.ASSOCIATE, False), (20_001, Degree.ASSOCIATE, True), (20_001, Degree.BACHELOR, False),
    (5_000, Degree.DIPLOMA, True),
])
def test_city_education_tiers(population, degree, fails):
    facts = ContestFacts(Office.CITY_COUNCIL, window_opens=REG_DAY, residence_areas=frozenset({"T1"}),
                         population=population)
    assert ("education" in failing(app(degree=degree), facts)) is fails


@pytest.mark.parametrize(("households", "degree", "fails"), [
    (200, Degree.LITERACY, False), (201, Degree.LITERACY, True), (201, Degree.DIPLOMA, False), (50, Degree.NONE, True),
])
def test_village_education_tiers(households, degree, fails):
    facts = ContestFacts(Office.VILLAGE_COUNCIL, window_opens=REG_DAY, residence_areas=frozenset({"T1"}),
                         households=households)
    assert ("education" in failing(app(degree=degree), facts, DEFAULT_RULES[Office.VILLAGE_COUNCIL])) is fails


def test_former_council_members_are_exempt_from_education():
    assert "education" in failing(app(degree=Degree.DIPLOMA))
    assert "education" not in failing(app(degree=Degree.DIPLOMA, attestations=frozenset({"former_council_member"})))


def test_residence_and_military_service():
    assert "residence" in failing(app(residence_area="ELSEWHERE"))
    assert "military_service" in failing(app(sex=Sex.MALE))
    assert "military_service" not in failing(app(sex=Sex.MALE, attestations=frozenset({"military_service"})))


def test_every_failing_rule_is_reported_at_once():
    bad = app(birth_date=REG_DAY.replace(year=REG_DAY.year - 20), degree=Degree.DIPLOMA, residence_area="X",
              certificate_date=REG_DAY - dt.timedelta(days=200), posts=(PostHeld("mp"),), sex=Sex.MALE)
    assert set(failing(bad)) == {"age", "education", "certificate", "art41", "residence", "military_service"}
    with pytest.raises(NotEligible) as caught:
        require_eligible(CITY_RULES, bad, CITY)
    assert len(caught.value.failures) == 6 and "؛" in caught.value.message_fa


def test_experts_need_ijtihad_but_no_residence():
    facts = ContestFacts(Office.EXPERTS, window_opens=REG_DAY)
    rules = DEFAULT_RULES[Office.EXPERTS]
    assert set(failing(app(residence_area="anywhere"), facts, rules)) == {"ijtihad"}
    assert failing(app(attestations=frozenset({"ijtihad"})), facts, rules) == {}


def test_months_before_clamps_to_month_end():
    assert months_before(from_jalali(1404, 6, 31), 3) == from_jalali(1404, 3, 31)
    assert months_before(from_jalali(1404, 9, 30), 3) == from_jalali(1404, 6, 30)
    assert months_before(from_jalali(1405, 2, 11), 3) == from_jalali(1404, 11, 11)
    assert months_before(from_jalali(1403, 12, 30), 12) == from_jalali(1402, 12, 29)  # 1402 is not leap


@pytest.mark.parametrize(("kind", "params", "fragment"), [
    (RuleKind.AGE, {}, "min_age or max_age"),
    (RuleKind.AGE, {"min_age": 40, "max_age": 30}, "min_age > max_age"),
    (RuleKind.AGE, {"min_age": "25"}, "whole number"),
    (RuleKind.EDUCATION, {"tiers": [[0, "wizard"]]}, "unknown degree"),
    (RuleKind.EDUCATION, {"tiers": [[10, "diploma"], [5, "bachelor"]]}, "rising"),
    (RuleKind.RESIGNATION, {"months": 3, "posts": ["king"]}, "Art. 41"),
    (RuleKind.CERTIFICATE_AGE, {"max_months": 3, "colour": 1}, "unknown parameter"),
    ("magic", {}, "unknown rule kind"),
])
def test_bad_rules_are_refused_with_a_reason(kind, params, fragment):
    with pytest.raises(InvalidRule, match=fragment):
        Rule("r", kind, params, "ref", "پیام", "message")


def test_rules_need_both_messages_and_applications_sane_dates():
    with pytest.raises(InvalidRule):
        Rule("r", RuleKind.RESIDENCE, {}, "ref", "", "message")
    with pytest.raises(InvalidApplication):
        app(birth_date=REG_DAY + dt.timedelta(days=1))
    with pytest.raises(InvalidApplication):
        PostHeld("emperor")


def test_an_edited_message_with_an_unknown_placeholder_is_shown_as_written():
    rule = Rule("age", RuleKind.AGE, {"min_age": 30}, "ref", "سن {nope}", "age {nope}")
    [failure] = evaluate([rule], app(birth_date=REG_DAY.replace(year=REG_DAY.year - 29)), CITY)
    assert failure.message_en == "age {nope}"
