"""The contest page's seat table, its steps in names, and the what-if counts under other methods.

A what-if recounts the published candidate votes with a group-vote method, through the
same entry point as ``entekhab count`` (``count_json`` of ``publication.seats.whatif_input``);
it is shown beside the legal result and never replaces it.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from entekhab.counting.contest import GROUP_METHODS
from entekhab.counting.methods import count_json
from entekhab.domain.errors import DomainError
from entekhab.domain.vetting import APPROVED_STATES
from entekhab.hq.candidates.models import Registration
from entekhab.hq.web.seats import Names, namer, seat_view
from entekhab.publication.seats import whatif_input

WHATIF_METHODS = ("dhondt", "sainte-lague", "hare-lr", "droop-lr")
"""The methods a visitor may compare with the legal count, in the order the switch offers them."""
if set(WHATIF_METHODS) != set(GROUP_METHODS):  # pragma: no cover - guards the two lists together
    raise RuntimeError("the what-if switch and the counting package's group methods disagree")


def whatif_choice(values: list[str]) -> tuple[str, str]:
    """``(method, refused)`` from the ``method`` query values: ``""`` is the legal count;
    anything but one known method (or the legal method's own name) is refused, shown in the notice."""
    if not values or values in ([""], ["tehran-pr"]):
        return "", ""
    if len(values) == 1 and values[0] in WHATIF_METHODS:
        return values[0], ""
    return "", " ".join(values)[:40]


def entry_names(entry: dict[str, Any]) -> Names:
    names: dict[str, tuple[str, str]] = {x["id"]: (x.get("title_fa", ""), x.get("title_en", ""))
                                         for x in entry["lists"]}
    names.update({c["id"]: (c.get("name_fa", ""), c.get("name_en", "")) for c in entry["candidates"]})
    return names


def photos_of(ids: list[str]) -> dict[str, str]:
    """Photo URLs of the candidates who have one (public registrations only, as the photo view serves)."""
    found = (Registration.objects.filter(tracking__in=ids, state__in=[s.value for s in APPROVED_STATES])
             .exclude(photo_sha256="").values_list("tracking", flat=True))
    return {t: reverse("candidates:photo", args=[t]) for t in found}


def named_lots(lots: list[dict[str, Any]], names: Names, lang: str) -> list[dict[str, Any]]:
    """Lots as the page lists them: the context (the exact hash input, ids and all) and the winners by name."""
    name = namer(names)
    return [{"context": lot["context"], "winners": [name(w, lang) for w in lot["winners"]]} for lot in lots]


def seat_context(entry: dict[str, Any], lang: str, method: str, names: Names) -> dict[str, Any]:
    """``seat_view`` (the legal count's table; the page renders its steps) and, when ``method`` is
    set, ``whatif`` (the same table under that method, with its own steps)."""
    result = entry["result"]
    votes = {c["id"]: c["votes"] for c in entry["candidates"]}
    codes = {x["id"]: x["code"] for x in entry["lists"]}
    legal = seat_view("tehran-pr", result["steps"], lang, names, votes, codes=codes,
                      photos=photos_of(list(result["elected"])),
                      ballots={x["id"]: x["ballots"] for x in entry["lists"]}, with_steps=False)
    order = [r.group for r in legal["table"].rows]
    out: dict[str, Any] = {"seat_view": legal}
    if method:
        try:
            counted = count_json(whatif_input(entry, method)).as_json()
        except DomainError as exc:  # e.g. a lot needed and no seed yet: say so, keep the legal page
            out["whatif_error"] = exc.message_en if lang == "en" else exc.message_fa
            return out
        whatif_lots = [lot["context"] for lot in counted["lots"]]
        out["whatif"] = seat_view(method, counted["steps"], lang, names, votes, lots=whatif_lots, order=order,
                                  codes=codes, legal=dict(result["group_seats"]))
        out["whatif"]["lots"] = named_lots(counted["lots"], names, lang)
    return out
