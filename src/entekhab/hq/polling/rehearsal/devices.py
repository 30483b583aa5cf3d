"""The branches' side of a rehearsal: real device agents, many per process, on the compressed clock.

A worker process runs ``threads`` threads; each thread drives its share of the branches
through their events in time order (one branch's devices are only ever touched by one
thread). The devices do exactly what they do in the field: signed messages over HTTP to
HQ's gunicorn, offline check-ins with the branch head's approval when HQ cannot be reached,
a sync when the line is back, heartbeats on their interval, the report at the close.

What the devices learnt is read back from their journals at the end (the acks HQ gave),
so "acknowledged" means what a device would show an auditor, not what this code believes.
Django is imported only for the staff's one act here, replacing a failed e-box.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from entekhab.device.adapters.civil_registry import DemoCivilRegistry
from entekhab.device.adapters.fingerprint import DemoFingerprintReader
from entekhab.device.agent import DeviceAgent
from entekhab.device.branch import BranchDevices, ballot_box, fetch_branch_info
from entekhab.device.errors import CheckInRefused, DeviceError, HQUnreachable, NotEligible
from entekhab.device.hq_link import HttpTransport
from entekhab.hq.polling.clock import CompressedDay
from entekhab.hq.polling.rehearsal.schedule import Event
from entekhab.hq.polling.simulate import _TEXT, _ballot

PROGRESS_EVERY = 5  # events between a thread's progress notes (HQ-wide faults wait for them)


@dataclass
class BranchJob:
    code: str
    auth_code: str  # one-time enrolment codes HQ issued for the branch's two devices
    ebox_code: str
    events: list[Event]


@dataclass(frozen=True)
class WorkerSpec:
    hq_url: str
    out_dir: str
    clock: str  # CompressedDay.encode()
    opening: str  # ISO, aware: simulated second 0
    election: str
    heartbeat_s: int
    seed: int
    threads: int
    jobs: tuple[BranchJob, ...]


@dataclass
class Timing:
    kind: str
    seconds: float
    status: int  # 0: unreachable


class TimedLink:
    """The field's HTTP link, timing every message HQ answers (or fails to)."""

    def __init__(self, url: str, sink: list[Timing]) -> None:
        self.http = HttpTransport(url)  # the field's timeout
        self.sink = sink
        self.down = False  # a partition of this branch's line

    def __call__(self, path: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.down:
            raise HQUnreachable("the branch's line is down (rehearsal partition)")
        kind = str(((payload.get("envelope") or {}).get("kind")) or path.rsplit("/", 1)[-1])
        start = time.perf_counter()
        try:
            status, body = self.http(path, payload)
        except HQUnreachable:
            self.sink.append(Timing(kind, time.perf_counter() - start, 0))
            raise
        self.sink.append(Timing(kind, time.perf_counter() - start, status))
        return status, body

    def fetch(self, path: str) -> tuple[int, bytes, str]:
        return self.http.fetch(path)


@dataclass
class Site:
    job: BranchJob
    devices: BranchDevices
    auth_link: TimedLink
    ebox_link: TimedLink
    rng: random.Random
    offline_until: float = -1.0
    unsynced: bool = False
    replaced: list[str] = field(default_factory=list)
    tally: dict[str, int] = field(default_factory=dict)
    second_offline: list[str] = field(default_factory=list)  # second-branch voters given a card offline
    report_sha256: str = ""
    closed_at: float = 0.0

    def count(self, what: str) -> None:
        self.tally[what] = self.tally.get(what, 0) + 1


class Worker:
    def __init__(self, spec: WorkerSpec, progress: Any) -> None:
        self.spec = spec
        self.day = CompressedDay.parse(spec.clock)
        self.opening = dt.datetime.fromisoformat(spec.opening)
        self.progress = progress
        self.timings: list[Timing] = []
        self.registry = DemoCivilRegistry(seed=spec.seed)
        self.device_dir = Path(spec.out_dir) / "devices"
        self.django_lock = threading.Lock()
        self.errors: list[str] = []
        self.go = threading.Event()  # set once HQ runs on the compressed clock

    def start_day(self, clock: str) -> None:
        self.day = CompressedDay.parse(clock)
        self.go.set()

    # -- time ---------------------------------------------------------------------------
    def sim_now(self) -> dt.datetime:
        return self.day.at(time.time())

    def wait_for(self, at: float) -> None:
        delay = self.day.real(self.opening + dt.timedelta(seconds=at)) - time.time()
        if delay > 0:
            time.sleep(delay)

    # -- opening --------------------------------------------------------------------------
    def open_site(self, job: BranchJob, sink: list[Timing]) -> Site:
        agents, links = {}, {}
        for role, code in (("auth", job.auth_code), ("ebox", job.ebox_code)):
            serial = f"RH-{role.upper()}-{job.code}"
            links[role] = TimedLink(self.spec.hq_url, sink)
            agents[role] = DeviceAgent.initialise(self.device_dir / f"{serial}.db", serial=serial, role=role,
                                                  transport=links[role])
            agents[role].enrol(code)
        devices = BranchDevices(agents["auth"], agents["ebox"], registry=self.registry,
                                reader=DemoFingerprintReader(seed=self.spec.seed))
        mock_rng = random.Random(f"mock:{self.spec.seed}:{job.code}")
        devices.open(now=self.sim_now(), mock=lambda manifest: [_ballot(mock_rng, manifest) for _ in range(2)])
        site = Site(job, devices, links["auth"], links["ebox"], random.Random(f"ballots:{self.spec.seed}:{job.code}"))
        self.beat(site, force=True)
        return site

    # -- one thread -----------------------------------------------------------------------
    def run_thread(self, jobs: list[BranchJob], results: list[dict[str, Any]]) -> None:
        sink: list[Timing] = []
        sites: list[Site] = []
        for job in jobs:
            try:
                sites.append(self.open_site(job, sink))
            except (DeviceError, OSError) as exc:
                self.errors.append(f"{job.code}: opening failed: {exc}")
            self.progress.put(("opened", 1))
        self.go.wait()
        queue: list[tuple[float, int, int, Event | None]] = []
        order = 0
        for s, site in enumerate(sites):
            for event in site.job.events:
                queue.append((event.at, order, s, event))
                order += 1
            queue.append((self.spec.heartbeat_s, order, s, None))  # None: the site's next heartbeat
            order += 1
        heapq.heapify(queue)
        done = 0
        while queue:
            at, _, s, event = heapq.heappop(queue)
            site = sites[s]
            self.wait_for(at)
            if event is None:
                if site.closed_at == 0.0 and at < site.job.events[-1].at:  # none after the close, even a failed one
                    self.heal(site, at)
                    self.beat(site)
                    heapq.heappush(queue, (at + self.spec.heartbeat_s, order, s, None))
                    order += 1
                continue
            try:
                self.handle(site, event)
            except (DeviceError, OSError) as exc:  # a device refusal the day did not plan for: reported, not fatal
                self.errors.append(f"{site.job.code} {event.kind}: {type(exc).__name__}: {exc}")
            done += 1
            if done % PROGRESS_EVERY == 0:
                self.progress.put(("events", PROGRESS_EVERY))
        self.progress.put(("events", done % PROGRESS_EVERY))
        for site in sites:
            self.finish(site)
            results.append(self.outcome(site))
        self.timings.extend(sink)

    def handle(self, site: Site, event: Event) -> None:
        if event.kind == "partition":
            site.offline_until = event.at + event.seconds
            site.auth_link.down = site.ebox_link.down = True
            site.count("partitions")
            return
        if event.kind == "close":
            self.heal(site, event.at)
            self.close(site)
            return
        if event.kind == "ebox_failure":
            self.replace_ebox(site)
            return
        self.heal(site, event.at)
        self.visit(site, event)

    def heal(self, site: Site, at: float) -> None:
        """End a partition that is over, and send what waited for the line (HQ may still be away).

        A partition lasts from its event to ``at`` on the day's schedule, not on the wall clock:
        devices that fall behind a busy machine's real time still see the same events cut off.
        """
        if site.offline_until >= 0 and at >= site.offline_until:
            site.offline_until = -1.0
            site.auth_link.down = site.ebox_link.down = False
        if site.unsynced and not site.auth_link.down:
            try:
                site.devices.auth.sync()
                site.unsynced = bool(site.devices.auth.pending())
            except HQUnreachable:
                pass

    def beat(self, site: Site, *, force: bool = False) -> None:
        now = self.sim_now()
        for agent in (site.devices.auth, site.devices.ebox):
            try:
                agent.heartbeat(now, interval_s=self.spec.heartbeat_s, force=force)
            except DeviceError as refusal:  # HQ refusing a heartbeat is a finding, not a crash
                self.errors.append(f"{site.job.code} heartbeat: {refusal.code}: {refusal}")

    def visit(self, site: Site, event: Event) -> None:
        devices = site.devices
        authenticator = devices.authenticator
        try:
            session = authenticator.begin(event.voter)
            while not session.cleared and session.attempts_left > 0:
                authenticator.scan(session)
            if not session.cleared:
                authenticator.release(session, branch_head=_TEXT["branch_head"], reason=_TEXT["release_reason"])
                site.count("manual_releases")
            # The branch head approves offline check-ins while the line is down (the devices find out by trying).
            checked = authenticator.check_in(session, now=self.sim_now(), style=devices.auth.setting("style"),
                                             offline_approved_by=_TEXT["branch_head"])
        except NotEligible:
            site.count("not_eligible")
            return
        except CheckInRefused as refusal:
            site.count(f"refused_{refusal.code}")
            return
        site.count("cards")
        if checked.offline:
            site.count("offline_cards")
            site.unsynced = True
            if event.kind == "second":
                site.second_offline.append(event.voter)
        devices.vote(checked.card, _ballot(site.rng, devices.box.manifest))
        site.count("ballots")

    def replace_ebox(self, site: Site) -> None:
        """Staff replace a failed e-box mid-day: HQ issues the successor's code, its journal moves over."""
        old = site.devices.ebox
        new_serial = f"{old.serial}-R{len(site.replaced) + 1}"
        with self.django_lock:  # the staff's act at HQ; one Django setup per worker
            from entekhab.hq.bootstrap import setup

            setup()
            from django.db import connection

            from entekhab.hq.demo.people import demo_user
            from entekhab.hq.polling.actions import do_replace_device
            from entekhab.hq.polling.models import DeviceEnrolment

            enrolment = DeviceEnrolment.objects.get(election__code=self.spec.election, serial=old.serial,
                                                    state="active")
            _, code = do_replace_device(enrolment, new_serial=new_serial, acting_user=demo_user("demo"),
                                        reason=_TEXT["replace_reason"])
            connection.close()
        link = TimedLink(self.spec.hq_url, self.timings)
        link.down = site.ebox_link.down
        new = DeviceAgent.initialise(self.device_dir / f"{new_serial}.db", serial=new_serial, role="ebox",
                                     transport=link)
        self.until_reachable(lambda: new.enrol(code))  # staff wait for HQ if it is away
        exported = ballot_box(old).retire()
        self.until_reachable(lambda: fetch_branch_info(new))
        site.devices.ebox, site.devices._box, site.ebox_link = new, None, link
        site.devices.box.import_transfer(exported, now=self.sim_now())
        old.close()
        site.replaced.append(new_serial)

    @staticmethod
    def until_reachable(act: Any, seconds: float = 120) -> Any:
        deadline = time.time() + seconds
        while True:
            try:
                return act()
            except HQUnreachable:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)

    def close(self, site: Site) -> None:
        """Close and send the report; HQ being away at that moment only delays the sending."""
        deadline = time.time() + 120
        while True:
            try:
                report = site.devices.close(now=self.sim_now(), branch_head=_TEXT["branch_head"],
                                            supervisor=_TEXT["supervisor"])
                break
            except HQUnreachable:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        site.report_sha256 = report.sha256
        site.closed_at = time.time()
        site.unsynced = True

    def finish(self, site: Site) -> None:
        """Until every message is acknowledged: a device keeps syncing after the close (HQ may be restarting)."""
        deadline = time.time() + 120
        for agent in (site.devices.auth, site.devices.ebox):
            while agent.pending() and time.time() < deadline:
                try:
                    agent.sync()
                except HQUnreachable:
                    time.sleep(0.5)
        self.beat(site, force=True)

    def outcome(self, site: Site) -> dict[str, Any]:
        """What the journals say HQ acknowledged: accepted check-ins by id, duplicates, refusals, the report."""
        auth, ebox = site.devices.auth, site.devices.ebox
        accepted, duplicates, refused = [], [], {}
        for entry in auth.journal.entries(kind="ack"):
            answer = entry.body.get("answer") or {}
            if "refused" in entry.body:
                code = str(entry.body["refused"].get("code", ""))
                refused[code] = refused.get(code, 0) + 1
            elif answer.get("status") == "accepted" and "checkin" in answer:
                accepted.append([int(answer["checkin"]), bool(answer.get("same_as_online", False))])
            elif answer.get("status") == "duplicate":
                duplicates.append(int(answer["incident"]))
        report_acked = any((e.body.get("answer") or {}).get("report") == site.report_sha256
                           for e in ebox.journal.entries(kind="ack"))
        pending = len(auth.pending()) + len(ebox.pending())
        out = {"branch": site.job.code, "tally": site.tally, "accepted": accepted, "duplicates": duplicates,
               "refused": refused, "second_offline": site.second_offline, "report_sha256": site.report_sha256,
               "report_acked": report_acked, "pending": pending, "replaced": site.replaced,
               "closed_at": site.closed_at}
        auth.close()
        ebox.close()
        return out


def worker_main(spec: WorkerSpec, progress: Any, results: Any, control: Any) -> None:
    """A device process: its branches split over threads; one result dict put on ``results``.

    The threads open their branches on the opening clock, then wait for the day's clock on ``control``.
    """
    worker = Worker(spec, progress)
    shares: list[list[BranchJob]] = [list(spec.jobs[i::spec.threads]) for i in range(spec.threads)]
    outcomes: list[dict[str, Any]] = []
    threads = [threading.Thread(target=worker.run_thread, args=(share, outcomes), daemon=True)
               for share in shares if share]
    for t in threads:
        t.start()
    worker.start_day(control.get())
    for t in threads:
        t.join()
    results.put({"branches": outcomes, "errors": worker.errors,
                 "timings": [(t.kind, t.seconds, t.status) for t in worker.timings]})
