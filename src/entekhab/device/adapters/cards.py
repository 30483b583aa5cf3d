"""Ballot cards between the two devices: a printer on the authentication device, a reader on the e-box.

The card itself is :mod:`entekhab.records.card`'s signed token: one-time, carrying no
identity, timed to the hour. These adapters only move it: :class:`CardWriter` turns the
token into something the voter carries (the demo prints a QR code as a PNG, optionally a
small PDF card), :class:`CardReader` turns what the e-box's reader saw back into the token
(the demo decodes a QR image, PNG or JPEG, or takes a keyboard-wedge scanner's text line).
The e-box then checks the token exactly as before (signature, branch, election, style,
not yet used): a reader never decides that a card is valid.

Nothing here may weaken the card: the printed file's name is random (not derived from the
token), the PNG carries no timestamp, the file's times are set back to the card's hour, and
the demo spool keeps only the card being printed (writing the next one deletes it), so the
authentication device keeps no list of cards it could line up with its check-ins.
"""

from __future__ import annotations

import io
import os
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from entekhab.device.errors import DeviceError
from entekhab.records.card import MAX_TOKEN

MAX_IMAGE_BYTES = 8_000_000
MAX_IMAGE_PIXELS = 25_000_000  # a phone photo of a card; anything larger is refused before decoding
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # PNG, JPEG
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.")


class CardUnreadable(DeviceError):
    """What the reader was given holds no readable card (the token's own checks come after)."""

    code = "card_unreadable"


@dataclass(frozen=True)
class IssuedCard:
    """A printed card: the token, and the artefact the voter carries (image bytes, its file name)."""

    token: str
    image: bytes
    name: str
    media_type: str = "image/png"
    pdf_name: str = ""  # the optional PDF card beside the image, "" when none


class CardWriter(Protocol):
    """The authentication device's card printer."""

    def write(self, card: str) -> IssuedCard:
        """Print ``card`` (a signed token); the result names the printed file the kiosk may show."""
        ...


class CardReader(Protocol):
    """The e-box's card reader."""

    def read(self, data: bytes | str) -> str:
        """The token in ``data`` (image bytes or a scanner's text line), or :class:`CardUnreadable`."""
        ...


def qr_png(text: str, *, scale: int = 5, border: int = 4) -> bytes:
    """A QR code at level M as PNG bytes (segno writes no time chunk)."""
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()


@dataclass
class QrCardPrinter:
    """Demo printer: the card's QR code as a PNG (and, with ``pdf``, a small PDF card) in ``folder``.

    The folder is a print spool of one card: each write removes the previous card's files.
    """

    folder: Path
    pdf: bool = False
    scale: int = 5
    _last: list[Path] = field(default_factory=list, repr=False)

    def write(self, card: str) -> IssuedCard:
        hour = _card_hour(card)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.clear()
        stem = "card-" + secrets.token_hex(8)
        image = qr_png(card, scale=self.scale)
        files = [self.folder / f"{stem}.png"]
        files[0].write_bytes(image)
        pdf_name = ""
        if self.pdf:
            files.append(self.folder / f"{stem}.pdf")
            files[1].write_bytes(card_pdf(image))
            pdf_name = files[1].name
        stamp = _hour_stamp(hour)
        for f in files:
            os.chmod(f, 0o600)
            if stamp is not None:
                os.utime(f, (stamp, stamp))
        self._last = files
        return IssuedCard(card, image, files[0].name, "image/png", pdf_name)

    def clear(self) -> None:
        """Remove the spooled card (the next write does it too)."""
        for f in self._last:
            f.unlink(missing_ok=True)
        self._last = []

    def get(self, name: str) -> tuple[bytes, str] | None:
        """The spooled card file ``name`` (PNG or PDF), or None: only a name this printer just wrote."""
        if not isinstance(name, str) or not name or set(name) - NAME_CHARS or name.startswith("."):
            return None
        for f in self._last:
            if f.name == name and f.is_file():
                return f.read_bytes(), "application/pdf" if f.suffix == ".pdf" else "image/png"
        return None


def _card_hour(token: str) -> str:
    """The card's own (coarse) hour, read without verifying: only to date the printed file no finer."""
    import base64
    import json

    try:
        payload = token.split(".", 1)[0]
        return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get("hour", ""))
    except (ValueError, AttributeError):
        return ""


def _hour_stamp(hour: str) -> float | None:
    import datetime as dt

    try:
        return dt.datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        return None


def card_pdf(image: bytes) -> bytes:
    """A small card (A7) with the QR code and its caption, through the minutes' PDF stack (WeasyPrint)."""
    import base64
    import html

    from weasyprint import HTML

    from entekhab.device.assets import FONTS
    from entekhab.i18n import gettext_in

    caption = html.escape(gettext_in("fa", "Ballot card: place it on the e-box reader. It works once."))
    src = "data:image/png;base64," + base64.b64encode(image).decode()
    doc = (f"<html lang='fa' dir='rtl'><head><meta charset='utf-8'><style>"
           f"@font-face{{font-family:V;src:url('{(FONTS / 'Vazirmatn-Regular.ttf').as_uri()}')}}"
           "@page{size:A7;margin:6mm} body{font-family:V;text-align:center;font-size:9pt}"
           "img{width:60mm}</style></head>"
           f"<body><img src='{src}' alt=''><p>{caption}</p></body></html>")
    return bytes(HTML(string=doc).write_pdf())


@dataclass(frozen=True)
class QrCardReader:
    """Demo reader: a QR image (PNG or JPEG bytes) decoded with zxing-cpp, or a wedge scanner's text line."""

    def read(self, data: bytes | str) -> str:
        if isinstance(data, str):
            return wedge_text(data)
        if not isinstance(data, bytes | bytearray):
            raise CardUnreadable("the card reader was given nothing it can read")
        data = bytes(data)
        if data.startswith(IMAGE_MAGIC):
            return decode_image(data)
        try:
            return wedge_text(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise CardUnreadable("the image is not a PNG or JPEG picture of a card") from exc


def wedge_text(line: str) -> str:
    """A keyboard-wedge scanner types the code and Enter: drop the line end, refuse any other control."""
    text = line.rstrip("\r\n").strip(" ")
    if not text:
        raise CardUnreadable("no card was read: scan the card again")
    if len(text) > MAX_TOKEN:
        raise CardUnreadable("what the reader typed is too long to be a ballot card")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
        raise CardUnreadable("what the reader typed holds control characters: scan the card again",
                             code="card_control_characters")
    return text


def decode_image(data: bytes) -> str:
    """The one QR code in a PNG or JPEG picture; a damaged, huge or code-less picture is refused."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_IMAGE_BYTES:
        raise CardUnreadable("the card image is too large")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise CardUnreadable("the image is not a PNG or JPEG picture of a card")
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise CardUnreadable("the card image is too large")
            image.load()
            found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        if isinstance(exc, CardUnreadable):
            raise
        raise CardUnreadable("the card image cannot be read: it is damaged or not a picture") from exc
    texts = sorted({r.text for r in found if r.valid and r.text})
    if not texts:
        raise CardUnreadable("no ballot card code was found in the image: scan the card again")
    if len(texts) > 1:
        raise CardUnreadable("the image shows more than one code: scan one card at a time", code="card_ambiguous")
    return wedge_text(texts[0])
