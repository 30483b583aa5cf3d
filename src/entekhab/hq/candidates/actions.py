"""Every write to candidates and lists: ``do_*`` actions with role checks, a transaction and an audit event.

The rules themselves are pure (``entekhab.domain.eligibility``, ``vetting``, ``check_codes``);
these functions load their inputs, call them, and store the outcome.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from entekhab.domain.check_codes import assign_codes
from entekhab.domain.digits import to_persian_digits
from entekhab.domain.eligibility import (
    Application,
    ContestFacts,
    Degree,
    NotEligible,
    Office,
    PostHeld,
    RuleSet,
    Sex,
    evaluate,
)
from entekhab.domain.errors import DomainError
from entekhab.domain.jalali import TEHRAN, format_jalali
from entekhab.domain.lifecycle import ElectionState, TransitionRefused
from entekhab.domain.national_code import parse_national_code
from entekhab.domain.vetting import (
    APPROVED_STATES,
    CANDIDACY,
    FINAL_STATES,
    Action,
    RoleRefused,
    VettingRole,
    VettingState,
    check_transition,
)
from entekhab.hq.accounts.guard import authorize, require_state
from entekhab.hq.accounts.roles import roles_of
from entekhab.hq.accounts.scope import Place, place_of
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.candidates.models import (
    LIST,
    BallotCode,
    CandidateList,
    CodePolicy,
    ContestCandidacy,
    EligibilityRule,
    InquiryAnswer,
    InquiryBody,
    ListMembership,
    ListState,
    Party,
    Registration,
    VettingInquiry,
    VettingStep,
)
from entekhab.hq.elections.models import Contest, CountingMethod, Election
from entekhab.hq.geography.models import Area
from entekhab.i18n import en_fa

PERSONS_PER_HOUSEHOLD_TENTHS = 33  # [R] households = population / 3.3 where only population is known
MAX_PHOTO_BYTES = 512 * 1024
PHOTO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}  # never SVG from the public


class CandidacyError(DomainError):
    code = "candidacy"


def tehran_today() -> dt.date:
    return timezone.now().astimezone(TEHRAN).date()


def _err(code: str, en: str, fa: str) -> CandidacyError:
    return CandidacyError(en, fa, code=code)


# ----------------------------------------------------------------------------- rules and facts


def rule_set_for(office: str) -> RuleSet:
    """The office's rule set as HQ keeps it now (active versions, in order)."""
    rows = EligibilityRule.objects.filter(office=office, is_active=True).order_by("position", "code")
    return RuleSet(Office(office), tuple(r.as_rule() for r in rows))


def residence_areas(contest: Contest) -> frozenset[str]:
    """Codes of every area inside the contest's area (a district counts its constituents' subtrees)."""
    roots = [contest.area.path, *(a.path for a in contest.area.constituents.all())]
    codes: set[str] = set()
    for path in roots:
        codes.update(Area.objects.filter(path__startswith=path).values_list("code", flat=True))
    return frozenset(codes)


def contest_facts(contest: Contest, candidacy: ContestCandidacy) -> ContestFacts:
    population = contest.area.population or sum(a.population for a in contest.area.constituents.all())
    return ContestFacts(
        office=Office(contest.office),
        window_opens=candidacy.registration_opens,
        residence_areas=residence_areas(contest),
        population=population,
        households=population * 10 // PERSONS_PER_HOUSEHOLD_TENTHS,
    )


def _candidacy(contest: Contest) -> ContestCandidacy:
    found = ContestCandidacy.objects.filter(contest=contest).select_related("contest").first()  # never a cached copy
    if found is None:
        raise _err("registration_closed", *en_fa("registration for %(code)s has no schedule yet", code=contest.code))
    return found


# ----------------------------------------------------------------------------- registration


@dataclass(frozen=True)
class RegistrationInput:
    """What the form and the API collect; validated by :func:`do_register`."""

    national_code: str
    first_name: str
    last_name: str
    birth_date: dt.date
    sex: str
    residence_area: str
    degree: int
    occupation: str
    certificate_number: str
    certificate_date: dt.date
    name_en: str = ""
    address: str = ""
    field_of_study: str = ""
    veteran: bool = False
    posts: tuple[PostHeld, ...] = ()
    attestations: tuple[str, ...] = ()
    photo: bytes | None = field(default=None, repr=False)


def _photo_type(photo: bytes) -> str:
    if len(photo) > MAX_PHOTO_BYTES:
        raise _err(
            "photo_too_large",
            *en_fa(
                "the photo is larger than %(value)s KB",
                value=MAX_PHOTO_BYTES // 1024,
                value2=to_persian_digits(MAX_PHOTO_BYTES // 1024),
            ),
        )
    for magic, kind in PHOTO_TYPES.items():
        if photo.startswith(magic):
            return kind
    raise _err("photo_type", *en_fa("the photo must be a PNG or JPEG image"))


_E = ElectionState
# Which election states each kind of candidacy work belongs to (DOMAIN §5).
SETUP_STATES = frozenset({_E.DRAFT, _E.REGISTRATION})  # windows and rules, before anyone registers
REGISTRATION_STATES = frozenset({_E.REGISTRATION})
VETTING_STATES = frozenset({_E.REGISTRATION, _E.VETTING})  # vetting starts as registrations arrive
# Contests keep their own windows (city councils register in Dey, villages in Bahman), so one
# contest's lists are locked and its codes assigned while another still registers.
FINALISING_STATES = frozenset({_E.REGISTRATION, _E.VETTING})
# The code seed is committed before the candidates are final, so nobody can grind it to them.
CODE_SEED_STATES = frozenset({_E.DRAFT, _E.REGISTRATION, _E.VETTING})
MANIFEST_STATES = frozenset({_E.LISTS_FINAL})
CORRECTION_STATES = frozenset({_E.REGISTRATION, _E.VETTING, _E.LISTS_FINAL})


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_tracking() -> str:
    return "R" + secrets.token_hex(5).upper()


def do_register(contest: Contest, data: RegistrationInput, *, acting_user: Any = None) -> tuple[Registration, str]:
    """Register a person in ``contest`` if the window is open and every rule passes.

    Returns the registration and its one-time access key (shown once to the person; it
    proves them for appeals, withdrawal and list confirmation). Refusals change nothing.
    """
    require_state(contest.election_id, REGISTRATION_STATES, *en_fa("registration"))
    code = parse_national_code(data.national_code)
    for label_en, label_fa, value in (
        (*en_fa("first name"), data.first_name),
        (*en_fa("last name"), data.last_name),
        (*en_fa("occupation"), data.occupation),
        (*en_fa("certificate number"), data.certificate_number),
    ):
        if not value or not value.strip():
            raise _err("missing_field", *en_fa("%(label_en)s is required", label_en=label_en, label_fa=label_fa))
    try:
        sex, degree = Sex(data.sex), Degree(int(data.degree))
    except ValueError:
        raise _err(
            "invalid_field", *en_fa("sex or degree is not one of the choices")
        ) from None
    area = Area.objects.filter(code=data.residence_area).first()
    if area is None:
        raise _err(
            "unknown_area",
            *en_fa("unknown residence area %(residence_area)s", residence_area=repr(data.residence_area)),
        )
    photo_type = _photo_type(data.photo) if data.photo else ""
    candidacy = _candidacy(contest)
    today = tehran_today()
    if candidacy.finalised_at is not None:
        raise _err(
            "contest_final", *en_fa("this contest's candidates are already final")
        )
    if not candidacy.registration_opens <= today <= candidacy.registration_closes:
        raise _err(
            "registration_closed",
            *en_fa(
                "registration is open from %(registration_opens)s to %(registration_closes)s",
                registration_opens=candidacy.registration_opens,
                registration_closes=candidacy.registration_closes,
                registration_opens2=format_jalali(candidacy.registration_opens),
                registration_closes2=format_jalali(candidacy.registration_closes),
            ),
        )
    application = Application(
        birth_date=data.birth_date,
        sex=sex,
        degree=degree,
        residence_area=area.code,
        certificate_date=data.certificate_date,
        registration_day=today,
        posts=data.posts,
        attestations=frozenset(data.attestations),
    )
    rules = rule_set_for(contest.office)
    failures = evaluate(rules, application, contest_facts(contest, candidacy))
    if failures:
        raise NotEligible(failures)
    key = secrets.token_urlsafe(12)
    with transaction.atomic():
        if Registration.objects.filter(election=contest.election_id, national_code=code).exists():
            raise _err(
                "already_registered",
                *en_fa("this person is already registered in this election"),
            )
        try:
            with transaction.atomic():
                reg = Registration.objects.create(
                    election=contest.election,
                    contest=contest,
                    tracking=new_tracking(),
                    access_key_hash=_hash_key(key),
                    national_code=code,
                    first_name=data.first_name.strip(),
                    last_name=data.last_name.strip(),
                    name_en=data.name_en.strip(),
                    birth_date=data.birth_date,
                    sex=sex.value,
                    residence_area=area,
                    address=data.address.strip(),
                    degree=int(degree),
                    field_of_study=data.field_of_study.strip(),
                    veteran=data.veteran,
                    occupation=data.occupation.strip(),
                    posts=[{"post": p.post, "ended": p.ended.isoformat() if p.ended else None} for p in data.posts],
                    attestations=sorted(set(data.attestations)),
                    certificate_number=data.certificate_number.strip(),
                    certificate_date=data.certificate_date,
                    photo=data.photo,
                    photo_type=photo_type,
                    photo_sha256=hashlib.sha256(data.photo).hexdigest() if data.photo else "",
                    eligibility=[f"{r.code}@{r.version}" for r in rules.rules],
                    submitted_at=timezone.now(),
                )
        except IntegrityError:
            raise _err(
                "already_registered",
                *en_fa("this person is already registered in this election"),
            ) from None
        record(
            actor=acting_user if getattr(acting_user, "pk", None) else f"registrant:{reg.tracking}",
            action=Event.CANDIDATES_REGISTER,
            target=reg,
            after={"contest": contest.code, "tracking": reg.tracking, "rules": reg.eligibility},
        )
    return reg, key


def registrant_access(tracking: str, key: str) -> Registration:
    """The registration whose tracking number and access key these are (constant-time check)."""
    reg = Registration.objects.filter(tracking=str(tracking).strip().upper()).first()
    if reg is None or not hmac.compare_digest(reg.access_key_hash, _hash_key(str(key).strip())):
        raise _err("bad_access_key", *en_fa("tracking number or access key is wrong"))
    return reg


# ----------------------------------------------------------------------------- vetting


def vetting_roles(user: Any, registrant: bool = False) -> set[str]:
    roles = {r.value for r in roles_of(user)} if getattr(user, "pk", None) else set()
    mine = {r for r in roles if r in {v.value for v in VettingRole}}
    if registrant:
        mine.add(VettingRole.REGISTRANT.value)
    return mine


def _remove_from_list(reg: Registration, actor: Any, reason: str) -> None:
    membership = ListMembership.objects.filter(registration=reg).select_related("candidate_list").first()
    if membership is not None:
        before = {"list": membership.candidate_list.ref, "position": membership.position}
        membership.delete()
        record(
            actor=actor,
            action=Event.CANDIDATES_LIST_REMOVE_MEMBER,
            target=membership.candidate_list,
            before=before,
            reason=reason,
        )


def do_transition(
    registration: Registration, action: str, *, acting_user: Any = None, registrant: bool = False, reason: str = ""
) -> Registration:
    """Move a registration through vetting if the actor's role, the state and the deadline allow.

    ``registrant=True`` means the caller has proven the person's access key
    (:func:`registrant_access`). Refused transitions raise and change nothing.
    """
    roles = vetting_roles(acting_user, registrant)
    if registrant and not getattr(acting_user, "pk", None):
        require_state(registration.election_id, VETTING_STATES, *en_fa("vetting"))
    else:
        authorize(acting_user, "candidates.change_registration", registration, states=VETTING_STATES,
                  what="vetting")
    with transaction.atomic():
        reg = Registration.objects.select_for_update().select_related("contest").get(pk=registration.pk)
        candidacy = _candidacy(reg.contest)
        if candidacy.finalised_at is not None:
            raise _err(
                "contest_final", *en_fa("this contest's candidates are already final")
            )
        t = check_transition(reg.state, action, roles, tehran_today(), candidacy.deadlines(), reason)
        if t.action is Action.APPROVE:
            answers = dict(reg.inquiries.values_list("body", "answer"))
            missing = [b for b in InquiryBody.values if b not in answers]
            if missing:
                raise _err(
                    "inquiries_missing",
                    *en_fa("answers missing from: %(missing)s", missing=', '.join(missing)),
                )
            if InquiryAnswer.ADVERSE in answers.values():
                raise _err(
                    "inquiry_adverse",
                    *en_fa("an inquiry answer is adverse: reject with reasons instead"),
                )
        acting_as = next(r.value for r in t.roles if r.value in roles)
        before = reg.state
        CANDIDACY.move(reg, t.target)
        reg.save(update_fields=["state"])
        actor = acting_user if getattr(acting_user, "pk", None) else None
        VettingStep.objects.create(
            registration=reg,
            action=t.action.value,
            from_state=before,
            to_state=reg.state,
            actor=actor,
            actor_role=acting_as,
            reason=reason,
            at=timezone.now(),
        )
        record(
            actor=actor or f"registrant:{reg.tracking}",
            action=Event(f"candidates.vetting.{t.action.value}"),
            target=reg,
            before={"state": before},
            after={"state": reg.state, "as": acting_as},
            reason=reason,
        )
        if VettingState(reg.state) not in APPROVED_STATES:
            _remove_from_list(reg, actor, f"candidate is {reg.state}")
    return reg


def do_record_inquiry(
    registration: Registration, body: str, answer: str, *, acting_user: Any, note: str = ""
) -> VettingInquiry:
    """Record (or correct) one of the four bodies' answers while the executive board reviews."""
    if VettingRole.EXECUTIVE_BOARD.value not in vetting_roles(acting_user):
        raise RoleRefused(
            "only the executive board records inquiry answers"
        )
    authorize(acting_user, "candidates.add_vettinginquiry", registration, states=VETTING_STATES,
              what="recording an inquiry answer")
    if body not in InquiryBody.values or answer not in InquiryAnswer.values:
        raise _err(
            "invalid_inquiry",
            *en_fa("unknown body %(body)s or answer %(answer)s", body=repr(body), answer=repr(answer)),
        )
    with transaction.atomic():
        reg = Registration.objects.select_for_update().select_related("contest").get(pk=registration.pk)
        if reg.state != VettingState.UNDER_REVIEW:
            raise TransitionRefused(
                "inquiries are recorded while the executive board reviews",
            )
        deadline = _candidacy(reg.contest).review_deadline
        if tehran_today() > deadline:
            raise _err(
                "deadline_passed",
                *en_fa(
                    "the review deadline (%(deadline)s) has passed",
                    deadline=deadline,
                    deadline2=format_jalali(deadline),
                ),
            )
        old = VettingInquiry.objects.filter(registration=reg, body=body).first()
        before = {"answer": old.answer, "note": old.note} if old else None
        inquiry, _ = VettingInquiry.objects.update_or_create(
            registration=reg,
            body=body,
            defaults={"answer": answer, "note": note, "recorded_by": acting_user, "recorded_at": timezone.now()},
        )
        record(
            actor=acting_user,
            action=Event.CANDIDATES_VETTING_INQUIRY,
            target=reg,
            before=before,
            after={"body": body, "answer": answer, "note": note},
        )
    return inquiry


# ----------------------------------------------------------------------------- schedules and rules


CANDIDACY_FIELDS = (
    "registration_opens",
    "registration_closes",
    "review_deadline",
    "appeal_deadline",
    "supervision_deadline",
    "list_deadline",
    "list_min_members",
    "list_max_members",
)


def do_set_candidacy(
    contest: Contest, values: dict[str, Any], *, acting_user: Any, reason: str = ""
) -> ContestCandidacy:
    """Create or change a contest's registration window, deadlines and list policy."""
    authorize(acting_user, "candidates.change_contestcandidacy", contest, states=SETUP_STATES,
              what="setting candidacy deadlines")
    unknown = set(values) - set(CANDIDACY_FIELDS)
    if unknown:
        raise _err(
            "field_not_editable", *en_fa("unknown schedule fields: %(unknown)s", unknown=', '.join(sorted(unknown)))
        )
    with transaction.atomic():
        current = ContestCandidacy.objects.select_for_update().filter(contest=contest).first()
        before = {f: str(getattr(current, f)) for f in CANDIDACY_FIELDS} if current else None
        if current is not None and current.finalised_at is not None:
            raise _err("contest_final", *en_fa("the contest's candidates are final"))
        obj = current or ContestCandidacy(contest=contest)
        for k, v in values.items():
            setattr(obj, k, v)
        dates = [
            obj.registration_opens,
            obj.registration_closes,
            obj.review_deadline,
            obj.appeal_deadline,
            obj.supervision_deadline,
        ]
        if any(d is None for d in dates) or dates != sorted(dates):
            raise _err(
                "schedule_order",
                *en_fa("dates must run: opens ≤ closes ≤ review ≤ appeal ≤ supervision"),
            )
        if obj.list_min_members < 1 or (
            obj.list_max_members is not None and obj.list_max_members < obj.list_min_members
        ):
            raise _err("list_policy", *en_fa("list size bounds are inconsistent"))
        obj.save()
        record(
            actor=acting_user,
            action=Event.CANDIDATES_SCHEDULE,
            target=obj,
            before=before,
            after={f: str(getattr(obj, f)) for f in CANDIDACY_FIELDS},
            reason=reason,
        )
    return obj


RULE_EDITABLE = ("params", "legal_ref", "message_fa", "message_en", "is_active")


def do_update_rule(rule: EligibilityRule, changes: dict[str, Any], *, acting_user: Any, reason: str) -> EligibilityRule:
    """Edit a rule by adding its next version (the old version stays, inactive)."""
    authorize(acting_user, "candidates.change_eligibilityrule", rule, states=SETUP_STATES,
              what="changing eligibility rules")
    unknown = set(changes) - set(RULE_EDITABLE)
    if unknown:
        raise _err(
            "field_not_editable",
            *en_fa("these rule fields cannot be changed: %(unknown)s", unknown=', '.join(sorted(unknown))),
        )
    with transaction.atomic():
        old = EligibilityRule.objects.select_for_update().get(pk=rule.pk)
        if not old.is_active:
            raise _err("rule_superseded", *en_fa("edit the active version of the rule"))
        new = EligibilityRule(
            office=old.office,
            code=old.code,
            kind=old.kind,
            position=old.position,
            params=old.params,
            legal_ref=old.legal_ref,
            message_fa=old.message_fa,
            message_en=old.message_en,
            version=old.version + 1,
        )
        for k, v in changes.items():
            setattr(new, k, v)
        new.as_rule()  # validates kind and parameters; raises InvalidRule
        old.is_active = False
        old.save(update_fields=["is_active"])
        new.save()
        record(
            actor=acting_user,
            action=Event.CANDIDATES_RULE_EDIT,
            target=new,
            before={"version": old.version, "params": old.params, "message_fa": old.message_fa},
            after={"version": new.version, "params": new.params, "message_fa": new.message_fa, "active": new.is_active},
            reason=reason,
        )
    return new


# ----------------------------------------------------------------------------- parties and lists


def _list_deadline_check(candidacy: ContestCandidacy) -> None:
    if candidacy.list_deadline is None:
        raise _err("lists_closed", *en_fa("list registration has no deadline set"))
    if tehran_today() > candidacy.list_deadline:
        raise _err(
            "lists_locked",
            *en_fa(
                "lists locked on %(list_deadline)s",
                list_deadline=candidacy.list_deadline,
                list_deadline2=format_jalali(candidacy.list_deadline),
            ),
        )


def _may_represent(user: Any, party: Party, contest: Contest) -> None:
    where = place_of(contest)
    authorize(user, "candidates.add_candidatelist",
              Place(where.election_id, where.area_path, None, party.pk), states=VETTING_STATES,
              what="registering an electoral list")
    if VettingRole.HQ_ADMIN.value in vetting_roles(user):
        return
    if not party.representatives.filter(pk=user.pk).exists():
        raise RoleRefused(
            "%(username)s does not represent %(name_fa)s", params={"username": user.username, "name_fa": party.name_fa}
        )


def _check_members(
    contest: Contest,
    members: Sequence[Registration],
    candidacy: ContestCandidacy,
    exclude_list: CandidateList | None = None,
) -> None:
    ids = [m.pk for m in members]
    if len(set(ids)) != len(ids):
        raise _err("duplicate_member", *en_fa("a candidate appears twice on the list"))
    if len(members) > candidacy.max_members:
        raise _err(
            "list_too_long",
            *en_fa(
                "a list has at most %(max_members)s members",
                max_members=candidacy.max_members,
                max_members2=to_persian_digits(candidacy.max_members),
            ),
        )
    for m in members:
        if m.contest_id != contest.pk:
            raise _err(
                "wrong_contest",
                *en_fa("%(tracking)s is registered in another contest", tracking=m.tracking, full_name=m.full_name),
            )
        if VettingState(m.state) not in APPROVED_STATES:
            raise _err(
                "not_approved",
                *en_fa(
                    "%(tracking)s is not an approved candidate (%(state)s)",
                    tracking=m.tracking,
                    state=m.state,
                    full_name=m.full_name,
                ),
            )
    taken = ListMembership.objects.filter(registration__in=ids)
    if exclude_list is not None:
        taken = taken.exclude(candidate_list=exclude_list)
    clash = taken.select_related("registration", "candidate_list").first()
    if clash is not None:
        raise _err(
            "on_another_list",
            *en_fa(
                "%(tracking)s is already on list %(ref)s",
                tracking=clash.registration.tracking,
                ref=clash.candidate_list.ref,
                full_name=clash.registration.full_name,
                title_fa=clash.candidate_list.title_fa,
            ),
        )


def do_create_list(
    contest: Contest,
    party: Party,
    *,
    title_fa: str,
    title_en: str = "",
    members: Sequence[Registration],
    acting_user: Any,
) -> CandidateList:
    """A party's representative registers a list of approved candidates, in order (a draft until submitted)."""
    _may_represent(acting_user, party, contest)
    if contest.method != CountingMethod.PROPORTIONAL_LIST:
        raise _err(
            "not_proportional", *en_fa("lists exist only in proportional contests")
        )
    if not title_fa.strip():
        raise _err("missing_field", *en_fa("a list needs a title"))
    candidacy = _candidacy(contest)
    with transaction.atomic():
        Contest.objects.select_for_update().get(pk=contest.pk)  # serialises list writes of one contest
        _list_deadline_check(candidacy)
        _check_members(contest, members, candidacy)
        if CandidateList.objects.filter(contest=contest, party=party).exclude(state=ListState.WITHDRAWN).exists():
            raise _err(
                "party_has_list",
                *en_fa("this party already has a list in this contest"),
            )
        lst = CandidateList.objects.create(
            contest=contest,
            party=party,
            ref="L" + secrets.token_hex(4).upper(),
            title_fa=title_fa.strip(),
            title_en=title_en.strip(),
            created_by=acting_user,
            created_at=timezone.now(),
        )
        try:
            with transaction.atomic():
                ListMembership.objects.bulk_create(
                    [
                        ListMembership(candidate_list=lst, registration=m, position=i)
                        for i, m in enumerate(members, start=1)
                    ]
                )
        except IntegrityError:
            raise _err(
                "on_another_list", *en_fa("a candidate is already on another list")
            ) from None
        record(
            actor=acting_user,
            action=Event.CANDIDATES_LIST_CREATE,
            target=lst,
            after={"party": party.license_number, "title": lst.title_fa, "members": [m.tracking for m in members]},
        )
    return lst


def do_confirm_membership(
    registration: Registration, *, acting_user: Any = None, registrant: bool = False
) -> ListMembership:
    """The candidate confirms their place on a list (by their access key, or HQ on a signed paper)."""
    roles = vetting_roles(acting_user, registrant)
    if not roles & {VettingRole.REGISTRANT.value, VettingRole.HQ_ADMIN.value}:
        raise RoleRefused(
            "only the candidate (or HQ on their written consent) confirms a list place",
        )
    with transaction.atomic():
        m = (
            ListMembership.objects.select_for_update()
            .select_related("candidate_list__contest")
            .filter(registration=registration)
            .first()
        )
        if m is None:
            raise _err("not_on_list", *en_fa("this candidate is on no list"))
        _list_deadline_check(_candidacy(m.candidate_list.contest))
        if m.candidate_list.state not in (ListState.DRAFT, ListState.SUBMITTED):
            raise _err("list_locked", *en_fa("the list can no longer change"))
        if m.confirmed_at is None:
            m.confirmed_at = timezone.now()
            m.save(update_fields=["confirmed_at"])
            record(
                actor=acting_user if getattr(acting_user, "pk", None) else f"registrant:{registration.tracking}",
                action=Event.CANDIDATES_LIST_CONFIRM,
                target=m.candidate_list,
                after={"member": registration.tracking, "position": m.position},
            )
    return m


def do_submit_list(lst: CandidateList, *, acting_user: Any) -> CandidateList:
    """Submit a draft list: every member confirmed, size within the contest's bounds, before the deadline."""
    _may_represent(acting_user, lst.party, lst.contest)
    with transaction.atomic():
        lst = CandidateList.objects.select_for_update().select_related("contest").get(pk=lst.pk)
        candidacy = _candidacy(lst.contest)
        _list_deadline_check(candidacy)
        if lst.state != ListState.DRAFT:
            raise TransitionRefused("a %(state)s list cannot be submitted", params={"state": lst.state})
        members = list(lst.memberships.select_related("registration"))
        if not candidacy.list_min_members <= len(members) <= candidacy.max_members:
            raise _err(
                "list_size",
                *en_fa(
                    "a list has %(list_min_members)s to %(max_members)s members",
                    list_min_members=candidacy.list_min_members,
                    max_members=candidacy.max_members,
                    list_min_members2=to_persian_digits(candidacy.list_min_members),
                    max_members2=to_persian_digits(candidacy.max_members),
                ),
            )
        unconfirmed = [m.registration.tracking for m in members if m.confirmed_at is None]
        if unconfirmed:
            raise _err(
                "unconfirmed",
                *en_fa("members have not confirmed: %(unconfirmed)s", unconfirmed=', '.join(unconfirmed)),
            )
        LIST.move(lst, ListState.SUBMITTED)
        lst.save(update_fields=["state"])
        record(
            actor=acting_user,
            action=Event.CANDIDATES_LIST_SUBMIT,
            target=lst,
            before={"state": "draft"},
            after={"state": lst.state},
        )
    return lst


def do_lock_lists(contest: Contest, *, acting_user: Any) -> int:
    """After the list deadline: submitted lists lock, drafts lapse. Returns the number locked."""
    authorize(acting_user, "candidates.change_contestcandidacy", contest, states=FINALISING_STATES,
              what="locking the lists")
    candidacy = _candidacy(contest)
    if candidacy.list_deadline is None or tehran_today() <= candidacy.list_deadline:
        raise _err("too_early", *en_fa("lists lock only after their deadline"))
    with transaction.atomic():
        lists = list(CandidateList.objects.select_for_update().filter(contest=contest))
        locked = 0
        for lst in lists:
            if lst.state == ListState.SUBMITTED:
                LIST.move(lst, ListState.LOCKED)
                locked += 1
            elif lst.state == ListState.DRAFT:
                LIST.move(lst, ListState.WITHDRAWN)
                lst.memberships.all().delete()
            else:
                continue
            lst.save(update_fields=["state"])
        record(actor=acting_user, action=Event.CANDIDATES_LIST_LOCK, target=contest, after={"locked": locked})
    return locked


# ----------------------------------------------------------------------------- codes


def do_publish_code_seed(election: Election, seed: str, *, acting_user: Any, base_digits: int = 4) -> CodePolicy:
    """Publish the seed from which ballot codes are drawn (before any contest is final)."""
    authorize(acting_user, "candidates.add_codepolicy", election, states=CODE_SEED_STATES,
              what="publishing the candidate code seed")
    if not seed.strip() or not 1 <= base_digits <= 8:
        raise _err("bad_seed", *en_fa("give a non-empty seed and 1-8 base digits"))
    with transaction.atomic():
        if BallotCode.objects.filter(election=election).exists():
            raise _err(
                "codes_assigned",
                *en_fa("codes are already assigned with the current seed"),
            )
        policy, _ = CodePolicy.objects.update_or_create(
            election=election,
            defaults={"seed": seed.strip(), "base_digits": base_digits, "published_at": timezone.now()},
        )
        record(
            actor=acting_user,
            action=Event.CANDIDATES_CODES_SEED,
            target=election,
            after={"seed": policy.seed, "base_digits": base_digits},
        )
    return policy


def contest_code_keys(contest: Contest) -> tuple[list[str], list[str]]:
    """Keys of the finalists and locked lists of a contest (what codes are drawn for)."""
    people = list(
        Registration.objects.filter(contest=contest, state=VettingState.FINAL_APPROVED).values_list(
            "tracking", flat=True
        )
    )
    lists = list(CandidateList.objects.filter(contest=contest, state=ListState.LOCKED).values_list("ref", flat=True))
    return people, lists


def do_finalise_contest(contest: Contest, *, acting_user: Any) -> list[BallotCode]:
    """Close a contest's candidacy and draw its codes from the published seed.

    Needs every registration in a final state and, for a proportional contest, the
    lists locked (their deadline passed). Codes are unique in the election.
    """
    authorize(acting_user, "candidates.add_ballotcode", contest, states=FINALISING_STATES,
              what="finalising a contest's candidates")
    with transaction.atomic():
        candidacy = ContestCandidacy.objects.select_for_update().filter(contest=contest).first()
        if candidacy is None:
            raise _err("registration_closed", *en_fa("the contest has no candidacy schedule"))
        if candidacy.finalised_at is not None:
            raise _err("contest_final", *en_fa("the contest's candidates are already final"))
        open_regs = Registration.objects.filter(contest=contest).exclude(state__in=[s.value for s in FINAL_STATES])
        if open_regs.exists():
            raise _err(
                "vetting_open",
                *en_fa(
                    "%(count)s registrations are not final yet",
                    count=open_regs.count(),
                    count2=to_persian_digits(open_regs.count()),
                ),
            )
        if (
            contest.method == CountingMethod.PROPORTIONAL_LIST
            and CandidateList.objects.filter(contest=contest, state__in=[ListState.DRAFT, ListState.SUBMITTED]).exists()
        ):
            raise _err("lists_open", *en_fa("lock the lists first"))
        codes = assign_contest_codes(contest)
        candidacy.finalised_at = timezone.now()
        candidacy.save(update_fields=["finalised_at"])
        record(
            actor=acting_user,
            action=Event.CANDIDATES_CONTEST_FINALISE,
            target=contest,
            after={
                "codes": {c.code: (c.registration.tracking if c.registration else c.candidate_list.ref) for c in codes}
            },
        )
    return codes


def assign_contest_codes(contest: Contest, *, now: dt.datetime | None = None) -> list[BallotCode]:
    """Draw and store the codes of a contest's finalists and locked lists (inside a transaction)."""
    election = contest.election
    policy = CodePolicy.objects.filter(election=election).first()
    if policy is None:
        raise _err("no_seed", *en_fa("publish the code seed first"))
    people, lists = contest_code_keys(contest)
    taken = BallotCode.objects.filter(election=election).values_list("code", flat=True)
    drawn = assign_codes(
        [*lists, *people], seed=policy.seed, scope=contest.code, base_digits=policy.base_digits, taken=list(taken)
    )
    moment = now or timezone.now()
    regs = {r.tracking: r for r in Registration.objects.filter(contest=contest, tracking__in=people)}
    lsts = {x.ref: x for x in CandidateList.objects.filter(contest=contest, ref__in=lists)}
    rows = [
        BallotCode(
            election=election,
            contest=contest,
            code=code,
            registration=regs.get(key),
            candidate_list=lsts.get(key),
            assigned_at=moment,
        )
        for key, code in drawn.items()
    ]
    return BallotCode.objects.bulk_create(rows)


# ----------------------------------------------------------------------------- manifests


def hq_signing_key():
    from entekhab.records.signing import load_hq_key

    return load_hq_key(settings.DATA_DIR)


def do_publish_manifests(election: Election, *, acting_user: Any, reason: str = "") -> list:
    """Sign a manifest for every ballot style whose contests are all final; unchanged ones keep their version."""
    from entekhab.hq.candidates.manifest import publish_manifests

    authorize(acting_user, "candidates.add_ballotmanifest", election, states=MANIFEST_STATES,
              what="signing the ballot manifests")
    with transaction.atomic():
        made = publish_manifests(election, hq_signing_key())
        if not made.styles:
            raise _err(
                "nothing_final",
                *en_fa("no ballot style has all its contests final"),
            )
        record(
            actor=acting_user,
            action=Event.CANDIDATES_MANIFEST_PUBLISH,
            target=election,
            reason=reason,
            after={"new": {m.ballot_style.code: m.sha256 for m in made.new}, "unchanged": len(made.unchanged)},
        )
    return made.new


def members_in(reg_ids: Iterable[int]) -> list[Registration]:
    regs = {r.pk: r for r in Registration.objects.filter(pk__in=list(reg_ids))}
    return [regs[i] for i in reg_ids if i in regs]


CORRECTABLE = ("first_name", "last_name", "name_en", "occupation", "field_of_study", "photo")


def do_correct_candidate(
    registration: Registration, changes: dict[str, Any], *, acting_user: Any, reason: str
) -> tuple[Registration, list]:
    """Correct a candidate's published details (spelling, photo); a final contest's manifests are re-signed.

    Returns the registration and the new manifest versions (older versions stay, superseded).
    Identity, eligibility facts and state are not correctable here: they go through vetting.
    """
    from entekhab.hq.candidates.manifest import publish_manifests

    authorize(acting_user, "candidates.change_registration", registration, states=CORRECTION_STATES,
              what="correcting a candidate's details")
    if VettingRole.HQ_ADMIN.value not in vetting_roles(acting_user):
        raise RoleRefused("only HQ corrects a candidate's published details")
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise _err(
            "field_not_editable",
            *en_fa("these fields cannot be corrected: %(unknown)s", unknown=", ".join(sorted(unknown))),
        )
    if not reason.strip():
        raise _err("reason_missing", *en_fa("a correction needs a reason"))
    for name in ("first_name", "last_name", "occupation"):
        if name in changes and not str(changes[name]).strip():
            raise _err("missing_field", *en_fa("%(name)s cannot be empty", name=name))
    with transaction.atomic():
        reg = Registration.objects.select_for_update().get(pk=registration.pk)
        before = {k: (reg.photo_sha256 if k == "photo" else getattr(reg, k)) for k in changes}
        for k, v in changes.items():
            if k == "photo":
                reg.photo_type = _photo_type(v)
                reg.photo, reg.photo_sha256 = v, hashlib.sha256(v).hexdigest()
            else:
                setattr(reg, k, str(v).strip())
        reg.save()
        after = {k: (reg.photo_sha256 if k == "photo" else getattr(reg, k)) for k in changes}
        record(actor=acting_user, action=Event.CANDIDATES_CORRECT, target=reg, before=before, after=after,
               reason=reason)
        made: list = []
        if ContestCandidacy.objects.filter(contest_id=reg.contest_id, finalised_at__isnull=False).exists():
            made = publish_manifests(reg.election, hq_signing_key()).new
            if made:
                record(actor=acting_user, action=Event.CANDIDATES_MANIFEST_PUBLISH, target=reg.election, reason=reason,
                       after={"new": {m.ballot_style.code: m.sha256 for m in made}})
    return reg, made
