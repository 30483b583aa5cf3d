"""Every decoded ballot judged against the signed manifest; what is published; the tally.

Why: the ballot proof covers only the randomness, so a device can encrypt anything: 600 in
the 55-option Experts slot, one candidate in all 21 council slots. After decryption each
contest's slots are therefore checked here, in this order (the first failure is the
reason): every slot decoded (``undecodable``), every index within its option table
(``out_of_range``), then the codes go through :class:`entekhab.counting.interpret.Interpreter`
(the same rules as the e-box and the tally: ``duplicate_code``, ``too_many``,
``multiple_lists``, ``list_mixed``…), and last the order must be canonical
(``non_canonical``: an honest device sorts, so a valid vote in another order shows a
device not running the published code). An invalid contest is counted as invalid with its
reason, never as a vote.

What is published (privacy): not the slot vectors in mix order (a full vector is a
signature a coerced voter can be told to cast and then found by), but, per style and per
contest separately, the multiset of decoded forms sorted canonically. Per contest cuts the
link between a voter's council and Experts choices, and canonical forms erase slot order.
What remains: a set of up to 21 of 600 council candidates is itself still a pattern
channel (a coercer can demand an unlikely set and look for it in the multiset). Mixing
hides *who* cast a form, not *what* forms were cast; only publishing totals alone would
close the channel, at the price of the public recount from forms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from entekhab.counting.contest import CandidateTotal, ContestTotals, GroupTotal
from entekhab.counting.interpret import BallotRejection, RejectionReason
from entekhab.crypto import encoding
from entekhab.crypto.layout import ContestLayout, LayoutError, StyleLayout

SCHEMA = "entekhab-record/2"


class InvalidReason(StrEnum):
    """Why a decoded contest gives no vote: the crypto checks, then every counting rejection."""

    UNDECODABLE = "undecodable"
    OUT_OF_RANGE = "out_of_range"
    NON_CANONICAL = "non_canonical"
    MALFORMED_CODE = RejectionReason.MALFORMED_CODE.value
    UNKNOWN_CODE = RejectionReason.UNKNOWN_CODE.value
    DUPLICATE_CODE = RejectionReason.DUPLICATE_CODE.value
    TOO_MANY = RejectionReason.TOO_MANY.value
    MULTIPLE_LISTS = RejectionReason.MULTIPLE_LISTS.value
    LIST_MIXED = RejectionReason.LIST_MIXED.value


@dataclass(frozen=True, slots=True)
class ValidVote:
    """A counted vote: the list voted (or None) and the individually voted candidate codes.

    ``candidates`` are in option-table order (the manifest's, i.e. by ballot code); under
    the ``union`` policy a typed member of the voted list is already in the list's vote.
    """

    list_code: str | None
    candidates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BlankVote:
    """Every slot empty: a ballot taken, no vote given."""


@dataclass(frozen=True, slots=True)
class InvalidVote:
    """No vote, and why; ``slot`` (within the contest) or ``code`` name the fault when known."""

    reason: InvalidReason
    slot: int = -1
    code: str = ""


Verdict = ValidVote | BlankVote | InvalidVote
BLANK = BlankVote()


def check_contest(contest: ContestLayout, run: Sequence[int]) -> Verdict:
    """The verdict on one contest's decoded slot values (see the module docstring for the order)."""
    size = contest.size
    for k, v in enumerate(run):
        if type(v) is not int or v < 0:
            return InvalidVote(InvalidReason.UNDECODABLE, k)
        if v > size:
            return InvalidVote(InvalidReason.OUT_OF_RANGE, k)
    options = contest.options
    codes = [options[v - 1] for v in run if v]
    verdict = contest.interpreter.classify(codes)
    if isinstance(verdict, BallotRejection):
        if verdict.reason is RejectionReason.BLANK:
            return BLANK
        return InvalidVote(InvalidReason(verdict.reason.value), code=verdict.code)
    filled = len(codes)
    for k in range(1, len(run)):
        if (k < filled and run[k] <= run[k - 1]) or (k >= filled and run[k]):
            return InvalidVote(InvalidReason.NON_CANONICAL, k)
    li, extra = verdict
    candidates = contest.manifest.candidates
    return ValidVote(
        contest.manifest.lists[li].code if li >= 0 else None, tuple(candidates[i].code for i in sorted(extra))
    )


def check_ballot(layout: StyleLayout, values: Sequence[int]) -> list[Verdict]:
    """Per contest, the verdict on one decoded ballot; a wrong number of slots is a malformed record (raises)."""
    return [check_contest(c, run) for c, run in zip(layout.contests, layout.split(values), strict=True)]


# ---- the published decoded form ----------------------------------------------------


def form(verdict: Verdict) -> dict[str, Any]:
    """One contest's published form: ``{"list", "candidates"}``, ``{"blank": true}`` or ``{"invalid": reason}``."""
    if isinstance(verdict, ValidVote):
        return {"list": verdict.list_code, "candidates": list(verdict.candidates)}
    if isinstance(verdict, BlankVote):
        return {"blank": True}
    return {"invalid": verdict.reason.value}


def decoded_form(layout: StyleLayout, verdicts: Sequence[Verdict]) -> dict[str, dict[str, Any]]:
    """Contest code → the published form of one ballot's verdicts."""
    return {c.code: form(v) for c, v in zip(layout.contests, verdicts, strict=True)}


def _sorted_multiset(counter: Counter[bytes]) -> list[dict[str, Any]]:
    return [{"count": n, "vote": encoding.loads(key)} for key, n in sorted(counter.items())]


def _layouts(layouts: StyleLayout | Iterable[StyleLayout]) -> dict[str, StyleLayout]:
    items = [layouts] if isinstance(layouts, StyleLayout) else list(layouts)
    out = {lay.style_id: lay for lay in items}
    if len(out) != len(items):
        raise LayoutError("two layouts of one style")
    return out


def _values_by_style(
    styles: Mapping[str, StyleLayout], values: Mapping[str, Sequence[Sequence[int]]] | Sequence[Sequence[int]]
) -> dict[str, Sequence[Sequence[int]]]:
    if not isinstance(values, Mapping):
        if len(styles) != 1:
            raise LayoutError("decoded values of several styles must be given by style")
        return {next(iter(styles)): values}
    unknown = sorted(set(values) - set(styles))
    if unknown:
        raise LayoutError("decoded ballots of style %(style)s, which has no manifest", params={"style": unknown[0]})
    return {s: values.get(s, ()) for s in styles}


def decoded_document(
    layouts: StyleLayout | Iterable[StyleLayout],
    values: Mapping[str, Sequence[Sequence[int]]] | Sequence[Sequence[int]],
) -> dict[str, Any]:
    """``decoded.json``: per style and per contest, the multiset of forms sorted canonically.

    Shape: ``{"schema", "kind": "decoded-votes", "styles": {style: {"manifest": sha256,
    "ballots": n, "contests": {code: [{"count": n, "vote": form}, ...]}}}}``; entries are
    sorted by the canonical bytes of ``vote``, counts are ≥ 1 and sum to ``ballots``. A
    style without ballots is listed with empty contests (an unused style is legal).
    """
    styles = _layouts(layouts)
    by_style = _values_by_style(styles, values)
    out: dict[str, Any] = {}
    for sid, layout in sorted(styles.items()):
        counters: list[Counter[bytes]] = [Counter() for _ in layout.contests]
        rows = by_style[sid]
        for row in rows:
            for counter, verdict in zip(counters, check_ballot(layout, row), strict=True):
                counter[encoding.dumps(form(verdict))] += 1
        out[sid] = {
            "manifest": layout.manifest_sha256,
            "ballots": len(rows),
            "contests": {c.code: _sorted_multiset(n) for c, n in zip(layout.contests, counters, strict=True)},
        }
    return {"schema": SCHEMA, "kind": "decoded-votes", "styles": out}


def _read_form(contest: ContestLayout, value: object, where: str) -> Verdict:
    """A published form back to its verdict, refusing any form the manifest would not give."""
    if isinstance(value, dict) and "invalid" in value:
        encoding.obj(value, where, ("invalid",))
        reason = encoding.text(value["invalid"], where, allowed={r.value for r in InvalidReason})
        return InvalidVote(InvalidReason(reason))
    if isinstance(value, dict) and "blank" in value:
        encoding.obj(value, where, ("blank",))
        if value["blank"] is not True:
            raise encoding.EncodingError("%(what)s: blank must be true", params={"what": where})
        return BLANK
    v = encoding.obj(value, where, ("list", "candidates"))
    list_code = v["list"]
    if list_code is not None:
        encoding.text(list_code, f"{where}.list", allowed=contest.list_codes)
    cands = [encoding.text(c, f"{where}.candidates", allowed=contest.index_of.keys())
             for c in encoding.array(v["candidates"], f"{where}.candidates", max_length=contest.slots)]
    typed = ([list_code] if list_code is not None else []) + cands
    if any(c in contest.list_codes for c in cands) or len(typed) > contest.slots:
        raise encoding.EncodingError("%(what)s is not the form of a valid vote", params={"what": where})
    idx = sorted(contest.index_of[c] for c in typed)
    verdict = check_contest(contest, (*idx, *([0] * (contest.slots - len(idx)))))
    if verdict != ValidVote(list_code, tuple(cands)):
        raise encoding.EncodingError("%(what)s is not the canonical form of a valid vote", params={"what": where})
    return verdict


def read_decoded_document(
    doc: object, layouts: StyleLayout | Iterable[StyleLayout]
) -> dict[str, dict[str, list[tuple[Verdict, int]]]]:
    """Strictly parse ``decoded.json``: style → contest → [(verdict, count)], in the published order.

    Refused: a style or contest the manifests do not have (or lack), a form no valid
    ballot of that contest has, entries out of canonical order or repeated, a count < 1,
    counts not summing to the style's ballots, a manifest hash that is not the layout's.
    """
    styles = _layouts(layouts)
    top = encoding.obj(doc, "decoded.json", ("schema", "kind", "styles"))
    if top["schema"] != SCHEMA or top["kind"] != "decoded-votes":
        raise encoding.EncodingError("decoded.json: schema or kind is not %(schema)s decoded-votes",
                                     params={"schema": SCHEMA})
    body = encoding.obj(top["styles"], "decoded.json styles", tuple(styles))
    out: dict[str, dict[str, list[tuple[Verdict, int]]]] = {}
    for sid, layout in styles.items():
        where = f"decoded.json style {sid}"
        s = encoding.obj(body[sid], where, ("manifest", "ballots", "contests"))
        if s["manifest"] != layout.manifest_sha256:
            raise encoding.EncodingError("%(what)s: manifest hash is not the signed manifest's", params={"what": where})
        ballots = encoding.integer(s["ballots"], f"{where} ballots")
        contests = encoding.obj(s["contests"], f"{where} contests", tuple(c.code for c in layout.contests))
        out[sid] = {}
        for contest in layout.contests:
            cw = f"{where} contest {contest.code}"
            entries, last, total = [], b"", 0
            for i, raw in enumerate(encoding.array(contests[contest.code], cw)):
                e = encoding.obj(raw, f"{cw}[{i}]", ("count", "vote"))
                n = encoding.integer(e["count"], f"{cw}[{i}].count", lo=1)
                key = encoding.dumps(e["vote"])
                if key <= last:
                    raise encoding.EncodingError("%(what)s: entries not in canonical order", params={"what": cw})
                last = key
                entries.append((_read_form(contest, e["vote"], f"{cw}[{i}].vote"), n))
                total += n
            if total != ballots:
                raise encoding.EncodingError(
                    "%(what)s: %(total)s forms for %(ballots)s ballots",
                    params={"what": cw, "total": total, "ballots": ballots},
                )
            out[sid][contest.code] = entries
    return out


# ---- the tally ---------------------------------------------------------------------


@dataclass(frozen=True)
class ContestTally:
    """Totals of one contest: :class:`entekhab.counting.tally.Tally`'s shape, keyed by ballot code.

    ``invalid`` maps each :class:`InvalidReason` that occurred to its count (a superset of
    counting's rejection reasons: the crypto checks come first). ``candidate_votes`` =
    individual votes + votes through the candidate's list, as in counting.
    """

    contest: str
    ballots: int
    valid: int
    blank: int
    invalid: Mapping[str, int]
    list_ballots: Mapping[str, int]
    individual_votes: Mapping[str, int]
    candidate_votes: Mapping[str, int]

    @property
    def invalid_total(self) -> int:
        return sum(self.invalid.values())

    def to_json(self) -> dict[str, Any]:
        return {"ballots": self.ballots, "valid": self.valid, "blank": self.blank, "invalid": dict(self.invalid),
                "lists": dict(self.list_ballots), "individual": dict(self.individual_votes),
                "votes": dict(self.candidate_votes)}

    @staticmethod
    def from_json(data: object, contest: ContestLayout, where: str = "tally") -> ContestTally:
        """Strict: exactly the contest's codes, known reasons, and totals that add up."""
        d = encoding.obj(data, where, ("ballots", "valid", "blank", "invalid", "lists", "individual", "votes"))
        ints = {k: encoding.integer(d[k], f"{where}.{k}") for k in ("ballots", "valid", "blank")}

        def counts(key: str, codes: Iterable[str], exact: bool = True) -> dict[str, int]:
            keys = tuple(codes)
            m = encoding.obj(d[key], f"{where}.{key}", keys if exact else (), () if exact else keys)
            return {k: encoding.integer(m[k], f"{where}.{key}.{k}", lo=0 if exact else 1) for k in keys if k in m}

        reasons = [r.value for r in InvalidReason]
        got = ContestTally(
            contest.code, ints["ballots"], ints["valid"], ints["blank"], counts("invalid", reasons, exact=False),
            counts("lists", contest.list_code_order), counts("individual", contest.candidate_codes),
            counts("votes", contest.candidate_codes),
        )
        if got != _totals(contest, got.ballots, got.blank, got.invalid, got.list_ballots, got.individual_votes) \
                or sum(got.list_ballots.values()) > got.valid:
            raise encoding.EncodingError(
                "%(what)s: totals do not add up (ballots, valid, blank, invalid; votes = individual + list)",
                params={"what": where},
            )
        return got

    def contest_totals(self, contest: ContestLayout, method: str = "tehran-pr", seed: str = "") -> ContestTotals:
        """The counting input (:class:`entekhab.counting.contest.ContestTotals`): lists become groups."""
        m = contest.manifest
        by_code = {c.code: c for c in m.candidates}
        return ContestTotals(
            method=method, seats=m.seats, alternates=m.alternates, seed=seed,
            groups=tuple(GroupTotal(lst.id, lst.members) for lst in m.lists),
            candidates=tuple(
                CandidateTotal(by_code[code].id, votes, by_code[code].veteran, by_code[code].degree)
                for code, votes in self.candidate_votes.items()
            ),
        )


def _totals(contest: ContestLayout, ballots: int, blank: int, invalid: Mapping[str, int],
            lists: Mapping[str, int], individual: Mapping[str, int]) -> ContestTally:
    votes = dict(individual)
    for code, n in lists.items():
        for member in contest.members[code]:
            votes[member] += n
    return ContestTally(
        contest.code, ballots, ballots - blank - sum(invalid.values()), blank,
        dict(sorted(invalid.items())), dict(lists), dict(individual), votes,
    )


def count_contest(contest: ContestLayout, verdicts: Iterable[tuple[Verdict, int]]) -> ContestTally:
    """Totals of one contest from (verdict, how many ballots gave it)."""
    ballots = blank = 0
    invalid: Counter[str] = Counter()
    lists = dict.fromkeys(contest.list_code_order, 0)
    individual = dict.fromkeys(contest.candidate_codes, 0)
    for verdict, n in verdicts:
        ballots += n
        if isinstance(verdict, ValidVote):
            if verdict.list_code is not None:
                lists[verdict.list_code] += n
            for code in verdict.candidates:
                individual[code] += n
        elif isinstance(verdict, BlankVote):
            blank += n
        else:
            invalid[verdict.reason.value] += n
    return _totals(contest, ballots, blank, invalid, lists, individual)


@dataclass(frozen=True)
class StyleTally:
    """One style's contests' totals, bound to the manifest they were counted under."""

    style_id: str
    manifest_sha256: str
    ballots: int
    contests: tuple[ContestTally, ...]

    def contest(self, code: str) -> ContestTally:
        for c in self.contests:
            if c.contest == code:
                return c
        raise LayoutError("style %(style)s has no contest %(code)s", params={"style": self.style_id, "code": code})

    def to_json(self) -> dict[str, Any]:
        return {"manifest": self.manifest_sha256, "ballots": self.ballots,
                "contests": {c.contest: c.to_json() for c in self.contests}}

    @staticmethod
    def from_json(data: object, layout: StyleLayout) -> StyleTally:
        where = f"tally.json style {layout.style_id}"
        d = encoding.obj(data, where, ("manifest", "ballots", "contests"))
        if d["manifest"] != layout.manifest_sha256:
            raise encoding.EncodingError("%(what)s: manifest hash is not the signed manifest's", params={"what": where})
        ballots = encoding.integer(d["ballots"], f"{where} ballots")
        body = encoding.obj(d["contests"], f"{where} contests", tuple(c.code for c in layout.contests))
        contests = tuple(ContestTally.from_json(body[c.code], c, f"{where} contest {c.code}") for c in layout.contests)
        if any(c.ballots != ballots for c in contests):
            raise encoding.EncodingError("%(what)s: a contest counts another number of ballots", params={"what": where})
        return StyleTally(layout.style_id, layout.manifest_sha256, ballots, contests)


def tally(layout: StyleLayout, verdict_lists: Iterable[Sequence[Verdict]]) -> StyleTally:
    """Totals of one style from each ballot's per-contest verdicts (:func:`check_ballot`)."""
    per: list[Counter[Verdict]] = [Counter() for _ in layout.contests]
    ballots = 0
    for verdicts in verdict_lists:
        ballots += 1
        if len(verdicts) != len(per):
            raise LayoutError("a ballot of style %(style)s has %(n)s verdicts", params={"style": layout.style_id,
                                                                                        "n": len(verdicts)})
        for counter, v in zip(per, verdicts, strict=True):
            counter[v] += 1
    return StyleTally(layout.style_id, layout.manifest_sha256, ballots,
                      tuple(count_contest(c, n.items()) for c, n in zip(layout.contests, per, strict=True)))


def tally_decoded(
    layouts: StyleLayout | Iterable[StyleLayout], doc: object
) -> dict[str, StyleTally]:
    """The tally a verifier recomputes from the published ``decoded.json`` (parsed strictly)."""
    styles = _layouts(layouts)
    parsed = read_decoded_document(doc, styles.values())
    out = {}
    for sid, layout in styles.items():
        contests = tuple(count_contest(c, parsed[sid][c.code]) for c in layout.contests)
        ballots = encoding.integer(doc["styles"][sid]["ballots"], "ballots")  # type: ignore[index]
        out[sid] = StyleTally(sid, layout.manifest_sha256, ballots, contests)
    return out


def tally_document(tallies: Iterable[StyleTally]) -> dict[str, Any]:
    """``tally.json``: ``{"schema", "kind": "tally", "styles": {style: {"manifest", "ballots",
    "contests": {code: {ballots, valid, blank, invalid: {reason: n}, lists: {code: n},
    individual: {code: n}, votes: {code: n}}}}}}``."""
    return {"schema": SCHEMA, "kind": "tally", "styles": {t.style_id: t.to_json() for t in tallies}}


def read_tally_document(doc: object, layouts: StyleLayout | Iterable[StyleLayout]) -> dict[str, StyleTally]:
    """Strictly parse ``tally.json`` against the manifests: every style, every code, sums that add up."""
    styles = _layouts(layouts)
    top = encoding.obj(doc, "tally.json", ("schema", "kind", "styles"))
    if top["schema"] != SCHEMA or top["kind"] != "tally":
        raise encoding.EncodingError("tally.json: schema or kind is not %(schema)s tally", params={"schema": SCHEMA})
    body = encoding.obj(top["styles"], "tally.json styles", tuple(styles))
    return {sid: StyleTally.from_json(body[sid], layout) for sid, layout in styles.items()}


def merge(tallies: Sequence[ContestTally]) -> ContestTally:
    """One contest's totals over several styles (the same contest code on several ballots)."""
    if not tallies or len({(t.contest, tuple(t.list_ballots), tuple(t.individual_votes)) for t in tallies}) != 1:
        raise LayoutError("only totals of one contest with one option table can be merged")

    def add(key: str) -> dict[str, int]:
        total: Counter[str] = Counter()
        for t in tallies:
            total.update(getattr(t, key))
        return dict(total)

    first = tallies[0]
    return ContestTally(
        first.contest, sum(t.ballots for t in tallies), sum(t.valid for t in tallies), sum(t.blank for t in tallies),
        dict(sorted((k, v) for k, v in add("invalid").items() if v)),
        {k: add("list_ballots")[k] for k in first.list_ballots},
        {k: add("individual_votes")[k] for k in first.individual_votes},
        {k: add("candidate_votes")[k] for k in first.candidate_votes},
    )
