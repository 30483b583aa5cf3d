"""Reports are counted as they arrive: after polling's intake commits, absorb the new report."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def absorb_on_save(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    election_id = instance.branch.election_id

    def absorb() -> None:
        from entekhab.hq.elections.models import Election
        from entekhab.hq.results.totals import absorb_new_reports

        absorb_new_reports(Election.objects.get(pk=election_id))

    # After commit: a totalisation problem never undoes the intake; the next page view retries.
    transaction.on_commit(absorb)
