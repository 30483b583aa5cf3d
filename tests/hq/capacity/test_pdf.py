"""The plan's PDF is a real PDF whose text (pdftotext, poppler-utils) carries the plan in Persian."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest

from entekhab.domain.digits import to_persian_digits
from entekhab.hq.accounts.roles import Role
from entekhab.hq.capacity.models import AreaPlan

# Bidi controls, joiners and the hamza mark (which pdftotext puts before its letter) do not survive extraction.
BIDI_AND_JOINERS = re.compile("[\u200c-\u200f\u202a-\u202e\u2066-\u2069\u0654]")


def pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is missing: run scripts/install-system.sh")
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return BIDI_AND_JOINERS.sub("", unicodedata.normalize("NFKC", out))


def test_plan_pdf_has_the_persian_plan(run45, client_as, tmp_path):
    response = client_as(Role.OBSERVER).get(f"/capacity/1405/runs/{run45.pk}/plan.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content, tmp_path)
    for words in ("برنامهٔ ظرفیت شعب", "کسری دستگاه احراز هویت", "کسری به تفکیک منطقه", "شعب با بیشترین کسری",
                  "turnout-45", "Branch capacity plan"):
        assert BIDI_AND_JOINERS.sub("", unicodedata.normalize("NFKC", words)) in text, words
    district = AreaPlan.objects.get(run=run45, level="district")
    for figure in (district.branches, district.auth_shortfall, district.ebox_shortfall):
        assert to_persian_digits(f"{figure:,}").replace(",", "٬") in text, figure
    path = tmp_path / "plan.pdf"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 2  # charts and tables, landscape A4
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Vazirmatn" in fonts


def test_no_pdf_for_an_unfinished_run(run45, client_as):
    run45.pk, run45.state = None, "running"  # a new run, still computing (a finished one never re-opens)
    run45.save()
    assert client_as(Role.HQ_ADMIN).get(f"/capacity/1405/runs/{run45.pk}/plan.pdf").status_code == 404


def test_the_plan_pdf_is_rendered_once(run45, client_as, renders):
    client = client_as(Role.OBSERVER)
    url = f"/capacity/1405/runs/{run45.pk}/plan.pdf"
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200 and first.content.startswith(b"%PDF-")
    assert second.content == first.content and len(renders) == 1
    assert first["Cache-Control"] == "private, no-cache"
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304 and len(renders) == 1
