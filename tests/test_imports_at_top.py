"""Imports sit at the top of each module, except where a comment says why not (issue 21, point 2).

An import inside a function hides a dependency from the reader and from import-linter's reading order, and
it is how the old import cycles hid. One is accepted when a comment says why: on the import line itself, or
on the line just above the block of imports it belongs to. A module whose every function defers its imports
for one reason (the composition root, the command line) says so once in a line starting with
``# imports inside functions:`` near its top.

Run as a script to list the offenders under given paths: ``python tests/test_imports_at_top.py portal/case``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE_REASON = "# imports inside functions:"


def _unexplained(path: Path) -> list[int]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if any(line.startswith(MODULE_REASON) for line in lines[:60]):
        return []
    found: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            for field in ("body", "orelse", "finalbody", "handlers"):
                block = getattr(inner, field, None)
                if isinstance(block, list):
                    found.update(_unexplained_in(block, lines, inner))
    return sorted(found)


def _unexplained_in(block: list, lines: list[str], owner: ast.AST) -> list[int]:
    """The imports of one statement list with no comment on them or between them and the statement before
    their run of imports (a comment above a run of imports explains the run)."""
    found = []
    run_start = getattr(owner, "lineno", 1)  # the line the block hangs on (def, if, try...)
    explained = False
    for stmt in block:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            own = lines[stmt.lineno - 1 : stmt.end_lineno]
            above = lines[run_start : stmt.lineno - 1]
            explained = (
                explained or any("#" in line for line in own) or any(line.strip().startswith("#") for line in above)
            )
            if not explained:
                found.append(stmt.lineno)
        else:
            explained = False
        run_start = stmt.end_lineno or stmt.lineno
    return found


def offenders(paths: list[Path]) -> list[str]:
    out = []
    for base in paths:
        files = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for path in files:
            out += [f"{path.relative_to(ROOT)}:{n}" for n in _unexplained(path)]
    return out


def test_every_import_inside_a_function_says_why():
    found = offenders([ROOT / "portal"])
    assert not found, "imports inside functions without a comment saying why:\n" + "\n".join(found)


def test_the_check_catches_an_unexplained_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from a import b\n    return b\n\n"
        "def g():\n    # a imports this module\n    from a import c\n    from a import d\n    return c, d\n\n"
        "def h():\n    import json  # only for the rare debug dump\n    return json\n",
        encoding="utf-8",
    )
    assert _unexplained(module) == [2]


if __name__ == "__main__":
    result = offenders([Path(p).resolve() for p in sys.argv[1:]] or [ROOT / "portal"])
    print("\n".join(result))  # noqa: T201  a script's output
    print(f"{len(result)} unexplained", file=sys.stderr)  # noqa: T201
