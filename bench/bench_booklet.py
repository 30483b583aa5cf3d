"""Benchmark: the candidate booklet PDF of the Tehran council (≈ 600 candidates with photos, 30 lists).

Setup (not measured): a scratch data folder with its own SQLite database (or ``DATABASE_URL``),
``migrate`` and the small demo, which holds the Tehran–Rey–Tajrish council at full size.

Prints, for ``GET /candidates/1405/<contest>/booklet.pdf`` through Django's test client:
- the first view (empty PDF cache: HTML built, laid out by WeasyPrint, stored),
- the cached view (HTML built and digested, the stored file read), best of 5,
- a browser revalidating its copy (``If-None-Match`` → 304), best of 5,
- building the HTML alone (the cost every view pays for its key), best of 5,
and the ratio first / cached.

    .venv/bin/python bench/bench_booklet.py
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    scratch = tempfile.mkdtemp(prefix="entekhab-bench-booklet-")
    os.environ["ENTEKHAB_DATA_DIR"] = scratch
    try:
        measure()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def measure() -> None:
    from entekhab.hq.bootstrap import setup

    setup()
    from django.core.management import call_command
    from django.db.models import Count, Q
    from django.test import Client

    from entekhab.domain.vetting import APPROVED_STATES
    from entekhab.hq.candidates.booklet import booklet_html
    from entekhab.hq.demo.load import load_demo
    from entekhab.hq.elections.models import Contest

    call_command("migrate", interactive=False, verbosity=0)
    load_demo("small", 1405)
    approved = [s.value for s in APPROVED_STATES]
    contest = (Contest.objects.filter(election__code="1405")
               .annotate(n=Count("registrations", filter=Q(registrations__state__in=approved)))
               .order_by("-n").select_related("election").first())
    url = f"/candidates/1405/{contest.code}/booklet.pdf"
    client = Client()

    t = time.perf_counter()
    first = client.get(url)
    first_s = time.perf_counter() - t
    assert first.status_code == 200 and first.content.startswith(b"%PDF")

    cached_s = best(lambda: client.get(url))
    etag = first["ETag"]
    revalidate_s = best(lambda: client.get(url, HTTP_IF_NONE_MATCH=etag))
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    html_s = best(lambda: booklet_html(contest))

    print(f"booklet of {contest.code}: {contest.n} candidates, PDF {len(first.content) / 1e6:.1f} MB")
    print(f"  first view (render and store):    {first_s:7.3f} s")
    print(f"  cached view (200, best of 5):     {cached_s:7.3f} s")
    print(f"  revalidated (304, best of 5):     {revalidate_s:7.3f} s")
    print(f"  of which building the HTML key:   {html_s:7.3f} s")
    print(f"  first / cached: {first_s / cached_s:.0f}x")


if __name__ == "__main__":
    main()
