"""Persian text lives in catalogues and templates, not in Python.

Messages are English ids whose Persian is in ``entekhab/locale/fa/LC_MESSAGES/entekhab.po``
(pure packages, CLI) or ``hq/locale/fa/LC_MESSAGES/django.po`` (the HQ's Django side);
pages and documents are templates. What may stay is data, named here with its reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "entekhab"
PERSIAN_LETTER = re.compile(r"[\u0621-\u064A\u067E\u0686\u0698\u06A9\u06AF\u06CC]")

# Files whose Persian strings are data, not interface text.
DATA = {
    "domain/jalali.py": "the Jalali calendar's month and weekday names, locale data like CLDR's",
    "domain/eligibility.py": "the default rule sets: seed data of an election's editable rules, citing laws by title",
    "hq/settings.py": "each language's own name in the language menu (فارسی, English)",
    "hq/results/drilldown.py": "the Arabic-to-Persian letter table that search normalises typed text with",
    "hq/candidates/views.py": "the words the PR calculator accepts for the independents (منفرد, مستقل …)",
    "hq/candidates/forms.py": "the PR calculator's example input, in the words the calculator parses",
    "hq/candidates/models.py": "the sex choices' labels, frozen in the schema's migration (changing them would"
                               " rebuild the table on SQLite and drop its lifecycle trigger)",
    # The demo election's own content: its title, meeting minutes, decrees, names of the people who sign
    # (the names of places and people are JSON data files beside the code).
    "hq/demo/generate.py": "demo content", "hq/demo/load.py": "demo content", "hq/demo/people.py": "demo content",
    "hq/candidates/demo.py": "demo content", "hq/operations/demo.py": "demo content",
    "hq/polling/simulate.py": "demo content", "hq/results/simulate.py": "demo content",
}


def _docstrings(tree: ast.AST) -> set[int]:
    """Bare string statements: module, class and function docstrings, and attribute docstrings."""
    return {id(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}


def persian_literals(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return sorted({node.lineno for node in ast.walk(tree)
                   if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                   and PERSIAN_LETTER.search(node.value)})


def test_no_persian_interface_text_in_python():
    offenders = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/migrations/" in f"/{rel}" or rel in DATA or rel.startswith(tuple(p for p in DATA if p.endswith("/"))):
            continue
        lines = persian_literals(path)
        if lines:
            offenders[rel] = lines
    assert not offenders, "Persian strings in Python (move them to a catalogue or a template):\n" + "\n".join(
        f"{f}: lines {', '.join(map(str, ls[:12]))}{' …' if len(ls) > 12 else ''}" for f, ls in offenders.items())
