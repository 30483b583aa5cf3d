"""Public pages: directory search, contest, list and candidate pages, photo, booklet PDF, PR calculator."""

from __future__ import annotations

import pytest

from entekhab.domain.digits import to_persian_digits
from entekhab.hq.candidates.models import BallotCode, CandidateList, Registration
from entekhab.hq.candidates.views import parse_calculator


@pytest.fixture
def finalist(election):
    return (Registration.objects.filter(election=election, contest__code="council-tehran", state="final_approved")
            .select_related("ballot_code").order_by("id").first())


def test_search_by_code_and_by_name(client, finalist):
    by_code = client.get("/candidates/", {"q": to_persian_digits(finalist.code)}).content.decode()
    assert finalist.tracking in by_code and finalist.last_name in by_code
    by_name = client.get("/candidates/", {"q": f"{finalist.first_name} {finalist.last_name}"}).content.decode()
    assert finalist.tracking in by_name
    lst = CandidateList.objects.select_related("ballot_code").first()
    assert lst.ref in client.get("/candidates/", {"q": lst.code}).content.decode()
    assert client.get("/candidates/", {"q": "' OR 1=1 --" * 20}).status_code == 200


def test_rejected_people_never_appear_in_public(client, election):
    rejected = Registration.objects.filter(election=election, state="final_rejected").first()
    assert rejected.tracking not in client.get("/candidates/", {"q": rejected.last_name}).content.decode()
    assert client.get(f"/candidates/1405/c/{rejected.tracking}/").status_code == 404
    assert client.get(f"/candidates/photo/{rejected.tracking}/").status_code == 404
    api = client.get("/api/v1/elections/1405/candidates", {"contest": rejected.contest.code}).json()
    assert rejected.tracking not in {r["tracking"] for r in api}


def test_contest_list_and_candidate_pages(client, finalist):
    contest = client.get("/candidates/1405/council-tehran/")
    body = contest.content.decode()
    assert contest.status_code == 200 and 'dir="rtl"' in body
    assert body.count("/candidates/1405/lists/") == 30
    membership = finalist.membership if hasattr(finalist, "membership") else None
    page = client.get(f"/candidates/1405/c/{finalist.tracking}/").content.decode()
    assert to_persian_digits(finalist.code) in page
    lst = CandidateList.objects.filter(contest__code="council-tehran").first()
    list_page = client.get(f"/candidates/1405/lists/{lst.ref}/").content.decode()
    first = lst.memberships.order_by("position").first().registration
    assert first.last_name in list_page and to_persian_digits(lst.code) in list_page
    if membership is not None:
        assert membership.candidate_list.title_fa in page
    assert client.get("/candidates/1405/lists/NOPE/").status_code == 404
    assert client.get("/candidates/1405/nope/").status_code == 404


def test_photo_is_served_with_a_strict_policy(client, finalist):
    response = client.get(f"/candidates/photo/{finalist.tracking}/")
    assert response.status_code == 200 and response["Content-Security-Policy"].startswith("default-src 'none'")
    import hashlib

    assert hashlib.sha256(response.content).hexdigest() == finalist.photo_sha256


def test_the_booklet_is_a_persian_pdf(client, election):
    response = client.get("/candidates/1405/council-p23-c04-t01/booklet.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from entekhab.hq.candidates.booklet import booklet_html
    from entekhab.hq.elections.models import Contest

    html = booklet_html(Contest.objects.get(election=election, code="council-p23-c04-t01"))
    codes = BallotCode.objects.filter(contest__code="council-p23-c04-t01").values_list("code", flat=True)
    assert 'dir="rtl"' in html and all(to_persian_digits(c) in html for c in codes)


def test_the_calculator_counts_with_the_engine(client):
    groups = "الف: 5200, 4100, 3900, 2100, 700\nب: ۴۸۰۰، ۳۰۰۰، ۳۰۰۰، ۹۰۰\nج: 1500, 1100\nمنفرد: 2600, 400"
    response = client.get("/candidates/how-proportional-voting-works/", {"seats": "7", "groups": groups})
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="calc-result"' in body
    assert "سهمیه" in body and "الف" in body


@pytest.mark.parametrize(("text", "fragment"), [
    ("no colon here", "line 1"), ("a: 1, x", "whole numbers"), ("a: 1\na: 2", "twice"), ("", "at least one"),
    ("a: " + ", ".join(["1"] * 700), "too many"), ("a: 99999999999", "whole numbers"),
])
def test_the_calculator_refuses_bad_input(text, fragment):
    from entekhab.domain.errors import DomainError

    with pytest.raises(DomainError, match=fragment):
        parse_calculator(text)


def test_calculator_errors_are_shown_not_crashed(client):
    response = client.get("/candidates/how-proportional-voting-works/", {"seats": "5", "groups": "foo"})
    assert response.status_code == 200 and 'data-testid="calc-error"' in response.content.decode()
    negative = client.get("/candidates/how-proportional-voting-works/", {"seats": "-3", "groups": "a: 1"})
    assert negative.status_code == 200 and 'data-testid="calc-result"' not in negative.content.decode()
