"""Explicit lifecycles: a state enum and the transitions allowed between its states.

Every object with a lifecycle (the election, a party's list, a device enrolment, a
branch's polling day) has one state field, and every change of it goes through
:meth:`Lifecycle.check`, so the allowed moves live in one table per lifecycle and
nothing assigns a state directly. Timestamps and who moved it belong to the audit
trail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from entekhab.domain.errors import DomainError
from entekhab.i18n import N_, Catalogued, pgettext_in


class TransitionRefused(DomainError):
    code = "transition_refused"


class ElectionState(StrEnum):
    """The election's phases (DOMAIN.md §5); each action states the phases it is allowed in."""

    DRAFT = "draft"  # contests, areas and branches are being defined
    REGISTRATION = "registration"  # candidates register (each contest's own window inside it)
    VETTING = "vetting"  # the boards vet; lists are formed
    LISTS_FINAL = "lists_final"  # candidates, lists and codes final; manifests are signed
    READY = "ready"  # manifests signed and devices enrolled: polling may open
    POLLING = "polling"  # polling day, with the minister's extensions
    CLOSED = "closed"  # polls closed; late reports and offline batches still arrive
    COUNTING = "counting"  # results are computed and certified contest by contest
    CERTIFIED = "certified"  # every contest's result confirmed by the supervisory board
    PUBLISHED = "published"  # the final open data is out; nothing changes any more


ELECTION_STATE_FA: dict[ElectionState, str] = Catalogued("election state", {
    ElectionState.DRAFT: N_("draft"),
    ElectionState.REGISTRATION: N_("registration"),
    ElectionState.VETTING: N_("vetting"),
    ElectionState.LISTS_FINAL: N_("lists final"),
    ElectionState.READY: N_("ready"),
    ElectionState.POLLING: N_("polling"),
    ElectionState.CLOSED: N_("closed"),
    ElectionState.COUNTING: N_("counting"),
    ElectionState.CERTIFIED: N_("certified"),
    ElectionState.PUBLISHED: N_("published"),
})


S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class Lifecycle(Generic[S]):
    """One lifecycle: its name (for messages), its states and the moves between them."""

    name_en: str
    name_fa: str
    states: type[S]
    moves: Mapping[S, frozenset[S]]
    names_fa: Mapping[S, str] | None = None

    def state(self, value: str) -> S:
        try:
            return self.states(value)
        except ValueError as exc:
            raise TransitionRefused(
                "unknown %(name_en)s state %(value)s",
                params={"name_en": self.name_en, "value": repr(value), "value2": value, "name_fa": self.name_fa},
                code="unknown_state",
            ) from exc

    def fa(self, state: S) -> str:
        """The state's Persian name: from the table given, else its (translated) choice label."""
        if self.names_fa and state in self.names_fa:
            return self.names_fa[state]
        return str(getattr(state, "label", state.value))

    def check(self, current: str, target: str) -> S:
        """The target state, or TransitionRefused naming both states in both languages."""
        cur, new = self.state(current), self.state(target)
        if new not in self.moves.get(cur, frozenset()):
            raise TransitionRefused(
                "a %(name_en)s cannot go from %(cur)s to %(new)s",
                params={
                    "name_en": self.name_en,
                    "cur": cur,
                    "new": new,
                    "name_fa": self.name_fa,
                    "cur2": self.fa(cur),
                    "new2": self.fa(new),
                },
            )
        return new

    def move(self, obj: object, target: str, *, field: str = "state") -> S:
        """Check the move from ``obj``'s state to ``target`` and make it on ``obj`` (not saved).

        The one way application code changes a lifecycle state; the database's transition
        triggers (``hq/lifecycles.py``) refuse the same moves for any path that bypasses it.
        """
        new = self.check(getattr(obj, field), target)
        setattr(obj, field, new.value)
        return new

    def pairs(self) -> list[tuple[str, str]]:
        """Every allowed (from, to) move, sorted: what the database triggers are built from."""
        return sorted((a.value, b.value) for a, targets in self.moves.items() for b in targets)


def moves_of(transitions: Iterable[tuple[Iterable[S], S]]) -> dict[S, frozenset[S]]:
    """The state-to-state moves of an event table whose rows name their sources and target.

    Lifecycles whose moves are events with roles and deadlines (a candidacy's vetting, a
    device's logistics) keep those richer tables; this projects them onto a ``Lifecycle`` so
    the same ``move`` and the same database trigger guard them too.
    """
    out: dict[S, set[S]] = {}
    for sources, target in transitions:
        for source in sources:
            out.setdefault(source, set()).add(target)
    return {k: frozenset(v) for k, v in out.items()}


E = ElectionState
ELECTION = Lifecycle(
    "election", pgettext_in("fa", "lifecycle", "election"), ElectionState,
    {
        E.DRAFT: frozenset({E.REGISTRATION}),
        E.REGISTRATION: frozenset({E.VETTING, E.DRAFT}),  # back to draft only before vetting starts
        E.VETTING: frozenset({E.LISTS_FINAL}),
        E.LISTS_FINAL: frozenset({E.READY}),
        E.READY: frozenset({E.POLLING}),
        # Extensions keep the election in POLLING and move its closing time (PollExtension).
        E.POLLING: frozenset({E.CLOSED}),
        E.CLOSED: frozenset({E.COUNTING}),
        E.COUNTING: frozenset({E.CERTIFIED}),
        # A recount ordered by the supervisory board reopens counting; a by-election is a
        # new election of its own, never a reopened one.
        E.CERTIFIED: frozenset({E.PUBLISHED, E.COUNTING}),
        E.PUBLISHED: frozenset(),
    },
    ELECTION_STATE_FA,
)

# Phases grouped as actions name them.
BEFORE_LISTS_FINAL = frozenset({E.DRAFT, E.REGISTRATION, E.VETTING})
PREPARATION = frozenset({E.DRAFT, E.REGISTRATION, E.VETTING, E.LISTS_FINAL, E.READY})
POLLING_DAY = frozenset({E.POLLING, E.CLOSED})
AFTER_POLLING = frozenset({E.CLOSED, E.COUNTING, E.CERTIFIED, E.PUBLISHED})
NOT_PUBLISHED = frozenset(set(E) - {E.PUBLISHED})
ANY_STATE = frozenset(E)


def path_to(current: str, target: str) -> list[ElectionState]:
    """The forward moves from ``current`` to ``target`` (empty if already there)."""
    cur, goal = ELECTION.state(current), ELECTION.state(target)
    order = list(ElectionState)
    if order.index(goal) < order.index(cur):
        raise TransitionRefused(
            "the election is already past %(goal)s", params={"goal": goal, "goal2": ELECTION.fa(goal)}
        )
    return order[order.index(cur) + 1: order.index(goal) + 1]
