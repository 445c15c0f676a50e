"""The product package stands alone: nothing under portal/ imports the development stand-ins (devstack/: the
test IdP, the sandbox, the sample receiver, the demo stack, the benches). portal/cli.py loads devstack.cli by
name when it is installed; a static import would make the product need the dev tools to start."""

from __future__ import annotations

import ast
from pathlib import Path

import devstack
from portal.config import REPO_ROOT

DEV_PACKAGE = "devstack"


def dev_imports(source: str, filename: str = "<source>") -> list[str]:
    """``line: statement`` for every import of the devstack package in ``source``, at any depth (top of the
    module, inside a function, under ``if TYPE_CHECKING``)."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == DEV_PACKAGE or name.startswith(f"{DEV_PACKAGE}.") for name in names):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_check_finds_a_planted_import_wherever_it_is():
    planted = (
        "import os\n"
        "from portal.config import Config\n"
        "import devstack.stack\n"
        "def demo():\n"
        "    from devstack.cli import register\n"
        "    from devstack import STAFF_FILE\n"
        "from devstackish import nothing\n"  # another package whose name only starts the same
    )
    assert dev_imports(planted) == [
        "3: import devstack.stack",
        "5: from devstack.cli import register",
        "6: from devstack import STAFF_FILE",
    ]


def test_no_module_of_the_product_imports_devstack():
    modules = sorted((REPO_ROOT / "portal").rglob("*.py"))
    assert len(modules) > 100  # the product's tree, not an empty directory
    offenders = {
        str(path.relative_to(REPO_ROOT)): found
        for path in modules
        if (found := dev_imports(path.read_text(encoding="utf-8"), str(path)))
    }
    assert offenders == {}


def test_the_stand_ins_live_in_devstack_not_in_the_product():
    assert Path(devstack.__file__).resolve().parent == REPO_ROOT / DEV_PACKAGE
    for gone in ("idp", "sandbox", "receiver", "testdata", "mailsink.py", "stack.py", "bench.py"):
        assert not (REPO_ROOT / "portal" / gone).exists(), gone
