"""The demo election's named officials, and its walk along the election lifecycle.

Each demo account holds one role for the whole election, so the demo shows separation of
duties as the law wants it: HQ (``demo``) runs the calendar and computes, the executive
board (``demo-executive``) approves, the supervisory board (``demo-supervisor``) confirms.
Passwords are set and printed by ``entekhab demo``; until then the accounts cannot log in.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from entekhab.domain.lifecycle import ElectionState, TransitionRefused, path_to
from entekhab.hq.accounts.actions import bootstrap_appointment
from entekhab.hq.accounts.roles import Role
from entekhab.hq.demo.content import demo_content
from entekhab.hq.elections.actions import STATE_PERMISSION, do_change_election_state

DEMO_USERS: list[tuple[str, Role]] = [
    ("demo", Role.HQ_ADMIN),
    ("demo-users", Role.USER_ADMIN),
    ("demo-executive", Role.EXECUTIVE_BOARD),
    ("demo-supervisor", Role.SUPERVISORY_BOARD),
    ("demo-observer", Role.OBSERVER),
]
ROLE_OF = dict(DEMO_USERS)


def demo_user(username: str) -> User:
    """The named demo official, created without a usable password and appointed on first use."""
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    if created:
        user.set_unusable_password()
        user.save()
    bootstrap_appointment(user, ROLE_OF[username], by="demo", reason=demo_content("people")["appointment_reason"])
    return User.objects.get(pk=user.pk)  # fresh permission caches


def advance_to(election: Any, target: ElectionState, *, reason: str = "demo calendar") -> Any:
    """Walk the election forward to ``target``, each move by the role the law gives it.

    An election already at or past ``target`` stays where it is: the actions that follow
    then say plainly whether its state allows them.
    """
    hq, supervisor = demo_user("demo"), demo_user("demo-supervisor")
    election.refresh_from_db(fields=["state"])
    order = list(ElectionState)
    if order.index(ElectionState(election.state)) >= order.index(target):
        return election
    for state in path_to(election.state, target):
        actor = supervisor if state in STATE_PERMISSION else hq
        election = do_change_election_state(election, state.value, acting_user=actor, reason=reason)
    return election


def rewind_for_demo(election_code: str, target: ElectionState, why: str) -> None:
    """Set a *demo* election back to ``target`` when its simulated polling day is thrown away.

    The lifecycle never moves backwards for a person; replacing simulated data is not a
    person's act but the demo tool's, so it is audited as ``demo.rewind`` and refused for
    any election that is not the demo's.
    """
    from entekhab.hq.audit.events import Event
    from entekhab.hq.audit.log import record
    from entekhab.hq.demo.generate import ELECTION_CODE
    from entekhab.hq.elections.models import Election

    if election_code != ELECTION_CODE:
        raise TransitionRefused(
            "only the demo election %(election_code)s is rewound", params={"election_code": ELECTION_CODE}
        )
    election = Election.objects.select_for_update().get(code=election_code)
    order = list(ElectionState)
    if order.index(ElectionState(election.state)) <= order.index(target):
        return
    before = election.state
    Election.objects.filter(pk=election.pk).update(state=target.value)
    record(actor="system:demo", action=Event.DEMO_REWIND, target=election, before={"state": before},
           after={"state": target.value}, reason=why)
