"""What the public pages read, cached per process for a few seconds (pages under load)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.core.cache import cache
from django.db.models import Max

from entekhab.hq.elections.models import Election
from entekhab.hq.results.actions import public_results
from entekhab.hq.results.models import CountedReport, ResultVersion
from entekhab.hq.results.totals import absorb_new_reports
from entekhab.hq.results.turnout import Turnout, turnout
from entekhab.publication.charts import Slice, colours, hemicycle, quota_bars

CACHE_SECONDS = 15


def results_for(election: Election) -> dict[str, Any]:
    """results.json as it stands; recomputed only when a report is counted or a version moves."""
    last_report = CountedReport.objects.filter(election=election).aggregate(n=Max("id"))["n"]
    last_publication = ResultVersion.objects.filter(contest__election=election).aggregate(n=Max("confirmed_at"))["n"]
    stamp = last_publication.timestamp() if last_publication else 0
    key = f"results-{election.pk}-{last_report}-{stamp}"
    data = cache.get(key)
    if data is None:
        if absorb_new_reports(election).counted:
            return results_for(election)
        data = public_results(election)
        cache.set(key, data, CACHE_SECONDS)
    return data


def group_label(entry: dict[str, Any], gid: str, lang: str) -> str:
    if gid == "independents":
        return "منفردها" if lang != "en" else "Independents"
    for x in entry["lists"]:
        if x["id"] == gid:
            return (x["title_en"] or x["title_fa"]) if lang == "en" else (x["title_fa"] or x["title_en"])
    return gid


def seat_charts(entry: dict[str, Any], lang: str) -> dict[str, str]:
    """The hemicycle of seats per list and the share-against-quota bars (proportional contests)."""
    result = entry["result"]
    seats = result["group_seats"]
    votes = result.get("group_votes", {})
    order = [x["id"] for x in entry["lists"]] + (["independents"] if "independents" in seats else [])
    palette = colours(order)
    slices = [Slice(g, group_label(entry, g, lang), seats.get(g, 0), palette[g]) for g in order if seats.get(g)]
    fa = lang != "en"
    out = {"hemicycle": hemicycle(slices, title="کرسی‌ها به تفکیک فهرست" if fa else "Seats per list", lang=lang)}
    total = sum(votes.values())
    if total and entry["seats"]:
        quota = Fraction(total, entry["seats"])
        groups = [(group_label(entry, g, lang), palette[g], votes.get(g, 0), seats.get(g, 0)) for g in order]
        out["quota"] = quota_bars(groups, quota, title="سهم هر فهرست بر حسب سهمیه" if fa else "Share in quotas",
                                  lang=lang)
    return out


def turnout_for(election: Election) -> Turnout:
    """Live turnout, recomputed at most every few seconds per process (a count over every check-in)."""
    key = f"turnout-{election.pk}"
    data = cache.get(key)
    if data is None:
        data = turnout(election)
        cache.set(key, data, CACHE_SECONDS)
    return data
