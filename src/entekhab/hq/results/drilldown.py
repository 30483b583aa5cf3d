"""What the drill-down and branch search pages read: read-only, cached like the other public pages."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import Q, QuerySet

from entekhab.domain.digits import to_ascii_digits, to_persian_digits
from entekhab.hq.elections.models import Branch, Election
from entekhab.hq.results.models import CountedReport
from entekhab.hq.results.public import RESULTS_SECONDS, results_for, results_key, stamped
from entekhab.hq.results.totals import contest_branches
from entekhab.publication.drilldown import ContestTree, Level

QUERY_LIMIT = 100  # characters of a search kept: a branch code or a venue name is far shorter
# Letters Arabic keyboards type where Persian ones type another, and the zero-width non-joiner.
ARABIC_TO_PERSIAN = str.maketrans({
    "\N{ARABIC LETTER YEH}": "\N{ARABIC LETTER FARSI YEH}",
    "\N{ARABIC LETTER ALEF MAKSURA}": "\N{ARABIC LETTER FARSI YEH}",
    "\N{ARABIC LETTER KAF}": "\N{ARABIC LETTER KEHEH}",
    "\N{ARABIC LETTER TEH MARBUTA}": "\N{ARABIC LETTER HEH}",
    "\N{ZERO WIDTH NON-JOINER}": " ",
})


read_results = results_for  # results.json as it stands (the one cached copy every page reads)


def contest_trees(election: Election) -> dict[str, ContestTree]:
    """Contest code → where its branches lie; branches move only before polling day, so a results key suffices."""

    def build() -> dict[str, ContestTree]:
        rows = {pk: (code, tuple(p for p in path.split("/") if p))
                for pk, code, path in Branch.objects.filter(election=election).values_list("id", "code", "area__path")}
        codes = dict(election.contests.values_list("id", "code"))
        return {codes[cid]: ContestTree(dict(rows[b] for b in ids)) for cid, ids in contest_branches(election).items()}

    return stamped(f"trees:{election.pk}", results_key(election), RESULTS_SECONDS, build)


def election_level(election: Election, figures: dict[str, tuple[int, int]]) -> Level | None:
    """The election as one tree of every branch, with counted branches and ballots per area (its overview)."""

    def build() -> tuple[ContestTree, dict[str, dict[str, int]]]:
        paths = {code: tuple(p for p in path.split("/") if p)
                 for code, path in Branch.objects.filter(election=election).values_list("code", "area__path")}
        by_area: dict[str, dict[str, int]] = {}
        for code, ballots in CountedReport.objects.filter(election=election).values_list("branch__code", "ballots"):
            for area in paths.get(code, ()):
                row = by_area.setdefault(area, {"branches": 0, "ballots": 0})
                row["branches"] += 1
                row["ballots"] += ballots
        return ContestTree(paths), by_area

    tree, by_area = stamped(f"election-tree:{election.pk}", results_key(election), RESULTS_SECONDS, build)
    areas = {a["code"]: a for a in read_results(election)["areas"]}
    return tree.top_level({"code": election.code, "by_area": by_area}, areas, figures)


def normalise_query(raw: str) -> str:
    """What a visitor typed, made searchable: no control characters (PostgreSQL refuses NUL), bounded,
    Persian digits folded to the codes' Latin ones (names are matched in both), Arabic letters to Persian."""
    text = "".join(ch for ch in raw[:QUERY_LIMIT * 4] if unicodedata.category(ch)[0] != "C" or ch == "\u200c")
    text = unicodedata.normalize("NFC", to_ascii_digits(text).translate(ARABIC_TO_PERSIAN))
    return " ".join(text.split())[:QUERY_LIMIT]


def search_branches(election: Election, query: str) -> QuerySet[Branch]:
    """The election's branches whose code holds ``query``, or whose venue name holds each of its words.

    Words are not matched against codes one by one: a digit typed with a venue name ("school 1")
    would otherwise match every code.
    """
    qs = Branch.objects.filter(election=election).select_related("area").order_by("code")
    if not query:
        return qs
    venue = Q()
    for word in query.split():  # names are stored with Persian digits, codes with Latin ones
        venue &= Q(venue_name__icontains=word) | Q(venue_name__icontains=to_persian_digits(word))
    return qs.filter(Q(code__icontains=query) | venue)


def counted_of(branch_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Branch id → its counted report's digest, ballots and source (not the document: a page lists many)."""
    rows = (CountedReport.objects.filter(branch_id__in=branch_ids)
            .values("branch_id", "sha256", "ballots", "report__source", "report__received_at"))
    return {r["branch_id"]: r for r in rows}
