"""Devices through their life: registration, lifecycle events, the two-stage draw, replacement."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from entekhab.domain.device_lifecycle import DEVICE, DeviceEvent, DeviceKind, DeviceState, transition
from entekhab.domain.draw import DrawResult, Entrant, Slot, with_reserve
from entekhab.domain.sensitivity import LEVEL_RANK, Level
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Branch, Election
from entekhab.hq.geography.models import Area
from entekhab.hq.operations.actions.common import DRAW_STATES, OperationRefused, need
from entekhab.hq.operations.actions.draws import hold_draw
from entekhab.hq.operations.models import BranchSensitivity, Device, DeviceLog, DeviceReplacement, Draw
from entekhab.hq.operations.policy import DEVICE_RESERVE, DEVICES_PER_BRANCH, allocation_region_code

SERIAL = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")
DIGEST = re.compile(r"^[0-9a-f]{64}$")


def _actor_name(user: Any) -> str:
    return getattr(user, "username", None) or "system"


def do_register_device(*, serial: str, kind: str, model_name: str = "", place: str = "HQ warehouse",
                       acting_user: Any) -> Device:
    need(acting_user, "add_device")
    serial = serial.strip().upper()
    if not SERIAL.match(serial):
        raise OperationRefused(
            "serial %(serial)s is not 4-40 letters, digits or dashes",
            params={"serial": repr(serial)},
            code="serial_invalid",
        )
    if kind not in DeviceKind.__members__.values():
        raise OperationRefused("unknown device kind %(kind)s", params={"kind": repr(kind)}, code="kind_invalid")
    with transaction.atomic():
        if Device.objects.filter(serial=serial).exists():
            raise OperationRefused("serial %(serial)s is already registered", params={"serial": serial},
                                   code="duplicate")
        device = Device.objects.create(serial=serial, kind=kind, model_name=model_name[:80])
        DeviceLog.objects.create(device=device, event="receive", from_state="", to_state=device.state,
                                 at=timezone.now(), actor=acting_user, actor_name=_actor_name(acting_user),
                                 place=place[:120])
        record(actor=acting_user, action=Event.DEVICE_REGISTER, target=device, after={"serial": serial, "kind": kind})
    return device


def do_device_event(device: Device, event: str, *, place: str, note: str = "", acting_user: Any) -> Device:
    """Apply one lifecycle event; the role and the state machine must both allow it, else nothing changes."""
    t = transition(device.state, event)
    need(acting_user, t.permission, device)
    if not place.strip():
        raise OperationRefused("say where the event happens", code="place_missing")
    with transaction.atomic():
        locked = Device.objects.select_for_update().get(pk=device.pk)
        t = transition(locked.state, event)  # the state may have moved since the caller read it
        if t.event is DeviceEvent.DEPLOY and locked.branch_id is None:
            raise OperationRefused(
                "%(serial)s has not been drawn to a branch", params={"serial": locked.serial}, code="no_branch"
            )
        if t.event is DeviceEvent.REPLACE:
            raise OperationRefused("use the replacement procedure, which transfers the journal", code="use_replacement")
        before = {"state": locked.state, "branch": locked.branch_id, "region": locked.region_id}
        DEVICE.move(locked, t.target)
        if t.event in (DeviceEvent.RELEASE, DeviceEvent.RETURN):
            locked.branch, locked.region = None, None
        locked.save(update_fields=["state", "branch", "region"])
        DeviceLog.objects.create(device=locked, event=t.event.value, from_state=before["state"], to_state=locked.state,
                                 at=timezone.now(), actor=acting_user, actor_name=_actor_name(acting_user),
                                 place=place.strip()[:120], note=note[:300])
        record(actor=acting_user, action=Event(f"device.{t.event.value}"), target=locked, before=before,
               after={"state": locked.state}, reason=note)
    return locked


def do_replace_device(faulty: Device, replacement: Device, *, journal_entries: int, journal_head: str,
                      witnesses: str = "", acting_user: Any) -> DeviceReplacement:
    """A reserve of the same kind and region takes over; the faulty unit's journal transfer is recorded."""
    need(acting_user, "replace_device", faulty)
    journal_head = journal_head.strip().lower()
    if not DIGEST.match(journal_head) or journal_entries < 0:
        raise OperationRefused("the journal head must be a SHA-256 hex digest and the count non-negative",
                               code="journal_invalid")
    with transaction.atomic():
        old = Device.objects.select_for_update().get(pk=faulty.pk)
        new = Device.objects.select_for_update().get(pk=replacement.pk)
        transition(old.state, DeviceEvent.REPLACE)
        if new.state != DeviceState.ALLOCATED or new.branch_id is not None or new.kind != old.kind \
                or new.region_id != old.region_id:
            raise OperationRefused(
                "the replacement must be an allocated reserve of the same kind in the same region",
                code="bad_replacement",
            )
        now = timezone.now()
        branch = old.branch
        DEVICE.move(old, DeviceState.REPLACED)
        old.save(update_fields=["state"])
        # The reserve is deployed and put into service in one procedure: two moves, as its log says.
        new.branch = branch
        DEVICE.move(new, DeviceState.DEPLOYED)
        new.save(update_fields=["branch", "state"])
        DEVICE.move(new, DeviceState.IN_SERVICE)
        new.save(update_fields=["state"])
        name = _actor_name(acting_user)
        DeviceLog.objects.bulk_create([
            DeviceLog(device=old, event="replace", from_state="faulty", to_state="replaced", at=now, actor=acting_user,
                      actor_name=name, place=branch.code, note=f"→ {new.serial}"),
            DeviceLog(device=new, event="deploy", from_state="allocated", to_state="deployed", at=now,
                      actor=acting_user, actor_name=name, place=branch.code, note=f"replaces {old.serial}"),
            DeviceLog(device=new, event="start_service", from_state="deployed", to_state="in_service", at=now,
                      actor=acting_user, actor_name=name, place=branch.code,
                      note=f"journal of {old.serial}: {journal_entries} entries, head {journal_head[:16]}…"),
        ])
        rep = DeviceReplacement.objects.create(faulty=old, replacement=new, branch=branch,
                                               journal_entries=journal_entries, journal_head=journal_head,
                                               transferred_at=now, transferred_by=acting_user,
                                               witnesses=witnesses[:300])
        record(actor=acting_user, action=Event.DEVICE_REPLACE, target=rep,
               after={"faulty": old.serial, "replacement": new.serial, "branch": branch.code,
                      "journal_entries": journal_entries, "journal_head": journal_head})
    return rep


def _branch_levels(election: Election) -> dict[int, str]:
    return dict(BranchSensitivity.objects.filter(branch__election=election).values_list("branch_id", "level"))


def device_slots(election: Election, stage: str) -> tuple[list[Slot], dict[str, Any]]:
    """The slots of a device draw stage and a lookup from slot id to its target (area or branch)."""
    branches = list(Branch.objects.filter(election=election).select_related("area").order_by("code"))
    levels = _branch_levels(election)
    if stage == "region":
        need_per_region: Counter[str] = Counter(allocation_region_code(b.area.path) for b in branches)
        regions = {a.code: a for a in Area.objects.filter(code__in=need_per_region)}
        slots, targets = [], {}
        for code, n in sorted(need_per_region.items()):
            for kind, per in DEVICES_PER_BRANCH.items():
                # What the branches need is drawn first everywhere, then the reserves: a short
                # supply shows as missing reserves, not as branches without devices.
                need = n * per
                slots.append(Slot(f"{code}/{kind}", kind.value, need))
                slots.append(Slot(f"{code}/{kind}/reserve", kind.value, with_reserve(need, DEVICE_RESERVE) - need, 1))
                targets[f"{code}/{kind}"] = targets[f"{code}/{kind}/reserve"] = regions[code]
        return slots, targets
    slots, targets = [], {}
    for b in branches:
        region = allocation_region_code(b.area.path)
        for kind, per in DEVICES_PER_BRANCH.items():
            sid = f"{b.code}/{kind}"
            slots.append(Slot(sid, f"{kind}@{region}", per, -LEVEL_RANK[Level(levels.get(b.id, "normal"))]))
            targets[sid] = b
    return slots, targets


def do_draw_devices(election: Election, *, stage: str, seed: str, observers: str = "",
                    acting_user: Any) -> tuple[Draw, DrawResult]:
    """Stage ``region``: tested devices → regions (needs plus the reserve share).
    Stage ``branch``: each region's devices → its branches; the rest stay as the region's reserve."""
    need(acting_user, "run_draw", election, states=DRAW_STATES)
    need(acting_user, "allocate_device", election, states=DRAW_STATES)
    if stage not in ("region", "branch"):
        raise OperationRefused("unknown stage %(stage)s: region or branch", params={"stage": repr(stage)},
                               code="stage_invalid")
    with transaction.atomic():
        if stage == "branch" and not Draw.objects.filter(election=election, subject="devices", stage="region").exists():
            raise OperationRefused("draw devices to regions first",
                                   code="stage_order")
        slots, targets = device_slots(election, stage)
        if stage == "region":
            devices = {d.serial: d for d in Device.objects.filter(state=DeviceState.TESTED, region__isnull=True,
                                                                   kind__in=[k.value for k in DEVICES_PER_BRANCH])}
            entrants = [Entrant(s, frozenset({d.kind})) for s, d in sorted(devices.items())]
        else:
            devices = {d.serial: d for d in Device.objects.filter(state=DeviceState.ALLOCATED, branch__isnull=True,
                                                                   region__isnull=False).select_related("region")}
            entrants = [Entrant(s, frozenset({f"{d.kind}@{d.region.code}"})) for s, d in sorted(devices.items())]
        draw, result = hold_draw(election, subject="devices", stage=stage, seed=seed, entrants=entrants,
                                 slots=slots, observers=observers, acting_user=acting_user)
        now, name = timezone.now(), _actor_name(acting_user)
        by_target: dict[Any, list[int]] = {}
        logs = []
        for p in result.placements:
            d, target = devices[p.entrant], targets[p.slot]
            by_target.setdefault(target, []).append(d.pk)
            logs.append(DeviceLog(device=d, event="allocate", from_state="tested" if stage == "region" else "allocated",
                                  to_state="allocated", at=now, actor=acting_user, actor_name=name,
                                  place=target.code, note=f"draw {draw.digest[:16]}"))
        # One UPDATE per region or branch: far faster than a row-by-row bulk update at Tehran scale.
        for target, pks in by_target.items():
            for i in range(0, len(pks), 900):
                chunk = Device.objects.filter(pk__in=pks[i:i + 900])
                if stage == "region":
                    chunk.update(region=target, state=DeviceState.ALLOCATED.value)
                else:
                    chunk.update(branch=target)
        DeviceLog.objects.bulk_create(logs, batch_size=2000)
    return draw, result
