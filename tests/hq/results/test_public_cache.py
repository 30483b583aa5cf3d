"""Public pages under load: a GET never writes, cached pages are keyed so a query string cannot
flood the cache, and with Redis a page is served from Redis until a new report or result."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from typer.testing import CliRunner

from entekhab.cli import app
from entekhab.hq.accounts.roles import Role
from entekhab.hq.elections.models import Branch, Contest
from entekhab.hq.polling.models import BranchReport
from entekhab.hq.results.actions import do_certify, do_compute_result
from entekhab.hq.results.models import CountedReport
from entekhab.hq.results.polling_day import store_polling_day
from entekhab.hq.results.totals import absorb_new_reports

REDIS_URL = "redis://127.0.0.1:6379/2"  # database 2 only; keys of a test carry their own prefix
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE|REPLACE)\b|\bFOR\s+(NO\s+KEY\s+)?UPDATE\b", re.I)


@pytest.fixture
def counted(election, polling_day):
    absorb_new_reports(election)
    return polling_day


def _late_report(election) -> Branch:
    """A report stored but not yet counted (its after-commit hook does not run inside a test's transaction)."""
    branch = Branch.objects.filter(election=election, counted_report__isnull=True,
                                   ballot_style__isnull=False).first()
    if branch is None:
        branch = Branch.objects.filter(election=election, ballot_style__isnull=False).order_by("-number").first()
        CountedReport.objects.filter(branch=branch).delete()
        BranchReport.objects.filter(branch=branch).delete()
    store_polling_day(election, seed=7, voters=(3, 3), branches=[branch])
    return branch


def _public_urls(election) -> list[str]:
    e = election.code
    counted = CountedReport.objects.filter(election=election).select_related("branch").first().branch.code
    return [
        reverse("results:index"),
        reverse("results:election", args=[e]),
        reverse("results:contest", args=[e, "council-tehran"]),
        reverse("results:contest", args=[e, "experts-tehran"]) + "?area=P23-C01",
        reverse("results:area", args=[e, "council-tehran", "P23-C01"]),
        reverse("results:branches", args=[e]),
        reverse("results:branches", args=[e]) + "?q=C01&page=2",
        reverse("results:branch", args=[e, counted]),
        reverse("results:branch_report_json", args=[e, counted]),
        reverse("results:branch_qr", args=[e, counted, 1]),
        reverse("results:turnout", args=[e]),
        reverse("results:turnout", args=[e]) + "?area=P23-C01",
        reverse("results:open_data", args=[e]),
        reverse("results:check", args=[e]),
        f"/api/v1/results/{e}",
        f"/api/v1/results/{e}/turnout",
    ]


def test_no_public_results_page_writes_or_locks_on_a_get(client, election, counted):
    _late_report(election)  # the old pages counted it on a GET, under a lock on the election row
    statements: list[str] = []

    def spy(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    before = CountedReport.objects.count()
    with connection.execute_wrapper(spy):
        for _ in range(2):  # a miss, then a hit
            for url in _public_urls(election):
                assert client.get(url).status_code in (200, 302), url
    assert statements, "the spy saw no SQL"
    assert [sql for sql in statements if WRITE.search(sql)] == []
    assert CountedReport.objects.count() == before


def test_the_absorb_command_counts_what_the_intake_left(election, counted):
    branch = _late_report(election)
    result = CliRunner().invoke(app, ["results", "absorb", "--election", election.code, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1]) == {"election": "1405", "counted": 1, "set_aside": 0}
    assert CountedReport.objects.filter(branch=branch).exists()
    again = CliRunner().invoke(app, ["results", "absorb", "--json"])
    assert json.loads(again.output.strip().splitlines()[-1])["counted"] == 0
    assert CliRunner().invoke(app, ["results", "absorb", "--election", "nope"]).exit_code == 2


@pytest.fixture
def page_sets(monkeypatch):
    """The keys of every rendered page stored in the cache."""
    from django.core.cache import caches

    stored: list[str] = []
    shared = caches["default"]
    real = shared.set

    def spy(key, value, timeout=None, **kwargs):
        if isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], bytes):
            stored.append(key)
        return real(key, value, timeout, **kwargs)

    monkeypatch.setattr(shared, "set", spy)
    return stored


@pytest.mark.parametrize("name, args, flood", [
    ("results:election", [], ["x={}", "utm_source={}"]),
    ("results:contest", ["council-tehran"], ["x={}", "area=nowhere-{}", "area=P23-C01&x={}"]),
    ("results:area", ["council-tehran", "P23-C01"], ["x={}"]),
    ("results:branches", [], ["x={}", "page={}0000", "page=-{}", "page=a{}"]),
    ("results:turnout", [], ["x={}", "area=nowhere-{}", "contest=nope-{}"]),
])
def test_query_strings_cannot_flood_the_page_cache(client, election, counted, page_sets, name, args, flood):
    url = reverse(name, args=[election.code, *args])
    for pattern in flood:
        for i in range(8):
            assert client.get(f"{url}?{pattern.format(i)}").status_code == 200
    # Unknown parameters are ignored and unknown codes normalised away: a few entries, not one per query.
    assert len(set(page_sets)) <= len(flood) + 1, page_sets


def test_known_parameters_still_get_their_own_page(client, election, counted, page_sets):
    url = reverse("results:contest", args=[election.code, "experts-tehran"])
    plain = client.get(url).content.decode()
    by_area = client.get(url, {"area": "P23-C01"}).content.decode()
    assert "آرای حوزه" in by_area and "آرای حوزه" not in plain
    assert client.get(url, {"area": "P23-C01", "x": "1"}).content.decode() == by_area
    assert len(set(page_sets)) == 2
    branches = reverse("results:branches", args=[election.code])
    first, second = client.get(branches).content, client.get(branches, {"page": "2"}).content
    assert first != second and client.get(branches, {"page": "1"}).content == first
    # A search never goes to the shared cache (each query would be a new entry there), only to the
    # small per-process search cache, which a flood of queries can only fill with other searches.
    sets = len(page_sets)
    for q in ("C01", "C01-T01", "دبستان", "ي  دبستان"):
        assert client.get(branches, {"q": q}).status_code == 200
    assert len(page_sets) == sets
    assert client.get(branches, {"q": "C01", "x": "1"}).content == client.get(branches, {"q": " C01 "}).content


def test_a_flood_of_searches_stays_in_the_bounded_search_cache(client, election, counted):
    from django.core.cache import caches

    branches = reverse("results:branches", args=[election.code])
    limit = caches["search"]._max_entries
    for i in range(limit + 40):
        assert client.get(branches, {"q": f"C0{i}"}).status_code == 200
    assert len(caches["search"]._cache) <= limit
    assert not any(k.startswith(":1:page:") for k in caches["default"]._cache)


def test_staff_never_get_a_cached_page(client, election, counted, make_user, page_sets):
    client.force_login(make_user(Role.HQ_ADMIN, "hq"))
    assert client.get(reverse("results:contest", args=[election.code, "council-tehran"])).status_code == 200
    assert page_sets == []


# ----------------------------------------------------------------------------- Redis

def _redis():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    return client


@pytest.fixture
def redis_cache():
    """Django's cache on the local Redis (database 2), under a prefix of this test's own, removed after."""
    raw = _redis()
    prefix = f"entekhab-test-{uuid.uuid4().hex[:12]}"
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": prefix}}
    with override_settings(CACHES=caches):
        yield raw, prefix
    for key in raw.scan_iter(match=f"{prefix}:*"):
        raw.delete(key)


def _page_keys(raw, prefix: str) -> list[str]:
    """The cache keys (without the prefix and version) of the rendered pages stored in Redis."""
    return [k.decode().split(":", 2)[2] for k in raw.scan_iter(match=f"{prefix}:*:page:*")]


def _another_worker(prefix: str):
    """A second connection, as another gunicorn worker would have: it shares what is in Redis, nothing else."""
    from django.core.cache.backends.redis import RedisCache

    return RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})


def test_pages_are_served_from_redis_until_a_new_report_or_result(client, election, counted, redis_cache,
                                                                   make_user, counter):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    raw, prefix = redis_cache
    assert isinstance(caches["default"], RedisCache)
    url = reverse("results:election", args=[election.code])
    first = client.get(url)
    assert first.status_code == 200
    [key] = _page_keys(raw, prefix)
    assert any(raw.scan_iter(match=f"{prefix}:*:results:*"))  # results.json too

    other = _another_worker(prefix)
    other.set(key, (b"written by another worker", "text/html; charset=utf-8", time.time() + 60), 60)
    assert client.get(url).content == b"written by another worker"  # served from Redis, not rendered

    # A new report, once counted, changes the key: the page is rendered again, nothing deleted.
    _late_report(election)
    absorb_new_reports(election)
    fresh = client.get(url)
    assert fresh.content != b"written by another worker" and fresh.status_code == 200
    assert raw.exists(f"{prefix}:1:{key}")  # the old entry is still there, simply no longer asked for

    # A newly published result version changes it again.
    [key2] = [k for k in _page_keys(raw, prefix) if k != key]
    other.set(key2, (b"stale again", "text/html; charset=utf-8", time.time() + 60), 60)
    assert client.get(url).content == b"stale again"
    contest = Contest.objects.get(election=election, code="experts-tehran")
    version = do_compute_result(contest, acting_user=counter)
    do_certify(do_certify(version, "approve", acting_user=make_user(Role.EXECUTIVE_BOARD, "exec")), "confirm",
               acting_user=make_user(Role.SUPERVISORY_BOARD, "super"), publish=False)
    assert client.get(url).content not in (b"stale again", b"written by another worker")


def test_what_one_visitor_sends_never_shows_in_the_page_others_get(client, election, counted):
    url = reverse("results:election", args=[election.code])
    assert client.get(url, {"x": "planted-by-a-visitor"}).status_code == 200  # stored first, under the plain key
    assert "planted-by-a-visitor" not in client.get(url).content.decode()  # e.g. the language switch's "next"


def test_a_stale_page_is_served_while_another_worker_renders_it_again(client, election, counted):
    from django.core.cache import caches

    shared = caches["default"]
    url = reverse("results:election", args=[election.code])
    client.get(url)
    [key] = [k.split(":", 2)[2] for k in shared._cache if ":page:" in k]
    shared.set(key, (b"past its freshness", "text/html; charset=utf-8", time.time() - 1), 60)
    assert shared.add(f"{key}:refreshing", 1, 60)  # another worker is rendering it
    assert client.get(url).content == b"past its freshness"  # no stampede: served as it is meanwhile
    shared.delete(f"{key}:refreshing")
    assert client.get(url).content != b"past its freshness"  # nobody refreshing: this request renders it
    assert shared.get(key)[0] != b"past its freshness" and shared.get(f"{key}:refreshing") is None
