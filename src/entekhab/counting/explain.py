"""Explanation steps: each fact of a count as data and as Persian and English sentences.

Numbers are exact in ``data`` (fractions as ``"p/q"`` strings); the sentences round
fractions to four decimals for reading, marked with ≈, and use Persian digits in Persian.
Every sentence is rendered from its step's ``data`` alone (:func:`step_text`), so a page
can render the same steps again with the names of lists and candidates (a :class:`Wording`)
while the published steps, and this package, only know ids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from entekhab.counting.apportion import Apportionment, GroupTie
from entekhab.counting.lots import Lot
from entekhab.counting.manifest import INDEPENDENTS
from entekhab.counting.result import Step
from entekhab.domain.digits import clause_separator, list_separator, persian_numerals, to_persian_digits
from entekhab.i18n import N_, Catalogued, render


def fraction_json(value: Fraction) -> str:
    """An exact fraction as text: ``"7"`` or ``"22/7"``."""
    return str(value)


def decimal_text(value: Fraction, places: int = 4) -> str:
    """A fraction rounded half up to ``places`` decimals, without floats."""
    scale = 10**places
    scaled = value * scale
    n = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    sign = "-" if n < 0 else ""
    whole, frac = divmod(abs(n), scale)
    text = f"{whole:,}.{frac:0{places}d}".rstrip("0").rstrip(".")
    return sign + text


def num(value: int | Fraction, lang: str, places: int = 4) -> str:
    """A number for a sentence: exact integers, ≈ for rounded fractions."""
    if isinstance(value, Fraction) and value.denominator != 1:
        text = decimal_text(value, places)
        exact = Fraction(text.replace(",", "")) == value
        text = text if exact else "≈" + text
    else:
        text = f"{int(value):,}"
    if lang == "fa":
        return persian_numerals(text)
    return text


def label(group: str, lang: str) -> str:
    """A group's name in a sentence (the independent bloc has a proper name)."""
    if group in SCOPE_NAMES:
        return SCOPE_NAMES.get_in(group, lang)
    return group


SCOPE_NAMES = Catalogued("scope", {
    INDEPENDENTS: N_("independents"),
    "alternates": N_("Alternates"),
    "plurality": N_("All candidates"),
})

Namer = Callable[[str, str], str]
"""``name(id, lang)``: how a sentence names a list, a candidate or a scope."""


@dataclass(frozen=True)
class Wording:
    """How sentences name things: ids (the published steps) or, on a page, people's names.

    ``lots``, when given, lists the lot contexts in the order a page shows them; a lot is
    then named by its number in that list instead of by its (id-bearing) context.
    """

    name: Namer = label
    lots: Sequence[str] | None = None

    def names(self, ids: Sequence[str], lang: str) -> str:
        return list_separator(lang).join(self.name(i, lang) for i in ids) or "—"

    def lot(self, context: str, lang: str) -> str:
        if self.lots is not None and context in self.lots:
            n = self.lots.index(context) + 1
            return render("lot no. %(n)s", {"n": num(n, lang)}, lang)
        return render("lot %(contexts)s", {"contexts": f"«{context}»"}, lang)


IDS = Wording()


def names(ids: Sequence[str], lang: str) -> str:
    return IDS.names(ids, lang)


def step_text(kind: str, data: Mapping[str, Any], lang: str, wording: Wording = IDS) -> str:
    """The sentence of a step in ``lang``, from its data; ``KeyError`` for an unknown kind."""
    text = _TEXTS[kind](data, lang, wording)
    if kind in _STAGED:
        head_en, head_fa = stage_heading(str(data.get("stage", "")))
        text = (head_fa if lang == "fa" else head_en) + text
    return text


def _step(kind: str, data: dict[str, Any]) -> Step:
    return Step(kind, data, step_text(kind, data, "en"), step_text(kind, data, "fa"))


def _votes_list(ids: Sequence[str], votes: Mapping[str, int], lang: str, w: Wording) -> str:
    """``name (votes), …``; a vote count missing from older data is left out."""
    def one(c: str) -> str:
        return f"{w.name(c, lang)} ({num(votes[c], lang)})" if c in votes else w.name(c, lang)

    return list_separator(lang).join(one(c) for c in ids) or "—"


# ----------------------------------------------------------------------------- the steps, as data


def totals_step(group_votes: Mapping[str, int], total: int, candidates: int) -> Step:
    """Group totals; ``candidates`` is 0 when only group votes were given."""
    return _step("totals", {"group_votes": dict(group_votes), "total": total, "candidates": candidates})


def apportionment_steps(app: Apportionment, stage: str) -> list[Step]:
    """Quota, shares, integer seats and remainders (or the quotient sequence)."""
    return _lr_steps(app, stage) if app.quota is not None else _ha_steps(app, stage)


def stage_heading(stage: str) -> tuple[str, str]:
    """A prefix naming the stage (``seats/round-2``, ``alternates/round-1``) when useful."""
    what, _, rnd = stage.partition("/round-")
    later = bool(rnd) and rnd != "1"
    if what == "alternates":
        msgid = "Alternate places, round %(round)s" if later else "Alternate places"
    elif later:
        msgid = "Round %(round)s"
    else:
        return "", ""
    en = render(msgid, {"round": rnd}, "en")
    fa = render(msgid, {"round": to_persian_digits(rnd)}, "fa")
    return f"[{en}] ", f"[{fa}] "


def _lr_steps(app: Apportionment, stage: str) -> list[Step]:
    q = app.quota if app.quota is not None else Fraction(0)
    total = sum(app.votes.values())
    rule = "hare" if app.method.startswith("hare") else "droop"
    rows = [
        {"group": g, "votes": app.votes[g], "share": fraction_json(app.shares[g]),
         "integer_seats": app.integer_seats[g], "remainder": fraction_json(app.remainders[g])}
        for g in app.votes
    ]
    given = sum(app.integer_seats.values())
    order = sorted(app.votes, key=lambda g: (-app.remainders[g], g))
    remainders: dict[str, Any] = {
        "stage": stage,
        "order": [{"group": g, "remainder": fraction_json(app.remainders[g])} for g in order],
        "awarded": [a.group for a in app.awards],
    }
    if app.tie is not None:
        remainders["tie_places"] = app.tie.places
    return [
        _step("quota", {"stage": stage, "rule": rule, "total": total, "seats": app.seats,
                        "quota": fraction_json(q)}),
        _step("shares", {"stage": stage, "groups": rows, "integer_total": given,
                         "remaining": app.seats - given}),
        _step("remainders", remainders),
    ]


def _ha_steps(app: Apportionment, stage: str) -> list[Step]:
    seq = [{"seat": n, "group": a.group, "quotient": fraction_json(a.value)}
           for n, a in enumerate(app.awards, start=1)]
    return [_step("quotients", {"stage": stage, "method": app.method, "seats": app.seats, "sequence": seq})]


def group_tie_step(tie: GroupTie, lot: Lot, stage: str) -> Step:
    return _step("group-tie", {
        "stage": stage, "contenders": list(tie.contenders), "places": tie.places,
        "value": fraction_json(tie.value), "winners": list(lot.winners), "lot_context": lot.context})


def shortfall_step(group: str, owed: int, members: int, remaining: int, stage: str) -> Step:
    return _step("shortfall", {"stage": stage, "group": group, "owed": owed, "members": members,
                               "remaining_seats": remaining})


def vacancy_step(vacant: int, stage: str) -> Step:
    return _step("vacant", {"stage": stage, "vacant": vacant})


def group_seats_step(seats: Mapping[str, int], stage: str) -> Step:
    return _step("group-seats", {"stage": stage, "seats": dict(seats)})


CRITERIA = Catalogued("tie criterion", {"votes": N_("votes"), "veteran": N_("veteran status"),
                                        "degree": N_("academic degree"), "lot": N_("lot")})


def candidate_tie_step(
    scope: str, votes: int, order: Sequence[str], criteria: Sequence[str], lots: Sequence[Lot]
) -> Step:
    return _step("candidate-tie", {"scope": scope, "votes": votes, "order": list(order),
                                   "criteria": list(criteria), "lot_contexts": [lot.context for lot in lots]})


def members_step(group: str, seats: int, elected: Sequence[str], votes: Mapping[str, int]) -> Step:
    return _step("members", {"group": group, "seats": seats, "elected": list(elected),
                             "votes": {c: votes[c] for c in elected}})


def alternates_step(policy: str, alternates: Sequence[str], votes: Mapping[str, int]) -> Step:
    return _step("alternates", {"policy": policy, "alternates": list(alternates),
                                "votes": {c: votes[c] for c in alternates}})


def elected_step(elected: Sequence[str], votes: Mapping[str, int]) -> Step:
    return _step("elected", {"elected": list(elected), "votes": {c: votes[c] for c in elected}})


# ----------------------------------------------------------------------------- the sentences, from the data
# Each sentence is an English message id with parameters; its Persian is in the catalogue
# (entekhab.po). Numbers and names are formatted per language before they are filled in.


def _t(msgid: str, lang: str, **params: Any) -> str:
    return render(msgid, params, lang)


def _semi(lang: str) -> str:
    return clause_separator(lang)


def _totals(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    parts = _semi(lang).join(f"{w.name(g, lang)} {num(v, lang)}" for g, v in d["group_votes"].items())
    if d["candidates"]:
        return _t("Valid candidate-votes: %(total)s for %(candidates)s candidates. "
                  "Group votes (sum of members' votes): %(parts)s.", lang,
                  total=num(d["total"], lang), candidates=num(d["candidates"], lang), parts=parts)
    return _t("Valid votes: %(total)s. Group votes: %(parts)s.", lang, total=num(d["total"], lang), parts=parts)


def _quota(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    params = {"total": num(d["total"], lang), "seats": num(d["seats"], lang), "quota": num(Fraction(d["quota"]), lang)}
    if d["rule"] == "hare":
        return _t("Hare quota (votes ÷ seats) for %(total)s votes and %(seats)s seats = %(quota)s votes per seat.",
                  lang, **params)
    return _t("Droop quota (⌊votes ÷ (seats + 1)⌋ + 1) for %(total)s votes and %(seats)s seats = %(quota)s votes"
              " per seat.", lang, **params)


def _shares(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    parts = _semi(lang).join(
        _t("%(group)s: %(votes)s ÷ quota = %(share)s → %(seats)s seat(s), remainder %(remainder)s", lang,
           group=w.name(r["group"], lang), votes=num(r["votes"], lang), share=num(Fraction(r["share"]), lang),
           seats=num(r["integer_seats"], lang), remainder=num(Fraction(r["remainder"]), lang))
        for r in d["groups"])
    return _t("Shares: %(parts)s. Integer parts give %(given)s seat(s); %(left)s remain for the largest remainders.",
              lang, parts=parts, given=num(d["integer_total"], lang), left=num(d["remaining"], lang))


def _remainders(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    order = [r["group"] for r in d["order"]]
    places = d.get("tie_places")
    tie = _t(" %(places)s seat(s) fall to equal remainders and are decided by lot (next step).", lang,
             places=num(places, lang)) if places else ""
    return _t("Remainders from largest: %(order)s. One more seat each to: %(awarded)s.", lang,
              order=w.names(order, lang), awarded=w.names(d["awarded"], lang)) + tie


def _quotients(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    parts = _semi(lang).join(
        f"{num(s['seat'], lang)}: {w.name(s['group'], lang)} ({num(Fraction(s['quotient']), lang)})"
        for s in d["sequence"])
    if d["method"] == "dhondt":
        return _t("Highest averages, divisors D'Hondt (1, 2, 3, …): each seat goes to the highest votes ÷ divisor."
                  " Seats in order: %(parts)s.", lang, parts=parts)
    return _t("Highest averages, divisors Sainte-Laguë (1, 3, 5, …): each seat goes to the highest votes ÷ divisor."
              " Seats in order: %(parts)s.", lang, parts=parts)


def _group_tie(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    return _t("Tie: %(contenders)s are equal at %(value)s for %(places)s seat(s); decided by %(lot)s: %(winners)s.",
              lang, contenders=w.names(d["contenders"], lang), value=num(Fraction(d["value"]), lang),
              places=num(d["places"], lang), lot=w.lot(d["lot_context"], lang), winners=w.names(d["winners"], lang))


def _shortfall(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    return _t("%(group)s is owed %(owed)s seat(s) but has only %(members)s candidate(s): it keeps them all, and the"
              " largest-remainder step is run again among the other groups for the %(left)s remaining seat(s).",
              lang, group=w.name(d["group"], lang), owed=num(d["owed"], lang), members=num(d["members"], lang),
              left=num(d["remaining_seats"], lang))


def _vacant(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    return _t("Too few candidates: %(vacant)s place(s) stay empty.", lang, vacant=num(d["vacant"], lang))


def _group_seats(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    parts = _semi(lang).join(f"{w.name(g, lang)} {num(s, lang)}" for g, s in d["seats"].items())
    if d["stage"] == "alternates":
        return _t("Alternate places per group: %(parts)s.", lang, parts=parts)
    return _t("Seats per group: %(parts)s.", lang, parts=parts)


def _candidate_tie(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    order, contexts = d["order"], d["lot_contexts"]
    lots = ""
    if contexts:
        sep = list_separator(lang)
        if w.lots is not None:
            lots = " (" + sep.join(w.lot(c, lang) for c in contexts) + ")"
        else:
            lots = " (" + _t("lot %(contexts)s", lang, contexts="«" + f"»{sep}«".join(contexts) + "»") + ")"
    then = _t(", then ", lang)
    return _t("%(scope)s: %(order)s have equal votes (%(votes)s); ordered by %(criteria)s%(lots)s: %(order)s.", lang,
              scope=w.name(d["scope"], lang), order=w.names(order, lang), votes=num(d["votes"], lang),
              criteria=then.join(CRITERIA.get_in(c, lang) for c in d["criteria"]), lots=lots)


def _members(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    g, seats = d["group"], d["seats"]
    if seats == 0:
        return _t("%(group)s wins no seat.", lang, group=w.name(g, lang))
    return _t("%(group)s: %(seats)s seat(s) to its members with the most votes: %(chosen)s.", lang,
              group=w.name(g, lang), seats=num(seats, lang), chosen=_votes_list(d["elected"], d.get("votes", {}),
                                                                                lang, w))


def _alternates(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    return _t("Alternates (policy %(policy)s), in order: %(chosen)s.", lang, policy=d["policy"],
              chosen=_votes_list(d["alternates"], d.get("votes", {}), lang, w))


def _elected(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    return _t("Elected (%(count)s): %(chosen)s.", lang, count=num(len(d["elected"]), lang),
              chosen=_votes_list(d["elected"], d.get("votes", {}), lang, w))


_TEXTS: dict[str, Callable[[Mapping[str, Any], str, Wording], str]] = {
    "totals": _totals, "quota": _quota, "shares": _shares, "remainders": _remainders,
    "quotients": _quotients, "group-tie": _group_tie, "shortfall": _shortfall, "vacant": _vacant,
    "group-seats": _group_seats, "candidate-tie": _candidate_tie, "members": _members,
    "alternates": _alternates, "elected": _elected,
}
_STAGED = {"quota", "shares", "remainders", "quotients"}
"""Kinds produced by ``apportionment_steps``, whose sentence opens with the stage heading."""
