"""Demo candidates and lists for the demo election: registered, vetted, listed, coded and signed.

Deterministic from the demo seed. Counts: the Tehran council gets ≈ 680 registrants of
whom ≈ 600 become candidates, on 30 lists or standing alone; the Experts by-election 55
registrants (the Guardian Council approves few); other councils registrants per seat
that shrink with the square root of population (≥ 2 per seat). History is written in
bulk, as it would have been recorded (steps with their roles and dates, the four
inquiry answers), with one audit event for the load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone

from entekhab.domain.jalali import TEHRAN, from_jalali
from entekhab.domain.national_code import make_national_code
from entekhab.domain.vetting import VettingState
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.candidates.actions import _hash_key, assign_contest_codes, hq_signing_key, residence_areas
from entekhab.hq.candidates.manifest import publish_manifests
from entekhab.hq.candidates.models import (
    CandidateList,
    CodePolicy,
    ContestCandidacy,
    InquiryBody,
    ListMembership,
    ListState,
    Party,
    Registration,
    VettingInquiry,
    VettingStep,
)
from entekhab.hq.demo.content import demo_content
from entekhab.hq.elections.models import Contest, CountingMethod, Election, Office

# The names are data, kept beside the code: data/candidates.json.
_DATA = json.loads((Path(__file__).parent / "data" / "candidates.json").read_text(encoding="utf-8"))

Step = Callable[[str, int], None]

TEHRAN_REGISTRANTS, TEHRAN_LISTS, EXPERTS_REGISTRANTS = 680, 30, 55
PER_SEAT_AT_TEHRAN = 600 / 21

GIVEN_M = _DATA["GIVEN_M"]
GIVEN_F = _DATA["GIVEN_F"]
FAMILY = _DATA["FAMILY"]
OCCUPATIONS = _DATA["OCCUPATIONS"]
FIELDS = _DATA["FIELDS"]
PARTIES = _DATA["PARTIES"]
# The other Persian words (the portrait's label, the cleric's title, notes): hq/demo/data/content.json.
_TEXT = demo_content("candidates")

AVATAR_COLOURS = ["#0b5d4b", "#127a63", "#6b4e9b", "#9b4e4e", "#4e6b9b", "#8a6d1f", "#3d7a8a"]


def avatar_svg(initials: str, colour: str) -> bytes:
    """A small generated portrait: a silhouette with the initials, labelled "sample" (in Persian) so
    nobody mistakes it for a real person; its SHA-256 goes in the signed manifest."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="150" viewBox="0 0 120 150">'
        f'<rect width="120" height="150" fill="{colour}"/><circle cx="60" cy="55" r="28" fill="#fff" opacity=".85"/>'
        '<rect x="22" y="92" width="76" height="58" rx="30" fill="#fff" opacity=".85"/>'
        f'<text x="60" y="64" font-size="22" text-anchor="middle" fill="{colour}" font-family="Vazirmatn">{initials}'
        '</text><text x="60" y="140" font-size="14" text-anchor="middle" fill="#102030" font-family="Vazirmatn">'
        f'{_TEXT["avatar_label"]}</text></svg>'
    ).encode()


def _schedule(contest: Contest) -> dict[str, dt.date | None]:
    """The 1404-1405 timetable (city councils from 21 Dey, villages from 24 Bahman, DOMAIN.md §5)."""
    j = from_jalali
    if contest.office == Office.VILLAGE_COUNCIL:
        return dict(registration_opens=j(1404, 11, 24), registration_closes=j(1404, 11, 30),
                    review_deadline=j(1404, 12, 14), appeal_deadline=j(1404, 12, 19),
                    supervision_deadline=j(1405, 1, 20), list_deadline=None)
    if contest.office == Office.ASSEMBLY_OF_EXPERTS:
        return dict(registration_opens=j(1404, 10, 14), registration_closes=j(1404, 10, 20),
                    review_deadline=j(1404, 11, 30), appeal_deadline=j(1404, 12, 10),
                    supervision_deadline=j(1405, 1, 15), list_deadline=None)
    return dict(registration_opens=j(1404, 10, 21), registration_closes=j(1404, 10, 27),
                review_deadline=j(1404, 11, 20), appeal_deadline=j(1404, 11, 27),
                supervision_deadline=j(1405, 1, 15),
                list_deadline=j(1405, 1, 25) if contest.method == CountingMethod.PROPORTIONAL_LIST else None)


def _registrants(contest: Contest, district_population: int) -> int:
    if contest.office == Office.ASSEMBLY_OF_EXPERTS:
        return EXPERTS_REGISTRANTS
    if contest.method == CountingMethod.PROPORTIONAL_LIST:
        return TEHRAN_REGISTRANTS
    per_seat = max(2.0, PER_SEAT_AT_TEHRAN * math.sqrt(contest.area.population / district_population))
    return round(contest.seats * per_seat) + 2


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TEHRAN)


class _People:
    """Unique national codes and names for the whole election, from one random stream."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.codes: set[str] = set()

    def national_code(self) -> str:
        while True:
            try:
                code = make_national_code(f"{self.rng.randrange(1, 10**9):09d}")
            except ValueError:
                continue
            if code not in self.codes:
                self.codes.add(code)
                return code


def _paths(rng: random.Random, contest: Contest) -> tuple[str, list[tuple[str, str, str, str]]]:
    """The final state and the steps (action, from, to, role) that led to it."""
    experts = contest.office == Office.ASSEMBLY_OF_EXPERTS
    roll = rng.random()
    steps = [("start_review", "registered", "under_review", "executive_board")]
    if roll < 0.04:
        return "withdrawn", [*steps, ("withdraw", "under_review", "withdrawn", "registrant")]
    approve = roll < (0.16 if experts else 0.90)
    if approve:
        return "final_approved", [*steps, ("approve", "under_review", "approved", "executive_board"),
                                  ("finalise", "approved", "final_approved", "supervisory_board")]
    steps.append(("reject", "under_review", "rejected", "executive_board"))
    if rng.random() < 0.5:
        steps.append(("appeal", "rejected", "appealed", "registrant"))
        if rng.random() < 0.35 and not experts:
            return "final_approved", [*steps, ("overturn", "appealed", "overturned", "supervisory_board"),
                                      ("finalise", "overturned", "final_approved", "supervisory_board")]
        return "final_rejected", [*steps, ("uphold", "appealed", "upheld", "supervisory_board"),
                                  ("finalise", "upheld", "final_rejected", "supervisory_board")]
    return "final_rejected", [*steps, ("finalise", "rejected", "final_rejected", "supervisory_board")]


def load_candidates_demo(election: Election, demo, *, step: Step | None = None) -> dict[str, int]:
    """Registrants, vetting, parties, lists, codes and signed manifests for the demo election."""
    step = step or (lambda what, n: None)
    rng = random.Random(f"entekhab-candidates:{demo.scale}:{demo.seed}")
    people = _People(rng)
    contests = list(Contest.objects.filter(election=election).select_related("area").order_by("code"))
    district = next((c for c in contests if c.method == CountingMethod.PROPORTIONAL_LIST), None)
    district_population = (sum(a.population for a in district.area.constituents.all()) if district else 0) or 9_000_000

    step("candidacy schedules and code seed", len(contests))
    ContestCandidacy.objects.bulk_create([ContestCandidacy(contest=c, **_schedule(c)) for c in contests])
    CodePolicy.objects.create(election=election, seed=f"entekhab demo {demo.seed}: published 1405/01/20",
                              base_digits=4, published_at=_at(from_jalali(1405, 1, 20)))

    regs: list[Registration] = []
    paths: list[list[tuple[str, str, str, str]]] = []
    for contest in contests:
        experts = contest.office == Office.ASSEMBLY_OF_EXPERTS
        areas = [contest.area.code] if experts else sorted(residence_areas(contest))
        schedule = _schedule(contest)
        opens = schedule["registration_opens"]
        area_by_code = {a.code: a for a in contest.area.__class__.objects.filter(code__in=areas)}
        for _ in range(_registrants(contest, district_population)):
            female = contest.office != Office.ASSEMBLY_OF_EXPERTS and rng.random() < 0.22
            given = rng.choice(GIVEN_F if female else GIVEN_M)
            family = rng.choice(FAMILY)
            state, path = _paths(rng, contest)
            day = opens + dt.timedelta(days=rng.randrange(7))
            degree = rng.choices([3, 4, 5, 6], [1, 5, 6, 3])[0] if contest.office == Office.CITY_COUNCIL else (
                rng.choices([1, 2, 3, 4], [2, 5, 2, 1])[0] if contest.office == Office.VILLAGE_COUNCIL else 6)
            if contest.office == Office.CITY_COUNCIL and contest.area.population > 20_000:
                degree = max(degree, 4)
            photo = avatar_svg(f"{given[0][0]}.{family[0][0]}", rng.choice(AVATAR_COLOURS))
            regs.append(Registration(
                election=election, contest=contest, tracking=f"D{rng.getrandbits(40):010X}",
                access_key_hash=_hash_key(f"demo-{rng.getrandbits(64)}"), national_code=people.national_code(),
                first_name=(_TEXT["experts_honorific"] if experts else "") + given[0],
                last_name=family[0], name_en=f"{given[1]} {family[1]}",
                birth_date=dt.date(rng.randrange(1950, 1996), rng.randrange(1, 13), rng.randrange(1, 29)),
                sex="female" if female else "male", residence_area=area_by_code[rng.choice(areas)],
                degree=degree, field_of_study=rng.choice(FIELDS) if degree >= 3 else "",
                veteran=rng.random() < 0.12, occupation=_TEXT["experts_occupation"] if experts
                else rng.choice(OCCUPATIONS),
                attestations=["ijtihad"] if contest.office == Office.ASSEMBLY_OF_EXPERTS else
                ([] if female else ["military_service"]),
                certificate_number=f"{rng.randrange(10**11, 10**12)}",
                certificate_date=day - dt.timedelta(days=rng.randrange(5, 80)),
                photo=photo, photo_type="image/svg+xml", photo_sha256=hashlib.sha256(photo).hexdigest(),
                state=state, eligibility=[], submitted_at=_at(day, 9 + rng.randrange(8)),
            ))
            paths.append(path)
    step("registrations", len(regs))
    regs = Registration.objects.bulk_create(regs, batch_size=1000)
    if any(r.pk is None for r in regs):
        regs = list(Registration.objects.filter(election=election).order_by("id"))

    step("vetting history and inquiries", len(regs))
    steps: list[VettingStep] = []
    inquiries: list[VettingInquiry] = []
    for reg, path in zip(regs, paths, strict=True):
        sched = _schedule(reg.contest)
        days = dt.timedelta(days=1)
        when = [reg.submitted_at + 2 * days, _at(sched["review_deadline"] - 3 * days),
                _at(sched["appeal_deadline"] - days), _at(sched["supervision_deadline"] - 6 * days),
                _at(sched["supervision_deadline"] - 2 * days)]
        for n, (action, src, dst, role) in enumerate(path):
            steps.append(VettingStep(registration=reg, action=action, from_state=src, to_state=dst, actor=None,
                                     actor_role=role, reason="" if action in ("start_review", "approve", "finalise")
                                     else _TEXT["vetting_reason"], at=when[min(n, len(when) - 1)]))
        if len(path) > 1 and path[1][0] != "withdraw":
            adverse = path[1][0] == "reject"
            for k, body in enumerate(InquiryBody.values):
                bad = adverse and k == reg.pk % 4
                inquiries.append(VettingInquiry(registration=reg, body=body, answer="adverse" if bad else "clear",
                                                note=_TEXT["adverse_inquiry_note"] if bad else "", recorded_at=when[0]))
    VettingStep.objects.bulk_create(steps, batch_size=2000)
    VettingInquiry.objects.bulk_create(inquiries, batch_size=2000)

    n_lists = 0
    if district is not None:
        finalists = [r for r in regs if r.contest_id == district.pk and r.state == VettingState.FINAL_APPROVED]
        n_lists = _lists(rng, district, finalists)
    step("ballot codes", len(contests))
    finalised = timezone.now()
    for contest in contests:
        assign_contest_codes(contest, now=_at(from_jalali(1405, 1, 26)))
    ContestCandidacy.objects.filter(contest__election=election).update(finalised_at=finalised)
    step("signed ballot manifests", election.ballot_styles.count())
    published = publish_manifests(election, hq_signing_key())
    counts = {"registrations": len(regs), "candidates": sum(r.state == VettingState.FINAL_APPROVED for r in regs),
              "lists": n_lists, "manifests": len(published.styles)}
    record(actor=None, action=Event.CANDIDATES_DEMO, target=election, after=counts)
    return counts


def _lists(rng: random.Random, contest: Contest, approved: list[Registration]) -> int:
    parties = []
    for i, (fa, en, kind) in enumerate(PARTIES[:TEHRAN_LISTS], start=1):
        party, _ = Party.objects.get_or_create(
            license_number=f"DEMO-A10-{i:03d}",
            defaults={"name_fa": fa, "name_en": en, "kind": kind, "licensed_on": from_jalali(1398, 1, 1) +
                      dt.timedelta(days=37 * i)})
        parties.append(party)
    pool = approved[:]
    rng.shuffle(pool)
    created = _at(from_jalali(1405, 1, 22))
    lists, members = [], []
    for i, party in enumerate(parties):
        size = contest.seats if rng.random() < 0.4 else rng.randrange(8, contest.seats + 1)
        chosen, pool = pool[:size], pool[size:]
        if not chosen:
            break
        lst = CandidateList(contest=contest, party=party, ref=f"L{rng.getrandbits(32):08X}",
                            title_fa=_TEXT["list_title"].format(party=party.name_fa), title_en=f"{party.name_en} list",
                            state=ListState.LOCKED, created_at=created)
        lists.append(lst)
        members.append((i, chosen))
    lists = CandidateList.objects.bulk_create(lists)
    if any(x.pk is None for x in lists):
        lists = list(CandidateList.objects.filter(contest=contest).order_by("id"))
    ListMembership.objects.bulk_create([
        ListMembership(candidate_list=lists[i], registration=r, position=p, confirmed_at=created)
        for i, chosen in members for p, r in enumerate(chosen, start=1)
    ], batch_size=2000)
    return len(lists)
