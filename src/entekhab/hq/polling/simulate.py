"""A polling day for the demo election: simulated voters through the real device agents and the HQ API.

HQ is served over HTTP on 127.0.0.1 (a threaded WSGI server in this process, on the
configured database); every branch gets an enrolled authentication device and e-box
with their own journals, opens with a zero report and a short mock poll, checks voters
in (fingerprint demo reader: real failure rates, manual releases after four misses),
and closes with a signed report, its PDF and its vote records sent to HQ.

Events that must be handled are staged on purpose (seeded, reproducible): people who
are not eligible, voters who try a second branch (refused online), and one branch that
loses its line and checks in offline with the branch head's approval, including a
voter who had already voted elsewhere (an incident after the sync).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from entekhab.device.adapters.civil_registry import DemoCivilRegistry, sample_people
from entekhab.device.adapters.fingerprint import DemoFingerprintReader
from entekhab.device.agent import DeviceAgent
from entekhab.device.branch import BranchDevices
from entekhab.device.errors import CheckInRefused, HQUnreachable, NotEligible
from entekhab.device.hq_link import HttpTransport
from entekhab.device.pdf import render_pdf
from entekhab.domain.errors import DomainError
from entekhab.domain.jalali import TEHRAN
from entekhab.hq.demo.content import demo_content
from entekhab.hq.demo.vote_model import VoteModel, proportional_model
from entekhab.publication.contests import contest_info
from entekhab.records.manifest import BallotManifest

Step = Callable[[str, int], None]
# Who signs and approves at the simulated branches, and why a voter is released: hq/demo/data/content.json.
_TEXT = demo_content("polling")


@dataclass
class BranchOutcome:
    branch: str
    checkins: int = 0
    ballots: int = 0
    not_eligible: int = 0
    refused_already_voted: int = 0
    manual_releases: int = 0
    offline_checkins: int = 0
    report_sha256: str = ""
    pdf: str = ""


@dataclass
class SimulationResult:
    election: str
    branches: list[BranchOutcome] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"election": self.election, "branches": [vars(b) for b in self.branches], "incidents": self.incidents}


class _LocalHQ:
    """The HQ WSGI app on a free local port, for as long as the simulation runs."""

    def __init__(self) -> None:
        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
        from django.core.wsgi import get_wsgi_application

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=True)
        self.server.set_app(get_wsgi_application())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def has_polling_data(election_code: str) -> bool:
    from entekhab.hq.polling.models import DeviceEnrolment

    return DeviceEnrolment.objects.filter(election__code=election_code).exists()


def clear_polling_data(election_code: str) -> None:
    """Remove an earlier simulated polling day of this election (devices, check-ins, reports)."""
    from django.db import transaction
    from django.db.models import ProtectedError

    from entekhab.domain.lifecycle import ElectionState
    from entekhab.hq.demo.people import rewind_for_demo
    from entekhab.hq.polling import models as m

    ours = {m.VoteRecord, m.BranchReport, m.Incident, m.DuplicateCheckIn, m.CheckIn, m.BranchOpening,
            m.PaperEntry, m.DeviceMessage, m.OfflineWindow, m.DeviceEnrolment}
    with transaction.atomic():
        # Later stages (counting, results) keep rows that point at these reports: they are stale now.
        reports = m.BranchReport.objects.filter(branch__election__code=election_code)
        for rel in m.BranchReport._meta.related_objects:
            if rel.related_model not in ours:
                try:
                    rel.related_model.objects.filter(**{f"{rel.field.name}__in": reports}).delete()
                except ProtectedError as exc:
                    raise DomainError("cannot replace the polling day: %(value)s", params={"value": exc.args[0]},
                                      code="polling_data_in_use") from exc
        for model in (m.VoteRecord, m.BranchReport, m.Incident, m.DuplicateCheckIn, m.CheckIn, m.BranchOpening,
                      m.PaperEntry, m.DeviceMessage, m.OfflineWindow):
            field_name = {"VoteRecord": "report__branch__election__code", "BranchReport": "branch__election__code",
                          "BranchOpening": "branch__election__code", "PaperEntry": "branch__election__code",
                          "DeviceMessage": "device__election__code",
                          "OfflineWindow": "device__election__code"}.get(model.__name__, "election__code")
            model.objects.filter(**{field_name: election_code}).delete()
        m.DeviceEnrolment.objects.filter(election__code=election_code, replaces__isnull=False).delete()
        m.DeviceEnrolment.objects.filter(election__code=election_code).delete()
        rewind_for_demo(election_code, ElectionState.LISTS_FINAL, "the simulated polling day is replaced")


_MODELS: dict[str, dict[str, VoteModel]] = {}


def _models(manifest: BallotManifest) -> dict[str, VoteModel]:
    """The demo vote model of each proportional contest on this manifest (built once per manifest)."""
    if manifest.sha256 not in _MODELS:
        _MODELS[manifest.sha256] = {c["code"]: proportional_model(info) for c in manifest.document["contests"]
                                    if (info := contest_info(c)).lists}
    return _MODELS[manifest.sha256]


def _ballot(rng: random.Random, manifest: BallotManifest) -> dict[str, list[str]]:
    ballot: dict[str, list[str]] = {}
    models = _models(manifest)
    for contest in manifest.contests:
        people = sorted(c for c, v in contest.names.items() if v["kind"] == "candidate")
        roll = rng.random()
        if roll < 0.12 or not people:
            ballot[contest.code] = []
        elif contest.code in models:  # a few big coalitions, many small lists (hq.demo.vote_model)
            ballot[contest.code] = models[contest.code].ballot(rng)
        else:
            ballot[contest.code] = rng.sample(people, rng.randint(1, min(contest.max_votes, len(people))))
    return ballot


def simulate_polling_day(*, out_dir: Path, branches: int = 4, voters_per_branch: int = 25, seed: int = 1405,
                         election_code: str = "1405", replace: bool = False, step: Step | None = None
                         ) -> SimulationResult:
    """Run the day; Django must be set up and the election loaded. Returns each branch's outcome.

    This is what ``entekhab demo`` calls (after loading the demo election) with ``replace=True``.
    """
    from entekhab.domain.lifecycle import ElectionState
    from entekhab.hq.demo.people import advance_to, demo_user
    from entekhab.hq.elections.models import Election
    from entekhab.hq.polling.actions import do_create_enrolment
    from entekhab.hq.polling.clock import polling_day_at
    from entekhab.hq.polling.models import Incident

    step = step or (lambda what, n: None)
    election = Election.objects.get(code=election_code)
    if has_polling_data(election_code):
        if not replace:
            raise DomainError(
                "election %(election_code)s already has polling-day data (use --replace)",
                params={"election_code": election_code},
                code="polling_data_exists",
            )
        clear_polling_data(election_code)
    operator = demo_user("demo")
    election = advance_to(election, ElectionState.POLLING, reason="demo: polling day opens")
    candidates = list(election.branches.filter(ballot_style__isnull=False).order_by("number"))
    chosen = [candidates[i * len(candidates) // branches] for i in range(min(branches, len(candidates)))]
    rng = random.Random(f"polling-day:{seed}")
    registry = DemoCivilRegistry(seed=seed)
    day = election.polling_date
    start = dt.datetime.combine(day, dt.time(8, 0), tzinfo=TEHRAN).astimezone(dt.UTC)
    device_dir, report_dir = Path(out_dir) / "devices", Path(out_dir) / "reports"
    for folder in (device_dir, report_dir):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.db*"):
            old.unlink()
    hq = _LocalHQ()
    result = SimulationResult(election_code)
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)  # refusals (409/400) are expected here, not warnings
    try:
        sites: list[tuple[BranchDevices, BranchOutcome]] = []
        step("enrolling and opening branches", len(chosen))
        for branch in chosen:
            agents = {}
            for role in ("auth", "ebox"):
                serial = f"SIM-{role.upper()}-{branch.number:05d}"
                _, code = do_create_enrolment(branch, serial=serial, role=role, acting_user=operator)
                agents[role] = DeviceAgent.initialise(device_dir / f"{serial}.db", serial=serial, role=role,
                                                      hq_url=hq.url)
                agents[role].enrol(code)
            devices = BranchDevices(agents["auth"], agents["ebox"], registry=registry,
                                    reader=DemoFingerprintReader(seed=seed))
            mock_rng = random.Random(f"mock:{seed}:{branch.code}")
            with polling_day_at(start):  # HQ runs on the simulated day, so its times and the devices' agree
                devices.open(now=start, mock=lambda manifest, r=mock_rng: [_ballot(r, manifest) for _ in range(2)])
            sites.append((devices, BranchOutcome(branch.code)))
            _beat(devices, start)
        people = sample_people(registry, voters_per_branch * len(sites), day, seed=seed)
        strangers = sample_people(registry, max(1, len(sites)), day, seed=seed + 1, eligible=False)
        offline_site = len(sites) - 1
        staged_return = False
        step("voting", len(people))
        for i, voter in enumerate(people):
            s = i % len(sites)
            devices, outcome = sites[s]
            now = start + dt.timedelta(minutes=i * 600 // max(1, len(people)))
            offline = s == offline_site and i >= len(people) * 2 // 3
            devices.auth.transport = _Offline() if offline else HttpTransport(hq.url)
            _visit(devices, outcome, voter, now, rng, offline=offline)
            _beat(devices, now)
            if i % 11 == 5:  # a voter tries a second branch
                other_devices, other = sites[(s + 1) % len(sites)]
                other_offline = (s + 1) % len(sites) == offline_site and i >= len(people) * 2 // 3
                if not other_offline:
                    other_devices.auth.transport = HttpTransport(hq.url)
                    _visit(other_devices, other, voter, now + dt.timedelta(minutes=20), rng, offline=False)
            if offline and (not staged_return or i % 7 == 0):  # while offline, someone who voted elsewhere
                staged_return = True
                earlier = people[i - 1]  # checked in online at the previous branch
                _visit(devices, outcome, earlier, now, rng, offline=True)
        for stranger in strangers:
            devices, outcome = sites[0]
            _visit(devices, outcome, stranger, start, rng, offline=False)
        step("closing branches", len(sites))
        for devices, outcome in sites:
            devices.auth.transport = HttpTransport(hq.url)
            close_at = dt.datetime.combine(day, dt.time(18, 0), tzinfo=TEHRAN).astimezone(dt.UTC)
            with polling_day_at(close_at):
                report = devices.close(now=close_at, branch_head=_TEXT["branch_head"], supervisor=_TEXT["supervisor"])
            _beat(devices, close_at, force=True)
            pdf = render_pdf(report, devices.box.manifest, report_dir / f"{outcome.branch}.pdf")
            outcome.ballots, outcome.report_sha256, outcome.pdf = report.report["ballots"], report.sha256, str(pdf)
            result.branches.append(outcome)
            devices.auth.close()
            devices.ebox.close()
        advance_to(election, ElectionState.CLOSED, reason="demo: polls closed")
        result.incidents = [{"kind": x.kind, "branch": x.branch.code, "summary_fa": x.summary_fa,
                             "summary_en": x.summary_en}
                            for x in Incident.objects.filter(election=election).select_related("branch")
                            .order_by("id")]
    finally:
        request_log.setLevel(level)
        hq.stop()
    return result


def _beat(devices: BranchDevices, now: dt.datetime, *, force: bool = False) -> None:
    """Both devices send a heartbeat if one is due at this simulated moment (HQ stamps it then too).

    The simulated day jumps from event to event, so a device sends at most one heartbeat per
    event, not every interval it skipped; an offline device's heartbeat is simply lost.
    """
    from entekhab.hq.polling.clock import polling_day_at

    with polling_day_at(now):
        for agent in (devices.auth, devices.ebox):
            agent.heartbeat(now, force=force)


class _Offline:
    def __call__(self, path: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        raise HQUnreachable("the branch's line is down (simulated)")


def _visit(devices: BranchDevices, outcome: BranchOutcome, voter: str, now: dt.datetime, rng: random.Random, *,
           offline: bool) -> None:
    from entekhab.hq.polling.clock import polling_day_at

    with polling_day_at(now):  # an online check-in is stamped by HQ: at the simulated moment, not today
        _visit_now(devices, outcome, voter, now, rng, offline=offline)


def _visit_now(devices: BranchDevices, outcome: BranchOutcome, voter: str, now: dt.datetime, rng: random.Random, *,
               offline: bool) -> None:
    try:
        authenticator = devices.authenticator
        session = authenticator.begin(voter)
        while not session.cleared and session.attempts_left > 0:
            authenticator.scan(session)
        if not session.cleared:
            authenticator.release(session, branch_head=_TEXT["branch_head"], reason=_TEXT["release_reason"])
            outcome.manual_releases += 1
        checked = authenticator.check_in(session, now=now, style=devices.auth.setting("style"),
                                         offline_approved_by=_TEXT["branch_head"] if offline else "")
    except NotEligible:
        outcome.not_eligible += 1
        return
    except CheckInRefused:
        outcome.refused_already_voted += 1
        return
    outcome.checkins += 1
    outcome.offline_checkins += int(checked.offline)
    devices.vote(checked.card, _ballot(rng, devices.box.manifest))
