"""The pure cores import nothing from Django, the HQ or the device agent."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "entekhab"
FORBIDDEN = ("django", "ninja", "entekhab.hq", "entekhab.device", "entekhab.commands")


# What a pure package may import despite FORBIDDEN: publication reads the (pure) report format.
ALLOWED = {"publication": ("entekhab.device.report",)}


@pytest.mark.parametrize("package", ["domain", "counting", "planning", "crypto", "publication"])
def test_pure_package_imports_nothing_from_django(package: str) -> None:
    offenders = []
    for path in sorted((SRC / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(SRC)}: {n}" for n in names
                          if n.startswith(FORBIDDEN) and n not in ALLOWED.get(package, ())]
    assert offenders == []
