"""Rendered PDFs kept on disk, one file per version of a document, served with ETag and Last-Modified.

WeasyPrint takes seconds to lay out a large document (the Tehran candidate booklet), while the
HTML it lays out is built in a fraction of that. So the HTML is the key: its SHA-256, with the
renderer's version, names the PDF file. Whatever changes what a document shows (a candidate, a
photo, a code, a template) changes its HTML and so its name, and a stale PDF is never served.
Each document keeps one file in a folder of its own under ``settings.PDF_CACHE_DIR``: a new
version replaces the old. The folder may be deleted at any time; a missing file is rendered again.

The digest is the response's ETag, so a browser that revalidates (``Cache-Control: no-cache``)
gets a 304 without a byte of PDF when nothing changed.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

# Bump when a PDF changes for a reason its HTML does not show (fonts, page options).
LAYOUT_VERSION = "1"
_SAFE_PART = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,79}")


@dataclass(frozen=True)
class StoredPdf:
    """One version of a document: its digest (the ETag), when it was rendered, its bytes."""

    digest: str
    modified: float  # POSIX seconds, the file's modification time
    content: bytes
    rendered: bool  # rendered by this call (False: read from the cache)


def _renderer() -> str:
    import weasyprint

    return f"weasyprint {weasyprint.__version__}, layout {LAYOUT_VERSION}"


def digest_of(html: str) -> str:
    return hashlib.sha256(f"{_renderer()}\n{html}".encode()).hexdigest()


def render(html: str, base_url: str | None) -> bytes:
    """The one WeasyPrint call behind every cached PDF (tests count its calls)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()


def _folder(document: Sequence[str]) -> Path:
    """The document's folder; a part that is not a plain name (``..``, ``/``, Persian) is hashed."""
    parts = [p if _SAFE_PART.fullmatch(p) else hashlib.sha256(p.encode()).hexdigest()[:32] for p in map(str, document)]
    return Path(settings.PDF_CACHE_DIR, *parts)


def stored_pdf(html: str, document: Sequence[str], *, base_url: str | None = None) -> StoredPdf:
    """The PDF of ``html``: read from the cache, or rendered once and kept as the document's version."""
    digest = digest_of(html)
    folder = _folder(document)
    path = folder / f"{digest}.pdf"
    cached = _read(path, digest)
    if cached is not None:
        return cached
    folder.mkdir(parents=True, exist_ok=True)
    # One render per version even when many requests miss at once (every web worker process):
    # the others wait on the document's lock, then read what the first one stored.
    with (folder / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cached = _read(path, digest)
        if cached is not None:
            return cached
        content = render(html, base_url)
        # Written aside and renamed: a reader sees the whole file or none.
        partial = folder / f".{digest}.{os.getpid()}.{threading.get_ident()}.part"
        partial.write_bytes(content)
        os.replace(partial, path)
        for old in folder.glob("*.pdf"):
            if old != path:
                old.unlink(missing_ok=True)
    return StoredPdf(digest, path.stat().st_mtime, content, rendered=True)


def _read(path: Path, digest: str) -> StoredPdf | None:
    try:
        content = path.read_bytes()
        return StoredPdf(digest, path.stat().st_mtime, content, rendered=False)
    except FileNotFoundError:
        return None


def pdf_response(request: HttpRequest, pdf: StoredPdf, filename: str, *, public: bool) -> HttpResponse:
    """The PDF inline, or 304 when the browser's copy (If-None-Match / If-Modified-Since) is this version."""
    etag = f'"{pdf.digest}"'
    modified = int(pdf.modified)
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        response = HttpResponse(pdf.content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    # Kept by the browser but asked about again each time: a new version shows at once.
    response["Cache-Control"] = f"{'public' if public else 'private'}, no-cache"
    return response


def cached_pdf_response(request: HttpRequest, html: str, document: Sequence[str], filename: str, *,
                        public: bool, base_url: str | None = None) -> HttpResponse:
    return pdf_response(request, stored_pdf(html, document, base_url=base_url), filename, public=public)
