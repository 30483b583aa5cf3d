"""The branch report as a Persian PDF (the *surat-jalase*) with QR codes carrying the whole signed report.

WeasyPrint lays out RTL Persian text with the shipped Vazirmatn TTF; each QR code is a
PNG drawn by ``segno`` at level M. Anyone can scan the posted copy, re-assemble the
report with :func:`entekhab.records.report.join_qr_payloads` and check its signature.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import html
import io
from pathlib import Path
from string import Template
from typing import Any

from entekhab.device.assets import FONTS
from entekhab.domain.digits import to_persian_digits
from entekhab.domain.jalali import TEHRAN, format_jalali
from entekhab.i18n import N_, Catalogued, pgettext_in, render
from entekhab.records.manifest import BallotManifest
from entekhab.records.report import SignedReport, parse_closed_at, qr_payloads

TEMPLATES = Path(__file__).resolve().parent / "templates"


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
        return render("%(date)s — at %(time)s Tehran time", {
            "date": _fa(format_jalali(moment.date())), "time": _fa(moment.strftime("%H:%M"))}, "fa")
    start = dt.datetime.strptime(report["hour"], "%Y-%m-%dT%H").replace(tzinfo=dt.UTC).astimezone(TEHRAN)
    end = start + dt.timedelta(hours=1)
    return render("%(date)s — between %(start)s and %(end)s Tehran time", {
        "date": _fa(format_jalali(start.date())), "start": _fa(start.strftime("%H:%M")),
        "end": _fa(end.strftime("%H:%M"))}, "fa")


TITLES = Catalogued("minutes title", {
    "zero": N_("Zero report (before voting starts)"),
    "zero2": N_("Second zero report (after the mock poll, before voting starts)"),
    "mock": N_("Mock poll report"),
    "final": N_("Branch closing minutes"),
    "": N_("Minutes"),
})
ROW = "<tr><td>$code</td><td>$name</td><td>$kind</td><td>$votes</td></tr>"


@functools.cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def _contest_html(contest: dict[str, Any], manifest: BallotManifest) -> str:
    display = manifest.contest(contest["code"])
    row = Template(ROW)
    rows = []
    for kind, entries in ((pgettext_in("fa", "minutes row", "list"), contest["lists"]),
                          (pgettext_in("fa", "minutes row", "candidate"), contest["candidates"])):
        for code, n in entries.items():
            name = (display.lookup(code) or {}).get("name_fa", "")
            rows.append(row.substitute(code=_fa(code), name=html.escape(name), kind=kind, votes=_fa(n)))
    return _template("minutes_contest.html").substitute(
        name=html.escape(display.name_fa), rows="\n".join(rows), ballots=_fa(contest["ballots"]),
        blank=_fa(contest["blank"]), candidate_votes=_fa(contest["candidate_votes"]))


def report_html(signed: SignedReport, manifest: BallotManifest) -> str:
    r = signed.report
    checkins = r.get("checkins") or {}
    statement = checkins.get("statement", {}) if isinstance(checkins, dict) else {}
    ack = r.get("acknowledged_by") or {}
    codes = qr_payloads(signed)
    qrs = "".join(f"<figure><img src='{_qr_png(t)}' alt='QR {i + 1}'/><figcaption>"
                  + render("code %(n)s of %(total)s", {"n": _fa(i + 1), "total": _fa(len(codes))}, "fa")
                  + "</figcaption></figure>" for i, t in enumerate(codes))
    mock = r.get("mock_poll")
    preds = ", ".join(p.get("device", "") for p in r.get("predecessors") or [])
    device = html.escape(r["device"])
    if preds:
        device += " " + render("(replacing %(devices)s)", {"devices": html.escape(preds)}, "fa")
    return _template("minutes.html").substitute(
        font_regular=(FONTS / "Vazirmatn-Regular.ttf").as_uri(), font_bold=(FONTS / "Vazirmatn-Bold.ttf").as_uri(),
        title=TITLES.get("zero2" if r.get("sequence") == 2 else r.get("kind", ""), TITLES[""]),
        election=html.escape(r["election"]),
        branch=html.escape(r["branch"]), when=report_time_fa(r), device=device, ballots=_fa(r["ballots"]),
        checkins=_fa(statement.get("checkins", "—")),
        mock=render("%(ballots)s ballots, cleared", {"ballots": _fa(mock["ballots"])}, "fa") if mock else "—",
        style=html.escape(r["style"]), manifest_sha256=html.escape(r["manifest_sha256"]),
        zero_sha256=html.escape(r.get("zero_report_sha256", "")), records_sha256=html.escape(r["records_sha256"]),
        report_sha256=signed.sha256, contests="".join(_contest_html(c, manifest) for c in r["contests"]),
        branch_head=html.escape(ack.get("branch_head", "")), supervisor=html.escape(ack.get("supervisor", "")),
        qrs=qrs)


def render_pdf(signed: SignedReport, manifest: BallotManifest, path: Path | str) -> Path:
    from weasyprint import HTML

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=report_html(signed, manifest)).write_pdf(str(path))
    return path


def decode_pdf_qr(path: Path | str, *, dpi: int = 150) -> list[str]:
    """Render every page with pypdfium2 (in process: a device needs no poppler) and read its QR codes with zxing-cpp."""
    import pypdfium2
    import zxingcpp

    texts: list[str] = []
    document = pypdfium2.PdfDocument(str(path))
    try:
        for page in document:
            try:
                image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            finally:
                page.close()
            texts.extend(r.text for r in zxingcpp.read_barcodes(image) if r.text)
    finally:
        document.close()
    return texts


def summary(signed: SignedReport) -> dict[str, Any]:
    r = signed.report
    return {"branch": r["branch"], "ballots": r["ballots"], "sha256": signed.sha256}
