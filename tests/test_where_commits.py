"""Decision 0013: routes do not commit; the service a route calls owns the transaction."""

from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "route"}


def _is_route(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_DECORATORS
        for d in function.decorator_list
    )


def _commits(node: ast.AST) -> list[int]:
    return [
        n.lineno
        for n in ast.walk(node)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "commit"
    ]


def commits_in_routes(source: str, route_module: bool) -> list[int]:
    """Lines that commit: anywhere in a routes module (its helpers serve its views), and in any function
    that a blueprint decorator makes a view, wherever it lives."""
    tree = ast.parse(source)
    if route_module:
        return _commits(tree)
    views = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and _is_route(n)]
    return sorted(line for view in views for line in _commits(view))


def _route_module(path: Path) -> bool:
    return path.name == "routes.py" or path.name.endswith("_routes.py") or path.parent.name == "api"


def test_no_route_commits():
    found = []
    for path in sorted(PORTAL.rglob("*.py")):
        for line in commits_in_routes(path.read_text(encoding="utf-8"), _route_module(path)):
            found.append(f"{path.relative_to(PORTAL.parent)}:{line}")
    assert found == [], "commit in the service the route calls, not in the route (decision 0013)"


def test_the_scan_finds_a_commit_in_a_view_and_in_a_routes_module():
    view = """
@bp.post("/x")
def view():
    db.session.commit()


def helper():
    db.session.commit()
"""
    assert commits_in_routes(view, route_module=False) == [4]
    assert commits_in_routes(view, route_module=True) == [4, 8]
    assert commits_in_routes("def service():\n    session.commit()\n", route_module=False) == []
    assert _route_module(PORTAL / "api" / "cases.py")
    assert _route_module(PORTAL / "application" / "nextmonth_routes.py")
    assert not _route_module(PORTAL / "case" / "services.py")
