"""Device intake follows the election's lifecycle (issue 13): no check-in before polling or after closing."""

from __future__ import annotations

import pytest

from entekhab.hq.polling.models import CheckIn
from tests.hq.conftest import set_state
from tests.hq.polling.conftest import NOW
from tests.hq.polling.test_flow import eligible
from tests.hq.polling.test_refusals import post, signed_checkin


@pytest.mark.election_state("ready")
@pytest.mark.parametrize("state", ["lists_final", "ready", "closed", "counting", "published"])
def test_a_check_in_outside_polling_is_refused_with_409_and_stores_nothing(client, branches, state):
    b = branches(0)
    set_state("polling")
    b.devices.open(now=NOW)
    set_state(state)
    before = CheckIn.objects.count()
    status, body = post(client, signed_checkin(b.auth, eligible(None, 1)[0], seq=30_001))
    assert status == 409 and body["code"] == "election_state" and "رأی‌گیری" in body["message_fa"]
    assert CheckIn.objects.count() == before


def test_the_same_check_in_is_taken_while_polling(client, branches):
    b = branches(0)
    b.devices.open(now=NOW)
    status, body = post(client, signed_checkin(b.auth, eligible(None, 1)[0], seq=30_002))
    assert status == 200 and body["status"] == "accepted"
