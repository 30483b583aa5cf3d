"""Ballot codes (typo-proof, unique, reproducible) and the signed, canonical, versioned ballot manifest."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from entekhab.counting.interpret import BallotRejection, RejectionReason, interpret
from entekhab.domain.check_codes import assign_codes, is_valid, single_errors
from entekhab.domain.errors import DomainError
from entekhab.domain.vetting import RoleRefused
from entekhab.hq.accounts.guard import WrongState
from entekhab.hq.accounts.roles import Role
from entekhab.hq.candidates import actions
from entekhab.hq.candidates.manifest import build_document, contest_counting_manifest, current_manifest
from entekhab.hq.candidates.models import BallotCode, BallotManifest, CandidateList, CodePolicy, Registration
from entekhab.hq.elections.models import BallotStyle
from entekhab.records.canonical import canonical_json, sha256_hex
from entekhab.records.errors import ManifestInvalid
from entekhab.records.manifest import code_directory, counting_manifest, verify_manifest
from entekhab.records.signing import SigningKey
from tests.hq.candidates.conftest import approve, days, schedule
from tests.hq.conftest import set_state


def test_every_typing_error_of_every_demo_code_is_rejected(election):
    """Exhaustive over the demo election: each single substitution and adjacent swap is no code at all."""
    codes = set(BallotCode.objects.filter(election=election).values_list("code", flat=True))
    finalists = Registration.objects.filter(election=election, state="final_approved").count()
    lists = CandidateList.objects.filter(contest__election=election, state="locked").count()
    assert len(codes) == finalists + lists > 800
    checked = 0
    for code in codes:
        assert is_valid(code) and len(code) == 5 and code[0] != "0"
        for wrong in single_errors(code):
            assert not is_valid(wrong) and wrong not in codes, (code, wrong)
            checked += 1
    assert checked >= len(codes) * 45


def test_demo_codes_are_reproducible_from_the_published_seed(election):
    policy = CodePolicy.objects.get(election=election)
    taken: list[str] = []
    for contest in election.contests.order_by("code"):
        rows = BallotCode.objects.filter(contest=contest).select_related("registration", "candidate_list")
        stored = {(r.registration.tracking if r.registration else r.candidate_list.ref): r.code for r in rows}
        again = assign_codes(list(stored), seed=policy.seed, scope=contest.code, base_digits=policy.base_digits,
                             taken=taken)
        assert dict(again) == stored
        taken.extend(stored.values())


def test_demo_manifests_are_canonical_signed_and_count_codes(election):
    for m in BallotManifest.objects.filter(election=election, is_current=True).select_related("ballot_style"):
        data = canonical_json(build_document(m.ballot_style))
        assert data == m.canonical_bytes and sha256_hex(data) == m.sha256
        doc = m.verify()
        assert doc["ballot_style"] == m.ballot_style.code
    style = BallotStyle.objects.filter(election=election, contests__code="council-tehran").first()
    tehran = contest_counting_manifest(current_manifest(style), "council-tehran")
    lst = tehran.lists[0]
    ballot = interpret(tehran, [lst.code])
    assert ballot.candidates == lst.members and ballot.list_id == lst.id
    a, b = tehran.candidates[0], tehran.candidates[1]
    assert interpret(tehran, [a.code, b.code]).candidates == (a.id, b.id)
    typo = next(iter(single_errors(a.code)))
    verdict = interpret(tehran, [typo])
    assert isinstance(verdict, BallotRejection) and verdict.reason is RejectionReason.UNKNOWN_CODE
    names = code_directory(current_manifest(style).document(), "council-tehran")
    assert names[lst.code].kind == "list" and names[a.code].name_fa


def test_a_tampered_manifest_fails(election):
    m = BallotManifest.objects.filter(election=election, is_current=True).first()
    data = m.canonical_bytes
    tampered = data.replace(b'"seats":21', b'"seats":22') if b'"seats":21' in data else data.replace(b"1", b"7", 1)
    assert tampered != data
    with pytest.raises(ManifestInvalid, match="SHA-256"):
        verify_manifest(tampered, m.sha256, m.signature, m.public_key)
    with pytest.raises(ManifestInvalid, match="not signed"):  # the attacker recomputes the hash; the signature fails
        verify_manifest(tampered, sha256_hex(tampered), m.signature, m.public_key)
    other = SigningKey.generate()
    with pytest.raises(ManifestInvalid, match="not signed"):
        verify_manifest(data, m.sha256, other.sign(data).hex(), m.public_key)
    with pytest.raises(ManifestInvalid, match="canonical"):
        spaced = data.replace(b",", b", ", 1)
        verify_manifest(spaced, sha256_hex(spaced), other.sign(spaced).hex(), other.public_hex)
    with pytest.raises(ManifestInvalid, match="no contest"):
        counting_manifest(m.verify(), "nope")


@pytest.fixture
def final_contests(fresh, register, users):
    """Both test contests vetted to the end: 3 finalists each, one withdrawn, one rejected."""
    admin, sb = users[Role.HQ_ADMIN], users[Role.SUPERVISORY_BOARD]
    people = {}
    for contest in ("pr", "city"):
        regs = [approve(register(contest)[0], users) for _ in range(3)]
        actions.do_transition(register(contest)[0], "withdraw", acting_user=admin)
        people[contest] = regs
    for regs in people.values():
        for reg in regs:
            actions.do_transition(reg, "finalise", acting_user=sb)
    return people


def test_codes_are_assigned_when_the_contest_becomes_final(fresh, final_contests, users, register):
    admin = users[Role.HQ_ADMIN]
    pending = register("city")[0]
    with pytest.raises(DomainError, match="not final"):
        actions.do_finalise_contest(fresh["city"], acting_user=admin)
    actions.do_transition(pending, "withdraw", acting_user=admin)
    with pytest.raises(PermissionDenied):
        actions.do_finalise_contest(fresh["city"], acting_user=users[Role.EXECUTIVE_BOARD])
    codes = actions.do_finalise_contest(fresh["city"], acting_user=admin)
    assert len(codes) == 3 and all(is_valid(c.code) and len(c.code) == 4 for c in codes)
    assert {c.registration for c in codes} == set(final_contests["city"])
    with pytest.raises(DomainError, match="already final"):
        actions.do_finalise_contest(fresh["city"], acting_user=admin)
    with pytest.raises(DomainError, match="already final"):
        actions.do_transition(final_contests["city"][0], "withdraw", acting_user=admin)


def test_manifest_versions_on_change_and_keeps_the_old(fresh, final_contests, users):
    admin = users[Role.HQ_ADMIN]
    with pytest.raises(WrongState, match="lists_final"):  # manifests only once every contest is final
        actions.do_publish_manifests(fresh["election"], acting_user=admin)
    for contest in ("pr", "city"):
        actions.do_finalise_contest(fresh[contest], acting_user=admin)
    set_state("lists_final", "t4")
    with pytest.raises(PermissionDenied):
        actions.do_publish_manifests(fresh["election"], acting_user=users[Role.SUPERVISORY_BOARD])
    [v1] = actions.do_publish_manifests(fresh["election"], acting_user=admin)
    assert v1.version == 1 and v1.is_current
    assert actions.do_publish_manifests(fresh["election"], acting_user=admin) == []  # same data, same bytes
    reg = final_contests["pr"][0]
    Registration.objects.filter(pk=reg.pk).update(last_name="کاظمی‌پور")  # a corrected spelling
    [v2] = actions.do_publish_manifests(fresh["election"], acting_user=admin)
    v1.refresh_from_db()
    assert v2.version == 2 and v2.is_current and not v1.is_current and v2.sha256 != v1.sha256
    assert v1.verify()["contests"] and "کاظمی‌پور" in v2.canonical and "کاظمی‌پور" not in v1.canonical
    doc = v2.verify()
    assert [c["code"] for c in doc["contests"]] == ["city", "pr"]
    assert len(counting_manifest(doc, "pr").candidates) == 3


def test_a_proportional_contest_waits_for_its_lists(fresh, final_contests, users):
    from entekhab.hq.candidates.models import Party

    admin, rep = users[Role.HQ_ADMIN], users[Role.PARTY_REPRESENTATIVE]
    party = Party.objects.create(name_fa="حزب کد", license_number="T-9", licensed_on=days(-900))
    party.representatives.add(rep)
    lst = actions.do_create_list(fresh["pr"], party, title_fa="فهرست کد", members=final_contests["pr"][:2],
                                 acting_user=rep)
    for reg in final_contests["pr"][:2]:
        actions.do_confirm_membership(reg, acting_user=admin)
    actions.do_submit_list(lst, acting_user=rep)
    with pytest.raises(DomainError, match="lock the lists"):
        actions.do_finalise_contest(fresh["pr"], acting_user=admin)
    actions.do_set_candidacy(fresh["pr"], schedule(list_deadline=days(-1)), acting_user=admin)
    assert actions.do_lock_lists(fresh["pr"], acting_user=admin) == 1
    codes = actions.do_finalise_contest(fresh["pr"], acting_user=admin)
    assert len(codes) == 4 and sum(c.candidate_list_id is not None for c in codes) == 1
    actions.do_finalise_contest(fresh["city"], acting_user=admin)
    set_state("lists_final", "t4")
    [m] = actions.do_publish_manifests(fresh["election"], acting_user=admin)
    pr = counting_manifest(m.verify(), "pr")
    assert pr.lists[0].members == tuple(r.tracking for r in final_contests["pr"][:2])
    all_codes = [c.code for c in pr.candidates] + [x.code for x in pr.lists] + [
        c.code for c in counting_manifest(m.verify(), "city").candidates]
    assert len(set(all_codes)) == len(all_codes) == 7


def test_the_api_serves_the_current_signed_manifest(client, election):
    m = BallotManifest.objects.filter(election=election, is_current=True).select_related("ballot_style").first()
    body = client.get(f"/api/v1/elections/1405/manifests/{m.ballot_style.code}").json()
    assert body["sha256"] == m.sha256 and canonical_json(body["manifest"]) == m.canonical_bytes
    missing = client.get("/api/v1/elections/1405/manifests/nope")
    assert missing.status_code == 404 and missing.json()["code"] == "no_manifest"


def test_a_correction_after_final_resigns_a_new_version_automatically(fresh, final_contests, users):
    admin = users[Role.HQ_ADMIN]
    for contest in ("pr", "city"):
        actions.do_finalise_contest(fresh[contest], acting_user=admin)
    set_state("lists_final", "t4")
    [v1] = actions.do_publish_manifests(fresh["election"], acting_user=admin)
    reg = final_contests["city"][1]
    with pytest.raises(RoleRefused):
        actions.do_correct_candidate(reg, {"last_name": "x"}, acting_user=users[Role.EXECUTIVE_BOARD], reason="r")
    with pytest.raises(DomainError, match="cannot be corrected"):
        actions.do_correct_candidate(reg, {"national_code": "x"}, acting_user=admin, reason="r")
    with pytest.raises(DomainError, match="PNG or JPEG"):
        actions.do_correct_candidate(reg, {"photo": b"<svg/>"}, acting_user=admin, reason="r")
    assert BallotManifest.objects.filter(ballot_style=fresh["style"]).count() == 1
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    _, [v2] = actions.do_correct_candidate(reg, {"photo": png, "last_name": "کاظمی"}, acting_user=admin,
                                           reason="عکس جدید")
    v1.refresh_from_db()
    assert (v1.is_current, v2.is_current, v2.version) == (False, True, 2)
    entry = next(c for c in v2.verify()["contests"][0]["candidates"] if c["id"] == reg.tracking)
    assert entry["photo_sha256"] == sha256_hex(png)
    assert BallotManifest.objects.filter(ballot_style=fresh["style"]).count() == 2
