"""Every device act is one SQLite transaction: killed at any statement, it happened wholly or not at all.

Each act runs in a forked child whose journal connection has a trace callback that SIGKILLs
the process just before its N-th SQL statement, for N = 1, 2, … until the act completes
without reaching N. After each kill the parent reopens the journal file (as a restarted
device would), checks that the chain verifies and that the act's parts agree (a vote, its
used card and its journal entry; a state and its entry; HQ's answer and the card), then
retries the act: the retry must leave exactly one vote, one move, one card. A process kill
leaves what SQLite wrote in the page cache (power loss is ``synchronous=FULL``'s job, see
:mod:`entekhab.device.journal`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entekhab.device.adapters.civil_registry import DemoCivilRegistry, sample_people
from entekhab.device.adapters.fingerprint import DemoFingerprintReader
from entekhab.device.agent import DeviceAgent
from entekhab.device.authentication import Authenticator
from entekhab.device.ballot_box import BallotBox
from entekhab.device.errors import CheckInRefused
from entekhab.device.journal import Journal
from entekhab.device.lifecycle import BoxState
from entekhab.device.synthetic import ContestSpec, synthetic_manifest
from entekhab.records.card import issue_card
from entekhab.records.errors import CardInvalid
from entekhab.records.manifest import sign_manifest
from entekhab.records.signing import SigningKey

NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
DAY = NOW.date()
HQ = SigningKey(b"\x01" * 32)
AUTH = SigningKey(b"\x02" * 32)
FINGERPRINT = "ab" * 32
Trace = Callable[[str], None]


def killed_at(n: int, act: Callable[[Trace], None]) -> bool:
    """Run ``act`` in a forked child killed before its n-th statement; True if it finished first."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        count = 0

        def trace(_statement: str) -> None:
            nonlocal count
            count += 1
            if count == n:
                os.kill(os.getpid(), signal.SIGKILL)

        try:
            act(trace)
        except BaseException:
            os._exit(3)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return False
    assert os.WEXITSTATUS(status) == 0, "the act failed in the child"
    return True


def crash_everywhere(base: Path, work: Path, act: Callable[[Path, Trace], None],
                     check: Callable[[Path], None], limit: int = 200) -> int:
    """Kill ``act`` before each of its statements in turn, on a fresh copy of ``base``; ``check`` after each."""
    for n in range(1, limit):
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(base, work)
        finished = killed_at(n, lambda trace: act(work, trace))
        check(work)
        if finished:
            return n - 1
    raise AssertionError(f"the act did not finish within {limit} statements")


# -- the e-box -------------------------------------------------------------------------------

def box_at(path: Path) -> BallotBox:
    return BallotBox(Journal(path), SigningKey(b"\x03" * 32), serial="EB-1", election="1405", branch="B1",
                     auth_public=AUTH.public_key, hq_public=HQ.public_key)


@pytest.fixture(scope="module")
def loaded_box(tmp_path_factory) -> Path:
    """A folder with an e-box journal whose manifest is loaded (zero report printed), polls not open."""
    folder = tmp_path_factory.mktemp("ebox")
    journal = Journal(folder / "ebox.db")
    journal.put("election_fingerprint", FINGERPRINT)
    box = BallotBox(journal, SigningKey(b"\x03" * 32), serial="EB-1", election="1405", branch="B1",
                    auth_public=AUTH.public_key, hq_public=HQ.public_key)
    doc = synthetic_manifest("1405", "S-1", [ContestSpec("council", "C", "Council", 3, True)])
    box.load_manifest(sign_manifest(doc, HQ), now=NOW)
    journal.close()
    return folder


@pytest.fixture(scope="module")
def open_box(loaded_box, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ebox-open")
    shutil.copytree(loaded_box, folder, dirs_exist_ok=True)
    box = box_at(folder / "ebox.db")
    box.open_polls()
    box.journal.close()
    return folder


def box_parts(box: BallotBox) -> tuple[int, int, int]:
    used = box.db.execute("SELECT COUNT(*) FROM used_cards").fetchone()[0]
    return box.ballots_cast, box.journal.count("ballot_cast"), used


def test_a_vote_its_card_and_its_journal_entry_survive_a_kill_together(open_box, tmp_path):
    card = issue_card(election="1405", branch="B1", style="S-1", issuer="AU-1", key=AUTH, now=NOW,
                      fingerprint=FINGERPRINT)
    box = box_at(open_box / "ebox.db")
    contest = box.manifest.contests[0]
    choice = sorted(c for c, v in contest.names.items() if v["kind"] == "candidate")[:2]
    box.journal.close()
    ballot = {contest.code: choice}

    def act(folder: Path, trace: Trace) -> None:
        box = box_at(folder / "ebox.db")
        box.db.set_trace_callback(trace)
        box.cast(card, ballot)

    def check(folder: Path) -> None:
        box = box_at(folder / "ebox.db")
        box.journal.verify()
        votes, entries, used = box_parts(box)
        assert votes == entries == used and votes in (0, 1), f"vote {votes}, journal {entries}, card {used}"
        try:  # the voter tries again with the same card
            box.cast(card, ballot)
        except CardInvalid as exc:
            assert exc.code == "card_reused"
        assert box_parts(box) == (1, 1, 1)
        box.journal.verify()
        box.journal.close()

    assert crash_everywhere(open_box, tmp_path / "work", act, check) >= 4


def test_a_state_move_and_its_journal_entry_survive_a_kill_together(loaded_box, tmp_path):
    def act(folder: Path, trace: Trace) -> None:
        box = box_at(folder / "ebox.db")
        box.db.set_trace_callback(trace)
        box.open_polls()

    def moves_to_open(box: BallotBox) -> int:
        return sum(1 for e in box.journal.entries(kind="state") if e.body["to"] == BoxState.OPEN.value)

    def check(folder: Path) -> None:
        box = box_at(folder / "ebox.db")
        box.journal.verify()
        last = [e.body["to"] for e in box.journal.entries(kind="state")][-1]
        assert box.state.value == last, f"state {box.state.value}, journal says {last}"
        assert moves_to_open(box) == (box.state is BoxState.OPEN)
        if box.state is not BoxState.OPEN:
            box.open_polls()
        assert box.state is BoxState.OPEN and moves_to_open(box) == 1
        box.journal.close()

    assert crash_everywhere(loaded_box, tmp_path / "work", act, check) >= 3


# -- the authentication device -----------------------------------------------------------------

class FileHQ:
    """HQ's check-in rule (one check-in per voter, replays answered with the original), kept in a file.

    The file outlives the killed child, as HQ outlives a device: when the kill comes after HQ
    stored the check-in, the restarted device must still get its voter a card.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, url: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        state = json.loads(self.path.read_text()) if self.path.exists() else {"answers": {}, "voters": {}}
        envelope = payload["envelope"]
        seq, body = str(envelope["seq"]), envelope["body"]
        if seq in state["answers"]:
            return 409, {"code": "replay", "message": "replayed message", "original": state["answers"][seq]}
        if envelope["kind"] == "checkin":
            if body["national_code"] in state["voters"]:
                return 409, {"code": "already_voted", "message": "already voted"}
            state["voters"][body["national_code"]] = seq
        answer = {"status": "accepted", "seq": int(seq)}
        state["answers"][seq] = answer
        self.path.write_text(json.dumps(state))
        return 200, answer


def auth_device(folder: Path) -> Authenticator:
    agent = DeviceAgent(folder / "auth.db", FileHQ(folder / "hq.json"))
    reader = DemoFingerprintReader(typical_match=1.0, hard_share=0.0)
    return Authenticator(agent, registry=DemoCivilRegistry(), reader=reader, polling_day=DAY)


@pytest.fixture(scope="module")
def enrolled_auth(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("auth")
    agent = DeviceAgent.initialise(folder / "auth.db", serial="AU-1", role="auth", key=AUTH)
    for name, value in {"election": "1405", "branch": "B1", "style": "S-1", "polling_day": DAY.isoformat(),
                        "election_fingerprint": FINGERPRINT}.items():
        agent.journal.put(name, value)
    agent.close()
    return folder


def test_a_check_in_and_its_card_survive_a_kill_together_and_a_retry_gives_one_card(enrolled_auth, tmp_path):
    voter = sample_people(DemoCivilRegistry(), 1, DAY, seed=5)[0]

    def check_in(folder: Path, trace: Trace | None = None) -> None:
        auth = auth_device(folder)
        session = auth.begin(voter)
        auth.scan(session)
        if trace is not None:
            auth.agent.journal.db.set_trace_callback(trace)
        auth.check_in(session, now=NOW, style="S-1")
        auth.agent.close()

    def check(folder: Path) -> None:
        journal = Journal(folder / "auth.db")
        journal.verify()
        accepted = [e.body["seq"] for e in journal.entries(kind="ack") if e.body.get("answer", {}).get("status")]
        cards = [e.body for e in journal.entries(kind="card_issued")]
        assert len(cards) == len(accepted) <= 1, f"HQ's answers {accepted}, cards {cards}"
        journal.close()
        if cards:  # the act finished: checking the voter in again is refused
            with pytest.raises(CheckInRefused, match="already voted"):
                check_in(folder)
        else:
            try:  # the restarted desk checks the same voter in again
                check_in(folder)
            except CheckInRefused as exc:
                raise AssertionError(f"the retry was refused ({exc.code}): the voter gets no card") from exc
        journal = Journal(folder / "auth.db")
        assert journal.count("card_issued") == 1
        hq = json.loads((folder / "hq.json").read_text())
        assert list(hq["voters"]) == [voter]
        journal.verify()
        journal.close()

    assert crash_everywhere(enrolled_auth, tmp_path / "work", check_in, check) >= 8

