"""The counting package stays pure: importing it loads no Django, hq or device code."""

from __future__ import annotations

import subprocess
import sys


def test_counting_imports_nothing_from_django_hq_or_device() -> None:
    code = (
        "import sys, pkgutil, importlib, entekhab.counting as c\n"
        "for m in pkgutil.iter_modules(c.__path__): importlib.import_module(f'{c.__name__}.{m.name}')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'django'"
        " or m.startswith(('entekhab.hq', 'entekhab.device'))]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
