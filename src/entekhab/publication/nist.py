"""Exports in the NIST common data formats, built from the published documents.

* :func:`results_report`: NIST SP 1500-100 v2 (Election Results Reporting) JSON from
  ``results.json``: one ``ReportingUnit`` per area and per branch, every contest as a
  ``CandidateContest`` with a total per area; for a proportional contest also a
  ``PartyContest`` giving each list's votes and seats (``Type: "seats"``).
* :func:`cvr_report`: NIST SP 1500-103 (Cast Vote Records) JSON of one branch's vote
  records, in the order the e-box stored them (its random slots), with no time, card or
  sequence: each ballot code typed is a ``SelectionPosition`` whose ``Code`` is the
  ballot code, so the records can be read back exactly (:func:`records_from_cvr`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from entekhab import __version__
from entekhab.i18n import both, gettext_in, pgettext_in
from entekhab.publication.contests import ContestInfo
from entekhab.publication.errors import OpenDataInvalid

ER = "ElectionResults."
ISSUER = f"Entekhab election headquarters ({gettext_in('fa', 'election headquarters')})"


FINGERPRINT_CODE = "entekhab-election-fingerprint"

def _text(fa: str, en: str) -> dict[str, Any]:
    return {
        "@type": ER + "InternationalizedText",
        "Text": [
            {"@type": ER + "LanguageString", "Content": fa or en, "Language": "fa"},
            {"@type": ER + "LanguageString", "Content": en or fa, "Language": "en"},
        ],
    }


def gp(area: str) -> str:
    return f"gp-{area}"


def _kind(kind: str) -> str:
    return {
        "province": "state",
        "county": "county",
        "city": "city",
        "village": "village",
        "region": "ward",
        "district": "other",
        "branch": "polling-place",
    }.get(kind, "other")


def results_report(results: Mapping[str, Any], *, generated: str) -> dict[str, Any]:
    """The ERR v2 ``ElectionReport`` for a results document (``generated``: ISO time with zone)."""
    election = results["election"]
    areas = results.get("areas", [])
    children: dict[str, list[str]] = {}
    for a in areas:
        if a.get("parent"):
            children.setdefault(a["parent"], []).append(gp(a["code"]))
    for b in results.get("branches", []):
        children.setdefault(b["area"], []).append(gp(b["code"]))
    units: list[dict[str, Any]] = []
    for a in areas:
        unit = {
            "@type": ER + "ReportingUnit",
            "@id": gp(a["code"]),
            "Type": _kind(a["kind"]),
            "Name": _text(a["name_fa"], a["name_en"]),
        }
        if unit["Type"] == "other":
            unit["OtherType"] = a["kind"]
        if children.get(a["code"]):
            unit["ComposingGpUnitIds"] = children[a["code"]]
        units.append(unit)
    for b in results.get("branches", []):
        units.append(
            {
                "@type": ER + "ReportingUnit",
                "@id": gp(b["code"]),
                "Type": "polling-place",
                "Name": _text(*both("Branch %(code)s", code=b['code'])),
            }
        )
    parties: dict[str, dict[str, Any]] = {}
    candidates: list[dict[str, Any]] = []
    contests: list[dict[str, Any]] = []
    statuses = {c["status"] for c in results["contests"]}
    for c in results["contests"]:
        elected = set(c["result"]["elected"])
        for x in c["lists"]:
            parties[x["id"]] = {
                "@type": ER + "Party",
                "@id": f"party-{x['id']}",
                "Name": _text(x["title_fa"], x["title_en"]),
            }
        selections = []
        for n, cand in enumerate(c["candidates"], start=1):
            cid = f"cand-{c['code']}-{cand['id']}"
            entry = {
                "@type": ER + "Candidate",
                "@id": cid,
                "BallotName": _text(cand["name_fa"], cand["name_en"]),
                "PostElectionStatus": "winner" if cand["id"] in elected else "defeated",
            }
            if c["status"] != "final":
                entry["PostElectionStatus"] = "projected-winner" if cand["id"] in elected else "defeated"
            if cand.get("list"):
                entry["PartyId"] = f"party-{cand['list']}"
            candidates.append(entry)
            counts = [{"@type": ER + "VoteCounts", "GpUnitId": gp(c["area"]), "Type": "total", "Count": cand["votes"]}]
            for area, tally in sorted(c.get("by_area", {}).items()):
                if area != c["area"]:
                    counts.append(
                        {
                            "@type": ER + "VoteCounts",
                            "GpUnitId": gp(area),
                            "Type": "total",
                            "Count": tally["candidates"].get(cand["code"], 0),
                        }
                    )
            selections.append(
                {
                    "@type": ER + "CandidateSelection",
                    "@id": f"sel-{c['code']}-{cand['code']}",
                    "CandidateIds": [cid],
                    "SequenceOrder": n,
                    "VoteCounts": counts,
                }
            )
        totals = c["totals"]
        done = c["branches_reported"] >= c["branches_expected"]
        contests.append(
            {
                "@type": ER + "CandidateContest",
                "@id": f"contest-{c['code']}",
                "ElectionDistrictId": gp(c["area"]),
                "Name": c["name_en"],
                "BallotTitle": _text(c["name_fa"], c["name_en"]),
                "VotesAllowed": c["max_votes"],
                "NumberElected": c["seats"],
                "VoteVariation": "proportional" if c["method"] == "tehran-pr" else "n-of-m",
                "SubUnitsReported": c["branches_reported"],
                "TotalSubUnits": c["branches_expected"],
                "CountStatus": [
                    {"@type": ER + "CountStatus", "Type": "total", "Status": "completed" if done else "in-process"}
                ],
                "OtherCounts": [
                    {"@type": ER + "OtherCounts", "GpUnitId": gp(c["area"]), "Undervotes": totals["blank"]}
                ],
                "ContestSelection": selections,
            }
        )
        if c["method"] == "tehran-pr":
            seats = c["result"]["group_seats"]
            group_votes = c["result"].get("group_votes", {})
            party_sel = []
            for gid in sorted(seats):
                if gid not in parties:
                    parties[gid] = {
                        "@type": ER + "Party",
                        "@id": f"party-{gid}",
                        "Name": _text(
                            pgettext_in("fa", "group", "Independents") if gid == "independents" else gid, gid
                        ),
                    }
                party_sel.append(
                    {
                        "@type": ER + "PartySelection",
                        "@id": f"psel-{c['code']}-{gid}",
                        "PartyIds": [f"party-{gid}"],
                        "VoteCounts": [
                            {
                                "@type": ER + "VoteCounts",
                                "GpUnitId": gp(c["area"]),
                                "Type": "total",
                                "Count": group_votes.get(gid, 0),
                            },
                            {
                                "@type": ER + "VoteCounts",
                                "GpUnitId": gp(c["area"]),
                                "Type": "seats",
                                "Count": seats[gid],
                            },
                        ],
                    }
                )
            contests.append(
                {
                    "@type": ER + "PartyContest",
                    "@id": f"contest-{c['code']}-lists",
                    "ElectionDistrictId": gp(c["area"]),
                    "Name": c["name_en"] + " (seats per list)",
                    "VoteVariation": "proportional",
                    "ContestSelection": party_sel,
                }
            )
    root = areas[0]["code"] if areas else "root"
    if "final" in statuses and statuses == {"final"}:
        status = "certified"
    elif all(c["branches_reported"] >= c["branches_expected"] for c in results["contests"]):
        status = "unofficial-complete"
    else:
        status = "unofficial-partial"
    return {
        "@type": ER + "ElectionReport",
        "Format": "summary-contest",
        "GeneratedDate": generated,
        "Issuer": ISSUER,
        "IssuerAbbreviation": "EKB",
        "SequenceStart": 1,
        "SequenceEnd": 1,
        "Status": status,
        "VendorApplicationId": f"entekhab {__version__}",
        "GpUnit": units,
        "Party": list(parties.values()),
        "Election": [
            {
                "@type": ER + "Election",
                "ElectionScopeId": gp(root),
                "Type": "general",
                "StartDate": election["polling_date"],
                "EndDate": election["polling_date"],
                "Name": _text(election["name_fa"], election["name_en"]),
                "Candidate": candidates,
                "Contest": contests,
            }
        ],
    }


def _code(value: str, kind: str) -> list[dict[str, str]]:
    return [{"@type": "CVR.Code", "Type": "other", "OtherType": kind, "Value": value}]


def cvr_report(
    *,
    election: str,
    branch: str,
    device: str,
    contests: Sequence[ContestInfo],
    records: Sequence[Mapping[str, Any]],
    generated: str,
    fingerprint: str = "",
) -> dict[str, Any]:
    """A NIST SP 1500-103 ``CastVoteRecordReport`` of one branch's records, in canonical order.

    The election fingerprint the records carry is the election's ``Code`` (type other,
    ``entekhab-election-fingerprint``), so :func:`records_from_cvr` gives back the records byte for byte.
    """
    definitions = []
    for info in contests:
        selections: list[dict[str, Any]] = [
            {
                "@type": "CVR.PartySelection",
                "@id": f"sel-{info.code}-{x.code}",
                "PartyIds": [f"party-{x.id}"],
                "Code": _code(x.code, "ballot-code"),
            }
            for x in info.lists
        ] + [
            {
                "@type": "CVR.CandidateSelection",
                "@id": f"sel-{info.code}-{c.code}",
                "CandidateIds": [f"cand-{info.code}-{c.id}"],
                "Code": _code(c.code, "ballot-code"),
            }
            for c in info.candidates
        ]
        definitions.append(
            {
                "@type": "CVR.CandidateContest",
                "@id": f"contest-{info.code}",
                "Name": info.name_en,
                "ContestSelection": selections or [{"@type": "CVR.ContestSelection", "@id": f"sel-{info.code}-none"}],
                "NumberElected": info.seats,
                "VotesAllowed": info.max_votes,
                "VoteVariation": "proportional" if info.method == "tehran-pr" else "n-of-m",
            }
        )
    parties = [
        {"@type": "CVR.Party", "@id": f"party-{x.id}", "Name": x.title_en or x.title_fa}
        for info in contests
        for x in info.lists
    ]
    cands = [
        {
            "@type": "CVR.Candidate",
            "@id": f"cand-{info.code}-{c.id}",
            "Name": c.name_en or c.name_fa,
            **({"PartyId": f"party-{c.list_id}"} if c.list_id else {}),
        }
        for info in contests
        for c in info.candidates
    ]
    cvrs = []
    for record in records:
        cvr_contests = []
        for code, typed in sorted(record["contests"].items()):
            selections = [
                {
                    "@type": "CVR.CVRContestSelection",
                    "ContestSelectionId": f"sel-{code}-{t}",
                    "SelectionPosition": [
                        {
                            "@type": "CVR.SelectionPosition",
                            "HasIndication": "yes",
                            "NumberVotes": 1,
                            "Code": _code(t, "ballot-code"),
                        }
                    ],
                }
                for t in typed
            ]
            cvr_contests.append(
                {
                    "@type": "CVR.CVRContest",
                    "ContestId": f"contest-{code}",
                    "Selections": len(typed),
                    "CVRContestSelection": selections,
                }
            )
        cvrs.append(
            {
                "@type": "CVR.CVR",
                "ElectionId": f"election-{election}",
                "BallotStyleId": str(record["style"]),
                "BallotStyleUnitId": gp(branch),
                "CreatingDeviceId": f"device-{device}",
                "CurrentSnapshotId": "snap",
                "CVRSnapshot": [
                    {"@type": "CVR.CVRSnapshot", "@id": "snap", "Type": "interpreted", "CVRContest": cvr_contests}
                ],
            }
        )
    return {
        "@type": "CVR.CastVoteRecordReport",
        "Version": "1.0.0",
        "GeneratedDate": generated,
        "ReportType": ["originating-device-export"],
        "ReportGeneratingDeviceIds": [f"device-{device}"],
        "ReportingDevice": [
            {
                "@type": "CVR.ReportingDevice",
                "@id": f"device-{device}",
                "SerialNumber": device,
                "Application": "Entekhab e-box",
            }
        ],
        "GpUnit": [
            {
                "@type": "CVR.GpUnit",
                "@id": gp(branch),
                "Type": "polling-place",
                "Name": branch,
                "ReportingDeviceIds": [f"device-{device}"],
            }
        ],
        "Party": parties,
        "Election": [
            {
                "@type": "CVR.Election",
                "@id": f"election-{election}",
                "ElectionScopeId": gp(branch),
                "Name": election,
                "Code": [{"@type": "CVR.Code", "Type": "other", "OtherType": FINGERPRINT_CODE, "Value": fingerprint}],
                "Candidate": cands,
                "Contest": definitions,
            }
        ],
        "CVR": cvrs,
    }


def records_from_cvr(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The vote records back from a CVR report (as the e-box stored them), for a recount."""
    try:
        codes = [c for e in report.get("Election", []) for c in e.get("Code", [])]
        fingerprint = next((c["Value"] for c in codes if c.get("OtherType") == FINGERPRINT_CODE), "")
        out = []
        for cvr in report.get("CVR", []):
            snap = next(s for s in cvr["CVRSnapshot"] if s["@id"] == cvr["CurrentSnapshotId"])
            contests: dict[str, list[str]] = {}
            for entry in snap.get("CVRContest", []):
                code = entry["ContestId"].removeprefix("contest-")
                contests[code] = [
                    pos["Code"][0]["Value"]
                    for sel in entry.get("CVRContestSelection", [])
                    for pos in sel["SelectionPosition"]
                    if pos.get("HasIndication") == "yes"
                ]
            out.append({"election": fingerprint, "style": cvr["BallotStyleId"], "contests": contests})
        return out
    except (KeyError, TypeError, StopIteration, AttributeError, IndexError) as exc:
        raise OpenDataInvalid(
            "a cast vote record file is malformed: %(exc)s", params={"exc": repr(exc)}
        ) from exc
