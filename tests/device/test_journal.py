"""The device journal: one transaction per act, durable settings, and a chain that names damage."""

from __future__ import annotations

import sqlite3

import pytest

from entekhab.device.errors import JournalBroken
from entekhab.device.journal import GENESIS, Journal, entry_digest
from entekhab.records.canonical import canonical_json


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "j.db")
    yield j
    j.close()


def test_durability_settings_are_wal_with_a_full_sync(journal):
    assert journal.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert journal.db.isolation_level is None  # no implicit transactions from the sqlite3 module


def test_an_act_commits_all_its_parts_at_once(journal, tmp_path):
    other = sqlite3.connect(tmp_path / "j.db")  # a second reader sees nothing until the act commits
    with journal.transaction():
        journal.append("state", {"to": "open"})
        journal.put("box_state", "open")
        assert journal.db.in_transaction
        assert other.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 0
        assert other.execute("SELECT COUNT(*) FROM settings").fetchone()[0] == 0
    assert not journal.db.in_transaction
    assert other.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 1
    assert other.execute("SELECT value FROM settings WHERE key = 'box_state'").fetchone()[0] == "open"
    other.close()


def test_a_failing_act_leaves_nothing_behind(journal):
    journal.append("initialised", {})
    with pytest.raises(RuntimeError), journal.transaction():
        journal.append("state", {"to": "open"})
        journal.put("box_state", "open")
        raise RuntimeError("the act failed half-way")
    assert [e.kind for e in journal.entries()] == ["initialised"]
    assert journal.get("box_state") is None
    assert not journal.db.in_transaction
    journal.append("state", {"to": "open"})  # the journal goes on from the same head
    journal.verify()


def test_a_nested_block_that_fails_rolls_back_only_itself(journal):
    with journal.transaction():
        journal.append("outer", {})
        with pytest.raises(ValueError), journal.transaction():
            journal.append("inner", {})
            raise ValueError("refused")
        journal.append("after", {})
    assert [e.kind for e in journal.entries()] == ["outer", "after"]
    journal.verify()


def test_an_edited_or_forged_entry_is_named(journal):
    for i in range(4):
        journal.append("event", {"i": i})
    journal.db.execute("DROP TRIGGER journal_no_update")
    # A forger rewrites entry 2's body and recomputes its digest: the link from entry 3 breaks.
    body = {"i": 99}
    prev = journal.db.execute("SELECT previous FROM journal WHERE seq = 2").fetchone()[0]
    journal.db.execute("UPDATE journal SET body = ?, digest = ? WHERE seq = 2",
                       (canonical_json(body).decode(), entry_digest(2, "event", body, prev)))
    with pytest.raises(JournalBroken, match="entry 3: link"):
        journal.verify()


def test_a_body_that_is_not_json_is_a_broken_entry_not_a_crash(journal):
    journal.append("event", {})
    journal.db.execute("DROP TRIGGER journal_no_update")
    journal.db.execute("UPDATE journal SET body = 'not json' WHERE seq = 1")
    with pytest.raises(JournalBroken, match="entry 1: content"):
        journal.verify()


def test_cut_off_last_entries_are_found_against_a_head_known_from_outside(journal):
    for i in range(5):
        journal.append("event", {"i": i})
    head = journal.head()  # e.g. the journal_head a signed report carries
    journal.verify(head=head)
    journal.db.execute("DROP TRIGGER journal_no_delete")
    journal.db.execute("DELETE FROM journal WHERE seq >= 4")
    journal.verify()  # what remains is a valid chain: the chain alone cannot see the cut
    with pytest.raises(JournalBroken) as cut:
        journal.verify(head=head)
    assert cut.value.code == "journal_truncated"
    journal.verify(head=GENESIS)


def test_a_truncated_or_foreign_file_is_refused_with_a_journal_error(tmp_path):
    j = Journal(tmp_path / "j.db")
    for i in range(200):
        j.append("event", {"i": i, "pad": "x" * 200})
    j.close()  # checkpoints the WAL into the file
    data = (tmp_path / "j.db").read_bytes()
    (tmp_path / "cut.db").write_bytes(data[: len(data) // 2])
    with pytest.raises(JournalBroken) as damaged:
        cut = Journal(tmp_path / "cut.db")
        cut.verify()
    assert damaged.value.code == "journal_damaged"
    (tmp_path / "junk.db").write_bytes(b"\x00not a database" * 100)
    with pytest.raises(JournalBroken) as junk:
        Journal(tmp_path / "junk.db")
    assert junk.value.code == "journal_damaged"
