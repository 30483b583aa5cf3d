"""A polling day on the small demo election, stored through polling's models in the real formats."""

from __future__ import annotations

import pytest

from entekhab.hq.results.polling_day import store_polling_day


@pytest.fixture
def polling_day(election):
    return store_polling_day(election, seed=1405, voters=(3, 12))


@pytest.fixture(autouse=True)
def fresh_cache():
    """The public pages cache results per process; every test starts from what its database says."""
    from entekhab.hq.results.public import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def counter(make_user):
    """HQ's official who computes results: never the one who approves or confirms them (issue 13)."""
    from entekhab.hq.accounts.roles import Role

    return make_user(Role.HQ_ADMIN, "hq-counter")
