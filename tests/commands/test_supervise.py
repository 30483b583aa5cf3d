"""`entekhab serve` runs the web server and a task worker side by side (entekhab.commands.supervise)."""

from __future__ import annotations

import os
import sys
import time

from entekhab.commands.supervise import supervise


def py(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_worker_is_restarted_and_stopped_with_the_web_server(tmp_path):
    starts = tmp_path / "starts"
    # The worker records each start, then dies at once: the supervisor starts it again.
    worker = py(f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)")
    said: list[str] = []
    code = supervise(py("import time; time.sleep(2.5); raise SystemExit(7)"), worker, echo=said.append,
                     restart_pause=0.2)
    assert code == 7  # the web server's exit code is serve's
    assert len(starts.read_text()) >= 2 and "exited with code 3" in said[0]


def test_a_running_worker_is_stopped_when_the_web_server_exits(tmp_path):
    pid_file = tmp_path / "pid"
    worker = py(f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)")
    started = time.monotonic()
    assert supervise(py("import time; time.sleep(1.5)"), worker, restart_pause=0.2) == 0
    assert time.monotonic() - started < 30
    assert not alive(int(pid_file.read_text()))
