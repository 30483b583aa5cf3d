"""Ballot interpretation: the codes a voter typed → the candidate-votes they give, or why not.

The e-box calls this before the voter confirms (to refuse an invalid entry with a
reason in Persian); the tally calls the same :class:`Interpreter` to count. One rule set,
two speeds: :meth:`Interpreter.classify` answers the common ballots from a precomputed
table and sends every other ballot through the careful path, which is the definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from entekhab.counting.errors import InvalidBallot
from entekhab.counting.manifest import ContestManifest, ListMixPolicy, normalise_code
from entekhab.domain.digits import ARABIC_DIGITS, ASCII_DIGITS, PERSIAN_DIGITS, to_persian_digits
from entekhab.domain.ids import CandidateId, GroupId
from entekhab.i18n import N_, render


class RejectionReason(StrEnum):
    """Why a ballot gives no candidate-votes. ``blank`` is a vote taken, not an error."""

    BLANK = "blank"
    MALFORMED_CODE = "malformed_code"
    UNKNOWN_CODE = "unknown_code"
    DUPLICATE_CODE = "duplicate_code"
    TOO_MANY = "too_many"
    MULTIPLE_LISTS = "multiple_lists"
    LIST_MIXED = "list_mixed"


@dataclass(frozen=True)
class BallotRejection:
    """A ballot that gives no candidate-votes, with the code at fault when there is one."""

    reason: RejectionReason
    code: str = ""
    count: int = 0
    limit: int = 0

    @property
    def is_blank(self) -> bool:
        return self.reason is RejectionReason.BLANK

    def _message(self, lang: str) -> str:
        code = to_persian_digits(self.code) if lang == "fa" else self.code
        count, limit = self.count, self.limit
        if lang == "fa":
            count, limit = to_persian_digits(count), to_persian_digits(limit)
        return render(REJECTION_TEXT[self.reason], {"code": code, "count": count, "limit": limit}, lang)

    @property
    def message_en(self) -> str:
        return self._message("en")

    @property
    def message_fa(self) -> str:
        return self._message("fa")


REJECTION_TEXT = {
    RejectionReason.BLANK: N_("blank ballot: no code entered"),
    RejectionReason.MALFORMED_CODE: N_("code '%(code)s' is not a number"),
    RejectionReason.UNKNOWN_CODE: N_("code %(code)s matches no list or candidate"),
    RejectionReason.DUPLICATE_CODE: N_("code %(code)s is entered more than once"),
    RejectionReason.TOO_MANY: N_("%(count)s candidate-votes exceed the limit of %(limit)s"),
    RejectionReason.MULTIPLE_LISTS: N_("more than one list code (second: %(code)s)"),
    RejectionReason.LIST_MIXED: N_("list code %(code)s cannot be combined with candidate codes"),
}


@dataclass(frozen=True)
class InterpretedBallot:
    """A valid ballot: the list voted (if any) and the candidate-votes it gives.

    ``candidates`` lists every candidate receiving one vote: the list's members in
    list order, then the individually typed candidates in typed order.
    """

    list_id: GroupId | None
    individual: tuple[CandidateId, ...]
    candidates: tuple[CandidateId, ...]


Classified = tuple[int, tuple[int, ...]] | BallotRejection
"""Fast verdict: (list index or -1, indices of individually voted candidates)."""

_BLANK = BallotRejection(RejectionReason.BLANK)


def _variants(code: str) -> set[str]:
    persian = code.translate(str.maketrans(ASCII_DIGITS, PERSIAN_DIGITS))
    arabic = code.translate(str.maketrans(ASCII_DIGITS, ARABIC_DIGITS))
    return {code, persian, arabic}


class Interpreter:
    """A manifest compiled for speed: code → index tables built once per contest."""

    def __init__(self, manifest: ContestManifest) -> None:
        self.manifest = manifest
        self.candidate_ids: tuple[CandidateId, ...] = tuple(c.id for c in manifest.candidates)
        self.list_ids: tuple[GroupId, ...] = tuple(lst.id for lst in manifest.lists)
        index = {cid: i for i, cid in enumerate(self.candidate_ids)}
        self.list_members: tuple[tuple[int, ...], ...] = tuple(
            tuple(index[m] for m in lst.members) for lst in manifest.lists
        )
        self._member_sets = tuple(frozenset(m) for m in self.list_members)
        self.max_votes = manifest.max_candidate_votes
        self._union = manifest.list_mix is ListMixPolicy.UNION
        # Candidates map to i >= 0, lists to ~l (< 0). Persian/Arabic digit forms are
        # keys too, so the common ballot needs no normalisation at all.
        self._by_code: dict[str, int] = {}
        for i, c in enumerate(manifest.candidates):
            self._by_code[c.code] = i
        for li, lst in enumerate(manifest.lists):
            self._by_code[lst.code] = ~li
        self._lookup: dict[str, int] = {}
        for code, value in self._by_code.items():
            for variant in _variants(code):
                self._lookup[variant] = value

    def classify(self, codes: Sequence[str]) -> Classified:
        """The verdict on one ballot, fast for well-formed ballots."""
        lookup = self._lookup
        try:
            idx = [lookup[c] for c in codes]
        except (KeyError, TypeError):
            return self.classify_carefully(codes)
        n = len(idx)
        if n == 1:
            i = idx[0]
            return (~i, ()) if i < 0 else (-1, (i,))
        if n == 0 or len(set(idx)) != n or min(idx) < 0:
            return self.classify_carefully(codes)
        if n > self.max_votes:
            return BallotRejection(RejectionReason.TOO_MANY, count=n, limit=self.max_votes)
        return (-1, tuple(idx))

    def classify_carefully(self, codes: Sequence[str]) -> Classified:
        """The definition: normalise each code, then check in a fixed order.

        Order of checks (the first failure is the reason given): empty entries are
        ignored; nothing left → blank; each code in typed order must be digits and
        known; no code twice; at most one list code; a list code alone unless the
        policy is ``union``; the candidate-votes within ``max_votes``.
        """
        entries: list[str] = []
        for raw in codes:
            if not isinstance(raw, str):
                return BallotRejection(RejectionReason.MALFORMED_CODE, code=repr(raw))
            code = normalise_code(raw)
            if code:
                entries.append(code)
        if not entries:
            return _BLANK
        idx: list[int] = []
        for code in entries:
            if not code.isascii() or not code.isdigit():
                return BallotRejection(RejectionReason.MALFORMED_CODE, code=code)
            if code not in self._by_code:
                return BallotRejection(RejectionReason.UNKNOWN_CODE, code=code)
            idx.append(self._by_code[code])
        seen: set[int] = set()
        for code, i in zip(entries, idx, strict=True):
            if i in seen:
                return BallotRejection(RejectionReason.DUPLICATE_CODE, code=code)
            seen.add(i)
        lists = [(code, i) for code, i in zip(entries, idx, strict=True) if i < 0]
        individual = [i for i in idx if i >= 0]
        if len(lists) > 1:
            return BallotRejection(RejectionReason.MULTIPLE_LISTS, code=lists[1][0])
        if lists:
            list_code, li = lists[0][0], ~lists[0][1]
            if individual and not self._union:
                return BallotRejection(RejectionReason.LIST_MIXED, code=list_code)
            members = self._member_sets[li]
            extra = tuple(i for i in individual if i not in members)
            count = len(self.list_members[li]) + len(extra)
            if count > self.max_votes:
                return BallotRejection(RejectionReason.TOO_MANY, count=count, limit=self.max_votes)
            return (li, extra)
        if len(individual) > self.max_votes:
            return BallotRejection(
                RejectionReason.TOO_MANY, count=len(individual), limit=self.max_votes
            )
        return (-1, tuple(individual))

    def interpret(self, codes: Sequence[str]) -> InterpretedBallot | BallotRejection:
        """The verdict with ids instead of indices."""
        verdict = self.classify(codes)
        if isinstance(verdict, BallotRejection):
            return verdict
        li, extra = verdict
        individual = tuple(self.candidate_ids[i] for i in extra)
        if li < 0:
            return InterpretedBallot(None, individual, individual)
        members = tuple(self.candidate_ids[i] for i in self.list_members[li])
        return InterpretedBallot(self.list_ids[li], individual, members + individual)


def interpret(
    manifest: ContestManifest, codes: Sequence[str]
) -> InterpretedBallot | BallotRejection:
    """Interpret one ballot (builds the tables; keep an :class:`Interpreter` for many)."""
    return Interpreter(manifest).interpret(codes)


def interpret_or_raise(manifest: ContestManifest, codes: Sequence[str]) -> InterpretedBallot:
    """Interpret one ballot, raising :class:`InvalidBallot` for a blank or invalid one."""
    verdict = interpret(manifest, codes)
    if isinstance(verdict, BallotRejection):
        raise InvalidBallot(verdict.message_en, verdict.message_fa, code=verdict.reason.value)
    return verdict
