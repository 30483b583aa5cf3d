"""The authentication device (*dastgah-e ehraz-e hoviyat*): national code, fingerprint, eligibility, check-in, card.

One voter at a time goes through a :class:`VoterSession`: the code is validated, the
civil registry says whether the person may vote, the fingerprint is scanned up to four
times (then only the branch head's written release lets them through), HQ records the
check-in under its unique constraint, and only then is a ballot card issued.

Offline policy (``OFFLINE_POLICY`` = "with branch head approval"): when HQ cannot be
reached, the check-in is journaled and a card issued only if the branch head approves,
by name; the message is synced later and HQ turns any duplicate into an incident.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from entekhab.device.adapters.civil_registry import CivilRegistry, eligibility
from entekhab.device.adapters.fingerprint import MAX_ATTEMPTS, FingerprintReader, ScanResult
from entekhab.device.agent import DeviceAgent, branch_closed_error
from entekhab.device.errors import BranchClosed, CheckInRefused, DeviceError, HQUnreachable, NotEligible
from entekhab.device.hq_link import HQRefused
from entekhab.domain.national_code import parse_national_code
from entekhab.records.card import issue_card

OFFLINE_POLICY = "branch_head_approval"


@dataclass
class VoterSession:
    national_code: str
    scans: list[ScanResult] = field(default_factory=list)
    released_by: str = ""
    release_reason: str = ""

    @property
    def matched(self) -> bool:
        return any(s.matched for s in self.scans)

    @property
    def attempts_left(self) -> int:
        """Scans still allowed; a match leaves the count as it was (it is not "no attempts left")."""
        return MAX_ATTEMPTS - len(self.scans)

    @property
    def cleared(self) -> bool:
        return self.matched or bool(self.released_by)


@dataclass(frozen=True)
class CheckInOutcome:
    card: str
    offline: bool
    answer: dict[str, Any] | None


class Authenticator:
    def __init__(self, agent: DeviceAgent, *, registry: CivilRegistry, reader: FingerprintReader,
                 polling_day: dt.date) -> None:
        if agent.role != "auth":
            raise DeviceError("this device is not an authentication device",
                              code="wrong_role")
        self.agent, self.registry, self.reader, self.polling_day = agent, registry, reader, polling_day

    # -- closing ---------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self.agent.closed is not None

    def close(self, *, source: str = "ebox", **detail: Any) -> None:
        """The branch has closed (its e-box signed the report, or HQ said so): no card after this."""
        self.agent.mark_closed(source=source, checkins=self.agent.journal.count("card_issued"), **detail)

    def _refuse_closed(self, raw_code: object, *, tell_hq: bool = True) -> BranchClosed:
        """Journal the refused attempt and, unless HQ itself refused, send HQ the record (queued if offline)."""
        text = str(raw_code or "").strip()
        voter = f"{text[:3]}…{text[-1]}" if len(text) >= 4 else ""
        self.agent.journal.append("checkin_refused", {"code": "branch_closed", "voter": voter})
        if tell_hq:
            # HQ answers "branch closed" and keeps the incident; the agent has journaled the answer.
            with contextlib.suppress(HQRefused):
                self.agent.send("checkin", {"refused": "branch_closed", "voter": voter})
        return branch_closed_error(self.agent.setting("branch"))

    # -- one voter ---------------------------------------------------------------------------
    def begin(self, raw_code: object) -> VoterSession:
        if self.closed:
            raise self._refuse_closed(raw_code)
        code = parse_national_code(raw_code)
        verdict = eligibility(self.registry, code, self.polling_day)
        if not verdict.eligible:
            raise NotEligible(verdict.message_en, verdict.message_fa, code=f"not_eligible_{verdict.refusal}")
        return VoterSession(code)

    def scan(self, session: VoterSession) -> ScanResult:
        if session.matched:
            return session.scans[-1]
        if session.attempts_left <= 0:
            raise DeviceError("four scans failed: the branch head must release the voter",
                              code="fingerprint_exhausted")
        result = self.reader.scan(session.national_code, len(session.scans) + 1)
        session.scans.append(result)
        return result

    def release(self, session: VoterSession, *, branch_head: str, reason: str) -> None:
        if session.attempts_left > 0:
            raise DeviceError(
                "%(attempts_left)s fingerprint attempts remain before a manual release",
                params={"attempts_left": session.attempts_left},
                code="release_too_early",
            )
        if not branch_head.strip() or not reason.strip():
            raise DeviceError("a manual release needs the branch head's name and a reason", code="release_incomplete")
        session.released_by, session.release_reason = branch_head.strip(), reason.strip()

    def check_in(self, session: VoterSession, *, now: dt.datetime, style: str,
                 offline_approved_by: str = "") -> CheckInOutcome:
        if self.closed:
            raise self._refuse_closed(session.national_code)
        if not session.cleared:
            raise DeviceError("the voter's fingerprint has not matched",
                              code="fingerprint_required")
        body = {
            "national_code": session.national_code,
            "fingerprint": "matched" if session.matched else "released",
            "release": {"by": session.released_by, "reason": session.release_reason} if session.released_by else None,
        }
        card = issue_card(election=self.agent.setting("election"), branch=self.agent.setting("branch"), style=style,
                          issuer=self.agent.serial, key=self.agent.key, now=now,
                          fingerprint=self.agent.journal.get("election_fingerprint") or "")
        # The card's journal entry commits with HQ's answer (online) or with the queued claim (offline).
        def issued(seq: int, _answer: dict[str, Any] | None = None) -> None:
            self._card_issued(offline=False, seq=seq)

        try:
            unfinished = self._unfinished_checkin(session.national_code)
            if unfinished is None:
                offline, answer = False, self.agent.send("checkin", body, queue_if_offline=False,
                                                         with_answer=issued).answer
            elif unfinished[1] is None:  # journaled, then the device died before HQ's answer: ask again
                offline, answer = False, self.agent.redeliver(unfinished[0], unfinished[2], with_answer=issued)
            else:  # HQ accepted it, the device died before the card: issue it now, once
                issued(unfinished[0])
                offline, answer = False, unfinished[1]
        except HQRefused as refusal:
            if refusal.code == "branch_closed":  # HQ holds the report: close here too, HQ has the incident
                self.close(source="hq")
                raise self._refuse_closed(session.national_code, tell_hq=False) from refusal
            raise CheckInRefused(refusal.message_en, refusal.message_fa, code=refusal.code) from refusal
        except HQUnreachable as exc:
            if not offline_approved_by.strip():
                raise HQUnreachable(
                    "HQ is unreachable: an offline check-in needs the branch head's approval",
                    code="offline_needs_approval") from exc
            if self.checked_in_here(session.national_code):
                raise CheckInRefused("already checked in at this branch (local journal)", code="already_voted") from exc
            abandoned = [e.body["seq"] for e in self.agent.journal.entries(kind="abandoned")][-1]
            self.agent.send("checkin_offline", {
                **body, "at": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ"),
                "approved_by": offline_approved_by.strip(), "supersedes": abandoned,
            }, with_outbox=lambda seq: self._card_issued(offline=True, seq=seq))
            offline, answer = True, None
        return CheckInOutcome(card, offline, answer)

    def _card_issued(self, *, offline: bool, seq: int) -> None:
        """The card's entry names the check-in message it answers (so a crash in between can be finished)."""
        self.agent.journal.append("card_issued", {"offline": offline, "checkin": seq})

    def _unfinished_checkin(self, national_code: str) -> tuple[int, dict[str, Any] | None, dict[str, Any]] | None:
        """This device's online check-in of this voter that got no card: (seq, HQ's answer or None, message).

        Only a crash between journaling the message and journaling the card leaves one; asking
        HQ again with the *same* message gets the original answer (a replay), not "already voted".
        """
        done = {e.body.get("checkin") for e in self.agent.journal.entries(kind="card_issued")}
        if None in done:  # a journal from before cards named their check-in: it cannot tell, so never reissue
            return None
        done |= {e.body["seq"] for e in self.agent.journal.entries(kind="abandoned")}
        done |= {e.body["seq"] for e in self.agent.journal.entries(kind="ack") if "refused" in e.body}
        for e in reversed(list(self.agent.journal.entries(kind="outbox"))):
            envelope = e.body["message"]["envelope"]
            if envelope["kind"] == "checkin" and envelope["body"].get("national_code") == national_code:
                seq, answer = e.body["seq"], self.agent.answer_of(e.body["seq"])
                if seq in done or (answer is not None and answer.get("status") == "refused"):
                    return None
                return seq, answer, e.body["message"]
        return None

    def checked_in_here(self, national_code: str) -> bool:
        """Offline, the device's own journal still knows whom it checked in (accepted or queued)."""
        abandoned = {e.body["seq"] for e in self.agent.journal.entries(kind="abandoned")}
        refused = {e.body["seq"] for e in self.agent.journal.entries(kind="ack") if "refused" in e.body}
        for e in self.agent.journal.entries(kind="outbox"):
            envelope = e.body["message"]["envelope"]
            if envelope["kind"] in ("checkin", "checkin_offline") and e.body["seq"] not in abandoned | refused \
                    and envelope["body"].get("national_code") == national_code:
                answer = self.agent.answer_of(e.body["seq"])
                if answer is None or answer.get("status") != "refused":
                    return True
        return False

    def checkin_statement(self) -> dict[str, Any]:
        """The signed count of cards issued, which the e-box puts into the branch report."""
        statement = {"device": self.agent.serial, "branch": self.agent.setting("branch"),
                     "election": self.agent.setting("election"),
                     "checkins": self.agent.journal.count("card_issued")}
        return {"statement": statement, "signature": self.agent.key.sign_document(statement),
                "device_key": self.agent.key.public_hex}
