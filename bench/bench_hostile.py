"""Server-side cost of refusing hostile device messages: the old lean path ("peer") against the edge reader.

1. A scratch SQLite database in a temporary folder: migrate, small demo, one enrolled
   authentication device (``entekhab.hq.polling.loadgen``).
2. Bodies: a 19 MB message of vote-record-shaped padding with a bad signature; JSON
   nested 1,000 deep inside a check-in; a check-in with a float in its body; a check-in
   with a bad signature (~400 B); and a bad-signature message the size of the largest
   honest one (a 3,000-voter branch report on the Tehran ballot, ~2.0 MB); and 8 MB of
   empty arrays (under the size limit: refused by counting values before parsing).
3. Each body goes through the lean WSGI path as a crafted environ: the peer is a copy of
   the old path kept here (read up to 20 MB, ``json.loads``, ``handle_message``, the
   second authentication of a refused message), the new one is
   ``entekhab.hq.polling.wsgi.application``. The best of several runs, in milliseconds,
   the status each answered, and the ratio peer/new.

The honest-size and bad-signature rows should be near 1: the edge reader adds a walk
for depth and text, and a signature must still be checked over the whole message.

Run: ``.venv/bin/python bench/bench_hostile.py [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

TMP = tempfile.mkdtemp(prefix="entekhab-bench-hostile-")
os.environ.update({"ENTEKHAB_DATA_DIR": TMP, "DATABASE_URL": f"sqlite:///{TMP}/bench.sqlite3",
                   "DJANGO_SETTINGS_MODULE": "entekhab.hq.settings", "ENTEKHAB_LOG_LEVEL": "CRITICAL"})

PATH = "/api/v1/polling/messages"
PEER_MAX_BODY = 20 * 1024 * 1024

# One vote record of the longest ballot (Tehran: 30 + 21 + 16 seats, and a by-election of 5).
RECORD = {"style": "TEHRAN-01", "contests": {
    "MAJLES": [f"{1000 + i}" for i in range(30)], "COUNCIL": [f"{2000 + i}" for i in range(21)],
    "EXPERTS": [f"{3000 + i}" for i in range(16)], "BY": [f"{4000 + i}" for i in range(5)]}}


# -- the old path, kept as it was before issue 12 ------------------------------------------------


def peer_handle_raw(raw: bytes) -> tuple[int, dict[str, Any]]:
    from django.db import OperationalError

    from entekhab.domain.errors import DomainError
    from entekhab.hq.polling import actions
    from entekhab.hq.polling.endpoint import refusal_body
    from entekhab.hq.polling.errors import PollingRefused

    payload: object = None
    try:
        try:
            payload = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise PollingRefused("the body is not JSON", code="bad_message") from exc
        return 200, actions.handle_message(payload)
    except PollingRefused as exc:
        with contextlib.suppress(DomainError):  # the old record_refused_report authenticated again
            actions._authenticate(payload)
        return refusal_body(exc)
    except DomainError as exc:
        return refusal_body(exc)
    except OperationalError:
        return 503, {"code": "busy"}


def peer_lean(environ: dict[str, Any]) -> int:
    from django.core import signals

    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if not 0 <= length <= PEER_MAX_BODY:
        return 413
    raw = environ["wsgi.input"].read(length)
    signals.request_started.send(sender=None, environ=environ)
    try:
        return peer_handle_raw(raw)[0]
    except Exception:  # the old path let these escape: gunicorn answered an HTML 500
        return 500
    finally:
        signals.request_finished.send(sender=None)


def new_lean(environ: dict[str, Any]) -> int:
    from entekhab.hq.polling.wsgi import application

    seen: list[int] = []
    b"".join(application(environ, lambda status, headers: seen.append(int(status.split()[0]))))
    return seen[0]


# -- bodies --------------------------------------------------------------------------------------


def bodies(cred: Any) -> dict[str, bytes]:
    from entekhab.hq.polling.loadgen import voters

    def envelope(seq: int, body: dict[str, Any]) -> dict[str, Any]:
        return {"device": cred.serial, "election": cred.election, "branch": cred.branch, "seq": seq,
                "kind": "checkin", "body": body}

    voter = voters(1, seed=12)[0]
    checkin = {"national_code": voter, "fingerprint": "matched"}
    bad_signature = "00" * 64
    honest_size = {"envelope": {**envelope(7, {"records": [RECORD] * 3000}), "kind": "branch_report"},
                   "signature": bad_signature}
    huge = {"envelope": envelope(8, {"records": [RECORD] * 30_000}), "signature": bad_signature}
    deep = json.dumps({"envelope": envelope(9, {**checkin, "x": "DEEP"}), "signature": cred.key.sign(b"x").hex()})
    floaty = json.dumps({"envelope": envelope(10, {**checkin, "x": "F"}), "signature": bad_signature})
    return {
        "19 MB body": json.dumps(huge).encode(),
        "nested 1,000 deep": deep.replace('"DEEP"', "[" * 1000 + "]" * 1000).encode(),
        "float in body": floaty.replace('"F"', "1.5").encode(),
        "bad signature (check-in)": json.dumps({"envelope": envelope(11, checkin),
                                                "signature": bad_signature}).encode(),
        "bad signature (honest max size)": json.dumps(honest_size).encode(),
        "8 MB of tiny arrays": b"[" + b"[]," * 2_700_000 + b"[]]",
    }


def environ_for(raw: bytes) -> dict[str, Any]:
    return {"REQUEST_METHOD": "POST", "PATH_INFO": PATH, "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(raw)), "wsgi.input": io.BytesIO(raw), "SERVER_NAME": "bench",
            "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr}


def best(fn: Callable[[dict[str, Any]], int], raw: bytes, repeat: int) -> tuple[float, int]:
    times, status = [], 0
    for _ in range(repeat):
        environ = environ_for(raw)
        start = time.perf_counter()
        status = fn(environ)
        times.append(time.perf_counter() - start)
    return min(times) * 1000, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    from entekhab.hq.polling.loadgen import Credential, _prepare_here

    cred = Credential(**_prepare_here(1)[0])
    import logging

    logging.disable(logging.CRITICAL)
    print(f"{'body':34} {'bytes':>11} {'peer ms':>9} {'peer':>5} {'new ms':>9} {'new':>5} {'peer/new':>9}")
    for name, raw in bodies(cred).items():
        repeat = 3 if len(raw) > 10_000_000 else args.repeat
        peer_ms, peer_status = best(peer_lean, raw, repeat)
        new_ms, new_status = best(new_lean, raw, args.repeat)
        print(f"{name:34} {len(raw):>11,} {peer_ms:>9.2f} {peer_status:>5} {new_ms:>9.2f} {new_status:>5} "
              f"{peer_ms / new_ms:>8.1f}×")


if __name__ == "__main__":
    main()
