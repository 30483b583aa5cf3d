"""The small demo election is loaded once per test database and shared by every db test."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from entekhab.hq.accounts.roles import Role
from entekhab.hq.demo.load import load_demo


def _restore_migration_rows() -> None:
    """A transactional test that ran earlier in this process flushed the rows the data
    migrations seed; put back the serialized copy Django took after migrating."""
    from django.db import connection

    from entekhab.hq.elections.models import CouncilSizeRule

    contents = getattr(connection, "_test_serialized_contents", None)
    if contents and not CouncilSizeRule.objects.exists():
        connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _restore_migration_rows()
        load_demo("small", 1405, draws=False)  # tests hold the draws they need


@pytest.fixture(autouse=True)
def _own_open_data_dir(settings, tmp_path_factory):
    """A confirmed result writes a publication: each test gets its own folder, never the real data's."""
    settings.OPEN_DATA_DIR = tmp_path_factory.mktemp("open-data")


@pytest.fixture(autouse=True)
def _own_pdf_cache(settings, tmp_path_factory):
    """Rendered PDFs are kept on disk: each test starts with an empty cache, never the real data's."""
    settings.PDF_CACHE_DIR = tmp_path_factory.mktemp("pdf-cache")


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """Every WeasyPrint render of a cached PDF (entekhab.hq.web.pdfcache), by its HTML's first characters."""
    from entekhab.hq.web import pdfcache

    done: list[str] = []
    real = pdfcache.render

    def counted(html: str, base_url: str | None) -> bytes:
        done.append(html[:40])
        return real(html, base_url)

    monkeypatch.setattr(pdfcache, "render", counted)
    return done


@pytest.fixture
def election(db):
    from entekhab.hq.elections.models import Election

    return Election.objects.get(code="1405")


@pytest.fixture(autouse=True)
def election_state(request):
    """``@pytest.mark.election_state("polling")`` puts the shared demo election in that state.

    The demo loads as far as lists being final; a test of an earlier or later phase says so.
    The change is rolled back with the test's transaction.
    """
    marker = request.node.get_closest_marker("election_state")
    state = marker.args[0] if marker else DIRECTORY_STATE.get(request.path.parent.name)
    if state is None or "db" not in request.fixturenames:
        return None
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    set_state(state)
    return state


# The phase each directory's tests are about, unless a test names its own.
DIRECTORY_STATE = {"candidates": "registration", "polling": "polling", "results": "counting"}


def set_state(state: str, code: str = "1405") -> None:
    """Put the election in ``state`` directly (a test's setup, not a lifecycle move)."""
    from entekhab.hq.elections.models import Election

    Election.objects.filter(code=code).update(state=state)


def appoint(user: User, role: Role, *, area=None, branch=None, election=None) -> User:
    """Appoint a test user (a bootstrap appointment: the tests stand in for the user administrator)."""
    from entekhab.hq.accounts.actions import bootstrap_appointment
    from entekhab.hq.elections.models import Branch

    if role in (Role.BRANCH_HEAD, Role.OPERATOR) and branch is None:
        branch = Branch.objects.filter(election__code="1405").order_by("number").first()
    bootstrap_appointment(user, role.value, by="test", area=area, branch=branch, election=election)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def make_user(db):
    def make(role: Role, username: str | None = None, *, area=None, branch=None) -> User:
        user = User.objects.create_user(username or f"u-{role.value}", password="x-Strong-Pass-1405", is_staff=True)
        return appoint(user, role, area=area, branch=branch)

    return make


@pytest.fixture
def client_as(client, make_user):
    def login(role: Role):
        client.force_login(make_user(role))
        return client

    return login
