"""Vetting of a registration as an explicit state machine: states, actions, roles, deadlines.

registered → under_review (executive board; the four inquiries are answered here)
→ approved | rejected (executive board, a rejection needs reasons) → appealed (by the
registrant, against a rejection) → upheld | overturned (supervisory board) → final
(approved or rejected, by the supervisory board). Withdrawal is possible from any
state before final. Each action names the one deadline it must meet (inclusive, a
Tehran calendar day) and, for finalising an unappealed rejection, the deadline that
must have *passed* first (the appeal window stays open until then).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from entekhab.domain.digits import to_persian_digits
from entekhab.domain.errors import DomainError
from entekhab.domain.jalali import format_jalali
from entekhab.domain.lifecycle import Lifecycle, TransitionRefused, moves_of
from entekhab.i18n import both, gettext_in, pgettext_in


class RoleRefused(DomainError):
    code = "role_refused"


class DeadlinePassed(DomainError):
    code = "deadline_passed"


class TooEarly(DomainError):
    code = "too_early"


class VettingState(StrEnum):
    REGISTERED = "registered"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    APPEALED = "appealed"
    UPHELD = "upheld"  # the supervisory board upheld the rejection
    OVERTURNED = "overturned"  # the supervisory board overturned it: approved
    FINAL_APPROVED = "final_approved"
    FINAL_REJECTED = "final_rejected"
    WITHDRAWN = "withdrawn"


STATE_NAMES: Mapping[VettingState, tuple[str, str]] = MappingProxyType({
    VettingState.REGISTERED: both("registered"),
    VettingState.UNDER_REVIEW: both("under review by the executive board"),
    VettingState.APPROVED: both("approved by the executive board"),
    VettingState.REJECTED: both("rejected by the executive board"),
    VettingState.APPEALED: both("appealed to the supervisory board"),
    VettingState.UPHELD: both("rejection upheld"),
    VettingState.OVERTURNED: both("rejection overturned"),
    VettingState.FINAL_APPROVED: both("final: approved candidate"),
    VettingState.FINAL_REJECTED: both("final: rejected"),
    VettingState.WITHDRAWN: both("withdrawn"),
})

FINAL_STATES = frozenset({VettingState.FINAL_APPROVED, VettingState.FINAL_REJECTED, VettingState.WITHDRAWN})
# States whose holder counts as an approved candidate (may stand on a list, is shown publicly).
APPROVED_STATES = frozenset({VettingState.APPROVED, VettingState.OVERTURNED, VettingState.FINAL_APPROVED})


class VettingRole(StrEnum):
    EXECUTIVE_BOARD = "executive_board"
    SUPERVISORY_BOARD = "supervisory_board"
    HQ_ADMIN = "hq_admin"
    REGISTRANT = "registrant"  # the person who registered, proven by the access key they received


class Stage(StrEnum):
    """The deadlines a contest's schedule sets (each inclusive, in Tehran days)."""

    REVIEW = "review"
    APPEAL = "appeal"
    SUPERVISION = "supervision"


class Action(StrEnum):
    START_REVIEW = "start_review"
    APPROVE = "approve"
    REJECT = "reject"
    APPEAL = "appeal"
    UPHOLD = "uphold"
    OVERTURN = "overturn"
    FINALISE = "finalise"
    WITHDRAW = "withdraw"


@dataclass(frozen=True)
class Transition:
    action: Action
    source: VettingState
    target: VettingState
    roles: frozenset[VettingRole]
    deadline: Stage | None = None
    not_before_end_of: Stage | None = None
    needs_reason: bool = False


_EB = frozenset({VettingRole.EXECUTIVE_BOARD})
_SB = frozenset({VettingRole.SUPERVISORY_BOARD})
_PERSON = frozenset({VettingRole.REGISTRANT, VettingRole.HQ_ADMIN})
S, A = VettingState, Action

TRANSITIONS: tuple[Transition, ...] = (
    Transition(A.START_REVIEW, S.REGISTERED, S.UNDER_REVIEW, _EB, Stage.REVIEW),
    Transition(A.APPROVE, S.UNDER_REVIEW, S.APPROVED, _EB, Stage.REVIEW),
    Transition(A.REJECT, S.UNDER_REVIEW, S.REJECTED, _EB, Stage.REVIEW, needs_reason=True),
    Transition(A.APPEAL, S.REJECTED, S.APPEALED, _PERSON, Stage.APPEAL, needs_reason=True),
    Transition(A.UPHOLD, S.APPEALED, S.UPHELD, _SB, Stage.SUPERVISION, needs_reason=True),
    Transition(A.OVERTURN, S.APPEALED, S.OVERTURNED, _SB, Stage.SUPERVISION, needs_reason=True),
    Transition(A.FINALISE, S.APPROVED, S.FINAL_APPROVED, _SB, Stage.SUPERVISION),
    Transition(A.FINALISE, S.OVERTURNED, S.FINAL_APPROVED, _SB, Stage.SUPERVISION),
    Transition(A.FINALISE, S.UPHELD, S.FINAL_REJECTED, _SB, Stage.SUPERVISION),
    Transition(A.FINALISE, S.REJECTED, S.FINAL_REJECTED, _SB, Stage.SUPERVISION, not_before_end_of=Stage.APPEAL),
    *(
        Transition(A.WITHDRAW, s, S.WITHDRAWN, _PERSON)
        for s in VettingState
        if s not in FINAL_STATES
    ),
)
# The state-to-state projection of the table above: what ``CANDIDACY.move`` and the
# database's transition trigger allow; the roles, deadlines and reasons stay in ``check_transition``.
CANDIDACY = Lifecycle(
    "candidacy",
    pgettext_in("fa", "lifecycle", "candidacy"),
    VettingState,
    moves_of(((t.source,), t.target) for t in TRANSITIONS),
    {s: fa for s, (fa, _) in STATE_NAMES.items()},
)
_BY_KEY: Mapping[tuple[VettingState, Action], Transition] = MappingProxyType(
    {(t.source, t.action): t for t in TRANSITIONS}
)


def transition_for(state: str, action: str) -> Transition:
    """The transition ``action`` makes from ``state``, or TransitionRefused naming both."""
    try:
        src, act = VettingState(state), Action(action)
    except ValueError:
        raise TransitionRefused(
            "unknown state or action: %(state)s, %(action)s", params={"state": repr(state), "action": repr(action)}
        ) from None
    found = _BY_KEY.get((src, act))
    if found is None:
        raise TransitionRefused(
            "cannot %(value)s a registration that is %(value2)s",
            params={"value": act.value, "value2": src.value, "value3": STATE_NAMES[src][0]},
        )
    return found


def actions_from(state: str, roles: Iterable[str]) -> tuple[Action, ...]:
    """The actions these roles may take from ``state`` (deadlines aside), for showing buttons."""
    mine = {VettingRole(r) for r in roles if r in VettingRole.__members__.values()}
    return tuple(dict.fromkeys(t.action for t in TRANSITIONS if t.source == state and t.roles & mine))


def check_transition(
    state: str,
    action: str,
    roles: Iterable[str],
    today: dt.date,
    deadlines: Mapping[Stage, dt.date | None],
    reason: str = "",
) -> Transition:
    """The transition if ``roles`` may make it today; else a refusal that says why.

    Order of checks: state and action, role, reason, deadline met, waiting period over.
    """
    t = transition_for(state, action)
    mine = {r for r in roles}
    if not any(r.value in mine for r in t.roles):
        allowed = ", ".join(sorted(r.value for r in t.roles))
        raise RoleRefused(
            "only %(allowed)s may %(value)s (you act as: %(value2)s)",
            params={"allowed": allowed, "value": t.action.value, "value2": ", ".join(sorted(mine)) or "nobody"},
        )
    if t.needs_reason and not reason.strip():
        raise TransitionRefused("%(value)s needs a reason", params={"value": t.action.value})
    if t.deadline is not None:
        last = deadlines.get(t.deadline)
        if last is not None and today > last:
            raise DeadlinePassed(
                "the %(value)s deadline (%(isoformat)s) has passed",
                params={
                    "value": t.deadline.value,
                    "isoformat": last.isoformat(),
                    "value2": to_persian_digits(t.deadline.value),
                    "last": format_jalali(last),
                },
            )
    if t.not_before_end_of is not None:
        end = deadlines.get(t.not_before_end_of)
        if end is None or today <= end:
            shown = end.isoformat() if end else "unset"
            raise TooEarly(
                "wait until the %(value)s deadline (%(shown)s) has passed",
                params={
                    "value": t.not_before_end_of.value,
                    "shown": shown,
                    "value2": format_jalali(end) if end else gettext_in("fa", "undetermined"),
                },
            )
    return t
