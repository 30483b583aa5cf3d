"""Object-level authority: a role's permission holds only inside the holder's appointment.

The rules come from django-rules: every permission of our apps is registered once with the
same predicate, ``holds_in_scope(perm)``, so no table grows by one block per app. A
permission holds on an object when the person

- holds it through a role (a group; the superuser flag and per-user permissions grant
  nothing here, so no production flow depends on them), and
- has an appointment in that role whose place covers the object's place: the same
  election, and the object's branch, or an area inside the appointment's area; a party
  representative only for a party they represent.

``user.has_perm(perm)`` without an object stays Django's model-level check (menus, admin).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import cache
from typing import Any

import rules


@dataclass(frozen=True)
class Place:
    """Where an object lies: every field None means the whole election (or HQ-wide)."""

    election_id: int | None = None
    area_path: str | None = None
    branch_id: int | None = None
    party_id: int | None = None


HQ_WIDE = Place()


def place_of(obj: Any) -> Place:
    """The place of any of our objects, found through its branch, contest, area or election."""
    if obj is None:
        return HQ_WIDE
    if isinstance(obj, Place):
        return obj
    label = getattr(getattr(obj, "_meta", None), "label", "")
    if label == "elections.Election":
        return Place(election_id=obj.pk)
    if label == "geography.Area":
        return Place(area_path=obj.path)
    if label == "elections.Branch":
        return Place(obj.election_id, obj.area.path, obj.pk)
    if label == "elections.Contest":
        return Place(obj.election_id, obj.area.path)
    party_id = getattr(obj, "party_id", None)
    for hop in ("branch", "contest", "committee", "candidate_list", "registration", "version", "device"):
        if getattr(obj, f"{hop}_id", None) is not None:
            inner = place_of(getattr(obj, hop))
            return Place(inner.election_id, inner.area_path, inner.branch_id, party_id or inner.party_id)
    if getattr(obj, "area_id", None) is not None:
        return Place(getattr(obj, "election_id", None), obj.area.path, None, party_id)
    return Place(getattr(obj, "election_id", None), None, None, party_id)


@cache
def roles_granting(perm: str) -> frozenset[str]:
    """The roles whose table entry (a name or a ``view_*`` pattern) grants ``perm``."""
    from entekhab.hq.accounts.roles import ROLE_PERMISSIONS

    return frozenset(role.value for role, patterns in ROLE_PERMISSIONS.items()
                     if any(fnmatch.fnmatchcase(perm, p) for p in patterns))


def role_permissions(user: Any) -> frozenset[str]:
    """``app.codename`` of every permission the user's groups hold (cached on the user object)."""
    cached = getattr(user, "_entekhab_role_perms", None)
    if cached is None:
        from django.contrib.auth.models import Permission

        cached = frozenset(
            f"{app}.{code}"
            for app, code in Permission.objects.filter(group__user=user).values_list(
                "content_type__app_label", "codename")
        )
        user._entekhab_role_perms = cached
    return cached


def appointments(user: Any) -> list[Any]:
    cached = getattr(user, "_entekhab_appointments", None)
    if cached is None:
        cached = list(user.appointments.select_related("area").all())
        user._entekhab_appointments = cached
    return cached


def forget(user: Any) -> None:
    """Drop the cached roles and appointments (after an appointment changes)."""
    for name in ("_entekhab_role_perms", "_entekhab_appointments", "_perm_cache", "_group_perm_cache",
                 "_user_perm_cache"):
        user.__dict__.pop(name, None)


def covers(appointment: Any, place: Place, user: Any) -> bool:
    if appointment.election_id is not None and appointment.election_id != place.election_id:
        return False
    if appointment.branch_id is not None and appointment.branch_id != place.branch_id:
        return False
    if appointment.area_id is not None and (
            place.area_path is None or not place.area_path.startswith(appointment.area.path)):
        return False
    if appointment.role == "party_representative" and place.party_id is not None:
        return user.parties.filter(pk=place.party_id).exists()
    return True


def holds(user: Any, perm: str, obj: Any) -> bool:
    """Whether ``user`` may use ``perm`` on ``obj`` (None: an HQ-wide action)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if perm not in role_permissions(user):
        return False
    granting = roles_granting(perm)
    place = place_of(obj)
    return any(a.role in granting and covers(a, place, user) for a in appointments(user))


def holds_in_scope(perm: str) -> rules.Predicate:
    @rules.predicate(name=f"in_scope:{perm}")
    def check(user: Any, obj: Any = None) -> bool:
        # Without an object this is the model-level question, which ModelBackend answers.
        return obj is not None and holds(user, perm, obj)

    return check


def register_rules() -> None:
    """Register every permission of every installed model with the scoped predicate."""
    from django.apps import apps
    from django.contrib.auth import get_permission_codename

    for model in apps.get_models():
        opts = model._meta
        names = [get_permission_codename(a, opts) for a in opts.default_permissions]
        names += [codename for codename, _ in opts.permissions]
        for codename in names:
            perm = f"{opts.app_label}.{codename}"
            if not rules.perm_exists(perm):
                rules.add_perm(perm, holds_in_scope(perm))
