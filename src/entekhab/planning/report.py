"""A self-contained HTML report of a district plan: Persian first, right to left, charts inline.

One file that can be mailed, archived or printed (the HQ app turns the same content
into a PDF): the Vazirmatn font is embedded when found, the charts are inline SVG,
every figure is in Persian digits, and each heading carries its English name second.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
from collections.abc import Sequence
from pathlib import Path

from entekhab.domain.digits import to_persian_digits
from entekhab.domain.jalali import format_datetime_fa
from entekhab.i18n import both
from entekhab.planning.charts import (
    branch_day_chart,
    devices_by_area_chart,
    font_candidates,
    quantile_wait_histogram,
)
from entekhab.planning.district import DistrictDay, DistrictPlan
from entekhab.planning.rollup import AreaRollup
from entekhab.planning.simulation import VoterTrace
from entekhab.planning.sizing import BranchSizing


def fa_int(n: int) -> str:
    """12,345 → ۱۲٬۳۴۵."""
    return to_persian_digits(f"{n:,}").replace(",", "٬")


def fa_num(x: float, digits: int = 1) -> str:
    """A decimal in Persian digits with the Persian decimal separator; ∞ for unbounded."""
    if math.isinf(x):
        return "∞"
    return to_persian_digits(f"{x:,.{digits}f}").replace(",", "٬").replace(".", "٫")


def fa_pct(x: float) -> str:
    return to_persian_digits(f"{x * 100:.0f}") + "٪"


def _font_css() -> str:
    for ttf in font_candidates():
        woff2 = ttf.with_suffix(".woff2")
        for path, fmt in ((woff2, "woff2"), (ttf, "truetype")):
            if path.is_file():
                data = base64.b64encode(path.read_bytes()).decode("ascii")
                return ("@font-face{font-family:Vazirmatn;src:url(data:font/"
                        f"{fmt};base64,{data}) format('{fmt}');}}")
    return ""


CSS = """
body{font-family:Vazirmatn,Tahoma,sans-serif;margin:2rem auto;max-width:72rem;color:#1f3a5f;
line-height:1.7;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:2px solid #2a9d8f}.en{color:#6b7785;font-size:.85em;font-weight:normal}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0}
th,td{border:1px solid #d5dbe1;padding:.25rem .5rem;text-align:center}
th{background:#eef3f7}td.code{direction:ltr;font-family:monospace}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #d5dbe1;border-radius:.4rem;
padding:.6rem 1rem;min-width:10rem}.card b{display:block;font-size:1.3rem}
.short{color:#d1495b;font-weight:bold}figure{margin:1rem 0}figure svg{max-width:100%;height:auto}
.ltr{direction:ltr;unicode-bidi:isolate}.note{font-size:.85rem}
@page{size:A4 landscape;margin:1.2cm}.en{unicode-bidi:isolate}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}figure{break-inside:avoid}}
"""


def _svg(data: bytes) -> str:
    text = data.decode("utf-8")
    return text[text.find("<svg"):]


def _area_table(rows: Sequence[AreaRollup], title_fa: str, title_en: str) -> str:
    head = ("<tr><th>حوزه<br><span class=en>area</span></th><th>شعب</th>"
            "<th>رأی‌دهندهٔ مورد انتظار</th>"
            "<th>احراز هویت: لازم</th><th>موجود</th><th>کسری</th>"
            "<th>صندوق: لازم</th><th>موجود</th><th>کسری</th>"
            "<th>شعب کم‌دستگاه</th><th>بدترین صدک انتظار (دقیقه)</th></tr>")
    body = []
    for r in rows:
        def cell(n: int) -> str:
            return f"<td class=short>{fa_int(n)}</td>" if n else f"<td>{fa_int(n)}</td>"
        body.append(
            f"<tr><td class=code>{html.escape(r.area_code)}</td><td>{fa_int(r.branches)}</td>"
            f"<td>{fa_int(round(r.expected_voters))}</td>"
            f"<td>{fa_int(r.auth.required)}</td><td>{fa_int(r.auth.available)}</td>"
            f"{cell(r.auth.shortfall)}"
            f"<td>{fa_int(r.eboxes.required)}</td><td>{fa_int(r.eboxes.available)}</td>"
            f"{cell(r.eboxes.shortfall)}<td>{fa_int(r.branches_short)}</td>"
            f"<td>{fa_num(r.worst_quantile_wait_minutes)}</td></tr>")
    return (f"<h2>{title_fa} <span class=en>{title_en}</span></h2>"
            "<p class=note>لازم = کمینهٔ دستگاه‌ها + ذخیره؛ کسری = لازم − موجود (اگر جابه‌جایی"
            " میان شعب حوزه ممکن باشد). <span class=en dir=ltr>Required = least devices + "
            "spares; shortfall = required − available, if devices may move within the "
            "area.</span></p>"
            f"<table>{head}{''.join(body)}</table>")


def _branch_table(rows: Sequence[BranchSizing]) -> str:
    head = ("<tr><th>شعبه</th><th>منطقه</th><th>واجدان</th><th>احراز لازم/موجود</th>"
            "<th>صندوق لازم/موجود</th><th>صدک انتظار با دستگاه لازم</th>"
            "<th>با یک صندوق کمتر</th><th>برآورد ارلانگ (احراز/صندوق)</th></tr>")
    body = "".join(
        f"<tr><td class=code>{html.escape(s.code)}</td>"
        f"<td class=code>{html.escape(s.region_code)}</td><td>{fa_int(s.eligible_voters)}</td>"
        f"<td>{fa_int(s.auth_required)} / {fa_int(s.auth_available)}</td>"
        f"<td>{fa_int(s.eboxes_required)} / {fa_int(s.eboxes_available)}</td>"
        f"<td>{fa_num(s.day.quantile_wait_minutes)}</td>"
        f"<td>{fa_num(s.quantile_wait_one_fewer_ebox)}</td>"
        f"<td>{fa_int(s.analytic_auth)} / {fa_int(s.analytic_eboxes)}</td></tr>"
        for s in rows)
    return f"<table>{head}{body}</table>"


def render_report(plan: DistrictPlan, *, inventory_day: DistrictDay | None = None,
                  busiest_trace: tuple[str, VoterTrace] | None = None,
                  generated_at: dt.datetime | None = None) -> str:
    """The report as one HTML string."""
    sc = plan.scenario
    d = plan.district
    target = sc.target
    when = generated_at or dt.datetime.now(dt.UTC)
    q = round(target.quantile * 100)
    cards = [
        ("شعب", "branches", fa_int(d.branches)),
        ("واجدان شرایط", "eligible voters", fa_int(d.eligible_voters)),
        ("رأی‌دهندهٔ مورد انتظار", "expected voters", fa_int(round(d.expected_voters))),
        ("دستگاه احراز هویت لازم (با ذخیره)", "authentication devices required",
         fa_int(d.auth.required)),
        ("کسری دستگاه احراز هویت", "authentication shortfall", fa_int(d.auth.shortfall)),
        ("صندوق الکترونیک لازم (با ذخیره)", "e-boxes required", fa_int(d.eboxes.required)),
        ("کسری صندوق الکترونیک", "e-box shortfall", fa_int(d.eboxes.shortfall)),
        ("شعب نیازمند دستگاه بیشتر", "branches short of devices", fa_int(d.branches_short)),
    ]
    parts = [
        "<!doctype html><html lang=fa dir=rtl><head><meta charset=utf-8>",
        f"<title>برنامهٔ ظرفیت شعب — {html.escape(sc.name)}</title>",
        f"<style>{_font_css()}{CSS}</style></head><body>",
        "<h1>برنامهٔ ظرفیت شعب اخذ رأی <span class=en>Branch capacity plan</span></h1>",
        f"<p>حوزهٔ انتخابیه: <span class=ltr>{html.escape(plan.district_code)}</span> · "
        f"سناریو: <span class=ltr>{html.escape(sc.name)}</span> · مشارکت {fa_pct(sc.turnout)}"
        f" · هدف: {fa_int(q)}٪ رأی‌دهندگان کمتر از {fa_num(target.max_wait_minutes, 0)} دقیقه"
        f" انتظار · ذخیره {fa_num(float(sc.reserve.percent), 0)}٪"
        f" ({'در انبار منطقه' if sc.reserve.pooled else 'در هر شعبه'}) · "
        f"ساعات رأی‌گیری {fa_int(sc.profile.opening_hour)} تا {fa_int(sc.profile.closing_hour)}"
        f" · بذر {fa_int(sc.seed)} · تهیه‌شده {format_datetime_fa(when)}</p>",
        f"<p class=en dir=ltr>Scenario {html.escape(sc.name)}: turnout {sc.turnout:.0%}, "
        f"target {html.escape(target.describe())}, reserve {float(sc.reserve.percent):g} %"
        f" ({'pooled per region' if sc.reserve.pooled else 'per branch'}), profile "
        f"{html.escape(sc.profile.name)}, seed {sc.seed}, {sc.replications} simulated day(s)"
        " per branch.</p>",
        "<div class=cards>",
        *(f"<div class=card>{fa}<b>{val}</b><span class=en>{en}</span></div>"
          for fa, en, val in cards),
        "</div>",
    ]
    if inventory_day is not None:
        missing = inventory_day.branches_missing_target
        parts.append(
            "<h2>با دستگاه‌های موجود <span class=en>With the devices in inventory</span></h2>"
            f"<p>اگر چیزی تغییر نکند، در {fa_int(missing)} شعبه از "
            f"{fa_int(len(inventory_day.branches))} شعبه هدف انتظار برآورده نمی‌شود."
            f" <span class=en dir=ltr>{missing} of {len(inventory_day.branches)} branches miss the "
            "target if nothing changes.</span></p>")
        parts.append("<figure>" + _svg(quantile_wait_histogram(
            [b.day.quantile_wait_minutes for b in inventory_day.branches],
            target.max_wait_minutes, target.quantile)) + "</figure>")
    parts.append(
        "<h2>دستگاه‌های لازم و موجود <span class=en>Devices required vs. available</span></h2>"
        "<figure>" + _svg(devices_by_area_chart(plan.regions)) + "</figure>")
    if busiest_trace is not None:
        code, trace = busiest_trace
        parts.append(
            "<h2>روز پرکارترین شعبه <span class=en>The busiest branch's day</span></h2>"
            "<figure>" + _svg(branch_day_chart(
                trace, sc.profile.opening_hour, target.max_wait_minutes,
                title_fa=f"صف و انتظار در طول روز — شعبهٔ {code}",
                title_en=f"Queue and waits over the day, branch {code}")) + "</figure>")
    parts.append(_area_table(plan.counties, *both("By county")))
    parts.append(_area_table(plan.regions, *both("By region")))
    worst = sorted(plan.branches, key=lambda s: (-(s.auth_shortfall + s.ebox_shortfall),
                                                 s.code))[:25]
    parts.append("<h2>شعب با بیشترین کسری <span class=en>Branches with the largest "
                 "shortfall</span></h2>" + _branch_table(worst))
    parts.append(
        "<h2>روش <span class=en>Method</span></h2>"
        "<p>برای هر شعبه، روز رأی‌گیری با ورود پواسون متغیر در ساعت، صف احراز هویت و سپس صف "
        "صندوق (اول‌آمده، اول‌خدمت) شبیه‌سازی می‌شود؛ کسانی که هنگام بسته شدن در صف‌اند "
        "رأی می‌دهند. کمترین تعداد هر دستگاه که هدف را برآورده کند انتخاب و با یک دستگاه کمتر "
        "دوباره آزموده می‌شود (اثبات کمینگی). برآورد ارلانگ C ساعت اوج برای مقایسه آمده است.</p>"
        "<p class=en dir=ltr>Each branch's day is simulated (time-varying Poisson arrivals, "
        "FIFO authentication then e-box queues, voters in line at closing are served); the "
        "least devices meeting the target are chosen and re-tested with one device fewer. "
        "The peak-hour Erlang C estimate is shown for comparison.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(path: Path, plan: DistrictPlan, **kwargs: object) -> None:
    """Write the report to ``path`` (UTF-8)."""
    path.write_text(render_report(plan, **kwargs), encoding="utf-8")  # type: ignore[arg-type]
