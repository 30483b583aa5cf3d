"""Benchmark: verifying the audit chain, the old loop against the new one, over 1 M events.

Setup (not measured): a scratch SQLite database in a temporary folder, migrated, filled with
``BENCH_AUDIT_EVENTS`` (default 1,000,000) properly chained events by bulk inserts, and one
signed head. Prints events/s for:

- before: the verify loop as it was (model instances, digest and link per event, nothing else);
- after: :func:`entekhab.hq.audit.log.verify_chain` (rows read as tuples, plus the chain's end
  against the head and every signed checkpoint).

    .venv/bin/python bench/bench_audit.py
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
import time

from sample_text import FA

TMP = tempfile.mkdtemp(prefix="entekhab-bench-audit-")
os.environ.update({"ENTEKHAB_DATA_DIR": TMP, "DATABASE_URL": f"sqlite:///{TMP}/bench.sqlite3",
                   "DJANGO_SETTINGS_MODULE": "entekhab.hq.settings", "ENTEKHAB_LOG_LEVEL": "CRITICAL"})
N = int(os.environ.get("BENCH_AUDIT_EVENTS", "1000000"))
BATCH = 20_000


def old_verify_chain() -> list[tuple[int, str]]:
    """A copy of ``verify_chain`` before the signed heads (links and digests only)."""
    from entekhab.hq.audit.models import GENESIS, AuditEvent

    breaks: list[tuple[int, str]] = []
    previous = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator():
        if event.previous_digest != previous:
            breaks.append((event.id, "link to the previous event is broken"))
        if event.compute_digest() != event.digest:
            breaks.append((event.id, "content does not match its digest"))
        previous = event.digest
    return breaks


def fill(n: int) -> None:
    from django.db import connection, transaction

    from entekhab.hq.audit import triggers
    from entekhab.hq.audit.events import Event
    from entekhab.hq.audit.models import GENESIS, AuditEvent, AuditHead

    start = dt.datetime(2026, 6, 19, 4, 30, tzinfo=dt.UTC)
    actions = [e.value for e in Event]
    previous = GENESIS
    with transaction.atomic():
        AuditHead.objects.create(pk=1, digest=GENESIS)
        with connection.cursor() as cur:  # a bench database: set the head in one step, then put the triggers back
            for sql in triggers.drop_sql(connection.vendor):
                cur.execute(sql)
        for first in range(0, n, BATCH):
            rows = []
            for i in range(first, min(n, first + BATCH)):
                e = AuditEvent(created_at=start + dt.timedelta(microseconds=37 * i), actor_name=f"official-{i % 97}",
                               action=actions[i % len(actions)], target_type="elections.Branch",
                               target_id=str(i % 4000), before={"state": "open"} if i % 3 else None,
                               after={"state": "closed", "n": i}, reason="" if i % 5 else FA["review"],
                               succeeded=bool(i % 11), previous_digest=previous)
                e.digest = previous = hashlib.sha256(e.payload()).hexdigest()
                rows.append(e)
            AuditEvent.objects.bulk_create(rows, batch_size=2000)
        AuditHead.objects.filter(pk=1).update(digest=previous)
        with connection.cursor() as cur:
            for sql in triggers.install_sql(connection.vendor):
                cur.execute(sql)


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from entekhab.hq.audit.checkpoints import sign_head
    from entekhab.hq.audit.log import verify_chain

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    fill(N)
    sign_head()
    print(f"setup: {N:,} chained events written in {time.perf_counter() - t:.1f} s (not measured)")
    t = time.perf_counter()
    before = old_verify_chain()
    old_s = time.perf_counter() - t
    t = time.perf_counter()
    after = verify_chain()
    new_s = time.perf_counter() - t
    assert before == [] and after == [], (before[:3], after[:3])
    print(f"before (old loop: links and digests):            {old_s:6.1f} s  {N / old_s:10,.0f} events/s")
    print(f"after  (verify_chain: + head and signed heads):  {new_s:6.1f} s  {N / new_s:10,.0f} events/s")
    print(f"ratio after/before: {old_s / new_s:.2f}x")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
