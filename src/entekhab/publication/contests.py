"""A contest as publication needs it, read from a signed ballot manifest's document.

The manifest (HQ's ``entekhab/ballot-manifest/1``) is the one source of codes, names,
lists and the tie-chain facts (veteran, degree); a recount from open data reads the
same document, so HQ and a citizen interpret codes identically.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from entekhab.counting.contest import AlternatesPolicy
from entekhab.counting.errors import CountingError
from entekhab.counting.manifest import ContestManifest, ListMixPolicy, ManifestCandidate, ManifestList
from entekhab.domain.ids import CandidateId, GroupId
from entekhab.publication.errors import PublicationError

# The HQ's contest method (elections.CountingMethod) → the counting package's method name.
COUNTING_METHODS = {"proportional-list": "tehran-pr", "tehran-pr": "tehran-pr", "plurality": "plurality"}


@dataclass(frozen=True)
class CandidateInfo:
    id: CandidateId
    code: str
    name_fa: str
    name_en: str
    veteran: bool
    degree: int
    list_id: GroupId | None


@dataclass(frozen=True)
class ListInfo:
    id: GroupId
    code: str
    title_fa: str
    title_en: str
    members: tuple[CandidateId, ...]


@dataclass(frozen=True)
class ContestInfo:
    """One contest's codes, names and counting rules, validated through the counting manifest."""

    code: str
    name_fa: str
    name_en: str
    method: str
    seats: int
    alternates: int
    max_votes: int
    list_mix: ListMixPolicy
    alternates_policy: AlternatesPolicy
    candidates: tuple[CandidateInfo, ...]
    lists: tuple[ListInfo, ...]

    def __post_init__(self) -> None:
        if self.method not in ("tehran-pr", "plurality"):
            raise PublicationError(
                "contest %(code)s: unknown method %(method)s", params={"code": self.code, "method": repr(self.method)},
                code="unknown_method",
            )
        self.counting_manifest()  # raises InvalidManifest on duplicate codes, unknown members…

    def counting_manifest(self) -> ContestManifest:
        return ContestManifest(
            candidates=tuple(ManifestCandidate(c.id, c.code, c.veteran, c.degree) for c in self.candidates),
            lists=tuple(ManifestList(x.id, x.code, x.members) for x in self.lists),
            seats=self.seats,
            alternates=self.alternates,
            max_votes=self.max_votes,
            list_mix=self.list_mix,
        )

    def candidate(self, cid: str) -> CandidateInfo:
        for c in self.candidates:
            if c.id == cid:
                return c
        raise PublicationError(
            "contest %(code)s has no candidate %(cid)s", params={"code": self.code, "cid": cid},
            code="unknown_candidate",
        )

    def list_by_id(self, gid: str) -> ListInfo:
        for x in self.lists:
            if x.id == gid:
                return x
        raise PublicationError(
            "contest %(code)s has no list %(gid)s", params={"code": self.code, "gid": gid}, code="unknown_list"
        )


def _text(entry: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        if entry.get(key):
            return str(entry[key])
    return ""


def contest_info(entry: Mapping[str, Any]) -> ContestInfo:
    """A manifest contest entry → :class:`ContestInfo`, naming the first problem found."""
    try:
        code = str(entry["code"])
        seats = int(entry["seats"])
        lists = tuple(
            ListInfo(
                GroupId(str(x["id"])),
                str(x["code"]),
                _text(x, "title_fa", "name_fa"),
                _text(x, "title_en", "name_en"),
                tuple(CandidateId(str(m)) for m in x["members"]),
            )
            for x in entry.get("lists", ())
        )
        owner = {m: x.id for x in lists for m in x.members}
        candidates = tuple(
            CandidateInfo(
                CandidateId(str(c["id"])),
                str(c["code"]),
                _text(c, "name_fa"),
                _text(c, "name_en"),
                bool(c.get("veteran", False)),
                int(c.get("degree", 0)),
                owner.get(CandidateId(str(c["id"]))),
            )
            for c in entry.get("candidates", ())
        )
        method = COUNTING_METHODS.get(str(entry.get("method", "plurality")), str(entry.get("method")))
        return ContestInfo(
            code=code,
            name_fa=_text(entry, "name_fa") or code,
            name_en=_text(entry, "name_en") or code,
            method=method,
            seats=seats,
            alternates=int(entry.get("alternates", 0)),
            max_votes=int(entry.get("max_votes") or seats),
            list_mix=ListMixPolicy(entry.get("list_mix", "forbidden")),
            alternates_policy=AlternatesPolicy(entry.get("alternates_policy", "next-in-group")),
            candidates=candidates,
            lists=lists,
        )
    except CountingError as exc:
        raise PublicationError(
            "manifest contest is invalid: %(message_en)s",
            params={"message_en": exc.message_en, "message_fa": exc.message_fa},
            code="manifest_invalid",
        ) from exc
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PublicationError):
            raise
        raise PublicationError(
            "manifest contest is malformed: %(exc)s", params={"exc": exc}, code="manifest_invalid"
        ) from exc


def manifest_style(document: Mapping[str, Any]) -> str:
    return str(document.get("ballot_style") or document.get("style") or "")


def contests_of(documents: Iterable[Mapping[str, Any]]) -> dict[str, ContestInfo]:
    """Every contest in a set of manifest documents; a contest on two styles must agree."""
    out: dict[str, ContestInfo] = {}
    for doc in documents:
        for entry in doc.get("contests", ()):
            info = contest_info(entry)
            if info.code in out and out[info.code] != info:
                raise PublicationError(
                    "contest %(code)s differs between ballot styles", params={"code": info.code},
                    code="manifest_disagrees",
                )
            out[info.code] = info
    return dict(sorted(out.items()))
