from __future__ import annotations

import datetime as dt
import itertools

import pytest

from entekhab.domain.lifecycle import TransitionRefused
from entekhab.domain.vetting import (
    FINAL_STATES,
    TRANSITIONS,
    Action,
    DeadlinePassed,
    RoleRefused,
    Stage,
    TooEarly,
    VettingRole,
    VettingState,
    actions_from,
    check_transition,
    transition_for,
)

TODAY = dt.date(2026, 1, 20)
OPEN = {Stage.REVIEW: TODAY, Stage.APPEAL: TODAY, Stage.SUPERVISION: TODAY}
AFTER_APPEALS = {Stage.REVIEW: TODAY, Stage.APPEAL: TODAY - dt.timedelta(days=1), Stage.SUPERVISION: TODAY}


@pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_every_allowed_transition_works_for_each_of_its_roles(t):
    deadlines = AFTER_APPEALS if t.not_before_end_of else OPEN
    for role in t.roles:
        assert check_transition(t.source, t.action, {role.value}, TODAY, deadlines, "reason").target is t.target


@pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_every_other_role_is_refused(t):
    deadlines = AFTER_APPEALS if t.not_before_end_of else OPEN
    for role in set(VettingRole) - t.roles:
        with pytest.raises(RoleRefused):
            check_transition(t.source, t.action, {role.value}, TODAY, deadlines, "reason")


def test_every_pair_of_state_and_action_outside_the_table_is_refused():
    allowed = {(t.source, t.action) for t in TRANSITIONS}
    for state, action in itertools.product(VettingState, Action):
        if (state, action) in allowed:
            continue
        with pytest.raises(TransitionRefused):
            check_transition(state, action, {r.value for r in VettingRole}, TODAY, OPEN, "reason")


@pytest.mark.parametrize("t", [t for t in TRANSITIONS if t.deadline], ids=lambda t: f"{t.source}-{t.action}")
def test_after_the_deadline_is_refused_on_the_deadline_it_is_allowed(t):
    role = next(iter(t.roles)).value
    deadlines = dict(AFTER_APPEALS if t.not_before_end_of else OPEN)
    check_transition(t.source, t.action, {role}, deadlines[t.deadline], deadlines, "reason")
    with pytest.raises(DeadlinePassed):
        check_transition(t.source, t.action, {role}, deadlines[t.deadline] + dt.timedelta(days=1), deadlines, "r")


def test_an_unappealed_rejection_becomes_final_only_after_the_appeal_window():
    sb = {VettingRole.SUPERVISORY_BOARD.value}
    with pytest.raises(TooEarly):
        check_transition(VettingState.REJECTED, Action.FINALISE, sb, TODAY, OPEN)
    with pytest.raises(TooEarly):
        check_transition(VettingState.REJECTED, Action.FINALISE, sb, TODAY, {Stage.SUPERVISION: TODAY})
    assert check_transition(VettingState.REJECTED, Action.FINALISE, sb, TODAY, AFTER_APPEALS).target is (
        VettingState.FINAL_REJECTED)


def test_rejection_and_appeal_decisions_need_reasons():
    for t in TRANSITIONS:
        if t.needs_reason:
            with pytest.raises(TransitionRefused, match="reason"):
                check_transition(t.source, t.action, {r.value for r in t.roles}, TODAY, OPEN, "  ")


def test_withdrawal_from_every_state_before_final_and_never_after():
    for state in VettingState:
        roles = {VettingRole.REGISTRANT.value}
        if state in FINAL_STATES:
            with pytest.raises(TransitionRefused):
                transition_for(state, Action.WITHDRAW)
        else:
            assert check_transition(state, Action.WITHDRAW, roles, TODAY, OPEN).target is VettingState.WITHDRAWN


def test_the_full_path_through_an_appeal():
    path = [(Action.START_REVIEW, "executive_board"), (Action.REJECT, "executive_board"), (Action.APPEAL, "registrant"),
            (Action.OVERTURN, "supervisory_board"), (Action.FINALISE, "supervisory_board")]
    state = VettingState.REGISTERED
    for action, role in path:
        state = check_transition(state, action, {role}, TODAY, OPEN, "why").target
    assert state is VettingState.FINAL_APPROVED


def test_actions_offered_to_a_role():
    assert actions_from("under_review", ["executive_board"]) == (Action.APPROVE, Action.REJECT)
    assert actions_from("under_review", ["supervisory_board"]) == ()
    assert Action.APPEAL in actions_from("rejected", ["registrant"])


def test_unknown_states_and_actions_are_refused():
    with pytest.raises(TransitionRefused):
        transition_for("limbo", "approve")
    with pytest.raises(TransitionRefused):
        transition_for("registered", "bribe")
