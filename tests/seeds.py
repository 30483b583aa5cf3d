"""Putting back what migrations seed, after a transactional test's flush removed it."""

from __future__ import annotations


def reseed_after_flush() -> None:
    """A transactional test's flush empties the tables that data migrations seeded; put the seeds back."""
    import importlib

    from django.apps import apps

    for module in ("entekhab.hq.elections.migrations.0002_council_sizes",
                   "entekhab.hq.candidates.migrations.0002_default_rules"):
        importlib.import_module(module).seed(apps, None)  # each seed does nothing when its table has rows
    # The roles' groups and their permissions are made after migrate (post_migrate), which the
    # flush of a serialized-rollback test does not re-run: a group can come back without them.
    from entekhab.hq.accounts.roles import sync_roles_after_migrate

    sync_roles_after_migrate()
