from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate


def test_openapi_document_is_served_and_valid(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert "/api/v1/elections/{code}/branches" in spec["paths"]


def test_elections_contests_branches(client, election):
    assert client.get("/api/v1/elections").json()[0]["code"] == "1405"
    one = client.get("/api/v1/elections/1405").json()
    assert one["polling_date"] == "2026-05-01" and one["polling_date_jalali"] == "۱۱ اردیبهشت ۱۴۰۵"
    contests = {c["code"]: c for c in client.get("/api/v1/elections/1405/contests").json()}
    assert contests["council-tehran"]["method"] == "proportional-list"
    page = client.get("/api/v1/elections/1405/branches?area=P23-C01-T01-R04").json()
    assert page["count"] >= 1 and all(b["area"] == "P23-C01-T01-R04" for b in page["items"])
    styles = client.get("/api/v1/elections/1405/ballot-styles").json()
    assert sum(s["branches"] for s in styles) == election.branches.count()


@pytest.mark.parametrize(
    "url", ["/api/v1/elections/nope", "/api/v1/elections/nope/contests", "/api/v1/elections/1405/branches?area=NOPE"]
)
def test_unknown_things_are_404_with_a_body(client, url, db):
    response = client.get(url)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_national_code_check(client, db):
    ok = client.post(
        "/api/v1/national-codes/check", json.dumps({"code": "۰۴۹۹۳۷۰۸۹۹"}), content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json() == {"valid": True, "code": "0499370899"}


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"code": "0499370898"}, 400, "check digit"),
        ({"code": "12345"}, 400, "10 digits"),
        ({"code": "1111111111"}, 400, "repeated"),
        ({"code": "' OR 1=1 --"}, 400, "digits only"),
        ({"code": "9" * 65}, 422, "code"),
        ({"code": 499370899}, 422, "code"),
        ({}, 422, "code"),
    ],
)
def test_national_code_check_names_the_problem(client, db, body, status, fragment):
    response = client.post("/api/v1/national-codes/check", json.dumps(body), content_type="application/json")
    assert response.status_code == status
    error = response.json()
    assert fragment in error["message"] and error["message_fa"]


@pytest.mark.parametrize("raw", ["{not json", "", "[]", "\x00\x01", "null"])
def test_malformed_json_never_500(client, db, raw):
    response = client.post("/api/v1/national-codes/check", raw, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["code"]
