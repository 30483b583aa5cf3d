"""Thousands of check-ins for overlapping voters from many devices and threads against gunicorn.

Runs on the database of the current suite run: SQLite (a fresh file) by default, and
PostgreSQL (a fresh database on the same server) when ``DATABASE_URL`` points there.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter

import pytest

from entekhab.hq.polling.loadgen import Server, fire, plan, prepare, voters


@pytest.fixture
def database(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'hq.sqlite3'}"
        return
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"entekhab_conc_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_exactly_one_accepted_checkin_per_voter_never_a_500(database, tmp_path):
    creds = prepare(database, tmp_path, devices=12)
    people = voters(500, seed=8)
    jobs = plan(creds, people, copies=4)  # 2,000 check-ins, each voter from 4 devices at once
    server = Server(database, tmp_path, workers=2, threads=4)  # the recommended gthread deployment
    try:
        results = fire(server.port, creds, jobs, threads=16)
        # A replay of some of the same messages (same device, same sequence number) must also be refused.
        replays = fire(server.port, creds, jobs[:100], threads=8)
    finally:
        server.stop()
    assert len(results) == len(jobs)
    statuses = Counter(r.status for r in results)
    assert all(s < 500 and s != 0 for s in statuses), statuses
    accepted = Counter(r.voter for r in results if r.status == 200 and r.code == "accepted")
    assert set(accepted) == set(people) and set(accepted.values()) == {1}
    refused = [r for r in results if r.status != 200]
    assert {r.code for r in refused} == {"already_voted"} and len(refused) == len(jobs) - len(people)
    assert {r.code for r in replays} == {"replay"}
