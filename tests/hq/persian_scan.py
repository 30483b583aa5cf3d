"""The Persian scan: crawl the pages a person can reach and report what a Persian page must not show.

A Persian page shows no Gregorian month, no Latin digit and no English word, except inside
an identifier: an element marked ``dir="ltr"`` (the ``ltr`` filter's ``<bdi dir="ltr">``),
class ``ltr``, ``<code>``/``<kbd>``/``<samp>``/``<pre>``, or an element marked ``lang="en"``
(the English twin of a bilingual label, or the language switch). What a person types into
a form (an input's value, a textarea) is data, not text, and only checked for Gregorian dates.

Used by ``tests/hq/test_persian_scan.py``; run by hand on a real demo with
``scripts``-free ``python -m tests.hq.persian_scan`` (see ``main``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from entekhab.hq.web.display import IDENTIFIER

# The Gregorian months in English and as Persian transliterates them (Django's fa catalogue
# writes «۱ مه ۲۰۲۶»). «مه» is also "fog": the demo never says it.
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept",
             "Oct", "Nov", "Dec")
MONTHS_FA = ("ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن", "ژوئیه", "اوت", "سپتامبر", "اکتبر", "نوامبر",
             "دسامبر")
_FA_LETTER = "\u0600-\u06ff\u200c\ufb50-\ufdff\ufe70-\ufeff"
GREGORIAN_MONTH = re.compile(
    r"\b(?:" + "|".join(MONTHS_EN) + r")\b"
    + r"|(?<![" + _FA_LETTER + r"])(?:" + "|".join(MONTHS_FA) + r")(?![" + _FA_LETTER + r"])"
)
ISO_DATE = re.compile(r"\b(?:19|20)\d{2}-\d{2}-\d{2}\b")
LATIN_DIGITS = re.compile(r"[0-9]+(?:[.,:/٫٬][0-9]+)*")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")

# English words the pages have been seen to leave untranslated (model and state names, Python's
# values, Django's defaults). Any Latin word outside an identifier fails the scan; this list
# is what the report names first.
ENGLISH_WORDS = frozenset({
    " ", "accepted", "active", "approved", "area", "areas", "ballot", "ballots", "branch", "branches",
    "candidate", "candidates", "capacity", "city", "closed", "code", "committee", "computed", "conditional",
    "confirmed", "contest", "contests", "council", "county", "debug", "decree", "degraded", "device", "devices",
    "digest", "district", "draft", "draw", "draws", "election", "enrolled", "error", "event", "events", "false",
    "file", "files", "hash", "inactive", "incident", "info", "inspection", "key", "keys", "kind", "list",
    "lists", "matched", "meeting", "name", "network", "no", "none", "not_ready", "number", "object", "offline",
    "online", "open", "other", "party", "pending", "plan", "published", "queue", "readiness", "ready", "region",
    "registered", "rejected", "released", "report", "reports", "result", "results", "revoked", "role", "run",
    "runs", "scenario", "seat", "seats", "source", "staff", "state", "status", "success", "superseded",
    "tehran", "total", "true", "turnout", "unknown", "unmonitored", "vetting", "village", "vote", "votes",
    "warning", "withdrawn", "yes",
})

# Latin words a Persian page may show as words of its own: names of formats and standards
# people read as Latin letters («کد QR», «فایل PDF»). They still may not carry digits.
ALLOWED_WORDS = frozenset({"QR", "PDF", "API", "JSON", "CSV", "SVG", "OpenAPI", "SHA", "Ed", "HTTP", "HTTPS",
                           "ZIP", "ID", "URL", "ADSL", "dBm"})

EXEMPT_TAGS = frozenset({"code", "kbd", "samp", "pre", "script", "style", "template", "noscript"})
DATA_TAGS = frozenset({"textarea"})
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                       "source", "track", "wbr"})
VISIBLE_ATTRS = ("title", "placeholder", "alt", "aria-label")
PLAIN_TAGS = frozenset({"option", "title"})
BUTTON_INPUTS = frozenset({"submit", "button", "reset"})


@dataclass
class Finding:
    url: str
    kind: str  # "gregorian", "latin_digits", "english"
    text: str
    where: str

    def __str__(self) -> str:
        return f"{self.url}: {self.kind} «{self.text}» in {self.where!r}"


@dataclass
class Piece:
    text: str
    exempt: bool  # inside an identifier or the English twin
    data: bool  # what a form holds (an input's value)
    path: str  # the nearest tags, for the report
    plain: bool = False  # an attribute, <option> or <title>: no markup can isolate an identifier there


class _Reader(HTMLParser):
    """The text a person reads on a page, each piece with whether an identifier holds it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # tag, exempt, data
        self.pieces: list[Piece] = []
        self.links: list[str] = []

    def _where(self, tag: str = "") -> str:
        return "/".join([t for t, _, _ in self.stack[-3:]] + ([tag] if tag else []))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        exempt = bool(self.stack and self.stack[-1][1])
        data = bool(self.stack and self.stack[-1][2])
        classes = a.get("class", "").split()
        if (tag in EXEMPT_TAGS or a.get("dir") == "ltr" or "ltr" in classes or a.get("lang", "").startswith("en")
                or "hash" in classes):
            exempt = True
        if tag in DATA_TAGS:
            data = True
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        for name in VISIBLE_ATTRS:
            if a.get(name):
                self.pieces.append(Piece(a[name], exempt, data, self._where(f"{tag}@{name}"), plain=True))
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in BUTTON_INPUTS and a.get("value"):
                self.pieces.append(Piece(a["value"], exempt, data, self._where("input@value"), plain=True))
            elif kind not in ("hidden", "password", "checkbox", "radio") and a.get("value"):
                self.pieces.append(Piece(a["value"], exempt, True, self._where("input@value"), plain=True))
        if tag not in VOID_TAGS:
            self.stack.append((tag, exempt, data))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not data.strip():
            return
        exempt = bool(self.stack and self.stack[-1][1])
        is_data = bool(self.stack and self.stack[-1][2])
        plain = bool(self.stack and self.stack[-1][0] in PLAIN_TAGS)
        self.pieces.append(Piece(data, exempt, is_data, self._where(), plain=plain))


def read_page(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def check_text(url: str, pieces: Iterable[Piece], names: frozenset[str] = frozenset()) -> Iterator[Finding]:
    """At most one finding of each kind per piece of text, naming what offends in it.

    ``names`` are user names: Latin identifiers that Django's admin writes in breadcrumbs,
    titles and lists (``str(user)``) where no template of ours can isolate them.
    """
    for piece in pieces:
        text = " ".join(piece.text.split())
        if names:
            text = " ".join(w for w in text.split() if w.strip(".,:؛،") not in names)
        where = f"{piece.path}: {text[:100]}"
        dates = ISO_DATE.findall(text)  # an identifier may be Latin; a date in it is still a date
        if piece.exempt or piece.data:
            if dates:
                yield Finding(url, "gregorian", " ".join(dates), where)
            continue
        if piece.plain:
            text = IDENTIFIER.sub(" ", text)
        dates += GREGORIAN_MONTH.findall(text)
        if dates:
            yield Finding(url, "gregorian", " ".join(dates), where)
        digits = LATIN_DIGITS.findall(text)
        if digits:
            yield Finding(url, "latin_digits", " ".join(digits), where)
        words = [w for w in LATIN_WORD.findall(text) if w not in ALLOWED_WORDS and w not in MONTHS_EN]
        listed = [w for w in words if w.lower() in ENGLISH_WORDS]
        if listed:
            yield Finding(url, "english", " ".join(listed), where)
        elif words:
            yield Finding(url, "latin_word", " ".join(words), where)


def check_page(url: str, html: str, names: frozenset[str] = frozenset()) -> tuple[list[Finding], list[str]]:
    reader = read_page(html)
    return list(check_text(url, reader.pieces, names)), reader.links


# --- the crawl ----------------------------------------------------------------------------

SKIP_PREFIXES = ("/static/", "/media/", "/api/", "/i18n/", "/admin/logout/", "/admin/r/", "/admin/jsi18n/",
                 "/admin/password_change/")
SKIP_SUFFIXES = (".pdf", ".json", ".svg", ".csv", ".zip", ".png", ".jpg", ".txt", ".sig")
# Query keys that only sort, page or carry a changelist's filters back: one page of each view is enough.
NOISE_KEYS = frozenset({"o", "p", "_changelist_filters", "next", "all", "_popup", "_to_field"})


@dataclass
class Crawl:
    """One visitor's crawl: every page reached from ``seeds``, at most ``per_route`` of each URL route."""

    client: object
    names: frozenset[str] = frozenset()  # user names, accepted as identifiers
    per_route: int = 2
    limit: int = 2000
    seen: set[str] = field(default_factory=set)
    routes: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)  # url → status
    errors: list[str] = field(default_factory=list)

    def route_key(self, url: str) -> str | None:
        from django.urls import Resolver404, resolve

        parts = urlsplit(url)
        try:
            match = resolve(parts.path)
        except Resolver404:
            return None
        if match.view_name.startswith("admin:"):
            # A list's filters and sorting show the labels its first page shows; one record's
            # history or deletion page stands for every model's.
            for kind in ("_history", "_delete"):
                if match.view_name.endswith(kind):
                    return f"admin:{kind[1:]}"
            return match.view_name
        keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)} - NOISE_KEYS)
        return f"{match.view_name}?{'&'.join(keys)}"

    def normalise(self, base: str, href: str) -> str | None:
        href = href.strip()
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
            return None
        absolute = urljoin(base, href)
        parts = urlsplit(absolute)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            return None
        path = parts.path
        if path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES):
            return None
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "_changelist_filters"]
        return path + (f"?{urlencode(sorted(query))}" if query else "")

    def visit(self, url: str, *, force: bool = False) -> list[str]:
        if url in self.seen:
            return []
        key = self.route_key(url)
        if key is not None and not force and self.routes.get(key, 0) >= self.per_route:
            return []
        self.seen.add(url)
        if key is not None:
            self.routes[key] = self.routes.get(key, 0) + 1
        response = self.client.get(url)
        self.pages[url] = response.status_code
        if response.status_code >= 500:
            self.errors.append(f"{url}: {response.status_code}")
        if response.status_code in (301, 302, 303, 307, 308):
            target = self.normalise(url, response["Location"])
            return [target] if target else []
        if "text/html" not in response.get("Content-Type", ""):
            return []
        findings, links = check_page(url, response.content.decode(), self.names)
        self.findings.extend(findings)
        out = []
        for href in links:
            target = self.normalise(url, href)
            if target:
                out.append(target)
        return out

    def run(self, seeds: Iterable[str], forced: Iterable[str] = ()) -> Crawl:
        queue: list[str] = []
        for url in forced:  # pages named by the demo data: always visited
            queue.extend(self.visit(url, force=True))
        queue = [*seeds, *queue]
        while queue and len(self.seen) < self.limit:
            url = queue.pop(0)
            queue.extend(self.visit(url))
        return self


def summary(findings: list[Finding], limit: int = 60) -> str:
    """One line per distinct (kind, text, where), most repeated first."""
    counts: dict[tuple[str, str, str], list[str]] = {}
    for f in findings:
        where = re.sub(r"[0-9۰-۹]+", "#", f.where)
        counts.setdefault((f.kind, re.sub(r"[0-9۰-۹]+", "#", f.text)[:40], where[:110]), []).append(f.url)
    rows = sorted(counts.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    lines = [f"{len(urls):4d}× {kind} «{text}» {where}  e.g. {urls[0]}" for (kind, text, where), urls in rows]
    return "\n".join(lines[:limit]) + (f"\n… {len(lines) - limit} more" if len(lines) > limit else "")
