"""Candidates' photos on the e-box: only bytes whose SHA-256 the signed manifest names are kept."""

from __future__ import annotations

import hashlib

import pytest

from entekhab.device.errors import HQUnreachable
from entekhab.device.photos import PhotoRefused, PhotoStore, fetch_photos, manifest_photos

GOOD = b"<svg xmlns='http://www.w3.org/2000/svg'><rect width='1' height='1'/></svg>"
OTHER = b"<svg xmlns='http://www.w3.org/2000/svg'><circle r='1'/></svg>"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document(*digests: str) -> dict:
    return {"contests": [{"code": "C1", "candidates": [{"code": str(i), "photo_sha256": d}
                                                       for i, d in enumerate(digests)]}]}


class Link:
    """A fake HQ: path → (status, body, type); counts requests so caching shows."""

    def __init__(self, answers: dict[str, tuple[int, bytes, str]], *, down: bool = False) -> None:
        self.answers, self.down, self.asked = answers, down, []

    def fetch(self, path: str) -> tuple[int, bytes, str]:
        self.asked.append(path)
        if self.down:
            raise HQUnreachable("line down (test)", "قطع خط")
        return self.answers.get(path, (404, b"", ""))


def test_a_photo_that_does_not_match_its_digest_is_refused_and_not_stored(tmp_path):
    store = PhotoStore(tmp_path)
    with pytest.raises(PhotoRefused) as refused:
        store.put(sha(GOOD), OTHER, "image/svg+xml")
    assert refused.value.code == "photo_mismatch" and "SHA-256" in refused.value.message_en
    assert "فقط نام" in refused.value.message_fa
    assert not store.has(sha(GOOD)) and not list(tmp_path.iterdir())
    for data, ctype, code in ((GOOD, "text/html", "photo_type"), (b"x" * 2_000_001, "image/png", "photo_too_large")):
        with pytest.raises(PhotoRefused) as refused:
            store.put(sha(data), data, ctype)
        assert refused.value.code == code
    with pytest.raises(PhotoRefused):
        store.put("../../etc/passwd", GOOD, "image/svg+xml")


def test_fetch_verifies_caches_and_falls_back_to_names(tmp_path):
    store = PhotoStore(tmp_path / "photos")
    forged = sha(b"the photo HQ signed")
    unknown = sha(b"HQ has no such photo")
    link = Link({f"/candidates/photos/{sha(GOOD)}": (200, GOOD, "image/svg+xml"),
                 f"/candidates/photos/{sha(PNG)}": (200, PNG, "image/png; charset=binary"),
                 f"/candidates/photos/{forged}": (200, OTHER, "image/svg+xml")})
    doc = document(sha(GOOD), sha(PNG), forged, unknown, sha(GOOD), "", "not-a-digest")
    assert manifest_photos(doc) == sorted({sha(GOOD), sha(PNG), forged, unknown})
    first = fetch_photos(doc, store, link)
    assert sorted(first.fetched) == sorted([sha(GOOD), sha(PNG)])
    assert list(first.refused) == [forged] and first.missing == [unknown]
    assert store.get(sha(PNG)) == (PNG, "image/png") and store.get(sha(GOOD)) == (GOOD, "image/svg+xml")
    assert not store.has(forged)
    again = fetch_photos(doc, store, link)  # cached photos are not asked for again
    assert sorted(again.cached) == sorted([sha(GOOD), sha(PNG)]) and not again.fetched
    assert len(link.asked) == 4 + 2
    offline = fetch_photos(document(sha(OTHER)), store, Link({}, down=True))
    assert offline.missing == [sha(OTHER)]
    no_http = fetch_photos(document(sha(OTHER)), store, object())  # an in-process transport cannot fetch
    assert no_http.missing == [sha(OTHER)] and offline.as_dict()["missing"] == 1


def test_a_cached_photo_that_changed_on_disk_is_not_shown(tmp_path):
    store = PhotoStore(tmp_path)
    file = store.put(sha(GOOD), GOOD, "image/svg+xml")
    assert store.has(sha(GOOD))
    file.write_bytes(OTHER)
    assert store.get(sha(GOOD)) is None
