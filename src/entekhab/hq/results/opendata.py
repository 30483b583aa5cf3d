"""Open data snapshots at HQ: the folder ``entekhab publish`` writes, kept under the data directory.

Each publication is a new folder ``DATA_DIR/open-data/<election>/<UTC time>/`` (never
overwritten); the public pages serve the latest one, whose ``index.json`` is signed with
the HQ key.
"""

from __future__ import annotations

import datetime as dt
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
from entekhab.publication.opendata import write_open_data


def snapshots_dir(election: Election) -> Path:
    return Path(settings.DATA_DIR) / "open-data" / election.code


def latest_snapshot(election: Election) -> Path | None:
    root = snapshots_dir(election)
    if not root.is_dir():
        return None
    done = sorted(p for p in root.iterdir() if (p / "index.json").is_file())
    return done[-1] if done else None


def publish_to(election: Election, directory: Path, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Write the open data folder to ``directory`` (which must be empty or absent)."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    files = open_data(election, generated=stamp)
    write_open_data(directory, files)
    return {"directory": str(directory), "files": len(files), "bytes": sum(map(len, files.values())),
            "generated": stamp}


def do_publish_open_data(election: Election, *, acting_user: Any, now: dt.datetime | None = None) -> Path:
    """A new signed snapshot under the data directory, served by the open data page."""
    authorize(acting_user, "results.add_resultversion", election, states=AFTER_POLLING,
              what_fa="انتشار داده‌های باز")
    now = now or dt.datetime.now(dt.UTC)
    target = snapshots_dir(election) / now.strftime("%Y%m%dT%H%M%S%fZ")
    outcome = publish_to(election, target, now=now)
    with transaction.atomic():
        record(actor=acting_user, action=Event.RESULTS_PUBLISH_OPEN_DATA, target=election,
               after={"folder": target.name, "files": outcome["files"]})
    return target
