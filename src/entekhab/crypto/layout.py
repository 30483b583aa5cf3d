"""The slot layout of a ballot style, derived from the signed ballot manifest and nothing else.

Why derived: a layout kept beside the manifest could disagree with it (a slot with 630
options where the manifest has 600 candidates and 30 lists), and then the e-box, the
decoder and the tally would read one index as three different votes. Here the layout is
a pure function of the manifest document HQ signed (:mod:`entekhab.records.manifest`):

* contests in manifest order; a contest has ``max_votes`` slots (Tehran council 21,
  Experts 1), each slot holding one option;
* a contest's option table: index 1..N → ballot code, the candidates in manifest order
  then the lists in manifest order; index 0 is an empty slot;
* canonical encoding (what an honest e-box encrypts): each contest's non-zero indexes
  strictly ascending, the zeros last. An honest device always sorts, so any other order
  in a decrypted ballot shows a device not running the published code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from entekhab.counting.interpret import Interpreter
from entekhab.counting.manifest import ContestManifest, normalise_code
from entekhab.crypto.ballot import BallotStyle, StyleId
from entekhab.crypto.errors import CryptoError
from entekhab.crypto.group import Randomness
from entekhab.records.canonical import canonical_json, sha256_hex
from entekhab.records.errors import RecordError
from entekhab.records.manifest import BallotManifest, validate_document

EMPTY = 0
"""Index of an empty slot."""
UNDECODABLE = -1
"""Decoded value of a slot whose plaintext is in no option table (the decoder's verdict)."""


class LayoutError(CryptoError):
    """A manifest that gives no usable layout, or codes/values that do not fit the layout."""

    code = "layout"


@dataclass(frozen=True)
class ContestLayout:
    """One contest's slots and option table; ``options[i - 1]`` is the code of index ``i``."""

    code: str
    slots: int
    options: tuple[str, ...]
    manifest: ContestManifest = field(repr=False, compare=False)
    interpreter: Interpreter = field(repr=False, compare=False)
    index_of: Mapping[str, int] = field(repr=False, compare=False)
    list_codes: frozenset[str] = field(repr=False, compare=False)
    members: Mapping[str, tuple[str, ...]] = field(repr=False, compare=False)
    """List code → its members' candidate codes, in list order."""

    @property
    def size(self) -> int:
        """Number of options (the highest valid index)."""
        return len(self.options)

    @property
    def candidate_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.manifest.candidates)

    @property
    def list_code_order(self) -> tuple[str, ...]:
        return tuple(lst.code for lst in self.manifest.lists)

    @staticmethod
    def build(code: str, manifest: ContestManifest) -> ContestLayout:
        options = tuple(c.code for c in manifest.candidates) + tuple(lst.code for lst in manifest.lists)
        by_id = {c.id: c.code for c in manifest.candidates}
        return ContestLayout(
            code=code,
            slots=manifest.max_candidate_votes,
            options=options,
            manifest=manifest,
            interpreter=Interpreter(manifest),
            index_of={c: i + 1 for i, c in enumerate(options)},
            list_codes=frozenset(lst.code for lst in manifest.lists),
            members={lst.code: tuple(by_id[m] for m in lst.members) for lst in manifest.lists},
        )


def _document(source: Mapping[str, Any] | BallotManifest) -> dict[str, Any]:
    if isinstance(source, BallotManifest):
        return source.document
    if isinstance(source, Mapping) and isinstance(source.get("manifest"), dict) and "signature" in source:
        raise LayoutError("pass the verified manifest (parse_signed_manifest), not the unverified envelope")
    if not isinstance(source, Mapping):
        raise LayoutError("a layout is built from a ballot manifest document")
    return dict(source)


@dataclass(frozen=True)
class StyleLayout:
    """The slots of one ballot style: its contests' runs of slots, one after another."""

    style_id: StyleId
    manifest_sha256: str
    contests: tuple[ContestLayout, ...]

    @staticmethod
    def from_manifest(source: Mapping[str, Any] | BallotManifest) -> StyleLayout:
        """The layout of a manifest document (validated here) or of a verified :class:`BallotManifest`."""
        doc = _document(source)
        try:
            parsed = validate_document(doc)
            sha = source.sha256 if isinstance(source, BallotManifest) else sha256_hex(canonical_json(doc))
        except RecordError as exc:
            raise LayoutError("the ballot manifest is invalid: %(msg)s", params={"msg": exc.message_en}) from exc
        contests = tuple(ContestLayout.build(c["code"], parsed[c["code"]]) for c in doc["contests"])
        layout = StyleLayout(StyleId(str(doc["ballot_style"])), sha, contests)
        layout.style()  # refuse a manifest whose layout exceeds the ballot's limits now, not at encryption
        return layout

    @property
    def runs(self) -> tuple[int, ...]:
        """Slots per contest, in contest order."""
        return tuple(c.slots for c in self.contests)

    @property
    def width(self) -> int:
        return sum(self.runs)

    @property
    def options(self) -> tuple[int, ...]:
        """Options of each slot (what :class:`BallotStyle` holds)."""
        return tuple(c.size for c in self.contests for _ in range(c.slots))

    def contest(self, code: str) -> ContestLayout:
        for c in self.contests:
            if c.code == code:
                return c
        raise LayoutError("style %(style)s has no contest %(code)s", params={"style": self.style_id, "code": code})

    def style(self, style_id: str | None = None) -> BallotStyle:
        """The ballot style the e-box encrypts and the mix-net shuffles (``runs`` set when the type has it)."""
        if style_id is not None and style_id != self.style_id:
            raise LayoutError(
                "the manifest is for style %(have)s, not %(want)s", params={"have": self.style_id, "want": style_id}
            )
        kwargs: dict[str, Any] = {}
        if "runs" in {f.name for f in fields(BallotStyle)}:
            kwargs["runs"] = self.runs
        try:
            return BallotStyle(self.style_id, self.options, **kwargs)
        except CryptoError as exc:
            raise LayoutError(
                "the manifest of style %(style)s gives no ballot style: %(msg)s",
                params={"style": self.style_id, "msg": exc.message_en},
            ) from exc

    def split(self, values: Sequence[int]) -> tuple[tuple[int, ...], ...]:
        """A ballot's values cut into each contest's run of slots."""
        if len(values) != self.width:
            raise LayoutError(
                "style %(style)s has %(width)s slots, the ballot has %(n)s",
                params={"style": self.style_id, "width": self.width, "n": len(values)},
            )
        out, at = [], 0
        for c in self.contests:
            out.append(tuple(values[at : at + c.slots]))
            at += c.slots
        return tuple(out)

    def encode(self, codes_by_contest: Mapping[str, Sequence[str]] | Sequence[Sequence[str]]) -> tuple[int, ...]:
        """The canonical slot values of typed codes (missing contest = blank); refuses what cannot be encoded.

        Refused: an unknown contest or code, a code twice (no strictly ascending form),
        more codes than slots. Other invalid ballots (list mixed with candidates, two
        lists) are encodable: the e-box's interpreter refuses them before the voter
        confirms, and the tally would count them invalid.
        """
        if isinstance(codes_by_contest, Mapping):
            unknown = sorted(set(codes_by_contest) - {c.code for c in self.contests})
            if unknown:
                raise LayoutError(
                    "style %(style)s has no contest %(code)s", params={"style": self.style_id, "code": unknown[0]}
                )
            per = [codes_by_contest.get(c.code, ()) for c in self.contests]
        else:
            per = list(codes_by_contest)
            if len(per) != len(self.contests):
                raise LayoutError(
                    "style %(style)s has %(n)s contests, got codes for %(m)s",
                    params={"style": self.style_id, "n": len(self.contests), "m": len(per)},
                )
        values: list[int] = []
        for contest, codes in zip(self.contests, per, strict=True):
            if isinstance(codes, str):
                raise LayoutError("codes of contest %(code)s must be a list of codes", params={"code": contest.code})
            idx = []
            for raw in codes:
                code = normalise_code(raw) if isinstance(raw, str) else ""
                if not code:
                    continue
                if code not in contest.index_of:
                    raise LayoutError(
                        "contest %(contest)s has no code %(code)s", params={"contest": contest.code, "code": code}
                    )
                idx.append(contest.index_of[code])
            if len(set(idx)) != len(idx):
                raise LayoutError("contest %(contest)s: a code is entered twice", params={"contest": contest.code})
            if len(idx) > contest.slots:
                raise LayoutError(
                    "contest %(contest)s has %(slots)s slots, got %(n)s codes",
                    params={"contest": contest.code, "slots": contest.slots, "n": len(idx)},
                )
            values.extend(sorted(idx))
            values.extend([EMPTY] * (contest.slots - len(idx)))
        return tuple(values)

    def codes(self, values: Sequence[int]) -> dict[str, list[str]]:
        """Contest code → the codes in its slots, in slot order, empties skipped; refuses an index off the table."""
        out: dict[str, list[str]] = {}
        for contest, run in zip(self.contests, self.split(values), strict=True):
            codes = []
            for k, v in enumerate(run):
                if type(v) is not int or not 0 <= v <= contest.size:
                    raise LayoutError(
                        "contest %(contest)s slot %(k)s: index %(v)s outside 0..%(top)s",
                        params={"contest": contest.code, "k": k, "v": repr(v), "top": contest.size},
                    )
                if v:
                    codes.append(contest.options[v - 1])
            out[contest.code] = codes
        return out


def honest_codes(layout: StyleLayout, rng: Randomness) -> dict[str, list[str]]:
    """A plausible valid ballot, as typed codes: per contest a list alone (3 in 10 where there
    are lists; with the ``union`` policy sometimes plus candidates it fits), else 1..slots
    distinct candidates (blank one time in ten)."""
    out: dict[str, list[str]] = {}
    for c in layout.contests:
        cands, lists = c.candidate_codes, c.list_code_order
        if lists and rng.below(10) < 3:
            code = lists[rng.below(len(lists))]
            chosen = [code]
            room = c.slots - len(c.members[code])
            if c.manifest.list_mix.value == "union" and room > 0 and rng.below(2):
                others = [x for x in cands if x not in c.members[code]]
                chosen += [others[rng.below(len(others))]] if others else []
            out[c.code] = chosen
            continue
        picked: set[str] = set()
        if rng.below(10):  # one ballot in ten leaves the contest blank
            for _ in range(1 + rng.below(min(c.slots, len(cands)))):
                picked.add(cands[rng.below(len(cands))])
        out[c.code] = sorted(picked)
    return out


def honest_values(layout: StyleLayout, rng: Randomness) -> tuple[int, ...]:
    """What an honest e-box encrypts for :func:`honest_codes` (canonical slot values)."""
    return layout.encode(honest_codes(layout, rng))
