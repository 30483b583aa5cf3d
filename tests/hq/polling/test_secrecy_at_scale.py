"""Secrecy past the old 1,024-slot buffer: HQ's rows (ids included) and the open data hide the casting order.

A branch of 1,025 voters votes through the real devices and HQ's intake. The attack: pair the
k-th check-in (HQ stores those in order) with the k-th vote record by id, or with the k-th
record of the public CVR file. HQ must number and publish records in canonical order whatever
order the e-box sends them in, so the test also plays an e-box that sends its records in
casting order (what the old e-box effectively did above 1,024 voters).
"""

from __future__ import annotations

import json
import random

import pytest

from entekhab.device.ballot_box import BallotBox
from entekhab.hq.polling.models import CheckIn, VoteRecord
from entekhab.hq.results.actions import open_data
from entekhab.publication.nist import records_from_cvr
from entekhab.records.canonical import canonical_json
from tests.device.test_secrecy import assert_no_order_link
from tests.hq.polling.conftest import NOW
from tests.hq.polling.test_flow import eligible

pytestmark = pytest.mark.db

VOTERS = 1025


@pytest.mark.parametrize("ebox_sends", ["canonical", "casting"])
def test_hq_rows_and_open_data_hide_the_casting_order(branches, election, monkeypatch, ebox_sends):
    b = branches(0)
    b.devices.open(now=NOW)
    box = b.devices.box
    rng = random.Random(1025)
    menus = {c.code: sorted(code for code, v in c.names.items() if v["kind"] == "candidate")
             for c in box.manifest.contests}
    seen, cast = set(), []
    for voter in eligible(None, VOTERS):
        while True:
            ballot = {code: sorted(rng.sample(menu, rng.randint(0, min(len(menu), c.max_votes))))
                      for (code, menu), c in zip(menus.items(), box.manifest.contests, strict=True)}
            key = canonical_json(ballot)
            if key not in seen:
                break
        seen.add(key)
        card = b.devices.check_in(voter, now=NOW).card
        box.cast(card, ballot)
        cast.append({"election": box.fingerprint, "style": box.manifest.style, "contests": ballot})
    if ebox_sends == "casting":
        monkeypatch.setattr(BallotBox, "records", lambda self: list(cast))
    b.devices.close(now=NOW, branch_head="رئیس", supervisor="ناظر")
    cast_bytes = [canonical_json(r) for r in cast]
    assert CheckIn.objects.filter(branch__code=b.code).count() == VOTERS
    rows = [canonical_json(r) for r in VoteRecord.objects.filter(report__branch__code=b.code)
            .order_by("id").values_list("ballot", flat=True)]
    assert_no_order_link(cast_bytes, rows, "HQ rows by id")
    files = open_data(election, generated="2026-05-01T18:00:00Z")
    published = records_from_cvr(json.loads(files[f"records/{b.code}.json"]))
    assert_no_order_link(cast_bytes, [canonical_json(r) for r in published], "open data CVR")
