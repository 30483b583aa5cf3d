"""Nothing in the application assigns a lifecycle state directly: every change goes through ``Lifecycle.move``.

A structural check over the source: an assignment to ``.state`` or ``.status``, or an
``update(state=…)``, outside the allowed places fails this test and names where it is.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "entekhab"
FIELDS = {"state", "status"}

# (file relative to src/entekhab, function): writes that are not lifecycle moves.
ALLOWED = {
    # The demo tool rewinds its own demo election, audited (docs/authority.md).
    ("hq/demo/people.py", "rewind_for_demo"),
    # Region draws move a chunk of tested devices to allocated in one UPDATE; the trigger checks each row.
    ("hq/operations/actions/devices.py", "do_draw_devices"),
    # A branch's network status is a measurement (any status may follow any), not a lifecycle.
    ("hq/operations/actions/network.py", "_update"),
}
NOT_LIFECYCLES = {"hq/web/edge.py", "hq/polling/errors.py", "hq/accounts/guard.py"}  # HTTP statuses of errors


def _writes(tree: ast.AST):
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            targets = []
            if isinstance(node, ast.Assign):
                targets = [t for tgt in node.targets for t in (tgt.elts if isinstance(tgt, ast.Tuple) else [tgt])]
            elif isinstance(node, ast.AnnAssign | ast.AugAssign):
                targets = [node.target]
            for t in targets:
                if isinstance(t, ast.Attribute) and t.attr in FIELDS:
                    yield fn.name, node.lineno
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update"
                    and any(k.arg in FIELDS for k in node.keywords)):
                yield fn.name, node.lineno


def test_no_state_is_assigned_outside_lifecycle_move():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/migrations/" in rel or rel in NOT_LIFECYCLES or rel.startswith("device/"):
            continue
        for fn, line in _writes(ast.parse(path.read_text(encoding="utf-8"))):
            if (rel, fn) not in ALLOWED:
                found.append(f"{rel}:{line} in {fn}()")
    assert found == []
