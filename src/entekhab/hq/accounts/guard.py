"""The one guard every ``do_*`` action calls first: who, on what, and in which election state.

In the manner of Helios's ``election_admin(frozen=…)``, each action states at its top the
permission it needs and the lifecycle states it is allowed in::

    authorize(acting_user, "results.approve_resultversion", version, states={ElectionState.COUNTING})

The permission must hold *on that object* (``scope.holds``: role, appointment, area,
branch, party), and the object's election must be in one of ``states``. Views, the API,
the CLI and the demo reach actions only through ``do_*``, so they all pass here; the
device endpoint, which has no user, calls :func:`require_state`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied

from entekhab.domain.digits import LIST_SEPARATOR
from entekhab.domain.errors import DomainError
from entekhab.domain.lifecycle import ELECTION, ElectionState
from entekhab.hq.accounts import scope
from entekhab.i18n import en_fa, gettext_in


class AuthorityRefused(PermissionDenied):
    """A 403 that names what was refused, in both languages."""

    code = "forbidden"

    def __init__(self, message_en: str, message_fa: str, *, code: str = "forbidden"):
        super().__init__(message_en)
        self.message_en, self.message_fa, self.code = message_en, message_fa, code


class WrongState(DomainError):
    """The election's lifecycle does not allow this action now (HTTP 409)."""

    code = "election_state"
    http_status = 409


def election_state(election_id: int) -> ElectionState:
    """The election's state as committed now, not as a cached object remembers it."""
    from entekhab.hq.elections.models import Election

    return ELECTION.state(Election.objects.values_list("state", flat=True).get(pk=election_id))


def check_state(current: str, states: Iterable[ElectionState], what_en: str = "this action",
                what_fa: str | None = None) -> None:
    """Refuse unless ``current`` is one of ``states``, naming both in both languages."""
    allowed, now = frozenset(states), ELECTION.state(current)
    if now in allowed:
        return
    order = list(ElectionState)
    names_fa = LIST_SEPARATOR.join(f"«{ELECTION.fa(s)}»" for s in sorted(allowed, key=order.index))
    names_en = ", ".join(s.value for s in sorted(allowed, key=order.index))
    raise WrongState(
        "%(what_en)s is not allowed while the election is %(value)s (allowed in: %(names_en)s)",
        params={
            "what_en": what_en,
            "value": now.value,
            "names_en": names_en,
            "what_fa": what_fa or gettext_in("fa", what_en),
            "now": ELECTION.fa(now),
            "names_fa": names_fa,
        },
    )


def require_state(election_id: int | None, states: Iterable[ElectionState] | None, what_en: str = "this action",
                  what_fa: str | None = None) -> None:
    """:func:`check_state` against the election's state as committed now."""
    if states is None or election_id is None:
        return
    check_state(election_state(election_id), states, what_en, what_fa)


def authorize(user: Any, perm: str | None, obj: Any = None, *, states: Iterable[ElectionState] | None = None,
              what: str = "this action") -> None:
    """Refuse unless ``user`` holds ``perm`` on ``obj`` and its election is in ``states``.

    ``perm=None`` is an action open to the public (a candidate's own registration): only the
    state is checked.
    """
    place = scope.place_of(obj)  # once: it may follow foreign keys
    if perm is not None and not scope.holds(user, perm, place):
        who = getattr(user, "username", None) or "anonymous"
        raise AuthorityRefused(
            *en_fa(
                "%(who)s may not use %(perm)s on this object (role, area, branch or party)",
                who=who,
                perm=perm,
                what_fa=gettext_in("fa", what),
            ),
        )
    require_state(place.election_id, states, perm or what, gettext_in("fa", what))
