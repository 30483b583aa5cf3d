"""Database triggers that refuse a lifecycle move its table does not allow.

Application code changes a state only through :meth:`Lifecycle.move`; these triggers hold
the same tables in the database, so a ``QuerySet.update()``, a raw statement or a bug that
skips ``move`` is refused too (SQLite and PostgreSQL). A state left unchanged passes; INSERT
is not guarded (each model's default is its first state).

Each trigger's name carries a digest of its table of moves, so a changed table shows as a
missing trigger (``test_lifecycle_triggers``) until a migration calls :func:`reinstall`.

The election's own state is not here: the demo tool rewinds its one demo election
(``demo.people.rewind_for_demo``, audited as ``demo.rewind``), and only
``do_change_election_state`` moves any other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from entekhab.domain.device_lifecycle import DEVICE
from entekhab.domain.lifecycle import Lifecycle
from entekhab.domain.vetting import CANDIDACY
from entekhab.publication.certification import RESULT

PREFIX = "lifecycle_"
MESSAGE = "lifecycle move refused"


@dataclass(frozen=True)
class Guarded:
    table: str
    column: str
    lifecycle: Lifecycle

    @property
    def name(self) -> str:
        digest = hashlib.sha256(repr(self.lifecycle.pairs()).encode()).hexdigest()[:8]
        return f"{PREFIX}{self.table}_{self.column}_{digest}"

    def moves_sql(self) -> str:
        return ", ".join(f"'{a}>{b}'" for a, b in self.lifecycle.pairs())


def guarded() -> list[Guarded]:
    """Every guarded column: imported late, because the model modules need the app registry."""
    from entekhab.hq.candidates.models import LIST
    from entekhab.hq.capacity.models import RUN
    from entekhab.hq.operations.models.committees import ACTION_ITEM
    from entekhab.hq.polling.models import BRANCH_DAY, ENROLMENT, INCIDENT

    return [
        Guarded("candidates_registration", "state", CANDIDACY),
        Guarded("candidates_candidatelist", "state", LIST),
        Guarded("polling_deviceenrolment", "state", ENROLMENT),
        Guarded("polling_branchopening", "state", BRANCH_DAY),
        Guarded("polling_incident", "status", INCIDENT),
        Guarded("operations_device", "state", DEVICE),
        Guarded("operations_actionitem", "status", ACTION_ITEM),
        Guarded("results_resultversion", "state", RESULT),
        Guarded("capacity_planrun", "state", RUN),
    ]


PG_FUNCTION = f"""CREATE OR REPLACE FUNCTION lifecycle_moves() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_s text := to_jsonb(OLD) ->> TG_ARGV[0];
  new_s text := to_jsonb(NEW) ->> TG_ARGV[0];
BEGIN
  IF old_s IS DISTINCT FROM new_s AND NOT ((old_s || '>' || new_s) = ANY (TG_ARGV[1:])) THEN
    RAISE EXCEPTION '{MESSAGE}: %.% cannot go from % to %', TG_TABLE_NAME, TG_ARGV[0], old_s, new_s
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$"""


def install_sql(vendor: str, items: list[Guarded] | None = None) -> list[str]:
    items = guarded() if items is None else items
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {g.name} BEFORE UPDATE OF {g.column} ON {g.table} "
            f"WHEN NEW.{g.column} IS NOT OLD.{g.column} AND (OLD.{g.column} || '>' || NEW.{g.column}) "
            f"NOT IN ({g.moves_sql()}) BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {g.table}.{g.column}'); END"
            for g in items
        ]
    if vendor == "postgresql":
        return [PG_FUNCTION, *[
            f"CREATE TRIGGER {g.name} BEFORE UPDATE OF {g.column} ON {g.table} FOR EACH ROW "
            f"EXECUTE FUNCTION lifecycle_moves('{g.column}', {g.moves_sql()})"
            for g in items
        ]]
    raise ImproperlyConfigured(f"lifecycle triggers exist for SQLite and PostgreSQL only, not {vendor}")


def _present(connection) -> list[tuple[str, str]]:
    """(trigger, table) of every lifecycle trigger the database holds now."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                        [PREFIX + "%"])
        else:
            cur.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger"
                        " WHERE NOT tgisinternal AND tgname LIKE %s", [PREFIX + "%"])
        return cur.fetchall()


def installed(connection) -> list[str]:
    return sorted(name for name, _ in _present(connection))


def expected() -> list[str]:
    return sorted(g.name for g in guarded())


def drop_all(connection) -> None:
    """Drop every lifecycle trigger present, whichever tables of moves it was built from."""
    old = _present(connection)
    with connection.cursor() as cur:
        for name, table in old:
            cur.execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if connection.vendor == "sqlite" else f" ON {table}"))


def reinstall(connection) -> None:
    """Drop whatever lifecycle triggers exist and install the current tables' (a migration's job)."""
    drop_all(connection)
    with connection.cursor() as cur:
        for sql in install_sql(connection.vendor):
            cur.execute(sql)
