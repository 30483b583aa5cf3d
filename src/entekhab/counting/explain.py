"""Explanation steps: each fact of a count as data and as Persian and English sentences.

Numbers are exact in ``data`` (fractions as ``"p/q"`` strings); the sentences round
fractions to four decimals for reading, marked with ≈, and use Persian digits in Persian.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

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


def num(value: int | Fraction, lang: str) -> str:
    """A number for a sentence: exact integers, ≈ for rounded fractions."""
    if isinstance(value, Fraction) and value.denominator != 1:
        text = decimal_text(value)
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


def names(ids: Sequence[str], lang: str) -> str:
    return ("، " if lang == "fa" else ", ").join(label(i, lang) for i in ids) or "—"


def totals_step(group_votes: Mapping[str, int], total: int, candidates: int) -> Step:
    """Group totals; ``candidates`` is 0 when only group votes were given."""
    parts_en = "; ".join(f"{label(g, 'en')} {num(v, 'en')}" for g, v in group_votes.items())
    parts_fa = "؛ ".join(f"{label(g, 'fa')} {num(v, 'fa')}" for g, v in group_votes.items())
    return Step(
        "totals",
        {"group_votes": dict(group_votes), "total": total, "candidates": candidates},
        (f"Valid candidate-votes: {num(total, 'en')} for {num(candidates, 'en')} candidates. "
         f"Group votes (sum of members' votes): {parts_en}.")
        if candidates else f"Valid votes: {num(total, 'en')}. Group votes: {parts_en}.",
        (f"مجموع آرای معتبر نامزدها: {num(total, 'fa')} برای {num(candidates, 'fa')} نامزد. "
         f"رأی هر گروه (جمع آرای اعضا): {parts_fa}.")
        if candidates else f"آرای معتبر: {num(total, 'fa')}. رأی هر گروه: {parts_fa}.",
    )


def apportionment_steps(app: Apportionment, stage: str) -> list[Step]:
    """Quota, shares, integer seats and remainders (or the quotient sequence)."""
    steps = _lr_steps(app, stage) if app.quota is not None else _ha_steps(app, stage)
    head_en, head_fa = stage_heading(stage)
    return [Step(s.kind, s.data, head_en + s.en, head_fa + s.fa) for s in steps]


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
    rule_en = "Hare" if app.method.startswith("hare") else "Droop"
    rule_fa = "هِیر" if app.method.startswith("hare") else "دروپ"
    formula = "votes ÷ seats" if rule_en == "Hare" else "⌊votes ÷ (seats + 1)⌋ + 1"
    steps = [
        Step(
            "quota",
            {"stage": stage, "rule": rule_en.lower(), "total": total, "seats": app.seats,
             "quota": fraction_json(q)},
            f"{rule_en} quota ({formula}) for {num(total, 'en')} votes and "
            f"{num(app.seats, 'en')} seats = {num(q, 'en')} votes per seat.",
            f"سهمیه {rule_fa}: {num(total, 'fa')} رأی و {num(app.seats, 'fa')} کرسی ← "
            f"{num(q, 'fa')} رأی برای هر کرسی.",
        )
    ]
    rows = [
        {"group": g, "votes": app.votes[g], "share": fraction_json(app.shares[g]),
         "integer_seats": app.integer_seats[g], "remainder": fraction_json(app.remainders[g])}
        for g in app.votes
    ]
    en = "; ".join(
        f"{label(g, 'en')}: {num(app.votes[g], 'en')} ÷ quota = {num(app.shares[g], 'en')} → "
        f"{num(app.integer_seats[g], 'en')} seat(s), remainder {num(app.remainders[g], 'en')}"
        for g in app.votes
    )
    fa = "؛ ".join(
        f"{label(g, 'fa')}: {num(app.votes[g], 'fa')} ÷ سهمیه = {num(app.shares[g], 'fa')} ← "
        f"{num(app.integer_seats[g], 'fa')} کرسی، باقیمانده {num(app.remainders[g], 'fa')}"
        for g in app.votes
    )
    given = sum(app.integer_seats.values())
    steps.append(
        Step(
            "shares",
            {"stage": stage, "groups": rows, "integer_total": given,
             "remaining": app.seats - given},
            f"Shares: {en}. Integer parts give {num(given, 'en')} seat(s); "
            f"{num(app.seats - given, 'en')} remain for the largest remainders.",
            f"سهم‌ها: {fa}. بخش‌های صحیح {num(given, 'fa')} کرسی می‌دهند؛ "
            f"{num(app.seats - given, 'fa')} کرسی به بزرگ‌ترین باقیمانده‌ها می‌رسد.",
        )
    )
    order = sorted(app.votes, key=lambda g: (-app.remainders[g], g))
    awarded = [a.group for a in app.awards]
    tie_en = tie_fa = ""
    if app.tie is not None:
        tie_en = (f" {num(app.tie.places, 'en')} seat(s) fall to equal remainders and are "
                  "decided by lot (next step).")
        tie_fa = (f" {num(app.tie.places, 'fa')} کرسی به باقیمانده‌های برابر می‌رسد و با "
                  "قرعه تعیین می‌شود (گام بعد).")
    steps.append(
        Step(
            "remainders",
            {"stage": stage, "order": [
                {"group": g, "remainder": fraction_json(app.remainders[g])} for g in order],
             "awarded": awarded},
            f"Remainders from largest: {names(order, 'en')}. One more seat each to: "
            f"{names(awarded, 'en')}.{tie_en}",
            f"باقیمانده‌ها از بزرگ به کوچک: {names(order, 'fa')}. یک کرسی دیگر به هر یک از: "
            f"{names(awarded, 'fa')}.{tie_fa}",
        )
    )
    return steps


def _ha_steps(app: Apportionment, stage: str) -> list[Step]:
    name_en = "D'Hondt (1, 2, 3, …)" if app.method == "dhondt" else "Sainte-Laguë (1, 3, 5, …)"
    name_fa = "دُهونت (۱، ۲، ۳، …)" if app.method == "dhondt" else "سنت-لاگو (۱، ۳، ۵، …)"
    seq = [{"seat": n, "group": a.group, "quotient": fraction_json(a.value)}
           for n, a in enumerate(app.awards, start=1)]
    en = "; ".join(f"{n}: {label(a.group, 'en')} ({num(a.value, 'en')})"
                   for n, a in enumerate(app.awards, start=1))
    fa = "؛ ".join(f"{num(n, 'fa')}: {label(a.group, 'fa')} ({num(a.value, 'fa')})"
                   for n, a in enumerate(app.awards, start=1))
    return [
        Step(
            "quotients",
            {"stage": stage, "method": app.method, "seats": app.seats, "sequence": seq},
            f"Highest averages, divisors {name_en}: each seat goes to the highest votes ÷ "
            f"divisor. Seats in order: {en}.",
            f"بزرگ‌ترین میانگین با مقسوم‌علیه‌های {name_fa}: هر کرسی به بیشترین رأی ÷ "
            f"مقسوم‌علیه می‌رسد. کرسی‌ها به ترتیب: {fa}.",
        )
    ]


def group_tie_step(tie: GroupTie, lot: Lot, stage: str) -> Step:
    return Step(
        "group-tie",
        {"stage": stage, "contenders": list(tie.contenders), "places": tie.places,
         "value": fraction_json(tie.value), "winners": list(lot.winners),
         "lot_context": lot.context},
        f"Tie: {names(tie.contenders, 'en')} are equal at {num(tie.value, 'en')} for "
        f"{num(tie.places, 'en')} seat(s); decided by lot «{lot.context}»: "
        f"{names(lot.winners, 'en')}.",
        f"تساوی: {names(tie.contenders, 'fa')} با {num(tie.value, 'fa')} برای "
        f"{num(tie.places, 'fa')} کرسی برابرند؛ قرعه «{lot.context}» به سود: "
        f"{names(lot.winners, 'fa')}.",
    )


def shortfall_step(group: str, owed: int, members: int, remaining: int, stage: str) -> Step:
    return Step(
        "shortfall",
        {"stage": stage, "group": group, "owed": owed, "members": members,
         "remaining_seats": remaining},
        f"{label(group, 'en')} is owed {num(owed, 'en')} seat(s) but has only "
        f"{num(members, 'en')} candidate(s): it keeps them all, and the largest-remainder "
        f"step is run again among the other groups for the {num(remaining, 'en')} "
        f"remaining seat(s).",
        f"{label(group, 'fa')} سزاوار {num(owed, 'fa')} کرسی است اما فقط {num(members, 'fa')} "
        f"نامزد دارد: همه را نگه می‌دارد و مرحله بزرگ‌ترین باقیمانده برای "
        f"{num(remaining, 'fa')} کرسی باقی‌مانده میان گروه‌های دیگر دوباره اجرا می‌شود.",
    )


def vacancy_step(vacant: int, stage: str) -> Step:
    return Step(
        "vacant",
        {"stage": stage, "vacant": vacant},
        f"Too few candidates: {num(vacant, 'en')} place(s) stay empty.",
        f"نامزد کافی نیست: {num(vacant, 'fa')} جایگاه خالی می‌ماند.",
    )


def group_seats_step(seats: Mapping[str, int], stage: str) -> Step:
    en = "; ".join(f"{label(g, 'en')} {num(s, 'en')}" for g, s in seats.items())
    fa = "؛ ".join(f"{label(g, 'fa')} {num(s, 'fa')}" for g, s in seats.items())
    what_en = "Alternate places" if stage == "alternates" else "Seats"
    what_fa = "جایگاه‌های علی‌البدل" if stage == "alternates" else "کرسی‌های"
    return Step(
        "group-seats",
        {"stage": stage, "seats": dict(seats)},
        f"{what_en} per group: {en}.",
        f"{what_fa} هر گروه: {fa}.",
    )


CRITERIA_EN = {"votes": "votes", "veteran": "veteran status", "degree": "academic degree",
               "lot": "lot"}
CRITERIA_FA = {"votes": "رأی", "veteran": "ایثارگری", "degree": "مدرک تحصیلی", "lot": "قرعه"}


def candidate_tie_step(
    scope: str, votes: int, order: Sequence[str], criteria: Sequence[str], lots: Sequence[Lot]
) -> Step:
    contexts = [lot.context for lot in lots]
    lot_en = f" (lot «{'», «'.join(contexts)}»)" if lots else ""
    lot_fa = f" (قرعه «{'»، «'.join(contexts)}»)" if lots else ""
    return Step(
        "candidate-tie",
        {"scope": scope, "votes": votes, "order": list(order), "criteria": list(criteria),
         "lot_contexts": contexts},
        f"{label(scope, 'en')}: {names(order, 'en')} have equal votes "
        f"({num(votes, 'en')}); ordered by "
        f"{', then '.join(CRITERIA_EN[c] for c in criteria)}{lot_en}: {names(order, 'en')}.",
        f"{label(scope, 'fa')}: {names(order, 'fa')} رأی برابر دارند ({num(votes, 'fa')})؛ "
        f"ترتیب بر پایه {'، سپس '.join(CRITERIA_FA[c] for c in criteria)}{lot_fa}: "
        f"{names(order, 'fa')}.",
    )


def members_step(group: str, seats: int, elected: Sequence[str], votes: Mapping[str, int]) -> Step:
    en = ", ".join(f"{c} ({num(votes[c], 'en')})" for c in elected) or "—"
    fa = "، ".join(f"{c} ({num(votes[c], 'fa')})" for c in elected) or "—"
    data = {"group": group, "seats": seats, "elected": list(elected)}
    if seats == 0:
        return Step("members", data, f"{label(group, 'en')} wins no seat.",
                    f"{label(group, 'fa')} کرسی‌ای نمی‌برد.")
    return Step(
        "members",
        data,
        f"{label(group, 'en')}: {num(seats, 'en')} seat(s) to its members with the most "
        f"votes: {en}.",
        f"{label(group, 'fa')}: {num(seats, 'fa')} کرسی به اعضای دارای بیشترین رأی: {fa}.",
    )


def alternates_step(policy: str, alternates: Sequence[str], votes: Mapping[str, int]) -> Step:
    en = ", ".join(f"{c} ({num(votes[c], 'en')})" for c in alternates) or "—"
    fa = "، ".join(f"{c} ({num(votes[c], 'fa')})" for c in alternates) or "—"
    return Step(
        "alternates",
        {"policy": policy, "alternates": list(alternates)},
        f"Alternates (policy {policy}), in order: {en}.",
        f"اعضای علی‌البدل (سیاست {policy}) به ترتیب: {fa}.",
    )


def elected_step(elected: Sequence[str], votes: Mapping[str, int]) -> Step:
    en = ", ".join(f"{c} ({num(votes[c], 'en')})" for c in elected) or "—"
    fa = "، ".join(f"{c} ({num(votes[c], 'fa')})" for c in elected) or "—"
    return Step(
        "elected",
        {"elected": list(elected)},
        f"Elected ({num(len(elected), 'en')}): {en}.",
        f"منتخبان ({num(len(elected), 'fa')}): {fa}.",
    )
