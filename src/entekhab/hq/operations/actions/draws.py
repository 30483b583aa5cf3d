"""Holding a public draw and keeping it so anyone can redo it (``domain.draw`` does the drawing)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from entekhab.domain.draw import DrawResult, Entrant, Slot, check_seed, run_draw, seed_commitment
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Election
from entekhab.hq.operations.actions.common import OperationRefused
from entekhab.hq.operations.models import Draw


def inputs_json(entrants: Sequence[Entrant], slots: Sequence[Slot]) -> dict:
    return {
        "entrants": [[e.id, sorted(e.kinds), sorted(e.excluded)] for e in entrants],
        "slots": [[s.id, s.kind, s.seats, s.priority] for s in slots],
    }


def inputs_from_json(data: dict) -> tuple[list[Entrant], list[Slot]]:
    entrants = [Entrant(e[0], frozenset(e[1]), frozenset(e[2])) for e in data["entrants"]]
    slots = [Slot(s[0], s[1], s[2], s[3]) for s in data["slots"]]
    return entrants, slots


def hold_draw(election: Election, *, subject: str, stage: str, seed: str, entrants: Sequence[Entrant],
              slots: Sequence[Slot], observers: str, acting_user: Any) -> tuple[Draw, DrawResult]:
    """Run the draw and store seed, inputs, result and digest; call inside the caller's transaction."""
    seed = check_seed(seed)
    if Draw.objects.filter(election=election, subject=subject, stage=stage).exists():
        raise OperationRefused(f"the {subject} draw to {stage}s has already been held",
                               "این مرحله قرعه‌کشی پیش‌تر برگزار شده است", code="draw_done")
    if not entrants:
        raise OperationRefused("there is nothing to draw", "چیزی برای قرعه‌کشی وجود ندارد", code="draw_empty")
    label = f"{election.code}/{subject}/{stage}"
    result = run_draw(seed, label, entrants, slots)
    try:
        with transaction.atomic():
            draw = Draw.objects.create(
                election=election, subject=subject, stage=stage, seed=seed, seed_commitment=seed_commitment(seed),
                label=label, inputs=inputs_json(entrants, slots), result=result.as_dict(), digest=result.digest,
                drawn_at=timezone.now(), drawn_by=acting_user, observers=observers.strip()[:2000])
    except IntegrityError as exc:
        raise OperationRefused("the draw has already been held", "این مرحله قرعه‌کشی پیش‌تر برگزار شده است",
                               code="draw_done") from exc
    record(actor=acting_user, action=Event(f"draw.{subject}.{stage}"), target=draw,
           after={"seed": seed, "digest": result.digest, "placed": len(result.placements),
                  "reserves": len(result.reserves), "shortfalls": sum(s.missing for s in result.shortfalls)})
    return draw, result


def rerun(draw: Draw) -> DrawResult:
    """The draw redone from its stored seed and inputs: observers compare ``digest`` with the published one."""
    entrants, slots = inputs_from_json(draw.inputs)
    return run_draw(draw.seed, draw.label, entrants, slots)
