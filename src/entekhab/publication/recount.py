"""Recount a branch from its vote records, independently of the e-box's own tally.

The e-box tallies with :func:`entekhab.records.report.tally`; here the same records go
through :func:`entekhab.counting.tally.tally` (the counting package's tally) and the
result is compared with the signed report, field by field, so a difference is named.
A paper report has no records to recount: its rows are checked to be possible instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from entekhab.counting.tally import tally as count_tally
from entekhab.publication.contests import ContestInfo
from entekhab.publication.errors import ReportMalformed
from entekhab.publication.paper import PaperCountsInvalid, check_rows
from entekhab.publication.totals import ContestTally
from entekhab.records.cvr import digest_and_order, in_canonical_order, records_digest


@dataclass(frozen=True)
class Difference:
    """One place where two counts disagree: ``where`` is a path, then both values."""

    where: str
    expected: object
    found: object

    def as_json(self) -> dict[str, object]:
        return {"where": self.where, "expected": self.expected, "found": self.found}

    def text(self) -> str:
        return f"{self.where}: {self.expected!r} ≠ {self.found!r}"


def recount_records(
    contests: Mapping[str, ContestInfo], style_contests: Sequence[str], records: Sequence[Mapping[str, Any]]
) -> dict[str, ContestTally]:
    """Per-contest tallies of one branch's records; invalid ballots are an error (the e-box refuses them)."""
    out: dict[str, ContestTally] = {}
    for code in style_contests:
        info = contests[code]
        ballots = []
        for n, record in enumerate(records):
            entry = record.get("contests") if isinstance(record, Mapping) else None
            if not isinstance(entry, Mapping) or code not in entry:
                raise ReportMalformed(
                    "vote record %(n)s has no entry for contest %(code)s", params={"n": n, "code": code},
                    code="record_invalid",
                )
            ballots.append(entry[code])
        t = count_tally(info.counting_manifest(), ballots)
        if t.invalid:
            reason = next(iter(t.invalid))
            raise ReportMalformed(
                "contest %(code)s: %(values)s invalid vote record(s) (%(reason)s)",
                params={"code": code, "values": sum(t.invalid.values()), "reason": reason},
                code="record_invalid",
            )
        list_code = {x.id: x.code for x in info.lists}
        cand_code = {c.id: c.code for c in info.candidates}
        out[code] = ContestTally(
            contest=code,
            branches=1,
            ballots=t.ballots,
            blank=t.blank,
            candidate_votes=t.valid_candidate_votes,
            lists={list_code[g]: n for g, n in t.list_ballots.items() if n},
            candidates={cand_code[c]: n for c, n in t.candidate_votes.items() if n},
        )
    return out


def compare_tallies(expected: ContestTally, found: ContestTally, where: str) -> list[Difference]:
    """Every field where two tallies of the same contest differ (zero entries equal absent ones)."""
    diffs: list[Difference] = []
    for name in ("ballots", "blank", "candidate_votes"):
        a, b = getattr(expected, name), getattr(found, name)
        if a != b:
            diffs.append(Difference(f"{where}.{name}", a, b))
    for name in ("lists", "candidates"):
        a_map, b_map = getattr(expected, name), getattr(found, name)
        for key in sorted(set(a_map) | set(b_map)):
            a, b = a_map.get(key, 0), b_map.get(key, 0)
            if a != b:
                diffs.append(Difference(f"{where}.{name}.{key}", a, b))
    return diffs


def same_order(records: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the records are published in canonical order, the one order that reveals nothing of casting."""
    return in_canonical_order(records)


def check_branch(
    report: Mapping[str, Any], contests: Mapping[str, ContestInfo], records: Sequence[Mapping[str, Any]]
) -> list[Difference]:
    """Differences between a branch's signed report and a recount of its records.

    The signed ``records_sha256`` covers the records in canonical order, so a dropped,
    added or edited record shows; records published in any other order are named too,
    since an order other than the canonical one could carry the order of casting.
    """
    branch = str(report.get("branch"))
    if report.get("source") == "paper":
        return check_paper_branch(report, contests, records)
    diffs: list[Difference] = []
    rows = {str(r.get("code")): ContestTally.from_report_row(r) for r in report.get("contests", [])}
    recounted = recount_records(contests, list(rows), records)
    if report.get("ballots") != len(records):
        diffs.append(Difference(f"{branch}.ballots", report.get("ballots"), len(records)))
    found, in_order = digest_and_order(records)
    if found != report.get("records_sha256"):
        diffs.append(Difference(f"{branch}.records_sha256", report.get("records_sha256"), found))
    if not in_order:
        diffs.append(Difference(f"{branch}.records_order", "canonical", "other"))
    for code, row in rows.items():
        diffs.extend(compare_tallies(row, recounted[code], f"{branch}.{code}"))
    return diffs


def check_paper_branch(
    report: Mapping[str, Any], contests: Mapping[str, ContestInfo], records: Sequence[Mapping[str, Any]]
) -> list[Difference]:
    """A paper report: no vote records, the digest of none, and rows that add up (:func:`check_rows`).

    Impossible rows raise :class:`ReportMalformed` naming the first problem, as a record that
    does not interpret does for an electronic report.
    """
    branch = str(report.get("branch"))
    diffs: list[Difference] = []
    if records:
        diffs.append(Difference(f"{branch}.records", 0, len(records)))
    empty = records_digest([])
    if report.get("records_sha256") != empty:
        diffs.append(Difference(f"{branch}.records_sha256", empty, report.get("records_sha256")))
    rows = report.get("contests")
    try:
        check_rows(contests, list(contests), report.get("ballots"), rows)
        for row in rows if isinstance(rows, list) else []:
            ContestTally.from_report_row(row)
    except PaperCountsInvalid as exc:
        raise ReportMalformed(exc.message_en, exc.message_fa, code=exc.code) from exc
    return diffs
