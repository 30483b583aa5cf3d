"""The contest manifest as interpretation needs it: codes, lists, members, limits, policy.

A voter types codes; this manifest says what each code means. Codes are digit strings
(Persian and Arabic-Indic digits are normalised to ASCII), unique across lists and
candidates of the contest.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from entekhab.counting.errors import InvalidManifest
from entekhab.domain.digits import to_ascii_digits, to_persian_digits
from entekhab.domain.ids import CandidateId, GroupId

INDEPENDENTS = GroupId("independents")
"""Key of the bloc of all candidates on no list (*monfaredha*)."""


class ListMixPolicy(StrEnum):
    """Whether a list code may be combined with individual candidate codes (law silent).

    ``forbidden`` (default): a list code must be entered alone.
    ``union``: one list code plus individual codes; the ballot votes once for each
    candidate in the union of the list's members and the typed candidates, and the
    union must not exceed ``max_votes``.
    """

    FORBIDDEN = "forbidden"
    UNION = "union"


def normalise_code(raw: str) -> str:
    """A typed code as ASCII digits, without surrounding spaces."""
    return to_ascii_digits(raw.strip())


def _checked_code(raw: object, owner: str) -> str:
    code = normalise_code(raw) if isinstance(raw, str) else ""
    if not code or not code.isascii() or not code.isdigit():
        raise InvalidManifest(
            "code of %(owner)s must be digits, got %(raw)s", params={"owner": owner, "raw": repr(raw)}
        )
    return code


@dataclass(frozen=True)
class ManifestCandidate:
    """An approved candidate: id, ballot code and the facts the tie chain uses."""

    id: CandidateId
    code: str
    veteran: bool = False
    degree: int = 0

    def __post_init__(self) -> None:
        if not self.id:
            raise InvalidManifest("candidate id is empty")
        object.__setattr__(self, "code", _checked_code(self.code, f"candidate {self.id}"))
        if isinstance(self.degree, bool) or not isinstance(self.degree, int) or self.degree < 0:
            raise InvalidManifest(
                "degree of candidate %(id)s must be a whole number ≥ 0", params={"id": self.id},
            )


@dataclass(frozen=True)
class ManifestList:
    """A list (*fehrest*) of a party, front or coalition: its code and its members."""

    id: GroupId
    code: str
    members: tuple[CandidateId, ...]

    def __post_init__(self) -> None:
        if not self.id or self.id == INDEPENDENTS:
            raise InvalidManifest(
                "list id %(id)s is empty or reserved", params={"id": repr(self.id), "id2": self.id}
            )
        object.__setattr__(self, "code", _checked_code(self.code, f"list {self.id}"))
        object.__setattr__(self, "members", tuple(self.members))
        if not self.members:
            raise InvalidManifest("list %(id)s has no members", params={"id": self.id})
        if len(set(self.members)) != len(self.members):
            raise InvalidManifest(
                "list %(id)s names a member twice", params={"id": self.id}
            )


@dataclass(frozen=True)
class ContestManifest:
    """Everything needed to read a ballot of one contest and count it.

    ``max_votes`` is the most candidate-votes one ballot may give (21 in Tehran);
    it defaults to ``seats``.
    """

    candidates: tuple[ManifestCandidate, ...]
    lists: tuple[ManifestList, ...] = ()
    seats: int = 21
    alternates: int = 0
    max_votes: int | None = None
    list_mix: ListMixPolicy = ListMixPolicy.FORBIDDEN

    def __post_init__(self) -> None:
        object.__setattr__(self, "candidates", tuple(self.candidates))
        object.__setattr__(self, "lists", tuple(self.lists))
        object.__setattr__(self, "list_mix", ListMixPolicy(self.list_mix))
        if isinstance(self.seats, bool) or not isinstance(self.seats, int) or self.seats < 1:
            raise InvalidManifest("seats must be at least 1")
        if self.alternates < 0:
            raise InvalidManifest("alternates must be ≥ 0")
        if self.max_votes is None:
            object.__setattr__(self, "max_votes", self.seats)
        if self.max_votes is None or self.max_votes < 1:
            raise InvalidManifest("max_votes must be at least 1")
        ids = [c.id for c in self.candidates]
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise InvalidManifest("candidate %(dup)s appears twice", params={"dup": dup})
        list_ids = [lst.id for lst in self.lists]
        if len(set(list_ids)) != len(list_ids):
            dup = next(i for i in list_ids if list_ids.count(i) > 1)
            raise InvalidManifest("list %(dup)s appears twice", params={"dup": dup})
        owners: dict[str, str] = {}
        for c in self.candidates:
            self._claim(owners, c.code, f"candidate {c.id}")
        for lst in self.lists:
            self._claim(owners, lst.code, f"list {lst.id}")
        known = set(ids)
        seen: dict[CandidateId, GroupId] = {}
        for lst in self.lists:
            for m in lst.members:
                if m not in known:
                    raise InvalidManifest(
                        "list %(id)s names unknown candidate %(m)s", params={"id": lst.id, "m": m},
                    )
                if m in seen:
                    raise InvalidManifest(
                        "candidate %(m)s is on two lists (%(value)s and %(id)s)",
                        params={"m": m, "value": seen[m], "id": lst.id},
                    )
                seen[m] = lst.id
            if len(lst.members) > self.max_votes:
                raise InvalidManifest(
                    "list %(id)s has %(members)s members, more than the %(max_votes)s votes a ballot may give",
                    params={
                        "id": lst.id,
                        "members": len(lst.members),
                        "max_votes": self.max_votes,
                        "max_votes2": to_persian_digits(self.max_votes),
                    },
                )

    @staticmethod
    def _claim(owners: dict[str, str], code: str, owner: str) -> None:
        if code in owners:
            raise InvalidManifest(
                "code %(code)s is used by both %(value)s and %(owner)s",
                params={"code": code, "value": owners[code], "owner": owner},
            )
        owners[code] = owner

    @property
    def max_candidate_votes(self) -> int:
        """``max_votes`` as an int (it is always set after construction)."""
        return self.max_votes if self.max_votes is not None else self.seats

    def list_of(self) -> dict[CandidateId, GroupId]:
        """Each listed candidate's list; candidates missing here are independents."""
        return {m: lst.id for lst in self.lists for m in lst.members}
