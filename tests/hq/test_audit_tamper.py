"""Tampering with the audit log: refused by the database, and detected when the triggers are gone.

The second half drops the triggers inside the test's transaction (an attacker who owns the
tables can do the same); the rollback at the end of each test puts them back.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import DatabaseError, connection, transaction
from typer.testing import CliRunner

from entekhab.cli import app
from entekhab.hq.audit import triggers
from entekhab.hq.audit.checkpoints import checkpoint_document, sign_head
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import Problem, record, verify_chain
from entekhab.hq.audit.models import PAYLOAD_FIELDS, AuditCheckpoint, AuditEvent, AuditHead, event_payload


@pytest.fixture
def events(db) -> list[AuditEvent]:
    return [record(actor=None, action=Event.MEETING_RECORD, target_type="tamper", target_id=str(i), after={"i": i})
            for i in range(5)]


def sql(statement: str, params: tuple = ()) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params)


def refused(statement: str, params: tuple = ()) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(statement, params)


def drop_triggers() -> None:
    for statement in triggers.drop_sql(connection.vendor):
        sql(statement)


def audit_verify(*args: str):
    return CliRunner().invoke(app, ["audit", "verify", *args])


def test_every_trigger_is_installed(db):
    assert triggers.installed(connection) == triggers.expected(connection.vendor)


def test_raw_update_of_an_event_is_refused(events):
    refused("UPDATE audit_auditevent SET reason = 'rewritten' WHERE id = %s", (events[2].id,))
    assert AuditEvent.objects.get(pk=events[2].id).reason == ""


def test_raw_delete_of_an_event_is_refused(events):
    refused("DELETE FROM audit_auditevent WHERE id = %s", (events[-1].id,))
    refused("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.filter(target_type="tamper").count() == 5


def test_head_cannot_be_deleted_or_set_back(events):
    refused("DELETE FROM audit_audithead")
    refused("UPDATE audit_audithead SET digest = %s WHERE id = 1", (events[2].digest,))
    assert AuditHead.objects.get(pk=1).digest == events[-1].digest


def test_signed_heads_cannot_be_edited_or_deleted(events):
    cp = sign_head()
    refused("UPDATE audit_auditcheckpoint SET events = 1 WHERE id = %s", (cp.id,))
    refused("DELETE FROM audit_auditcheckpoint WHERE id = %s", (cp.id,))


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has no TRUNCATE")
def test_truncate_is_refused_on_postgresql(events):
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # else PostgreSQL refuses first for the pending foreign-key checks
    refused("TRUNCATE audit_auditevent, audit_audithead, audit_auditcheckpoint")


def test_an_intact_log_verifies(events):
    sign_head()
    result = audit_verify()
    assert result.exit_code == 0, result.output
    assert "سالم" in result.output and "intact" in result.output


def test_an_edited_event_is_named(events):
    drop_triggers()
    sql("UPDATE audit_auditevent SET reason = 'rewritten' WHERE id = %s", (events[2].id,))
    result = audit_verify()
    assert result.exit_code == 1
    assert f"broken at event {events[2].id}: the content does not match its digest" in result.output
    assert f"دفتر رویدادها در رویداد {events[2].id} شکسته است" in result.output
    assert result.output.index("شکسته") < result.output.index("broken")  # Persian first


def test_a_deleted_middle_event_is_named(events):
    drop_triggers()
    sql("DELETE FROM audit_auditevent WHERE id = %s", (events[2].id,))
    result = audit_verify()
    assert result.exit_code == 1
    assert f"broken at event {events[3].id}: the link to the previous event is broken" in result.output


def test_a_truncated_tail_is_named(events):
    drop_triggers()
    sql("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", (events[3].id, events[4].id))
    assert [(b.event_id, b.kind) for b in verify_chain()] == [(events[2].id, Problem.TAIL_MISSING)]
    result = audit_verify()
    assert result.exit_code == 1
    assert f"broken at event {events[2].id}: event {events[2].id} is the last one present" in result.output
    assert "the events after it are missing" in result.output


def rewrite_from(victim: AuditEvent, **change) -> str:
    """Edit one event, then recompute every later digest (the hash is unkeyed) and set the head to the end."""
    AuditEvent.objects.filter(pk=victim.pk).update(**change)
    previous = AuditEvent.objects.filter(id__lt=victim.id).order_by("-id").values_list("digest", flat=True).first()
    for event_id, *fields in AuditEvent.objects.filter(id__gte=victim.id).order_by("id").values_list(
            "id", *PAYLOAD_FIELDS):
        fields[-1] = previous or "0" * 64
        digest = hashlib.sha256(event_payload(*fields)).hexdigest()
        AuditEvent.objects.filter(pk=event_id).update(previous_digest=fields[-1], digest=digest)
        previous = digest
    AuditHead.objects.filter(pk=1).update(digest=previous)
    return previous


def test_a_recomputed_chain_is_caught_by_the_signed_head(events):
    cp = sign_head()
    later = record(actor=None, action=Event.MEETING_RECORD, target_type="tamper", target_id="after")
    drop_triggers()
    rewrite_from(events[1], reason="rewritten, and every digest after it recomputed")
    breaks = verify_chain()
    assert [(b.event_id, b.kind) for b in breaks] == [(cp.last_event_id, Problem.CHECKPOINT_DIGEST)]
    assert cp.last_event_id == events[-1].id and later.id > cp.last_event_id
    result = audit_verify()
    assert result.exit_code == 1
    assert f"broken at event {events[-1].id}: checkpoint {cp.id}: event {events[-1].id} has another digest" \
        in result.output


def test_a_head_kept_outside_catches_a_rewrite_even_with_the_checkpoints_deleted(events, tmp_path):
    kept = tmp_path / "audit-head.json"
    kept.write_text(json.dumps(checkpoint_document(sign_head())))
    drop_triggers()
    rewrite_from(events[0], reason="rewritten")
    AuditCheckpoint.objects.all().delete()
    assert audit_verify().exit_code == 0  # nothing left inside HQ to catch it…
    result = audit_verify("--head", str(kept))  # …but the published head does
    assert result.exit_code == 1
    assert f"broken at event {events[-1].id}: the head kept outside" in result.output


def test_deleting_the_tail_and_setting_the_head_back_is_caught_by_the_signed_head(events):
    cp = sign_head()
    drop_triggers()
    sql("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", (events[3].id, events[4].id))
    AuditHead.objects.filter(pk=1).update(digest=events[2].digest)
    assert [(b.event_id, b.kind) for b in verify_chain()] == [(cp.last_event_id, Problem.CHECKPOINT_EVENT_MISSING)]


def test_sign_head_at_intervals_signs_only_when_the_head_moved(events, monkeypatch):
    """``sign-head --every``: the first look signs, a look with nothing new signs nothing."""
    import time

    looks = []
    monkeypatch.setattr(time, "sleep", lambda s: looks.append(s))
    before = AuditCheckpoint.objects.count()
    result = CliRunner().invoke(app, ["audit", "sign-head", "--every", "300", "--rounds", "3"])
    assert result.exit_code == 0, result.output
    assert AuditCheckpoint.objects.count() == before + 1
    assert AuditCheckpoint.objects.order_by("-id").first().last_event_id == events[-1].id
    assert result.output.count("nothing to sign") == 2 and looks == [300, 300]
