"""Ballot cards through the adapters: printed as a QR image, read back from the image or a wedge line.

The card stays what records.card makes it (one-time, identity-free, timed to the hour): a
reused, forged or other branch's card, and a picture with no card in it, are refused by
the e-box with a coded Persian error and change nothing.
"""

from __future__ import annotations

import base64
import io
import os

import pytest
from PIL import Image

from entekhab.device.adapters.cards import CardUnreadable, QrCardPrinter, QrCardReader, qr_png
from entekhab.device.kiosk import Kiosk
from entekhab.device.kiosk.operators import BRANCH_HEAD, Operator
from entekhab.records.card import issue_card
from entekhab.records.errors import CardInvalid
from entekhab.records.signing import SigningKey
from tests.device.fake_hq import NOW, FakeHQ, branch_devices, voters

READER = QrCardReader()


class HeadKiosk(Kiosk):
    """The kiosk as its branch head uses it (the login itself is tested with the kiosk's server)."""

    def call(self, path, body, operator=None):
        return super().call(path, body, operator or Operator(BRANCH_HEAD, "head"))


@pytest.fixture
def opened(tmp_path):
    """A branch opened through the kiosk's four steps (fake HQ), and its kiosk."""
    hq = FakeHQ()
    devices = branch_devices(tmp_path, hq)
    kiosk = HeadKiosk(devices, report_dir=tmp_path / "reports", clock=lambda: NOW)
    devices.open(now=NOW, mock=lambda m: [{c.code: [] for c in m.contests}])  # the core's own order
    return hq, devices, kiosk


def blank(devices) -> dict[str, list[str]]:
    return {c.code: [] for c in devices.box.manifest.contests}


def counts(devices) -> tuple[int, int, int]:
    box = devices.box
    return (box.ballots_cast, box.db.execute("SELECT COUNT(*) FROM used_cards").fetchone()[0],
            box.journal.count("ballot_cast"))


def png_to_jpeg(png: bytes) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("L").resize((600, 600), Image.NEAREST).save(out, "JPEG", quality=85)
    return out.getvalue()


def test_a_printed_card_is_read_back_from_png_jpeg_or_wedge_text_and_votes_once(opened, tmp_path):
    _, devices, _ = opened
    token = devices.mock_card(NOW)
    printed = QrCardPrinter(tmp_path / "spool").write(token)
    assert printed.token == token and printed.image.startswith(b"\x89PNG") and printed.media_type == "image/png"
    assert READER.read(printed.image) == token
    assert READER.read(png_to_jpeg(printed.image)) == token  # a camera's JPEG
    assert READER.read(token + "\r\n") == token  # a keyboard-wedge scanner types the code and Enter
    assert READER.read((token + "\n").encode()) == token
    before = counts(devices)
    devices.vote(READER.read(printed.image), blank(devices))
    assert counts(devices) == (before[0] + 1, before[1] + 1, before[2] + 1)
    with pytest.raises(CardInvalid) as reused:  # the same card again, by image or by text
        devices.vote(READER.read(printed.image), blank(devices))
    assert reused.value.code == "card_reused" and "استفاده" in reused.value.message_fa
    with pytest.raises(CardInvalid):
        devices.vote(READER.read(token + "\r\n"), blank(devices))
    assert counts(devices) == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_the_printer_keeps_one_card_with_a_random_name_dated_to_the_hour(tmp_path):
    key = SigningKey.from_seed(b"\x07" * 32)
    printer = QrCardPrinter(tmp_path / "spool")
    first = printer.write(issue_card(election="1405", branch="B1", style="S", issuer="A", key=key, now=NOW))
    second = printer.write(issue_card(election="1405", branch="B1", style="S", issuer="A", key=key, now=NOW))
    assert [p.name for p in (tmp_path / "spool").iterdir()] == [second.name]  # the spool holds one card
    assert first.name != second.name and second.name.startswith("card-")
    assert second.token.split(".")[1][:16] not in second.name  # not derived from the token
    stat = os.stat(tmp_path / "spool" / second.name)
    assert stat.st_mtime == NOW.replace(minute=0).timestamp() and stat.st_mode & 0o077 == 0
    assert b"tIME" not in second.image  # no timestamp inside the PNG either
    assert printer.get(first.name) is None and printer.get("../x") is None
    assert printer.get(second.name) == (second.image, "image/png")


def test_the_demo_printer_can_add_a_small_pdf_card(tmp_path):
    key = SigningKey.from_seed(b"\x07" * 32)
    printed = QrCardPrinter(tmp_path, pdf=True).write(
        issue_card(election="1405", branch="B1", style="S", issuer="A", key=key, now=NOW))
    assert printed.pdf_name.endswith(".pdf") and (tmp_path / printed.pdf_name).read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(("data", "code"), [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "card_unreadable"),  # a damaged PNG
    (b"\xff\xd8\xff\xe0garbage", "card_unreadable"),  # a damaged JPEG
    (None, "card_unreadable"),  # a picture with no code in it (made below)
    (b"\xff\xfe\x00\x01", "card_unreadable"),  # bytes that are neither a picture nor text
    ("abc\x1b[2J.def", "card_control_characters"),  # an escape sequence in the wedge line
    ("   \r\n", "card_unreadable"),
    ("x" * 5000, "card_unreadable"),
])
def test_the_reader_refuses_what_holds_no_card(data, code):
    if data is None:
        out = io.BytesIO()
        Image.new("L", (200, 200), 255).save(out, "PNG")
        data = out.getvalue()
    with pytest.raises(CardUnreadable) as refused:
        READER.read(data)
    assert refused.value.code == code and refused.value.message_fa != refused.value.message_en


def test_two_codes_in_one_picture_are_refused():
    left, right = (Image.open(io.BytesIO(qr_png(t))) for t in ("a.1", "b.2"))
    both = Image.new("L", (left.width * 2, left.height), 255)
    both.paste(left, (0, 0))
    both.paste(right, (left.width, 0))
    out = io.BytesIO()
    both.save(out, "PNG")
    with pytest.raises(CardUnreadable) as refused:
        READER.read(out.getvalue())
    assert refused.value.code == "card_ambiguous"


def test_the_kiosk_prints_the_card_and_the_ebox_reads_its_picture(opened, tmp_path):
    hq, devices, kiosk = opened
    status, begun = kiosk.call("/api/auth/begin", {"national_code": voters(1)[0]})
    assert status == 200
    kiosk.call("/api/auth/scan", {"session": begun["session"]})
    status, issued = kiosk.call("/api/auth/checkin", {"session": begun["session"]})
    assert status == 200 and issued["card_url"].startswith("/cards/card-")
    image, media_type = kiosk.card_image(issued["card_url"].rsplit("/", 1)[1])
    assert media_type == "image/png" and READER.read(image) == issued["card"]
    assert kiosk.card_image("card-0000.png") is None and kiosk.card_image("../auth.db") is None
    upload = "data:image/png;base64," + base64.b64encode(image).decode()

    status, read = kiosk.call("/api/ebox/card", {"image": upload})
    assert status == 200 and read["card"] == issued["card"] and read["contests"]
    status, cast = kiosk.call("/api/ebox/cast", {"image": upload, "ballot": blank(devices)})
    assert status == 200 and cast["cast"]
    before = counts(devices)

    other_hq_card = issue_card(election="1405", branch="B1", style="S-1", issuer="X", key=SigningKey.generate(),
                               now=NOW, fingerprint=devices.box.fingerprint)
    other_branch = issue_card(election="1405", branch="B2", style="S-1", issuer=devices.auth.serial,
                              key=devices.auth.key, now=NOW, fingerprint=devices.box.fingerprint)
    garbage = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x01" * 40).decode()
    refusals = {
        "card_reused": {"image": upload},
        "card_forged": {"image": base64.b64encode(qr_png(other_hq_card)).decode()},
        "wrong_branch": {"card": other_branch + "\r\n"},
        "card_unreadable": {"image": garbage},
    }
    for code, body in refusals.items():
        for path in ("/api/ebox/card", "/api/ebox/cast"):
            status, answer = kiosk.call(path, {**body, "ballot": blank(devices)})
            assert (status, answer["code"]) == (400, code), (path, code, answer)
            assert answer["message_fa"] and answer["message_fa"] != answer["message"]
    status, answer = kiosk.call("/api/ebox/card", {"image": "not base64!"})
    assert (status, answer["code"]) == (400, "card_unreadable")
    assert counts(devices) == before  # nothing changed
    assert len(hq.sent("checkin")) == 1
