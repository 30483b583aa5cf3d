"""Each extra of the one ``entekhab`` distribution installs alone and runs its own commands.

A branch device installs ``entekhab[device]`` and must get neither Django nor Dask nor
matplotlib; a citizen's ``entekhab[verify]`` is smaller still. The test builds the wheel of
the working tree once, installs each extra into a fresh venv with ``uv`` (its cache makes a
repeated install take seconds, offline once warm), the four installs in parallel, and runs
each extra's entry point there, away from the checkout. Needs ``make assets`` (the fonts
are package data of the device).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEVICE_FONTS = ROOT / "src" / "entekhab" / "device" / "assets" / "fonts"
HQ_ONLY = ("django", "ninja", "psycopg", "distributed", "dask", "matplotlib", "numpy")
DEVICE_ONLY = ("weasyprint", "starlette", "uvicorn", "zxingcpp", "pypdfium2")
EXTRAS = ("device", "verify", "planning", "hq")


def _uv() -> str:
    from uv import find_uv_bin  # the `uv` package of the test extra

    return find_uv_bin()


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _uv_offline_first(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``uv`` from its cache alone when it can (no registry needed), from PyPI otherwise."""
    done = _run([_uv(), *args, "--offline"], cwd)
    if done.returncode != 0:
        done = _run([_uv(), *args], cwd)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once from a copy of the tree (the build writes beside its sources)."""
    assert (DEVICE_FONTS / "Vazirmatn-Regular.ttf").is_file(), "run `make assets` first: the device ships its fonts"
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    _uv_offline_first(["build", "--wheel", "--quiet", "--out-dir", str(base / "dist"), str(source)], base)
    (built,) = (base / "dist").glob("entekhab-*.whl")
    return built


PROBE = """
import importlib.util, json, sys
from pathlib import Path
found = {m: importlib.util.find_spec(m) is not None for m in sys.argv[1].split(",")}
import entekhab
info = {"found": found, "package": str(Path(entekhab.__file__).parent)}
if sys.argv[2] == "device":
    import entekhab.device.agent, entekhab.device.kiosk, entekhab.device.pdf
    from entekhab.device.assets import FONTS
    info["fonts"] = sorted(p.name for p in FONTS.glob("Vazirmatn-*"))
    info["fonts_dir"] = str(FONTS)
    info["readers"] = sorted({str(entekhab.device.kiosk.FONTS), str(entekhab.device.pdf.FONTS)})
print(json.dumps(info))
"""


def _install_and_run(extra: str, wheel: Path, base: Path) -> dict[str, object]:
    """Installs ``entekhab[extra]`` into a fresh venv and runs its commands there; returns what happened."""
    venv = base / f"venv-{extra}"
    work = base / f"work-{extra}"
    work.mkdir()
    _uv_offline_first(["venv", "--quiet", "--python", sys.executable, str(venv)], base)
    _uv_offline_first(["pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
                       f"entekhab[{extra}] @ {wheel.as_uri()}"], base)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE")}
    env["ENTEKHAB_LANG"] = "en"
    cli = str(venv / "bin" / "entekhab")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return _run([cli, *args], work, env)

    probe = _run([str(venv / "bin" / "python"), "-c", PROBE, ",".join(HQ_ONLY + DEVICE_ONLY), extra], work, env)
    runs: dict[str, subprocess.CompletedProcess[str]] = {"probe": probe}
    if extra == "device":
        runs["help"] = run("device", "--help")
        runs["init"] = run("device", "init", "box.db", "--serial", "SN-P1", "--role", "ebox", "--json")
        runs["status"] = run("device", "status", "box.db", "--json")
        runs["hq_command"] = run("polling", "enrolment-code", "--branch", "B", "--serial", "S", "--role", "auth",
                                 "--as", "nobody")
    elif extra == "verify":
        runs["help"] = run("verify", "--help")
        runs["demo"] = run("crypto", "demo", "--out", "record", "--ballots", "4", "--guardians", "3", "--quorum", "2",
                           "--style", "small", "--workers", "1", "--seed", "packaging", "--json")
        runs["verify"] = run("verify", "record", "--json", "--workers", "1")
        runs["plan_command"] = run("plan", "synthetic", "--out", "b.json", "--branches", "3")
    elif extra == "planning":
        runs["help"] = run("plan", "--help")
        runs["branch"] = run("plan", "branch", "--eligible", "300", "--replications", "1", "--chart", "day.png",
                             "--json")
    else:
        runs["help"] = run("--help")
        runs["manage"] = run("manage", "check")
    return {"runs": runs, "site": venv}


def _show(done: subprocess.CompletedProcess[str]) -> str:
    return f"exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


def test_each_extra_installs_alone_and_runs_its_commands(wheel: Path, tmp_path: Path) -> None:
    with ThreadPoolExecutor(len(EXTRAS)) as pool:
        results = dict(zip(EXTRAS, pool.map(lambda e: _install_and_run(e, wheel, tmp_path), EXTRAS), strict=True))

    for extra, result in results.items():
        runs = result["runs"]
        assert isinstance(runs, dict)
        for name, done in runs.items():
            if name not in ("hq_command", "plan_command"):
                assert done.returncode == 0, f"{extra} {name}: {_show(done)}"
        info = json.loads(runs["probe"].stdout)
        # Installed from the wheel, not borrowed from the checkout.
        assert Path(info["package"]).is_relative_to(tmp_path), info
        found = info["found"]
        if extra in ("device", "verify"):
            assert not any(found[m] for m in HQ_ONLY), f"{extra} pulls in HQ libraries: {found}"
        if extra == "device":
            assert all(found[m] for m in DEVICE_ONLY), found
        if extra == "verify":  # a citizen's verifier: no PDF, web or camera stack either
            assert not any(found[m] for m in DEVICE_ONLY), found
        if extra == "hq":
            assert all(found.values()), found

    device = results["device"]["runs"]
    assert "verify-qr" in device["help"].stdout and "serve" in device["help"].stdout
    assert json.loads(device["init"].stdout)["serial"] == "SN-P1"
    assert json.loads(device["status"].stdout)["role"] == "ebox"
    probe = json.loads(device["probe"].stdout)
    assert probe["fonts"] == ["Vazirmatn-Bold.ttf", "Vazirmatn-Bold.woff2", "Vazirmatn-Regular.ttf",
                              "Vazirmatn-Regular.woff2"]
    assert Path(probe["fonts_dir"]).is_relative_to(tmp_path)
    assert probe["readers"] == [probe["fonts_dir"]]  # the kiosk and the minutes read the device's own fonts
    # An HQ command on a device: one line naming the extra, Persian first, no traceback.
    refused = device["hq_command"]
    assert refused.returncode == 2, _show(refused)
    assert refused.stderr.strip().count("\n") == 0 and "Traceback" not in refused.stderr, _show(refused)
    assert "entekhab[hq]" in refused.stderr and refused.stderr.index("\u062e") < refused.stderr.index("error:")

    verify = results["verify"]["runs"]
    assert "--fingerprint" in verify["help"].stdout
    fingerprint = json.loads(verify["demo"].stdout)["fingerprint"]
    checked = json.loads(verify["verify"].stdout)  # a citizen checks a whole (small) election record
    assert checked["ok"] is True and checked["fingerprint"] == fingerprint, checked
    no_planning = verify["plan_command"]
    assert no_planning.returncode == 2 and "entekhab[planning]" in no_planning.stderr, _show(no_planning)
    assert "Traceback" not in no_planning.stderr

    planning = results["planning"]["runs"]
    assert "synthetic" in planning["help"].stdout
    json.loads(planning["branch"].stdout)
    assert (tmp_path / "work-planning" / "day.png").read_bytes().startswith(b"\x89PNG")  # matplotlib drew it

    assert "device" in results["hq"]["runs"]["help"].stdout
