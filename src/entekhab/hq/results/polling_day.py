"""Store a synthetic polling day through polling's models, in the real formats (tests, demo, bench).

Until polling day's own simulation is run, this writes what polling's intake would have
stored: an e-box and an authentication device per branch, check-ins spread over the day,
and per branch a final report signed by its e-box with the records in a random order.
Manifests are the ones the branch's devices load (``polling.manifests.signed_manifest_for``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.db import transaction

from entekhab.domain.national_code import make_national_code
from entekhab.hq.elections.models import Branch, Election
from entekhab.hq.polling.manifests import election_fingerprint, signed_manifest_for
from entekhab.hq.polling.models import (
    BranchReport,
    CheckIn,
    DeviceEnrolment,
    DeviceRole,
    EnrolmentState,
    ReportSource,
    VoteRecord,
)
from entekhab.hq.results.simulate import branch_report, device_key, load_signed_manifest, random_records
from entekhab.publication.contests import contests_of

TEHRAN = ZoneInfo("Asia/Tehran")


def _devices(branch: Branch) -> tuple[DeviceEnrolment, DeviceEnrolment]:
    key = device_key(branch.election.code, branch.code)
    ebox, _ = DeviceEnrolment.objects.get_or_create(
        election=branch.election, branch=branch, serial=f"EB-{branch.code}", role=DeviceRole.EBOX,
        defaults={"state": EnrolmentState.ACTIVE, "code_hash": "0" * 64, "public_key": key.public_hex})
    auth, _ = DeviceEnrolment.objects.get_or_create(
        election=branch.election, branch=branch, serial=f"AU-{branch.code}", role=DeviceRole.AUTH,
        defaults={"state": EnrolmentState.ACTIVE, "code_hash": "0" * 64,
                  "public_key": device_key("auth:" + branch.election.code, branch.code).public_hex})
    return ebox, auth


def store_polling_day(election: Election, *, seed: int, voters: tuple[int, int] = (10, 40),
                      branches: Iterable[Branch] | None = None, report: bool = True, checkins: bool = True,
                      fast_tally: bool = False,
                      step: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Check-ins, reports and vote records for ``branches`` (default: every branch of the election).

    ``fast_tally`` counts with the counting package instead of the e-box's tally (same rows; for the bench).
    """
    rng = random.Random(f"polling-day:{seed}")
    with_checkins = checkins
    chosen = list(branches if branches is not None else
                  Branch.objects.filter(election=election, ballot_style__isnull=False)
                  .select_related("ballot_style", "election", "area").order_by("number"))
    if step:
        step("polling day", len(chosen))
    manifests: dict[int, dict] = {}
    loaded: dict[int, object] = {}
    opens = dt.datetime.combine(election.polling_date, dt.time(8), TEHRAN)
    start = CheckIn.objects.filter(election=election).count()
    totals = {"branches": 0, "checkins": 0, "ballots": 0}
    fingerprint = election_fingerprint(election)
    with transaction.atomic():
        for branch in chosen:
            if branch.ballot_style_id not in manifests:
                manifests[branch.ballot_style_id] = signed_manifest_for(branch)
            signed = manifests[branch.ballot_style_id]
            if branch.ballot_style_id not in loaded:
                loaded[branch.ballot_style_id] = (load_signed_manifest(signed), contests_of([signed["manifest"]]))
            manifest, infos = loaded[branch.ballot_style_id]
            ebox, auth = _devices(branch)
            n = rng.randint(*voters)
            checkins = []
            for _ in range(n if with_checkins else 0):
                start += 1
                at = opens + dt.timedelta(seconds=rng.randrange(10 * 3600))
                checkins.append(CheckIn(election=election, national_code=make_national_code(f"{start + 1:09d}"),
                                        branch=branch, device=auth, message_seq=start, at=at))
            if with_checkins:
                CheckIn.objects.bulk_create(checkins, batch_size=1000)
                totals["checkins"] += n
            if not report:
                continue
            records = random_records(rng, signed["manifest"], n, infos=infos, fingerprint=fingerprint)
            rep = branch_report(election=election.code, branch=branch.code, manifest=manifest, fingerprint=fingerprint,
                                records=records, checkins=n, closed=opens + dt.timedelta(hours=10),
                                infos=infos if fast_tally else None)
            stored = BranchReport.objects.create(
                branch=branch, device=ebox, source=ReportSource.ELECTRONIC, document=rep.document,
                sha256=rep.sha256, ballots=n, checkins=n,
                received_at=opens + dt.timedelta(hours=10, seconds=totals["branches"]))
            # Stored in canonical order, as the e-box sends them (random_records returns that order).
            VoteRecord.objects.bulk_create([VoteRecord(report=stored, ballot=r) for r in records], batch_size=2000)
            totals["branches"] += 1
            totals["ballots"] += n
    return totals
