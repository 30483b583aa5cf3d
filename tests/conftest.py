"""Suite-wide wiring: tests under the Django-backed packages are marked ``db``.

``make test`` runs the pure tests once and the ``db`` tests on SQLite and again
on PostgreSQL. Tests that commit for real (``transactional_db``, ``live_server``) are
also marked ``transactional`` and run in a pytest process of their own: the flush
after each of them would otherwise empty the demo election the other db tests share.
They use serialized rollback, so each starts with the rows the migrations seed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The command line speaks Persian unless told otherwise; tests read its English messages
# (tests/test_cli_language.py checks the Persian default and the catalogue).
os.environ.setdefault("ENTEKHAB_LANG", "en")

DB_PACKAGES = {"hq", "device", "browser", "e2e"}
TESTS = Path(__file__).parent
TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        rel = Path(item.path).relative_to(TESTS)
        if rel.parts and rel.parts[0] in DB_PACKAGES:
            item.add_marker(pytest.mark.db)
        if TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.transactional)
            if item.get_closest_marker("django_db") is None:
                item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(autouse=True)
def _language_per_test():
    """A command run with ``--lang`` inside one test does not change the language of the next."""
    from entekhab import i18n

    token = i18n._current.set("")
    yield
    i18n._current.reset(token)


@pytest.fixture(autouse=True)
def _reseed_transactional(request):
    """Every test that commits for real starts with the seeded rows and the roles' permissions,
    whichever transactional test flushed the database before it (in any order xdist chooses)."""
    if TRANSACTIONAL_FIXTURES & set(request.fixturenames):
        from tests.seeds import reseed_after_flush

        request.getfixturevalue("transactional_db")
        reseed_after_flush()


@pytest.fixture(scope="session", autouse=True)
def _flush_keeps_audit_triggers():
    """Django's test flush (DELETE on SQLite, TRUNCATE on PostgreSQL) would be refused by the
    audit log's append-only triggers: for the tests only, drop them before it and re-create them
    after, in the same transaction. Production has no such path (``docs/audit.md``)."""
    from django.db import connection

    from entekhab.hq.audit.triggers import drop_sql, install_sql

    ops = type(connection.ops)
    original = ops.sql_flush

    def sql_flush(self, style, tables, *args, **kwargs):
        statements = original(self, style, tables, *args, **kwargs)
        if not statements or "audit_auditevent" not in tables:
            return statements
        vendor = self.connection.vendor
        return [*drop_sql(vendor), *statements, *install_sql(vendor)]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ops, "sql_flush", sql_flush)
        yield
