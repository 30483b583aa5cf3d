"""Suite-wide wiring: tests under the Django-backed packages are marked ``db``.

``make test`` runs the pure tests once and the ``db`` tests on SQLite and again
on PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DB_PACKAGES = {"hq", "device", "browser", "e2e"}
TESTS = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        rel = Path(item.path).relative_to(TESTS)
        if rel.parts and rel.parts[0] in DB_PACKAGES:
            item.add_marker(pytest.mark.db)
