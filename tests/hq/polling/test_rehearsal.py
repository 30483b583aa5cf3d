"""A scaled-down rehearsal of the whole polling day, in CI: every fault kind once, the promises checked.

The command runs as a newcomer would run it (``entekhab polling rehearse``), in a process
of its own, on a database of its own: a fresh ``entekhab_rehearsal_*`` database on the
suite's PostgreSQL server (the SQLite pass skips it, to keep the suite inside its time).
Every figure it checks is read back from the database or from the devices' journals.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from entekhab.hq.polling.rehearsal.report import must_hold

pytestmark = [pytest.mark.db, pytest.mark.transactional]


def _database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the rehearsal runs in the suite's PostgreSQL pass (production's database; dropped "
                    "connections are a server's); `entekhab polling rehearse` runs on SQLite by hand")
    base, _, _ = url.rpartition("/")
    return f"{base}/entekhab_rehearsal_{uuid.uuid4().hex[:8]}"


def test_a_compressed_day_with_every_fault_keeps_every_promise(tmp_path):
    url = _database()
    command = [sys.executable, "-m", "entekhab.cli", "--lang", "en", "polling", "rehearse", "--out", str(tmp_path),
               "--branches", "12", "--hour-seconds", "2.5", "--turnout-scale", "0.05", "--processes", "2",
               "--threads", "5", "--heartbeat", "1800", "--json"]
    command += ["--database-url", url]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ENTEKHAB_DATA_DIR")}
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900, check=False)
    finally:
        import psycopg

        base, _, name = url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert done.returncode == 0, done.stderr[-4000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    broken = [(key, value) for key, _, value, holds in must_hold(figures) if not holds]
    assert not broken, (broken, figures["errors"])
    # Every fault kind struck once, and did something.
    kinds = {f["kind"]: f for f in figures["faults"]}
    assert set(kinds) == {"hq_kill", "db_drop"}
    assert kinds["hq_kill"]["down_seconds"] >= 3
    assert kinds["db_drop"]["connections_dropped"] >= 1
    assert figures["tally"]["partitions"] == 1 and figures["replacements"] == 1
    assert figures["tally"]["offline_cards"] >= 1
    # The staged second visits into a partition and into the outage became duplicates, each an incident.
    assert figures["staged_offline_second_visits"] >= 1
    assert figures["duplicates_recorded"] == figures["double_checkin_incidents"] >= 1
    # Cards the devices issued = check-ins HQ holds + duplicates HQ recorded (nothing vanished in between).
    assert figures["tally"]["cards"] == figures["checkins_in_database"] + figures["duplicates_recorded"]
    assert figures["acknowledged_checkins"] == figures["checkins_in_database"]
    assert figures["reports_stored"] == 12 and figures["results"]["counted_reports"] == figures["branches_in_election"]
    report = (tmp_path / "report.html").read_text()
    assert 'lang="fa" dir="rtl"' in report and 'data-testid="all-hold"' in report and "<svg" in report
