"""The embedded SQLite database syncs every commit: an acknowledged check-in survives a power cut."""

from __future__ import annotations

import pytest
from django.db import connection


def test_sqlite_commits_are_synced(db):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's durability is synchronous_commit, set on the server (docs/polling.md)")
    with connection.cursor() as cur:
        cur.execute("PRAGMA synchronous")
        assert cur.fetchone()[0] == 2  # FULL (NORMAL, 1, can lose the last commits in WAL mode)
