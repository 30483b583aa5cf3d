"""A plan run's lifecycle: running → done | failed, a failure stored and audited, a finished run never re-opened."""

from __future__ import annotations

import pytest

from entekhab.domain.lifecycle import TransitionRefused
from entekhab.hq.accounts.roles import Role
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.capacity import actions
from entekhab.hq.capacity.loads import election_loads
from entekhab.hq.capacity.models import RUN, BranchPlan, PlanRun, RunState
from entekhab.planning.validate import PlanningInputError


def test_a_failed_computation_is_stored_and_audited(election, scenario45, make_user, monkeypatch, client_as):
    def explode(*args, **kwargs):
        raise PlanningInputError("branches[X]", "cannot be simulated", "شبیه‌سازی ممکن نیست")

    monkeypatch.setattr("entekhab.planning.district.plan_district", explode)
    run = actions.do_run_plan(election, scenario45, acting_user=make_user(Role.HQ_ADMIN))
    assert run.state == RunState.FAILED and "شبیه‌سازی ممکن نیست" in run.error_fa
    assert not BranchPlan.objects.filter(run=run).exists()
    event = AuditEvent.objects.filter(action="capacity.run.finish", target_id=str(run.pk)).get()
    assert event.succeeded is False and event.after["state"] == "failed"
    page = client_as(Role.OBSERVER).get(f"/capacity/1405/runs/{run.pk}/")
    assert page.status_code == 200 and "شبیه‌سازی ممکن نیست" in page.content.decode()


def test_a_finished_run_is_never_reopened(run45, scenario45, election):
    assert RUN.check("running", RunState.DONE) is RunState.DONE
    for target in (RunState.RUNNING, RunState.DONE, RunState.FAILED):
        with pytest.raises(TransitionRefused):
            RUN.check("done", target)
    before = BranchPlan.objects.filter(run=run45).count()
    with pytest.raises(TransitionRefused):
        actions.execute_run(run45, scenario45.parsed(), election_loads(election), actor=None)
    assert BranchPlan.objects.filter(run=run45).count() == before
    assert PlanRun.objects.get(pk=run45.pk).state == "done"


def test_a_running_run_shows_progress_and_refreshes(election, scenario45, make_user, client_as, monkeypatch):
    started = []
    monkeypatch.setattr(actions.transaction, "on_commit", lambda fn: started.append(fn))
    run = actions.do_run_plan(election, scenario45, acting_user=make_user(Role.HQ_ADMIN), background=True)
    assert run.state == "running" and len(started) == 1  # enqueued only once the run row is committed
    page = client_as(Role.OBSERVER).get(f"/capacity/1405/runs/{run.pk}/").content.decode()
    assert 'http-equiv="refresh"' in page and "data-testid=\"running\"" in page


def test_a_stalled_run_is_failed_by_the_next_run(election, scenario45, make_user):
    import datetime as dt

    from django.utils import timezone

    admin = make_user(Role.HQ_ADMIN)
    old = PlanRun.objects.create(election=election, scenario=scenario45, scenario_name="turnout-45",
                                 scenario_definition=scenario45.definition, started_by=admin,
                                 started_at=timezone.now() - dt.timedelta(hours=2))
    recent = PlanRun.objects.create(election=election, scenario=scenario45, scenario_name="turnout-45",
                                    scenario_definition=scenario45.definition, started_by=admin,
                                    started_at=timezone.now() - dt.timedelta(minutes=5))
    new = actions.do_run_plan(election, scenario45, acting_user=admin)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert new.state == "done"
    assert old.state == "failed" and "قطع شد" in old.error_fa
    assert recent.state == "running"  # a run of a few minutes may still be computing
    assert AuditEvent.objects.filter(action="capacity.run.finish", target_id=str(old.pk), succeeded=False).exists()
