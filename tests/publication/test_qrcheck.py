"""The QR check: a genuine posted report matches; an altered one is named; garbage is refused."""

from __future__ import annotations

import base64
import copy
import zlib

import pytest

from entekhab.hq.results.simulate import device_key
from entekhab.publication.errors import QrUnreadable
from entekhab.publication.qrcheck import check_posted, split_pasted
from entekhab.records.report import SignedReport, qr_payloads
from tests.publication.day import polling_day


def texts_of(document: dict) -> list[str]:
    return qr_payloads(SignedReport(document["report"], document["signature"]))


def published(day) -> dict:
    return {b.code: b.document for b in day.branches}


def test_a_genuine_report_matches():
    day = polling_day(21, city_branches=2, village_branches=0, voters=30)
    b = day.branches[1]
    pasted = "\n".join(texts_of(b.document))
    verdict = check_posted(split_pasted(pasted), published(day))
    assert verdict.matches and verdict.signature_valid and verdict.published
    assert verdict.branch == b.code and verdict.differences == ()


def test_an_altered_report_names_the_difference():
    day = polling_day(22, city_branches=1, village_branches=0, voters=30)
    b = day.branches[0]
    forged = copy.deepcopy(b.document)
    row = next(r for r in forged["report"]["contests"] if r["code"] == "council-city")
    code = next(iter(row["candidates"]))
    row["candidates"][code] += 7
    verdict = check_posted(texts_of(forged), published(day))
    assert not verdict.matches and not verdict.signature_valid
    [diff] = verdict.differences
    assert diff.where == f"report.contests.council-city.candidates.{code}"
    assert diff.found - diff.expected == 7


def test_a_report_re_signed_by_another_key_is_still_a_difference():
    day = polling_day(23, city_branches=1, village_branches=0, voters=10)
    b = day.branches[0]
    report = copy.deepcopy(b.document["report"])
    key = device_key("other", "B001")
    report["device_key"] = key.public_hex
    forged = {"report": report, "signature": key.sign_document(report)}
    verdict = check_posted(texts_of(forged), published(day))
    assert verdict.signature_valid and not verdict.matches
    assert [d.where for d in verdict.differences] == ["report.device_key", "signature"]


def test_an_unpublished_branch_is_named():
    day = polling_day(24, city_branches=2, village_branches=0, voters=5)
    verdict = check_posted(texts_of(day.branches[0].document), {})
    assert not verdict.matches and not verdict.published


@pytest.mark.parametrize("pasted, code", [
    ("", "qr_empty"), ("hello world", "qr_unreadable"), ("EKB1/1/2/abcd/xyz", "qr_unreadable"),
    ("EKB1/1/1/abcd/!!!!", "qr_unreadable"), ("EKB1/x/1/abcd/AAAA", "qr_unreadable"),
    ("EKB1/" + "A" * 300_000, "qr_unreadable"),
    ("EKB1/1/1/abcd/" + base64.b64encode(zlib.compress(b"[" * 50_000_000, 9)).decode(), "qr_too_large"),
])
def test_garbage_is_refused_with_a_reason(pasted, code):
    with pytest.raises(QrUnreadable) as err:
        check_posted(split_pasted(pasted), {})
    assert err.value.code == code and err.value.message_fa
