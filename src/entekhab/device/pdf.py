"""The branch report as a Persian PDF (صورتجلسه) with QR codes carrying the whole signed report.

WeasyPrint lays out RTL Persian text with the shipped Vazirmatn TTF; each QR code is a
PNG drawn by ``segno`` at level M. Anyone can scan the posted copy, re-assemble the
report with :func:`entekhab.records.report.join_qr_payloads` and check its signature.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path
from typing import Any

from entekhab.domain.digits import to_persian_digits
from entekhab.domain.jalali import TEHRAN, format_jalali
from entekhab.records.manifest import BallotManifest
from entekhab.records.report import SignedReport, parse_closed_at, qr_payloads

FONTS = Path(__file__).resolve().parents[1] / "hq" / "static" / "fonts"


def _qr_png(text: str) -> str:
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=4, border=4)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _fa(value: object) -> str:
    return html.escape(to_persian_digits(value))


def report_time_fa(report: dict[str, Any]) -> str:
    """The report's date and time in Tehran time, Persian digits (escaped HTML).

    A final report carries its closing minute in UTC (``closed_at``): printed as that minute
    in Tehran. A report with only its UTC ``hour`` (zero and mock reports, paper counts) is
    printed as the Tehran hour it covers; Tehran is UTC+03:30, so that hour runs from :30 to :30.
    """
    if "closed_at" in report:
        moment = parse_closed_at(report["closed_at"]).astimezone(TEHRAN)
        return f"{_fa(format_jalali(moment.date()))} — ساعت {_fa(moment.strftime('%H:%M'))} به وقت تهران"
    start = dt.datetime.strptime(report["hour"], "%Y-%m-%dT%H").replace(tzinfo=dt.UTC).astimezone(TEHRAN)
    end = start + dt.timedelta(hours=1)
    return (f"{_fa(format_jalali(start.date()))} — بین ساعت {_fa(start.strftime('%H:%M'))} و "
            f"{_fa(end.strftime('%H:%M'))} به وقت تهران")


def report_html(signed: SignedReport, manifest: BallotManifest) -> str:
    r = signed.report
    when = report_time_fa(r)
    checkins = r.get("checkins") or {}
    statement = checkins.get("statement", {}) if isinstance(checkins, dict) else {}
    ack = r.get("acknowledged_by") or {}
    title = {"zero": "گزارش صفر (پیش از آغاز رأی‌گیری)", "mock": "گزارش رأی‌گیری آزمایشی",
             "final": "صورتجلسه پایان رأی‌گیری شعبه"}.get(r.get("kind", ""), "صورتجلسه")
    rows = []
    for contest in r["contests"]:
        display = manifest.contest(contest["code"])
        rows.append(f"<h2>{html.escape(display.name_fa)}</h2>")
        rows.append("<table><tr><th>کد</th><th>نام</th><th>نوع</th><th>آرا</th></tr>")
        for code, n in contest["lists"].items():
            name = (display.lookup(code) or {}).get("name_fa", "")
            rows.append(f"<tr><td>{_fa(code)}</td><td>{html.escape(name)}</td><td>فهرست</td><td>{_fa(n)}</td></tr>")
        for code, n in contest["candidates"].items():
            name = (display.lookup(code) or {}).get("name_fa", "")
            rows.append(f"<tr><td>{_fa(code)}</td><td>{html.escape(name)}</td><td>نامزد</td><td>{_fa(n)}</td></tr>")
        rows.append(
            f"<tr class='sum'><td colspan='3'>برگه‌ها / سفید / مجموع آرای نامزدها</td>"
            f"<td>{_fa(contest['ballots'])} / {_fa(contest['blank'])} / {_fa(contest['candidate_votes'])}</td></tr>"
            "</table>")
    codes = qr_payloads(signed)
    qrs = "".join(f"<figure><img src='{_qr_png(t)}' alt='QR {i + 1}'/><figcaption>کد {_fa(i + 1)} از "
                  f"{_fa(len(codes))}</figcaption></figure>" for i, t in enumerate(codes))
    mock = r.get("mock_poll")
    preds = ", ".join(p.get("device", "") for p in r.get("predecessors") or [])
    replaced = f" (جایگزین {html.escape(preds)})" if preds else ""
    regular, bold = (FONTS / "Vazirmatn-Regular.ttf").as_uri(), (FONTS / "Vazirmatn-Bold.ttf").as_uri()
    return f"""<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><style>
@font-face {{ font-family: Vazirmatn; src: url('{regular}'); }}
@font-face {{ font-family: Vazirmatn; font-weight: bold; src: url('{bold}'); }}
@page {{ size: A4; margin: 14mm; }}
body {{ font-family: Vazirmatn; direction: rtl; font-size: 10.5pt; }}
h1 {{ font-size: 16pt; margin: 0 0 4mm; }} h2 {{ font-size: 12pt; margin: 4mm 0 1mm; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 0.4pt solid #666; padding: 1mm 2mm; }}
tr.sum td {{ font-weight: bold; }} .meta td {{ border: none; padding: 0.5mm 2mm; }}
.hash {{ font-family: monospace; direction: ltr; font-size: 7pt; }}
.qrs {{ page-break-before: always; }} figure {{ display: inline-block; margin: 3mm; text-align: center; }}
figure img {{ width: 80mm; }} .sign {{ margin-top: 8mm; }} .sign span {{ display: inline-block; width: 45%; }}
</style></head><body>
<h1>{title}</h1>
<table class="meta">
<tr><td>انتخابات</td><td>{html.escape(r['election'])}</td><td>شعبه</td>
<td class="hash">{html.escape(r['branch'])}</td></tr>
<tr><td>تاریخ و ساعت</td><td>{when}</td>
<td>صندوق الکترونیک</td><td>{html.escape(r['device'])}{replaced}</td></tr>
<tr><td>برگه‌های رأی در صندوق</td><td>{_fa(r['ballots'])}</td>
<td>پذیرش‌شدگان (دستگاه احراز هویت)</td><td>{_fa(statement.get('checkins', '—'))}</td></tr>
<tr><td>رأی‌گیری آزمایشی</td><td>{_fa(mock['ballots']) + ' برگه، پاک شد' if mock else '—'}</td>
<td>سبک برگه رأی</td><td>{html.escape(r['style'])}</td></tr>
</table>
<p>چکیده فهرست برگه رأی: <span class="hash">{r['manifest_sha256']}</span><br/>
چکیده گزارش صفر: <span class="hash">{r.get('zero_report_sha256', '')}</span><br/>
چکیده رکوردهای رأی: <span class="hash">{r['records_sha256']}</span><br/>
چکیده این صورتجلسه: <span class="hash">{signed.sha256}</span></p>
{''.join(rows)}
<p class="sign"><span>رئیس شعبه: {html.escape(ack.get('branch_head', ''))}</span>
<span>ناظر: {html.escape(ack.get('supervisor', ''))}</span></p>
<div class="qrs"><h2>کدهای QR: متن کامل صورتجلسه امضاشده</h2>
<p>همه کدها را بخوانید و با <span class="hash">entekhab device verify-qr</span> یا هر خواننده‌ای بررسی کنید.</p>
{qrs}</div>
</body></html>"""


def render_pdf(signed: SignedReport, manifest: BallotManifest, path: Path | str) -> Path:
    from weasyprint import HTML

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=report_html(signed, manifest)).write_pdf(str(path))
    return path


def decode_pdf_qr(path: Path | str, *, dpi: int = 150) -> list[str]:
    """Render every page with ``pdftoppm`` (poppler) and read every QR code with zxing-cpp."""
    import subprocess
    import tempfile

    import zxingcpp
    from PIL import Image

    texts: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), f"{tmp}/page"], check=True)
        for page in sorted(Path(tmp).glob("page*.png")):
            with Image.open(page) as image:
                texts.extend(r.text for r in zxingcpp.read_barcodes(image) if r.text)
    return texts


def summary(signed: SignedReport) -> dict[str, Any]:
    r = signed.report
    return {"branch": r["branch"], "ballots": r["ballots"], "sha256": signed.sha256}
