"""Shared page plumbing: the election named in the URL, the permission check, the reader's message."""

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


def election_view(perm: str) -> Callable:
    """Logged-in users holding ``perm`` only; the view receives the election of the URL's ``code``."""

    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def inner(request: HttpRequest, code: str, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied(perm)
            return view(request, get_object_or_404(Election, code=code), *args, **kwargs)

        return inner

    return wrap


def localised_message(exc: DomainError | PermissionDenied) -> str:
    """A refusal carrying ``message_en`` and ``message_fa`` (a domain error, an authority refusal)
    in the page's language (Persian unless English was chosen)."""
    return exc.message_en if get_language() == "en" else exc.message_fa
