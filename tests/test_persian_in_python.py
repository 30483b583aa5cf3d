"""Persian text lives in catalogues, templates and data files, never in Python.

Messages are English ids whose Persian is in ``entekhab/locale/fa/LC_MESSAGES/entekhab.po``
(pure packages, CLI) or ``hq/locale/fa/LC_MESSAGES/django.po`` (the HQ's Django side);
pages and documents are templates; demo content, seed rules and sample text are JSON files
beside the code. Persian digits and punctuation are named once, by their Unicode names, in
``entekhab.domain.digits``.

The check reads every line, comments and docstrings included: a Persian term in a
docstring is written in Latin letters (*surat-jalase*), so that a grep for Persian in the
Python finds nothing to explain. Migrations are history and keep what they were written with.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = (ROOT / "src", ROOT / "bench")
# The Arabic block (letters, Persian and Arabic-Indic digits, «،», «؛», «٫», «٬», «٪») and the
# Arabic presentation forms.
PERSIAN = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")


def persian_lines(path: Path) -> list[int]:
    return [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if PERSIAN.search(line)]


def python_files() -> list[Path]:
    return sorted(p for root in CHECKED for p in root.rglob("*.py") if "migrations" not in p.parts)


def test_no_persian_in_python():
    offenders = {p.relative_to(ROOT).as_posix(): lines for p in python_files() if (lines := persian_lines(p))}
    assert not offenders, "Persian in Python (move it to a catalogue, a template or a data file):\n" + "\n".join(
        f"{f}: lines {', '.join(map(str, ls[:12]))}{' …' if len(ls) > 12 else ''}" for f, ls in offenders.items())


def test_the_check_sees_strings_comments_and_docstrings(tmp_path):
    """The check itself: each place Persian could hide in a Python file is found."""
    sample = tmp_path / "sample.py"
    sample.write_text('"""Doc (\u0634\u0639\u0628\u0647)."""\nx = 1  # \u06f1\nY = "a\u060cb"\nZ = "plain"\n',
                      encoding="utf-8")
    assert persian_lines(sample) == [1, 2, 3]
    assert python_files(), "no Python files found: the check would pass on nothing"
