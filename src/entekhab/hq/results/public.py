"""What the public pages read, through Django's cache framework (pages under load).

Nothing here writes to the database. Reports are counted when they arrive (the intake's
after-commit hook, ``signals.py``) and by the periodic ``entekhab results absorb`` job, never
on a page view: a GET holds no lock and opens no write transaction.

Correctness does not rest on a timeout: every key carries the election's results stamp
(the last counted report, the last set-aside report, the last publication), so a new report
or a newly published result makes new keys at once and the old entries age out; nothing is
ever deleted. Timeouts bound memory and the staleness of live turnout. The cache is Redis in
production (``REDIS_URL``: one copy shared by every worker), local memory otherwise.

Anonymous visitors get whole rendered pages, keyed by the view's arguments and only the query
parameters the view declares, normalised to what the page actually shows (anything else is
ignored; a free-text search is not cached), so a crafted query string cannot fill the cache.
Signed-in staff, who see the certification buttons, never get a cached page.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import get_language

from entekhab.hq.elections.models import Election
from entekhab.hq.results.actions import public_results
from entekhab.hq.results.models import CountedReport, ReportConflict, ResultVersion
from entekhab.hq.results.turnout import Turnout, turnout
from entekhab.publication.charts import Slice, colours, hemicycle, quota_bars

CACHE_SECONDS = 15  # live turnout
PAGE_SECONDS = 10  # a rendered page that shows live turnout
RESULTS_SECONDS = 300  # what only a new report or publication changes (its key changes with them)
_MISSING = object()

Vary = Callable[..., "tuple[tuple[str, str], ...] | None"]


def memo(key: str, seconds: float, compute: Callable[[], Any]) -> Any:
    """The cached value of ``key``, computed and stored for ``seconds`` on a miss."""
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, seconds)
    return value


def clear_cache() -> None:
    """Empty the cache (tests: SQLite reuses ids after a rollback, so a stamp can come back)."""
    cache.clear()


def _stamp(elections: QuerySet[Election]) -> str | None:
    """The results stamp of the (one) election in ``elections``, in one query; None when there is none."""
    last = {"last_report": CountedReport.objects.filter(election=OuterRef("pk")).order_by("-id").values("id"),
            "last_conflict": ReportConflict.objects.filter(election=OuterRef("pk")).order_by("-id").values("id"),
            "last_publication": ResultVersion.objects.filter(contest__election=OuterRef("pk"),
                                                             confirmed_at__isnull=False)
            .order_by("-confirmed_at").values("confirmed_at")}
    row = (elections.annotate(**{k: Subquery(q[:1]) for k, q in last.items()})
           .values_list("pk", *last).first())
    if row is None:
        return None
    pk, report, conflict, published = row
    return f"{pk}-{report}-{conflict}-{published.timestamp() if published else 0}"


def results_key(election: Election) -> str:
    """Changes whenever a report is counted or set aside, or a result is published."""
    return _stamp(Election.objects.filter(pk=election.pk)) or "none"


def results_for(election: Election) -> dict[str, Any]:
    """results.json as it stands; recomputed only when a report is counted or a version moves."""
    return memo(f"results:{results_key(election)}", RESULTS_SECONDS, lambda: public_results(election))


def no_query(request: HttpRequest, *args: Any, **kwargs: Any) -> tuple[tuple[str, str], ...]:
    """A page that reads no query parameter: any query string gets the same cached page."""
    return ()


def cached_page(key_of: Callable[..., str], seconds: float = PAGE_SECONDS, vary: Vary = no_query) -> Callable:
    """Serve anonymous GETs of a public page from the cache.

    The key is the view, its URL arguments, the language, ``key_of`` (the results stamp) and
    what ``vary`` returns: the normalised query parameters the page depends on, or None when
    this request must not be cached (a free-text search, an error message to show).
    """

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        name = f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def cached(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET" or request.user.is_authenticated:
                return view(request, *args, **kwargs)
            query = vary(request, *args, **kwargs)
            if query is None:
                return view(request, *args, **kwargs)
            # The view sees only the normalised parameters, so what is stored under the key is exactly
            # the page of that key (the language switch's "next" included), whatever else was sent.
            canonical = urlencode(query)
            request.META["QUERY_STRING"] = canonical
            request.GET = QueryDict(canonical)
            parts = [name, list(args), sorted(kwargs.items()), get_language(), list(query), key_of(*args, **kwargs)]
            key = "page:" + hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()
            hit = cache.get(key)
            if hit is not None:
                content, content_type = hit
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                cache.set(key, (response.content, response["Content-Type"]), seconds)
            return response

        return cached

    return wrap


def election_key(election: str, *args: Any, **kwargs: Any) -> str:
    """The results key of an election code (an unknown code gets a key too; the view answers 404)."""
    return _stamp(Election.objects.filter(code=election)) or "none"


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
    """Live turnout, recomputed at most every few seconds (a count over every check-in)."""
    return memo(f"turnout:{election.pk}", CACHE_SECONDS, lambda: turnout(election))
