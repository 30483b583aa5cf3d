"""Open data publications at HQ: one signed set, written once, served and exported as is.

A publication is a folder ``OPEN_DATA_DIR/<election>/<UTC time>/`` (never overwritten),
built by :func:`entekhab.hq.results.actions.open_data` and signed with the HQ key. It is
written when a result is confirmed (certification, and a superseding version likewise) or
on request (``do_publish_open_data``). The public pages serve the latest one, and
``entekhab publish DIR`` copies that same folder byte for byte, so what the site serves,
what the command writes and what ``entekhab recount`` checks are one set of files.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from entekhab.domain.lifecycle import AFTER_POLLING
from entekhab.hq.accounts.guard import authorize
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Election
from entekhab.hq.results.actions import open_data
from entekhab.publication.index import INDEX_FILE
from entekhab.publication.opendata import write_open_data


def snapshots_dir(election: Election) -> Path:
    return Path(settings.OPEN_DATA_DIR) / election.code


def latest_snapshot(election: Election) -> Path | None:
    """The publication in force: the newest complete folder (one being written is hidden until renamed)."""
    root = snapshots_dir(election)
    if not root.is_dir():
        return None
    done = sorted(p for p in root.iterdir() if not p.name.startswith(".") and (p / INDEX_FILE).is_file())
    return done[-1] if done else None


def _stamp(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _summary(directory: Path, files: dict[str, bytes], generated: str, snapshot: str | None) -> dict[str, Any]:
    return {"directory": str(directory), "files": len(files), "bytes": sum(map(len, files.values())),
            "generated": generated, "snapshot": snapshot}


def write_publication(election: Election, *, acting_user: Any, now: dt.datetime | None = None,
                      reason: str = "") -> Path:
    """Build, sign and store a new publication; the caller has authorized ``acting_user``.

    Publications are serialised by a lock file (two confirmations at once give two folders in
    the order they were built), written under a hidden name and renamed when complete, so the
    site never serves half a folder.
    """
    root = snapshots_dir(election)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        now = max(now or dt.datetime.now(dt.UTC), dt.datetime.now(dt.UTC))
        name = now.strftime("%Y%m%dT%H%M%S%fZ")
        latest = latest_snapshot(election)
        if latest is not None and latest.name >= name:  # the names must keep the order of publication
            name = f"{latest.name}+"
        files = open_data(election, generated=_stamp(now))
        partial = root / f".{name}"
        shutil.rmtree(partial, ignore_errors=True)
        write_open_data(partial, files)
        target = root / name
        os.replace(partial, target)
    with transaction.atomic():
        record(actor=acting_user, action=Event.RESULTS_PUBLISH_OPEN_DATA, target=election,
               after={"folder": target.name, "files": len(files)}, reason=reason)
    return target


def do_publish_open_data(election: Election, *, acting_user: Any, now: dt.datetime | None = None) -> Path:
    """A new signed publication under the data directory, served by the open data page."""
    authorize(acting_user, "results.add_resultversion", election, states=AFTER_POLLING,
              what="publishing the open data")
    return write_publication(election, acting_user=acting_user, now=now)


def publish_to(election: Election, directory: Path, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Write the open data folder to ``directory`` (which must be empty or absent).

    The latest publication is copied byte for byte: the set the site serves. Before the first
    one there is nothing published to copy, so the set is built as it stands (every result
    provisional or as certified so far), exactly as the first publication would build it.
    """
    directory = Path(directory)
    latest = latest_snapshot(election)
    if latest is None:
        generated = _stamp(now or dt.datetime.now(dt.UTC))
        files = open_data(election, generated=generated)
        write_open_data(directory, files)
        return _summary(directory, files, generated, None)
    files = {p.relative_to(latest).as_posix(): p.read_bytes() for p in sorted(latest.rglob("*")) if p.is_file()}
    write_open_data(directory, files)
    generated = str(json.loads(files[INDEX_FILE])["index"].get("generated", ""))
    return _summary(directory, files, generated, latest.name)
