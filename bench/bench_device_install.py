"""Benchmark: what a branch device installs, the all-in install against ``entekhab[device]``.

Before the extras, installing a ballot box installed all of Entekhab (Django, Dask,
matplotlib...); its peer today is ``entekhab[hq,device]``. Setup (not measured): the wheel of
the working tree, built once (needs ``make assets``), installed into a fresh venv per row with
``uv`` (warm cache). Measured in the same run, per row:

- site-packages size (MB, the files' sizes) and number of distributions installed;
- the install's wall time from uv's warm cache;
- cold start: ``entekhab device --help`` and ``import entekhab.device.kiosk, .agent, .pdf``,
  the first run (no bytecode yet: uv does not compile it), then the median and the minimum of
  ``BENCH_DEVICE_INSTALL_RUNS`` (default 5) runs, interleaved across the rows.

    .venv/bin/python bench/bench_device_install.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_DEVICE_INSTALL_RUNS", "5"))
DEVICE = (["device", "--help"], "import entekhab.device.kiosk, entekhab.device.agent, entekhab.device.pdf")
# The citizen's row, for scale, times its own command: `verify --help` and the verifier's import.
ROWS = (("all-in: .[hq,device]", "hq,device", DEVICE), ("device: .[device]", "device", DEVICE),
        ("citizen: .[verify]", "verify", (["verify", "--help"], "import entekhab.crypto.verifier")))


def uv(*args: str) -> None:
    from uv import find_uv_bin

    for offline in (["--offline"], []):  # from the cache alone if it can, else from the registry
        done = subprocess.run([find_uv_bin(), *args, *offline], capture_output=True, text=True)
        if done.returncode == 0:
            return
    raise SystemExit(done.stdout + done.stderr)


def build_wheel(base: Path) -> Path:
    fonts = ROOT / "src" / "entekhab" / "device" / "assets" / "fonts" / "Vazirmatn-Regular.ttf"
    if not fonts.is_file():
        raise SystemExit("run `make assets` first: the device ships its fonts")
    source = base / "source"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    uv("build", "--wheel", "--quiet", "--out-dir", str(base / "dist"), str(source))
    return next((base / "dist").glob("entekhab-*.whl"))


def timed(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def install(extras: str, wheel: Path, base: Path) -> dict[str, Any]:
    venv = base / f"venv-{extras.replace(',', '-')}"
    uv("venv", "--quiet", "--python", sys.executable, str(venv))
    started = time.perf_counter()
    uv("pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), f"entekhab[{extras}] @ {wheel.as_uri()}")
    seconds = time.perf_counter() - started
    (site,) = (venv / "lib").glob("python*/site-packages")
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file() and not p.is_symlink())
    return {"venv": venv, "mb": size / 1e6, "dists": len(list(site.glob("*.dist-info"))), "install": seconds}


def cold_starts(rows: list[dict[str, Any]], base: Path) -> None:
    """First runs, then the warm runs interleaved row by row, so a busy machine slows every row alike."""
    commands = [([str(r["venv"] / "bin" / "entekhab"), *r["command"][0]],
                 [str(r["venv"] / "bin" / "python"), "-c", r["command"][1]]) for r in rows]
    for r, (cli, imp) in zip(rows, commands, strict=True):
        r["first_cli"], r["first_imp"], r["clis"], r["imps"] = timed(cli, base), timed(imp, base), [], []
    for _ in range(RUNS):
        for r, (cli, imp) in zip(rows, commands, strict=True):
            r["clis"].append(timed(cli, base))
            r["imps"].append(timed(imp, base))
    for r in rows:
        r["cli"], r["imp"] = statistics.median(r["clis"]), statistics.median(r["imps"])
        r["cli_min"], r["imp_min"] = min(r["clis"]), min(r["imps"])


def main() -> None:
    base = Path(tempfile.mkdtemp(prefix="entekhab-bench-install-"))
    try:
        wheel = build_wheel(base)
        rows = [{"label": label, "command": command, **install(extras, wheel, base)} for label, extras, command in ROWS]
        cold_starts(rows, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"device install; {RUNS} warm runs each, interleaved: median (min); 1st = no bytecode yet; the verify row "
          "times `verify --help` and the verifier's import")
    print(f"{'install':<22} {'site MB':>8} {'dists':>6} {'install s':>10} {'--help 1st':>11} {'--help':>12} "
          f"{'import 1st':>11} {'import':>12}")
    for m in rows:
        print(f"{m['label']:<22} {m['mb']:8.1f} {m['dists']:6d} {m['install']:10.2f} {m['first_cli']:11.2f} "
              f"{m['cli']:6.2f} ({m['cli_min']:.2f}) {m['first_imp']:11.2f} {m['imp']:6.2f} ({m['imp_min']:.2f})")
    old, new = rows[0], rows[1]
    print(f"device against all-in: {new['mb'] / old['mb']:.0%} of the size, {new['dists']} of {old['dists']} "
          f"distributions, device --help {new['cli']:.2f} s against {old['cli']:.2f} s")


if __name__ == "__main__":
    main()
