"""Benchmark: the cost of the guard per request, before (a model-level ``has_perm``) and after
(``authorize``: role permission on the object through the appointment's area, plus the
election's state read fresh from the database).

Setup (not measured): a scratch SQLite database with the small demo election and two users:
an executive board member appointed for county P23-C02 and HQ for the whole election. Each
figure is the mean over ``BENCH_GUARD_CALLS`` (default 20,000) calls, with a fresh user object
every call, as a request gets one (so nothing is cached across requests).

    .venv/bin/python bench/bench_guard.py
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time

TMP = tempfile.mkdtemp(prefix="entekhab-bench-guard-")
os.environ.update({"ENTEKHAB_DATA_DIR": TMP, "DATABASE_URL": f"sqlite:///{TMP}/bench.sqlite3",
                   "DJANGO_SETTINGS_MODULE": "entekhab.hq.settings", "ENTEKHAB_LOG_LEVEL": "CRITICAL"})
N = int(os.environ.get("BENCH_GUARD_CALLS", "20000"))


def timed(label: str, fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    per_call = (time.perf_counter() - start) / n * 1e6
    print(f"  {label:<58} {per_call:9.1f} µs/call")
    return per_call


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.exceptions import PermissionDenied
    from django.core.management import call_command

    from entekhab.domain.lifecycle import ElectionState
    from entekhab.hq.accounts.actions import bootstrap_appointment
    from entekhab.hq.accounts.guard import authorize
    from entekhab.hq.demo.load import load_demo
    from entekhab.hq.elections.models import Contest
    from entekhab.hq.geography.models import Area

    call_command("migrate", verbosity=0)
    load_demo("small", 1405)
    board = User.objects.create(username="bench-board")
    bootstrap_appointment(board, "executive_board", by="bench", area=Area.objects.get(code="P23-C02"))
    hq = User.objects.create(username="bench-hq")
    bootstrap_appointment(hq, "hq_admin", by="bench")
    contest = Contest.objects.select_related("area").get(election__code="1405", code="council-p23-c02-t02")
    other = Contest.objects.select_related("area").get(election__code="1405", code="council-p23-c03-t02")
    perm, states = "results.approve_resultversion", {ElectionState.LISTS_FINAL}

    def user(pk):  # a request loads its user afresh: no permission cache survives between requests
        return User.objects.get(pk=pk)

    print(f"guard cost per request ({N:,} calls each, SQLite, one process)")
    base = timed("load the request's user (common to both)", lambda: user(board.pk), N)
    before = timed("before: user.has_perm(perm)  (model level, global)",
                   lambda: user(board.pk).has_perm(perm), N) - base
    after = timed("after: authorize(user, perm, contest, states)  (own county)",
                  lambda: authorize(user(board.pk), perm, contest, states=states), N) - base

    def refused():
        with contextlib.suppress(PermissionDenied):  # the refusal is what is timed
            authorize(user(board.pk), perm, other, states=states)

    denied = timed("after: the same, refused (another county)", refused, N) - base
    whole = timed("after: HQ appointed for the whole election",
                  lambda: authorize(user(hq.pk), "results.add_resultversion", contest, states=states), N) - base
    print(f"  net of loading the user: before {before:.1f} µs, after {after:.1f} µs (×{after / before:.2f}), "
          f"refused {denied:.1f} µs, HQ-wide {whole:.1f} µs")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
