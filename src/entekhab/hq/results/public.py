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

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import get_language

from entekhab.hq.elections.models import Contest, Election
from entekhab.hq.results.actions import public_results
from entekhab.hq.results.models import CountedReport, ReportConflict, ResultVersion
from entekhab.hq.results.turnout import Turnout, turnout
from entekhab.i18n import gettext_in, pgettext_in
from entekhab.publication.charts import Slice, colours, hemicycle, quota_bars

CACHE_SECONDS = 15  # live turnout
PAGE_SECONDS = 10  # a rendered page that shows live turnout
RESULTS_SECONDS = 300  # what only a new report or publication changes (its key changes with them)
SEARCH_SECONDS = 30  # a branch search, in the bounded per-process ``search`` cache
_MISSING = object()

Vary = Callable[..., "tuple[tuple[str, str], ...] | None"]


def memo(key: str, seconds: float, compute: Callable[[], Any], alias: str = "default") -> Any:
    """The cached value of ``key`` (in the cache ``alias``), computed and stored for ``seconds`` on a miss."""
    store = caches[alias]
    value = store.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        store.set(key, value, seconds)
    return value


# Per process, the last value read of each big stamped entry (results.json, the contest trees): one
# slot per name and election, replaced when the stamp moves, so it holds a few values and cannot grow. What a stamp
# names never changes, so this copy is as correct as the cache's; it saves unpickling ≈ 1.5 MB (≈ 60 ms
# at Tehran scale) on every page the cache misses.
_latest: dict[str, tuple[str, float, Any]] = {}


def stamped(name: str, stamp: str, seconds: float, compute: Callable[[], Any]) -> Any:
    """``memo`` of ``name:stamp``, with the value kept decoded in this process while the stamp holds."""
    held = _latest.get(name)
    now = time.monotonic()
    if held is not None and held[0] == stamp and held[1] > now:
        return held[2]
    value = memo(f"{name}:{stamp}", seconds, compute)
    _latest[name] = (stamp, now + seconds, value)
    return value


STALE_FACTOR = 6  # an entry past its freshness is kept this many times longer, served while one refreshes
LOCK_SECONDS = 60
_held: dict[str, tuple[float, Any]] = {}  # per process: decoded live turnout until its freshness ends


def _refresh_claimed(store: Any, key: str) -> bool:
    """True for the one caller that refreshes an entry past its freshness; the others serve it as it is."""
    return store.add(f"{key}:refreshing", 1, LOCK_SECONDS)


def fresh(key: str, seconds: float, compute: Callable[[], Any], *, hold: bool = False) -> Any:
    """Like :func:`memo`, without a stampede: past ``seconds`` one caller recomputes while the others
    keep the previous value (at Tehran scale the turnout or a page takes about a second, and every
    worker would otherwise take it at the same moment). ``hold`` keeps the value decoded per process
    while it is fresh."""
    now = time.time()
    held = _held.get(key) if hold else None
    if held is not None and held[0] > now:
        return held[1]
    store = caches["default"]
    entry = store.get(key)
    if entry is not None and (entry[1] > now or not _refresh_claimed(store, key)):
        if hold and entry[1] > now:
            _held[key] = (entry[1], entry[0])
        return entry[0]
    value = compute()
    until = time.time() + seconds
    store.set(key, (value, until), seconds * STALE_FACTOR)
    store.delete(f"{key}:refreshing")
    if hold:
        _held[key] = (until, value)
    return value


def clear_cache() -> None:
    """Empty the caches (tests: SQLite reuses ids after a rollback, so a stamp can come back)."""
    _latest.clear()
    _held.clear()
    for alias in ("default", "search"):
        caches[alias].clear()


@functools.cache
def _stamp_sql(where: str) -> str:
    """One round trip, read on every cached page view (the ORM would spend longer building it than the
    database spends answering: a cache hit should cost little more than this query)."""
    election, contest = Election._meta.db_table, Contest._meta.db_table
    counted, conflict, version = (m._meta.db_table for m in (CountedReport, ReportConflict, ResultVersion))
    return (f"SELECT e.id, (SELECT MAX(id) FROM {counted} WHERE election_id = e.id), "
            f"(SELECT MAX(id) FROM {conflict} WHERE election_id = e.id), "
            f"(SELECT MAX(v.confirmed_at) FROM {version} v JOIN {contest} c ON v.contest_id = c.id "
            f"WHERE c.election_id = e.id) FROM {election} e WHERE e.{where} = %s")


def _stamp(where: str, value: Any) -> str:
    """The results stamp of one election: its id, last counted report, last set-aside report, last publication."""
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql(where), [value])
        row = cursor.fetchone()
    return "none" if row is None else "-".join(str(x) for x in row).replace(" ", "T")  # a key has no spaces


def results_key(election: Election) -> str:
    """Changes whenever a report is counted or set aside, or a result is published."""
    return _stamp("id", election.pk)


def results_for(election: Election) -> dict[str, Any]:
    """results.json as it stands; recomputed only when a report is counted or a version moves."""
    return stamped(f"results:{election.pk}", results_key(election), RESULTS_SECONDS, lambda: public_results(election))


def no_query(request: HttpRequest, *args: Any, **kwargs: Any) -> tuple[tuple[str, str], ...]:
    """A page that reads no query parameter: any query string gets the same cached page."""
    return ()


def cached_page(key_of: Callable[..., str], seconds: float = PAGE_SECONDS, vary: Vary = no_query,
                alias: str = "default") -> Callable:
    """Serve anonymous GETs of a public page from the cache ``alias``.

    The key is the view, its URL arguments, the language, ``key_of`` (the results stamp) and
    what ``vary`` returns: the normalised query parameters the page depends on, or None when
    this request must not be cached here (an error message to show; a search, which goes to
    the small ``search`` cache of its own, so that a flood of queries evicts only searches).
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
            store = caches[alias]  # per request: a cache connection belongs to its thread
            hit = store.get(key)
            if hit is not None and (hit[2] > time.time() or not _refresh_claimed(store, key)):
                content, content_type, _ = hit  # fresh, or another worker is rendering it again
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                store.set(key, (response.content, response["Content-Type"], time.time() + seconds),
                          seconds * STALE_FACTOR)
            if hit is not None:
                store.delete(f"{key}:refreshing")
            return response

        return cached

    return wrap


def election_key(election: str, *args: Any, **kwargs: Any) -> str:
    """The results key of an election code (an unknown code gets a key too; the view answers 404)."""
    return _stamp("code", election)


def group_label(entry: dict[str, Any], gid: str, lang: str) -> str:
    if gid == "independents":
        return pgettext_in("en" if lang == "en" else "fa", "group", "Independents")
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
    out = {"hemicycle": hemicycle(slices, title=gettext_in("fa" if fa else "en", "Seats per list"), lang=lang)}
    total = sum(votes.values())
    if total and entry["seats"]:
        quota = Fraction(total, entry["seats"])
        groups = [(group_label(entry, g, lang), palette[g], votes.get(g, 0), seats.get(g, 0)) for g in order]
        out["quota"] = quota_bars(groups, quota, title=gettext_in("fa" if fa else "en", "Share in quotas"),
                                  lang=lang)
    return out


def turnout_for(election: Election) -> Turnout:
    """Live turnout, recomputed by one worker every ``CACHE_SECONDS`` (a count over every check-in), kept
    decoded per process while fresh (≈ 0.3 MB of figures per branch at Tehran scale)."""
    return fresh(f"turnout:{election.pk}", CACHE_SECONDS, lambda: turnout(election), hold=True)
