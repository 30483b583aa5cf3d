from __future__ import annotations

import pytest

from entekhab.hq.accounts.roles import Role


@pytest.fixture
def admin(make_user):
    return make_user(Role.HQ_ADMIN, "ops-admin")


@pytest.fixture
def executive(make_user):
    return make_user(Role.EXECUTIVE_BOARD, "ops-exec")


@pytest.fixture
def operator(make_user):
    return make_user(Role.OPERATOR, "ops-operator")


@pytest.fixture
def observer(make_user):
    return make_user(Role.OBSERVER, "ops-observer")


def audit_count() -> int:
    from entekhab.hq.audit.models import AuditEvent

    return AuditEvent.objects.count()
