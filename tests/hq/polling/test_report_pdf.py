"""The صورتجلسه PDF: its QR codes, read back by a real decoder, give a report that verifies."""

from __future__ import annotations

from entekhab.device.pdf import decode_pdf_qr, render_pdf
from entekhab.records.report import join_qr_payloads, qr_payloads, verify_report
from tests.hq.polling.conftest import NOW
from tests.hq.polling.test_flow import eligible


def test_qr_codes_on_the_pdf_decode_to_a_report_that_verifies(branches, tmp_path):
    b = branches(0)
    b.devices.open(now=NOW)
    box = b.devices.box
    lists = [(c, code) for c in box.manifest.contests for code, v in c.names.items() if v["kind"] == "list"]
    voters = eligible(None, 6)
    for i, voter in enumerate(voters):
        card = b.devices.check_in(voter, now=NOW).card
        ballot = {c.code: [] for c in box.manifest.contests}
        if lists and i % 2 == 0:
            contest, code = lists[i % len(lists)]
            ballot[contest.code] = [code]
        else:
            contest = box.manifest.contests[-1]
            ballot[contest.code] = sorted(c for c, v in contest.names.items() if v["kind"] == "candidate")[:1]
        box.cast(card, ballot)
    report = b.devices.close(now=NOW, branch_head="مریم احمدی", supervisor="علی کریمی")
    assert len(qr_payloads(report)) >= 2  # the whole report does not fit one comfortable code
    pdf = render_pdf(report, box.manifest, tmp_path / "report.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    texts = decode_pdf_qr(pdf)
    assert len(texts) == len(qr_payloads(report))
    document = join_qr_payloads(reversed(texts))
    verified = verify_report(document, manifest=box.manifest, records=box.records())
    assert verified.report == report.report and verified.report["ballots"] == 6


def test_stored_report_pdf_is_served_and_the_boards_see_it_read_only(branches, client_as, renders):
    from entekhab.hq.accounts.roles import Role

    b = branches(0)
    b.devices.open(now=NOW)
    voter = eligible(None, 1)[0]
    b.devices.vote(b.devices.check_in(voter, now=NOW).card, {c.code: [] for c in b.devices.box.manifest.contests})
    b.devices.close(now=NOW, branch_head="رئیس", supervisor="ناظر")
    client = client_as(Role.SUPERVISORY_BOARD)
    response = client.get(f"/polling/reports/1405/{b.code}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    again = client.get(f"/polling/reports/1405/{b.code}.pdf")  # rendered once, then read from the cache
    assert again.content == response.content and again["ETag"] == response["ETag"] and len(renders) == 1
    assert client.get(f"/polling/reports/1405/{b.code}.pdf", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get("/polling/reports/1405/NO-SUCH.pdf").status_code == 404
    listing = client.get("/admin/polling/branchreport/")
    assert listing.status_code == 200 and b.code in listing.content.decode()
    assert client.get("/admin/polling/branchreport/add/").status_code == 403


def test_the_minutes_print_the_close_time_in_tehran_time(branches):
    """A branch closed at 18:14 Tehran time: the report carries 14:44 UTC, the minutes print 18:14."""
    import datetime as dt

    from entekhab.device.pdf import report_html
    from entekhab.domain.jalali import TEHRAN

    b = branches(0)
    b.devices.open(now=NOW)
    closed = dt.datetime(2026, 5, 1, 18, 14, 30, tzinfo=TEHRAN)
    report = b.devices.close(now=closed, branch_head="رئیس", supervisor="ناظر")
    assert report.report["closed_at"] == "2026-05-01T14:44Z"
    html = report_html(report, b.devices.box.manifest)
    assert "ساعت ۱۸:۱۴ به وقت تهران" in html
    assert "۱۷:۳۰" not in html


def test_a_report_with_only_its_utc_hour_is_printed_as_the_tehran_hour_it_covers():
    from entekhab.device.pdf import report_time_fa

    assert report_time_fa({"hour": "2026-05-01T14"}).endswith("بین ساعت ۱۷:۳۰ و ۱۸:۳۰ به وقت تهران")
    assert report_time_fa({"hour": "2026-05-01T14", "closed_at": "2026-05-01T14:44Z"}).endswith(
        "ساعت ۱۸:۱۴ به وقت تهران")
