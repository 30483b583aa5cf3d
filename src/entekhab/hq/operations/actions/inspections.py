"""Recording inspections; readiness and deficiency lists follow from the latest ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from entekhab.domain.readiness import (
    Body,
    Deficiency,
    ItemRating,
    Rating,
    Readiness,
    check_ratings,
    deficiency_lists,
    readiness,
)
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Branch, Election
from entekhab.hq.operations.actions.common import OperationRefused, need, text
from entekhab.hq.operations.models import Inspection, InspectionItem
from entekhab.i18n import en_fa


def do_record_inspection(branch: Branch, *, inspected_on: dt.date, inspector: str, ratings: Iterable[ItemRating],
                         notes: str = "", photos: Mapping[str, Any] | None = None, acting_user: Any) -> Inspection:
    """Record a complete inspection; the branch's readiness follows from its latest one."""
    need(acting_user, "add_inspection", branch)
    inspector = text(inspector, *en_fa("inspector"), max_length=150)
    checked = check_ratings(ratings)
    today = timezone.localdate()
    if inspected_on > today:
        raise OperationRefused("an inspection cannot be dated in the future",
                               code="date_in_future")
    with transaction.atomic():
        Branch.objects.select_for_update().get(pk=branch.pk)  # one writer of a branch's latest inspection
        previous = branch.inspections.filter(is_latest=True).first()
        is_latest = previous is None or inspected_on >= previous.inspected_on
        inspection = Inspection.objects.create(
            branch=branch, inspected_on=inspected_on, inspector=inspector, recorded_by=acting_user,
            recorded_at=timezone.now(), readiness=readiness(checked).value, notes=notes.strip(), is_latest=is_latest)
        if is_latest and previous is not None:
            Inspection.objects.filter(pk=previous.pk).update(is_latest=False)
        photos = photos or {}
        for r in checked:
            item = InspectionItem(inspection=inspection, code=r.code, rating=r.rating.value, body=r.body.value,
                                  note=r.note[:500], signal_dbm=r.signal_dbm)
            if photos.get(r.code):
                item.photo = photos[r.code]
            item.save()
        record(actor=acting_user, action=Event.INSPECTION_RECORD, target=inspection,
               before={"readiness": previous.readiness} if previous else None,
               after={"branch": branch.code, "readiness": inspection.readiness, "latest": is_latest,
                      "deficiencies": sum(r.rating.value != "compliant" for r in checked)})
    return inspection


def branch_readiness(branch: Branch) -> Readiness:
    latest = branch.inspections.filter(is_latest=True).first()
    return Readiness(latest.readiness) if latest else Readiness.NOT_INSPECTED


def readiness_by_branch(election: Election) -> dict[int, Readiness]:
    """Each branch's readiness (branch id → readiness); uninspected branches are NOT_INSPECTED."""
    found = dict(Inspection.objects.filter(branch__election=election, is_latest=True)
                 .values_list("branch_id", "readiness"))
    return {bid: Readiness(found.get(bid, Readiness.NOT_INSPECTED.value))
            for bid in Branch.objects.filter(election=election).values_list("id", flat=True)}


def election_deficiencies(election: Election, area_path: str = "") -> dict[Body, tuple[Deficiency, ...]]:
    """Deficiency lists per responsible body from every branch's latest inspection."""
    rows = (InspectionItem.objects
            .filter(inspection__branch__election=election, inspection__is_latest=True)
            .exclude(rating="compliant"))
    if area_path:
        rows = rows.filter(inspection__branch__area__path__startswith=area_path)
    latest: dict[str, list[ItemRating]] = {}
    for code, item_code, rating, body, note, signal in rows.values_list(
            "inspection__branch__code", "code", "rating", "body", "note", "signal_dbm"):
        latest.setdefault(code, []).append(ItemRating(item_code, Rating(rating), Body(body), note, signal))
    return deficiency_lists(latest)
