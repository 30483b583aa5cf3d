"""The personnel pool, training and certification, and the staged randomised assignment."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from entekhab.domain.draw import DrawResult, Entrant, Slot, pseudonyms, with_reserve
from entekhab.domain.national_code import parse_national_code
from entekhab.domain.sensitivity import LEVEL_RANK, Level, requirements
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Branch, Election
from entekhab.hq.geography.models import Area
from entekhab.hq.operations.actions.common import DRAW_STATES, OperationRefused, need, text
from entekhab.hq.operations.actions.draws import hold_draw
from entekhab.hq.operations.models import (
    Attendance,
    BranchSensitivity,
    Certification,
    Course,
    Draw,
    Person,
    QuizResult,
    StaffAssignment,
    TrainingClass,
)
from entekhab.hq.operations.policy import STAFF_RESERVE, allocation_region_code
from entekhab.i18n import en_fa

# Staff entrants are published under per-draw labels, never by national code (docs/operations.md).
STAFF_PSEUDONYM_PREFIX = {"region": "SR-", "branch": "SB-"}


def do_add_person(*, national_code: str, full_name: str, seconded_from: str, phone: str = "",
                  is_candidate: bool = False, relative_candidate_areas: list[Area] | None = None,
                  acting_user: Any) -> Person:
    need(acting_user, "add_person")
    code = parse_national_code(national_code)
    full_name = text(full_name, *en_fa("full name"), max_length=150)
    seconded_from = text(seconded_from, *en_fa("seconding body"), max_length=150)
    try:
        with transaction.atomic():
            person = Person.objects.create(national_code=code, full_name=full_name, seconded_from=seconded_from,
                                           phone=phone.strip()[:20], is_candidate=is_candidate)
            person.relative_candidate_areas.set(relative_candidate_areas or [])
            record(actor=acting_user, action=Event.STAFF_PERSON_ADD, target=person,
                   after={"national_code": code, "name": full_name, "candidate": is_candidate})
    except IntegrityError as exc:
        raise OperationRefused("national code %(code)s is already in the pool", params={"code": code},
                               code="duplicate") from exc
    return person


def do_record_attendance(training_class: TrainingClass, person: Person, *, present: bool,
                         acting_user: Any) -> Attendance:
    need(acting_user, "add_attendance", training_class)
    with transaction.atomic():
        row, _ = Attendance.objects.update_or_create(training_class=training_class, person=person,
                                                     defaults={"present": present})
        record(actor=acting_user, action=Event.STAFF_ATTENDANCE, target=row,
               after={"class": training_class.pk, "person": person.national_code, "present": present})
    return row


def do_record_quiz(course: Course, person: Person, *, score: int, taken_on: dt.date,
                   acting_user: Any) -> Certification | None:
    """Record a quiz score; a pass by someone who attended a class of the course certifies them.

    Returns the certification when one is granted (or already held), else ``None``: a fail
    or a missed class is an expected outcome, not an error.
    """
    need(acting_user, "add_quizresult", course)
    if not 0 <= score <= 100:
        raise OperationRefused("a score is 0-100, not %(score)s", params={"score": score},
                               code="score_range")
    with transaction.atomic():
        QuizResult.objects.create(course=course, person=person, score=score, taken_on=taken_on)
        attended = Attendance.objects.filter(training_class__course=course, person=person, present=True).exists()
        cert = None
        if score >= course.pass_mark and attended:
            cert, _ = Certification.objects.get_or_create(person=person, role=course.role,
                                                          defaults={"course": course, "certified_on": taken_on})
        record(actor=acting_user, action=Event.STAFF_QUIZ, target=person,
               after={"course": course.code, "score": score, "attended": attended, "certified": cert is not None})
    return cert


class _SlotsByArea:
    """The slots inside an area, found by the area's path prefix.

    Slots are sorted by their area's path once, so the slots under a path are one contiguous
    run found by bisection, and each area's set is built once: a Tehran-sized branch draw has
    about 30,000 slots and as many people with a declared relative, and scanning every slot
    for every one of them took most of the draw's time.
    """

    def __init__(self, slots: list[Slot], path_of: Callable[[str], str]) -> None:
        pairs = sorted((path_of(s.id), s.id) for s in slots)
        self._paths = [path for path, _ in pairs]
        self._ids = [sid for _, sid in pairs]
        self._memo: dict[str, frozenset[str]] = {}

    def within(self, area_path: str) -> frozenset[str]:
        if area_path not in self._memo:
            lo = bisect.bisect_left(self._paths, area_path)
            hi = lo
            while hi < len(self._paths) and self._paths[hi].startswith(area_path):
                hi += 1
            self._memo[area_path] = frozenset(self._ids[lo:hi])
        return self._memo[area_path]


def _excluded(paths: list[str], index: _SlotsByArea) -> frozenset[str]:
    """Slots inside any of the areas where the person declared a candidate relative."""
    out: frozenset[str] = frozenset()
    for area_path in paths:
        out |= index.within(area_path)
    return out


def _requirements_by_branch(election: Election) -> list[tuple[Branch, str, Level]]:
    levels = dict(BranchSensitivity.objects.filter(branch__election=election).values_list("branch_id", "level"))
    return [(b, allocation_region_code(b.area.path), Level(levels.get(b.id, "normal")))
            for b in Branch.objects.filter(election=election).select_related("area").order_by("code")]


def _conflict_paths() -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for pid, path in Person.relative_candidate_areas.through.objects.values_list("person_id", "area__path"):
        out[pid].append(path)
    return out


def do_draw_staff(election: Election, *, stage: str, seed: str, observers: str = "",
                  acting_user: Any) -> tuple[Draw, DrawResult]:
    """Stage ``region``: certified, conflict-free people → regions (needs plus the reserve share).
    Stage ``branch`` (close to polling day): each region's people → its branches, critical branches
    first; those left over are the region's reserves."""
    need(acting_user, "run_draw", election, states=DRAW_STATES)
    need(acting_user, "add_staffassignment", election, states=DRAW_STATES)
    if stage not in ("region", "branch"):
        raise OperationRefused("unknown stage %(stage)s: region or branch", params={"stage": repr(stage)},
                               code="stage_invalid")
    with transaction.atomic():
        plan = _requirements_by_branch(election)
        conflicts = _conflict_paths()
        if stage == "region":
            entrants, slots, targets, people = _region_stage(election, plan, conflicts)
        else:
            if not Draw.objects.filter(election=election, subject="staff", stage="region").exists():
                raise OperationRefused("draw staff to regions first",
                                       code="stage_order")
            entrants, slots, targets, people = _branch_stage(election, plan, conflicts)
        roster = [(label, _national_code(x)) for label, x in people.items()]
        draw, result = hold_draw(election, subject="staff", stage=stage, seed=seed, entrants=entrants, slots=slots,
                                 observers=observers, acting_user=acting_user, roster=roster)
        if stage == "region":
            StaffAssignment.objects.bulk_create([
                StaffAssignment(election=election, person=people[p.entrant], role=p.kind, region=targets[p.slot])
                for p in result.placements], batch_size=1000)
        else:
            by_branch: dict[Branch, list[int]] = defaultdict(list)
            for p in result.placements:
                by_branch[targets[p.slot]].append(people[p.entrant].pk)
            for branch, pks in by_branch.items():  # one UPDATE per branch, not one per row
                StaffAssignment.objects.filter(pk__in=pks).update(branch=branch)
            reserves = [people[r].pk for r in result.reserves]
            for i in range(0, len(reserves), 900):
                StaffAssignment.objects.filter(pk__in=reserves[i:i + 900]).update(is_reserve=True)
    return draw, result


def _region_stage(election, plan, conflicts):
    needs: dict[tuple[str, str], int] = defaultdict(int)
    for _b, region, level in plan:
        for role, n in requirements(level).staff.items():
            needs[(region, role.value)] += n
    regions = {a.code: a for a in Area.objects.filter(code__in={r for r, _ in needs})}
    slots = []
    for (region, role), n in sorted(needs.items()):
        if n > 0:  # needs first everywhere, then the reserves (priority 1)
            slots.append(Slot(f"{region}/{role}", role, n))
            slots.append(Slot(f"{region}/{role}/reserve", role, with_reserve(n, STAFF_RESERVE) - n, 1))
    targets = {s.id: regions[s.id.split("/")[0]] for s in slots}
    assigned = set(StaffAssignment.objects.filter(election=election).values_list("person_id", flat=True))
    roles: dict[int, set[str]] = defaultdict(set)
    for pid, role in Certification.objects.values_list("person_id", "role"):
        roles[pid].add(role)
    people = {}
    entrants = []
    index = _SlotsByArea(slots, lambda sid: targets[sid].path)
    pool = list(Person.objects.filter(is_candidate=False, id__in=roles).exclude(id__in=assigned).order_by(
        "national_code"))
    names = pseudonyms((p.national_code for p in pool), STAFF_PSEUDONYM_PREFIX["region"])
    for person in pool:
        excluded = _excluded(conflicts.get(person.id, []), index)
        label = names[person.national_code]
        entrants.append(Entrant(label, frozenset(roles[person.id]), excluded))
        people[label] = person
    return entrants, slots, targets, people


def _branch_stage(election, plan, conflicts):
    slots, targets = [], {}
    for b, region, level in plan:
        for role, n in requirements(level).staff.items():
            if n:
                sid = f"{b.code}/{role.value}"
                slots.append(Slot(sid, f"{role.value}@{region}", n, -LEVEL_RANK[level]))
                targets[sid] = b
    people, entrants = {}, []
    index = _SlotsByArea(slots, lambda sid: targets[sid].area.path)
    pending = StaffAssignment.objects.filter(
        Q(branch__isnull=True) & Q(is_reserve=False), election=election).select_related("person", "region")
    pending = list(pending.order_by("person__national_code"))
    names = pseudonyms((a.person.national_code for a in pending), STAFF_PSEUDONYM_PREFIX["branch"])
    for a in pending:
        paths = conflicts.get(a.person_id, [])
        excluded = _excluded(paths, index)
        label = names[a.person.national_code]
        entrants.append(Entrant(label, frozenset({f"{a.role}@{a.region.code}"}), excluded))
        people[label] = a
    return entrants, slots, targets, people


def _national_code(entry: Person | StaffAssignment) -> str:
    return entry.national_code if isinstance(entry, Person) else entry.person.national_code


def staffing_gaps(election: Election) -> list[tuple[str, str, int, int]]:
    """Branches whose assigned staff fall short of their sensitivity level's requirements:
    (branch code, role, required, assigned)."""
    have: dict[tuple[int, str], int] = defaultdict(int)
    for bid, role in StaffAssignment.objects.filter(election=election, branch__isnull=False).values_list(
            "branch_id", "role"):
        have[(bid, role)] += 1
    gaps = []
    for b, _region, level in _requirements_by_branch(election):
        for role, n in requirements(level).staff.items():
            if have[(b.id, role.value)] < n:
                gaps.append((b.code, role.value, n, have[(b.id, role.value)]))
    return gaps

