"""Appointing people to roles: the only way roles change, done by the user administrator, audited.

Separation of duties (issue 13, DOMAIN §4):

- nobody changes their own roles, groups, permissions or flags;
- the superuser flag is never granted here, and per-user permissions are never set
  (roles are the only source of rights);
- the user administrator holds no other role, so it can never compute, approve or confirm;
- one person is never on both the executive board and the supervisory board, since the
  second supervises the first.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from entekhab.hq.accounts import scope
from entekhab.hq.accounts.guard import AuthorityRefused, authorize
from entekhab.hq.accounts.models import Appointment
from entekhab.hq.accounts.roles import ROLE_NAMES_FA, Role
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.i18n import en_fa, gettext_in

# Roles one person may not hold together, with the reason a reader is given.
INCOMPATIBLE: list[tuple[frozenset[Role], str, str]] = [
    (frozenset({Role.EXECUTIVE_BOARD, Role.SUPERVISORY_BOARD}),
     *en_fa("the supervisory board supervises the executive board")),
]


class SeparationRefused(AuthorityRefused):
    pass


def _refuse(code: str, en: str, fa: str) -> None:
    raise SeparationRefused(en, fa, code=code)


def _check_roles(roles: set[Role]) -> None:
    if Role.USER_ADMIN in roles and len(roles) > 1:
        _refuse("user_admin_alone", *en_fa("the user administrator holds no other role"))
    for pair, en, fa in INCOMPATIBLE:
        if pair <= roles:
            names = gettext_in("fa", " and ").join(ROLE_NAMES_FA[r] for r in sorted(pair))
            _refuse(
                "incompatible_roles",
                *en_fa(
                    "one person cannot hold %(pair)s: %(en)s", pair=", ".join(sorted(pair)), en=en, names=names, fa=fa
                ),
            )


def _not_self(target: Any, acting_user: Any) -> None:
    if getattr(acting_user, "pk", None) == target.pk:
        _refuse("self_change", *en_fa("nobody changes their own roles or rights"))


def _sync_groups(user: Any) -> list[str]:
    names = sorted(set(user.appointments.values_list("role", flat=True)))
    user.groups.set(Group.objects.filter(name__in=names))
    user.user_permissions.clear()
    scope.forget(user)
    return names


def _appoint(user: Any, role: str, *, actor: Any, actor_name: str, election: Any, area: Any, branch: Any,
             reason: str, audit_repeat: bool) -> Appointment:
    """The one appointing path: superuser and separation checks, the row, the groups, the audit event."""
    role = Role(role)
    if user.is_superuser:
        _refuse("superuser", *en_fa("a superuser account takes no appointment"))
    with transaction.atomic():
        held = set(Role(r) for r in user.appointments.values_list("role", flat=True))
        _check_roles(held | {role})
        appointment, created = Appointment.objects.get_or_create(
            user=user, role=role.value, election=election, area=area, branch=branch,
            defaults={"appointed_by": actor_name, "reason": reason})
        roles = _sync_groups(user)
        if created or audit_repeat:
            record(actor=actor, action=Event.ACCOUNTS_APPOINT, target=user,
                   before={"roles": sorted(r.value for r in held)},
                   after={"roles": roles, "role": role.value, "area": getattr(area, "code", None),
                          "branch": getattr(branch, "code", None), "election": getattr(election, "code", None)},
                   reason=reason)
    return appointment


def do_appoint(user: Any, role: str, *, acting_user: Any, election: Any = None, area: Any = None,
               branch: Any = None, reason: str = "") -> Appointment:
    """Appoint ``user`` to ``role`` in an area, a branch or the whole election."""
    authorize(acting_user, "accounts.add_appointment", election)
    _not_self(user, acting_user)
    return _appoint(user, role, actor=acting_user, actor_name=acting_user.username, election=election, area=area,
                    branch=branch, reason=reason, audit_repeat=True)


def do_revoke(appointment: Appointment, *, acting_user: Any, reason: str = "") -> None:
    authorize(acting_user, "accounts.delete_appointment", appointment.election)
    user = appointment.user
    _not_self(user, acting_user)
    with transaction.atomic():
        before = sorted(set(user.appointments.values_list("role", flat=True)))
        what = str(appointment)
        appointment.delete()
        roles = _sync_groups(user)
        record(actor=acting_user, action=Event.ACCOUNTS_REVOKE, target=user, before={"roles": before},
               after={"roles": roles, "revoked": what}, reason=reason)


def do_set_active(user: Any, active: bool, *, acting_user: Any, reason: str = "") -> Any:
    """Enable or disable an account (the only account flag this system changes)."""
    authorize(acting_user, "auth.change_user", None)
    _not_self(user, acting_user)
    with transaction.atomic():
        before = user.is_active
        user.is_active = active
        user.save(update_fields=["is_active"])
        record(actor=acting_user, action=Event.ACCOUNTS_ACTIVE, target=user, before={"active": before},
               after={"active": active}, reason=reason)
    return user


def bootstrap_appointment(user: Any, role: str, *, by: str, election: Any = None, area: Any = None,
                          branch: Any = None, reason: str = "") -> Appointment:
    """An appointment made from the server's shell (the first user administrator, the demo).

    Whoever can run this already holds the database; it is audited under ``system:<by>``
    (once, when the appointment is new) and obeys the same separation rules as :func:`do_appoint`.
    """
    return _appoint(user, role, actor=f"system:{by}", actor_name=f"system:{by}", election=election, area=area,
                    branch=branch, reason=reason, audit_repeat=False)
