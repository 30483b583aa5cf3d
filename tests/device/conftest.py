"""Transactional tests here load their own demo election; the council size table must exist for it.

A flush after an earlier transactional test in the same process can leave that
migration-seeded table empty; this puts the statutory default back when it is missing.
"""

from __future__ import annotations

import pytest


def ensure_council_sizes() -> None:
    from entekhab.domain.council_size import DEFAULT_COUNCIL_SIZES
    from entekhab.hq.elections.models import CouncilSizeRule

    if not CouncilSizeRule.objects.exists():
        CouncilSizeRule.objects.bulk_create([
            CouncilSizeRule(settlement=r.settlement.value, min_population=r.min_population,
                            max_population=r.max_population, seats=r.seats, alternates=r.alternates,
                            source="Council law Art. 5 (DOMAIN.md §3.2)")
            for r in DEFAULT_COUNCIL_SIZES
        ])


@pytest.fixture
def council_sizes(transactional_db):
    ensure_council_sizes()
