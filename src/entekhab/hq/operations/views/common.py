"""Shared view helpers: the election in the URL, permission checks, Persian error messages."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from entekhab.domain.errors import DomainError
from entekhab.hq.elections.models import Election
from entekhab.hq.geography.models import Area
from entekhab.hq.operations.policy import allocation_region_code


def ops_view(perm: str) -> Callable:
    """Logged-in users holding ``perm`` only; the election comes from the URL's ``code``."""

    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def inner(request: HttpRequest, code: str, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied(perm)
            election = get_object_or_404(Election, code=code)
            return view(request, election, *args, **kwargs)

        return inner

    return wrap


def message(exc: DomainError) -> str:
    return exc.message_en if get_language() == "en" else exc.message_fa


def region_names(codes: set[str]) -> dict[str, str]:
    en = get_language() == "en"
    return {a.code: (a.name_en if en else a.name_fa) for a in Area.objects.filter(code__in=codes)}


def region_of(path: str) -> str:
    return allocation_region_code(path)
