"""A fresh election with a proportional and a plurality contest, open for registration today."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from entekhab.domain.national_code import make_national_code
from entekhab.hq.accounts.actions import bootstrap_appointment
from entekhab.hq.accounts.roles import Role
from entekhab.hq.candidates import actions
from entekhab.hq.elections.models import BallotStyle, Contest, Election
from entekhab.hq.geography.models import Area
from tests.hq.conftest import set_state

_codes = itertools.count(100_000_001)


def national_code() -> str:
    while True:
        try:
            return make_national_code(f"{next(_codes):09d}")
        except ValueError:
            continue


def days(n: int) -> dt.date:
    return actions.tehran_today() + dt.timedelta(days=n)


def schedule(**changes) -> dict:
    base = dict(registration_opens=days(-2), registration_closes=days(5), review_deadline=days(10),
                appeal_deadline=days(15), supervision_deadline=days(20), list_deadline=days(25),
                list_min_members=2, list_max_members=None)
    base.update(changes)
    return base


@pytest.fixture
def users(db):
    """One user per role (no password: hashing five passwords per test would dominate the run)."""
    from django.contrib.auth.models import User

    made = {}
    for role in (Role.HQ_ADMIN, Role.EXECUTIVE_BOARD, Role.SUPERVISORY_BOARD, Role.PARTY_REPRESENTATIVE, Role.OBSERVER):
        user = User.objects.create(username=f"t-{role.value}", is_staff=True)
        bootstrap_appointment(user, role.value, by="test")
        made[role] = user
    return made


@pytest.fixture
def fresh(db, users):
    """Election 't4': 'pr' (Tehran district, 5 seats, lists) and 'city' (Varamin, plurality), one ballot style."""
    election = Election.objects.create(code="t4", name_fa="انتخابات آزمایشی", name_en="Test election",
                                       polling_date=dt.date(2026, 5, 1))
    pr = Contest.objects.create(election=election, code="pr", office="city_council", method="proportional-list",
                                area=Area.objects.get(code="P23-D01"), name_fa="شورای تهران (آزمایشی)",
                                name_en="Tehran council (test)", seats=5, alternates=2)
    city = Contest.objects.create(election=election, code="city", office="city_council", method="plurality",
                                  area=Area.objects.get(code="P23-C04-T01"), name_fa="شورای ورامین (آزمایشی)",
                                  name_en="Varamin council (test)", seats=3, alternates=1)
    style = BallotStyle.objects.create(election=election, code="t4-style")
    style.contests.set([pr, city])
    admin = users[Role.HQ_ADMIN]
    for c in (pr, city):
        actions.do_set_candidacy(c, schedule(), acting_user=admin)
    actions.do_publish_code_seed(election, "test seed 1405", acting_user=admin, base_digits=3)
    set_state("registration", "t4")  # set up as a draft; the tests begin when registration opens
    return {"election": election, "pr": pr, "city": city, "style": style}


def good_input(area: str = "P23-C01-T01-R03", **changes) -> actions.RegistrationInput:
    base = dict(national_code=national_code(), first_name="مریم", last_name="کاظمی", name_en="Maryam Kazemi",
                birth_date=dt.date(1980, 4, 2), sex="female", residence_area=area, degree=5, occupation="شهرساز",
                certificate_number="140412345", certificate_date=days(-10), field_of_study="شهرسازی")
    base.update(changes)
    return actions.RegistrationInput(**base)


@pytest.fixture
def register(fresh):
    def make(contest: str = "pr", **changes):
        area = "P23-C04-T01" if contest == "city" else "P23-C01-T01-R03"
        return actions.do_register(fresh[contest], good_input(area, **changes))

    return make


def answer_all(reg, user, answer: str = "clear") -> None:
    for body in ("intelligence", "police", "judiciary", "civil_registry"):
        actions.do_record_inquiry(reg, body, answer, acting_user=user)


def approve(reg, users) -> object:
    eb = users[Role.EXECUTIVE_BOARD]
    actions.do_transition(reg, "start_review", acting_user=eb)
    answer_all(reg, eb)
    return actions.do_transition(reg, "approve", acting_user=eb)
