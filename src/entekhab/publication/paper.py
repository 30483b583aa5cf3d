"""Paper counts as branch-report rows, and the check that such rows add up.

When the e-box fails, two officials enter the paper count as ``{ballots, contests: {code:
{blank, votes: {code: n}}}}``. A list code's ``n`` is the ballots marked with that list;
a candidate code's ``n`` is the ballots naming that candidate individually. The rows are
made exactly as :func:`entekhab.records.report.tally` makes them from vote records (a list
ballot gives one vote to each member), so a paper report is totalised like any other.
A paper report has no vote records, so the recount cannot recount it; it checks with
:func:`check_rows` that its rows are possible instead (the same check HQ made at entry).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from entekhab.counting.manifest import normalise_code
from entekhab.domain.digits import to_persian_digits
from entekhab.i18n import both, en_fa
from entekhab.publication.contests import ContestInfo, contests_of
from entekhab.publication.errors import PublicationError
from entekhab.records.cvr import records_digest
from entekhab.records.manifest import BallotManifest
from entekhab.records.report import REPORT_TYPE, ReportSource, SignedReport, sign_report
from entekhab.records.signing import SigningKey

# A report's source → (Persian label, English label): Persian first wherever it is shown.
SOURCE_LABELS = {
    "electronic": both("electronic"),
    "replacement": both("replacement"),
    "paper": both("paper"),
}


def source_label(source: object) -> tuple[str, str]:
    """The labels of a report's source (a report without one is electronic, as the records core reads it)."""
    key = str(source or "electronic")
    return SOURCE_LABELS.get(key, (key, key))


class PaperCountsInvalid(PublicationError):
    """Paper counts that no set of paper ballots could give."""

    code = "bad_paper_counts"


def _whole(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and value >= 0


def _bad(en: str, fa: str, code: str = "bad_paper_counts") -> PaperCountsInvalid:
    return PaperCountsInvalid("paper counts: %(en)s", params={"en": en, "fa": fa}, code=code)


def paper_rows(contests: Mapping[str, ContestInfo], style_contests: Sequence[str],
               counts: object) -> tuple[int, list[dict[str, Any]]]:
    """``(ballots, rows)`` from an officials' entry, rows shaped as the e-box's tally; refuses impossible counts."""
    if not isinstance(counts, Mapping) or not isinstance(counts.get("contests"), Mapping):
        raise _bad(*en_fa("expected {ballots, contests: {code: {blank, votes: {code: n}}}}"))
    ballots = counts.get("ballots")
    if not _whole(ballots):
        raise _bad(*en_fa("ballots must be a whole number ≥ 0"))
    assert isinstance(ballots, int)
    entered = counts["contests"]
    if set(entered) != set(style_contests):
        raise _bad(*en_fa("contests must be exactly the branch's ballot style"))
    rows = []
    for code in style_contests:
        info = contests[code]
        entry = entered[code]
        if not isinstance(entry, Mapping) or not isinstance(entry.get("votes", {}), Mapping):
            raise _bad(*en_fa("%(code)s must be {blank, votes}", code=code))
        blank = entry.get("blank")
        votes = entry.get("votes", {})
        if not _whole(blank) or not all(_whole(n) for n in votes.values()):
            raise _bad(*en_fa("%(code)s: counts must be whole numbers ≥ 0", code=code))
        list_codes = {x.code: x for x in info.lists}
        cand_codes = {c.id: c.code for c in info.candidates}
        known_cands = set(cand_codes.values())
        lists: Counter[str] = Counter()
        cands: Counter[str] = Counter()
        for raw, n in votes.items():
            vote_code = normalise_code(str(raw))
            if vote_code in list_codes:
                lists[vote_code] += n
                for member in list_codes[vote_code].members:
                    cands[cand_codes[member]] += n
            elif vote_code in known_cands:
                cands[vote_code] += n
            else:
                raise _bad(
                    *en_fa(
                        "%(code)s: code %(raw)s is no list or candidate of this contest",
                        code=code,
                        raw=raw,
                        raw2=to_persian_digits(str(raw)),
                    ),
                    code="unknown_code",
                )
        rows.append({"code": code, "ballots": ballots, "blank": blank, "candidate_votes": sum(cands.values()),
                     "lists": {k: v for k, v in sorted(lists.items()) if v},
                     "candidates": {k: v for k, v in sorted(cands.items()) if v}})
    check_rows(contests, style_contests, ballots, rows)
    return ballots, rows


def check_rows(contests: Mapping[str, ContestInfo], style_contests: Sequence[str], ballots: object,
               rows: object) -> None:
    """Refuse rows no paper ballots could give: unknown codes, blank + list ballots or votes beyond the ballots.

    Per contest: every code belongs to it; blank + list-code ballots ≤ ballots; a candidate's
    votes ≥ the votes its list's ballots gave it, and ≤ the valid ballots; candidate-votes are
    the candidates' sum and ≤ valid ballots × max votes per ballot.
    """
    if not _whole(ballots) or not isinstance(rows, list):
        raise _bad(*en_fa("the report needs ballots and contest rows"))
    assert isinstance(ballots, int)
    codes = [r.get("code") if isinstance(r, Mapping) else None for r in rows]
    if sorted(map(str, codes)) != sorted(style_contests) or len(set(codes)) != len(codes):
        raise _bad(*en_fa("contests must be exactly the ballot style's"))
    for row in rows:
        code = str(row["code"])
        info = contests[code]
        lists, cands = row.get("lists"), row.get("candidates")
        blank, candidate_votes = row.get("blank"), row.get("candidate_votes")
        if not (isinstance(lists, Mapping) and isinstance(cands, Mapping) and _whole(blank)
                and _whole(candidate_votes) and all(_whole(n) for n in [*lists.values(), *cands.values()])):
            raise _bad(*en_fa("%(code)s: counts must be whole numbers ≥ 0", code=code))
        assert isinstance(blank, int) and isinstance(candidate_votes, int)
        if row.get("ballots") != ballots:
            raise _bad(*en_fa("%(code)s: the contest's ballots differ from the report's", code=code))
        list_of = {x.code: x for x in info.lists}
        cand_code = {c.id: c.code for c in info.candidates}
        unknown = sorted(set(lists) - set(list_of)) + sorted(set(cands) - set(cand_code.values()))
        if unknown:
            raise _bad(
                *en_fa(
                    "%(code)s: code %(value)s is no list or candidate of this contest",
                    code=code,
                    value=unknown[0],
                    value2=to_persian_digits(unknown[0]),
                ),
                code="unknown_code",
            )
        valid = ballots - blank
        if blank + sum(lists.values()) > ballots:
            raise _bad(
                *en_fa("%(code)s: blank and list-code ballots exceed the ballots", code=code), code="too_many_ballots"
            )
        through_lists: Counter[str] = Counter()
        for list_code, n in lists.items():
            for member in list_of[list_code].members:
                through_lists[cand_code[member]] += n
        if any(cands.get(c, 0) < n for c, n in through_lists.items()):
            raise _bad(*en_fa("%(code)s: a member has fewer votes than its list's ballots", code=code))
        if candidate_votes != sum(cands.values()):
            raise _bad(*en_fa("%(code)s: candidate-votes differ from the candidates' sum", code=code))
        if any(n > valid for n in cands.values()) or candidate_votes > valid * info.max_votes:
            raise _bad(
                *en_fa(
                    "%(code)s: more votes than %(valid)s valid ballots × %(max_votes)s can give",
                    code=code,
                    valid=valid,
                    max_votes=info.max_votes,
                    valid2=to_persian_digits(valid),
                    max_votes2=to_persian_digits(info.max_votes),
                ),
                code="too_many_votes",
            )


def paper_report(*, election: str, fingerprint: str, branch: str, manifest: BallotManifest, counts: object,
                 entered_by: Sequence[str], checkins: int, hour: str, key: SigningKey) -> SignedReport:
    """The branch report of a paper count: the one report shape, source ``paper``, signed by ``key`` (HQ's).

    ``device`` is empty and ``device_key`` is HQ's; ``records_sha256`` is the digest of no
    records; ``entered_by`` names the two officials whose entries agreed.
    """
    ballots, rows = paper_rows(contests_of([manifest.document]), [c.code for c in manifest.contests], counts)
    report = {
        "type": REPORT_TYPE,
        "version": 1,
        "kind": "final",
        "source": ReportSource.PAPER.value,
        "election": election,
        "election_fingerprint": fingerprint,
        "branch": branch,
        "style": manifest.style,
        "manifest_sha256": manifest.sha256,
        "device": "",
        "device_key": key.public_hex,
        "hour": hour,
        "ballots": ballots,
        "contests": rows,
        "records_sha256": records_digest([]),
        "entered_by": list(entered_by),
        "checkins": {"branch": branch, "election": election, "checkins": checkins},
    }
    return sign_report(report, key)
