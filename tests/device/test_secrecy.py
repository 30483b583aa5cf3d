"""Vote-order secrecy at any branch size: no list or table of the e-box follows the order of casting.

The attack (issue 12): with the old e-box, every voter after the 1,024th was stored in a slot
appended after all earlier ones, so the last voter's ballot was the last record, in the e-box,
in HQ's rows and in the public CVR file. Each size below is tried two ways: a rank correlation
between casting order and listed order, and "how many of the last k voters' ballots are among
the last k records" against what chance gives.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from entekhab.device.ballot_box import BallotBox
from entekhab.device.journal import Journal
from entekhab.device.synthetic import ContestSpec, synthetic_manifest
from entekhab.records.canonical import canonical_json
from entekhab.records.card import issue_card
from entekhab.records.manifest import sign_manifest
from entekhab.records.signing import SigningKey

NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
HQ = SigningKey(b"\x01" * 32)
AUTH = SigningKey(b"\x02" * 32)
FINGERPRINT = "ab" * 32


def open_box(path) -> BallotBox:
    doc = synthetic_manifest("1405", "S-1", [ContestSpec("council", "شورا", "Council", 21, True)])
    journal = Journal(path)
    journal.put("election_fingerprint", FINGERPRINT)
    box = BallotBox(journal, SigningKey(b"\x03" * 32), serial="EB-1", election="1405", branch="B1",
                    auth_public=AUTH.public_key, hq_public=HQ.public_key)
    box.load_manifest(sign_manifest(doc, HQ), now=NOW)
    box.open_polls()
    return box


def cast_unique_ballots(box: BallotBox, n: int, seed: int) -> list[bytes]:
    """Cast ``n`` distinct ballots; returns each one's record bytes in casting order."""
    rng = random.Random(seed)
    contest = box.manifest.contests[0]
    people = sorted(c for c, v in contest.names.items() if v["kind"] == "candidate")
    seen: set[tuple[str, ...]] = set()
    order = []
    while len(order) < n:
        choice = tuple(sorted(rng.sample(people, rng.randint(1, 21))))
        if choice in seen:
            continue
        seen.add(choice)
        card = issue_card(election="1405", branch="B1", style="S-1", issuer="AU-1", key=AUTH, now=NOW,
                          fingerprint=FINGERPRINT)
        box.cast(card, {contest.code: list(choice)})
        record = {"election": FINGERPRINT, "style": "S-1", "contests": {contest.code: list(choice)}}
        order.append(canonical_json(record))
    return order


def spearman(cast: list[bytes], listed: list[bytes]) -> float:
    position = {r: i for i, r in enumerate(listed)}
    n = len(cast)
    d2 = sum((i - position[r]) ** 2 for i, r in enumerate(cast))
    return 1 - 6 * d2 / (n * (n * n - 1))


def last_k_overlap(cast: list[bytes], listed: list[bytes], k: int) -> int:
    return len(set(cast[-k:]) & set(listed[-k:]))


def assert_no_order_link(cast: list[bytes], listed: list[bytes], where: str) -> None:
    n = len(cast)
    assert sorted(cast) == sorted(listed), f"{where}: not the same ballots"
    assert listed[-1] != cast[-1], f"{where}: the last voter's ballot is the last record"
    if n < 100:
        return
    rho = spearman(cast, listed)
    assert abs(rho) < 5 / math.sqrt(n - 1), f"{where}: rank correlation {rho:+.3f} at {n} voters"
    k = n // 10
    expected = k * k / n
    sd = math.sqrt(expected * (1 - k / n) * (n - k) / (n - 1))
    overlap = last_k_overlap(cast, listed, k)
    assert overlap < expected + 5 * sd, f"{where}: {overlap} of the last {k} ballots are the last {k} records"


@pytest.mark.parametrize("voters", [10, 1024, 1025, 3000])
def test_no_list_of_the_ebox_follows_the_casting_order(tmp_path, voters):
    box = open_box(tmp_path / "ebox.db")
    cast = cast_unique_ballots(box, voters, seed=voters)
    # What leaves the box (the report's records and a replacement's transfer) ...
    assert_no_order_link(cast, [canonical_json(r) for r in box.records()], "box.records()")
    assert_no_order_link(cast, [canonical_json(r) for r in box.export_for_transfer()["records"]], "transfer")
    # ... and the storage itself, as someone with the file reads it (table order, no ORDER BY).
    stored = [row[0].encode() for row in box.db.execute("SELECT record FROM vote_records")]
    if voters >= 1024:
        assert_no_order_link(cast, stored, "storage")
    # The table has no rowid or slot number that could be sorted by instead.
    ddl = box.db.execute("SELECT sql FROM sqlite_master WHERE name = 'vote_records'").fetchone()[0]
    assert "WITHOUT ROWID" in ddl and "slot" not in ddl
