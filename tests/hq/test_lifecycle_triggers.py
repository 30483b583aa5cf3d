"""The database refuses every lifecycle move its table does not allow, whatever path the write takes."""

from __future__ import annotations

import itertools

import pytest
from django.db import DatabaseError, connection, transaction

from entekhab.domain.lifecycle import Lifecycle
from entekhab.hq.candidates.models import CandidateList, ListState
from entekhab.hq.lifecycles import triggers
from entekhab.hq.lifecycles.triggers import Guarded
from entekhab.hq.operations.models import Device


def test_every_guarded_column_has_its_current_trigger(db):
    """A changed table of moves, or a table that SQLite rebuilt, shows here until a migration reinstalls."""
    assert triggers.installed(connection) == triggers.expected()


def _scratch(lifecycle: Lifecycle) -> Guarded:
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE lifecycle_scratch (id integer PRIMARY KEY, state varchar(20) NOT NULL)")
        g = Guarded("lifecycle_scratch", "state", lifecycle)
        for sql in triggers.install_sql(connection.vendor, [g]):
            cur.execute(sql)
    return g


@pytest.mark.parametrize("g", triggers.guarded(), ids=lambda g: g.table)
def test_the_trigger_allows_exactly_the_lifecycles_moves(db, g):
    """Every ordered pair of states, tried with a raw UPDATE: the database agrees with ``Lifecycle.check``."""
    _scratch(g.lifecycle)
    allowed = set(g.lifecycle.pairs())
    states = [s.value for s in g.lifecycle.states]
    wrong = []
    with connection.cursor() as cur:
        for i, (a, b) in enumerate(itertools.product(states, states)):
            cur.execute("INSERT INTO lifecycle_scratch (id, state) VALUES (%s, %s)", [i, a])
            try:
                with transaction.atomic():
                    cur.execute("UPDATE lifecycle_scratch SET state = %s WHERE id = %s", [b, i])
                passed = True
            except DatabaseError as exc:
                assert triggers.MESSAGE in str(exc)
                passed = False
            if passed != (a == b or (a, b) in allowed):
                wrong.append((a, b, passed))
    assert wrong == []


def test_a_queryset_update_cannot_move_a_list_back(election):
    """The demo's lists are locked; ``update()`` skips ``Lifecycle.move`` but not the database."""
    lst = CandidateList.objects.filter(contest__election=election, state=ListState.LOCKED).first()
    assert lst is not None
    with pytest.raises(DatabaseError, match=triggers.MESSAGE), transaction.atomic():
        CandidateList.objects.filter(pk=lst.pk).update(state=ListState.DRAFT)
    assert CandidateList.objects.get(pk=lst.pk).state == ListState.LOCKED


def test_raw_sql_follows_a_devices_lifecycle_and_no_further(db):
    device = Device.objects.create(serial="LIFECYCLE-1", kind="ebox", model_name="t")
    assert device.state == "received"
    with connection.cursor() as cur:
        cur.execute("UPDATE operations_device SET state = 'tested' WHERE id = %s", [device.pk])
        with pytest.raises(DatabaseError, match=triggers.MESSAGE), transaction.atomic():
            cur.execute("UPDATE operations_device SET state = 'in_service' WHERE id = %s", [device.pk])
    device.refresh_from_db()
    assert device.state == "tested"
