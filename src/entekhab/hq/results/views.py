"""Public results pages (Persian-first) and the boards' certification forms: parse, authorize, call."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import segno
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import etag, require_POST

from entekhab.domain.digits import to_persian_digits
from entekhab.domain.errors import DomainError
from entekhab.hq.elections.models import Branch, Contest, Election
from entekhab.hq.geography.models import Area
from entekhab.hq.polling.models import BranchReport
from entekhab.hq.results.actions import do_certify, do_compute_result, hq_key, published_version
from entekhab.hq.results.drilldown import (
    contest_trees,
    counted_of,
    election_level,
    normalise_query,
    read_results,
    search_branches,
)
from entekhab.hq.results.models import CountedReport, ReportConflict, ResultVersion, TurnoutAnnouncement
from entekhab.hq.results.opendata import latest_snapshot
from entekhab.hq.results.public import (
    RESULTS_SECONDS,
    SEARCH_SECONDS,
    cached_page,
    election_key,
    memo,
    results_for,
    seat_charts,
    turnout_for,
)
from entekhab.hq.results.seat_page import WHATIF_METHODS, entry_names, named_lots, seat_context, whatif_choice
from entekhab.hq.results.totals import contest_excess, explained_excess
from entekhab.hq.results.turnout import TEHRAN, announcement_slots, do_announce_turnout, hourly
from entekhab.hq.web.seats import named_steps
from entekhab.i18n import gettext_in
from entekhab.publication.certification import STATE_NAMES_FA, ResultState, excess_reason
from entekhab.publication.charts import hourly_bars, progress_bars, value_bars
from entekhab.publication.drilldown import Level, UnknownArea, ranked_candidates
from entekhab.publication.paper import source_label
from entekhab.publication.qrcheck import check_posted, split_pasted
from entekhab.records.canonical import canonical_json
from entekhab.records.report import SignedReport, qr_payloads


def _election(code: str) -> Election:
    return get_object_or_404(Election, code=code)


def _lang() -> str:
    return "en" if get_language() == "en" else "fa"


# What each cached page reads from its query string, normalised (None: this request is not cached).

def _known_area(code: str) -> str:
    """An area code as a page uses it, or "" for none: an unknown code shows the same page as no code."""
    return code if 0 < len(code) <= 64 and Area.objects.filter(code=code).exists() else ""


def _contest_query(request: HttpRequest, election: str, contest: str) -> tuple[tuple[str, str], ...] | None:
    if "error" in request.GET:  # a message to show, from a board member's refused step: never cached
        return None
    area = _known_area(request.GET.get("area", ""))
    method, refused = whatif_choice(request.GET.getlist("method"))
    if refused:  # answered uncached, with its notice (contest_page never sends it here)
        return None
    return tuple(p for p in (("area", area), ("method", method)) if p[1])


def _turnout_query(request: HttpRequest, election: str) -> tuple[tuple[str, str], ...] | None:
    if "error" in request.GET:
        return None
    area = _known_area(request.GET.get("area", ""))
    code = request.GET.get("contest", "")
    contest = code if 0 < len(code) <= 64 and Contest.objects.filter(election__code=election, code=code).exists() \
        else ""
    return tuple((k, v) for k, v in (("area", area), ("contest", contest)) if v)


def _page_number(request: HttpRequest, election: str, query: str) -> str:
    """The page number as the view's paginator reads it (junk → 1, past either end → the last page)."""
    digest = hashlib.sha256(f"{election}\n{query}".encode()).hexdigest()  # a query may hold spaces
    count = memo(f"branch-count:{digest}", RESULTS_SECONDS,  # branches do not move on results night
                 lambda: search_branches(Election.objects.get(code=election), query).count(),
                 alias="search" if query else "default")
    return str(Paginator(range(count), BRANCHES_PER_PAGE).get_page(request.GET.get("page")).number)


def _branches_query(request: HttpRequest, election: str) -> tuple[tuple[str, str], ...] | None:
    """The plain list, by page number; a search is left to :func:`_search_query`."""
    if normalise_query(request.GET.get("q", "")) or not Election.objects.filter(code=election).exists():
        return None
    return (("page", _page_number(request, election, "")),)


def _search_query(request: HttpRequest, election: str) -> tuple[tuple[str, str], ...] | None:
    """A search, normalised as the view normalises it, for the bounded ``search`` cache."""
    query = normalise_query(request.GET.get("q", ""))
    if not query or not Election.objects.filter(code=election).exists():
        return None
    return (("q", query), ("page", _page_number(request, election, query)))


def index(request: HttpRequest) -> HttpResponse:
    elections = list(Election.objects.all())
    if len(elections) == 1:
        return redirect("results:election", election=elections[0].code)
    return render(request, "results/index.html", {"elections": elections})


@cached_page(election_key)
def election_page(request: HttpRequest, election: str) -> HttpResponse:
    e = _election(election)
    data = results_for(e)
    now = turnout_for(e)
    contests = Contest.objects.filter(election=e).select_related("area").order_by("code")
    by_code = {c["code"]: c for c in data["contests"]}
    rows = [(c, by_code.get(c.code)) for c in contests]
    by_source = (CountedReport.objects.filter(election=e).values_list("report__source")
                 .annotate(n=Count("id")).order_by("report__source"))
    sources = [(*source_label(source), n) for source, n in by_source]
    level = election_level(e, _figures(e))
    return render(request, "results/election.html", {
        "election": e, "rows": rows, "turnout": now, "branches_reported": len(data["branches"]), "sources": sources,
        "branches_total": Branch.objects.filter(election=e).count(), "snapshot": latest_snapshot(e),
        "level": level, "progress_chart": _progress_chart(level, _lang()) if level and level.children else "",
    })


def contest_page(request: HttpRequest, election: str, contest: str) -> HttpResponse:
    """A contest's results; ``?method=`` adds a what-if count. Only the legal page and the known
    what-if methods go through the page memo: any other value is answered (with a notice) uncached,
    so made-up values cannot fill the memo."""
    if whatif_choice(request.GET.getlist("method"))[1]:
        return _contest_page(request, election, contest)
    return _cached_contest_page(request, election, contest)


def _contest_page(request: HttpRequest, election: str, contest: str) -> HttpResponse:
    e = _election(election)
    c = get_object_or_404(Contest.objects.select_related("area"), election=e, code=contest)
    entry = next((x for x in results_for(e)["contests"] if x["code"] == c.code), None)
    if entry is None:
        raise Http404("no result for this contest")
    lang = _lang()
    names = {a.code: a for a in Area.objects.filter(code__in=entry["by_area"])}
    areas = sorted(((names[a], t) for a, t in entry["by_area"].items() if a in names), key=lambda p: p[0].path)
    area_code = request.GET.get("area", "")
    area_tally = entry["by_area"].get(area_code)
    candidates = sorted(entry["candidates"], key=lambda x: (-x["votes"], x["code"]))
    if area_tally is not None:
        candidates = [{**x, "area_votes": area_tally["candidates"].get(x["code"], 0)} for x in candidates]
    tree = contest_trees(e).get(c.code)
    top = tree.top_level(entry, {a["code"]: a for a in results_for(e)["areas"]}, _figures(e)) if tree else None
    versions = list(c.result_versions.select_related("computed_by", "approved_by", "confirmed_by"))
    excess = contest_excess(c)  # shown to everyone: why certification is blocked, or what explained it
    explained = explained_excess(c, excess)
    user = request.user
    method, refused = whatif_choice(request.GET.getlist("method"))
    people, lots = entry_names(entry), entry["result"].get("lots", [])
    return render(request, "results/contest.html", {
        "election": e, "contest": c, "entry": entry, "areas": areas, "candidates": candidates,
        "area": names.get(area_code) if area_tally is not None else None, "area_tally": area_tally,
        "charts": seat_charts(entry, lang) if entry["method"] == "tehran-pr" else {},
        "steps": named_steps(entry["result"]["steps"], lang, people, [lot["context"] for lot in lots]),
        "lots": named_lots(lots, people, lang),
        "versions": [(v, STATE_NAMES_FA[ResultState(v.state)]) for v in versions],
        "published": published_version(c),
        "can_compute": user.has_perm("results.add_resultversion"),
        "can_approve": user.has_perm("results.approve_resultversion"),
        "can_confirm": user.has_perm("results.confirm_resultversion"),
        "pending": next((v for v in versions if v.state in (ResultState.COMPUTED, ResultState.APPROVED)), None),
        "error": request.GET.get("error", ""),
        "excess": [(excess_reason(x)[0 if lang == "en" else 1], x.branch in explained) for x in excess],
        "blocked": any(x.branch not in explained for x in excess),
        "root": tree.root if tree else None, **(_level_context(e, entry, top, lang) if top else {}),
        "whatif_methods": WHATIF_METHODS, "method_refused": refused,
        **(seat_context(entry, lang, method, people) if entry["method"] == "tehran-pr" else {}),
    })


_cached_contest_page = cached_page(election_key, vary=_contest_query)(_contest_page)


def _back_with_error(election: str, contest: str, exc: DomainError) -> HttpResponse:
    from urllib.parse import urlencode

    from django.urls import reverse

    message = exc.message_en if get_language() == "en" else exc.message_fa
    url = reverse("results:contest", kwargs={"election": election, "contest": contest})
    return redirect(f"{url}?{urlencode({'error': message})}")


@login_required
@require_POST
def compute(request: HttpRequest, election: str, contest: str) -> HttpResponse:
    c = get_object_or_404(Contest, election__code=election, code=contest)
    try:
        do_compute_result(c, acting_user=request.user, reason=request.POST.get("reason", "")[:2000])
    except DomainError as exc:
        return _back_with_error(election, contest, exc)
    return redirect("results:contest", election=election, contest=contest)


@login_required
@require_POST
def certify(request: HttpRequest, election: str, contest: str, version: int) -> HttpResponse:
    v = get_object_or_404(ResultVersion, contest__election__code=election, contest__code=contest, version=version)
    try:
        do_certify(v, request.POST.get("step", ""), acting_user=request.user,
                   reason=request.POST.get("reason", "")[:4000])
    except DomainError as exc:
        return _back_with_error(election, contest, exc)
    return redirect("results:contest", election=election, contest=contest)


@cached_page(election_key, seconds=RESULTS_SECONDS)
def branch_page(request: HttpRequest, election: str, branch: str) -> HttpResponse:
    e = _election(election)
    b = get_object_or_404(Branch.objects.select_related("area"), election=e, code=branch)
    counted = CountedReport.objects.filter(branch=b).select_related("report").first()
    report = counted.report if counted else None
    others = BranchReport.objects.filter(branch=b).exclude(pk=report.pk if report else None)
    qr = []
    if report is not None:
        qr = [{"text": text, "n": n} for n, text in enumerate(_qr_texts(report), start=1)]
    doc = report.document["report"] if report else None
    places = _branch_places(e, b, doc, _lang())
    return render(request, "results/branch.html", {
        "election": e, "branch": b, "report": report, "doc": doc, "places": places,
        "contest_names": {p["code"]: p["name"] for p in places},
        "source": source_label(doc.get("source")) if doc else None,
        "signature": report.document["signature"] if report else "", "qr": qr, "others": others,
    })


def _branch_places(e: Election, b: Branch, doc: dict | None, lang: str) -> list[dict]:
    """Per contest of the branch: the way up to the contest (area links) and a chart of the branch's votes."""
    data = read_results(e)
    entries = {x["code"]: x for x in data["contests"]}
    names = {a["code"]: a for a in data["areas"]}
    trees = contest_trees(e)
    tallies = {t["code"]: t for t in (doc or {}).get("contests", [])}
    path = [p for p in b.area.path.split("/") if p]
    out = []
    for code, tree in sorted(trees.items()):
        if b.code not in tree.members or code not in entries:
            continue
        entry = entries[code]
        chain = [(a, _name(names.get(a, {"name_fa": a, "name_en": a}), lang))
                 for a in path[max(len(tree.top) - 1, 0):]]
        chart = ""
        if code in tallies:
            votes = tallies[code].get("candidates", {})
            rows = sorted(((_name(c, lang), votes.get(c["code"], 0)) for c in entry["candidates"]),
                          key=lambda r: -r[1])[:TOP_CANDIDATES]
            chart = value_bars(rows, title=_("Votes of the leading candidates in this branch"), axis=_("votes"),
                               lang=lang, css="bars candidates-chart")
        out.append({"code": code, "name": _name(entry, lang), "chain": chain, "chart": chart})
    return out


def _qr_texts(report: BranchReport) -> list[str]:
    return memo(f"qr-{report.sha256}", 3600,
                lambda: qr_payloads(SignedReport(report.document["report"], report.document["signature"])))


def _qr_etag(request: HttpRequest, election: str, branch: str, n: int) -> str | None:
    sha = (CountedReport.objects.filter(election__code=election, branch__code=branch)
           .values_list("sha256", flat=True).first())
    return f"{sha[:32]}-{n}" if sha else None


@etag(_qr_etag)
def branch_qr(request: HttpRequest, election: str, branch: str, n: int) -> HttpResponse:
    """One QR code of a branch's counted report as SVG: immutable for that report, so cacheable for long."""
    counted = get_object_or_404(CountedReport.objects.select_related("report"), election__code=election,
                                branch__code=branch)
    report = counted.report
    texts = _qr_texts(report)
    if not 1 <= n <= len(texts):
        raise Http404("no such code")

    def draw() -> bytes:
        out = io.BytesIO()
        # A fixed mask skips segno's search over the eight masks (≈ 3× faster); any mask scans the same.
        segno.make(texts[n - 1], error="m", mask=0).save(out, kind="svg", scale=2, border=2)
        return out.getvalue()

    response = HttpResponse(memo(f"qr-{report.sha256}-{n}", 3600, draw), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@cached_page(election_key, vary=_turnout_query)
def turnout_page(request: HttpRequest, election: str) -> HttpResponse:
    e = _election(election)
    area_code = request.GET.get("area", "")
    area = Area.objects.filter(code=area_code).first() if area_code else None
    contest_code = request.GET.get("contest", "")
    contest = Contest.objects.filter(election=e, code=contest_code).first() if contest_code else None
    rows = hourly(e, area_path=area.path if area else None, contest=contest)
    lang = _lang()
    labels = [(f"{h.hour:02d}" if lang == "en" else to_persian_digits(f"{h.hour:02d}"), n, r)
              for h, n, r in rows]
    now = turnout_for(e)
    names = {a.code: a for a in Area.objects.filter(code__in=now.by_area)}
    areas = sorted(((names[c], f) for c, f in now.by_area.items() if c in names), key=lambda p: p[0].path)
    announced = list(TurnoutAnnouncement.objects.filter(election=e))
    slots = [s for s in announcement_slots(e) if s not in {a.slot for a in announced}]
    return render(request, "results/turnout.html", {
        "election": e, "now": now, "areas": areas, "area": area, "contest": contest,
        "chart": hourly_bars(labels, title=gettext_in(lang, "Check-ins by hour"),
                             lang=lang),
        "hours": rows, "announced": announced, "slots": slots,
        "contests": Contest.objects.filter(election=e).order_by("code"),
        "contest_rows": [(c, now.by_contest[c.code]) for c in Contest.objects.filter(election=e)
                         .select_related("area").order_by("code") if c.code in now.by_contest],
        "can_announce": request.user.has_perm("results.add_turnoutannouncement"),
        "error": request.GET.get("error", ""),
    })


@login_required
@require_POST
def announce(request: HttpRequest, election: str) -> HttpResponse:
    e = _election(election)
    try:
        slot = dt.datetime.fromisoformat(request.POST.get("slot", "")).astimezone(TEHRAN)
        do_announce_turnout(e, slot, acting_user=request.user)
    except ValueError as exc:
        if not isinstance(exc, DomainError):
            exc = DomainError("the time of the figure is not valid", code="bad_slot")
        from urllib.parse import urlencode

        from django.urls import reverse

        message = exc.message_en if get_language() == "en" else exc.message_fa
        return redirect(reverse("results:turnout", kwargs={"election": election}) + "?" +
                        urlencode({"error": message}))
    return redirect("results:turnout", election=election)


def check_page(request: HttpRequest, election: str) -> HttpResponse:
    e = _election(election)
    verdict, error, pasted = None, "", ""
    if request.method == "POST":
        pasted = request.POST.get("codes", "")
        try:
            texts = split_pasted(pasted)
            probe = check_posted(texts, {})  # which branch the posted report names
            published = {}
            counted = (CountedReport.objects.filter(election=e, branch__code=probe.branch).select_related("report")
                       .first())
            if counted is not None:
                published[probe.branch] = counted.report.document
            verdict = check_posted(texts, published, hq_public_key=hq_key().public_hex)
        except DomainError as exc:
            error = exc.message_en if get_language() == "en" else exc.message_fa
    status = 400 if error else 200
    return render(request, "results/check.html", {"election": e, "verdict": verdict, "error": error,
                                                  "pasted": pasted}, status=status)


def open_data_page(request: HttpRequest, election: str) -> HttpResponse:
    e = _election(election)
    snap = latest_snapshot(e)
    files = []
    if snap is not None:
        import json

        index = json.loads((snap / "index.json").read_text())
        files = index["index"]["files"]
    return render(request, "results/open_data.html", {"election": e, "snapshot": snap, "files": files})


def open_data_file(request: HttpRequest, election: str, name: str) -> FileResponse:
    e = _election(election)
    snap = latest_snapshot(e)
    if snap is None:
        raise Http404("nothing published yet")
    target = (snap / name).resolve()
    if snap.resolve() not in target.parents or not target.is_file():
        raise Http404("no such file")
    content_type = "text/csv; charset=utf-8" if name.endswith(".csv") else "application/json"
    return FileResponse(target.open("rb"), content_type=content_type, as_attachment=name != "index.json",
                        filename=Path(name).name)



# ----------------------------------------------------------------------------- drill-down and branch search

TOP_CANDIDATES = 10  # bars in a candidates chart; the table below it lists every candidate
BRANCHES_PER_PAGE = 50


def _name(row: dict, lang: str) -> str:
    return (row.get("name_en") or row.get("name_fa", "")) if lang == "en" else (row.get("name_fa") or
                                                                                row.get("name_en", ""))


def _figures(e: Election) -> dict[str, tuple[int, int]]:
    return {code: (f.checkins, f.eligible) for code, f in turnout_for(e).by_branch.items()}


def _candidate_chart(entry: dict, candidates: list[dict], lang: str) -> str:
    rows = [(_name(c, lang), c["votes"]) for c in candidates[:TOP_CANDIDATES]]
    return value_bars(rows, title=_("Votes of the leading candidates"), axis=_("votes"), lang=lang,
                      css="bars candidates-chart")


def _progress_chart(level: Level, lang: str) -> str:
    rows = [(n.name(lang), n.progress.reported, n.progress.expected) for n in level.children]
    return progress_bars(rows, title=_("Branches reported by area"), axis=_("branches reported"), lang=lang)


def _branch_rows(e: Election, codes: list[str] | None = None, branches: list[Branch] | None = None) -> list[dict]:
    """One row per branch for the lists: where, whether counted, its digest, ballots and source."""
    if branches is None:
        branches = list(Branch.objects.filter(election=e, code__in=codes or []).select_related("area")
                        .order_by("code"))
    ids = [b.pk for b in branches]
    counted = counted_of(ids)
    set_aside = set(ReportConflict.objects.filter(branch_id__in=ids).values_list("branch_id", flat=True))
    rows = []
    for b in branches:
        c = counted.get(b.pk)
        rows.append({"branch": b, "counted": c, "source": source_label(c["report__source"]) if c else None,
                     "set_aside": b.pk in set_aside})
    return rows


def _level_context(e: Election, entry: dict, level: Level, lang: str) -> dict:
    candidates = ranked_candidates(entry, level.tally)
    return {"level": level, "candidates": candidates, "candidates_chart": _candidate_chart(entry, candidates, lang),
            "progress_chart": _progress_chart(level, lang) if level.children else "",
            "branch_rows": _branch_rows(e, list(level.branches))}


@cached_page(election_key)
def area_page(request: HttpRequest, election: str, contest: str, area: str) -> HttpResponse:
    """One area of one contest: totals, turnout, progress, a chart, its sub-areas and branches."""
    e = _election(election)
    c = get_object_or_404(Contest.objects.select_related("area"), election=e, code=contest)
    data = read_results(e)
    entry = next((x for x in data["contests"] if x["code"] == c.code), None)
    tree = contest_trees(e).get(c.code)
    if entry is None or tree is None:
        raise Http404("no result for this contest")
    try:
        level = tree.level(area, entry, {a["code"]: a for a in data["areas"]}, _figures(e))
    except UnknownArea as exc:
        raise Http404(exc.message_en) from exc
    lang = _lang()
    return render(request, "results/area.html", {
        "election": e, "contest": c, "entry": entry, "is_root": area == tree.root,
        **_level_context(e, entry, level, lang),
    })


@cached_page(election_key, seconds=SEARCH_SECONDS, vary=_search_query, alias="search")
@cached_page(election_key, seconds=RESULTS_SECONDS, vary=_branches_query)
def branches_page(request: HttpRequest, election: str) -> HttpResponse:
    """Every branch, searchable by code and venue name (cached by page; a search in its own small cache)."""
    e = _election(election)
    query = normalise_query(request.GET.get("q", ""))
    found = Paginator(search_branches(e, query), BRANCHES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "results/branches.html", {
        "election": e, "q": query, "found": found, "rows": _branch_rows(e, branches=list(found.object_list)),
        "total": found.paginator.count,
    })


def branch_report_json(request: HttpRequest, election: str, branch: str) -> HttpResponse:
    """The counted report as signed (e-box or, for paper, HQ) in its canonical bytes: ``sha256sum`` gives its digest."""
    counted = get_object_or_404(CountedReport.objects.select_related("report"), election__code=election,
                                branch__code=branch)
    body = canonical_json(counted.report.document)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{branch}.json"'
    response["ETag"] = f'"{counted.sha256[:32]}"'
    response["Cache-Control"] = "public, max-age=86400"
    return response
