"""Replacing the demo election, whatever stage an earlier run left it in.

Production never deletes an election: results, counted reports and turnout announcements
hold it with ``PROTECT`` so that nothing certified can vanish by a cascade. The demo tool is
the one exception, and only for its own demo election: ``make demo`` run again must start
from a clean copy even after the boards certified the last one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Model, ProtectedError, QuerySet, RestrictedError

from entekhab.domain.lifecycle import TransitionRefused

# A chain of protecting rows deeper than this is a model cycle, not a demo's data.
MAX_DEPTH = 12


def remove_demo_election(election_code: str) -> int:
    """Delete the demo election and every row that protects it; the number of protecting models cleared."""
    from entekhab.hq.demo.generate import ELECTION_CODE
    from entekhab.hq.elections.models import Election

    if election_code != ELECTION_CODE:
        raise TransitionRefused(
            "only the demo election %(election_code)s is replaced",
            params={"election_code": ELECTION_CODE},
            code="not_the_demo",
        )
    with transaction.atomic():
        return _delete(Election.objects.filter(code=election_code), 0)


def _delete(qs: QuerySet, depth: int) -> int:
    """Delete ``qs``; first, recursively, whatever PROTECT or RESTRICT keeps from going with it."""
    cleared = 0
    while True:
        try:
            with transaction.atomic():
                qs.delete()
            return cleared
        except (ProtectedError, RestrictedError) as exc:
            if depth >= MAX_DEPTH:
                raise
            blockers: Any = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
            by_model: dict[type[Model], set[Any]] = defaultdict(set)
            for obj in blockers:
                by_model[type(obj)].add(obj.pk)
            for model, pks in by_model.items():
                cleared += 1 + _delete(model._base_manager.filter(pk__in=pks), depth + 1)
