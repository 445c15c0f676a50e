"""Every area imports on its own, and importing it loads no module of a layer above it (issue 21).

The layers and their known exceptions are the import-linter contract's (pyproject.toml
[tool.importlinter]); this test checks what actually happens at import time, each area in a fresh
interpreter: ``import portal.<area>`` and every module in it, then which ``portal`` modules got loaded.
What an exception in the contract lets an area import (and whatever that imports) is loaded first, so only
what is not written down counts."""

from __future__ import annotations

import json
import pkgutil
import re
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest

import portal

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = next(
    c
    for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    if c["type"] == "layers"
)


def _layer_index(layers: list[str]) -> dict[str, int]:
    """Package name -> its layer's position, 0 the top."""
    return {name.strip(): index for index, layer in enumerate(layers) for name in re.split(r"[|:]", layer)}


def _pattern(expression: str) -> re.Pattern:
    # import-linter's wildcards: * one segment, ** one or more.
    parts = [{"*": r"[^.]+", "**": r"[^.]+(?:\.[^.]+)*"}.get(part, re.escape(part)) for part in expression.split(".")]
    return re.compile(r"\.".join(parts) + "$")


IGNORED = [tuple(_pattern(side.strip()) for side in entry.split("->")) for entry in CONTRACT["ignore_imports"]]
IGNORED_TEXT = [tuple(side.strip() for side in entry.split("->")) for entry in CONTRACT["ignore_imports"]]


def _modules(package: str) -> list[str]:
    path = Path(portal.__file__).parent / package.split(".", 1)[1]
    found = [package]
    if path.is_dir():
        found += [m.name for m in pkgutil.walk_packages([str(path)], prefix=package + ".")]
    return found


def _exceptions(modules: list[str]) -> tuple[list[str], list[str]]:
    """What the contract's exceptions let these modules import (to load first), and the modules whose
    exception is "anything" (``-> portal.**``), left out: nothing to check there."""
    preload, anything = [], []
    for (source, _target), (_source_text, target_text) in zip(IGNORED, IGNORED_TEXT, strict=True):
        sources = [m for m in modules if source.match(m)]
        if not sources:
            continue
        if target_text == "portal.**":
            anything += sources
        elif target_text.endswith(".**"):
            preload += _modules(target_text.removesuffix(".**"))
        else:
            preload.append(target_text)
    return sorted(set(preload)), sorted(set(anything))


PROBE = """
import importlib, json, sys
preload, modules = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for name in preload:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        pass  # an exception for a module that is not there (any more): nothing to load
before = set(sys.modules)
for name in modules:
    importlib.import_module(name)
print(json.dumps(sorted(m for m in set(sys.modules) - before if m.startswith("portal."))))
"""

# A fresh interpreter per probe spent half its time importing the same libraries (SQLAlchemy, Flask, WeasyPrint
# and the rest). The zygote imports those once, no ``portal`` module among them, and forks a child per probe:
# each child is a fresh interpreter as far as ``portal`` is concerned, which is all a probe counts.
PROBE_SECONDS = 120
ZYGOTE = """
import importlib, json, os, sys, traceback
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except Exception:
        pass  # shared only to save time: a probe imports whatever it needs itself
if any(m == "portal" or m.startswith("portal.") for m in sys.modules):
    sys.exit("the zygote must not load the portal")
print("ready", flush=True)
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            sys.argv = ["probe", json.dumps(request[0]), json.dumps(request[1])]
            exec(compile(__PROBE__, "probe", "exec"), {"__name__": "__probe__"})
        except BaseException:
            print(json.dumps({"error": traceback.format_exc()[-3000:]}), flush=True)
            code = 1
        sys.stdout.flush()
        os._exit(code)
    os.waitpid(pid, 0)
"""


def _third_party() -> list[str]:
    """Every module other than the portal's that importing all of the portal loads."""
    everything = [m for package in _layer_index(CONTRACT["layers"]) for m in _modules(package)]
    code = (
        "import importlib, json, sys\n"
        f"for name in {everything!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m != 'portal' and not m.startswith('portal.'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


class Zygote:
    def __init__(self):
        self.process: subprocess.Popen | None = None

    def probe(self, preload: list[str], modules: list[str]) -> list[str]:
        if self.process is None:
            source = ZYGOTE.replace("__PROBE__", repr(PROBE))
            self.process = subprocess.Popen(
                [sys.executable, "-c", source, json.dumps(_third_party())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            assert self.process.stdout is not None and self.process.stdout.readline().strip() == "ready"
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps([preload, modules]) + "\n")
        self.process.stdin.flush()
        # As the fresh interpreter per probe had, a deadline: a hanging import ends the zygote, not the run.
        watchdog = threading.Timer(PROBE_SECONDS, self.process.kill)
        watchdog.start()
        try:
            line = self.process.stdout.readline()
            while line and not line.startswith(("[", "{")):  # whatever else an import printed: the answer is last
                line = self.process.stdout.readline()
        finally:
            watchdog.cancel()
        if not line:
            self.process = None
            pytest.fail(f"importing {modules[0]} gave no answer within {PROBE_SECONDS} s (or crashed the probe)")
        answer = json.loads(line)
        assert not isinstance(answer, dict), f"import {modules[0]} failed:\n{answer['error']}"
        return answer

    def close(self) -> None:
        if self.process is not None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=30)
            self.process = None


ZYGOTE_PROCESS = Zygote()


@pytest.fixture(scope="module", autouse=True)
def _zygote():
    yield
    ZYGOTE_PROCESS.close()


def _probe(preload: list[str], modules: list[str]) -> list[str]:
    return ZYGOTE_PROCESS.probe(preload, modules)


def higher_modules_loaded(package: str, layers: list[str]) -> list[str]:
    """The modules of layers above ``package``'s that importing all of ``package`` loads."""
    index = _layer_index(layers)
    modules = _modules(package)
    _preload, anything = _exceptions(modules)
    checked = [m for m in modules if m not in anything]
    # An exception counts wherever its importer is loaded from (the area's own modules or what they load):
    # load what the exceptions of everything loaded allow, again until nothing new is allowed.
    loaded: list[str] = []
    preload: list[str] | None = None
    for _round in range(4):
        wanted = _exceptions(checked + loaded)[0]
        if wanted == preload:
            break
        preload = wanted
        loaded = _probe(preload, checked)
    own = index[package]
    return [m for m in loaded if index.get(".".join(m.split(".")[:2]), own) < own]


@pytest.mark.parametrize("package", list(_layer_index(CONTRACT["layers"])))
def test_an_area_imports_alone_and_loads_no_higher_layer(package):
    assert higher_modules_loaded(package, CONTRACT["layers"]) == []


def test_the_check_sees_an_upward_import():
    """The check can fail: with submission put above delivery (whose webhook reads the frozen document),
    importing delivery loads a higher layer."""
    layers = ["portal.submission"] + [layer for layer in CONTRACT["layers"] if layer != "portal.submission"]
    assert "portal.submission.models" in higher_modules_loaded("portal.delivery", layers)


def test_the_log_formatter_loads_without_prometheus_client():
    """gunicorn's master imports the log formatter (portal/ops/gunicorn_conf.py's logconfig_dict) before
    on_starting sets PROMETHEUS_MULTIPROC_DIR; prometheus_client chooses its mode when first imported, so
    loading it there would leave every worker's request metrics out of /metrics."""
    code = "import sys, portal.ops.logs, portal.ops.gunicorn_conf; print('prometheus_client' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert loaded.stdout.strip() == "False"
