"""Synthetic polling days in the real formats (no Django): vote records, signed branch reports.

Used by the tests (a property test over random polling days), the bench (4,950 Tehran
branches) and the demo until polling day's own simulation is run: records are built as
the e-box stores them (``{"style", "contests": {code: sorted codes}}``), counted with the
e-box's own :func:`entekhab.records.report.tally` and signed with a device key, so
totalisation sees exactly what the intake stores.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from entekhab.hq.demo.content import demo_content
from entekhab.hq.demo.vote_model import VoteModel, proportional_model
from entekhab.publication.contests import ContestInfo, contest_info
from entekhab.publication.recount import recount_records
from entekhab.records.cvr import canonical_order, records_digest
from entekhab.records.manifest import BallotManifest, parse_signed_manifest
from entekhab.records.report import REPORT_TYPE, closed_at, sign_report, tally
from entekhab.records.signing import SigningKey

BLANK_SHARE = 0.06  # the list-code share of proportional contests is hq.demo.vote_model.LIST_CODE_SHARE


def device_key(election: str, branch: str) -> SigningKey:
    """A deterministic e-box key for a synthetic branch (seeded from its codes)."""
    return SigningKey.from_seed(hashlib.sha256(f"ebox:{election}:{branch}".encode()).digest())


def random_ballot(rng: random.Random, info: ContestInfo, model: VoteModel | None = None) -> list[str]:
    """Codes one voter types: a list code, some candidate codes, or nothing (blank).

    A contest with lists follows ``model`` (``hq.demo.vote_model``: a few big coalitions, many
    small lists, a thin independent bloc); a plurality contest picks its candidates uniformly.
    """
    r = rng.random()
    if r < BLANK_SHARE:
        return []
    if info.lists:
        return (model or proportional_model(info)).ballot(rng)
    k = rng.randint(1, min(info.max_votes, len(info.candidates)))
    return sorted(c.code for c in rng.sample(info.candidates, k))


def random_records(
    rng: random.Random, manifest_doc: Mapping[str, Any], n: int, *, infos: Mapping[str, ContestInfo] | None = None,
    fingerprint: str = "",
) -> list[dict[str, Any]]:
    """``n`` valid vote records of the style, in canonical order, bound to the election ``fingerprint``."""
    style = str(manifest_doc.get("ballot_style") or manifest_doc.get("style"))
    infos = infos or {c["code"]: contest_info(c) for c in manifest_doc["contests"]}
    codes = [c["code"] for c in manifest_doc["contests"]]
    models = {code: proportional_model(infos[code]) for code in codes if infos[code].lists}
    return canonical_order(
        {"election": fingerprint, "style": style,
         "contests": {code: random_ballot(rng, infos[code], models.get(code)) for code in codes}}
        for _ in range(n))


@dataclass(frozen=True)
class SyntheticReport:
    document: dict[str, Any]
    sha256: str
    records: list[dict[str, Any]]
    device: str
    device_key: str


def counting_tally(
    infos: Mapping[str, ContestInfo], manifest: BallotManifest, records: Sequence[dict[str, Any]]
) -> tuple[int, list[dict[str, Any]]]:
    """The e-box's report rows computed by the counting package's tally (same rows, faster at scale).

    :func:`entekhab.records.report.tally` rebuilds a code table for every record, which is
    slow for a 600-candidate contest; the bench uses this and a test checks it against the
    e-box's tally.
    """
    rows = recount_records(infos, [c.code for c in manifest.contests], records)
    return len(records), [
        {"code": t.contest, "ballots": t.ballots, "blank": t.blank, "candidate_votes": t.candidate_votes,
         "lists": dict(t.lists), "candidates": dict(t.candidates)}
        for t in rows.values()
    ]


def branch_report(
    *,
    election: str,
    branch: str,
    manifest: BallotManifest,
    records: Sequence[dict[str, Any]],
    checkins: int,
    closed: dt.datetime,
    key: SigningKey | None = None,
    device: str | None = None,
    infos: Mapping[str, ContestInfo] | None = None,
    fingerprint: str = "",
) -> SyntheticReport:
    """The final report an e-box would sign for these records (same fields as the e-box's).

    Counts come from the e-box's own tally, or from :func:`counting_tally` when ``infos`` is given.
    """
    key = key or device_key(election, branch)
    device = device or f"EB-{branch}"
    ballots, contests = tally(manifest, records) if infos is None else counting_tally(infos, manifest, records)
    report = {
        "type": REPORT_TYPE,
        "version": 1,
        "kind": "final",
        "source": "electronic",
        "election": election,
        "election_fingerprint": fingerprint,
        "branch": branch,
        "style": manifest.style,
        "manifest_sha256": manifest.sha256,
        "device": device,
        "device_key": key.public_hex,
        "hour": closed.astimezone(dt.UTC).strftime("%Y-%m-%dT%H"),
        "closed_at": closed_at(closed),
        "ballots": ballots,
        "contests": contests,
        "records_sha256": records_digest(list(records)),
        "zero_report_sha256": "",
        "mock_poll": None,
        "checkins": {"device": f"AU-{branch}", "branch": branch, "election": election, "checkins": checkins},
        "predecessors": [],
        "journal_head": "",
        "acknowledged_by": dict(demo_content("results")["acknowledged_by"]),  # who signs: the Persian titles
    }
    signed = sign_report(report, key)
    return SyntheticReport(signed.document(), signed.sha256, list(records), device, key.public_hex)


def load_signed_manifest(signed: Mapping[str, Any]) -> BallotManifest:
    return parse_signed_manifest(dict(signed), bytes.fromhex(str(signed["public_key"])))
