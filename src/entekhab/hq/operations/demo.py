"""Demo operations data: committees, decrees, meetings, action items, sensitivity, links,
inspections with realistic deficiencies, devices (two per branch plus reserves) and a staff pool.

Deterministic from the demo seed; written with bulk inserts so the ``tehran`` scale (≈ 6,700
branches, ≈ 17,000 devices, ≈ 85,000 people) loads in seconds. Draws are not held here: they are
held in front of observers with ``entekhab ops draw-devices`` and ``entekhab ops draw-staff``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from entekhab.domain.device_lifecycle import DeviceKind, DeviceState
from entekhab.domain.digits import to_persian_digits
from entekhab.domain.national_code import check_digit
from entekhab.domain.readiness import CHECKLIST, MIN_SIGNAL_DBM, Body, Rating, readiness, responsible_body
from entekhab.domain.readiness import ItemRating as Rated
from entekhab.domain.sensitivity import PastResult, level_for, reasons_for, requirements
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.demo.content import demo_content
from entekhab.hq.operations.models import (
    ActionItem,
    Attendance,
    BranchSensitivity,
    Certification,
    Committee,
    CommitteeMember,
    Course,
    Decree,
    Device,
    DeviceLog,
    Inspection,
    InspectionItem,
    Link,
    Meeting,
    Person,
    QuizResult,
    TrainingClass,
)
from entekhab.hq.operations.policy import DEVICES_PER_BRANCH

Step = Callable[[str, int], None]
DEMO_BATCH = "demo"

# The Persian names, titles and notes are data, kept beside the code: hq/demo/data/content.json.
_TEXT = demo_content("operations")

FIRST: list[str] = _TEXT["given_names"]
LAST: list[str] = _TEXT["family_names"]
BODIES: list[str] = _TEXT["seconding_bodies"]  # where the staff are seconded from

# (kind, Persian name, English name)
COMMITTEES: list[tuple[str, str, str]] = [
    (kind, names["name_fa"], names["name_en"]) for kind, names in _TEXT["committees"].items()
]

# (title, owner person, owner body): each is owned by a person or by a body, not both.
ACTIONS: list[tuple[str, str, Body | None]] = [
    (a["title"], a["owner_person"], Body(a["owner_body"]) if a["owner_body"] else None) for a in _TEXT["action_items"]
]

# What an inspector writes for a deficient checklist item, by item code.
DEFICIENCY_NOTES: dict[str, str] = _TEXT["deficiency_notes"]

# How often each item is found deficient (per two thousand inspected branches) and how often that means relocation.
DEFICIENCY_RATE = {
    "power.mains": 20, "power.backup": 140, "network.fibre": 220, "network.landline": 40, "network.mobile": 90,
    "space.capacity": 50, "space.waiting": 120, "access.ground_floor": 35, "access.ramp": 260, "access.entrance": 60,
    "security.perimeter": 45, "security.storage": 80, "comfort.lighting": 40, "comfort.heating": 110, "toilets": 150,
}
RELOCATE_SHARE = {"access.ground_floor": 0.5, "space.capacity": 0.4}

# (code, title, role, pass mark)
COURSES: list[tuple[str, str, str, int]] = [
    (code, _TEXT["course_titles"][code], role, mark)
    for code, role, mark in (
        ("branch-head", "branch_head", 70),
        ("secretary", "secretary", 60),
        ("member", "member", 60),
        ("device-operator", "device_operator", 75),
        ("inspector", "inspector", 70),
        ("governor-rep", "governor_rep", 65),
    )
]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _national_code(rng: random.Random, used: set[str]) -> str:
    while True:
        nine = f"{rng.randrange(1, 10)}{rng.randrange(10**8):08d}"
        code = nine + str(check_digit(nine))
        if code not in used and len(set(code)) > 1:
            used.add(code)
            return code


def load_operations_demo(election: Any, demo: Any, *, step: Step | None = None) -> dict[str, int]:
    step = step or (lambda what, n: None)
    rng = random.Random(f"entekhab-ops-demo:{demo.scale}:{demo.seed}")
    Device.objects.filter(batch=DEMO_BATCH).delete()
    Person.objects.filter(batch=DEMO_BATCH).delete()
    Course.objects.filter(code__startswith=f"{election.code}-").delete()
    branches = list(election.branches.select_related("area").order_by("number"))
    polling = election.polling_date
    now = timezone.now()
    counts: dict[str, int] = {}

    step("committees, decrees and meetings", len(COMMITTEES))
    committees, members = [], []
    for kind, fa, en in COMMITTEES:
        committees.append(Committee.objects.create(election=election, kind=kind, name_fa=fa, name_en=en))
    for c in committees:
        for k in range(rng.randrange(3, 6)):
            rank = _TEXT["member_titles"]["head" if k == 0 else "member"]
            members.append(CommitteeMember(committee=c, full_name=_name(rng), title=rank,
                                           organisation=rng.choice(BODIES), is_head=k == 0))
    CommitteeMember.objects.bulk_create(members)
    heads = {m.committee_id: m for m in CommitteeMember.objects.filter(committee__election=election, is_head=True)}
    decrees = []
    decree = _TEXT["decree"]
    for n, c in enumerate(committees, start=1):
        decrees.append(Decree(
            election=election, number=decree["number"].format(election=election.code, n=n),
            issued_on=polling - dt.timedelta(days=90 - n),
            issuer=_name(rng), issuer_title=decree["issuer_title"],
            appointee=heads[c.pk].full_name, role=decree["role"].format(committee=c.name_fa), committee=c,
            body=decree["body"].format(committee=c.name_fa)))
    Decree.objects.bulk_create(decrees)
    meetings = []
    for c in committees:
        for k in range(2):
            meetings.append(Meeting.objects.create(
                committee=c, held_at=timezone.make_aware(dt.datetime.combine(polling - dt.timedelta(days=60 - 20 * k),
                                                                             dt.time(10, 0))),
                place=_TEXT["meeting"]["place"],
                resolutions=_TEXT["meeting"]["resolutions"].format(number=to_persian_digits(k + 1))))
    for m in meetings:
        m.attendees.set([x for x in members if x.committee_id == m.committee_id][:3])
    statuses = ["open", "open", "in_progress", "done", "done", "cancelled"]
    items = []
    for k, (title, person, body) in enumerate(ACTIONS):
        items.append(ActionItem(election=election, meeting=meetings[k % len(meetings)], title=title,
                                owner_person=person, owner_body=body.value if body else "",
                                due_on=polling - dt.timedelta(days=40 - 4 * k), status=statuses[k % len(statuses)]))
    ActionItem.objects.bulk_create(items)
    counts.update(committees=len(committees), decrees=len(decrees), meetings=len(meetings), action_items=len(items))

    step("sensitivity and network links", len(branches))
    sens, links = [], []
    for b in branches:
        eligible = max(b.eligible_estimate, 200)
        anomalous = rng.random() < 0.03
        cast = int(eligible * (rng.uniform(0.91, 0.99) if anomalous else rng.uniform(0.25, 0.7)))
        top = int(cast * (rng.uniform(0.76, 0.95) if anomalous else rng.uniform(0.2, 0.6)))
        past = PastResult(eligible, cast, top)
        incidents = 1 if rng.random() < 0.04 else 0
        reasons = reasons_for(rural=not b.is_urban, past_incidents=incidents, past=past)
        sens.append(BranchSensitivity(branch=b, level=level_for(reasons).value, reasons=sorted(reasons),
                                      past_incidents=incidents, past_eligible=eligible, past_cast=cast,
                                      past_top_votes=top))
        if b.is_urban and rng.random() < 0.7:
            links.append(Link(branch=b, kind="fibre", operator="tci", is_primary=True))
        elif b.is_urban:
            links.append(Link(branch=b, kind="landline", operator="tci", is_primary=True))
        signal = rng.randint(-118, -70) if not b.is_urban else rng.randint(-105, -60)
        links.append(Link(branch=b, kind="mobile", operator=rng.choice(["mci", "irancell"]),
                          is_primary=not b.is_urban, signal_dbm=signal))
    BranchSensitivity.objects.bulk_create(sens, batch_size=2000)
    Link.objects.bulk_create(links, batch_size=2000)

    step("inspections", len(branches))
    inspections, ratings_of = [], []
    mobile_signal = {x.branch_id: x.signal_dbm for x in links if x.kind == "mobile"}
    for b in branches:
        if rng.random() < 0.05:
            continue  # not yet inspected
        rated = []
        for item in CHECKLIST:
            body = responsible_body(item.code, b.venue_type)
            signal = None
            if item.code == "network.mobile":
                signal = mobile_signal[b.id]
                if signal < MIN_SIGNAL_DBM:
                    rated.append(Rated(item.code, Rating.TEMPORARY, Body.MCI, DEFICIENCY_NOTES[item.code], signal))
                    continue
            if item.code == "network.fibre" and not b.is_urban:
                rated.append(Rated(item.code, Rating.TEMPORARY, Body.TCI, DEFICIENCY_NOTES[item.code]))
                continue
            if rng.randrange(2000) < DEFICIENCY_RATE[item.code]:
                relocate = rng.random() < RELOCATE_SHARE.get(item.code, 0.0)
                rating = Rating.RELOCATE if relocate else Rating.TEMPORARY
                rated.append(Rated(item.code, rating, body, DEFICIENCY_NOTES[item.code], signal))
            else:
                rated.append(Rated(item.code, Rating.COMPLIANT, body, "", signal))
        inspections.append(Inspection(branch=b, inspected_on=polling - dt.timedelta(days=rng.randrange(20, 50)),
                                      inspector=_name(rng), recorded_at=now, readiness=readiness(rated).value,
                                      is_latest=True))
        ratings_of.append(rated)
    Inspection.objects.bulk_create(inspections, batch_size=2000)
    saved = dict(Inspection.objects.filter(branch__election=election).values_list("branch_id", "id"))
    rows = [InspectionItem(inspection_id=saved[i.branch_id], code=r.code, rating=r.rating.value, body=r.body.value,
                           note=r.note, signal_dbm=r.signal_dbm)
            for i, rated in zip(inspections, ratings_of, strict=True) for r in rated]
    InspectionItem.objects.bulk_create(rows, batch_size=5000)
    counts.update(inspections=len(inspections), inspection_items=len(rows))

    step("devices", len(branches) * 2)
    devices = []
    n = len(branches)
    for kind, per in DEVICES_PER_BRANCH.items():
        for k in range(math.ceil(n * per * 1.3) + 2 * len({b.area_id for b in branches})):
            devices.append((kind.value, f"D{election.code}-{'AU' if kind is DeviceKind.AUTHENTICATION else 'EB'}-"
                                        f"{k + 1:06d}"))
    for kind, prefix, share in ((DeviceKind.PRINTER, "PR", 0.1), (DeviceKind.UPS, "UP", 0.3),
                                (DeviceKind.MODEM, "MD", 0.2)):
        devices.extend((kind.value, f"D{election.code}-{prefix}-{k + 1:06d}") for k in range(math.ceil(n * share)))
    objs = []
    for kind, serial in devices:
        x = rng.random()
        state = DeviceState.RECEIVED if x < 0.03 else DeviceState.TEST_FAILED if x < 0.05 else DeviceState.TESTED
        objs.append(Device(serial=serial, kind=kind, state=state.value, batch=DEMO_BATCH,
                           model_name="EKH-A1" if kind == "authentication" else "EKH-B2" if kind == "ebox" else ""))
    Device.objects.bulk_create(objs, batch_size=5000)
    by_serial = dict(Device.objects.filter(batch=DEMO_BATCH).values_list("serial", "id"))
    logs = []
    store = _TEXT["device_store"]  # where the devices are received and tested
    for d in objs:
        logs.append(DeviceLog(device_id=by_serial[d.serial], event="receive", from_state="", to_state="received",
                              at=now, actor_name="demo", place=store))
        if d.state != "received":
            event = "pass_test" if d.state == "tested" else "fail_test"
            logs.append(DeviceLog(device_id=by_serial[d.serial], event=event,
                                  from_state="received", to_state=d.state, at=now, actor_name="demo",
                                  place=store))
    DeviceLog.objects.bulk_create(logs, batch_size=5000)
    counts["devices"] = len(objs)

    needed = sum(requirements(s.level).staff_total for s in sens)
    pool = math.ceil(needed * 1.9)
    step("staff pool and training", pool)
    courses = {role: Course.objects.create(code=f"{election.code}-{code}", title=title, role=role, pass_mark=mark)
               for code, title, role, mark in COURSES}
    place = _TEXT["training_class_place"]
    classes = {role: [TrainingClass.objects.create(course=c, held_on=polling - dt.timedelta(days=30 - k),
                                                   place=place.format(number=to_persian_digits(k + 1)),
                                                   trainer=_name(rng))
                      for k in range(3)]
               for role, c in courses.items()}
    # The pool's roles in proportion to what the branches need.
    weights = {role: 0 for role in courses}
    for s in sens:
        for role, k in requirements(s.level).staff.items():
            weights[role.value] += k
    roles = list(weights)
    used: set[str] = set(Person.objects.values_list("national_code", flat=True))
    people = []
    for _ in range(pool):
        people.append(Person(national_code=_national_code(rng, used), full_name=_name(rng),
                             seconded_from=rng.choice(BODIES), batch=DEMO_BATCH,
                             phone=f"0912{rng.randrange(10**7):07d}", is_candidate=rng.random() < 0.004))
    Person.objects.bulk_create(people, batch_size=5000)
    ids = dict(Person.objects.filter(batch=DEMO_BATCH).values_list("national_code", "id"))
    attendance, quizzes, certs = [], [], []
    areas = sorted({b.area_id for b in branches})
    relatives = []
    for p in people:
        pid = ids[p.national_code]
        role = rng.choices(roles, [weights[r] for r in roles])[0]
        course = courses[role]
        present = rng.random() < 0.96
        attendance.append(Attendance(training_class=rng.choice(classes[role]), person_id=pid, present=present))
        score = min(100, max(0, int(rng.gauss(course.pass_mark + 14, 10))))
        taken = polling - dt.timedelta(days=25)
        quizzes.append(QuizResult(course=course, person_id=pid, score=score, taken_on=taken))
        if present and score >= course.pass_mark:
            certs.append(Certification(person_id=pid, role=role, course=course, certified_on=taken))
        if rng.random() < 0.01:
            relatives.append(Person.relative_candidate_areas.through(person_id=pid, area_id=rng.choice(areas)))
    Attendance.objects.bulk_create(attendance, batch_size=5000)
    QuizResult.objects.bulk_create(quizzes, batch_size=5000)
    Certification.objects.bulk_create(certs, batch_size=5000)
    Person.relative_candidate_areas.through.objects.bulk_create(relatives, batch_size=5000)
    counts.update(people=len(people), certified=len(certs), declared_relatives=len(relatives))
    record(actor=None, action=Event.DEMO_OPERATIONS, target=election, after=counts)
    return counts


# Who watched the demo's public draws (recorded with each draw).
DEMO_OBSERVERS: str = _TEXT["draw_observers"]


def hold_demo_draws(election: Any, seed: int, *, step: Step | None = None) -> list[Any]:
    """The four public draws (devices and staff, to regions then to branches), by the demo executive board.

    Held through the real ``do_draw_*`` actions from seeds fixed by the demo seed, so ``/draws/``
    has content and ``entekhab ops rerun-draw`` reproduces each one.
    """
    from entekhab.domain.jalali import TEHRAN, from_jalali
    from entekhab.hq.demo.people import demo_user
    from entekhab.hq.operations.actions.devices import do_draw_devices
    from entekhab.hq.operations.actions.staff import do_draw_staff
    from entekhab.hq.operations.models import Draw

    step = step or (lambda what, n: None)
    board = demo_user("demo-executive")
    # As the calendar would have them: to regions three weeks before polling day, to branches in its last week.
    days = {"region": (1405, 1, 25), "branch": (1405, 2, 6)}
    draws = []
    for subject, action in (("devices", do_draw_devices), ("staff", do_draw_staff)):
        for stage in ("region", "branch"):
            step(f"public draw: {subject} to {'regions' if stage == 'region' else 'branches'}", 1)
            y, m, d = days[stage]
            draw, _ = action(election, stage=stage, seed=f"demo {seed}: lottery {y}/{m:02d}/{d:02d}, {subject}/{stage}",
                             observers=DEMO_OBSERVERS, acting_user=board)
            held = dt.datetime.combine(from_jalali(y, m, d), dt.time(10 if subject == "devices" else 11), TEHRAN)
            Draw.objects.filter(pk=draw.pk).update(drawn_at=held)  # the demo's date, not the load's
            draw.refresh_from_db()
            draws.append(draw)
    return draws
