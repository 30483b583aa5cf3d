"""Starting Django from the command line without a manage.py."""

from __future__ import annotations

import os


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entekhab.hq.settings")
    import django

    django.setup()
