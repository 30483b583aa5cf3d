"""Assessing a branch's sensitivity from its facts (domain.sensitivity decides the level)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from entekhab.domain.sensitivity import Level, PastResult, Reason, level_for, reasons_for
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Branch
from entekhab.hq.operations.actions.common import OperationRefused, need
from entekhab.hq.operations.models import BranchSensitivity


def assess(branch: Branch, *, past_incidents: int, past: PastResult | None,
           declared: Iterable[str]) -> tuple[frozenset[Reason], Level]:
    try:
        declared_reasons = [Reason(r) for r in declared]
    except ValueError as exc:
        raise OperationRefused("unknown sensitivity reason") from exc
    reasons = reasons_for(rural=not branch.is_urban, past_incidents=past_incidents, past=past,
                          declared=declared_reasons)
    return reasons, level_for(reasons)


def do_assess_sensitivity(branch: Branch, *, past_incidents: int = 0, past: PastResult | None = None,
                          declared: Iterable[str] = (), note: str = "", acting_user: Any) -> BranchSensitivity:
    need(acting_user, "change_branchsensitivity", branch)
    declared = list(declared)
    reasons, level = assess(branch, past_incidents=past_incidents, past=past, declared=declared)
    with transaction.atomic():
        row, _ = BranchSensitivity.objects.select_for_update().get_or_create(branch=branch)
        before = {"level": row.level, "reasons": row.reasons}
        row.level, row.reasons = level.value, sorted(reasons)
        row.past_incidents, row.declared, row.note = past_incidents, sorted(declared), note[:300]
        row.past_eligible = past.eligible if past else None
        row.past_cast = past.cast if past else None
        row.past_top_votes = past.top_votes if past else None
        row.save()
        record(actor=acting_user, action=Event.SENSITIVITY_ASSESS, target=row, before=before,
               after={"level": row.level, "reasons": row.reasons})
    return row


def level_of(branch: Branch) -> Level:
    row = BranchSensitivity.objects.filter(branch=branch).first()
    return Level(row.level) if row else Level.NORMAL
