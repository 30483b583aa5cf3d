"""QR texts out of a photographed or downloaded report (PDF or image), with a clear refusal per bad file.

Anyone may hand ``entekhab device verify-qr`` any file: a damaged PDF, a picture of
something else, random bytes named ``.pdf``. Each becomes a one-line :class:`QrFileError`
naming the file, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from entekhab.device.errors import DeviceError


class QrFileError(DeviceError):
    code = "qr_file"


def _image_texts(path: Path) -> list[str]:
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            return [r.text for r in zxingcpp.read_barcodes(image) if r.text]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise QrFileError("%(file)s is neither a PDF nor a readable image", params={"file": path.name},
                          code="qr_file_unreadable") from exc


def _pdf_texts(path: Path) -> list[str]:
    from entekhab.device.pdf import decode_pdf_qr

    try:
        return decode_pdf_qr(path)
    except Exception as exc:  # the renderer's own error types (pdfium, poppler) say only "cannot open"
        raise QrFileError("%(file)s is not a readable PDF", params={"file": path.name},
                          code="qr_file_unreadable") from exc


def read_qr_files(files: Iterable[Path]) -> list[str]:
    """Every QR text of every file, in order; refuse a missing, unreadable or code-less file."""
    texts: list[str] = []
    for f in files:
        path = Path(f)
        if not path.is_file():
            raise QrFileError("%(file)s: no such file", params={"file": str(path)}, code="qr_file_missing")
        is_pdf = path.suffix.lower() == ".pdf" or path.read_bytes()[:5] == b"%PDF-"
        found = _pdf_texts(path) if is_pdf else _image_texts(path)
        if not found:
            raise QrFileError("no QR code was found in %(file)s", params={"file": path.name}, code="qr_none")
        texts += found
    return texts
