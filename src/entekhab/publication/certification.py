"""Certification of a contest's result: an explicit lifecycle with who may take each step.

    computed ──approve (executive board)──▶ approved ──confirm (supervisory board)──▶ published
                                               └────return with reasons (supervisory board)──▶ returned

A returned version stays as it was (with the reasons); the executive board computes a
new version. A published version is never changed: a correction is a new version that
goes through the same steps and, once published, supersedes it.

Ballots never exceed accepted check-ins without a resolved incident: a branch whose
ballots for the contest exceed its check-ins blocks approval and confirmation until a
resolved incident explains exactly those counts (:func:`check_excess`).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from entekhab.domain.digits import CLAUSE_SEPARATOR, to_persian_digits
from entekhab.domain.errors import DomainError
from entekhab.domain.lifecycle import Lifecycle, moves_of
from entekhab.i18n import N_, Catalogued, en_fa, render
from entekhab.publication.totals import BallotExcess


class CertificationRefused(DomainError):
    code = "certification_refused"


class ResultState(StrEnum):
    COMPUTED = "computed"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETURNED = "returned"


class CertificationStep(StrEnum):
    APPROVE = "approve"
    CONFIRM = "confirm"
    RETURN = "return"


STATE_NAMES_FA = Catalogued("state names", {
    ResultState.COMPUTED: N_("computed"),
    ResultState.APPROVED: N_("approved"),
    ResultState.PUBLISHED: N_("published"),
    ResultState.RETURNED: N_("returned"),
})

# step → (from state, to state, the permission it needs, whether a reason is required)
STEPS: dict[CertificationStep, tuple[ResultState, ResultState, str, bool]] = {
    CertificationStep.APPROVE: (ResultState.COMPUTED, ResultState.APPROVED, "results.approve_resultversion", False),
    CertificationStep.CONFIRM: (ResultState.APPROVED, ResultState.PUBLISHED, "results.confirm_resultversion", False),
    CertificationStep.RETURN: (ResultState.APPROVED, ResultState.RETURNED, "results.confirm_resultversion", True),
}

# A result version's lifecycle: the projection of the steps, what ``RESULT.move`` and the database allow.
RESULT = Lifecycle(*en_fa("result version"), ResultState,
                   moves_of(((source,), target) for source, target, _, _ in STEPS.values()), STATE_NAMES_FA)


def check_step(state: str, step: str, reason: str = "") -> tuple[ResultState, str]:
    """The state after ``step`` and the permission it needs, or CertificationRefused naming why."""
    try:
        current, wanted = ResultState(state), CertificationStep(step)
    except ValueError as exc:
        raise CertificationRefused("unknown certification step %(step)s", params={"step": repr(step)}) from exc
    source, target, perm, needs_reason = STEPS[wanted]
    if current is not source:
        raise CertificationRefused(
            "cannot %(value)s a result that is %(value2)s (it must be %(value3)s)",
            params={
                "value": wanted.value,
                "value2": current.value,
                "value3": source.value,
                "value4": STATE_NAMES_FA[current],
            },
            code="wrong_state",
        )
    if needs_reason and not reason.strip():
        raise CertificationRefused("sending a result back needs the reasons", code="reason_required")
    return target, perm


# Policy: the incident kinds whose resolution explains a branch's ballots above its check-ins.
EXCESS_EXPLAINED_BY = frozenset({"excess_ballots"})


def excess_reason(excess: BallotExcess) -> tuple[str, str]:
    """One excess in words: (English, Persian)."""
    return en_fa(
        "branch %(branch)s: %(ballots)s ballots but %(checkins)s accepted check-ins (%(excess)s more)"
        " in contest %(contest)s",
        branch=excess.branch,
        ballots=excess.ballots,
        checkins=excess.checkins,
        excess=excess.excess,
        contest=excess.contest,
        ballots2=to_persian_digits(excess.ballots),
        checkins2=to_persian_digits(excess.checkins),
        excess2=to_persian_digits(excess.excess),
    )


def check_excess(unexplained: Sequence[BallotExcess]) -> None:
    """Refuse certification while any branch has more ballots than check-ins and no resolved incident says why."""
    if not unexplained:
        return
    reasons = [excess_reason(e) for e in unexplained]
    raise CertificationRefused(
        "more ballots than accepted check-ins, not explained by a resolved incident: "
        + "; ".join(en for en, _ in reasons),
        render("more ballots than accepted check-ins, not explained by a resolved incident: %(reasons)s",
               {"reasons": CLAUSE_SEPARATOR.join(fa for _, fa in reasons)}, "fa"),
        code="excess_ballots",
    )
