"""Every write of the capacity app: save scenarios, seed the defaults, run a plan (role check, transaction, audit).

A plan run is computed with ``workers=1``: the pure planner's process pool forks, and
forking a threaded web server is unsafe. Small plans run inside the request; larger
ones go on the task queue (:mod:`entekhab.hq.capacity.tasks`) once the run's row is
committed, and a worker process (``entekhab worker``) computes them and records their
success or failure. No thread is ever started inside a web worker.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from entekhab.domain.digits import to_persian_digits
from entekhab.domain.errors import DomainError
from entekhab.hq.accounts.guard import authorize
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.capacity.loads import ElectionLoads, election_loads
from entekhab.hq.capacity.models import (
    RUN,
    AreaPlan,
    BranchPlan,
    PlanRun,
    PlanScenario,
    RunState,
)
from entekhab.hq.capacity.policy import STALLED_AFTER, SYNC_BRANCH_LIMIT
from entekhab.hq.elections.models import Election
from entekhab.i18n import en_fa, gettext_in
from entekhab.planning.scenario import Scenario, default_scenarios
from entekhab.planning.validate import PlanningInputError

log = logging.getLogger(__name__)


def finite(x: float) -> float | None:
    """A wait for the database: unbounded (no device of a kind) becomes NULL."""
    return None if math.isinf(x) or math.isnan(x) else x


def check_scenario(election: Election, definition: Any) -> Scenario:
    """The pure parser's verdict, plus: turnout overrides must name branches of this election."""
    scenario = Scenario.from_dict(definition)
    limit = PlanScenario._meta.get_field("name").max_length
    if len(scenario.name) > limit:
        raise PlanningInputError(
            "scenario.name", *en_fa("at most %(limit)s characters", limit=limit, limit2=to_persian_digits(limit))
        )
    codes = set(election.branches.values_list("code", flat=True))
    for code, _ in scenario.turnout_overrides:
        if code not in codes:
            raise PlanningInputError(f"scenario.turnout_overrides.{code}", *en_fa("unknown branch %(code)s", code=code))
    return scenario


def do_save_scenario(election: Election, definition: Any, *, acting_user: Any,
                     scenario: PlanScenario | None = None, reason: str = "") -> PlanScenario:
    """Create (``scenario`` None) or replace a scenario; any refusal saves nothing."""
    authorize(acting_user, "capacity.change_planscenario" if scenario else "capacity.add_planscenario", election)
    parsed = check_scenario(election, definition)
    normal = parsed.as_dict()
    with transaction.atomic():
        if scenario is None:
            row = PlanScenario(election=election)
            before = None
        else:
            row = PlanScenario.objects.select_for_update().get(pk=scenario.pk, election=election)
            before = {"name": row.name, "definition": row.definition}
        if PlanScenario.objects.filter(election=election, name=parsed.name).exclude(pk=row.pk).exists():
            raise DomainError(
                "scenario.name: a scenario named %(name)s already exists",
                params={"name": repr(parsed.name), "name2": parsed.name},
                code="scenario_name_taken",
            )
        row.name, row.definition, row.updated_by = parsed.name, normal, acting_user
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as exc:
            raise DomainError(
                "scenario.name: a scenario named %(name)s already exists",
                params={"name": repr(parsed.name), "name2": parsed.name},
                code="scenario_name_taken",
            ) from exc
        record(actor=acting_user, action=Event.CAPACITY_SCENARIO_SAVE, target=row, before=before,
               after={"name": row.name, "definition": normal}, reason=reason)
    return row


def seed_default_scenarios(election: Election, *, actor: Any) -> list[PlanScenario]:
    """The three default turnouts (25 %, 45 %, 70 %), those missing only; audited."""
    made = []
    with transaction.atomic():
        for sc in default_scenarios():
            if PlanScenario.objects.filter(election=election, name=sc.name).exists():
                continue
            row = PlanScenario.objects.create(election=election, name=sc.name, definition=sc.as_dict(),
                                              updated_by=actor if getattr(actor, "pk", None) else None)
            record(actor=actor, action=Event.CAPACITY_SCENARIO_SEED, target=row,
                   after={"name": row.name, "definition": row.definition})
            made.append(row)
    return made


def do_seed_default_scenarios(election: Election, *, acting_user: Any) -> list[PlanScenario]:
    authorize(acting_user, "capacity.add_planscenario", election)
    return seed_default_scenarios(election, actor=acting_user)


def do_run_plan(election: Election, scenario: PlanScenario, *, acting_user: Any, scope: str = "",
                background: bool | None = None) -> PlanRun:
    """Start a plan run; refusals (bad scenario, unknown district, no branches) create nothing.

    ``background`` None: on the task queue only when the plan has more than SYNC_BRANCH_LIMIT branches.
    """
    authorize(acting_user, "capacity.run_plan", election)
    if scenario.election_id != election.pk:
        raise DomainError("the scenario belongs to another election",
                          code="scenario_election_mismatch")
    parsed = check_scenario(election, scenario.definition)
    loads = election_loads(election, scope)
    parsed.check_branches(loads.branches.codes())
    fail_stalled_runs(election, actor=acting_user)
    with transaction.atomic():
        run = PlanRun.objects.create(
            election=election, scenario=scenario, scenario_name=parsed.name, scenario_definition=parsed.as_dict(),
            scope=scope, district_code=loads.branches.district_code, inventory_source=loads.inventory_source,
            started_by=acting_user, started_at=timezone.now(),
        )
        record(actor=acting_user, action=Event.CAPACITY_RUN_START, target=run,
               after={"scenario": parsed.name, "scope": scope, "branches": len(loads.branches.branches),
                      "inventory": loads.inventory_source})
    if background is None:
        background = len(loads.branches.branches) > SYNC_BRANCH_LIMIT
    if background:
        # Once the run's row is committed: a worker that took the task at once must find it.
        transaction.on_commit(lambda: enqueue_run(run, acting_user))
    else:
        execute_run(run, parsed, loads, actor=acting_user)
        run.refresh_from_db()
    return run


class RunInterrupted(DomainError):
    code = "run_interrupted"


def enqueue_run(run: PlanRun, actor: Any) -> None:
    """Put a committed run on the task queue; the task and the run's ``task_id`` commit together."""
    from entekhab.hq.capacity.tasks import compute_plan_run

    with transaction.atomic():
        result = compute_plan_run.enqueue(run.pk, getattr(actor, "pk", None))
        PlanRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    run.task_id = str(result.id)


def execute_queued_run(run_id: int, actor_id: int | None) -> str:
    """The worker's side of a queued run: its stored scenario, the branches as they are now.

    A run that is no longer running (failed as stalled while it waited for a worker) is left
    alone; a refusal while gathering the branches (a district gone) is stored on the run.
    """
    run = PlanRun.objects.select_related("election").get(pk=run_id)
    if run.state != RunState.RUNNING:
        return f"skipped: run {run_id} is {run.state}"
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id is not None else None
    try:
        scenario = check_scenario(run.election, run.scenario_definition)
        loads = election_loads(run.election, run.scope)
        scenario.check_branches(loads.branches.codes())
    except DomainError as exc:
        _finish_failed(run, exc, actor)
        return RunState.FAILED.value
    execute_run(run, scenario, loads, actor=actor)
    return PlanRun.objects.values_list("state", flat=True).get(pk=run_id)


def fail_stalled_runs(election: Election, *, actor: Any) -> int:
    """Mark failed the runs that can no longer finish, audited, so no page waits forever.

    A run is stalled when it is still running STALLED_AFTER after it started (no worker took
    its task, or the worker computing it was killed), or at once when its queued task has
    ended without storing the plan (the task itself failed).
    """
    from entekhab.hq.capacity.tasks import QueueState, queue_state

    cutoff = timezone.now() - STALLED_AFTER
    stalled = 0
    for run in PlanRun.objects.filter(election=election, state=RunState.RUNNING.value):
        if run.started_at < cutoff:
            exc = RunInterrupted(
                "interrupted: still running %(stalled_after)s after it started (no task worker finished it);"
                " run it again",
                params={"stalled_after": STALLED_AFTER},
            )
        elif queue_state(run.task_id) == QueueState.ENDED:
            exc = RunInterrupted(
                "interrupted: its queued task ended without storing the plan; run it again")
        else:
            continue
        with transaction.atomic():  # it may have finished since it was read: only a running run fails
            if PlanRun.objects.select_for_update().filter(pk=run.pk, state=RunState.RUNNING.value).exists():
                _finish_failed(run, exc, actor)
                stalled += 1
    return stalled


def execute_run(run: PlanRun, scenario: Scenario, loads: ElectionLoads, *, actor: Any) -> None:
    """Compute the plan and store it; a failure is stored on the run (and audited), never lost."""
    from entekhab.planning import charts
    from entekhab.planning.district import plan_district, simulate_district, summarise_plan
    from entekhab.planning.export import jsonable

    started = time.perf_counter()
    try:
        plan = plan_district(scenario, loads.branches, workers=1)
        day = simulate_district(scenario, loads.branches, workers=1)
        svg = {
            "devices": charts.devices_by_area_chart(plan.regions).decode("utf-8"),
            "waits": charts.quantile_wait_histogram(
                [b.day.quantile_wait_minutes for b in day.branches],
                scenario.target.max_wait_minutes, scenario.target.quantile).decode("utf-8"),
        }
    except Exception as exc:  # recorded on the run: a background failure must not vanish
        log.exception("plan run %s failed", run.pk)
        _finish_failed(run, exc, actor)
        return
    inventory = {b.code: b for b in day.branches}
    shapes = {b.code: b.ballot.name for b in loads.branches.branches}
    with transaction.atomic():
        locked = PlanRun.objects.select_for_update().get(pk=run.pk)
        RUN.check(locked.state, RunState.DONE)  # refused before the plan's rows are written
        BranchPlan.objects.bulk_create([
            BranchPlan(
                run=locked, branch_id=loads.branch_ids[s.code], code=s.code, region_code=s.region_code,
                county_code=s.county_code, ballot=shapes[s.code], eligible_voters=s.eligible_voters,
                expected_voters=s.expected_voters, auth_needed=s.auth_needed, eboxes_needed=s.eboxes_needed,
                auth_spares=s.auth_spares, ebox_spares=s.ebox_spares, auth_available=s.auth_available,
                eboxes_available=s.eboxes_available, analytic_auth=s.analytic_auth,
                analytic_eboxes=s.analytic_eboxes, quantile_wait=s.day.quantile_wait_minutes,
                mean_wait=s.day.mean_wait_minutes, minimal=s.minimal,
                inventory_quantile_wait=finite(inventory[s.code].day.quantile_wait_minutes),
                inventory_meets_target=inventory[s.code].day.meets_target,
                hours=[{"hour": h.hour, "arrivals": h.arrivals, "mean_wait": h.mean_wait_minutes,
                        "max_wait": h.max_wait_minutes} for h in s.day.hours],
            )
            for s in plan.branches
        ], batch_size=1000)
        AreaPlan.objects.bulk_create([
            AreaPlan(
                run=locked, level=a.level, area_code=a.area_code, branches=a.branches,
                eligible_voters=a.eligible_voters, expected_voters=a.expected_voters,
                auth_needed=a.auth.needed, auth_spares=a.auth.spares, auth_available=a.auth.available,
                auth_to_deliver=a.auth.to_deliver, ebox_needed=a.eboxes.needed, ebox_spares=a.eboxes.spares,
                ebox_available=a.eboxes.available, ebox_to_deliver=a.eboxes.to_deliver,
                branches_short=a.branches_short, worst_quantile_wait=finite(a.worst_quantile_wait_minutes),
                mean_quantile_wait=finite(a.mean_quantile_wait_minutes),
            )
            for a in (*plan.regions, *plan.counties, plan.district)
        ])
        locked.summary = {
            **jsonable(summarise_plan(plan)),
            "branches": len(plan.branches),
            "all_minimal": plan.all_minimal,
            "minimal_branches": sum(1 for s in plan.branches if s.minimal),
            "branches_missing_target_with_inventory": day.branches_missing_target,
            "simulated_voters_per_day": day.voters,
        }
        locked.charts = svg
        RUN.move(locked, RunState.DONE)
        locked.finished_at = timezone.now()
        locked.seconds = time.perf_counter() - started
        locked.save()
        record(actor=actor, action=Event.CAPACITY_RUN_FINISH, target=locked, before={"state": RunState.RUNNING.value},
               after={"state": locked.state, "auth_shortfall": plan.district.auth.shortfall,
                      "ebox_shortfall": plan.district.eboxes.shortfall, "branches_short": plan.district.branches_short})


def _finish_failed(run: PlanRun, exc: Exception, actor: Any) -> None:
    en = exc.message_en if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
    fa = (
        exc.message_fa
        if isinstance(exc, DomainError)
        else gettext_in("fa", "the plan computation stopped with an error")
    )
    with transaction.atomic():
        locked = PlanRun.objects.select_for_update().get(pk=run.pk)
        RUN.move(locked, RunState.FAILED)
        locked.error_en, locked.error_fa = en, fa
        locked.finished_at = timezone.now()
        locked.save()
        record(actor=actor, action=Event.CAPACITY_RUN_FINISH, target=locked, before={"state": RunState.RUNNING.value},
               after={"state": locked.state, "error": en}, succeeded=False)


def latest_runs_by_scenario(election: Election) -> list[PlanRun]:
    """The newest finished run of each saved scenario, in scenario order: the side-by-side comparison."""
    out = []
    for sc in PlanScenario.objects.filter(election=election).order_by("name"):
        run = sc.runs.filter(state=RunState.DONE.value).order_by("-started_at", "-id").first()
        if run is not None:
            out.append(run)
    return out
