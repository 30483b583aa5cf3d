"""The device journal: one SQLite file, an append-only hash chain of events plus device settings.

Each entry's hash covers its sequence number, kind, body and the previous hash, so
editing or deleting any entry breaks every later link (``verify`` names the first
break). SQL triggers refuse UPDATE and DELETE on the chain. The e-box's cast vote
records are deliberately *not* in the chain: a chain is ordered, and order would link
a vote to the voter checked in at that moment (see :mod:`entekhab.device.ballot_box`).

One act, one transaction: a device act (a ballot cast with its card and its journal entry,
a state move with its entry, a check-in's answer with its card) runs inside
:meth:`Journal.transaction`, so a crash leaves it wholly done or not done at all. The
connection is in autocommit mode (``isolation_level=None``: the ``sqlite3`` module opens no
implicit transactions) and every transaction is an explicit ``BEGIN IMMEDIATE``, which takes
the write lock first so two writers never interleave. Durability: WAL with
``synchronous=FULL`` syncs the WAL at every commit, so a committed act survives a power cut,
not only a crashed process (``NORMAL`` could lose the last commits on power loss).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entekhab.device.errors import JournalBroken
from entekhab.records.canonical import canonical_json, sha256_hex

GENESIS = "0" * 64
PRIVATE = 0o600  # the journal holds the device's secret key: owner read/write only

SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    previous TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE
);
CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Entry:
    seq: int
    kind: str
    body: dict[str, Any]
    previous: str
    digest: str


def entry_digest(seq: int, kind: str, body: dict[str, Any], previous: str) -> str:
    return sha256_hex(canonical_json({"seq": seq, "kind": kind, "body": body, "previous": previous}))


def _create_private(path: Path) -> None:
    """Create the file 0600 before SQLite opens it (whatever the umask), and tighten one made looser earlier."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE)
    try:
        os.fchmod(fd, PRIVATE)
    finally:
        os.close(fd)


class Journal:
    """An open journal file; one writer at a time (the device agent), WAL for readers."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _create_private(self.path)
        self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
        self._depth = 0  # how many transaction() blocks are open (0: autocommit)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:  # not a database, or a damaged one: say so, no traceback
            self.db.close()
            raise JournalBroken("the journal file %(path)s is damaged or not a journal: %(exc)s",
                                params={"path": self.path, "exc": exc}, code="journal_damaged") from exc
        for suffix in ("-wal", "-shm", "-journal"):  # SQLite copies the file's mode; make sure of it
            with suppress(FileNotFoundError):
                os.chmod(f"{self.path}{suffix}", PRIVATE)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; inside another one, a savepoint (the act commits once, at the outside).

        Every statement of an act goes through here so the act is atomic; a nested block that
        fails rolls back only its own part (a caller may catch the error and carry on).
        """
        if self._depth == 0:
            begin, commit, rollback = "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"
        else:
            name = f"act_{self._depth}"
            begin, commit, rollback = f"SAVEPOINT {name}", f"RELEASE {name}", f"ROLLBACK TO {name}; RELEASE {name}"
        self.db.execute(begin)
        self._depth += 1
        try:
            yield self.db
        except BaseException:
            self._depth -= 1
            for statement in rollback.split("; "):
                self.db.execute(statement)
            raise
        self._depth -= 1
        self.db.execute(commit)

    # -- settings (mutable device state: keys, enrolment, sync cursor) --
    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def put(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- the chain --
    def append(self, kind: str, body: dict[str, Any]) -> Entry:
        """Append one event atomically (as part of the act's transaction when one is open).

        The write lock makes two appends never share a predecessor.
        """
        with self.transaction():
            row = self.db.execute("SELECT seq, digest FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
            seq, previous = (row[0] + 1, row[1]) if row else (1, GENESIS)
            digest = entry_digest(seq, kind, body, previous)
            self.db.execute(
                "INSERT INTO journal(seq, kind, body, previous, digest) VALUES (?, ?, ?, ?, ?)",
                (seq, kind, canonical_json(body).decode(), previous, digest),
            )
        return Entry(seq, kind, body, previous, digest)

    def entries(self, *, after: int = 0, kind: str | None = None) -> Iterator[Entry]:
        sql = "SELECT seq, kind, body, previous, digest FROM journal WHERE seq > ?"
        args: tuple[Any, ...] = (after,)
        if kind is not None:
            sql += " AND kind = ?"
            args += (kind,)
        for seq, k, body, previous, digest in self.db.execute(sql + " ORDER BY seq", args).fetchall():
            yield Entry(seq, k, json.loads(body), previous, digest)

    def head(self) -> str:
        row = self.db.execute("SELECT digest FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
        return row[0] if row else GENESIS

    def count(self, kind: str) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM journal WHERE kind = ?", (kind,)).fetchone()[0])

    def verify(self, *, head: str | None = None) -> None:
        """Raise JournalBroken at the first entry whose link or content does not match.

        The chain alone cannot see its own last entries cut off (what remains is a valid
        chain): ``head``, a digest known from outside (a signed report's ``journal_head``, a
        transfer), must then be in the chain.
        """
        previous, expected_seq, seen = GENESIS, 1, head is None or head == GENESIS
        try:
            rows = self.db.execute("SELECT seq, kind, body, previous, digest FROM journal ORDER BY seq").fetchall()
        except sqlite3.DatabaseError as exc:
            raise JournalBroken("the journal file is damaged: %(exc)s", params={"exc": exc},
                                code="journal_damaged") from exc
        for seq, kind, body, prev, digest in rows:
            if seq != expected_seq:
                raise JournalBroken("journal entry %(expected_seq)s is missing", params={"expected_seq": expected_seq})
            if prev != previous:
                raise JournalBroken("journal entry %(seq)s: link to the previous entry is broken", params={"seq": seq})
            try:
                content = json.loads(body)
            except ValueError:
                content = None
            if content is None or entry_digest(seq, kind, content, prev) != digest:
                raise JournalBroken("journal entry %(seq)s: content does not match its digest", params={"seq": seq})
            previous, expected_seq, seen = digest, seq + 1, seen or digest == head
        if not seen:
            raise JournalBroken("the journal ends before the head it must contain: its last entries are missing",
                                code="journal_truncated")

    def export(self) -> list[dict[str, Any]]:
        """The whole chain as plain data, for transfer to a replacement device or to HQ."""
        return [
            {"seq": e.seq, "kind": e.kind, "body": e.body, "previous": e.previous, "digest": e.digest}
            for e in self.entries()
        ]
