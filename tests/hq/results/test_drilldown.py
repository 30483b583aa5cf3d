"""Drill-down pages and the branch list through the real views: links down to a branch, search, 404s, no writes."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entekhab.hq.elections.models import Branch
from entekhab.hq.polling.models import BranchReport
from entekhab.hq.results.drilldown import normalise_query
from entekhab.hq.results.models import CountedReport
from entekhab.hq.results.totals import absorb_new_reports


@pytest.fixture
def counted(election, polling_day):
    absorb_new_reports(election)
    return polling_day


def _links(html: str, name: str) -> list[str]:
    return re.findall(rf'class="{name}"[^>]*href="([^"]+)"', html)


def test_council_drills_down_from_the_contest_to_a_branch_report(client, election, counted):
    html = client.get(reverse("results:contest", args=[election.code, "council-tehran"])).content.decode()
    assert 'id="drilldown"' in html and 'class="bars candidates-chart"' in html and 'class="progress"' in html
    url, seen = _links(html, "area-link")[0], []
    while True:  # county → city → region: always the first sub-area, until the area lists branches
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        seen.append(re.search(r'<h1 id="area-title">([^<]+)</h1>', html).group(1))
        assert 'id="level-progress"' in html and 'id="level-turnout"' in html and "candidates-chart" in html
        assert 'class="crumbs"' in html
        down = _links(html, "area-link")
        if not down:
            break
        url = down[0]
    assert len(seen) == 3 and seen[-1] == "منطقه ۱ تهران"
    branch = _links(html, "branch-link")[0]
    assert '<bdi dir="ltr">C01-T01-R01-0001</bdi>' in html
    report = client.get(branch).content.decode()
    counted_report = CountedReport.objects.get(branch__code="C01-T01-R01-0001").report
    assert counted_report.sha256 in report and 'id="branch-places"' in report
    assert reverse("results:area", args=[election.code, "council-tehran", "P23-C01-T01-R01"]) in report


def test_area_page_shows_persian_totals_progress_and_turnout(client, election, counted):
    page = client.get(reverse("results:area", args=[election.code, "council-tehran", "P23-C01-T01-R01"]))
    html = page.content.decode()
    reported = CountedReport.objects.filter(branch__area__code="P23-C01-T01-R01").count()
    expected = Branch.objects.filter(area__code="P23-C01-T01-R01", election=election).count()
    digits = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    assert f"{reported} / {expected}".translate(digits) in html
    assert html.count('class="branch-row"') == expected
    svg = re.search(r'<svg[^>]*class="bars candidates-chart".*?</svg>', html, re.S).group(0)
    assert "آرا" in svg and not re.search(r">[^<]*[0-9][^<]*</text>", svg)  # Persian axis and digits


def test_every_contest_level_is_reachable_and_its_root_is_the_contest(client, election, counted):
    page = client.get(reverse("results:area", args=[election.code, "experts-tehran", "P23"]))
    assert page.status_code == 200 and _links(page.content.decode(), "area-link")


@pytest.mark.parametrize("area", ["NOPE", "P23-C02-V001", "<script>", "%FF", "P23" * 500])
def test_an_unknown_area_is_a_persian_404(client, election, counted, area):
    page = client.get(f"/results/{election.code}/contest/council-tehran/area/{area}/")
    assert page.status_code == 404
    html = page.content.decode()
    assert 'dir="rtl"' in html and "پیدا نشد" in html and "<script>" not in html


def test_unknown_contest_and_branch_are_persian_404s(client, election, counted):
    for url in (reverse("results:area", args=[election.code, "nope", "P23"]),
                reverse("results:branch", args=[election.code, "NOPE-0001"]),
                reverse("results:branch_report_json", args=[election.code, "NOPE-0001"]),
                reverse("results:branches", args=["nope"])):
        page = client.get(url)
        assert page.status_code == 404 and "پیدا نشد" in page.content.decode(), url


def test_branch_list_shows_every_branch_with_source_digest_and_links(client, election, counted):
    html = client.get(reverse("results:branches", args=[election.code])).content.decode()
    total = Branch.objects.filter(election=election).count()
    assert f'{total:,}'.translate(str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")) in html
    first = CountedReport.objects.select_related("branch").order_by("branch__code").first()
    assert f'<bdi dir="ltr">{first.sha256[:16]}</bdi>' in html and "الکترونیک" in html
    assert reverse("results:branch_report_json", args=[election.code, first.branch.code]) in html


@pytest.mark.parametrize(("query", "code"), [
    ("C01-T01-R01-0002", "C01-T01-R01-0002"),
    ("c01-t01-r01-0002", "C01-T01-R01-0002"),  # codes are found whatever the letter case
    ("C۰۱-T۰۱-R۰۱-۰۰۰۲", "C01-T01-R01-0002"),  # Persian digits, as typed on a Persian keyboard
])
def test_search_finds_a_branch_by_code(client, election, counted, query, code):
    html = client.get(reverse("results:branches", args=[election.code]), {"q": query}).content.decode()
    assert re.findall(r'data-branch="([^"]+)"', html) == [code]


def test_search_finds_branches_by_venue_name_with_arabic_letters_and_persian_digits(client, election, counted):
    branch = Branch.objects.filter(election=election).exclude(venue_name="").order_by("code").first()
    typed = branch.venue_name.replace("ی", "ي").replace("ک", "ك").translate(str.maketrans("0123456789",
                                                                                      "۰۱۲۳۴۵۶۷۸۹"))
    html = client.get(reverse("results:branches", args=[election.code]), {"q": typed}).content.decode()
    found = re.findall(r'data-branch="([^"]+)"', html)
    assert branch.code in found
    words = branch.venue_name.split()
    assert all(all(w in Branch.objects.get(election=election, code=c).venue_name for w in words) for c in found)


def test_a_nul_in_the_area_path_is_refused_not_a_server_error(client, election, counted):
    page = client.get(f"/results/{election.code}/contest/council-tehran/area/%00/")
    assert page.status_code in (400, 404) and "dir=\"rtl\"" in page.content.decode()


@pytest.mark.parametrize("query_string", [
    "q=%00", "q=abc%00def", "q=" + "%D8%A8" * 20000, "q=%FF%FE%FD", "q=%C3%28", "q=\udcff", "page=%00",
    "page=-1", "page=99999999999999999999", "q=%25%5F%5C", "q=%27%22%3B--", "q=" + "x" * 100000,
])
def test_hostile_search_queries_never_give_a_server_error(client, election, counted, query_string):
    page = client.get(reverse("results:branches", args=[election.code]), QUERY_STRING=query_string)
    assert page.status_code < 500, query_string


@pytest.mark.parametrize(("raw", "clean"), [
    ("  C01\x00-T01 ", "C01-T01"), ("\u0643\u064a", "کی"), ("۱۲٣", "123"), ("a" * 500, "a" * 100),
    ("مدرسه\u200cی  نو", "مدرسه ی نو"), ("\ufeffدبستان\u202e", "دبستان"),
])
def test_queries_are_normalised_before_searching(raw, clean):
    assert normalise_query(raw) == clean


def test_the_signed_report_downloads_in_its_canonical_bytes(client, election, counted):
    report = BranchReport.objects.filter(branch__election=election, counted__isnull=False).first()
    page = client.get(reverse("results:branch_report_json", args=[election.code, report.branch.code]))
    assert page.status_code == 200 and page["Content-Type"].startswith("application/json")
    assert hashlib.sha256(page.content).hexdigest() == report.sha256


def test_the_new_pages_never_write_on_get(client, election, counted, django_capture_on_commit_callbacks):
    from entekhab.hq.results.polling_day import store_polling_day

    unreported = Branch.objects.filter(election=election, counted_report__isnull=True).first()
    if unreported is None:  # every branch reported: make room for a late report
        unreported = Branch.objects.filter(election=election).order_by("-number").first()
        CountedReport.objects.filter(branch=unreported).delete()
        BranchReport.objects.filter(branch=unreported).delete()
    store_polling_day(election, seed=7, voters=(3, 3), branches=[unreported])  # stored, not yet counted
    before = CountedReport.objects.count()
    urls = [reverse("results:area", args=[election.code, "council-tehran", "P23-C01"]),
            reverse("results:branches", args=[election.code]),
            reverse("results:branches", args=[election.code]) + "?q=C01",
            reverse("results:branch_report_json", args=[election.code, "C01-T01-R01-0001"])]
    with CaptureQueriesContext(connection) as queries:
        for url in urls:
            assert client.get(url).status_code == 200, url
    writes = [q["sql"] for q in queries.captured_queries
              if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.I)]
    assert writes == [] and CountedReport.objects.count() == before


def test_area_pages_are_memoised_for_anonymous_visitors(client, election, counted, django_assert_max_num_queries):
    url = reverse("results:area", args=[election.code, "council-tehran", "P23-C01-T01-R01"])
    first = client.get(url).content
    with django_assert_max_num_queries(8):  # the results key and the session, not the page's reads
        assert client.get(url).content == first
