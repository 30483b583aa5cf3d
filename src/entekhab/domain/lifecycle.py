"""Explicit lifecycles: a state enum and the transitions allowed between states.

Timestamps belong to the audit trail; what an object may do next follows from
its one state field.
"""

from __future__ import annotations

from enum import StrEnum

from entekhab.domain.errors import DomainError


class TransitionRefused(DomainError):
    code = "transition_refused"


class ElectionState(StrEnum):
    DRAFT = "draft"
    CANDIDACY = "candidacy"  # registration and vetting
    CAMPAIGN = "campaign"
    POLLING = "polling"
    COUNTING = "counting"
    CERTIFIED = "certified"
    PUBLISHED = "published"


ELECTION_TRANSITIONS: dict[ElectionState, frozenset[ElectionState]] = {
    ElectionState.DRAFT: frozenset({ElectionState.CANDIDACY}),
    ElectionState.CANDIDACY: frozenset({ElectionState.CAMPAIGN, ElectionState.DRAFT}),
    ElectionState.CAMPAIGN: frozenset({ElectionState.POLLING}),
    ElectionState.POLLING: frozenset({ElectionState.COUNTING}),
    ElectionState.COUNTING: frozenset({ElectionState.CERTIFIED}),
    ElectionState.CERTIFIED: frozenset({ElectionState.PUBLISHED, ElectionState.COUNTING}),
    ElectionState.PUBLISHED: frozenset(),
}


def check_election_transition(current: str, target: str) -> ElectionState:
    """The target state, or TransitionRefused naming both states."""
    try:
        cur, new = ElectionState(current), ElectionState(target)
    except ValueError as exc:
        raise TransitionRefused(
            f"unknown election state {target!r}", "وضعیت انتخابات نامعتبر است"
        ) from exc
    if new not in ELECTION_TRANSITIONS[cur]:
        raise TransitionRefused(
            f"an election cannot go from {cur} to {new}",
            f"انتخابات نمی‌تواند از وضعیت «{cur}» به «{new}» برود",
        )
    return new
