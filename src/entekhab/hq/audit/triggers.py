"""The database triggers that make the audit tables append-only, on SQLite and PostgreSQL.

* ``audit_auditevent`` and ``audit_auditcheckpoint``: every UPDATE and DELETE is refused.
* ``audit_audithead``: DELETE is refused, and an UPDATE only when it advances the head by
  one event (the new digest is an event's whose ``previous_digest`` is the old one); an
  INSERT only of an empty head (genesis digest) while there are no events.
* PostgreSQL also refuses TRUNCATE of the three tables (a statement trigger). SQLite has no
  TRUNCATE: ``DELETE FROM t`` fires the row triggers.

Installed by migration ``0003_append_only_triggers``. Whoever owns the tables can still drop
the triggers (that is DDL, not a code path of the application); what such an attacker can
and cannot hide is in ``docs/audit.md``. The test suite's flush drops and re-creates them
around its own DELETE/TRUNCATE (see ``tests/conftest.py``); nothing in ``src`` does.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

GENESIS_SQL = "'" + "0" * 64 + "'"
APPEND_ONLY = ("audit_auditevent", "audit_auditcheckpoint")
HEAD = "audit_audithead"
MESSAGE = "the audit log is append-only"
_ADVANCES = ("EXISTS (SELECT 1 FROM audit_auditevent e WHERE e.digest = NEW.digest"
             " AND e.previous_digest = OLD.digest) AND NEW.id = OLD.id")
_EMPTY_HEAD = f"NEW.digest = {GENESIS_SQL} AND NOT EXISTS (SELECT 1 FROM audit_auditevent)"

SQLITE_NAMES = [f"{t}_no_{op}" for t in APPEND_ONLY for op in ("update", "delete")] + [
    f"{HEAD}_no_delete", f"{HEAD}_only_advances", f"{HEAD}_insert_empty"]
PG_NAMES = [(f"{t}_append_only", t) for t in (*APPEND_ONLY, HEAD)] + [
    (f"{t}_no_truncate", t) for t in (*APPEND_ONLY, HEAD)]


def _sqlite_install() -> list[str]:
    raise_ = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    sql = [f"CREATE TRIGGER {t}_no_{op} BEFORE {op.upper()} ON {t} {raise_}"
           for t in APPEND_ONLY for op in ("update", "delete")]
    sql += [
        f"CREATE TRIGGER {HEAD}_no_delete BEFORE DELETE ON {HEAD} {raise_}",
        f"CREATE TRIGGER {HEAD}_only_advances BEFORE UPDATE ON {HEAD} WHEN NOT ({_ADVANCES}) {raise_}",
        f"CREATE TRIGGER {HEAD}_insert_empty BEFORE INSERT ON {HEAD} WHEN NOT ({_EMPTY_HEAD}) {raise_}",
    ]
    return sql


def _pg_install() -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = '{HEAD}' THEN
    IF TG_OP = 'UPDATE' AND {_ADVANCES} THEN RETURN NEW; END IF;
    IF TG_OP = 'INSERT' AND {_EMPTY_HEAD} THEN RETURN NEW; END IF;
  END IF;
  RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$""",
        *[f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
          f"FOR EACH ROW EXECUTE FUNCTION audit_append_only()" for t in APPEND_ONLY],
        f"CREATE TRIGGER {HEAD}_append_only BEFORE INSERT OR UPDATE OR DELETE ON {HEAD} "
        f"FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
        *[f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
          f"FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()" for t in (*APPEND_ONLY, HEAD)],
    ]


def install_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return _sqlite_install()
    if vendor == "postgresql":
        return _pg_install()
    raise _unsupported(vendor)


def drop_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_NAMES]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in PG_NAMES]
    raise _unsupported(vendor)


def _unsupported(vendor: str) -> ImproperlyConfigured:
    """Fail closed: a database the audit triggers cannot guard is refused, never left unguarded."""
    return ImproperlyConfigured(
        f"the audit log's append-only triggers exist for SQLite and PostgreSQL only, not {vendor}")


def installed(connection) -> list[str]:
    """The names of the audit triggers present on ``connection`` (all of them when intact)."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%'")
        else:
            cur.execute("SELECT tgname FROM pg_trigger"
                        " WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE 'audit_%'")
        return sorted(r[0] for r in cur.fetchall())


def expected(vendor: str) -> list[str]:
    return sorted(SQLITE_NAMES if vendor == "sqlite" else [n for n, _ in PG_NAMES])
