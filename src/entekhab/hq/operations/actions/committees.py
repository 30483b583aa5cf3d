"""Committees, members, decrees, meetings and action items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from entekhab.domain.lifecycle import TransitionRefused
from entekhab.domain.readiness import Body
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Election
from entekhab.hq.operations.actions.common import OperationRefused, need, text
from entekhab.hq.operations.models import ActionItem, Committee, CommitteeMember, Decree, Meeting
from entekhab.hq.operations.models.committees import ACTION_ITEM, ACTION_TRANSITIONS, CommitteeKind
from entekhab.i18n import en_fa


def do_create_committee(election: Election, *, kind: str, name_fa: str, name_en: str, acting_user: Any) -> Committee:
    need(acting_user, "add_committee", election)
    if kind not in CommitteeKind.values:
        raise OperationRefused("unknown committee kind %(kind)s", params={"kind": repr(kind)})
    name_fa = text(name_fa, *en_fa("Persian name"), max_length=200)
    name_en = text(name_en, *en_fa("English name"), max_length=200)
    with transaction.atomic():
        if Committee.objects.filter(election=election, name_fa=name_fa).exists():
            raise OperationRefused("a committee named %(name_fa)s exists", params={"name_fa": name_fa},
                                   code="duplicate")
        committee = Committee.objects.create(election=election, kind=kind, name_fa=name_fa, name_en=name_en)
        record(actor=acting_user, action=Event.COMMITTEE_CREATE, target=committee,
               after={"kind": kind, "name": name_fa})
    return committee


def do_add_member(committee: Committee, *, full_name: str, title: str = "", organisation: str = "",
                  is_head: bool = False, acting_user: Any) -> CommitteeMember:
    need(acting_user, "add_committeemember", committee)
    full_name = text(full_name, *en_fa("full name"), max_length=150)
    with transaction.atomic():
        if is_head and committee.members.filter(is_head=True).exists():
            raise OperationRefused("the committee already has a head",
                                   code="duplicate_head")
        member = CommitteeMember.objects.create(committee=committee, full_name=full_name, title=title[:150],
                                                organisation=organisation[:150], is_head=is_head)
        record(actor=acting_user, action=Event.COMMITTEE_MEMBER_ADD, target=member,
               after={"committee": committee.pk, "name": full_name, "head": is_head})
    return member


def do_issue_decree(election: Election, *, number: str, issued_on: dt.date, issuer: str, issuer_title: str,
                    appointee: str, role: str, committee: Committee | None = None, body: str = "",
                    acting_user: Any) -> Decree:
    need(acting_user, "add_decree", election)
    number = text(number, *en_fa("decree number"), max_length=40)
    fields = {
        "issuer": text(issuer, *en_fa("issuer"), max_length=150),
        "issuer_title": text(issuer_title, *en_fa("issuer's title"), max_length=150),
        "appointee": text(appointee, *en_fa("appointee"), max_length=150),
        "role": text(role, *en_fa("post"), max_length=200),
    }
    if issued_on > election.polling_date:
        raise OperationRefused("a decree is issued before polling day",
                               code="date_after_polling")
    try:
        with transaction.atomic():
            decree = Decree.objects.create(election=election, number=number, issued_on=issued_on,
                                           committee=committee, body=body.strip(), **fields)
            record(actor=acting_user, action=Event.DECREE_ISSUE, target=decree,
                   after={"number": number, "appointee": fields["appointee"], "role": fields["role"]})
    except IntegrityError as exc:
        raise OperationRefused("decree number %(number)s is already used", params={"number": number},
                               code="duplicate") from exc
    return decree


def do_record_meeting(committee: Committee, *, held_at: dt.datetime, place: str, attendees: list[CommitteeMember],
                      resolutions: str, acting_user: Any) -> Meeting:
    need(acting_user, "add_meeting", committee)
    strangers = [m for m in attendees if m.committee_id != committee.pk]
    if strangers:
        raise OperationRefused("attendees must be members of the committee")
    with transaction.atomic():
        meeting = Meeting.objects.create(committee=committee, held_at=held_at, place=place[:200],
                                         resolutions=resolutions.strip())
        meeting.attendees.set(attendees)
        record(actor=acting_user, action=Event.MEETING_RECORD, target=meeting,
               after={"committee": committee.pk, "attendees": len(attendees)})
    return meeting


def do_create_action_item(election: Election, *, title: str, due_on: dt.date, owner_person: str = "",
                          owner_body: str = "", meeting: Meeting | None = None, acting_user: Any) -> ActionItem:
    need(acting_user, "add_actionitem", election)
    title = text(title, *en_fa("title"), max_length=300)
    owner_person = owner_person.strip()[:150]
    if owner_body and owner_body not in {b.value for b in Body}:
        raise OperationRefused("unknown body %(owner_body)s", params={"owner_body": repr(owner_body)})
    if not owner_person and not owner_body:
        raise OperationRefused("an action item needs an owner",
                               code="owner_missing")
    with transaction.atomic():
        item = ActionItem.objects.create(election=election, title=title, due_on=due_on, owner_person=owner_person,
                                         owner_body=owner_body, meeting=meeting)
        record(actor=acting_user, action=Event.ACTION_ITEM_CREATE, target=item,
               after={"title": title, "due_on": due_on.isoformat(), "owner": item.owner_display})
    return item


def do_set_action_status(item: ActionItem, target: str, *, acting_user: Any, reason: str = "") -> ActionItem:
    """Move an action item along its lifecycle; a refused move changes nothing."""
    if target not in ACTION_TRANSITIONS:
        raise TransitionRefused("unknown action item status %(target)s", params={"target": repr(target)})
    _, permission = ACTION_TRANSITIONS[target]
    need(acting_user, permission, item)
    with transaction.atomic():
        locked = ActionItem.objects.select_for_update().get(pk=item.pk)
        before = {"status": locked.status}
        ACTION_ITEM.move(locked, target, field="status")
        locked.save(update_fields=["status"])
        record(actor=acting_user, action=Event.ACTION_ITEM_STATUS, target=locked, before=before,
               after={"status": target}, reason=reason)
    return locked
