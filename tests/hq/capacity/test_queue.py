"""Large plan runs go on the task queue (django-tasks, database backend) and a worker computes them.

No web request starts a thread; a worker process (here called in-process, as ``entekhab
worker --batch`` runs it) takes the committed task and stores the plan; a run whose task can
no longer finish is failed, audited, by the next run of its election.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from entekhab.hq.accounts.roles import Role
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.capacity import actions
from entekhab.hq.capacity.models import AreaPlan, BranchPlan, PlanRun, PlanScenario, RunState
from entekhab.hq.capacity.tasks import QueueState, queue_state


def run_worker() -> None:
    """What ``entekhab worker --batch`` does, in this process (its signal handlers put back after)."""
    from entekhab.commands.platform import worker

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        worker(batch=True, interval=0.0, verbose=False)
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def test_a_web_request_for_a_large_run_starts_no_thread(election, scenario45, client_as, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    started: list[threading.Thread] = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))
    monkeypatch.setattr(actions, "SYNC_BRANCH_LIMIT", 0)  # every plan is "large"
    client = client_as(Role.HQ_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/capacity/1405/runs/", {"scenario": str(scenario45.pk)})
    assert response.status_code == 302
    assert started == []
    run = PlanRun.objects.get(election=election)
    assert run.state == RunState.RUNNING and run.task_id
    task = DBTaskResult.objects.get(id=run.task_id)
    assert task.task_path == "entekhab.hq.capacity.tasks.compute_plan_run"
    assert task.args_kwargs["args"][0] == run.pk
    assert queue_state(run.task_id) == QueueState.WAITING
    page = client.get(f"/capacity/1405/runs/{run.pk}/").content.decode()
    assert "entekhab worker" in page and 'http-equiv="refresh"' in page


def test_a_queued_run_failed_as_stalled_is_skipped_by_the_worker(election, scenario45, make_user):
    admin = make_user(Role.HQ_ADMIN)
    run = PlanRun.objects.create(election=election, scenario=scenario45, scenario_name="turnout-45",
                                 scenario_definition=scenario45.definition, started_by=admin,
                                 started_at=timezone.now() - dt.timedelta(hours=2))
    assert actions.fail_stalled_runs(election, actor=admin) == 1
    assert actions.execute_queued_run(run.pk, admin.pk).startswith("skipped")
    assert PlanRun.objects.get(pk=run.pk).state == RunState.FAILED
    assert not BranchPlan.objects.filter(run=run).exists()


def test_a_run_whose_task_ended_without_a_plan_is_failed_at_once(election, scenario45, make_user):
    admin = make_user(Role.HQ_ADMIN)
    run = PlanRun.objects.create(election=election, scenario=scenario45, scenario_name="turnout-45",
                                 scenario_definition=scenario45.definition, started_by=admin,
                                 started_at=timezone.now() - dt.timedelta(minutes=1))
    actions.enqueue_run(run, admin)
    assert actions.fail_stalled_runs(election, actor=admin) == 0  # queued a minute ago: may still come
    DBTaskResult.objects.filter(id=run.task_id).update(status="FAILED", finished_at=timezone.now())
    assert actions.fail_stalled_runs(election, actor=admin) == 1
    run.refresh_from_db()
    assert run.state == RunState.FAILED and "قطع شد" in run.error_fa
    assert AuditEvent.objects.filter(action="capacity.run.finish", target_id=str(run.pk), succeeded=False).exists()


@pytest.fixture
def committed_election(transactional_db):
    from django.contrib.auth.models import User

    from entekhab.hq.demo.load import load_demo
    from entekhab.hq.elections.models import Election
    from tests.hq.conftest import appoint

    load_demo("small", 1405)
    planner = appoint(User.objects.create_user("queue-planner", password="x-Strong-Pass-1405", is_staff=True),
                      Role.HQ_ADMIN)
    return Election.objects.get(code="1405"), planner


def test_a_worker_completes_a_queued_run(committed_election):
    election, planner = committed_election
    scenario = PlanScenario.objects.get(election=election, name="turnout-45")
    run = actions.do_run_plan(election, scenario, acting_user=planner, background=True)
    run.refresh_from_db()  # committed: on_commit has enqueued it
    assert run.state == RunState.RUNNING and queue_state(run.task_id) == QueueState.WAITING

    run_worker()

    run.refresh_from_db()
    assert run.state == RunState.DONE, run.error_en
    branches = election.branches.count()
    assert BranchPlan.objects.filter(run=run).count() == run.summary["branches"] == branches
    assert AreaPlan.objects.filter(run=run, level="district").count() == 1
    assert DBTaskResult.objects.get(id=run.task_id).status == "SUCCESSFUL"
    assert queue_state(run.task_id) == QueueState.ENDED
    finish = AuditEvent.objects.get(action="capacity.run.finish", target_id=str(run.pk))
    assert finish.succeeded and finish.actor_id == planner.pk
