"""A self-contained HTML report of a district plan: Persian first, right to left, charts inline.

One file that can be mailed, archived or printed (the HQ app turns the same content
into a PDF): the Vazirmatn font is embedded when found, the charts are inline SVG,
every figure is in Persian digits, and each heading carries its English name second.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import html
import math
from collections.abc import Sequence
from pathlib import Path
from string import Template

from entekhab.domain.digits import PERCENT_SIGN, persian_numerals, to_persian_digits
from entekhab.domain.jalali import format_datetime_fa
from entekhab.i18n import N_, Catalogued, both, render
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
    """12,345 in Persian digits and thousands separator."""
    return persian_numerals(f"{n:,}")


def fa_num(x: float, digits: int = 1) -> str:
    """A decimal in Persian digits with the Persian decimal separator; ∞ for unbounded."""
    if math.isinf(x):
        return "∞"
    return persian_numerals(f"{x:,.{digits}f}")


def fa_pct(x: float) -> str:
    return to_persian_digits(f"{x * 100:.0f}") + PERCENT_SIGN


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


TEMPLATES = Path(__file__).resolve().parent / "templates"

CARDS = Catalogued("plan card", {
    "branches": N_("branches"),
    "eligible": N_("eligible voters"),
    "expected": N_("expected voters"),
    "auth_required": N_("authentication devices required"),
    "auth_shortfall": N_("authentication shortfall"),
    "eboxes_required": N_("e-boxes required"),
    "ebox_shortfall": N_("e-box shortfall"),
    "branches_short": N_("branches short of devices"),
})


@functools.cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def _area_table(rows: Sequence[AreaRollup], title_fa: str, title_en: str) -> str:
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
    return _template("plan_area_table.html").substitute(title_fa=title_fa, title_en=title_en, rows="".join(body))


def _branch_table(rows: Sequence[BranchSizing]) -> str:
    body = "".join(
        f"<tr><td class=code>{html.escape(s.code)}</td>"
        f"<td class=code>{html.escape(s.region_code)}</td><td>{fa_int(s.eligible_voters)}</td>"
        f"<td>{fa_int(s.auth_required)} / {fa_int(s.auth_available)}</td>"
        f"<td>{fa_int(s.eboxes_required)} / {fa_int(s.eboxes_available)}</td>"
        f"<td>{fa_num(s.day.quantile_wait_minutes)}</td>"
        f"<td>{fa_num(s.quantile_wait_one_fewer_ebox)}</td>"
        f"<td>{fa_int(s.analytic_auth)} / {fa_int(s.analytic_eboxes)}</td></tr>"
        for s in rows)
    return _template("plan_branch_table.html").substitute(rows=body)


def render_report(plan: DistrictPlan, *, inventory_day: DistrictDay | None = None,
                  busiest_trace: tuple[str, VoterTrace] | None = None,
                  generated_at: dt.datetime | None = None) -> str:
    """The report as one HTML string."""
    sc = plan.scenario
    d = plan.district
    target = sc.target
    when = generated_at or dt.datetime.now(dt.UTC)
    q = round(target.quantile * 100)
    cards = {
        "branches": fa_int(d.branches), "eligible": fa_int(d.eligible_voters),
        "expected": fa_int(round(d.expected_voters)), "auth_required": fa_int(d.auth.required),
        "auth_shortfall": fa_int(d.auth.shortfall), "eboxes_required": fa_int(d.eboxes.required),
        "ebox_shortfall": fa_int(d.eboxes.shortfall), "branches_short": fa_int(d.branches_short),
    }
    summary_fa = render(
        "District: %(district)s · scenario: %(scenario)s · turnout %(turnout)s · target: %(quantile)s%% of voters"
        " wait less than %(minutes)s minutes · reserve %(reserve)s%% (%(where)s) · polling hours %(opening)s to"
        " %(closing)s · seed %(seed)s · prepared %(when)s", {
            "district": f"<span class=ltr>{html.escape(plan.district_code)}</span>",
            "scenario": f"<span class=ltr>{html.escape(sc.name)}</span>", "turnout": fa_pct(sc.turnout),
            "quantile": fa_int(q), "minutes": fa_num(target.max_wait_minutes, 0),
            "reserve": fa_num(float(sc.reserve.percent), 0),
            "where": render("in the region's store" if sc.reserve.pooled else "in each branch", None, "fa"),
            "opening": fa_int(sc.profile.opening_hour), "closing": fa_int(sc.profile.closing_hour),
            "seed": fa_int(sc.seed), "when": format_datetime_fa(when)}, "fa")
    summary_en = (f"Scenario {html.escape(sc.name)}: turnout {sc.turnout:.0%}, "
                  f"target {html.escape(target.describe())}, reserve {float(sc.reserve.percent):g} %"
                  f" ({'pooled per region' if sc.reserve.pooled else 'per branch'}), profile "
                  f"{html.escape(sc.profile.name)}, seed {sc.seed}, {sc.replications} simulated day(s) per branch.")
    inventory = ""
    if inventory_day is not None:
        missing = inventory_day.branches_missing_target
        inventory = _template("plan_inventory.html").substitute(
            missing_fa=fa_int(missing), branches_fa=fa_int(len(inventory_day.branches)), missing=missing,
            branches=len(inventory_day.branches), chart=_svg(quantile_wait_histogram(
                [b.day.quantile_wait_minutes for b in inventory_day.branches],
                target.max_wait_minutes, target.quantile)))
    busiest = ""
    if busiest_trace is not None:
        code, trace = busiest_trace
        title_fa, title_en = both("Queue and waits over the day, branch %(code)s", code=code)
        busiest = _template("plan_busiest.html").substitute(chart=_svg(branch_day_chart(
            trace, sc.profile.opening_hour, target.max_wait_minutes, title_fa=title_fa, title_en=title_en)))
    worst = sorted(plan.branches, key=lambda s: (-(s.auth_shortfall + s.ebox_shortfall), s.code))[:25]
    return _template("plan_report.html").substitute(
        scenario=html.escape(sc.name), css=_font_css() + CSS, summary_fa=summary_fa, summary_en=summary_en,
        cards="\n".join(f"<div class=card>{CARDS[k]}<b>{v}</b><span class=en>{CARDS.en(k)}</span></div>"
                         for k, v in cards.items()),
        inventory=inventory, devices_chart=_svg(devices_by_area_chart(plan.regions)), busiest=busiest,
        by_county=_area_table(plan.counties, *both("By county")),
        by_region=_area_table(plan.regions, *both("By region")), worst=_branch_table(worst))


def write_report(path: Path, plan: DistrictPlan, **kwargs: object) -> None:
    """Write the report to ``path`` (UTF-8)."""
    path.write_text(render_report(plan, **kwargs), encoding="utf-8")  # type: ignore[arg-type]
