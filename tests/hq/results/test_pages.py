"""Public results pages, the QR check page, open data downloads, through the real views."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from django.urls import reverse

from entekhab.hq.accounts.roles import Role
from entekhab.hq.polling.models import BranchReport
from entekhab.hq.results.opendata import do_publish_open_data
from entekhab.hq.results.totals import absorb_new_reports
from entekhab.records.report import SignedReport, qr_payloads
from tests.publication.test_open_data import schema


@pytest.fixture
def counted(election, polling_day):
    absorb_new_reports(election)
    return polling_day


def test_election_page_lists_contests_with_progress(client, election, counted):
    page = client.get(reverse("results:election", args=[election.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "شورای اسلامی شهر تهران" in html and "غیرقطعی" in html
    assert 'dir="rtl"' in html


def test_tehran_council_page_shows_the_seat_charts_and_explanation(client, election, counted):
    page = client.get(reverse("results:contest", args=[election.code, "council-tehran"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="hemicycle"' in html and html.count("<circle") == 21
    assert 'class="quota"' in html
    assert "سهمیه" in html and "منتخب" in html


def test_contest_results_by_area(client, election, counted):
    page = client.get(reverse("results:contest", args=[election.code, "experts-tehran"]), {"area": "P23-C01"})
    html = page.content.decode()
    assert page.status_code == 200 and "آرای حوزه" in html
    page = client.get(reverse("results:contest", args=[election.code, "experts-tehran"]), {"area": "<script>"})
    assert page.status_code == 200 and "<script>" not in page.content.decode().split("</header>")[1]


def test_a_plurality_contest_page_has_no_seat_chart(client, election, counted):
    page = client.get(reverse("results:contest", args=[election.code, "experts-tehran"]))
    assert page.status_code == 200 and 'class="hemicycle"' not in page.content.decode()


def test_branch_page_shows_report_signature_and_qr_codes(client, election, counted):
    report = BranchReport.objects.filter(branch__election=election).first()
    page = client.get(reverse("results:branch", args=[election.code, report.branch.code]))
    html = page.content.decode()
    assert page.status_code == 200
    assert report.document["signature"] in html and report.sha256 in html
    assert "qr/1.svg" in html and "EKB1/1/" in html
    qr = client.get(reverse("results:branch_qr", args=[election.code, report.branch.code, 1]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    again = client.get(reverse("results:branch_qr", args=[election.code, report.branch.code, 1]),
                       HTTP_IF_NONE_MATCH=qr["ETag"])
    assert again.status_code == 304
    assert client.get(reverse("results:branch_qr", args=[election.code, report.branch.code, 99])).status_code == 404


def _texts(document):
    return "\n".join(qr_payloads(SignedReport(document["report"], document["signature"])))


def test_qr_check_page_matches_a_genuine_report(client, election, counted):
    report = BranchReport.objects.filter(branch__election=election).first()
    page = client.post(reverse("results:check", args=[election.code]), {"codes": _texts(report.document)})
    html = page.content.decode()
    assert page.status_code == 200 and "مطابق است" in html and "مطابق نیست" not in html


def test_qr_check_page_names_the_difference_in_an_altered_report(client, election, counted):
    report = BranchReport.objects.filter(branch__election=election, ballots__gt=0).first()
    forged = copy.deepcopy(report.document)
    row = forged["report"]["contests"][0]
    row["blank"] += 1
    page = client.post(reverse("results:check", args=[election.code]), {"codes": _texts(forged)})
    html = page.content.decode()
    assert "مطابق نیست" in html
    assert f"report.contests.{row['code']}.blank" in html
    assert "امضای دستگاه معتبر نیست" in html


@pytest.mark.parametrize("codes", ["", "not a qr code", "EKB1/1/2/abc/xyz", "EKB1/1/1/ab/" + "A" * 50])
def test_qr_check_page_refuses_garbage_with_a_persian_message(client, election, codes):
    page = client.post(reverse("results:check", args=[election.code]), {"codes": codes})
    assert page.status_code == 400
    assert 'id="qr-error"' in page.content.decode()


def test_turnout_page_shows_the_chart_of_the_day(client, election, counted):
    page = client.get(reverse("results:turnout", args=[election.code]))
    html = page.content.decode()
    assert page.status_code == 200 and 'class="turnout"' in html
    page = client.get(reverse("results:turnout", args=[election.code]), {"contest": "council-tehran", "area": "P23"})
    assert page.status_code == 200


def test_unknown_pages_are_404_not_500(client, election):
    for url in (reverse("results:contest", args=[election.code, "nope"]),
                reverse("results:branch", args=[election.code, "nope"]),
                reverse("results:election", args=["nope"]),
                reverse("results:open_data_file", args=[election.code, "../../secret_key"])):
        assert client.get(url).status_code == 404


def test_open_data_is_published_signed_and_valid(client, election, counted, make_user, monkeypatch, tmp_path):
    monkeypatch.setattr("entekhab.hq.results.opendata.snapshots_dir", lambda e: tmp_path / e.code)
    assert client.get(reverse("results:open_data_file", args=[election.code, "results.json"])).status_code == 404
    folder = do_publish_open_data(election, acting_user=make_user(Role.HQ_ADMIN))
    page = client.get(reverse("results:open_data", args=[election.code]))
    assert "results_nist.json" in page.content.decode()
    nist = json.loads(b"".join(client.get(reverse("results:open_data_file",
                                                  args=[election.code, "results_nist.json"])).streaming_content))
    jsonschema.validate(nist, schema("NIST_V2_election_results_reporting.json"))
    branch = BranchReport.objects.filter(branch__election=election).first().branch.code
    cvr = json.loads((folder / "records" / f"{branch}.json").read_text())
    jsonschema.validate(cvr, schema("NIST_V0_cast_vote_records.json"))
    from entekhab.publication.opendata import recount_folder

    outcome = recount_folder(folder)
    assert outcome.agrees, outcome.as_json()
    assert outcome.branches == counted["branches"]


def test_a_cached_page_changes_as_soon_as_a_report_is_counted(client, election, django_capture_on_commit_callbacks):
    from entekhab.hq.elections.models import Branch
    from entekhab.hq.results.polling_day import store_polling_day

    branches = list(Branch.objects.filter(election=election).order_by("number")[:2])
    store_polling_day(election, seed=1, voters=(3, 3), branches=branches[:1])
    url = reverse("results:contest", args=[election.code, "experts-tehran"])
    first = client.get(url).content.decode()
    assert first == client.get(url).content.decode()  # served again from the memo
    with django_capture_on_commit_callbacks(execute=True):  # the intake's commit counts the report at once
        store_polling_day(election, seed=2, voters=(4, 4), branches=branches[1:])
    second = client.get(url).content.decode()
    assert second != first and "۲ / " in second
