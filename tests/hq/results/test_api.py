"""Results API: public reads; compute and certify only with the right role, errors in the usual shape."""

from __future__ import annotations

from entekhab.hq.accounts.roles import Role
from entekhab.hq.results.totals import absorb_new_reports


def test_public_results_and_turnout(client, election, polling_day):
    absorb_new_reports(election)
    data = client.get(f"/api/v1/results/{election.code}").json()
    council = next(c for c in data["contests"] if c["code"] == "council-tehran")
    assert sum(council["result"]["group_seats"].values()) == 21 and council["status"] == "provisional"
    one = client.get(f"/api/v1/results/{election.code}/contests/experts-tehran").json()
    assert one["seats"] == 1 and len(one["result"]["elected"]) == 1
    assert client.get(f"/api/v1/results/{election.code}/contests/nope").json()["code"] == "not_found"
    assert client.get(f"/api/v1/results/{election.code}/turnout").json()["total"]["checkins"] == polling_day["checkins"]


def test_certification_over_the_api(client, make_user, election, polling_day):
    base = f"/api/v1/results/{election.code}/contests/experts-tehran/versions"
    assert client.post(base, {}, content_type="application/json").status_code == 401
    client.force_login(make_user(Role.SUPERVISORY_BOARD, "super"))
    assert client.post(base, {}, content_type="application/json").status_code == 403
    client.force_login(make_user(Role.HQ_ADMIN, "hq"))
    assert client.post(base, {"reason": "done"}, content_type="application/json").json()["state"] == "computed"
    client.force_login(make_user(Role.EXECUTIVE_BOARD, "exec"))
    bad = client.post(f"{base}/1/steps", {"step": "confirm"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "wrong_state" and bad.json()["message_fa"]
    ok = client.post(f"{base}/1/steps", {"step": "approve"}, content_type="application/json")
    assert ok.json()["state"] == "approved"
    client.force_login(make_user(Role.SUPERVISORY_BOARD, "super2"))
    back = client.post(f"{base}/1/steps", {"step": "return"}, content_type="application/json")
    assert back.status_code == 400 and back.json()["code"] == "reason_required"
