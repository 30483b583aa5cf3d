"""What the pages and the PDF show of a stored run: rows, charts, the branch day (computed on demand)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from entekhab.domain.digits import to_persian_digits
from entekhab.hq.capacity.models import AreaLevel, AreaPlan, BranchPlan, PlanRun
from entekhab.hq.capacity.policy import BRANCH_ROWS_SHOWN
from entekhab.i18n import both, render


def inline_svg(svg: str) -> SafeString:
    """Matplotlib's SVG without the XML prologue, to sit inside a page (our own output, not user input)."""
    return mark_safe(svg[svg.find("<svg"):])


def svg_data_uri(svg: str) -> str:
    """An SVG as a data: URI, the form WeasyPrint embeds as an image."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@dataclass(frozen=True)
class RunView:
    run: PlanRun
    district: AreaPlan | None
    regions: list[AreaPlan]
    counties: list[AreaPlan]
    branches: list[BranchPlan]
    branches_total: int


def run_view(run: PlanRun, rows: int = BRANCH_ROWS_SHOWN) -> RunView:
    from django.utils.translation import get_language

    from entekhab.hq.geography.models import Area

    areas = list(run.area_plans.all())
    en = get_language() == "en"
    names = {a.code: (a.name_en if en else a.name_fa)
             for a in Area.objects.filter(code__in=[x.area_code for x in areas])}
    for a in areas:
        a.name = names.get(a.area_code, "")  # type: ignore[attr-defined]
    branches = sorted(run.branch_plans.all(), key=lambda b: (-b.shortfall, -b.expected_voters, b.code))
    return RunView(
        run=run,
        district=next((a for a in areas if a.level == AreaLevel.DISTRICT), None),
        regions=[a for a in areas if a.level == AreaLevel.REGION],
        counties=[a for a in areas if a.level == AreaLevel.COUNTY],
        branches=branches[:rows],
        branches_total=len(branches),
    )


def branch_day_svgs(run: PlanRun, bp: BranchPlan) -> dict[str, str]:
    """Queue length and waits over the day at one branch, with the planned devices and with today's."""
    from entekhab.planning.branches import BranchLoad
    from entekhab.planning.charts import branch_day_chart
    from entekhab.planning.scenario import Scenario
    from entekhab.planning.service import BALLOTS
    from entekhab.planning.simulation import branch_trace

    sc = Scenario.from_dict(run.scenario_definition)
    load = BranchLoad(code=bp.code, region_code=bp.region_code, county_code=bp.county_code,
                      district_code=run.district_code or bp.county_code, eligible_voters=bp.eligible_voters,
                      ballot=BALLOTS[bp.ballot], auth_devices=bp.auth_available, eboxes=bp.eboxes_available)
    out: dict[str, Any] = {}
    cases = [("planned", bp.auth_needed, bp.eboxes_needed, *both("with the devices needed"))]
    if bp.auth_available >= 1 and bp.eboxes_available >= 1:
        cases.append(("inventory", bp.auth_available, bp.eboxes_available, *both("with today's devices")))
    for key, a, e, fa, en in cases:
        trace = branch_trace(sc, load, a, e)
        title = "Queue and waits over the day, branch %(code)s, %(case)s (%(auth)s auth + %(eboxes)s e-box)"
        out[key] = branch_day_chart(
            trace, sc.profile.opening_hour, sc.target.max_wait_minutes,
            title_fa=render(title, {"code": bp.code, "case": fa, "auth": to_persian_digits(a),
                                    "eboxes": to_persian_digits(e)}, "fa"),
            title_en=render(title, {"code": bp.code, "case": en, "auth": a, "eboxes": e}, "en"),
        ).decode("utf-8")
    return out
