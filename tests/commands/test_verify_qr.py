"""``entekhab device verify-qr``: trusts only published device keys, and refuses bad files in one Persian line.

The posted report is made by a real e-box (journal, manifest, one vote, close); its QR codes
are drawn with segno into PNG files and into a two-page PDF (Pillow), so no layout engine runs.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from typing import Any

import pytest
import segno
from PIL import Image
from typer.testing import CliRunner

from entekhab.cli import app
from entekhab.device.ballot_box import BallotBox
from entekhab.device.journal import Journal
from entekhab.device.synthetic import ContestSpec, synthetic_manifest
from entekhab.publication.device_keys import build_device_keys
from entekhab.publication.index import build_index
from entekhab.records.canonical import canonical_json
from entekhab.records.card import issue_card
from entekhab.records.manifest import sign_manifest
from entekhab.records.report import qr_payloads
from entekhab.records.signing import SigningKey

NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
HQ = SigningKey(b"\x01" * 32)
AUTH = SigningKey(b"\x02" * 32)
EBOX = SigningKey(b"\x03" * 32)
FINGERPRINT = "ab" * 32
runner = CliRunner()


def qr_image(text: str) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=3, border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


@pytest.fixture(scope="module")
def posted(tmp_path_factory) -> dict[str, Any]:
    """A closed e-box's final report as QR PNGs, as a PDF, and the device keys HQ would publish."""
    folder = tmp_path_factory.mktemp("posted")
    journal = Journal(folder / "ebox.db")
    journal.put("election_fingerprint", FINGERPRINT)
    box = BallotBox(journal, EBOX, serial="EB-1", election="1405", branch="B1",
                    auth_public=AUTH.public_key, hq_public=HQ.public_key)
    doc = synthetic_manifest("1405", "S-1", [ContestSpec("council", "C", "Council", 3, True)])
    box.load_manifest(sign_manifest(doc, HQ), now=NOW)
    box.open_polls()
    contest = box.manifest.contests[0]
    card = issue_card(election="1405", branch="B1", style="S-1", issuer="AU-1", key=AUTH, now=NOW,
                      fingerprint=FINGERPRINT)
    box.cast(card, {contest.code: sorted(c for c, v in contest.names.items() if v["kind"] == "candidate")[:1]})
    report = box.close(now=NOW, checkins={}, branch_head="Head", supervisor="Supervisor")
    journal.close()
    texts = qr_payloads(report)
    images = [qr_image(t) for t in texts]
    pngs = []
    for i, image in enumerate(images):
        pngs.append(folder / f"code-{i + 1}.png")
        image.save(pngs[-1])
    images[0].save(folder / "report.pdf", save_all=True, append_images=images[1:], resolution=72)
    devices = [{"serial": "EB-1", "role": "ebox", "branch": "B1", "public_key": EBOX.public_hex, "state": "active"},
               {"serial": "AU-1", "role": "auth", "branch": "B1", "public_key": AUTH.public_hex, "state": "active"}]
    keys = build_device_keys(devices, election="1405", generated="2026-05-01T06:00:00Z", key=HQ)
    (folder / "device-keys.json").write_text(json.dumps(keys))
    other_branch = [{**devices[0], "branch": "B2"}]
    (folder / "keys-b2.json").write_text(json.dumps(
        build_device_keys(other_branch, election="1405", generated="2026-05-01T06:00:00Z", key=HQ)))
    (folder / "empty-keys.json").write_text(json.dumps(
        build_device_keys([], election="1405", generated="2026-05-01T06:00:00Z", key=HQ)))
    # An open data folder: the signed index lists reports/B1.json, the report HQ accepted.
    opendata = folder / "opendata"
    (opendata / "reports").mkdir(parents=True)
    files = {"reports/B1.json": canonical_json(report.document())}
    (opendata / "reports" / "B1.json").write_bytes(files["reports/B1.json"])
    index = build_index(files, election="1405", generated="2026-05-02T00:00:00Z", key=HQ, fingerprint=FINGERPRINT)
    (opendata / "index.json").write_text(json.dumps(index))
    return {"pdf": folder / "report.pdf", "keys": folder / "device-keys.json",
            "keys_b2": folder / "keys-b2.json", "empty": folder / "empty-keys.json", "opendata": opendata,
            "folder": folder, "n": len(texts)}


def verify(*args: object, lang: str = "en"):
    return runner.invoke(app, ["--lang", lang, "device", "verify-qr", *map(str, args)])


def one_line_refusal(result, *, lang_fa: bool = True) -> str:
    """A non-zero exit with one line of text, no traceback (Persian unless ``lang_fa`` is off)."""
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    text = result.output.strip()
    assert text.count("\n") == 0, text
    if lang_fa:
        assert any("\u0600" <= ch <= "\u06ff" for ch in text), f"not Persian: {text}"
    return text


def test_a_report_under_a_published_key_is_accepted_from_pdf_and_from_images(posted):
    pngs = sorted(posted["folder"].glob("code-*.png"))
    for files in ([posted["pdf"]], pngs):
        ok = verify(*files, "--keys", posted["keys"], "--hq-key", HQ.public_hex, "--json")
        assert ok.exit_code == 0, ok.output
        answer = json.loads(ok.output)
        assert answer["branch"] == "B1" and answer["ballots"] == 1 and answer["key"] == "published"
    from_open_data = verify(posted["pdf"], "--keys", posted["opendata"], "--json")
    assert from_open_data.exit_code == 0, from_open_data.output
    assert json.loads(from_open_data.output)["keys_source"] == "open data"


def test_a_validly_signed_report_under_an_unpublished_key_is_refused(posted):
    refused = verify(posted["pdf"], "--keys", posted["empty"], lang="fa")
    one_line_refusal(refused)
    assert "valid" not in refused.output
    english = verify(posted["pdf"], "--keys", posted["empty"])
    assert english.exit_code != 0 and "not a published device key" in english.output
    elsewhere = verify(posted["pdf"], "--keys", posted["keys_b2"])
    assert elsewhere.exit_code != 0 and "another branch" in elsewhere.output


def test_a_keys_file_not_signed_by_the_pinned_hq_key_is_refused(posted):
    stranger = SigningKey(b"\x09" * 32).public_hex
    refused = verify(posted["pdf"], "--keys", posted["keys"], "--hq-key", stranger)
    assert refused.exit_code != 0 and "another key than HQ's" in refused.output
    doc = json.loads(posted["keys"].read_text())
    doc["device_keys"]["devices"].append({"serial": "X", "role": "ebox", "branch": "B1",
                                          "public_key": stranger, "state": "active"})
    forged = posted["folder"] / "forged-keys.json"
    forged.write_text(json.dumps(doc))
    assert "does not verify" in verify(posted["pdf"], "--keys", forged).output


def test_bad_files_get_one_persian_line_and_no_traceback(posted, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(random.Random(7).randbytes(4096))
    assert "bad.pdf" in one_line_refusal(verify(bad, "--keys", posted["keys"], lang="fa"))
    white = Image.new("L", (300, 300), 255)
    white.save(tmp_path / "blank.pdf")
    white.save(tmp_path / "blank.png")
    for name in ("blank.pdf", "blank.png"):
        text = one_line_refusal(verify(tmp_path / name, "--keys", posted["keys"], lang="fa"))
        assert name in text
    assert "no QR code" in verify(tmp_path / "blank.png", "--keys", posted["keys"]).output
    junk = tmp_path / "photo.jpg"
    junk.write_bytes(b"not an image at all")
    one_line_refusal(verify(junk, "--keys", posted["keys"], lang="fa"))
    one_line_refusal(verify(posted["pdf"], "--keys", tmp_path / "missing-keys.json", lang="fa"))
    half = sorted(posted["folder"].glob("code-*.png"))[:1]
    if posted["n"] > 1:  # one code of several: the report is incomplete
        one_line_refusal(verify(*half, "--keys", posted["keys"], lang="fa"))
