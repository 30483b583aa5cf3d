from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied

from entekhab.domain.eligibility import InvalidRule, NotEligible
from entekhab.domain.errors import DomainError
from entekhab.domain.jalali import format_jalali
from entekhab.hq.accounts.roles import Role
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.candidates import actions
from entekhab.hq.candidates.models import EligibilityRule, Registration
from tests.hq.candidates.conftest import days, good_input, national_code, schedule


def test_a_registration_inside_the_window_is_stored_audited_and_gets_a_key(fresh, register):
    reg, key = register()
    assert reg.state == "registered" and reg.contest == fresh["pr"] and len(reg.tracking) == 11
    assert "age@1" in reg.eligibility and "art41@1" in reg.eligibility
    assert AuditEvent.objects.filter(action="candidates.register", target_id=str(reg.pk)).exists()
    assert actions.registrant_access(reg.tracking, key) == reg
    with pytest.raises(DomainError, match="access key"):
        actions.registrant_access(reg.tracking, key + "x")


def test_one_registration_per_person_per_election(fresh, register):
    reg, _ = register()
    with pytest.raises(DomainError, match="already registered"):
        register("city", national_code=reg.national_code)
    assert Registration.objects.filter(national_code=reg.national_code).count() == 1


def test_outside_the_window_nothing_is_stored(fresh, users):
    before = Registration.objects.count()
    actions.do_set_candidacy(fresh["pr"], schedule(registration_opens=days(-5), registration_closes=days(-1)),
                             acting_user=users[Role.HQ_ADMIN])
    with pytest.raises(DomainError, match="registration is open from") as caught:
        actions.do_register(fresh["pr"], good_input())
    assert format_jalali(days(-1)) in caught.value.message_fa
    actions.do_set_candidacy(fresh["pr"], schedule(registration_opens=days(1)), acting_user=users[Role.HQ_ADMIN])
    with pytest.raises(DomainError, match="registration is open from"):
        actions.do_register(fresh["pr"], good_input())
    assert Registration.objects.count() == before


def test_every_failing_rule_is_explained_and_nothing_is_stored(fresh):
    young = days(0).replace(year=days(0).year - 24)
    with pytest.raises(NotEligible) as caught:
        actions.do_register(fresh["pr"], good_input(birth_date=young, certificate_date=days(-120), degree=3,
                                                    residence_area="P23-C04-T01"))
    assert {f.rule for f in caught.value.failures} == {"age", "certificate", "education", "residence"}
    assert not Registration.objects.filter(election=fresh["election"]).exists()


@pytest.mark.parametrize(("changes", "fragment"), [
    ({"national_code": "0499370898"}, "check digit"),
    ({"residence_area": "NOWHERE"}, "residence"),
    ({"sex": "other"}, "sex or degree"),
    ({"degree": 9}, "sex or degree"),
    ({"first_name": "  "}, "first name"),
    ({"photo": b"GIF89a..."}, "PNG or JPEG"),
    ({"photo": b"\x89PNG\r\n\x1a\n" + bytes(600_000)}, "larger than"),
])
def test_bad_input_is_refused_with_its_reason(fresh, changes, fragment):
    with pytest.raises(DomainError, match=fragment):
        actions.do_register(fresh["pr"], good_input(**changes))
    assert not Registration.objects.filter(election=fresh["election"]).exists()


def test_a_finalised_contest_takes_no_registration(election):
    from entekhab.hq.elections.models import Contest

    with pytest.raises(DomainError, match="already final"):
        actions.do_register(Contest.objects.get(election=election, code="council-tehran"), good_input())


def test_hq_admin_edits_a_rule_as_a_new_version(fresh, users):
    rule = EligibilityRule.objects.get(office="city_council", code="age", is_active=True)
    twenty_seven = days(0).replace(year=days(0).year - 27)
    with pytest.raises(PermissionDenied):
        actions.do_update_rule(rule, {"params": {"min_age": 30}}, acting_user=users[Role.EXECUTIVE_BOARD], reason="")
    with pytest.raises(InvalidRule):
        actions.do_update_rule(rule, {"params": {"min_age": "thirty"}}, acting_user=users[Role.HQ_ADMIN], reason="")
    with pytest.raises(DomainError, match="cannot be changed"):
        actions.do_update_rule(rule, {"kind": "residence"}, acting_user=users[Role.HQ_ADMIN], reason="")
    assert EligibilityRule.objects.filter(office="city_council", code="age").count() == 1
    new = actions.do_update_rule(rule, {"params": {"min_age": 30, "max_age": None}},
                                 acting_user=users[Role.HQ_ADMIN], reason="law amended")
    assert new.version == 2 and not EligibilityRule.objects.get(pk=rule.pk).is_active
    with pytest.raises(NotEligible) as caught:
        actions.do_register(fresh["pr"], good_input(birth_date=twenty_seven))
    [failure] = caught.value.failures
    assert failure.version == 2 and "۳۰" in failure.message_fa
    assert AuditEvent.objects.filter(action="candidates.rule.edit", target_id=str(new.pk)).exists()


def _form(contest_area: str = "P23-C01-T01-R03", **changes) -> dict:
    data = {"national_code": national_code(), "first_name": "علی", "last_name": "نوری", "birth_date": "1359/01/15",
            "sex": "male", "residence_area": contest_area, "degree": "5", "occupation": "معمار",
            "certificate_number": "99887766", "certificate_date": format_jalali(days(-5), persian_digits=False),
            "military_service": "on", "post": ""}
    data.update(changes)
    return data


def test_the_persian_form_registers_and_shows_the_key_once(client, fresh):
    page = client.get("/candidates/register/t4/pr/")
    assert page.status_code == 200 and "کد ملی" in page.content.decode()
    response = client.post("/candidates/register/t4/pr/", _form())
    body = response.content.decode()
    assert response.status_code == 200 and "ثبت‌نام شما انجام شد" in body
    reg = Registration.objects.get(election=fresh["election"], last_name="نوری")
    assert reg.tracking in body and reg.access_key_hash not in body


def test_the_form_explains_each_failure_in_persian_and_stores_nothing(client, fresh):
    resigned = format_jalali(days(-3), persian_digits=False)
    response = client.post("/candidates/register/t4/pr/",
                           _form(military_service="", post="mayor_deputy", post_ended=resigned))
    body = response.content.decode()
    assert response.status_code == 400
    assert "کارت پایان خدمت" in body and "ماده ۴۱" in body
    assert not Registration.objects.filter(election=fresh["election"]).exists()


@pytest.mark.parametrize(("field", "value"), [("national_code", "12345"), ("birth_date", "1359/13/40"),
                                              ("residence_area", "P23-C04-T01"), ("degree", "x")])
def test_the_form_refuses_malformed_fields(client, fresh, field, value):
    response = client.post("/candidates/register/t4/pr/", _form(**{field: value}))
    assert response.status_code == 400
    assert not Registration.objects.filter(election=fresh["election"]).exists()


def test_the_api_registers_and_reports_failures(client, fresh):
    body = {"national_code": national_code(), "first_name": "زهرا", "last_name": "امینی", "birth_date": "1985-01-01",
            "sex": "female", "residence_area": "P23-C01-T01-R05", "degree": 4, "occupation": "پرستار",
            "certificate_number": "1234", "certificate_date": days(-3).isoformat()}
    url = "/api/v1/elections/t4/contests/pr/registrations"
    ok = client.post(url, json.dumps(body), content_type="application/json")
    assert ok.status_code == 201 and ok.json()["state"] == "registered" and ok.json()["access_key"]
    bad = client.post(url, json.dumps(body | {"national_code": national_code(), "certificate_date": "2020-01-01",
                                              "posts": [{"post": "judge"}]}), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "not_eligible"
    assert {f["rule"] for f in bad.json()["failures"]} == {"certificate", "art41"}
    again = client.post(url, json.dumps(body), content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "already_registered"
    assert client.post(url, json.dumps({"first_name": "x"}), content_type="application/json").status_code == 422
    assert client.post("/api/v1/elections/t4/contests/nope/registrations", json.dumps(body),
                       content_type="application/json").status_code == 404
    assert Registration.objects.filter(election=fresh["election"]).count() == 1


def test_the_database_refuses_a_second_registration_of_a_person(fresh, register):
    from django.db import IntegrityError, transaction

    reg, _ = register()
    twin = Registration.objects.get(pk=reg.pk)
    twin.pk, twin.tracking, twin.contest = None, "RTWIN", fresh["city"]
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_a_photo_upload_is_kept_with_its_digest_and_svg_is_refused(client, fresh):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    ok = client.post("/candidates/register/t4/pr/", _form(photo=SimpleUploadedFile("me.png", png, "image/png")))
    assert ok.status_code == 200
    reg = Registration.objects.get(election=fresh["election"])
    assert bytes(reg.photo) == png and reg.photo_sha256 == hashlib.sha256(png).hexdigest()
    svg = SimpleUploadedFile("x.svg", b"<svg onload='alert(1)'/>", "image/svg+xml")
    refused = client.post("/candidates/register/t4/pr/", _form(photo=svg))
    assert refused.status_code == 400 and "PNG" in refused.content.decode()
    assert Registration.objects.filter(election=fresh["election"]).count() == 1


def test_hq_corrects_a_spelling_through_the_api(client, register, users):
    reg, _ = register()
    url = f"/api/v1/registrations/{reg.tracking}"
    body = json.dumps({"last_name": "کاظمی‌نیا", "reason": "غلط املایی"})
    client.force_login(users[Role.EXECUTIVE_BOARD])
    assert client.patch(url, body, content_type="application/json").status_code == 400  # role refused
    client.force_login(users[Role.HQ_ADMIN])
    assert client.patch(url, json.dumps({"last_name": "x"}), content_type="application/json").status_code == 422
    ok = client.patch(url, body, content_type="application/json")
    assert ok.status_code == 200 and Registration.objects.get(pk=reg.pk).last_name == "کاظمی‌نیا"
    assert AuditEvent.objects.filter(action="candidates.correct", target_id=str(reg.pk)).exists()
