"""The open data folder: what HQ publishes, and the recount that needs nothing else.

Layout (every file listed with its SHA-256 in the signed ``index.json``)::

    election.json            election, seed, HQ public key, areas, contests, branches
    manifests/<style>.json   signed ballot manifests (codes, names, lists, veteran, degree)
    reports/<branch>.json    signed branch reports, as the e-box (or, for paper counts, HQ) signed them
    reports.csv              one row per branch and contest, with the report's source
    records/<branch>.json    the branch's vote records, NIST SP 1500-103 JSON, canonical order
    results.json             totals per contest and area, seats, lots, the explanation
    results.csv              one row per candidate
    results_nist.json        NIST SP 1500-100 v2 JSON
    audit-head.json          the latest signed head of HQ's audit log (when there is one): keep it,
                             and a later rewrite of the log is visible (``entekhab audit verify --head``)
    index.json               the signed index

:func:`build_results` is the one definition of ``results.json``: HQ calls it to publish and
:func:`recount_folder` calls it again on the folder's own reports to compare.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from entekhab.domain.errors import DomainError
from entekhab.publication.contests import ContestInfo, contests_of, manifest_style
from entekhab.publication.errors import OpenDataInvalid
from entekhab.publication.index import INDEX_FILE, build_index, check_files, verify_index
from entekhab.publication.nist import cvr_report, records_from_cvr, results_report
from entekhab.publication.paper import source_label
from entekhab.publication.recount import Difference, check_branch, compare_tallies, same_order
from entekhab.publication.seats import contest_entry, lot_seed
from entekhab.publication.totals import Absorption, ContestTally, Totaliser, summarise
from entekhab.records.canonical import canonical_json, sha256_hex
from entekhab.records.election import ElectionDefinition
from entekhab.records.errors import SignatureInvalid
from entekhab.records.signing import SigningKey, verify

RESULTS_FORMAT = "entekhab/results/1"
ELECTION_FORMAT = "entekhab/open-data/1"
AUDIT_HEAD_FILE = "audit-head.json"  # the latest signed audit head, listed in the index like any file
DEFINITION_FILE = "definition.json"  # the canonical election definition; its SHA-256 is the fingerprint


@dataclass(frozen=True)
class ContestMeta:
    """A contest as HQ knows it beyond the manifest: its area, expected branches, status."""

    code: str
    area: str
    branches_expected: int
    status: str = "provisional"  # "provisional" until certified, then "final"
    version: int = 1


@dataclass(frozen=True)
class BranchData:
    """One branch's published material: its signed report and its stored vote records."""

    code: str
    area: str
    document: Mapping[str, Any]
    records: Sequence[Mapping[str, Any]] = field(default_factory=tuple)

    @property
    def device(self) -> str:
        return str(self.document["report"].get("device", ""))


def build_results(*, election: Mapping[str, Any], areas: Sequence[Mapping[str, Any]],
                  contests: Sequence[ContestMeta], infos: Mapping[str, ContestInfo],
                  reports: Iterable[tuple[str, Mapping[str, Any]]], areas_of: Mapping[str, Sequence[str]],
                  only: Iterable[str] | None = None) -> dict[str, Any]:
    """``results.json`` from (branch area, signed report) pairs; ``only`` limits the contests counted.

    Each contest's lot seed is :func:`entekhab.publication.seats.lot_seed` of the reports counted for it.
    """
    totaliser = Totaliser(areas_of)
    branches = []
    digests: dict[str, list[str]] = {}
    for area, document in reports:
        if totaliser.absorb(document) is Absorption.COUNTED:
            summary = summarise(document)
            branches.append({"code": summary.branch, "area": area})
            for t in summary.contests:
                digests.setdefault(t.contest, []).append(summary.sha256)
    totals = totaliser.totals()
    by_area = totaliser.by_area()
    wanted = set(only) if only is not None else None
    out_contests = []
    for meta in contests:
        if wanted is not None and meta.code not in wanted:
            continue
        out_contests.append(contest_entry(
            info=infos[meta.code], area=meta.area, branches_expected=meta.branches_expected, status=meta.status,
            version=meta.version, tally=totals.get(meta.code, ContestTally(meta.code)),
            by_area={a: t for (c, a), t in by_area.items() if c == meta.code},
            seed=lot_seed(str(election["code"]), meta.code, digests.get(meta.code, [])),
        ))
    return results_document(election=election, areas=areas, branches=branches, contests=out_contests)


def results_document(*, election: Mapping[str, Any], areas: Sequence[Mapping[str, Any]],
                     branches: Iterable[Mapping[str, Any]], contests: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The shape of ``results.json`` around its contest entries: one place for HQ and the recount.

    HQ fills it with each contest's certified entry (frozen when published) or its live one;
    :func:`build_results` with the entries recomputed from the reports; both must agree.
    """
    return {"format": RESULTS_FORMAT, "election": dict(election), "areas": [dict(a) for a in areas],
            "branches": sorted(({"code": str(b["code"]), "area": str(b["area"])} for b in branches),
                               key=lambda b: b["code"]),
            "contests": [dict(c) for c in contests]}


def contest_metas(results: Mapping[str, Any]) -> list[ContestMeta]:
    """What ``election.json`` says of each contest, read from the results it is published with."""
    return [ContestMeta(c["code"], c["area"], c["branches_expected"], c["status"], c["version"])
            for c in results["contests"]]


def results_csv(results: Mapping[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["contest", "status", "kind", "id", "code", "name_fa", "name_en", "list", "votes", "elected", "alternate"]
    )
    for c in results["contests"]:
        for x in c["lists"]:
            w.writerow(
                [
                    c["code"],
                    c["status"],
                    "list",
                    x["id"],
                    x["code"],
                    x["title_fa"],
                    x["title_en"],
                    "",
                    x["votes"],
                    x["seats"],
                    "",
                ]
            )
        for cand in c["candidates"]:
            w.writerow(
                [
                    c["code"],
                    c["status"],
                    "candidate",
                    cand["id"],
                    cand["code"],
                    cand["name_fa"],
                    cand["name_en"],
                    cand["list"] or "",
                    cand["votes"],
                    int(cand["elected"]),
                    int(cand["alternate"]),
                ]
            )
    return buf.getvalue()


def reports_csv(branches: Sequence[BranchData]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["branch", "area", "report_sha256", "source_fa", "source", "device", "contest", "ballots", "blank",
                "candidate_votes"])
    for b in branches:
        sha = sha256_hex(canonical_json(dict(b.document)))
        source = str(b.document["report"].get("source", "electronic"))
        label_fa, _ = source_label(source)
        for row in b.document["report"]["contests"]:
            w.writerow([b.code, b.area, sha, label_fa, source, b.device, row["code"], row["ballots"], row["blank"],
                        row["candidate_votes"]])
    return buf.getvalue()


def _dump(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def open_data_files(
    *,
    election: Mapping[str, Any],
    areas: Sequence[Mapping[str, Any]],
    contests: Sequence[ContestMeta],
    manifests: Sequence[Mapping[str, Any]],
    branches: Sequence[BranchData],
    results: Mapping[str, Any],
    generated: str,
    key: SigningKey,
    definition: ElectionDefinition,
    audit_head: Mapping[str, Any] | None = None,
) -> dict[str, bytes]:
    """Every file of the folder as bytes, the signed index included (and ``audit-head.json`` when given)."""
    docs = [m["manifest"] for m in manifests]
    infos = contests_of(docs)
    style_contests = {manifest_style(d): [c["code"] for c in d["contests"]] for d in docs}
    files: dict[str, bytes] = {}
    for m in manifests:
        files[f"manifests/{manifest_style(m['manifest'])}.json"] = _dump(dict(m))
    for b in branches:
        files[f"reports/{b.code}.json"] = _dump(dict(b.document))
        style = str(b.document["report"].get("style", ""))
        files[f"records/{b.code}.json"] = _dump(
            cvr_report(
                election=str(election["code"]),
                branch=b.code,
                device=b.device,
                contests=[infos[c] for c in style_contests.get(style, [])],
                records=b.records,
                generated=generated,
                fingerprint=definition.fingerprint,
            )
        )
    files["reports.csv"] = reports_csv(branches).encode()
    files["results.json"] = _dump(dict(results))
    files["results.csv"] = results_csv(results).encode()
    files["results_nist.json"] = _dump(results_report(results, generated=generated))
    files["election.json"] = _dump(
        {
            "format": ELECTION_FORMAT,
            "election": dict(election),
            "hq_public_key": key.public_hex,
            "areas": list(areas),
            "contests": [
                {
                    "code": c.code,
                    "area": c.area,
                    "branches_expected": c.branches_expected,
                    "status": c.status,
                    "version": c.version,
                }
                for c in contests
            ],
            "branches": [{"code": b.code, "area": b.area} for b in branches],
        }
    )
    files[DEFINITION_FILE] = definition.canonical()
    if audit_head is not None:
        files[AUDIT_HEAD_FILE] = _dump(dict(audit_head))
    files[INDEX_FILE] = _dump(build_index(files, election=str(election["code"]), generated=generated, key=key,
                                          fingerprint=definition.fingerprint))
    return files


def write_open_data(directory: Path, files: Mapping[str, bytes]) -> None:
    """Write the files; refuses a folder that already holds something else (nothing is overwritten)."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise OpenDataInvalid("%(directory)s is not empty", params={"directory": directory}, code="folder_not_empty")
    for path, data in files.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def areas_chain(areas: Sequence[Mapping[str, Any]]) -> Callable[[str], tuple[str, ...]]:
    """An area and its ancestors, by code (for totals at every level)."""
    parent = {str(a["code"]): a.get("parent") for a in areas}

    def chain(code: str) -> tuple[str, ...]:
        out: list[str] = []
        node: str | None = code
        while node and node not in out:
            out.append(node)
            node = parent.get(node)
        return tuple(out)

    return chain


@dataclass(frozen=True)
class RecountOutcome:
    """What ``entekhab recount`` found: every difference and every problem, by place."""

    branches: int
    contests: int
    problems: tuple[str, ...]
    differences: tuple[Difference, ...]
    records_in_canonical_order: int = 0  # branches whose records are published in canonical order

    @property
    def agrees(self) -> bool:
        return not self.problems and not self.differences

    def as_json(self) -> dict[str, Any]:
        return {
            "agrees": self.agrees,
            "branches": self.branches,
            "contests": self.contests,
            "problems": list(self.problems),
            "differences": [d.as_json() for d in self.differences],
            "records_in_canonical_order": self.records_in_canonical_order,
        }


def _load(root: Path, path: str) -> Any:
    try:
        return json.loads((root / path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OpenDataInvalid("%(path)s cannot be read as JSON: %(exc)s", params={"path": path, "exc": exc}) from exc


def recount_folder(
    directory: Path, *, public_key: str | None = None, progress: Callable[[str], None] | None = None
) -> RecountOutcome:
    """Recompute every branch, total and seat from the folder alone and compare with what it publishes."""
    from entekhab.records.report import verify_report

    root = Path(directory)
    if not (root / INDEX_FILE).is_file():
        raise OpenDataInvalid(
            "%(root)s has no %(index_file)s", params={"root": root, "index_file": INDEX_FILE}, code="no_index"
        )
    index = verify_index(_load(root, INDEX_FILE), public_key=public_key)
    problems = check_files(root, index)
    hq_key = str(index["public_key"])
    meta = _load(root, "election.json")
    if meta.get("hq_public_key") != hq_key:
        problems.append("election.json names another HQ key than the index")
    fingerprint = str(index.get("election_fingerprint", ""))
    try:
        definition = ElectionDefinition.load((root / DEFINITION_FILE).read_bytes())
        if definition.fingerprint != fingerprint:
            problems.append(f"{DEFINITION_FILE}: its digest is not the index's election fingerprint")
    except (OSError, DomainError) as exc:
        problems.append(f"{DEFINITION_FILE}: {getattr(exc, 'message_en', exc)}")
        definition = None
    manifests = {}
    for entry in index["files"]:
        path = entry["path"]
        if path.startswith("manifests/"):
            signed = _load(root, path)
            data = canonical_json(signed.get("manifest"))
            try:
                if sha256_hex(data) != signed.get("sha256"):
                    raise SignatureInvalid("digest differs")
                verify(hq_key, data, signed.get("signature"))
            except (ValueError, SignatureInvalid):
                problems.append(f"{path}: not signed by the HQ key")
                continue
            if definition is not None and signed["sha256"] not in definition.manifests:
                problems.append(f"{path}: not a manifest of the election definition")
            manifests[signed["sha256"]] = signed["manifest"]
    infos = contests_of(manifests.values())
    chain = areas_chain(meta["areas"])
    reports: list[tuple[str, Mapping[str, Any]]] = []
    diffs: list[Difference] = []
    in_order = 0
    for b in meta["branches"]:
        code, area = str(b["code"]), str(b["area"])
        if progress:
            progress(code)
        document = _load(root, f"reports/{code}.json")
        try:
            verify_report(document)
        except DomainError as exc:
            problems.append(f"reports/{code}.json: {exc.message_en}")
            continue
        report = document["report"]
        if report.get("source") == "paper" and report.get("device_key") != hq_key:
            # HQ signs a paper report at entry: any other key could have made up its counts.
            problems.append(f"reports/{code}.json: a paper report not signed by the HQ key")
            continue
        if report.get("election_fingerprint") != fingerprint:
            problems.append(f"reports/{code}.json: made for another election definition")
            continue
        if report.get("manifest_sha256") not in manifests:
            problems.append(f"reports/{code}.json: made with a ballot manifest that is not published")
            continue
        records = records_from_cvr(_load(root, f"records/{code}.json"))
        style_doc = manifests[report["manifest_sha256"]]
        style_infos = {c["code"]: infos[c["code"]] for c in style_doc["contests"]}
        in_order += same_order(records)
        try:
            diffs.extend(check_branch(report, style_infos, records))
        except DomainError as exc:
            where = "reports" if report.get("source") == "paper" else "records"  # paper: its rows are the problem
            problems.append(f"{where}/{code}.json: {exc.message_en}")
        reports.append((area, document))
    published = _load(root, "results.json")
    contests = [
        ContestMeta(c["code"], c["area"], c["branches_expected"], c["status"], c["version"]) for c in meta["contests"]
        if c["code"] in infos
    ]
    recomputed = build_results(
        election=meta["election"],
        areas=meta["areas"],
        contests=contests,
        infos=infos,
        reports=reports,
        areas_of={d["report"]["branch"]: chain(a) for a, d in reports},
        only=[c["code"] for c in published.get("contests", []) if c["code"] in infos],
    )
    problems.extend(f"contest {c['code']}: no valid signed manifest carries it"
                    for c in published.get("contests", []) if c["code"] not in infos)
    diffs.extend(compare_results(published, recomputed))
    return RecountOutcome(len(meta["branches"]), len(recomputed["contests"]), tuple(problems), tuple(diffs),
                          in_order)


def compare_results(published: Mapping[str, Any], recomputed: Mapping[str, Any]) -> list[Difference]:
    """Totals (per contest and area) and seats that differ between two results documents."""
    diffs: list[Difference] = []
    pub = {c["code"]: c for c in published.get("contests", [])}
    new = {c["code"]: c for c in recomputed.get("contests", [])}
    for code in sorted(set(pub) | set(new)):
        if code not in pub or code not in new:
            diffs.append(
                Difference(f"{code}", "published" if code in pub else None, "recomputed" if code in new else None)
            )
            continue
        a, b = pub[code], new[code]
        diffs.extend(
            compare_tallies(ContestTally.from_json(a["totals"]), ContestTally.from_json(b["totals"]), f"{code}.totals")
        )
        if a["branches_reported"] != b["branches_reported"]:
            diffs.append(Difference(f"{code}.branches_reported", a["branches_reported"], b["branches_reported"]))
        for area in sorted(set(a["by_area"]) | set(b["by_area"])):
            ta = ContestTally.from_json(a["by_area"].get(area, {**ContestTally(code).as_json()}))
            tb = ContestTally.from_json(b["by_area"].get(area, {**ContestTally(code).as_json()}))
            diffs.extend(compare_tallies(ta, tb, f"{code}.{area}"))
        if a.get("seed") != b["seed"]:
            diffs.append(Difference(f"{code}.seed", a.get("seed"), b["seed"]))
        for name in ("elected", "alternates", "group_seats"):
            if a["result"][name] != b["result"][name]:
                diffs.append(Difference(f"{code}.{name}", a["result"][name], b["result"][name]))
    return diffs
