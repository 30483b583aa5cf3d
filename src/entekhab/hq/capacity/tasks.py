"""The capacity app's background work, on the task queue (django-tasks with its database backend).

A plan run too large for its request is enqueued once its row is committed, and computed by
``entekhab worker`` (``entekhab serve`` starts one beside the web server), never by a thread
of a web worker. A task's arguments are stored as JSON, so it takes ids: the worker reads the
scenario the run stored and the branches as they are when it starts.

On Django 6 the same API is ``django.tasks``; only the import below changes.
"""

from __future__ import annotations

from enum import StrEnum

from django_tasks import TaskResultStatus, default_task_backend, task
from django_tasks.exceptions import TaskResultDoesNotExist


@task()
def compute_plan_run(run_id: int, actor_id: int | None) -> str:
    """Compute one queued plan run; the outcome (done or failed) is stored on the run itself."""
    from entekhab.hq.capacity.actions import execute_queued_run

    return execute_queued_run(run_id, actor_id)


class QueueState(StrEnum):
    """Where a background run's task is, for the progress page."""

    WAITING = "waiting"  # enqueued, no worker has taken it yet
    COMPUTING = "computing"  # a worker is computing it
    ENDED = "ended"  # the task ended (the run's own state says how)
    UNKNOWN = "unknown"  # no such task (pruned, or the run was computed in its request)


def queue_state(task_id: str | None) -> QueueState:
    if not task_id:
        return QueueState.UNKNOWN
    try:
        status = default_task_backend.get_result(task_id).status
    except TaskResultDoesNotExist:
        return QueueState.UNKNOWN
    if status == TaskResultStatus.READY:
        return QueueState.WAITING
    if status == TaskResultStatus.RUNNING:
        return QueueState.COMPUTING
    return QueueState.ENDED
