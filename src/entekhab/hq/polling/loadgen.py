"""Check-in load against a real HQ server: a fresh database, enrolled devices, gunicorn, many clients.

Used by the concurrency tests and by ``bench/bench_checkin.py``. The database is prepared
in a child process (its own ``DATABASE_URL`` and data folder), so the server, the tests
and the bench share nothing but the database. Voters overlap on purpose: each voter is
sent by several devices at once, and exactly one of them may be accepted.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entekhab.domain.national_code import check_digit
from entekhab.records.messages import Envelope
from entekhab.records.signing import SigningKey


@dataclass(frozen=True)
class Credential:
    serial: str
    branch: str
    election: str
    seed: str  # hex of the key seed: a load test's devices are reproducible

    @property
    def key(self) -> SigningKey:
        return SigningKey.from_seed(bytes.fromhex(self.seed))


@dataclass(frozen=True)
class Result:
    status: int
    code: str
    seconds: float
    voter: str


def voters(n: int, seed: int = 1405) -> list[str]:
    """``n`` distinct valid national codes (the check digit computed, repeated digits avoided)."""
    rng = random.Random(f"voters:{seed}")
    out: set[str] = set()
    while len(out) < n:
        nine = f"{rng.randrange(10**9):09d}"
        code = nine + str(check_digit(nine))
        if len(set(code)) > 1:
            out.add(code)
    return sorted(out)


def _env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": database_url, "ENTEKHAB_DATA_DIR": str(data_dir),
                "DJANGO_SETTINGS_MODULE": "entekhab.hq.settings", "ENTEKHAB_LOG_LEVEL": "ERROR"})
    return env


def prepare(database_url: str, data_dir: Path, *, devices: int) -> list[Credential]:
    """Migrate, load the small demo, enrol ``devices`` authentication devices (one per branch)."""
    out = subprocess.run([sys.executable, "-m", "entekhab.hq.polling.loadgen", str(devices)],
                         env=_env(database_url, data_dir), capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"preparing the load-test database failed:\n{out.stderr[-3000:]}")
    return [Credential(**c) for c in json.loads(out.stdout.strip().splitlines()[-1])]


def _prepare_here(devices: int) -> list[dict[str, str]]:
    import django

    django.setup()
    from django.core.management import call_command

    from entekhab.domain.lifecycle import ElectionState
    from entekhab.hq.accounts.roles import sync_roles
    from entekhab.hq.demo.load import load_demo
    from entekhab.hq.demo.people import advance_to, demo_user
    from entekhab.hq.elections.models import Election
    from entekhab.hq.polling.actions import do_create_enrolment, enrol_device

    call_command("migrate", verbosity=0)
    load_demo("small", 1405)
    sync_roles()
    admin = demo_user("demo")
    election = advance_to(Election.objects.get(code="1405"), ElectionState.POLLING, reason="load test")
    creds = []
    for i, branch in enumerate(election.branches.order_by("number")[:devices]):
        serial = f"LOAD-AUTH-{i:03d}"
        _, code = do_create_enrolment(branch, serial=serial, role="auth", acting_user=admin)
        seed = bytes([i % 256]) * 31 + bytes([i // 256])
        key = SigningKey.from_seed(seed)
        claim = {"serial": serial, "role": "auth", "public_key": key.public_hex, "code": code}
        enrol_device({**claim, "proof": key.sign_document(claim)})
        creds.append({"serial": serial, "branch": branch.code, "election": election.code, "seed": seed.hex()})
    return creds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn on 127.0.0.1 with ``workers`` sync processes, stopped by ``stop`` (or killed by ``kill``).

    It runs in a process group of its own, so ``kill`` takes the master and every worker at
    once, as a crashed machine would; ``port`` and ``env`` let a restart take the same address.
    """

    def __init__(self, database_url: str, data_dir: Path, *, workers: int,
                 app: str = "entekhab.hq.polling.wsgi:application", threads: int = 1, port: int = 0,
                 env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        worker_class = ["-k", "gthread", "--threads", str(threads)] if threads > 1 else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", app, "-w", str(workers), *worker_class,
             "-b", f"127.0.0.1:{self.port}", "--backlog", "2048", "--log-level", "warning", "--timeout", "60"],
            env={**_env(database_url, data_dir), **(env or {})}, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/elections")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL to the master and its workers together: nothing gets to finish or flush."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()


def plan(creds: Sequence[Credential], people: Sequence[str], copies: int, seed: int = 1) -> list[tuple[int, str]]:
    """(device index, voter) pairs: every voter sent by ``copies`` different devices, shuffled."""
    rng = random.Random(seed)
    jobs = [(d, v) for v in people for d in rng.sample(range(len(creds)), copies)]
    rng.shuffle(jobs)
    return jobs


def sign_jobs(creds: Sequence[Credential], jobs: Sequence[tuple[int, str]], *, first_seq: int = 1
              ) -> list[tuple[str, bytes]]:
    """(voter, request body) per job, signed ahead so the generator spends its time sending."""
    keys = [c.key for c in creds]
    counters = [itertools.count(first_seq) for _ in creds]
    out = []
    for d, voter in jobs:
        cred = creds[d]
        envelope = Envelope(cred.serial, cred.election, cred.branch, next(counters[d]), "checkin",
                            {"national_code": voter, "fingerprint": "matched"})
        out.append((voter, json.dumps(envelope.signed(keys[d])).encode()))
    return out


def fire(port: int, creds: Sequence[Credential], jobs: Sequence[tuple[int, str]], *, threads: int,
         first_seq: int = 1) -> list[Result]:
    """Send the jobs from ``threads`` threads; each message signed with its device's next sequence number."""
    return send(port, sign_jobs(creds, jobs, first_seq=first_seq), threads=threads)


def send(port: int, signed: Sequence[tuple[str, bytes]], *, threads: int) -> list[Result]:
    results: list[Result] = []
    cursor = itertools.count()
    lock = threading.Lock()
    headers = {"Content-Type": "application/json"}

    def worker() -> None:
        local: list[Result] = []
        while True:
            i = next(cursor)
            if i >= len(signed):
                break
            voter, body = signed[i]
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("POST", "/api/v1/polling/messages", body, headers)
                response = conn.getresponse()
                data = response.read()
                conn.close()
                status = response.status
                try:
                    payload: Any = json.loads(data)
                except ValueError:
                    payload = {}
                code = str(payload.get("status") or payload.get("code") or "")
            except OSError as exc:
                status, code = 0, type(exc).__name__
            local.append(Result(status, code, time.perf_counter() - start, voter))
        with lock:
            results.extend(local)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results


if __name__ == "__main__":
    print(json.dumps(_prepare_here(int(sys.argv[1]))))
