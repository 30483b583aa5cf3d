"""The election form takes the polling date in Jalali and refuses a bad one in Persian."""

from __future__ import annotations

import pytest

from entekhab.hq.accounts.roles import Role
from entekhab.hq.elections.models import Election


def _form(**changes) -> dict:
    data = {"code": "1406-test", "name_fa": "آزمایشی", "name_en": "Test", "polling_date": "۱۴۰۶/۰۳/۰۱",
            "opens_at": "08:00", "closes_at": "18:00",
            "extensions-TOTAL_FORMS": "0", "extensions-INITIAL_FORMS": "0",
            "extensions-MIN_NUM_FORMS": "0", "extensions-MAX_NUM_FORMS": "1000"}
    data.update(changes)
    return data


def test_admin_creates_an_election_from_a_jalali_date(client_as):
    response = client_as(Role.HQ_ADMIN).post("/admin/elections/election/add/", _form())
    assert response.status_code == 302, response.content[:3000]
    election = Election.objects.get(code="1406-test")
    assert election.polling_date.isoformat() == "2027-05-22"


@pytest.mark.parametrize(("raw", "fragment"), [
    ("1406/13/01", "تاریخ شمسی نامعتبر است"),
    ("22 May 2027", "تاریخ شمسی باید به شکل"),
    ("۱۴۰۶/۰۳/۰۱" + "۰" * 40, "بیش از حد طولانی"),
])
def test_bad_jalali_date_is_refused_in_persian_and_nothing_saved(client_as, raw, fragment):
    response = client_as(Role.HQ_ADMIN).post("/admin/elections/election/add/", _form(polling_date=raw))
    assert response.status_code == 200
    assert fragment in response.content.decode()
    assert not Election.objects.filter(code="1406-test").exists()
