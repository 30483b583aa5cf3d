"""What the public pages read, cached in each worker process (pages under load).

Correctness does not rest on a timeout: the results key names the last counted report
and the last publication, so a new report or a newly published result is seen at once;
the timeouts only bound memory and the staleness of live turnout. The memo is a plain
process-local dict (no pickling, unlike Django's local-memory cache), bounded in size.
Anonymous visitors get whole rendered pages from it; signed-in staff never do.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from entekhab.hq.elections.models import Election
from entekhab.hq.results.actions import public_results
from entekhab.hq.results.models import CountedReport, ReportConflict, ResultVersion
from entekhab.hq.results.totals import absorb_new_reports
from entekhab.hq.results.turnout import Turnout, turnout
from entekhab.publication.charts import Slice, colours, hemicycle, quota_bars

CACHE_SECONDS = 15
PAGE_SECONDS = 10
ABSORB_EVERY = 2  # seconds: a page view looks for reports not yet counted at most this often
MEMO_SIZE = 512
_memo: OrderedDict[str, tuple[float, Any]] = OrderedDict()
_lock = threading.Lock()


def memo(key: str, seconds: float, compute: Callable[[], Any]) -> Any:
    now = time.monotonic()
    with _lock:
        hit = _memo.get(key)
        if hit is not None and hit[0] > now:
            _memo.move_to_end(key)
            return hit[1]
    value = compute()
    with _lock:
        _memo[key] = (now + seconds, value)
        _memo.move_to_end(key)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return value


def peek(key: str) -> Any:
    """The memoised value, or None when absent or expired."""
    with _lock:
        hit = _memo.get(key)
    return hit[1] if hit is not None and hit[0] > time.monotonic() else None


def clear_memo() -> None:
    with _lock:
        _memo.clear()


def results_key(election: Election) -> str:
    """Changes whenever a report is counted or set aside, or a result is published."""
    last_report = CountedReport.objects.filter(election=election).aggregate(n=Max("id"))["n"]
    last_conflict = ReportConflict.objects.filter(election=election).aggregate(n=Max("id"))["n"]
    last_publication = ResultVersion.objects.filter(contest__election=election).aggregate(n=Max("confirmed_at"))["n"]
    stamp = last_publication.timestamp() if last_publication else 0
    return f"{election.pk}-{last_report}-{last_conflict}-{stamp}"


def results_for(election: Election) -> dict[str, Any]:
    """results.json as it stands; recomputed only when a report is counted or a version moves."""
    memo(f"absorbed-{election.pk}", ABSORB_EVERY, lambda: absorb_new_reports(election))
    return memo(f"results-{results_key(election)}", 300, lambda: public_results(election))


def cached_page(key_of: Callable[..., str], seconds: float = PAGE_SECONDS) -> Callable:
    """Serve anonymous GETs of a public page from the memo, keyed by path, language and ``key_of``."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def cached(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET" or request.user.is_authenticated:
                return view(request, *args, **kwargs)
            key = f"page|{request.get_full_path()}|{get_language()}|{key_of(*args, **kwargs)}"
            hit = peek(key)
            if hit is not None:
                content, content_type = hit
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                with _lock:
                    _memo[key] = (time.monotonic() + seconds, (response.content, response["Content-Type"]))
            return response

        return cached

    return wrap


def election_key(election: str, *args: Any, **kwargs: Any) -> str:
    """The results key of an election code (an unknown code gets a key too; the view answers 404)."""
    e = Election.objects.filter(code=election).first()
    if e is None:
        return "none"
    # Reports are counted on arrival (after the intake commits); pages look again every few seconds.
    memo(f"absorbed-{e.pk}", ABSORB_EVERY, lambda: absorb_new_reports(e))
    return results_key(e)


def turnout_key(election: str, *args: Any, **kwargs: Any) -> str:
    return f"{election_key(election)}-{int(time.time() // PAGE_SECONDS)}"


def group_label(entry: dict[str, Any], gid: str, lang: str) -> str:
    if gid == "independents":
        return "منفردها" if lang != "en" else "Independents"
    for x in entry["lists"]:
        if x["id"] == gid:
            return (x["title_en"] or x["title_fa"]) if lang == "en" else (x["title_fa"] or x["title_en"])
    return gid


def seat_charts(entry: dict[str, Any], lang: str) -> dict[str, str]:
    """The hemicycle of seats per list and the share-against-quota bars (proportional contests)."""
    result = entry["result"]
    seats = result["group_seats"]
    votes = result.get("group_votes", {})
    order = [x["id"] for x in entry["lists"]] + (["independents"] if "independents" in seats else [])
    palette = colours(order)
    slices = [Slice(g, group_label(entry, g, lang), seats.get(g, 0), palette[g]) for g in order if seats.get(g)]
    fa = lang != "en"
    out = {"hemicycle": hemicycle(slices, title="کرسی‌ها به تفکیک فهرست" if fa else "Seats per list", lang=lang)}
    total = sum(votes.values())
    if total and entry["seats"]:
        quota = Fraction(total, entry["seats"])
        groups = [(group_label(entry, g, lang), palette[g], votes.get(g, 0), seats.get(g, 0)) for g in order]
        out["quota"] = quota_bars(groups, quota, title="سهم هر فهرست بر حسب سهمیه" if fa else "Share in quotas",
                                  lang=lang)
    return out


def turnout_for(election: Election) -> Turnout:
    """Live turnout, recomputed at most every few seconds per process (a count over every check-in)."""
    return memo(f"turnout-{election.pk}", CACHE_SECONDS, lambda: turnout(election))
