"""Shared view helpers: the election in the URL, permission checks, Persian error messages."""

from __future__ import annotations

from django.utils.translation import get_language

from entekhab.hq.geography.models import Area
from entekhab.hq.operations.policy import allocation_region_code
from entekhab.hq.web.access import election_view, localised_message

# The operations pages' names for the shared helpers (imported by every view module here).
ops_view = election_view
message = localised_message


def region_names(codes: set[str]) -> dict[str, str]:
    en = get_language() == "en"
    return {a.code: (a.name_en if en else a.name_fa) for a in Area.objects.filter(code__in=codes)}


def region_of(path: str) -> str:
    return allocation_region_code(path)
