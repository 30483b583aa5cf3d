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
    code = supervise([py("import time; time.sleep(2.5); raise SystemExit(7)")], [worker], echo=said.append,
                     restart_pause=0.2)
    assert code == 7  # the web server's exit code is serve's
    assert len(starts.read_text()) >= 2 and "exited with code 3" in said[0]


def test_a_running_worker_is_stopped_when_the_web_server_exits(tmp_path):
    pid_file = tmp_path / "pid"
    worker = py(f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)")
    started = time.monotonic()
    assert supervise([py("import time; time.sleep(1.5)")], [worker], restart_pause=0.2) == 0
    assert time.monotonic() - started < 30
    assert not alive(int(pid_file.read_text()))


def test_when_one_server_exits_the_other_is_stopped(tmp_path):
    """A web pool without its device pool (or the reverse) is half an HQ: serve ends, loudly."""
    pid_file = tmp_path / "pid"
    device = py(f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)")
    started = time.monotonic()
    assert supervise([py("import time; time.sleep(1.5); raise SystemExit(4)"), device], []) == 4
    assert time.monotonic() - started < 30
    assert not alive(int(pid_file.read_text()))


def test_serve_starts_a_task_worker_unless_told_not_to(monkeypatch):
    import pytest
    import typer

    from entekhab.commands import platform
    from entekhab.commands import supervise as supervise_module

    seen: dict[str, list[str]] = {}

    def fake_supervise(servers, workers, **kwargs):
        seen["servers"], seen["workers"] = [list(s) for s in servers], [list(w) for w in workers]
        seen["web"], seen["worker"] = seen["servers"][0], seen["workers"][0] if workers else []
        return 0

    monkeypatch.setattr(supervise_module, "supervise", fake_supervise)
    class Replaced(Exception):
        """execvp never returns: the process becomes gunicorn."""

    def execvp(exe, argv):
        seen["alone"] = list(argv)
        raise Replaced

    monkeypatch.setattr(platform.os, "execvp", execvp)
    with pytest.raises(typer.Exit):
        platform.serve(port=8106)
    assert seen["worker"][-2:] == ["entekhab.cli", "worker"] and "gunicorn" in seen["web"]
    assert "--timeout" in seen["web"]
    with pytest.raises(Replaced):
        platform.serve(port=8106, task_worker=False)
    assert "gunicorn" in seen["alone"] and "worker" not in seen["alone"][-1]
    assert "entekhab.hq.polling.wsgi:application" in seen["alone"]  # device messages take the lean path


def test_serve_runs_a_device_pool_on_its_own_port(monkeypatch):
    import pytest
    import typer

    from entekhab.commands import platform
    from entekhab.commands import supervise as supervise_module

    seen: dict[str, list] = {}

    def fake_supervise(servers, workers, **kwargs):
        seen["servers"], seen["workers"] = [list(s) for s in servers], [list(w) for w in workers]
        return 0

    monkeypatch.setattr(supervise_module, "supervise", fake_supervise)
    with pytest.raises(typer.Exit):
        platform.serve(port=8106, web_workers=3, device_workers=2, device_threads=16, task_worker=False)
    web, device = seen["servers"]
    assert seen["workers"] == []
    assert web[web.index("--bind") + 1] == "127.0.0.1:8106" and web[web.index("--workers") + 1] == "3"
    assert "entekhab.hq.polling.wsgi:device_application" in device
    assert device[device.index("--bind") + 1] == "127.0.0.1:8107" and device[device.index("--workers") + 1] == "2"
    assert device[device.index("--worker-class") + 1] == "gthread" and device[device.index("--threads") + 1] == "16"
    with pytest.raises(typer.Exit):
        platform.serve(port=8106, device_workers=1, device_port=9000)
    assert seen["servers"][1][seen["servers"][1].index("--bind") + 1] == "127.0.0.1:9000"
    assert len(seen["workers"]) == 1
