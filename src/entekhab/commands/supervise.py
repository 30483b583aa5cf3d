"""Run the web server and the task worker side by side: what ``entekhab serve`` does by default.

The web server is the process that matters: when it exits, the worker is stopped and its exit
code is returned. A worker that dies is started again after a pause (a queued plan run waits
for it; the pause keeps a worker that cannot start from spinning). Both children run in a
process group of their own, so a Ctrl-C reaches them once, forwarded from here: a second
SIGINT would make the worker abandon the task it is computing.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from types import FrameType

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


def supervise(web: Sequence[str], worker: Sequence[str], *, echo: Callable[[str], None] = print,
              restart_pause: float = RESTART_PAUSE_SECONDS, stop_seconds: float = WORKER_STOP_SECONDS) -> int:
    """Run ``web`` and ``worker`` until ``web`` exits; return its exit code."""
    web_proc = _start(web)
    worker_proc = _start(worker)
    stopping = False

    def forward(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for proc in (web_proc, worker_proc):
            if proc.poll() is None:
                proc.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in FORWARDED}
    try:
        while True:
            try:
                return web_proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
            if not stopping and worker_proc.poll() is not None:
                echo(f"task worker exited with code {worker_proc.returncode}; "
                     f"starting it again in {restart_pause:g} s")
                time.sleep(restart_pause)
                if not stopping:
                    worker_proc = _start(worker)
    finally:
        _stop(worker_proc, stop_seconds)
        _stop(web_proc, stop_seconds)
        for s, handler in previous.items():
            signal.signal(s, handler)
