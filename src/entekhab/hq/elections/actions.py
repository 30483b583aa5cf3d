"""Every write to elections goes through a ``do_*`` action: role check, transaction, audit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from entekhab.domain.errors import DomainError
from entekhab.domain.lifecycle import check_election_transition
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Contest, Election

CONTEST_EDITABLE = ("seats", "alternates", "list_mix_policy", "alternates_policy", "max_codes", "name_fa", "name_en")


def require_perm(user: Any, perm: str) -> None:
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(f"{getattr(user, 'username', 'anonymous')} lacks {perm}")


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return model_to_dict(obj, fields=list(fields))


def do_update_contest(contest: Contest, changes: dict[str, Any], *, acting_user: Any, reason: str = "") -> Contest:
    """Change a contest's editable fields; unknown fields or invalid values change nothing."""
    require_perm(acting_user, "elections.change_contest")
    unknown = set(changes) - set(CONTEST_EDITABLE)
    if unknown:
        raise DomainError(
            f"these contest fields cannot be changed: {', '.join(sorted(unknown))}",
            "این ویژگی‌های رقابت قابل تغییر نیستند: " + "، ".join(sorted(unknown)),
            code="field_not_editable",
        )
    if contest.election.state not in ("draft", "candidacy"):
        raise DomainError(
            f"contests are frozen once the election is in state {contest.election.state}",
            "پس از آغاز تبلیغات، ویژگی‌های رقابت تغییر نمی‌کند",
            code="election_frozen",
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
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
                "مقدار نامعتبر: " + "؛ ".join(exc.message_dict),
                code="invalid_contest",
            ) from exc
        locked.save()
        record(actor=acting_user, action=Event.CONTEST_UPDATE, target=locked, before=before,
               after=_snapshot(locked, CONTEST_EDITABLE), reason=reason)
    return locked


def do_change_election_state(election: Election, target: str, *, acting_user: Any, reason: str) -> Election:
    require_perm(acting_user, "elections.change_election")
    with transaction.atomic():
        locked = Election.objects.select_for_update().get(pk=election.pk)
        new_state = check_election_transition(locked.state, target)
        before = {"state": locked.state}
        locked.state = new_state.value
        locked.save(update_fields=["state"])
        record(actor=acting_user, action=Event.ELECTION_STATE, target=locked, before=before,
               after={"state": locked.state}, reason=reason)
    return locked
