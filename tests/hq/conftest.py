"""The small demo election is loaded once per test database and shared by every db test."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

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
        load_demo("small", 1405)


@pytest.fixture
def election(db):
    from entekhab.hq.elections.models import Election

    return Election.objects.get(code="1405")


@pytest.fixture
def make_user(db):
    def make(role: Role, username: str | None = None) -> User:
        user = User.objects.create_user(username or f"u-{role.value}", password="x-Strong-Pass-1405", is_staff=True)
        user.groups.add(Group.objects.get(name=role.value))
        return user

    return make


@pytest.fixture
def client_as(client, make_user):
    def login(role: Role):
        client.force_login(make_user(role))
        return client

    return login
