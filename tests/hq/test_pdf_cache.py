"""PDFs served on GET are rendered once per version and kept (entekhab.hq.web.pdfcache).

The second request renders nothing; a browser revalidating its copy gets a 304; a change to
what the document shows (a candidate's name) gives a new version, never the stale one.
"""

from __future__ import annotations

from entekhab.domain.vetting import APPROVED_STATES
from entekhab.hq.candidates.models import Registration
from entekhab.hq.web import pdfcache
from tests.hq.capacity.test_pdf import BIDI_AND_JOINERS, pdf_text

BOOKLET = "/candidates/1405/council-p23-c04-t01/booklet.pdf"


def normal(text: str) -> str:
    import unicodedata

    return BIDI_AND_JOINERS.sub("", unicodedata.normalize("NFKC", text))


def test_the_booklet_is_rendered_once_per_version(client, election, renders, tmp_path, settings):
    first = client.get(BOOKLET)
    assert first.status_code == 200 and first.content.startswith(b"%PDF") and len(renders) == 1
    assert first["Cache-Control"] == "public, no-cache" and first["Last-Modified"]
    second = client.get(BOOKLET)
    assert len(renders) == 1  # read from the cache
    assert second.content == first.content and second["ETag"] == first["ETag"]
    revalidated = client.get(BOOKLET, HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 304 and revalidated.content == b"" and len(renders) == 1
    assert len(list(settings.PDF_CACHE_DIR.rglob("*.pdf"))) == 1

    someone = Registration.objects.filter(contest__code="council-p23-c04-t01",
                                          state__in=[s.value for s in APPROVED_STATES]).order_by("pk").first()
    Registration.objects.filter(pk=someone.pk).update(last_name="زنجانی‌نژاد")
    changed = client.get(BOOKLET, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"] and len(renders) == 2
    assert normal("زنجانی‌نژاد") in pdf_text(changed.content, tmp_path)
    assert normal("زنجانی‌نژاد") not in pdf_text(first.content, tmp_path)
    assert len(list(settings.PDF_CACHE_DIR.rglob("*.pdf"))) == 1  # the new version replaced the old


def test_a_document_name_never_leaves_the_cache_folder(settings):
    folder = pdfcache._folder(("report", "1405", "../../etc"))
    assert folder.parent == settings.PDF_CACHE_DIR / "report" / "1405" and ".." not in folder.parts


def test_requests_that_miss_at_once_render_one_version_once(monkeypatch, settings):
    import threading
    import time

    calls: list[str] = []

    def slow(html: str, base_url: str | None) -> bytes:
        calls.append(html)
        time.sleep(0.3)
        return b"%PDF-1.7 " + html.encode()

    monkeypatch.setattr(pdfcache, "render", slow)
    got: list[pdfcache.StoredPdf] = []
    threads = [threading.Thread(target=lambda: got.append(pdfcache.stored_pdf("<p>x</p>", ("t", "1"))))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({p.content for p in got}) == 1
    assert sum(p.rendered for p in got) == 1
