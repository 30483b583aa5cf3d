"""The electronic ballot box (*sandoq-e elektronik*): manifest, zero report, mock poll, cards, votes, closing.

Vote secrecy by construction, at any branch size: a cast vote record carries no time, no
card nonce and no sequence number, and is stored under a fresh random 128-bit key in a
``WITHOUT ROWID`` table, so the table's order is a uniformly random permutation however
many voters come (there is no rowid, slot number or table growth to follow). Every list of
records that leaves the e-box (report, transfer) is in canonical order
(:func:`entekhab.records.cvr.canonical_order`), a function of the contents alone. Used
cards are remembered as nonce hashes in a separate table so a card works once. The
hash-chained journal records *that* a ballot was cast (a bare event), never what it
contained. (The earlier design, random slots in a table of 1,024 that grew at the end,
put every voter after the 1,024th among the last records.)
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
from collections.abc import Sequence
from typing import Any

from entekhab.counting.interpret import BallotRejection
from entekhab.counting.manifest import normalise_code
from entekhab.device.errors import BranchClosed, BranchStateError, DeviceError, JournalBroken
from entekhab.device.journal import GENESIS, Journal, entry_digest
from entekhab.device.lifecycle import NAMES_FA, BoxState, check_transition
from entekhab.records.canonical import canonical_json
from entekhab.records.card import BallotCard, coarse_hour, read_card
from entekhab.records.cvr import canonical_order, records_digest
from entekhab.records.errors import CardInvalid
from entekhab.records.manifest import BallotManifest, parse_signed_manifest
from entekhab.records.report import REPORT_TYPE, SignedReport, closed_at, sign_report, tally
from entekhab.records.signing import SigningKey

SCHEMA = """
CREATE TABLE IF NOT EXISTS vote_records (
    id BLOB PRIMARY KEY, record TEXT NOT NULL, mock INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS used_cards (nonce_hash TEXT PRIMARY KEY) WITHOUT ROWID;
"""


class BallotRefused(DeviceError):
    code = "ballot_refused"


class BallotBox:
    """One e-box, its state kept in the journal file (settings + chain + slot table)."""

    def __init__(self, journal: Journal, key: SigningKey, *, serial: str, election: str, branch: str,
                 auth_public: bytes, hq_public: bytes) -> None:
        self.journal, self.key, self.serial = journal, key, serial
        self.election, self.branch = election, branch
        self.auth_public, self.hq_public = auth_public, hq_public
        self.db = journal.db
        self.db.executescript(SCHEMA)
        self._manifest: BallotManifest | None = None
        signed = journal.get("manifest")
        if signed:
            self._manifest = parse_signed_manifest(json.loads(signed), hq_public)

    # -- state ----------------------------------------------------------------------------
    @property
    def state(self) -> BoxState:
        return BoxState(self.journal.get("box_state", BoxState.INSTALLED.value))

    def _move(self, target: BoxState, **body: Any) -> None:
        """The state change and its journal entry commit together (or inside the caller's act)."""
        with self.journal.transaction():
            current = self.state
            check_transition(current, target)
            self.journal.append("state", {"from": current.value, "to": target.value, **body})
            self.journal.put("box_state", target.value)

    @property
    def fingerprint(self) -> str:
        """The election definition this box is bound to (from HQ's branch info); cards and records carry it."""
        return self.journal.get("election_fingerprint") or ""

    @property
    def manifest(self) -> BallotManifest:
        if self._manifest is None:
            raise BranchStateError("no ballot manifest is loaded")
        return self._manifest

    def _store(self, records: Sequence[dict[str, Any]], *, mock: bool = False) -> None:
        """Each record under a fresh random key: table order is a random permutation (call in a transaction)."""
        self.db.executemany("INSERT INTO vote_records(id, record, mock) VALUES (?, ?, ?)",
                            [(secrets.token_bytes(16), canonical_json(r).decode(), int(mock)) for r in records])

    # -- opening --------------------------------------------------------------------------
    def load_manifest(self, signed: dict[str, Any], *, now: dt.datetime) -> SignedReport:
        """Verify and load the manifest, then produce the signed zero report (no vote inside)."""
        manifest = parse_signed_manifest(signed, self.hq_public)
        if manifest.election != self.election:
            raise BranchStateError("the manifest is for another election",
                                   code="wrong_election")
        if self.db.execute("SELECT COUNT(*) FROM vote_records").fetchone()[0]:
            raise BranchStateError("the ballot box is not empty", code="box_not_empty")
        check_transition(self.state, BoxState.MANIFEST_LOADED)
        self._manifest = manifest
        try:
            with self.journal.transaction():  # manifest, state move and zero report: one act
                self.journal.put("manifest", json.dumps(signed, ensure_ascii=False))
                self._move(BoxState.MANIFEST_LOADED, manifest_sha256=manifest.sha256)
                zero = self._report(records=[], now=now, kind="zero", extra={})
                self.journal.append("zero_report", {"sha256": zero.sha256})
                self.journal.put("zero_report", json.dumps(zero.document(), ensure_ascii=False))
        except BaseException:
            self._manifest = None
            raise
        return zero

    def start_mock_poll(self) -> None:
        """Test votes may be cast from now on: only after the first zero report (``manifest_loaded``)."""
        if self.state is not BoxState.MANIFEST_LOADED:
            raise self._out_of_order(BoxState.MOCK_POLL)
        self._move(BoxState.MOCK_POLL)

    def end_mock_poll(self, *, now: dt.datetime) -> SignedReport:
        """Report the mock votes, then clear them; the report's hash goes into the journal.

        The test cards stay used: a card left over from the mock poll never becomes a real vote.
        """
        if self.state is not BoxState.MOCK_POLL:
            raise self._out_of_order(BoxState.MOCK_CLEARED)
        records = self._records(mock=True)
        report = self._report(records=records, now=now, kind="mock", extra={})
        with self.journal.transaction():  # clearing, its entry and the state move: one act
            self.db.execute("DELETE FROM vote_records WHERE mock = 1")
            self.journal.append("mock_poll", {"ballots": len(records), "sha256": report.sha256})
            self.journal.put("mock_report", json.dumps(report.document(), ensure_ascii=False))
            self._move(BoxState.MOCK_CLEARED, mock_cleared=True)
        return report

    def second_zero_report(self, *, now: dt.datetime) -> SignedReport:
        """After the mock poll, a new signed zero report proves the box empty again (no vote record at all).

        It names the mock-poll report and the first zero report it follows; the branch opens with it.
        """
        if self.state is not BoxState.MOCK_CLEARED:
            raise self._out_of_order(BoxState.READY)
        if self.db.execute("SELECT COUNT(*) FROM vote_records").fetchone()[0]:
            raise BranchStateError("the ballot box is not empty", code="box_not_empty")
        first, mock = (json.loads(self.journal.get(name) or "null") for name in ("zero_report", "mock_report"))
        zero = self._report(records=[], now=now, kind="zero", extra={  # the final report's field names
            "sequence": 2,
            "zero_report_sha256": SignedReport(first["report"], first["signature"]).sha256 if first else "",
            "mock_poll": ({"ballots": mock["report"]["ballots"],
                           "sha256": SignedReport(mock["report"], mock["signature"]).sha256} if mock else None),
        })
        with self.journal.transaction():  # the report, its entry and the state move: one act
            self.journal.append("zero_report", {"sha256": zero.sha256, "sequence": 2})
            self.journal.put("second_zero_report", json.dumps(zero.document(), ensure_ascii=False))
            self._move(BoxState.READY)
        return zero

    def opening_report(self) -> SignedReport | None:
        """The zero report the branch opens with: the second one after a mock poll, else the first."""
        raw = self.journal.get("second_zero_report") or self.journal.get("zero_report")
        if not raw:
            return None
        doc = json.loads(raw)
        return SignedReport(doc["report"], doc["signature"])

    def check_open(self, *, mock_poll_required: bool = False) -> None:
        """Real votes only after the second zero report, or (policy allowing) straight after the first."""
        if self.state is not BoxState.READY and (mock_poll_required or self.state is not BoxState.MANIFEST_LOADED):
            raise self._out_of_order(BoxState.OPEN)

    def open_polls(self, *, mock_poll_required: bool = False) -> None:
        self.check_open(mock_poll_required=mock_poll_required)
        self._move(BoxState.OPEN)

    def _out_of_order(self, target: BoxState) -> BranchStateError:
        """The opening's steps go in the law's order; the refusal names where the box is."""
        return BranchStateError(
            "the opening goes in order (zero report, mock poll, second zero report, opening): "
            "the ballot box cannot go from %(current)s to %(target)s",
            params={"current": self.state, "target": target, "value": NAMES_FA[self.state],
                    "value2": NAMES_FA[target]},
            code="opening_order")

    # -- voting ---------------------------------------------------------------------------
    def read_card(self, token: str) -> BallotCard:
        """A card valid for this branch and not yet used, or the reason it is refused."""
        if self.state is BoxState.CLOSED:
            raise BranchClosed("the ballot box has closed: no card is read after the close")
        if self.state not in (BoxState.OPEN, BoxState.MOCK_POLL):
            raise BranchStateError("the ballot box is not open")
        card = read_card(token, self.auth_public)
        if card.election != self.election:
            raise CardInvalid("the card is for another election",
                              code="wrong_election")
        if card.fingerprint != self.fingerprint:
            raise CardInvalid("the card was issued for another election definition", code="election_mismatch")
        if card.branch != self.branch:
            raise CardInvalid("the card was issued at another branch",
                              code="wrong_branch")
        if card.style != self.manifest.style:
            raise CardInvalid("the card is for another ballot style",
                              code="wrong_style")
        if self.db.execute("SELECT 1 FROM used_cards WHERE nonce_hash = ?", (card.nonce_hash,)).fetchone():
            raise CardInvalid("this card has already been used", code="card_reused")
        return card

    def check_contest(self, contest_code: str, codes: Sequence[str]) -> dict[str, Any]:
        """What the voter's screen shows while typing: each code's name, and the verdict."""
        contest = self.manifest.contest(contest_code)
        named = []
        for raw in codes:
            code = normalise_code(raw)
            entry = contest.lookup(code)
            named.append({"code": code, "known": entry is not None, **(entry or {})})
        verdict = contest.interpreter.interpret(list(codes))
        if isinstance(verdict, BallotRejection):
            return {"ok": verdict.is_blank, "blank": verdict.is_blank, "codes": named,
                    "message_fa": verdict.message_fa, "message_en": verdict.message_en}
        return {"ok": True, "blank": False, "codes": named, "votes": len(verdict.candidates),
                "message_fa": "", "message_en": ""}

    def cast(self, token: str, ballot: dict[str, Sequence[str]]) -> None:
        """Store one ballot, use up the card and journal the cast, in one transaction (all or nothing)."""
        card = self.read_card(token)
        manifest = self.manifest
        if set(ballot) != {c.code for c in manifest.contests}:
            raise BallotRefused("the ballot must answer every contest (blank is allowed)")
        record: dict[str, Any] = {"election": self.fingerprint, "style": manifest.style, "contests": {}}
        for contest in manifest.contests:
            codes = ballot[contest.code]
            if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
                raise BallotRefused("codes must be a list of text",
                                    code="malformed_codes")
            verdict = contest.interpreter.interpret(list(codes))
            if isinstance(verdict, BallotRejection) and not verdict.is_blank:
                raise BallotRefused(f"{contest.name_en}: {verdict.message_en}",
                                    f"{contest.name_fa}: {verdict.message_fa}", code=verdict.reason.value)
            record["contests"][contest.code] = sorted(c for c in (normalise_code(x) for x in codes) if c)
        mock = self.state is BoxState.MOCK_POLL
        with self.journal.transaction():
            try:
                self.db.execute("INSERT INTO used_cards(nonce_hash) VALUES (?)", (card.nonce_hash,))
            except sqlite3.IntegrityError as exc:
                raise CardInvalid("this card has already been used",
                                  code="card_reused") from exc
            self._store([record], mock=mock)
            self.journal.append("ballot_cast", {"mock": mock})

    # -- records and reports -----------------------------------------------------------------
    def _records(self, *, mock: bool = False) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT record FROM vote_records WHERE mock = ?", (int(mock),)).fetchall()
        return canonical_order(json.loads(r[0]) for r in rows)

    def records(self) -> list[dict[str, Any]]:
        """The cast vote records in canonical order (a function of their contents, not of casting)."""
        return self._records()

    @property
    def ballots_cast(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM vote_records WHERE mock = 0").fetchone()[0])

    def _report(self, *, records: list[dict[str, Any]], now: dt.datetime, kind: str,
                extra: dict[str, Any]) -> SignedReport:
        ballots, contests = tally(self.manifest, records)
        report = {
            "type": REPORT_TYPE, "version": 1, "kind": kind,
            "election": self.election, "branch": self.branch, "style": self.manifest.style,
            "source": "replacement" if self.journal.count("journal_transfer") else "electronic",
            "election_fingerprint": self.fingerprint,
            "manifest_sha256": self.manifest.sha256, "device": self.serial, "device_key": self.key.public_hex,
            "hour": coarse_hour(now), "ballots": ballots, "contests": contests,
            "records_sha256": records_digest(records), **extra,
        }
        return sign_report(report, self.key)

    def close(self, *, now: dt.datetime, checkins: dict[str, Any], branch_head: str, supervisor: str) -> SignedReport:
        """Close the polls and produce the signed branch report.

        ``checkins`` is the authentication device's signed statement of its check-in count.
        """
        if not branch_head.strip() or not supervisor.strip():
            raise BranchStateError(
                "the branch head and the supervisor must acknowledge the report", code="acknowledgement_missing"
            )
        self.journal.verify()
        check_transition(self.state, BoxState.CLOSED)
        zero = json.loads(self.journal.get("zero_report") or "null")
        mock = json.loads(self.journal.get("mock_report") or "null")
        transfers = [e.body for e in self.journal.entries(kind="journal_transfer")]
        with self.journal.transaction():  # the move, the report's entry and the stored report: one act
            return self._close(now=now, checkins=checkins, branch_head=branch_head, supervisor=supervisor,
                               zero=zero, mock=mock, transfers=transfers)

    def _close(self, *, now: dt.datetime, checkins: dict[str, Any], branch_head: str, supervisor: str,
               zero: dict[str, Any] | None, mock: dict[str, Any] | None,
               transfers: list[dict[str, Any]]) -> SignedReport:
        self._move(BoxState.CLOSED)
        report = self._report(records=self.records(), now=now, kind="final", extra={
            "closed_at": closed_at(now),  # the minute, UTC: the minutes print it in Tehran time
            "zero_report_sha256": SignedReport(zero["report"], zero["signature"]).sha256 if zero else "",
            **self._second_zero_field(),
            "mock_poll": ({"ballots": mock["report"]["ballots"],
                           "sha256": SignedReport(mock["report"], mock["signature"]).sha256} if mock else None),
            "checkins": checkins,
            "predecessors": transfers,
            "journal_head": self.journal.head(),
            "acknowledged_by": {"branch_head": branch_head.strip(), "supervisor": supervisor.strip()},
        })
        self.journal.append("branch_report", {"sha256": report.sha256})
        self.journal.put("final_report", json.dumps(report.document(), ensure_ascii=False))
        return report

    def _second_zero_field(self) -> dict[str, str]:
        """The final report names the second zero report when there was one (a mock poll ran)."""
        raw = self.journal.get("second_zero_report")
        if not raw:
            return {}
        doc = json.loads(raw)
        return {"second_zero_report_sha256": SignedReport(doc["report"], doc["signature"]).sha256}

    def final_report(self) -> SignedReport | None:
        raw = self.journal.get("final_report")
        if not raw:
            return None
        doc = json.loads(raw)
        return SignedReport(doc["report"], doc["signature"])

    # -- replacement ---------------------------------------------------------------------
    def export_for_transfer(self) -> dict[str, Any]:
        """Everything a replacement e-box needs: the verified chain, records, used cards."""
        self.journal.verify()
        return {
            "device": self.serial, "device_key": self.key.public_hex,
            "journal": self.journal.export(), "journal_head": self.journal.head(),
            "records": self.records(),
            "used_cards": [r[0] for r in self.db.execute("SELECT nonce_hash FROM used_cards ORDER BY nonce_hash")],
            "manifest": json.loads(self.journal.get("manifest") or "null"),
            "zero_report": json.loads(self.journal.get("zero_report") or "null"),
            "mock_report": json.loads(self.journal.get("mock_report") or "null"),
            "second_zero_report": json.loads(self.journal.get("second_zero_report") or "null"),
        }

    def retire(self) -> dict[str, Any]:
        exported = self.export_for_transfer()
        self._move(BoxState.RETIRED)
        return exported

    def import_transfer(self, exported: dict[str, Any], *, now: dt.datetime) -> None:
        """Take over a faulty e-box's journal: its records are stored under fresh random keys, its cards stay used."""
        if self.state is not BoxState.INSTALLED:
            raise BranchStateError("only a fresh e-box can take over a journal")
        previous = GENESIS
        for e in exported["journal"]:
            if e["previous"] != previous or entry_digest(e["seq"], e["kind"], e["body"], e["previous"]) != e["digest"]:
                raise JournalBroken("the transferred journal is broken")
            previous = e["digest"]
        if previous != exported["journal_head"]:
            raise JournalBroken("the transferred journal is incomplete")
        manifest = parse_signed_manifest(exported["manifest"], self.hq_public)
        records = list(exported["records"])
        tally(manifest, records)  # refuses a record that does not belong to this manifest
        with self.journal.transaction():  # the whole take-over is one act: a crash leaves a fresh e-box
            self.journal.put("manifest", json.dumps(exported["manifest"], ensure_ascii=False))
            for name in ("zero_report", "mock_report", "second_zero_report"):
                if exported.get(name):
                    self.journal.put(name, json.dumps(exported[name], ensure_ascii=False))
            self.db.executemany("INSERT OR IGNORE INTO used_cards(nonce_hash) VALUES (?)",
                                [(h,) for h in exported["used_cards"]])
            self._store(records)
            self.journal.append("journal_transfer", {
                "device": exported["device"], "device_key": exported["device_key"],
                "journal_head": exported["journal_head"], "ballots": len(records),
                "records_sha256": records_digest(records),
            })
            self._move(BoxState.OPEN, replaced=exported["device"], hour=coarse_hour(now))
        self._manifest = manifest
