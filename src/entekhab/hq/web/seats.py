"""A count's seat table and numbered steps in people's names, for the results page and the calculator.

The counting core knows only ids (``L02E5BD25``, ``g1``); pages render the same steps
from their data (``entekhab.counting.explain.step_text``) with a name map made here,
at the edge. Lots are named by their number in the lots list shown beside the steps,
since a lot's context holds ids by design (it is the exact input of its hash).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from entekhab.counting.explain import Wording, label, step_text
from entekhab.counting.manifest import INDEPENDENTS
from entekhab.counting.seat_table import SeatTable, seat_table

Names = Mapping[str, tuple[str, str]]
"""id → (Persian name, English name); either may be empty."""


def namer(names: Names) -> Callable[[str, str], str]:
    """``name(id, lang)``: the name in ``lang``, else in the other language, else the bloc's or scope's name."""

    def name(i: str, lang: str) -> str:
        fa, en = names.get(i, ("", ""))
        found = (en or fa) if lang == "en" else (fa or en)
        if found:
            return found
        if i == INDEPENDENTS and lang == "en":
            return "Independents"
        return label(i, lang)

    return name


def named_steps(steps: Sequence[Mapping[str, Any]], lang: str, names: Names,
                lots: Sequence[str] = ()) -> list[str]:
    """Each step's sentence in ``lang`` with names; a step this code cannot render keeps its published text."""
    wording = Wording(namer(names), list(lots))
    out = []
    for s in steps:
        try:
            out.append(step_text(str(s["kind"]), s["data"], lang, wording))
        except (KeyError, TypeError, ValueError):  # a kind or shape from another version: as published
            out.append(str(s.get(lang) or s.get("fa") or ""))
    return out


def table_rows(table: SeatTable, lang: str, names: Names, votes: Mapping[str, int],
               photos: Mapping[str, str] | None = None, codes: Mapping[str, str] | None = None,
               legal: Mapping[str, int] | None = None, ballots: Mapping[str, int] | None = None
               ) -> list[dict[str, Any]]:
    """Template rows: the seat row, the group's name, code and list-code ballots, its elected
    (name, votes, photo URL), and, for a what-if table, the legal seats and the difference."""
    name = namer(names)
    photos, codes, ballots = photos or {}, codes or {}, ballots or {}
    rows = []
    for r in table.rows:
        row: dict[str, Any] = {
            "row": r, "id": r.group, "name": name(r.group, lang), "code": codes.get(r.group, ""),
            "ballots": ballots.get(r.group),
            "elected": [{"id": c, "name": name(c, lang), "votes": votes.get(c, 0), "photo": photos.get(c, "")}
                        for c in r.elected],
        }
        if legal is not None:
            row["legal"] = legal.get(r.group, 0)
            row["diff"] = r.seats - row["legal"]
            row["diff_abs"] = abs(row["diff"])
        rows.append(row)
    return rows


def seat_view(method: str, steps: Sequence[Mapping[str, Any]], lang: str, names: Names,
              votes: Mapping[str, int], *, lots: Sequence[str] = (), order: Sequence[str] | None = None,
              photos: Mapping[str, str] | None = None, codes: Mapping[str, str] | None = None,
              legal: Mapping[str, int] | None = None, ballots: Mapping[str, int] | None = None,
              with_steps: bool = True) -> dict[str, Any]:
    """Everything a page shows of one count: ``table``, ``rows`` and (unless the page renders them
    itself) the named ``steps``."""
    table = seat_table(method, steps, order)
    return {"method": method, "table": table, "steps": named_steps(steps, lang, names, lots) if with_steps else [],
            "rows": table_rows(table, lang, names, votes, photos, codes, legal, ballots)}
