"""Holding a public draw and keeping it so anyone can redo it (``domain.draw`` does the drawing)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from entekhab.domain.draw import (
    PUBLIC_DRAW_TYPE,
    DrawResult,
    Entrant,
    Slot,
    check_seed,
    inputs_as_json,
    inputs_digest,
    inputs_from_json,
    roster_digest,
    run_draw,
    seed_commitment,
)
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Election
from entekhab.hq.operations.actions.common import OperationRefused
from entekhab.hq.operations.models import Draw
from entekhab.hq.operations.models.draws import draw_counts

inputs_json = inputs_as_json  # the stored and the published form are one (domain.draw)


def hold_draw(election: Election, *, subject: str, stage: str, seed: str, entrants: Sequence[Entrant],
              slots: Sequence[Slot], observers: str, acting_user: Any,
              roster: Sequence[tuple[str, str]] = ()) -> tuple[Draw, DrawResult]:
    """Run the draw and store seed, inputs, result and digest; call inside the caller's transaction.

    ``roster`` pairs each pseudonymous entrant with the person behind it (staff draws): it is
    kept privately with a salted digest that is published, so the public inputs name nobody.
    """
    seed = check_seed(seed)
    if Draw.objects.filter(election=election, subject=subject, stage=stage).exists():
        raise OperationRefused(
            "the %(subject)s draw to %(stage)ss has already been held",
            params={"subject": subject, "stage": stage},
            code="draw_done",
        )
    if not entrants:
        raise OperationRefused("there is nothing to draw", code="draw_empty")
    label = f"{election.code}/{subject}/{stage}"
    result = run_draw(seed, label, entrants, slots)
    private: dict[str, Any] = {}
    roster_sha = ""
    if roster:
        salt = secrets.token_hex(16)
        private = {"salt": salt, "entrants": sorted([p, s] for p, s in roster)}
        roster_sha = roster_digest(label, salt, roster)
    try:
        with transaction.atomic():
            draw = Draw.objects.create(
                election=election, subject=subject, stage=stage, seed=seed, seed_commitment=seed_commitment(seed),
                label=label, inputs=inputs_json(entrants, slots), inputs_sha256=inputs_digest(entrants, slots),
                roster=private, roster_digest=roster_sha, result=result.as_dict(), digest=result.digest,
                summary=draw_counts(inputs_json(entrants, slots), result.as_dict()),
                drawn_at=timezone.now(), drawn_by=acting_user, observers=observers.strip()[:2000])
    except IntegrityError as exc:
        raise OperationRefused("the draw has already been held",
                               code="draw_done") from exc
    record(actor=acting_user, action=Event(f"draw.{subject}.{stage}"), target=draw,
           after={"seed": seed, "digest": result.digest, "placed": len(result.placements),
                  "reserves": len(result.reserves), "shortfalls": sum(s.missing for s in result.shortfalls)})
    return draw, result


def rerun(draw: Draw) -> DrawResult:
    """The draw redone from its stored seed and inputs: observers compare ``digest`` with the published one."""
    entrants, slots = inputs_from_json(draw.inputs)
    return run_draw(draw.seed, draw.label, entrants, slots)


def public_document(draw: Draw) -> dict[str, Any]:
    """The draw as published (``entekhab/public-draw/1``): all an observer needs to redo it, and no names.

    ``entekhab ops rerun-draw FILE`` (``domain.draw.check_public_draw``) reads exactly this.
    """
    return {
        "type": PUBLIC_DRAW_TYPE,
        "election": draw.election.code,
        "subject": draw.subject,
        "stage": draw.stage,
        "label": draw.label,
        "seed_commitment": draw.seed_commitment,
        "seed": draw.seed,
        "inputs_sha256": draw.inputs_sha256 or inputs_digest(*inputs_from_json(draw.inputs)),
        "roster_sha256": draw.roster_digest,
        "drawn_at": draw.drawn_at.isoformat(),
        "observers": draw.observers,
        "inputs": draw.inputs,
        "result": draw.result,
        "result_sha256": draw.digest,
    }
