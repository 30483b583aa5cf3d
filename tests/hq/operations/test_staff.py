"""The personnel pool, training and the quiz that certifies a person for a role."""

from __future__ import annotations

import datetime as dt

import pytest

from entekhab.domain.errors import DomainError
from entekhab.hq.operations.actions.staff import do_add_person, do_record_attendance, do_record_quiz
from entekhab.hq.operations.models import Certification, Course, Person, QuizResult


def test_pool_entry_validates_the_national_code(executive):
    person = do_add_person(national_code="۰۰۱۰۳۵۰۸۲۹", full_name="سارا نوری", seconded_from="آموزش و پرورش",
                           acting_user=executive)
    assert person.national_code == "0010350829"
    n = Person.objects.count()
    for code in ("0010350828", "12345", "0010350829"):
        with pytest.raises(DomainError):
            do_add_person(national_code=code, full_name="x", seconded_from="y", acting_user=executive)
    with pytest.raises(DomainError):
        do_add_person(national_code="0084575948", full_name=" ", seconded_from="y", acting_user=executive)
    assert Person.objects.count() == n


def test_a_pass_certifies_only_those_who_attended(executive):
    course = Course.objects.get(code="1405-device-operator")
    klass = course.classes.first()
    present = do_add_person(national_code="0084575948", full_name="a", seconded_from="b", acting_user=executive)
    absent = do_add_person(national_code="0010350829", full_name="c", seconded_from="d", acting_user=executive)
    do_record_attendance(klass, present, present=True, acting_user=executive)
    do_record_attendance(klass, absent, present=False, acting_user=executive)
    day = dt.date(2026, 4, 2)
    assert do_record_quiz(course, present, score=course.pass_mark - 1, taken_on=day, acting_user=executive) is None
    cert = do_record_quiz(course, present, score=course.pass_mark, taken_on=day, acting_user=executive)
    assert cert is not None and cert.role == "device_operator"
    assert do_record_quiz(course, absent, score=100, taken_on=day, acting_user=executive) is None
    assert not Certification.objects.filter(person=absent).exists()
    n = QuizResult.objects.count()
    with pytest.raises(DomainError):
        do_record_quiz(course, absent, score=101, taken_on=day, acting_user=executive)
    assert QuizResult.objects.count() == n
