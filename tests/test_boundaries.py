"""The pure cores import nothing from Django, the HQ or the device agent, with no exceptions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "entekhab"
FORBIDDEN = ("django", "ninja", "entekhab.hq", "entekhab.device", "entekhab.commands")
PURE = ["records", "domain", "counting", "planning", "crypto", "publication"]


def imports_of(package: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted((SRC / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(SRC)), a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.append((str(path.relative_to(SRC)), node.module))
    return found


@pytest.mark.parametrize("package", PURE)
def test_pure_package_imports_nothing_from_django(package: str) -> None:
    offenders = [f"{where}: {name}" for where, name in imports_of(package) if name.startswith(FORBIDDEN)]
    assert offenders == []


def test_records_depend_only_on_the_pure_value_packages() -> None:
    """The records core sits under everything else: it may use domain and counting, nothing above."""
    above = ("entekhab.publication", "entekhab.crypto", "entekhab.planning")
    assert [f"{w}: {n}" for w, n in imports_of("records") if n.startswith(above)] == []


def test_one_owner_for_each_record_format() -> None:
    """No second canonical JSON, signing key or manifest parser grows back outside ``records``."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.parts[0] == "records" or "migrations" in rel.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name in {"SigningKey", "SignatureInvalid", "BallotManifest"} \
                    and rel.parts[:2] != ("hq", "candidates"):
                offenders.append(f"{rel}: class {node.name}")
            if isinstance(node, ast.FunctionDef) and node.name in {
                    "canonical_json", "load_manifest", "verify_manifest", "counting_manifest", "verify_report"}:
                offenders.append(f"{rel}: def {node.name}")
        for node in ast.walk(tree):
            # opendata pretty-prints files for people; the audit chain hashes arbitrary field values
            # (floats included) and gets its typed events with the audit issue.
            if isinstance(node, ast.keyword) and node.arg == "sort_keys" and str(rel) not in {
                    "publication/opendata.py", "hq/audit/models.py"}:
                offenders.append(f"{rel}:{node.value.lineno}: json.dumps(sort_keys=...)")
    assert offenders == []
