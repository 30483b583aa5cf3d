"""Reports are counted as they arrive: after polling's intake commits, absorb the new report."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

_state = threading.local()


@contextmanager
def resetting() -> Iterator[None]:
    """Deletions made by the reset itself must not schedule another reset."""
    _state.active = True
    try:
        yield
    finally:
        _state.active = False


def absorb_on_save(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    election_id = instance.branch.election_id

    def absorb() -> None:
        from entekhab.hq.elections.models import Election
        from entekhab.hq.results.totals import absorb_new_reports

        absorb_new_reports(Election.objects.get(pk=election_id))

    # After commit: a totalisation problem never undoes the intake; the next report or the
    # periodic `entekhab results absorb --every N` counts it (a page view never does).
    transaction.on_commit(absorb)


def reset_on_report_removal(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A counted report was removed (a polling day replaced): recount the election from what remains.

    Running totals cannot subtract safely inside someone else's cascade, so after the commit
    every counted row and running total of the election is dropped and the remaining reports
    are absorbed again (published result versions stay: they are history, never edited).
    """
    if getattr(_state, "active", False):
        return
    election_id = instance.election_id

    def reset() -> None:
        from entekhab.hq.elections.models import Election
        from entekhab.hq.results.totals import reset_totals

        if Election.objects.filter(pk=election_id).exists():  # the demo tool may have removed it whole
            reset_totals(election_id)

    transaction.on_commit(reset)
