"""``entekhab plan``: queues, one branch's day, and the whole district's device plan."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from entekhab.i18n import both, en_fa, gettext_in

if TYPE_CHECKING:
    from rich.console import Console

    from entekhab.planning.scenario import Scenario


class Lang(StrEnum):
    fa = "fa"
    en = "en"


class ProfileName(StrEnum):
    official = "official"
    extended = "extended"
    flat = "flat"


class BallotName(StrEnum):
    tehran_city = "tehran-city"
    village = "village"


plan_app = typer.Typer(help="Capacity planning: devices per branch so that voters do not "
                            "wait.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="print the result as JSON")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="language of tables")]
BranchesOpt = Annotated[Path | None, typer.Option(
    "--branches", help="branch JSON file (default: the synthetic Tehran district)")]
SyntheticSeedOpt = Annotated[int, typer.Option(help="seed of the synthetic district")]
WorkersOpt = Annotated[int | None, typer.Option(help="worker processes (default: CPUs)")]


def _fail(message_en: str, message_fa: str) -> NoReturn:
    line = f"{gettext_in('fa', 'error')}: {message_fa} (error: {message_en})"
    typer.echo(line.replace("\n", " "), err=True)
    raise typer.Exit(2)


def _check_workers(workers: int | None) -> None:
    if workers is not None and workers < 1:
        _fail(*en_fa("--workers must be ≥ 1"))


def _domain(exc: Exception) -> NoReturn:
    from entekhab.domain.errors import DomainError

    if isinstance(exc, DomainError):
        _fail(exc.message_en, exc.message_fa)
    raise exc


def _n(value: float | int, lang: Lang, digits: int = 2) -> str:
    from math import isinf

    from entekhab.domain.digits import persian_numerals

    if isinstance(value, float) and isinf(value):
        return "∞"
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.{digits}f}"
    if lang is Lang.fa:
        return persian_numerals(text)
    return text


def _h(fa: str, en: str, lang: Lang) -> str:
    return f"{fa} ({en})" if lang is Lang.fa else en


def _console() -> Console:
    """Rich console; when piped, wide enough that the tables are not cut to 80 columns."""
    import sys

    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def _emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@plan_app.command("queue")
def queue(
    arrivals_per_hour: Annotated[float, typer.Option(help="voters arriving per hour (λ)")],
    service_seconds: Annotated[float, typer.Option(help="mean service time per voter (1/μ)")],
    servers: Annotated[int, typer.Option(help="devices serving the queue (c)")],
    wait_minutes: Annotated[float, typer.Option(help="threshold t for P(wait > t)")] = 10.0,
    quantile: Annotated[float, typer.Option(help="percentile of the wait to report")] = 0.95,
    as_json: JsonOpt = False,
    lang: LangOpt = Lang.fa,
) -> None:
    """Analytic M/M/c (Erlang C) for one stage: utilisation, P(wait), mean and tail waits."""
    from rich.table import Table

    from entekhab.planning.erlang import MMcQueue, UnstableQueue

    try:
        q = MMcQueue(arrivals_per_hour, service_seconds, servers)
        figures = _queue_figures(q, wait_minutes, quantile)
    except Exception as exc:  # domain refusals become exit 2
        _domain(exc)
    if as_json:
        _emit_json(figures)
        return
    table = Table(title=_h(*both("M/M/c queue (Erlang C)"), lang))
    table.add_column(_h(*both("measure"), lang))
    table.add_column(_h(*both("value"), lang), justify="right")
    rows = [
        (_h(*both("offered load, erlang"), lang), figures["offered_load"]),
        (_h(*both("utilisation"), lang), figures["utilisation"]),
        (_h(*both("P(wait)"), lang), figures["p_wait"]),
        (_h(*both("mean wait, min"), lang), figures["mean_wait_minutes"]),
        (
            _h(
                *both(
                    "P(wait > %(wait_minutes)s min)",
                    wait_minutes=format(wait_minutes, "g"),
                    wait_minutes2=_n(wait_minutes, lang, 0),
                ),
                lang,
            ),
            figures["p_wait_exceeds"],
        ),
        (
            _h(
                *both(
                    "%(quantile)s wait, min", quantile=format(quantile, ".0%"), value=_n(round(quantile * 100), lang)
                ),
                lang,
            ),
            figures["percentile_wait_minutes"],
        ),
    ]
    for label, value in rows:
        table.add_row(label, _n(value, lang, 3))
    console = _console()
    console.print(table)
    nearby = Table(title=_h(*both("with other device counts"), lang))
    for col in (
        _h(*both("servers"), lang),
        _h(*both("mean wait, min"), lang),
        _h(
            *both(
                "P(wait > %(wait_minutes)s min)",
                wait_minutes=format(wait_minutes, "g"),
                wait_minutes2=_n(wait_minutes, lang, 0),
            ),
            lang,
        ),
    ):
        nearby.add_column(col, justify="right")
    for c in range(max(1, servers - 2), servers + 3):
        try:
            other = MMcQueue(arrivals_per_hour, service_seconds, c)
            nearby.add_row(_n(c, lang), _n(other.mean_wait_seconds / 60, lang, 2),
                           _n(other.p_wait_exceeds(wait_minutes * 60), lang, 3))
        except UnstableQueue:
            nearby.add_row(_n(c, lang), "∞", _n(1.0, lang, 3))
    console.print(nearby)


def _queue_figures(q: Any, wait_minutes: float, quantile: float) -> dict[str, Any]:
    return {
        "arrivals_per_hour": q.arrivals_per_hour, "service_seconds": q.service_seconds,
        "servers": q.servers, "offered_load": q.offered_load, "utilisation": q.utilisation,
        "p_wait": q.p_wait, "mean_wait_minutes": q.mean_wait_seconds / 60,
        "mean_queue_length": q.mean_queue_length, "wait_threshold_minutes": wait_minutes,
        "p_wait_exceeds": q.p_wait_exceeds(wait_minutes * 60), "quantile": quantile,
        "percentile_wait_minutes": q.wait_percentile_seconds(quantile) / 60,
    }


def _scenario(path: Path | None, turnout: float | None, profile: ProfileName | None,
              seed: int | None, replications: int | None,
              ready_minutes: float | None = None) -> Scenario:
    from dataclasses import replace

    from entekhab.planning.profiles import preset
    from entekhab.planning.scenario import Scenario, load_scenario

    default = Scenario(name="cli", turnout=0.45 if turnout is None else turnout)
    s = load_scenario(path) if path is not None else default
    if turnout is not None:
        s = s.with_turnout(turnout, s.name)
    if profile is not None:
        s = replace(s, profile=preset(profile.value))
    if seed is not None:
        s = replace(s, seed=seed)
    if replications is not None:
        s = replace(s, replications=replications)
    if ready_minutes is not None:
        s = replace(s, devices_ready_minutes=ready_minutes)
    return s


@plan_app.command("branch")
def branch(
    eligible: Annotated[int, typer.Option(help="eligible voters expected at the branch")],
    turnout: Annotated[float | None, typer.Option(help="fraction, e.g. 0.45")] = None,
    auth_devices: Annotated[int | None, typer.Option(help="authentication devices")] = None,
    eboxes: Annotated[int | None, typer.Option(help="e-boxes (with --auth-devices; "
                                                    "omit both to size them)")] = None,
    scenario_file: Annotated[Path | None, typer.Option("--scenario",
                                                       help="scenario JSON")] = None,
    profile: Annotated[ProfileName | None, typer.Option(help="arrival profile")] = None,
    ballot: Annotated[BallotName, typer.Option(help="ballot shape")] = BallotName.tehran_city,
    seed: Annotated[int | None, typer.Option(help="random seed")] = None,
    replications: Annotated[int | None, typer.Option(help="simulated days")] = None,
    devices_ready_minutes: Annotated[float | None, typer.Option(
        help="minutes after opening before the devices work (slow start)")] = None,
    chart: Annotated[Path | None, typer.Option(help="write the day's chart (.svg/.png)")] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = Lang.fa,
) -> None:
    """Simulate one branch over the day, sizing its devices unless they are given."""
    from entekhab.domain.ids import AreaCode, BranchCode
    from entekhab.planning.branches import BranchLoad
    from entekhab.planning.export import jsonable
    from entekhab.planning.service import BALLOTS
    from entekhab.planning.simulation import branch_trace, simulate_branch
    from entekhab.planning.sizing import size_branch

    if (auth_devices is None) != (eboxes is None):
        _fail(*en_fa("give both --auth-devices and --eboxes, or neither to size them"))
    if chart is not None and chart.suffix not in (".svg", ".png"):
        _fail(*en_fa("--chart must end in .svg or .png"))
    try:
        sc = _scenario(scenario_file, turnout, profile, seed, replications,
                       devices_ready_minutes)
        load = BranchLoad(BranchCode("CLI-0001"), AreaCode("cli"), AreaCode("cli"),
                          AreaCode("cli"), eligible, BALLOTS[ballot.value],
                          auth_devices or 0, eboxes or 0)
        sizing = None
        if auth_devices is None or eboxes is None:
            sizing = size_branch(sc, load)
            a, e, day = sizing.auth_needed, sizing.eboxes_needed, sizing.day
        else:
            a, e = auth_devices, eboxes
            day = simulate_branch(sc, load, a, e)
        hourly = _hourly_erlang(sc, load, a, e)
    except Exception as exc:
        _domain(exc)
    if chart is not None:
        from entekhab.planning.charts import branch_day_chart

        title_fa, title_en = both("Queue and waits over the day: %(eligible)s eligible, turnout %(turnout)s,"
                                  " %(auth)s auth + %(eboxes)s e-boxes", eligible=eligible,
                                  turnout=format(sc.turnout, ".0%"), auth=a, eboxes=e)
        chart.write_bytes(branch_day_chart(
            branch_trace(sc, load, a, e), sc.profile.opening_hour, sc.target.max_wait_minutes,
            title_fa=title_fa, title_en=title_en, fmt="png" if chart.suffix == ".png" else "svg"))
    if as_json:
        _emit_json({"scenario": jsonable(sc), "auth_devices": a, "eboxes": e,
                    "day": jsonable(day), "sizing": jsonable(sizing) if sizing else None,
                    "erlang_by_hour": hourly})
        return
    _print_branch(sc, load, a, e, day, sizing, hourly, lang)


def _hourly_erlang(sc: Scenario, load: Any, a: int, e: int) -> list[dict[str, Any]]:
    """Per-hour M/M/c mean waits of each stage, as the analytic side of the cross-check."""
    from entekhab.planning.erlang import MMcQueue, UnstableQueue
    from entekhab.planning.simulation import stage_rates

    vote = sc.ballot_timing.estimate_seconds(load.ballot)
    out = []
    for h, rate in enumerate(stage_rates(sc, load)):
        row: dict[str, Any] = {"hour": sc.profile.opening_hour + h, "arrivals_per_hour": rate}
        for stage, mean, c in (("auth", sc.authentication.mean_seconds, a),
                               ("ebox", vote, e)):
            try:
                q = MMcQueue(rate, mean, c) if rate > 0 else None
                row[f"{stage}_utilisation"] = q.utilisation if q else 0.0
                row[f"{stage}_mean_wait_minutes"] = q.mean_wait_seconds / 60 if q else 0.0
            except UnstableQueue:
                row[f"{stage}_utilisation"] = rate * mean / 3600 / c
                row[f"{stage}_mean_wait_minutes"] = None
        out.append(row)
    return out


def _print_branch(sc: Scenario, load: Any, a: int, e: int, day: Any, sizing: Any,
                  hourly: list[dict[str, Any]], lang: Lang) -> None:
    from rich.table import Table

    console = _console()
    t = sc.target
    console.print(f"[bold]{_h(*both('branch'), lang)}[/bold]: "
                  f"{_n(load.eligible_voters, lang)} {_h(*both('eligible'), lang)}, "
                  f"{_h(*both('turnout'), lang)} {_n(sc.turnout * 100, lang, 0)}%, "
                  f"{_h(*both('target'), lang)} {t.describe()}, seed {sc.seed}")
    summary = Table(title=_h(*both("simulated day"), lang))
    summary.add_column(_h(*both("measure"), lang))
    summary.add_column(_h(*both("value"), lang), justify="right")
    rows = [
        (_h(*both("authentication devices"), lang), _n(a, lang)),
        (_h(*both("e-boxes"), lang), _n(e, lang)),
        (_h(*both("voters per day"), lang), _n(day.voters, lang)),
        (_h(*both("mean wait, min"), lang), _n(day.mean_wait_minutes, lang)),
        (
            _h(
                *both(
                    "%(quantile)s wait, min",
                    quantile=format(t.quantile, ".0%"),
                    value=_n(round(t.quantile * 100), lang),
                ),
                lang,
            ),
            _n(day.quantile_wait_minutes, lang),
        ),
        (_h(*both("max wait, min"), lang), _n(day.max_wait_minutes, lang)),
        (_h(*both("share within target"), lang), _n(day.share_within_target, lang, 3)),
        (
            _h(*both("meets target"), lang),
            gettext_in(lang.value, "yes" if day.meets_target else "no"),
        ),
        (_h(*both("in line at closing"), lang), _n(day.in_line_at_close, lang)),
        (_h(*both("overtime after closing, min"), lang), _n(day.overtime_minutes, lang)),
    ]
    if sizing is not None:
        rows += [
            (_h(*both("quantile wait, one auth fewer"), lang),
             _n(sizing.quantile_wait_one_fewer_auth, lang)),
            (_h(*both("quantile wait, one e-box fewer"), lang),
             _n(sizing.quantile_wait_one_fewer_ebox, lang)),
            (_h(*both("minimal"), lang),
             gettext_in(lang.value, "yes" if sizing.minimal else "no")),
            (_h(*both("peak-hour Erlang C (auth/e-box)"), lang),
             f"{_n(sizing.analytic_auth, lang)} / {_n(sizing.analytic_eboxes, lang)}"),
        ]
    for label, value in rows:
        summary.add_row(label, value)
    console.print(summary)
    hours = Table(title=_h(*both("hour by hour: simulation and Erlang C"), lang))
    for col in (_h(*both("hour"), lang), _h(*both("arrivals"), lang),
                _h(*both("sim mean wait"), lang),
                _h(*both("auth ρ"), lang), _h(*both("e-box ρ"), lang),
                _h(*both("Erlang mean wait"), lang)):
        hours.add_column(col, justify="right")
    for h, row in zip(day.hours, hourly, strict=True):
        aw, ew = row["auth_mean_wait_minutes"], row["ebox_mean_wait_minutes"]
        erlang = "∞" if aw is None or ew is None else _n(aw + ew, lang)
        hours.add_row(_n(h.hour, lang), _n(h.arrivals, lang), _n(h.mean_wait_minutes, lang),
                      _n(row["auth_utilisation"], lang), _n(row["ebox_utilisation"], lang),
                      erlang)
    console.print(hours)


@plan_app.command("district")
def district(
    scenario_file: Annotated[str, typer.Option(
        "--scenario", help="scenario JSON file, or turnout-25 / turnout-45 / turnout-70 "
                           "(with --election: a scenario saved for it)")] = "turnout-45",
    branches_file: BranchesOpt = None,
    election: Annotated[str | None, typer.Option(
        help="plan this election's branches from the HQ database (e.g. 1405)")] = None,
    synthetic_seed: SyntheticSeedOpt = 1405,
    workers: WorkersOpt = None,
    report: Annotated[Path | None, typer.Option(help="write an HTML report here")] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = Lang.fa,
) -> None:
    """Size every branch of the district and roll up to regions and counties."""
    from rich.progress import Progress

    from entekhab.planning.district import plan_district, simulate_district
    from entekhab.planning.scenario import default_scenarios, load_scenario

    _check_workers(workers)
    try:
        presets = {s.name: s for s in default_scenarios()}
        if election is not None:
            sc, bs = _election_inputs(election, scenario_file, branches_file)
        else:
            sc = presets[scenario_file] if scenario_file in presets else load_scenario(
                Path(scenario_file))
            bs = _load_branches(branches_file, synthetic_seed)
        sc.check_branches(bs.codes())
    except Exception as exc:
        _domain(exc)
    n = len(bs.branches)
    with Progress(transient=True, disable=as_json) as progress:
        sizing_task = progress.add_task(_h(*both("sizing"), lang), total=n)
        plan = plan_district(sc, bs, workers=workers,
                             progress=lambda k: progress.advance(sizing_task, k))
        day_task = progress.add_task(_h(*both("simulating inventory"), lang),
                                     total=n)
        day = simulate_district(sc, bs, workers=workers,
                                progress=lambda k: progress.advance(day_task, k))
    if report is not None:
        _write_report(report, plan, day, bs)
    if as_json:
        from entekhab.planning.export import jsonable

        _emit_json({"plan": jsonable(plan),
                    "inventory_day": {"branches_missing_target": day.branches_missing_target,
                                      "voters": day.voters,
                                      "branches": jsonable(day.branches)}})
        return
    _print_district(plan, day, lang)
    if report is not None:
        _console().print(f"{_h(*both('report'), lang)}: {report}")


def _write_report(path: Path, plan: Any, day: Any, bs: Any) -> None:
    from entekhab.planning.report import write_report
    from entekhab.planning.simulation import branch_trace

    busiest = max(plan.branches, key=lambda s: (s.expected_voters, s.code))
    load = next(b for b in bs.branches if b.code == busiest.code)
    trace = branch_trace(plan.scenario, load, busiest.auth_needed, busiest.eboxes_needed)
    try:
        write_report(path, plan, inventory_day=day, busiest_trace=(busiest.code, trace))
    except OSError as exc:
        _fail(*en_fa("cannot write %(path)s: %(strerror)s", path=path, strerror=exc.strerror))


def _print_district(plan: Any, day: Any, lang: Lang) -> None:
    from rich.table import Table

    console = _console()
    sc = plan.scenario
    console.print(f"[bold]{_h(*both('capacity plan'), lang)}[/bold] "
                  f"{plan.district_code} · {sc.name} · {_h(*both('turnout'), lang)} "
                  f"{_n(sc.turnout * 100, lang, 0)}% · {sc.target.describe()} · "
                  f"{_h(*both('reserve'), lang)} {_n(float(sc.reserve.percent), lang, 0)}%")
    for title, rows in ((_h(*both("counties"), lang), plan.counties),
                        (_h(*both("regions"), lang), plan.regions),
                        (_h(*both("district"), lang), (plan.district,))):
        table = Table(title=title)
        for col in (_h(*both("area"), lang), _h(*both("branches"), lang),
                    _h(*both("voters"), lang), _h(*both("auth req."), lang),
                    _h(*both("avail."), lang), _h(*both("short"), lang),
                    _h(*both("e-box req."), lang), _h(*both("avail."), lang),
                    _h(*both("short"), lang), _h(*both("branches short"), lang)):
            table.add_column(col, justify="right")
        for r in rows:
            table.add_row(r.area_code, _n(r.branches, lang), _n(round(r.expected_voters), lang),
                          _n(r.auth.required, lang), _n(r.auth.available, lang),
                          _n(r.auth.shortfall, lang), _n(r.eboxes.required, lang),
                          _n(r.eboxes.available, lang), _n(r.eboxes.shortfall, lang),
                          _n(r.branches_short, lang))
        console.print(table)
    minimal = sum(1 for s in plan.branches if s.minimal)
    console.print(_h(*both("minimality"), lang) + f": {_n(minimal, lang)}/"
                  f"{_n(len(plan.branches), lang)}; "
                  + _h(*both("branches missing the target with today's inventory"), lang)
                  + f": {_n(day.branches_missing_target, lang)}")


def _election_inputs(election: str, scenario: str, branches_file: Path | None) -> tuple[Any, Any]:
    """Scenario and branches of an election in the HQ database (``entekhab.hq.capacity``)."""
    if branches_file is not None:
        _fail(*en_fa("--election and --branches exclude each other"))
    from entekhab.hq.bootstrap import setup

    setup()
    from entekhab.hq.capacity.loads import election_inputs

    return election_inputs(election, scenario)


def _load_branches(branches_file: Path | None, synthetic_seed: int) -> Any:
    if branches_file is not None:
        from entekhab.planning.branches import load_branches

        return load_branches(branches_file)
    from entekhab.planning.synthetic import synthetic_district

    return synthetic_district(synthetic_seed)


@plan_app.command("compare")
def compare(
    scenario_files: Annotated[list[str] | None, typer.Option(
        "--scenario", help="scenario file or preset, repeatable (default: the three "
                           "turnouts 25/45/70 %)")] = None,
    branches_file: BranchesOpt = None,
    synthetic_seed: SyntheticSeedOpt = 1405,
    workers: WorkersOpt = None,
    as_json: JsonOpt = False,
    lang: LangOpt = Lang.fa,
) -> None:
    """Compare scenarios side by side: devices required, shortfall, waits."""
    from rich.progress import Progress
    from rich.table import Table

    from entekhab.planning.district import compare_scenarios
    from entekhab.planning.scenario import default_scenarios, load_scenario

    _check_workers(workers)
    try:
        presets = {s.name: s for s in default_scenarios()}
        scenarios = ([presets[f] if f in presets else load_scenario(Path(f))
                      for f in scenario_files] if scenario_files
                     else list(default_scenarios()))
        bs = _load_branches(branches_file, synthetic_seed)
        for sc in scenarios:
            sc.check_branches(bs.codes())
    except Exception as exc:
        _domain(exc)
    with Progress(transient=True, disable=as_json) as progress:
        task = progress.add_task(_h(*both("planning scenarios"), lang),
                                 total=len(bs.branches) * len(scenarios))
        rows = compare_scenarios(scenarios, bs, workers=workers,
                                 progress=lambda k: progress.advance(task, k))
    if as_json:
        from entekhab.planning.export import jsonable

        _emit_json(jsonable(rows))
        return
    table = Table(title=_h(*both("scenarios side by side"), lang))
    for col in (_h(*both("scenario"), lang), _h(*both("turnout"), lang),
                _h(*both("voters"), lang), _h(*both("auth required"), lang),
                _h(*both("auth short"), lang), _h(*both("e-boxes required"), lang),
                _h(*both("e-boxes short"), lang),
                _h(*both("branches short"), lang),
                _h(*both("mean quantile wait"), lang)):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(r.scenario_name, _n(r.turnout * 100, lang, 0) + "%",
                      _n(round(r.expected_voters), lang), _n(r.auth_required, lang),
                      _n(r.auth_shortfall, lang), _n(r.eboxes_required, lang),
                      _n(r.ebox_shortfall, lang), _n(r.branches_short, lang),
                      _n(r.mean_quantile_wait_minutes, lang, 1))
    _console().print(table)


@plan_app.command("synthetic")
def synthetic(
    out: Annotated[Path, typer.Option(help="where to write the branch JSON")],
    seed: Annotated[int, typer.Option(help="seed")] = 1405,
    branches: Annotated[int, typer.Option(help="number of branches")] = 4950,
    eligible: Annotated[int, typer.Option(help="eligible voters in total")] = 7_000_000,
) -> None:
    """Write the deterministic synthetic Tehran–Rey–Tajrish branch file."""
    from entekhab.planning.synthetic import synthetic_district

    if branches < 1 or eligible < 0:
        _fail(*en_fa("--branches must be ≥ 1 and --eligible ≥ 0"))
    data = synthetic_district(seed, branches=branches, eligible=eligible).as_dict()
    try:
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as exc:
        _fail(*en_fa("cannot write %(out)s: %(strerror)s", out=out, strerror=exc.strerror))
    typer.echo(f"{out}: {branches} branches, {eligible} eligible, seed {seed}")


def register(app: typer.Typer) -> None:
    """Add ``entekhab plan`` to the main app."""
    app.add_typer(plan_app, name="plan")
