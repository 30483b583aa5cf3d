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
from entekhab.domain.digits import to_persian_digits

PERSIAN_THOUSANDS = "٬"
PERSIAN_DECIMAL = "٫"


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
        text = text.replace(",", PERSIAN_THOUSANDS).replace(".", PERSIAN_DECIMAL)
        return to_persian_digits(text)
    return text


def label(group: str, lang: str) -> str:
    """A group's name in a sentence (the independent bloc has a proper name)."""
    if group in SCOPE_NAMES:
        return SCOPE_NAMES[group][0 if lang == "fa" else 1]
    return group


SCOPE_NAMES = {
    INDEPENDENTS: ("منفردها", "independents"),
    "alternates": ("علی‌البدل‌ها", "Alternates"),
    "plurality": ("همه نامزدها", "All candidates"),
}

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
        return ("، " if lang == "fa" else ", ").join(self.name(i, lang) for i in ids) or "—"

    def lot(self, context: str, lang: str) -> str:
        if self.lots is not None and context in self.lots:
            n = self.lots.index(context) + 1
            return f"قرعه شماره {num(n, 'fa')}" if lang == "fa" else f"lot no. {n}"
        return f"قرعه «{context}»" if lang == "fa" else f"lot «{context}»"


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

    return ("، " if lang == "fa" else ", ").join(one(c) for c in ids) or "—"


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
    en = fa = ""
    if what == "alternates":
        en, fa = "Alternate places", "جایگاه‌های علی‌البدل"
    if rnd and rnd != "1":
        en = f"{en}, round {rnd}" if en else f"Round {rnd}"
        fa = f"{fa}، دور {to_persian_digits(rnd)}" if fa else f"دور {to_persian_digits(rnd)}"
    return (f"[{en}] " if en else "", f"[{fa}] " if fa else "")


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


CRITERIA_EN = {"votes": "votes", "veteran": "veteran status", "degree": "academic degree",
               "lot": "lot"}
CRITERIA_FA = {"votes": "رأی", "veteran": "ایثارگری", "degree": "مدرک تحصیلی", "lot": "قرعه"}


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


def _totals(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    gv = d["group_votes"]
    if lang == "fa":
        parts = "؛ ".join(f"{w.name(g, 'fa')} {num(v, 'fa')}" for g, v in gv.items())
        if d["candidates"]:
            return (f"مجموع آرای معتبر نامزدها: {num(d['total'], 'fa')} برای {num(d['candidates'], 'fa')} نامزد. "
                    f"رأی هر گروه (جمع آرای اعضا): {parts}.")
        return f"آرای معتبر: {num(d['total'], 'fa')}. رأی هر گروه: {parts}."
    parts = "; ".join(f"{w.name(g, 'en')} {num(v, 'en')}" for g, v in gv.items())
    if d["candidates"]:
        return (f"Valid candidate-votes: {num(d['total'], 'en')} for {num(d['candidates'], 'en')} candidates. "
                f"Group votes (sum of members' votes): {parts}.")
    return f"Valid votes: {num(d['total'], 'en')}. Group votes: {parts}."


def _quota(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    q, total, seats = Fraction(d["quota"]), d["total"], d["seats"]
    if lang == "fa":
        rule = "هِیر" if d["rule"] == "hare" else "دروپ"
        return (f"سهمیه {rule}: {num(total, 'fa')} رأی و {num(seats, 'fa')} کرسی ← "
                f"{num(q, 'fa')} رأی برای هر کرسی.")
    rule = "Hare" if d["rule"] == "hare" else "Droop"
    formula = "votes ÷ seats" if rule == "Hare" else "⌊votes ÷ (seats + 1)⌋ + 1"
    return (f"{rule} quota ({formula}) for {num(total, 'en')} votes and "
            f"{num(seats, 'en')} seats = {num(q, 'en')} votes per seat.")


def _shares(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    given, left = d["integer_total"], d["remaining"]
    if lang == "fa":
        parts = "؛ ".join(
            f"{w.name(r['group'], 'fa')}: {num(r['votes'], 'fa')} ÷ سهمیه = {num(Fraction(r['share']), 'fa')} ← "
            f"{num(r['integer_seats'], 'fa')} کرسی، باقیمانده {num(Fraction(r['remainder']), 'fa')}"
            for r in d["groups"])
        return (f"سهم‌ها: {parts}. بخش‌های صحیح {num(given, 'fa')} کرسی می‌دهند؛ "
                f"{num(left, 'fa')} کرسی به بزرگ‌ترین باقیمانده‌ها می‌رسد.")
    parts = "; ".join(
        f"{w.name(r['group'], 'en')}: {num(r['votes'], 'en')} ÷ quota = {num(Fraction(r['share']), 'en')} → "
        f"{num(r['integer_seats'], 'en')} seat(s), remainder {num(Fraction(r['remainder']), 'en')}"
        for r in d["groups"])
    return (f"Shares: {parts}. Integer parts give {num(given, 'en')} seat(s); "
            f"{num(left, 'en')} remain for the largest remainders.")


def _remainders(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    order = [r["group"] for r in d["order"]]
    places = d.get("tie_places")
    if lang == "fa":
        tie = (f" {num(places, 'fa')} کرسی به باقیمانده‌های برابر می‌رسد و با "
               "قرعه تعیین می‌شود (گام بعد).") if places else ""
        return (f"باقیمانده‌ها از بزرگ به کوچک: {w.names(order, 'fa')}. یک کرسی دیگر به هر یک از: "
                f"{w.names(d['awarded'], 'fa')}.{tie}")
    tie = (f" {num(places, 'en')} seat(s) fall to equal remainders and are "
           "decided by lot (next step).") if places else ""
    return (f"Remainders from largest: {w.names(order, 'en')}. One more seat each to: "
            f"{w.names(d['awarded'], 'en')}.{tie}")


def _quotients(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    seq = d["sequence"]
    if lang == "fa":
        kind = "دُهونت (۱، ۲، ۳، …)" if d["method"] == "dhondt" else "سنت-لاگو (۱، ۳، ۵، …)"
        parts = "؛ ".join(f"{num(s['seat'], 'fa')}: {w.name(s['group'], 'fa')} ({num(Fraction(s['quotient']), 'fa')})"
                         for s in seq)
        return (f"بزرگ‌ترین میانگین با مقسوم‌علیه‌های {kind}: هر کرسی به بیشترین رأی ÷ "
                f"مقسوم‌علیه می‌رسد. کرسی‌ها به ترتیب: {parts}.")
    kind = "D'Hondt (1, 2, 3, …)" if d["method"] == "dhondt" else "Sainte-Laguë (1, 3, 5, …)"
    parts = "; ".join(f"{s['seat']}: {w.name(s['group'], 'en')} ({num(Fraction(s['quotient']), 'en')})"
                      for s in seq)
    return (f"Highest averages, divisors {kind}: each seat goes to the highest votes ÷ "
            f"divisor. Seats in order: {parts}.")


def _group_tie(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    value, places = Fraction(d["value"]), d["places"]
    if lang == "fa":
        return (f"تساوی: {w.names(d['contenders'], 'fa')} با {num(value, 'fa')} برای "
                f"{num(places, 'fa')} کرسی برابرند؛ {w.lot(d['lot_context'], 'fa')} به سود: "
                f"{w.names(d['winners'], 'fa')}.")
    return (f"Tie: {w.names(d['contenders'], 'en')} are equal at {num(value, 'en')} for "
            f"{num(places, 'en')} seat(s); decided by {w.lot(d['lot_context'], 'en')}: "
            f"{w.names(d['winners'], 'en')}.")


def _shortfall(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    g, owed, members, left = d["group"], d["owed"], d["members"], d["remaining_seats"]
    if lang == "fa":
        return (f"{w.name(g, 'fa')} سزاوار {num(owed, 'fa')} کرسی است اما فقط {num(members, 'fa')} "
                f"نامزد دارد: همه را نگه می‌دارد و مرحله بزرگ‌ترین باقیمانده برای "
                f"{num(left, 'fa')} کرسی باقی‌مانده میان گروه‌های دیگر دوباره اجرا می‌شود.")
    return (f"{w.name(g, 'en')} is owed {num(owed, 'en')} seat(s) but has only "
            f"{num(members, 'en')} candidate(s): it keeps them all, and the largest-remainder "
            f"step is run again among the other groups for the {num(left, 'en')} "
            f"remaining seat(s).")


def _vacant(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    if lang == "fa":
        return f"نامزد کافی نیست: {num(d['vacant'], 'fa')} جایگاه خالی می‌ماند."
    return f"Too few candidates: {num(d['vacant'], 'en')} place(s) stay empty."


def _group_seats(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    alternates = d["stage"] == "alternates"
    if lang == "fa":
        parts = "؛ ".join(f"{w.name(g, 'fa')} {num(s, 'fa')}" for g, s in d["seats"].items())
        return f"{'جایگاه‌های علی‌البدل' if alternates else 'کرسی‌های'} هر گروه: {parts}."
    parts = "; ".join(f"{w.name(g, 'en')} {num(s, 'en')}" for g, s in d["seats"].items())
    return f"{'Alternate places' if alternates else 'Seats'} per group: {parts}."


def _candidate_tie(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    scope, votes, order, contexts = d["scope"], d["votes"], d["order"], d["lot_contexts"]
    numbered = w.lots is not None
    if lang == "fa":
        lots = ""
        if contexts:
            lots = (" (" + "، ".join(w.lot(c, "fa") for c in contexts) + ")" if numbered
                    else f" (قرعه «{'»، «'.join(contexts)}»)")
        return (f"{w.name(scope, 'fa')}: {w.names(order, 'fa')} رأی برابر دارند ({num(votes, 'fa')})؛ "
                f"ترتیب بر پایه {'، سپس '.join(CRITERIA_FA[c] for c in d['criteria'])}{lots}: "
                f"{w.names(order, 'fa')}.")
    lots = ""
    if contexts:
        lots = (" (" + ", ".join(w.lot(c, "en") for c in contexts) + ")" if numbered
                else f" (lot «{'», «'.join(contexts)}»)")
    return (f"{w.name(scope, 'en')}: {w.names(order, 'en')} have equal votes "
            f"({num(votes, 'en')}); ordered by "
            f"{', then '.join(CRITERIA_EN[c] for c in d['criteria'])}{lots}: {w.names(order, 'en')}.")


def _members(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    g, seats = d["group"], d["seats"]
    if seats == 0:
        return f"{w.name(g, 'fa')} کرسی‌ای نمی‌برد." if lang == "fa" else f"{w.name(g, 'en')} wins no seat."
    chosen = _votes_list(d["elected"], d.get("votes", {}), lang, w)
    if lang == "fa":
        return f"{w.name(g, 'fa')}: {num(seats, 'fa')} کرسی به اعضای دارای بیشترین رأی: {chosen}."
    return f"{w.name(g, 'en')}: {num(seats, 'en')} seat(s) to its members with the most votes: {chosen}."


def _alternates(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    chosen = _votes_list(d["alternates"], d.get("votes", {}), lang, w)
    if lang == "fa":
        return f"اعضای علی‌البدل (سیاست {d['policy']}) به ترتیب: {chosen}."
    return f"Alternates (policy {d['policy']}), in order: {chosen}."


def _elected(d: Mapping[str, Any], lang: str, w: Wording) -> str:
    chosen = _votes_list(d["elected"], d.get("votes", {}), lang, w)
    if lang == "fa":
        return f"منتخبان ({num(len(d['elected']), 'fa')}): {chosen}."
    return f"Elected ({num(len(d['elected']), 'en')}): {chosen}."


_TEXTS: dict[str, Callable[[Mapping[str, Any], str, Wording], str]] = {
    "totals": _totals, "quota": _quota, "shares": _shares, "remainders": _remainders,
    "quotients": _quotients, "group-tie": _group_tie, "shortfall": _shortfall, "vacant": _vacant,
    "group-seats": _group_seats, "candidate-tie": _candidate_tie, "members": _members,
    "alternates": _alternates, "elected": _elected,
}
_STAGED = {"quota", "shares", "remainders", "quotients"}
"""Kinds produced by ``apportionment_steps``, whose sentence opens with the stage heading."""
