"""A contest and its totals, as counting takes them: method, seats, groups, candidate votes.

This is the input of every method (and of ``entekhab count``). Candidates on no group
are independents, pooled in the bloc keyed ``"independents"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from entekhab.counting.apportion import MAX_SEATS
from entekhab.counting.errors import InvalidCountInput, UnknownMethod
from entekhab.counting.manifest import INDEPENDENTS
from entekhab.domain.digits import to_persian_digits
from entekhab.domain.ids import CandidateId, GroupId

CANDIDATE_METHODS = ("tehran-pr", "plurality")
GROUP_METHODS = ("hare-lr", "droop-lr", "dhondt", "sainte-lague")
METHOD_NAMES = CANDIDATE_METHODS + GROUP_METHODS


class AlternatesPolicy(StrEnum):
    """How ``tehran-pr`` draws alternates (the law is silent; see docs/counting.md).

    ``next-in-group`` (default): alternate places are apportioned among the groups by
    the same Hare largest-remainder step as the seats (a group holds at most its
    unelected members); each group's places go to its next-highest unelected members.
    ``overall-highest``: the unelected candidates with the most votes, whatever group.
    """

    NEXT_IN_GROUP = "next-in-group"
    OVERALL_HIGHEST = "overall-highest"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class CandidateTotal:
    """A candidate's total votes (individual + through a list) and tie-chain facts.

    ``degree`` is an ordinal: a higher number is a higher academic degree.
    """

    id: CandidateId
    votes: int
    veteran: bool = False
    degree: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidCountInput(
                "candidate id must be non-empty text, got %(id)s", params={"id": repr(self.id)},
            )
        if not _is_int(self.votes) or self.votes < 0:
            raise InvalidCountInput(
                "votes of candidate %(id)s must be a whole number ≥ 0, got %(votes)s",
                params={"id": self.id, "votes": repr(self.votes)},
            )
        if not isinstance(self.veteran, bool):
            raise InvalidCountInput(
                "veteran of candidate %(id)s must be true or false", params={"id": self.id},
            )
        if not _is_int(self.degree) or self.degree < 0:
            raise InvalidCountInput(
                "degree of candidate %(id)s must be a whole number ≥ 0, got %(degree)s",
                params={"id": self.id, "degree": repr(self.degree)},
            )


@dataclass(frozen=True)
class GroupTotal:
    """A list (or, for the group-vote methods, any party) with its members and votes.

    ``votes`` may be omitted when members carry votes; when given with members under a
    candidate method it must equal the members' sum.
    """

    id: GroupId
    members: tuple[CandidateId, ...] = ()
    votes: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidCountInput(
                "group id must be non-empty text, got %(id)s", params={"id": repr(self.id)},
            )
        if self.id == INDEPENDENTS:
            raise InvalidCountInput(
                "group id %(independents)s is reserved for the independent bloc",
                params={"independents": repr(INDEPENDENTS), "independents2": INDEPENDENTS},
            )
        object.__setattr__(self, "members", tuple(self.members))
        if any(not isinstance(m, str) or not m for m in self.members):
            raise InvalidCountInput(
                "members of group %(id)s must be candidate ids", params={"id": self.id},
            )
        if len(set(self.members)) != len(self.members):
            raise InvalidCountInput(
                "group %(id)s names a member twice", params={"id": self.id}
            )
        if self.votes is not None and (not _is_int(self.votes) or self.votes < 0):
            raise InvalidCountInput(
                "votes of group %(id)s must be a whole number ≥ 0, got %(votes)s",
                params={"id": self.id, "votes": repr(self.votes)},
            )


@dataclass(frozen=True)
class ContestTotals:
    """One contest ready to count. Validated on construction: a bad one never exists."""

    method: str
    seats: int
    groups: tuple[GroupTotal, ...] = ()
    candidates: tuple[CandidateTotal, ...] = ()
    alternates: int = 0
    seed: str = ""
    alternates_policy: AlternatesPolicy = AlternatesPolicy.NEXT_IN_GROUP

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", tuple(self.groups))
        object.__setattr__(self, "candidates", tuple(self.candidates))
        if self.method not in METHOD_NAMES:
            raise UnknownMethod(
                "unknown method %(method)s (known: %(method_names)s)",
                params={"method": repr(self.method), "method_names": ", ".join(METHOD_NAMES), "method2": self.method},
            )
        try:
            object.__setattr__(
                self, "alternates_policy", AlternatesPolicy(self.alternates_policy)
            )
        except ValueError:
            known = ", ".join(p.value for p in AlternatesPolicy)
            raise UnknownMethod(
                "unknown alternates policy %(alternates_policy)s (known: %(known)s)",
                params={
                    "alternates_policy": repr(self.alternates_policy),
                    "known": known,
                    "alternates_policy2": self.alternates_policy,
                },
            ) from None
        if not _is_int(self.seats) or not 1 <= self.seats <= MAX_SEATS:
            raise InvalidCountInput(
                "seats must be a whole number from 1 to %(max_seats)s, got %(seats)s",
                params={"max_seats": MAX_SEATS, "seats": repr(self.seats), "max_seats2": to_persian_digits(MAX_SEATS)},
            )
        if not _is_int(self.alternates) or not 0 <= self.alternates <= MAX_SEATS:
            raise InvalidCountInput(
                "alternates must be a whole number from 0 to %(max_seats)s, got %(alternates)s",
                params={"max_seats": MAX_SEATS, "alternates": repr(self.alternates)},
            )
        if not isinstance(self.seed, str):
            raise InvalidCountInput("seed must be text")
        self._check_ids()
        if self.method in CANDIDATE_METHODS:
            self._check_candidate_method()
        else:
            self._check_group_method()

    def _check_ids(self) -> None:
        cids = [c.id for c in self.candidates]
        if len(set(cids)) != len(cids):
            dup = next(i for i in cids if cids.count(i) > 1)
            raise InvalidCountInput(
                "candidate %(dup)s appears twice", params={"dup": dup}
            )
        gids = [g.id for g in self.groups]
        if len(set(gids)) != len(gids):
            dup = next(i for i in gids if gids.count(i) > 1)
            raise InvalidCountInput("group %(dup)s appears twice", params={"dup": dup})
        known = set(cids)
        owner: dict[str, str] = {}
        for g in self.groups:
            for m in g.members:
                if m not in known:
                    raise InvalidCountInput(
                        "group %(id)s names unknown member %(m)s", params={"id": g.id, "m": m},
                    )
                if m in owner:
                    raise InvalidCountInput(
                        "candidate %(m)s is a member of two groups (%(value)s and %(id)s)",
                        params={"m": m, "value": owner[m], "id": g.id},
                    )
                owner[m] = g.id

    def _check_candidate_method(self) -> None:
        if not self.candidates:
            raise InvalidCountInput(
                "method %(method)s needs candidates with votes", params={"method": self.method},
            )
        votes = {c.id: c.votes for c in self.candidates}
        for g in self.groups:
            if not g.members:
                raise InvalidCountInput("group %(id)s has no members", params={"id": g.id})
            total = sum(votes[m] for m in g.members)
            if g.votes is not None and g.votes != total:
                raise InvalidCountInput(
                    "votes of group %(id)s (%(votes)s) differ from its members' sum (%(total)s)",
                    params={"id": g.id, "votes": g.votes, "total": total},
                )

    def _check_group_method(self) -> None:
        if not self.groups and not self.candidates:
            raise InvalidCountInput(
                "method %(method)s needs groups with votes", params={"method": self.method},
            )
        for g in self.groups:
            if g.votes is None and not g.members:
                raise InvalidCountInput(
                    "group %(id)s has no votes", params={"id": g.id}
                )

    @property
    def candidate_votes(self) -> dict[CandidateId, int]:
        return {c.id: c.votes for c in self.candidates}

    def independents(self) -> tuple[CandidateId, ...]:
        """Candidates on no group, in input order."""
        grouped = {m for g in self.groups for m in g.members}
        return tuple(c.id for c in self.candidates if c.id not in grouped)

    def group_members(self) -> dict[GroupId, tuple[CandidateId, ...]]:
        """Every group's members, the independent bloc last when it has anyone."""
        members = {g.id: g.members for g in self.groups}
        free = self.independents()
        if free:
            members[INDEPENDENTS] = free
        return members

    def group_votes(self) -> dict[GroupId, int]:
        """Votes of each group (given, or the sum of its members), independents included."""
        votes = self.candidate_votes
        out: dict[GroupId, int] = {}
        for g in self.groups:
            out[g.id] = g.votes if g.votes is not None else sum(votes[m] for m in g.members)
        free = self.independents()
        if free:
            out[INDEPENDENTS] = sum(votes[c] for c in free)
        return out


def _field(obj: Mapping[str, object], key: str, where: str, default: object = ...) -> object:
    if key in obj:
        return obj[key]
    if default is ...:
        raise InvalidCountInput("%(where)s is missing %(key)s", params={"where": where, "key": repr(key), "key2": key})
    return default


def _object(value: object, where: str, allowed: set[str]) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise InvalidCountInput("%(where)s must be a JSON object", params={"where": where})
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise InvalidCountInput(
            "%(where)s has unknown key %(value)s",
            params={"where": where, "value": repr(unknown[0]), "value2": unknown[0]},
        )
    return value


def _array(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise InvalidCountInput("%(where)s must be a JSON array", params={"where": where})
    return value


def contest_from_json(data: object) -> ContestTotals:
    """Build :class:`ContestTotals` from parsed JSON, naming the first problem found."""
    top = _object(data, "input", {"contest", "groups", "candidates", "seed"})
    contest = _object(
        _field(top, "contest", "input"), "contest", {"method", "seats", "alternates",
                                                      "alternates_policy"}
    )
    groups = []
    for n, raw in enumerate(_array(top.get("groups", []), "groups")):
        g = _object(raw, f"groups[{n}]", {"id", "members", "votes", "name"})
        groups.append(
            GroupTotal(
                id=GroupId(_field(g, "id", f"groups[{n}]")),  # type: ignore[arg-type]
                members=tuple(_array(g.get("members", []), f"groups[{n}].members")),  # type: ignore[arg-type]
                votes=g.get("votes"),  # type: ignore[arg-type]
            )
        )
    candidates = []
    for n, raw in enumerate(_array(top.get("candidates", []), "candidates")):
        c = _object(raw, f"candidates[{n}]", {"id", "votes", "veteran", "degree", "name"})
        candidates.append(
            CandidateTotal(
                id=CandidateId(_field(c, "id", f"candidates[{n}]")),  # type: ignore[arg-type]
                votes=_field(c, "votes", f"candidates[{n}]"),  # type: ignore[arg-type]
                veteran=c.get("veteran", False),  # type: ignore[arg-type]
                degree=c.get("degree", 0),  # type: ignore[arg-type]
            )
        )
    return ContestTotals(
        method=_field(contest, "method", "contest"),  # type: ignore[arg-type]
        seats=_field(contest, "seats", "contest"),  # type: ignore[arg-type]
        alternates=contest.get("alternates", 0),  # type: ignore[arg-type]
        alternates_policy=contest.get(  # type: ignore[arg-type]
            "alternates_policy", AlternatesPolicy.NEXT_IN_GROUP.value
        ),
        groups=tuple(groups),
        candidates=tuple(candidates),
        seed=top.get("seed", ""),  # type: ignore[arg-type]
    )
