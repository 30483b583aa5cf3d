"""Parties and lists: approved candidates only, one list per candidate, confirmations, size policy, lock."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from entekhab.domain.errors import DomainError
from entekhab.hq.accounts.roles import Role
from entekhab.hq.candidates import actions
from entekhab.hq.candidates.models import CandidateList, ListMembership, Party
from tests.hq.candidates.conftest import approve, days, schedule


@pytest.fixture
def parties(users):
    rep = users[Role.PARTY_REPRESENTATIVE]
    made = []
    for i, (fa, kind) in enumerate([("حزب آزمون", "party"), ("جبهه آزمون", "front")], start=1):
        party = Party.objects.create(name_fa=fa, kind=kind, license_number=f"T-{i}", licensed_on=dt.date(2020, 1, i))
        party.representatives.add(rep)
        made.append(party)
    return made


@pytest.fixture
def approved(register, users):
    out = []
    for _ in range(5):
        reg, key = register()
        out.append((approve(reg, users), key))
    return out


def make_list(fresh, party, members, user, title="فهرست آزمون"):
    return actions.do_create_list(fresh["pr"], party, title_fa=title, members=members, acting_user=user)


def test_a_representative_registers_confirms_and_submits_a_list(fresh, parties, approved, users, client):
    rep = users[Role.PARTY_REPRESENTATIVE]
    regs = [r for r, _ in approved[:3]]
    lst = make_list(fresh, parties[0], regs, rep)
    assert [m.registration for m in lst.memberships.order_by("position")] == regs and lst.state == "draft"
    with pytest.raises(DomainError, match="not confirmed"):
        actions.do_submit_list(lst, acting_user=rep)
    for reg, key in approved[:2]:
        actions.do_confirm_membership(actions.registrant_access(reg.tracking, key), registrant=True)
    reg3, key3 = approved[2]
    response = client.post(f"/api/v1/registrations/{reg3.tracking}/confirm-list",
                           json.dumps({"access_key": key3}), content_type="application/json")
    assert response.status_code == 200
    assert actions.do_submit_list(lst, acting_user=rep).state == "submitted"


def test_a_candidate_cannot_be_on_two_lists(fresh, parties, approved, users):
    rep = users[Role.PARTY_REPRESENTATIVE]
    regs = [r for r, _ in approved]
    make_list(fresh, parties[0], regs[:3], rep)
    with pytest.raises(DomainError, match="already on list"):
        make_list(fresh, parties[1], regs[2:4], rep, "فهرست دوم")
    assert not CandidateList.objects.filter(party=parties[1]).exists()
    with pytest.raises(DomainError, match="twice"):
        make_list(fresh, parties[1], [regs[3], regs[3]], rep, "فهرست دوم")
    # the database refuses a second place too, whatever the code path
    with pytest.raises(IntegrityError), transaction.atomic():
        ListMembership.objects.create(candidate_list=CandidateList.objects.get(party=parties[0]),
                                      registration=regs[0], position=9)


@pytest.mark.parametrize("state", ["registered", "under_review", "rejected", "appealed", "withdrawn"])
def test_a_candidate_not_approved_cannot_be_on_any_list(fresh, parties, register, users, state):
    from tests.hq.candidates.test_vetting import walk

    reg, _ = register()
    reg = actions.do_transition(reg, "withdraw", registrant=True) if state == "withdrawn" else walk(reg, state, users)
    with pytest.raises(DomainError, match="not an approved candidate"):
        make_list(fresh, parties[0], [reg], users[Role.PARTY_REPRESENTATIVE])
    assert not CandidateList.objects.filter(contest=fresh["pr"]).exists()


def test_a_member_who_withdraws_leaves_the_list(fresh, parties, approved, users):
    reg, other = approved[0][0], approved[1][0]
    lst = make_list(fresh, parties[0], [reg, other], users[Role.PARTY_REPRESENTATIVE])
    actions.do_transition(reg, "withdraw", registrant=True)
    assert [m.registration for m in lst.memberships.all()] == [other]


def test_only_the_partys_representative_or_hq(fresh, parties, approved, users, make_user):
    regs = [r for r, _ in approved[:2]]
    outsider = make_user(Role.PARTY_REPRESENTATIVE, "someone-else")
    with pytest.raises(PermissionDenied, match=r"may not use candidates\.add_candidatelist"):  # not their party
        make_list(fresh, parties[0], regs, outsider)
    with pytest.raises(PermissionDenied):
        make_list(fresh, parties[0], regs, users[Role.EXECUTIVE_BOARD])
    assert make_list(fresh, parties[0], regs, users[Role.HQ_ADMIN]).memberships.count() == 2


def test_list_size_policy_contest_and_deadline(fresh, parties, approved, users, register):
    rep, admin = users[Role.PARTY_REPRESENTATIVE], users[Role.HQ_ADMIN]
    regs = [r for r, _ in approved]
    with pytest.raises(DomainError, match="at most 5"):
        reg6, _ = register()
        make_list(fresh, parties[0], [*regs, approve(reg6, users)], rep)
    lst = make_list(fresh, parties[0], regs[:1], rep)
    actions.do_confirm_membership(regs[0], acting_user=admin)
    with pytest.raises(DomainError, match="2 to 5 members"):
        actions.do_submit_list(lst, acting_user=rep)
    with pytest.raises(DomainError, match="proportional"):
        actions.do_create_list(fresh["city"], parties[1], title_fa="x", members=[], acting_user=rep)
    actions.do_set_candidacy(fresh["pr"], schedule(list_deadline=days(-1)), acting_user=admin)
    with pytest.raises(DomainError, match="locked"):
        make_list(fresh, parties[1], regs[1:3], rep, "دیر")
    assert actions.do_lock_lists(fresh["pr"], acting_user=admin) == 0
    lst.refresh_from_db()
    assert lst.state == "withdrawn" and not lst.memberships.exists()  # an unsubmitted draft lapses


def test_lists_through_the_api(client, fresh, parties, approved, users):
    rep = users[Role.PARTY_REPRESENTATIVE]
    client.force_login(rep)
    body = {"party_licence": "T-1", "title_fa": "فهرست API", "members": [r.tracking for r, _ in approved[:2]]}
    url = "/api/v1/elections/t4/contests/pr/lists"
    made = client.post(url, json.dumps(body), content_type="application/json")
    assert made.status_code == 201 and made.json()["members"] == body["members"]
    clash = client.post(url, json.dumps(body | {"party_licence": "T-2"}), content_type="application/json")
    assert clash.status_code == 400 and clash.json()["code"] == "on_another_list"
    unknown = client.post(url, json.dumps(body | {"party_licence": "T-2", "members": ["RNOPE"]}),
                          content_type="application/json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_candidate"
    listed = client.get("/api/v1/elections/t4/lists?contest=pr").json()
    assert [x["title_fa"] for x in listed] == ["فهرست API"]


def test_the_representatives_page(client, fresh, parties, approved, users):
    client.force_login(users[Role.PARTY_REPRESENTATIVE])
    page = client.get("/candidates/party-lists/")
    assert page.status_code == 200 and "حزب آزمون" in page.content.decode()
    members = "\n".join(r.tracking for r, _ in approved[:2])
    form = {"party": "T-1", "contest": str(fresh["pr"].pk), "title_fa": "فهرست صفحه", "members": members}
    assert client.post("/candidates/party-lists/", form).status_code == 302
    lst = CandidateList.objects.get(title_fa="فهرست صفحه")
    clash = client.post("/candidates/party-lists/", form | {"party": "T-2", "title_fa": "دوم"})
    assert clash.status_code == 400 and "در فهرست" in clash.content.decode()
    early = client.post("/candidates/party-lists/", {"submit_ref": lst.ref})
    assert early.status_code == 400 and CandidateList.objects.get(pk=lst.pk).state == "draft"
    for reg, _ in approved[:2]:
        actions.do_confirm_membership(reg, acting_user=users[Role.HQ_ADMIN])
    assert client.post("/candidates/party-lists/", {"submit_ref": lst.ref}).status_code == 302
    assert CandidateList.objects.get(pk=lst.pk).state == "submitted"
    client.force_login(users[Role.OBSERVER])
    assert client.get("/candidates/party-lists/").status_code == 403
