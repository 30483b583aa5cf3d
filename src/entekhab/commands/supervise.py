"""Run the servers and the task worker side by side: what ``entekhab serve`` does.

The servers (the web pool and, if asked for, the device pool) are the processes that matter:
when one exits, everything is stopped and its exit code is returned. A worker that dies is
started again after a pause (a queued plan run waits for it; the pause keeps a worker that
cannot start from spinning). Every child runs in a process group of its own, so a Ctrl-C
reaches each once, forwarded from here: a second SIGINT would make the worker abandon the
task it is computing.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from types import FrameType

from entekhab.i18n import _

# A worker stopping finishes the task it is computing first; past this it is killed (the run is
# then failed as stalled by the next run of its election).
WORKER_STOP_SECONDS = 60.0
RESTART_PAUSE_SECONDS = 5.0
FORWARDED = (signal.SIGINT, signal.SIGTERM)


def _start(argv: Sequence[str]) -> subprocess.Popen:
    return subprocess.Popen(list(argv), process_group=0)


def _stop(proc: subprocess.Popen, timeout: float) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def supervise(servers: Sequence[Sequence[str]], workers: Sequence[Sequence[str]] = (), *,
              echo: Callable[[str], None] = print, restart_pause: float = RESTART_PAUSE_SECONDS,
              stop_seconds: float = WORKER_STOP_SECONDS) -> int:
    """Run every server and worker until a server exits; return that server's exit code.

    A server (the web pool, the device pool) exiting ends the service: running half of HQ would
    hide the failure. A worker exiting is started again.
    """
    server_procs = [_start(argv) for argv in servers]
    worker_procs = [_start(argv) for argv in workers]
    stopping = False

    def forward(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for proc in (*server_procs, *worker_procs):
            if proc.poll() is None:
                proc.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in FORWARDED}
    try:
        while True:
            for proc in server_procs:
                if proc.poll() is not None:
                    return proc.returncode
            time.sleep(0.5)
            for i, proc in enumerate(worker_procs):
                if not stopping and proc.poll() is not None:
                    echo(_("task worker exited with code %(code)s; starting it again in %(seconds)s s",
                           code=proc.returncode, seconds=f"{restart_pause:g}"))
                    time.sleep(restart_pause)
                    if not stopping:
                        worker_procs[i] = _start(workers[i])
    finally:
        for proc in worker_procs:
            _stop(proc, stop_seconds)
        for proc in server_procs:
            _stop(proc, stop_seconds)
        for s, handler in previous.items():
            signal.signal(s, handler)
