"""The audit's attacks on ballot chains, each refused with its place named (issue 14 item 3)."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entekhab.crypto import chain, encoding
from entekhab.crypto.ballot import (
    BallotDevice,
    BallotStyle,
    CastBallot,
    ClosingStatement,
    PlaintextBallot,
    SpoiledBallot,
    StyleId,
)
from entekhab.crypto.chain import Failures, publication_order
from entekhab.crypto.elgamal import DecodingTable, KeyPair
from entekhab.crypto.errors import CryptoError
from entekhab.crypto.group import Randomness
from entekhab.crypto.tracking import chain_link
from entekhab.records.signing import SigningKey

from .strategies import PROPERTY


def _texts(fn: Any) -> Any:
    """The checker with its messages rendered (English in tests), so they compare as text."""
    return lambda *a, **k: [(w, str(m)) for w, m in fn(*a, **k)]


check_cast_ballot = _texts(chain.check_cast_ballot)
check_device = _texts(chain.check_device)
check_devices = _texts(chain.check_devices)
check_spoiled_ballot = _texts(chain.check_spoiled_ballot)

FP = b"F" * 32
STYLE = BallotStyle(StyleId("s"), (4, 4, 2), runs=(2, 1))
STYLES = {STYLE.style_id: STYLE}
TABLE = DecodingTable(8)
ELECTION_KEY = KeyPair.generate(Randomness(b"test/chain/election"))
CHOICES = [(1, 3, 1), (2, 0, 0), (0, 0, 2), (1, 4, 0)]


def signing_key(serial: str) -> SigningKey:
    return SigningKey.from_seed(hashlib.sha256(b"test/chain/" + serial.encode()).digest())


def device(serial: str, seed: bytes = b"") -> BallotDevice:
    rng = Randomness(b"test/chain/" + serial.encode() + seed)
    return BallotDevice(FP, serial, ELECTION_KEY.public, TABLE, signing_key(serial), rng)


@dataclass
class Record:
    """What a record holds about ballots, with the place of each line as the verifier names it."""

    keys: dict[str, str]
    cast: list[CastBallot] = field(default_factory=list)
    spoiled: list[SpoiledBallot] = field(default_factory=list)
    closings: list[ClosingStatement] = field(default_factory=list)

    def located(self) -> tuple[list[tuple[str, CastBallot]], list[tuple[str, SpoiledBallot]],
                               list[tuple[str, ClosingStatement]]]:
        return (
            [(f"cast line {n}", c) for n, c in enumerate(self.cast, start=1)],
            [(f"spoiled line {n}", s) for n, s in enumerate(self.spoiled, start=1)],
            [(f"closing line {n}", c) for n, c in enumerate(self.closings, start=1)],
        )

    def check(self) -> Failures:
        """Every check: per line (as the workers do) then across lines (as the main process does)."""
        cast, spoiled, closings = self.located()
        out: Failures = []
        for where, c in cast:
            out += check_cast_ballot(FP, STYLES, self.keys, where, c)
        for where, s in spoiled:
            out += check_spoiled_ballot(FP, STYLES, self.keys, ELECTION_KEY.public, TABLE, where, s)
        out += check_devices(FP, self.keys, cast, spoiled, closings, signatures=False)
        return out


def day(plan: dict[str, str], publish: bool = True) -> Record:
    """Each device's day as letters: ``c`` a cast ballot, ``s`` a challenged one (the voter re-casts later)."""
    rec = Record({serial: signing_key(serial).public_hex for serial in plan})
    for serial, letters in plan.items():
        dev = device(serial)
        for k, letter in enumerate(letters):
            sel = CHOICES[k % len(CHOICES)]
            enc, nonces = dev.encrypt(PlaintextBallot(STYLE, sel))
            if letter == "c":
                rec.cast.append(dev.cast(enc))
            else:
                rec.spoiled.append(dev.spoil(enc, nonces, sel))
        rec.closings.append(dev.close())
    if publish:
        rec.spoiled = publication_order(rec.spoiled)
    return rec


def places(failures: Failures) -> set[str]:
    return {where for where, _ in failures}


def test_an_honest_record_passes_every_check() -> None:
    rec = day({"EBOX-1": "ccscc", "EBOX-2": "scsc"})
    assert rec.check() == []
    cast, spoiled, closings = rec.located()
    assert check_devices(FP, rec.keys, cast, spoiled, closings) == []  # signatures checked here too
    dev1 = [(w, c) for w, c in cast if c.device == "EBOX-1"]
    sp1 = [(w, s) for w, s in spoiled if s.device == "EBOX-1"]
    assert check_device("EBOX-1", rec.keys["EBOX-1"], FP, dev1, sp1, closings[0][1]) == []


def test_honest_device_with_no_ballots_closes_and_checks() -> None:
    rec = day({"EBOX-1": "", "EBOX-2": "c"})
    assert rec.closings[0].cast == rec.closings[0].spoiled == 0
    assert rec.check() == []
    assert check_device("EBOX-1", rec.keys["EBOX-1"], FP, [], [], rec.closings[0]) == []


def test_a_forged_ballot_appended_to_a_real_chain_is_refused() -> None:
    rec = day({"EBOX-1": "cc"})
    attacker = device("EBOX-1", b"attacker")  # public data only: the device's serial, not its key
    attacker.signing_key = SigningKey.from_seed(b"a" * 32)
    last = rec.cast[-1]
    attacker.cast_count, attacker.head = last.sequence, last.link
    enc, _ = attacker.encrypt(PlaintextBallot(STYLE, (1, 2, 1)))
    rec.cast.append(attacker.cast(enc))
    failures = rec.check()
    assert ("cast line 3", "device EBOX-1 did not sign this cast ballot") in failures
    assert ("closing line 1", "device EBOX-1 closed with 2 cast ballots, the record has 3") in failures
    assert any(w == "closing line 1" and "chain link" in m for w, m in failures)


def test_a_ballot_from_an_invented_device_is_refused() -> None:
    rec = day({"EBOX-1": "c"})
    ghost = device("EBOX-9")
    enc, _ = ghost.encrypt(PlaintextBallot(STYLE, (1, 2, 1)))
    rec.cast.append(ghost.cast(enc))
    rec.closings.append(ghost.close())
    failures = rec.check()
    assert ("cast line 2", "device EBOX-9 is not in the device list") in failures
    assert ("closing line 2", "device EBOX-9 is not in the device list") in failures


def test_a_listed_device_without_a_closed_chain_is_refused() -> None:
    rec = day({"EBOX-1": "c", "EBOX-2": "cc"})
    rec.closings.pop()
    assert ("device EBOX-2", "device EBOX-2 has no closing statement") in rec.check()
    rec.closings.append(rec.closings[0])
    assert any(w == "closing line 2" and "second closing statement" in m for w, m in rec.check())


def test_a_spoiled_ballot_moved_into_the_cast_list_is_refused() -> None:
    rec = day({"EBOX-1": "csc"})
    sp = rec.spoiled[0]
    fake = CastBallot(sp.ballot, 2, rec.cast[0].link, chain_link(rec.cast[0].link, sp.ballot.tracker), sp.signature)
    rec.cast.insert(1, fake)
    failures = rec.check()
    assert ("cast line 2", "device EBOX-1 did not sign this cast ballot") in failures
    assert any(w == "cast line 2" and "spoiled (challenged) at spoiled line 1" in m for w, m in failures)
    rec.spoiled.clear()  # and hiding it from the spoiled list breaks the spoiled count
    failures = rec.check()
    assert ("closing line 1", "device EBOX-1 closed with 1 spoiled ballots, the record has 0") in failures


def test_dropping_the_last_two_ballots_is_caught_by_the_closing_statement() -> None:
    rec = day({"EBOX-1": "ccccc", "EBOX-2": "cc"})
    del rec.cast[3:5]
    failures = rec.check()
    assert places(failures) == {"closing line 1"}
    assert ("closing line 1", "device EBOX-1 closed with 5 cast ballots, the record has 3") in failures
    assert any("chain link" in m for _, m in failures)


def test_reordered_and_duplicated_ballots_are_refused() -> None:
    rec = day({"EBOX-1": "cccc"})
    rec.cast[1], rec.cast[2] = rec.cast[2], rec.cast[1]
    failures = rec.check()
    assert ("cast line 2", "device EBOX-1: sequence 3 where 2 was due") in failures
    assert "cast line 3" in places(failures)
    rec = day({"EBOX-1": "cc"})
    rec.cast.insert(1, rec.cast[0])
    failures = rec.check()
    assert ("cast line 2", "device EBOX-1: sequence 1 where 2 was due") in failures
    assert any(w == "cast line 2" and "also appears at cast line 1" in m for w, m in failures)


def test_a_cut_chain_is_refused_even_without_signature_checks() -> None:
    rec = day({"EBOX-1": "ccc"})
    cast, spoiled, _ = rec.located()
    rewired = replace(rec.cast[1], previous=b"\x00" * 32)
    cast[1] = ("cast line 2", rewired)
    failures = check_device("EBOX-1", rec.keys["EBOX-1"], FP, cast, spoiled, rec.closings[0], signatures=False)
    assert ("cast line 2", "device EBOX-1: previous link is not the link of sequence 1") in failures


def test_unsigned_or_resigned_ballots_are_refused() -> None:
    rec = day({"EBOX-1": "ccs"})
    other = SigningKey.from_seed(b"o" * 32)
    c = rec.cast[1]
    rec.cast[1] = replace(c, signature=b"\x00" * 64)
    s = rec.spoiled[0]
    rec.spoiled[0] = replace(s, signature=other.sign(encoding.dumps(s.statement(FP))))
    cl = rec.closings[0]
    rec.closings[0] = replace(cl, signature=other.sign(encoding.dumps(cl.statement(FP))))
    failures = rec.check()
    assert ("cast line 2", "device EBOX-1 did not sign this cast ballot") in failures
    assert ("spoiled line 1", "device EBOX-1 did not sign this spoiled ballot") in failures
    assert ("closing line 1", "device EBOX-1 did not sign this closing statement") in failures
    # and a whole device re-signed with another key fails against the device list
    rec = day({"EBOX-1": "c"})
    rec.keys["EBOX-1"] = other.public_hex
    assert places(rec.check()) == {"cast line 1", "closing line 1"}


def test_a_spoiled_line_carries_no_position() -> None:
    def spoiled_line(actions: list[tuple[str, int]]) -> bytes:
        dev = device("EBOX-1")
        made = [dev.encrypt(PlaintextBallot(STYLE, sel)) for sel in CHOICES[:3]]
        for letter, k in actions:
            enc, nonces = made[k]
            if letter == "s":
                sp = dev.spoil(enc, nonces, CHOICES[k])
            else:
                dev.cast(enc)
        return encoding.dumps(sp.to_json())

    # the same challenged ballot, spoiled before or after other cast ballots: the same bytes
    early = spoiled_line([("s", 0), ("c", 1), ("c", 2)])
    assert early == spoiled_line([("c", 1), ("c", 2), ("s", 0)])
    assert early == spoiled_line([("c", 2), ("s", 0), ("c", 1)])
    line = encoding.loads(early)
    assert set(line) == {"ballot", "selections", "nonces", "sig"}
    assert set(line["ballot"]) == {"id", "style", "device", "slots", "proof", "tracker"}
    assert b'"seq"' not in early and b'"link"' not in early and b'"prev"' not in early


def test_spoiled_ballots_of_two_devices_are_published_by_tracker() -> None:
    plan = {"EBOX-1": "scscs", "EBOX-2": "sscsc"}
    rec = day(plan)
    trackers = [s.ballot.tracker for s in rec.spoiled]
    assert trackers == sorted(trackers) and len(rec.spoiled) == 6
    assert rec.check() == []
    # in the order they were made (device, then time) the record would say when: refused
    chronological = day(plan, publish=False).spoiled
    assert chronological != rec.spoiled
    rec.spoiled = chronological
    assert any("ascending tracker order" in m for _, m in rec.check())


def test_per_ballot_checks_name_style_and_device() -> None:
    rec = day({"EBOX-1": "c"})
    c = rec.cast[0]
    assert check_cast_ballot(FP, {}, rec.keys, "here", c) == [("here", "unknown ballot style 's'")]
    narrow = {STYLE.style_id: BallotStyle(StyleId("s"), (4, 4))}
    assert check_cast_ballot(FP, narrow, rec.keys, "here", c) == [("here", "3 slots, style s has 2")]
    assert check_cast_ballot(FP, STYLES, {}, "here", c) == [("here", "device EBOX-1 is not in the device list")]


# ---- any single change of a line is refused ------------------------------------------

BASE = day({"EBOX-1": "cscc", "EBOX-2": "sc"})
LINES = {
    "cast": [c.to_json() for c in BASE.cast],
    "spoiled": [s.to_json() for s in BASE.spoiled],
    "closing": [c.to_json() for c in BASE.closings],
}
READERS: dict[str, Any] = {"cast": CastBallot.from_json, "spoiled": SpoiledBallot.from_json,
                           "closing": ClosingStatement.from_json}
_HEX = set("0123456789abcdef")


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for k in sorted(value):
            yield from _leaves(value[k], (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path, value


def _mutations(leaf: Any) -> st.SearchStrategy[Any]:
    if isinstance(leaf, int):
        return st.sampled_from([leaf + 1, leaf - 1, True, False, str(leaf)]).filter(lambda v: v != leaf or
                                                                                      type(v) is not int)
    assert isinstance(leaf, str)
    if len(leaf) in (32, 64, 128) and _HEX.issuperset(leaf):
        def flip(i: int, d: str) -> str:
            return leaf[:i] + d + leaf[i + 1:]
        digit = st.tuples(st.integers(0, len(leaf) - 1), st.sampled_from(sorted(_HEX))).filter(
            lambda t: leaf[t[0]] != t[1]).map(lambda t: flip(*t))
        upper = st.just(leaf.upper()) if leaf != leaf.upper() else digit
        return st.one_of(digit, upper, st.just(leaf[:-2]))
    return st.sampled_from([leaf + "x", leaf[:-1] or "y", ""])


def _put(line: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(line)
    at = out
    for k in path[:-1]:
        at = at[k]
    at[path[-1]] = value
    return out


@PROPERTY
@given(st.data())
def test_any_single_field_change_is_refused(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(sorted(LINES)))
    index = data.draw(st.integers(0, len(LINES[kind]) - 1))
    line = LINES[kind][index]
    path, leaf = data.draw(st.sampled_from(list(_leaves(line))))
    changed = _put(line, path, data.draw(_mutations(leaf)))
    try:
        parsed = READERS[kind](encoding.loads(encoding.dumps(changed)))
    except CryptoError:
        return  # refused while reading
    rec = Record(dict(BASE.keys), list(BASE.cast), list(BASE.spoiled), list(BASE.closings))
    {"cast": rec.cast, "spoiled": rec.spoiled, "closing": rec.closings}[kind][index] = parsed
    assert rec.check(), f"{kind} line {index + 1}: {path} changed and nothing refused it"


def test_the_base_record_of_the_property_is_honest() -> None:
    assert BASE.check() == []
    for kind, lines in LINES.items():
        for line in lines:
            assert READERS[kind](encoding.loads(encoding.dumps(line))).to_json() == line
    with pytest.raises(CryptoError):
        READERS["closing"]({**LINES["closing"][0], "cast": True})
