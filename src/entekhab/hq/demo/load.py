"""Writing the demo election into the database, replacing any earlier copy of it (whatever stage it reached)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from entekhab.domain.council_size import CouncilSize, Settlement
from entekhab.domain.lifecycle import ElectionState
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.candidates.demo import load_candidates_demo
from entekhab.hq.capacity.demo import load_capacity_demo
from entekhab.hq.demo.content import demo_content
from entekhab.hq.demo.generate import ELECTION_CODE, POLLING_DAY, PROVINCE, DemoElection, build_demo
from entekhab.hq.demo.people import advance_to
from entekhab.hq.demo.replace import remove_demo_election
from entekhab.hq.elections.ballot_styles import assign_ballot_styles
from entekhab.hq.elections.models import Branch, Contest, CouncilSizeRule, Election
from entekhab.hq.geography.models import Area
from entekhab.hq.operations.demo import hold_demo_draws, load_operations_demo

Step = Callable[[str, int], None]  # (what is being done, how many items), for progress bars


def council_size_table() -> tuple[CouncilSize, ...]:
    """The council size table as the HQ keeps it (seeded from the statutory default)."""
    return tuple(
        CouncilSize(Settlement(r.settlement), r.min_population, r.max_population, r.seats, r.alternates)
        for r in CouncilSizeRule.objects.all()
    )


@transaction.atomic
def load_demo(scale: str, seed: int, *, step: Step | None = None, draws: bool = True) -> DemoElection:
    """Replace the demo election with a fresh one; ``draws`` also holds its public draws (the tests' copy does not)."""
    step = step or (lambda what, n: None)
    demo = build_demo(scale, seed, council_size_table())
    step("removing the previous demo election", 1)
    remove_demo_election(ELECTION_CODE)  # whatever stage the last run left it in, results included
    Area.constituents.through.objects.filter(from_area__path__startswith=f"/{PROVINCE}/").delete()
    for kind in ("region", "village", "city", "district", "county", "province"):
        Area.objects.filter(path__startswith=f"/{PROVINCE}/", kind=kind).delete()

    step("areas", len(demo.areas))
    by_code: dict[str, Area] = {}
    for level in ("province", "county", "district", "city", "village", "region"):
        rows = []
        for spec in (a for a in demo.areas if a.kind == level):
            parent = by_code[spec.parent] if spec.parent else None
            rows.append(Area(
                code=spec.code, kind=spec.kind, name_fa=spec.name_fa, name_en=spec.name_en,
                parent=parent, path=(parent.path if parent else "/") + f"{spec.code}/",
                population=spec.population, is_capital=spec.is_capital,
            ))
        for area in Area.objects.bulk_create(rows):
            by_code[area.code] = area
    # bulk_create returns ids on PostgreSQL and on SQLite ≥ 3.35; re-read to be sure of them.
    by_code = {a.code: a for a in Area.objects.filter(path__startswith=f"/{PROVINCE}/")}
    for spec in (a for a in demo.areas if a.constituents):
        by_code[spec.code].constituents.set([by_code[c] for c in spec.constituents])

    names = demo_content("election")
    election = Election.objects.create(
        code=ELECTION_CODE, name_fa=names["name_fa"], name_en=names["name_en"], polling_date=POLLING_DAY
    )
    step("contests", len(demo.contests))
    Contest.objects.bulk_create([
        Contest(election=election, code=c.code, office=c.office, method=c.method, area=by_code[c.area],
                name_fa=c.name_fa, name_en=c.name_en, seats=c.seats, alternates=c.alternates,
                is_by_election=c.is_by_election)
        for c in demo.contests
    ])
    step("polling branches", len(demo.branches))
    Branch.objects.bulk_create(
        [
            Branch(election=election, number=b.number, code=b.code, area=by_code[b.area],
                   venue_type=b.venue_type, venue_name=b.venue_name, address=b.address,
                   latitude=Decimal(str(b.latitude)), longitude=Decimal(str(b.longitude)),
                   is_mobile=b.is_mobile, is_urban=b.is_urban, eligible_estimate=b.eligible_estimate)
            for b in demo.branches
        ],
        batch_size=1000,
    )
    step("ballot styles", len(demo.branches))
    problems = assign_ballot_styles(election)
    if problems:
        raise RuntimeError("demo election has ballot style problems: " + "; ".join(map(str, problems[:5])))
    load_candidates_demo(election, demo, step=step)
    load_operations_demo(election, demo, step=step)
    load_capacity_demo(election, demo, step=step)
    # The loaders wrote the candidates, lists, codes and signed manifests directly, as the
    # real calendar would have made them: the election now stands where lists are final.
    advance_to(election, ElectionState.LISTS_FINAL, reason="demo: candidates, lists and manifests loaded")
    if draws:
        hold_demo_draws(election, seed, step=step)
    record(actor=None, action=Event.DEMO_LOAD, target=election,
           after={"scale": str(demo.scale), "seed": seed, "branches": len(demo.branches)})
    return demo


def demo_fingerprint() -> str:
    """SHA-256 over the demo election's rows in a fixed order: equal fingerprints, equal data."""
    h = hashlib.sha256()
    for row in Area.objects.filter(path__startswith=f"/{PROVINCE}/").order_by("code").values_list(
        "code", "kind", "name_fa", "name_en", "parent__code", "population", "is_capital"
    ):
        h.update(repr(row).encode())
    election = Election.objects.get(code=ELECTION_CODE)
    for row in election.contests.order_by("code").values_list(
        "code", "office", "method", "area__code", "seats", "alternates", "is_by_election"
    ):
        h.update(repr(row).encode())
    for row in election.branches.order_by("number").values_list(
        "number", "code", "area__code", "venue_type", "latitude", "longitude", "is_mobile",
        "eligible_estimate", "ballot_style__code",
    ):
        h.update(repr(row).encode())
    return h.hexdigest()
