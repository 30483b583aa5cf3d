"""Candidates' photos on the device: fetched from HQ by the digest the signed manifest names.

The manifest carries each candidate's ``photo_sha256``; the photo bytes are not in it
(they would make it large). When the e-box loads its manifest it asks HQ for each
digest (``GET /candidates/photos/<sha256>``), keeps only bytes whose SHA-256 is that
digest, and caches them in ``<data folder>/photos/<sha256>.<ext>``, so the photos it
shows are exactly the ones HQ signed. A mismatched, oversized or unknown-type photo is
refused and that candidate is shown by name only; so is one HQ cannot send (offline).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from entekhab.device.errors import DeviceError, HQUnreachable

PHOTO_PATH = "/candidates/photos/"
MAX_PHOTO_BYTES = 2_000_000
TYPES = {"image/svg+xml": "svg", "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
EXT_TYPES = {ext: ctype for ctype, ext in TYPES.items()}
DIGEST = re.compile(r"^[0-9a-f]{64}$")


class PhotoRefused(DeviceError):
    code = "photo_mismatch"


class Fetcher(Protocol):
    def fetch(self, path: str) -> tuple[int, bytes, str]: ...


class PhotoStore:
    """A folder of photos named by their SHA-256; reading re-checks the digest (a file may rot)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def _file(self, digest: str) -> Path | None:
        if not DIGEST.match(digest):
            return None
        for ext in EXT_TYPES:
            file = self.folder / f"{digest}.{ext}"
            if file.is_file():
                return file
        return None

    def put(self, digest: str, data: bytes, content_type: str) -> Path:
        """Store the bytes if they are the photo the manifest names; else refuse them."""
        ctype = content_type.split(";")[0].strip().lower()
        if not DIGEST.match(digest):
            raise PhotoRefused(
                "%(digest)s is not a SHA-256 digest", params={"digest": repr(digest)}, code="photo_digest"
            )
        if len(data) > MAX_PHOTO_BYTES:
            raise PhotoRefused(
                "photo %(value)s… is larger than %(max_photo_bytes)s bytes",
                params={"value": digest[:12], "max_photo_bytes": MAX_PHOTO_BYTES},
                code="photo_too_large",
            )
        if ctype not in TYPES:
            raise PhotoRefused(
                "photo %(value)s… has type %(ctype)s, not an image type",
                params={"value": digest[:12], "ctype": repr(ctype)},
                code="photo_type",
            )
        if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), digest):
            raise PhotoRefused(
                "photo %(value)s… does not match the SHA-256 in the signed manifest", params={"value": digest[:12]}
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        file = self.folder / f"{digest}.{TYPES[ctype]}"
        # A partial file of its own: e-boxes sharing a cache may fetch the same photo at once, and the
        # last atomic replace wins with identical bytes.
        partial = file.with_suffix(f"{file.suffix}.{os.getpid()}-{threading.get_ident()}.part")
        partial.write_bytes(data)
        partial.replace(file)
        return file

    def get(self, digest: str) -> tuple[bytes, str] | None:
        """The photo's bytes and content type, if cached and still intact."""
        file = self._file(digest)
        if file is None:
            return None
        data = file.read_bytes()
        if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), digest):
            return None
        return data, EXT_TYPES[file.suffix[1:]]

    def has(self, digest: str) -> bool:
        return self.get(digest) is not None


@dataclass
class PhotoFetch:
    """What happened to each photo digest of a manifest: the display falls back to names for the rest."""

    cached: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # digest → reason (English)
    missing: list[str] = field(default_factory=list)  # HQ unreachable, no photo, or no HTTP link

    def as_dict(self) -> dict[str, Any]:
        return {"cached": len(self.cached), "fetched": len(self.fetched), "refused": self.refused,
                "missing": len(self.missing)}


def manifest_photos(document: dict[str, Any]) -> list[str]:
    """Every distinct candidate photo digest of a manifest document, in a stable order."""
    digests = {str(c.get("photo_sha256") or "") for contest in document.get("contests", ())
               for c in contest.get("candidates", ())}
    return sorted(d for d in digests if DIGEST.match(d))


def fetch_photos(document: dict[str, Any], store: PhotoStore, link: object) -> PhotoFetch:
    """Fetch every photo the manifest names that is not cached yet, verifying each against its digest.

    ``link`` is the agent's transport; without a ``fetch`` method (an in-process
    transport) no photo can be fetched and the screen shows names only.
    """
    out = PhotoFetch()
    fetch = getattr(link, "fetch", None)
    for digest in manifest_photos(document):
        if store.has(digest):
            out.cached.append(digest)
            continue
        if fetch is None:
            out.missing.append(digest)
            continue
        try:
            status, data, ctype = fetch(PHOTO_PATH + digest)
        except HQUnreachable:
            out.missing.append(digest)
            continue
        if status != 200:
            out.missing.append(digest)
            continue
        try:
            store.put(digest, data, ctype)
        except PhotoRefused as refusal:
            out.refused[digest] = refusal.message_en
            continue
        out.fetched.append(digest)
    return out
