"""The back office: rule edits become versions; schedules go through the action; admin actions draw codes."""

from __future__ import annotations

import json

from entekhab.domain.jalali import format_jalali
from entekhab.hq.accounts.roles import Role
from entekhab.hq.candidates.models import ContestCandidacy, EligibilityRule
from tests.hq.candidates.conftest import days


def test_editing_a_rule_in_the_back_office_adds_a_version(client, users, db):
    rule = EligibilityRule.objects.get(office="village_council", code="age", is_active=True)
    client.force_login(users[Role.HQ_ADMIN])
    url = f"/admin/candidates/eligibilityrule/{rule.pk}/change/"
    assert client.get(url).status_code == 200
    form = {"params": json.dumps({"min_age": 26, "max_age": None}), "legal_ref": rule.legal_ref,
            "message_fa": rule.message_fa, "message_en": rule.message_en, "position": rule.position,
            "is_active": "on", "reason": "اصلاحیه"}
    bad = client.post(url, form | {"params": json.dumps({"min_age": -1})})
    assert bad.status_code == 200 and EligibilityRule.objects.filter(office="village_council", code="age").count() == 1
    assert client.post(url, form).status_code == 302
    versions = EligibilityRule.objects.filter(office="village_council", code="age").order_by("version")
    assert [(v.version, v.is_active, v.params.get("min_age")) for v in versions] == [(1, False, 25), (2, True, 26)]
    client.force_login(users[Role.EXECUTIVE_BOARD])
    assert client.post(url, form).status_code == 403


def test_schedule_form_checks_the_order_and_admin_actions_report(client, users, fresh):
    client.force_login(users[Role.HQ_ADMIN])
    cand = ContestCandidacy.objects.get(contest=fresh["city"])
    url = f"/admin/candidates/contestcandidacy/{cand.pk}/change/"
    j = lambda n: format_jalali(days(n), persian_digits=False)  # noqa: E731
    form = {"contest": fresh["city"].pk, "registration_opens": j(-2), "registration_closes": j(3),
            "review_deadline": j(2), "appeal_deadline": j(15), "supervision_deadline": j(20), "list_deadline": "",
            "list_min_members": 1, "list_max_members": ""}
    refused = client.post(url, form)
    assert refused.status_code == 200 and "ترتیب تاریخ" in refused.content.decode()
    assert client.post(url, form | {"review_deadline": j(10)}).status_code == 302
    assert ContestCandidacy.objects.get(pk=cand.pk).registration_closes == days(3)
    done = client.post("/admin/candidates/contestcandidacy/", {"action": "finalise", "_selected_action": [cand.pk]},
                       follow=True)
    assert done.status_code == 200
    assert ContestCandidacy.objects.get(pk=cand.pk).finalised_at is not None  # nobody registered: nothing open
