"""Capacity pages: parse, authorize, call an action, render. Persian first."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from entekhab.domain.errors import DomainError
from entekhab.hq.capacity.actions import (
    do_run_plan,
    do_save_scenario,
    do_seed_default_scenarios,
    latest_runs_by_scenario,
)
from entekhab.hq.capacity.display import branch_day_svgs, inline_svg, run_view, svg_data_uri
from entekhab.hq.capacity.forms import ScenarioForm
from entekhab.hq.capacity.models import BranchPlan, PlanRun, PlanScenario, RunState
from entekhab.hq.capacity.tasks import queue_state
from entekhab.hq.elections.models import Election
from entekhab.hq.geography.models import Area, AreaKind
from entekhab.hq.web.access import election_view as capacity_view
from entekhab.hq.web.access import localised_message as _message


def _scenarios(election: Election) -> list[PlanScenario]:
    return sorted(PlanScenario.objects.filter(election=election),
                  key=lambda s: (s.definition.get("turnout", 0), s.name))


def _defaults_missing(election: Election) -> bool:
    from entekhab.planning.scenario import default_scenarios

    names = set(PlanScenario.objects.filter(election=election).values_list("name", flat=True))
    return any(s.name not in names for s in default_scenarios())


def index(request: HttpRequest) -> HttpResponse:
    election = Election.objects.order_by("-polling_date").first()
    if election is None:
        return redirect("/")
    return redirect("capacity:overview", code=election.code)


@capacity_view("capacity.view_planrun")
def overview(request: HttpRequest, election: Election, *, error: str = "", status: int = 200) -> HttpResponse:
    runs = list(PlanRun.objects.filter(election=election).select_related("started_by")[:20])
    context = {
        "election": election,
        "scenarios": _scenarios(election),
        "runs": runs,
        "districts": Area.objects.filter(kind=AreaKind.DISTRICT, contests__election=election).distinct(),
        "can_edit": request.user.has_perm("capacity.change_planscenario"),
        "can_add": request.user.has_perm("capacity.add_planscenario"),
        "can_run": request.user.has_perm("capacity.run_plan"),
        "defaults_missing": _defaults_missing(election),
        "error": error,
    }
    return render(request, "capacity/overview.html", context, status=status)


@capacity_view("capacity.add_planscenario")
def seed(request: HttpRequest, election: Election) -> HttpResponse:
    if request.method != "POST":
        return redirect("capacity:overview", code=election.code)
    do_seed_default_scenarios(election, acting_user=request.user)
    return redirect("capacity:overview", code=election.code)


def _scenario_form(request: HttpRequest, election: Election, scenario: PlanScenario | None) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ScenarioForm(request.POST)
        if form.is_valid():
            definition = form.definition()
            if definition is not None:
                try:
                    do_save_scenario(election, definition, acting_user=request.user, scenario=scenario,
                                     reason=request.POST.get("reason", ""))
                    return redirect("capacity:overview", code=election.code)
                except DomainError as exc:
                    form.refuse(exc)
        status = 400
    else:
        initial = ScenarioForm.initial_from(scenario.definition) if scenario else {"profile": "official"}
        form = ScenarioForm(initial=initial)
    return render(request, "capacity/scenario_form.html",
                  {"election": election, "form": form, "scenario": scenario}, status=status)


@capacity_view("capacity.add_planscenario")
def scenario_new(request: HttpRequest, election: Election) -> HttpResponse:
    return _scenario_form(request, election, None)


@capacity_view("capacity.change_planscenario")
def scenario_edit(request: HttpRequest, election: Election, pk: int) -> HttpResponse:
    return _scenario_form(request, election, get_object_or_404(PlanScenario, pk=pk, election=election))


@capacity_view("capacity.run_plan")
def run_start(request: HttpRequest, election: Election) -> HttpResponse:
    if request.method != "POST":
        return redirect("capacity:overview", code=election.code)
    choice = request.POST.get("scenario", "")
    scope = request.POST.get("scope", "").strip()
    if choice == "all":
        chosen = _scenarios(election)
    else:
        chosen = list(PlanScenario.objects.filter(election=election, pk=int(choice) if choice.isdigit() else -1))
    if not chosen:
        return overview(request, election.code, error=_message(DomainError(
            "choose a saved scenario", code="no_scenario")), status=400)
    try:
        runs = [do_run_plan(election, sc, acting_user=request.user, scope=scope) for sc in chosen]
    except DomainError as exc:
        return overview(request, election.code, error=_message(exc), status=400)
    if len(runs) > 1:
        return redirect("capacity:compare", code=election.code)
    return redirect("capacity:run", code=election.code, pk=runs[0].pk)


@capacity_view("capacity.view_planrun")
def compare(request: HttpRequest, election: Election) -> HttpResponse:
    runs = sorted(latest_runs_by_scenario(election), key=lambda r: (r.summary.get("turnout", 0), r.scenario_name))
    return render(request, "capacity/compare.html", {"election": election, "runs": runs})


def _run(election: Election, pk: int) -> PlanRun:
    return get_object_or_404(PlanRun, pk=pk, election=election)


@capacity_view("capacity.view_planrun")
def run_page(request: HttpRequest, election: Election, pk: int) -> HttpResponse:
    run = _run(election, pk)
    running = run.state == RunState.RUNNING
    context = {"election": election, "run": run, "running": running,
               "queue": queue_state(run.task_id).value if running else "",
               "target": run.scenario_definition["target"]}
    if run.is_done:
        context["view"] = run_view(run)
        context["devices_chart"] = inline_svg(run.charts["devices"])
        context["waits_chart"] = inline_svg(run.charts["waits"])
    return render(request, "capacity/run.html", context)


@capacity_view("capacity.view_planrun")
def branch_page(request: HttpRequest, election: Election, pk: int, branch_code: str) -> HttpResponse:
    run = _run(election, pk)
    bp = get_object_or_404(BranchPlan, run=run, code=branch_code)
    charts = {k: inline_svg(v) for k, v in branch_day_svgs(run, bp).items()}
    return render(request, "capacity/branch.html", {"election": election, "run": run, "bp": bp, "charts": charts,
                                                    "target": run.scenario_definition["target"]})


@capacity_view("capacity.view_planrun")
def run_pdf(request: HttpRequest, election: Election, pk: int) -> HttpResponse:
    from entekhab.hq.capacity.pdf import plan_pdf
    from entekhab.hq.web.pdfcache import pdf_response

    run = _run(election, pk)
    if not run.is_done:
        raise Http404("the plan is not finished")
    view = run_view(run)
    busiest = max(run.branch_plans.all(), key=lambda b: (b.expected_voters, b.code))
    day = branch_day_svgs(run, busiest)["planned"]
    context = {
        "election": election, "run": run, "view": view, "target": run.scenario_definition["target"],
        "devices_chart": svg_data_uri(run.charts["devices"]), "waits_chart": svg_data_uri(run.charts["waits"]),
        # The moment the plan was computed, not the request's: the same run gives the same PDF.
        "busiest": busiest, "busiest_chart": svg_data_uri(day), "generated_at": run.finished_at,
    }
    return pdf_response(request, plan_pdf(context), f"capacity-plan-{election.code}-{run.pk}.pdf", public=False)
