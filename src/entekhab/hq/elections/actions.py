"""Every write to elections goes through a ``do_*`` action: role check, transaction, audit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from entekhab.domain.digits import CLAUSE_SEPARATOR, to_persian_digits
from entekhab.domain.errors import DomainError
from entekhab.domain.lifecycle import BEFORE_LISTS_FINAL, ELECTION, ElectionState
from entekhab.hq.accounts.guard import authorize
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Contest, Election, PollExtension

CONTEST_EDITABLE = ("seats", "alternates", "list_mix_policy", "alternates_policy", "max_codes", "name_fa", "name_en")


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return model_to_dict(obj, fields=list(fields))


def do_update_contest(contest: Contest, changes: dict[str, Any], *, acting_user: Any, reason: str = "") -> Contest:
    """Change a contest's editable fields; unknown fields or invalid values change nothing."""
    authorize(acting_user, "elections.change_contest", contest, states=BEFORE_LISTS_FINAL,
              what="changing a contest's properties")
    unknown = set(changes) - set(CONTEST_EDITABLE)
    if unknown:
        raise DomainError(
            "these contest fields cannot be changed: %(fields)s",
            params={"fields": ", ".join(sorted(unknown))},
            code="field_not_editable",
        )
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        before = _snapshot(locked, CONTEST_EDITABLE)
        for field, value in changes.items():
            setattr(locked, field, value)
        try:
            locked.full_clean()
        except ValidationError as exc:
            raise DomainError(
                "invalid value: %(problems)s",
                params={"problems": "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
                        "fields": CLAUSE_SEPARATOR.join(exc.message_dict)},
                code="invalid_contest",
            ) from exc
        locked.save()
        record(actor=acting_user, action=Event.CONTEST_UPDATE, target=locked, before=before,
               after=_snapshot(locked, CONTEST_EDITABLE), reason=reason)
    return locked


# Who moves the election: HQ runs the calendar; the move that certifies the whole election
# is the supervisory board's (it confirmed every contest), and so is a recount.
STATE_PERMISSION: dict[ElectionState, str] = {
    ElectionState.CERTIFIED: "results.confirm_resultversion",
}


def _preconditions(election: Election, target: ElectionState) -> None:
    """What must be true before the election enters ``target``, beyond the move table."""
    if target is ElectionState.LISTS_FINAL:
        open_contests = election.contests.exclude(candidacy__finalised_at__isnull=False).count()
        if open_contests:
            raise DomainError(
                "%(open_contests)s contests are not final yet",
                params={"open_contests": open_contests, "open_contests2": to_persian_digits(open_contests)},
                code="contests_not_final",
            )
    if target is ElectionState.READY:
        from entekhab.hq.candidates.models import BallotManifest

        if not BallotManifest.objects.filter(election=election).exists():
            raise DomainError("polling cannot be made ready before the ballot manifests are signed",
                              code="manifests_missing")
    if target is ElectionState.CERTIFIED:
        from entekhab.hq.results.models import ResultVersion

        contests = set(election.contests.values_list("pk", flat=True))
        confirmed = set(ResultVersion.objects.filter(contest__election=election, state="published")
                        .values_list("contest_id", flat=True))
        if contests - confirmed:
            raise DomainError(
                "%(value)s contests have no confirmed result yet",
                params={"value": len(contests - confirmed)},
                code="contests_not_confirmed",
            )


def do_change_election_state(election: Election, target: str, *, acting_user: Any, reason: str) -> Election:
    """Move the election along its lifecycle (``domain.lifecycle.ELECTION``), audited."""
    goal = ELECTION.state(target)
    authorize(acting_user, STATE_PERMISSION.get(goal, "elections.change_election"), election,
              what="changing the election's state")
    with transaction.atomic():
        locked = Election.objects.select_for_update().get(pk=election.pk)
        before = {"state": locked.state}
        new_state = ELECTION.check(locked.state, goal)
        _preconditions(locked, new_state)
        ELECTION.move(locked, new_state)
        locked.save(update_fields=["state"])
        record(actor=acting_user, action=Event.ELECTION_STATE, target=locked, before=before,
               after={"state": locked.state}, reason=reason)
    return locked


def do_extend_polling(election: Election, until: Any, *, acting_user: Any, reason: str) -> PollExtension:
    """The minister's extension of polling hours: only while polling, only later, with a reason."""
    authorize(acting_user, "elections.add_pollextension", election, states={ElectionState.POLLING},
              what="extending polling hours")
    if not (reason or "").strip():
        raise DomainError("an extension needs its reason", code="reason_missing")
    with transaction.atomic():
        locked = Election.objects.select_for_update().get(pk=election.pk)
        current = locked.effective_closing()
        if current is not None and until <= current:
            raise DomainError("an extension only moves the closing time later", code="extension_not_later")
        extension = PollExtension.objects.create(election=locked, until=until, reason=reason.strip(),
                                                 extended_by=getattr(acting_user, "username", str(acting_user)))
        record(actor=acting_user, action=Event.ELECTION_EXTEND, target=locked, before={"until": str(current)},
               after={"until": until.isoformat()}, reason=reason)
    return extension
