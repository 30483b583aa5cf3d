"""Persian digits and left-to-right identifiers in the back office's own text.

Entekhab's values reach the admin through :func:`entekhab.hq.web.display.persian_in_admin`,
but Django's admin templates print their own numbers ("3 results", "40 in total" in Persian, page
links, facet counts, deletion summaries) straight from Python integers, and a foreign key's
value (a branch code) straight from ``str()``, through dozens of templates with no hook for
either. So a Persian admin page's text is put right once, as it leaves: in text between
tags, each Latin identifier (:data:`~entekhab.hq.web.display.IDENTIFIER`) is isolated in
``<bdi dir="ltr">`` and keeps its Latin digits, and every other digit becomes Persian.
Never touched: scripts, styles, form data, and what is already marked as an identifier
(``dir="ltr"``, class ``ltr``, ``lang="en"``, ``<code>``/``<pre>``/``<kbd>``/``<samp>``).
Inside ``<option>`` and ``<title>``, which hold no markup, identifiers are left as written.
"""

from __future__ import annotations

import re

from entekhab.domain.digits import to_persian_digits
from entekhab.hq.web.display import IDENTIFIER

PARTS = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>", re.S)
KEEP_TAGS = frozenset({"script", "style", "textarea", "code", "pre", "kbd", "samp", "template", "bdi"})
PLAIN_TAGS = frozenset({"option", "title"})  # text only: no element can isolate an identifier there
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                       "source", "track", "wbr"})
KEEP_ATTRS = re.compile(r"""\bdir\s*=\s*["']?ltr\b|\blang\s*=\s*["']?en\b|\bclass\s*=\s*["'][^"']*\bltr\b""", re.I)
TITLE = re.compile(r"""(\b(?:title|aria-label)\s*=\s*")([^"]*)(")""")
PERSIAN_LETTER = re.compile(r"[\u0600-\u06ff]")
LATIN_DIGIT = re.compile(r"[0-9]")
ENTITY = re.compile(r"(&#?[0-9a-zA-Z]+;)")


def persian_digits_in_html(html: str) -> str:
    """``html`` with Latin digits made Persian in its text, except what identifiers and data hold."""
    out: list[str] = []
    keep: list[str] = []  # the open elements whose text stays as written (innermost last)
    plain = False
    for part in PARTS.split(html):
        if not part:
            continue
        if part.startswith("<"):
            tag = TAG.match(part)
            if tag is not None:
                closing, name, attrs = tag.group(1), tag.group(2).lower(), tag.group(3)
                if name in PLAIN_TAGS:
                    plain = not closing
                if keep:
                    if not closing and name not in VOID_TAGS and not attrs.rstrip().endswith("/"):
                        keep.append(name)
                    elif closing and name in keep:
                        del keep[len(keep) - 1 - keep[::-1].index(name):]
                elif not closing and name not in VOID_TAGS and (name in KEEP_TAGS or KEEP_ATTRS.search(attrs)):
                    keep.append(name)
                elif not closing and ("title" in attrs or "aria-label" in attrs):
                    part = TITLE.sub(_title, part)
            out.append(part)
        elif keep or not (LATIN_DIGIT.search(part) or IDENTIFIER.search(part)):
            out.append(part)
        else:
            out.append(_text(part, isolate=not plain))
    return "".join(out)


def persian_text(escaped: str) -> str:
    """Escaped text with its identifiers isolated left to right and every other digit Persian."""
    return _text(escaped, isolate=True)


def _text(text: str, *, isolate: bool = False) -> str:
    """Identifiers kept (isolated if ``isolate``), other digits Persian; ``text`` is escaped HTML."""
    out = []
    for chunk in ENTITY.split(text):
        if ENTITY.fullmatch(chunk):  # &#39; is not a number a person reads
            out.append(chunk)
            continue
        last = 0
        for m in IDENTIFIER.finditer(chunk):
            out.append(to_persian_digits(chunk[last:m.start()]))
            out.append(f'<bdi dir="ltr">{m.group()}</bdi>' if isolate else m.group())
            last = m.end()
        out.append(to_persian_digits(chunk[last:]))
    return "".join(out)


def _title(m: re.Match[str]) -> str:
    value = m.group(2)
    return m.group(1) + (_text(value) if PERSIAN_LETTER.search(value) else value) + m.group(3)


class AdminPersianDigitsMiddleware:
    """Apply :func:`persian_digits_in_html` to the back office's HTML pages in Persian."""

    PREFIX = "/admin/"

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.path_info.startswith(self.PREFIX) and getattr(request, "LANGUAGE_CODE", "fa") != "en"
                and not response.streaming and response.get("Content-Type", "").startswith("text/html")):
            charset = response.charset or "utf-8"
            response.content = persian_digits_in_html(response.content.decode(charset)).encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
