"""The package's structure, as issue 13 settled it: the core (what runs on a
board) never imports the desktop subpackages, nothing imports in a circle,
and every module keeps to one job and a readable size."""

import ast
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from tinynet.cli.board import core_files

PACKAGE = os.path.join(ROOT, "tinynet")
DESKTOP = ("tinynet.datasets", "tinynet.cli", "tinynet.plots", "tinynet.interop", "tinynet.__main__")
MAX_LINES = 350


def module_name(relative):
    parts = relative[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["tinynet"] + parts)


def all_modules():
    for folder, _, names in os.walk(PACKAGE):
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                yield module_name(os.path.relpath(path, PACKAGE).replace(os.sep, "/")), path


def imports_of(module, path):
    """Every tinynet module that ``module`` imports, at any depth of its code
    (inside functions too), resolved to a module name."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("tinynet"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                base = ".".join(base + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if not base.startswith("tinynet"):
                continue
            for alias in node.names:  # "from . import x" may name a module
                found.add(base + "." + alias.name if _is_module(base + "." + alias.name) else base)
    return {m for m in found if m != module}


def _is_module(name):
    relative = os.path.join(ROOT, *name.split("."))
    return os.path.isfile(relative + ".py") or os.path.isdir(relative)


GRAPH = {m: imports_of(m, p) for m, p in all_modules()}


def test_the_core_is_every_top_level_module_and_the_pure_backends():
    core = core_files()
    assert "dnn.py" in core and "backends/python_backend.py" in core
    assert "backends/numpy_backend.py" not in core and "__main__.py" not in core
    assert not any(f.startswith(("datasets/", "cli/", "plots/", "interop/")) for f in core)


@pytest.mark.parametrize("relative", core_files())
def test_the_core_never_reaches_the_desktop(relative):
    """Statically: no core module imports a desktop one, at any depth."""
    module = module_name(relative)
    seen, todo = set(), [module]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo.extend(GRAPH.get(m, ()))
    reached = sorted(m for m in seen if m.startswith(DESKTOP))
    assert not reached, "%s reaches desktop modules %s" % (module, reached)


def test_importing_the_core_loads_no_desktop_module_or_numpy():
    code = ("import sys, tinynet\n"
            "from tinynet import DNN\n"
            "DNN([2, 3, 2], seed=0, backend='python').fit([[0, 1], [1, 0]], [0, 1])\n"
            "print(sorted(m for m in sys.modules if m.startswith(%r) or m == 'numpy'))\n"
            % (DESKTOP + ("numpy", "tinynet.backends.numpy_backend"),))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, env=dict(os.environ, TINYNET_BACKEND="python"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_no_import_cycles():
    find_cycles(GRAPH)


def find_cycles(graph):
    def visit(m, stack, done):
        if m in stack:
            cycle = stack[stack.index(m):] + [m]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if m in done:
            return
        for n in sorted(graph.get(m, ())):
            visit(n, stack + [m], done)
        done.add(m)

    done = set()
    for m in sorted(graph):
        visit(m, [], done)


def test_the_cycle_finder_finds_a_cycle():
    graph = {"tinynet.a": {"tinynet.b"}, "tinynet.b": {"tinynet.c"}, "tinynet.c": {"tinynet.a"}}
    with pytest.raises(pytest.fail.Exception, match="tinynet.a -> tinynet.b -> tinynet.c -> tinynet.a"):
        find_cycles(graph)
    find_cycles({"tinynet.a": {"tinynet.b"}, "tinynet.b": set()})


@pytest.mark.parametrize("module,path", sorted(all_modules()))
def test_modules_stay_readable_in_size(module, path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if len(lines) > MAX_LINES:
        head = "\n".join(lines[:40])
        assert "Longer than" in head, (
            "%s has %d lines; split it, or say at its top why not ('Longer than ...')"
            % (module, len(lines)))


@pytest.mark.parametrize("relative", [f for f in core_files()
                                      if f != "matrix.py" and not f.startswith("backends/")])
def test_only_matrix_reaches_into_a_backend(relative):
    """Matrix is the one door to a backend: no other core module touches a
    matrix's backend module (``.ops``) or its native data (``.data``)."""
    with open(os.path.join(PACKAGE, relative), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    found = sorted({"%s (line %d)" % (node.attr, node.lineno) for node in ast.walk(tree)
                    if isinstance(node, ast.Attribute) and node.attr in ("ops", "_ops", "data")})
    assert not found, "%s reaches past Matrix: %s" % (relative, ", ".join(found))


@pytest.mark.parametrize("relative", core_files())
def test_the_core_can_be_frozen_into_a_firmware(relative):
    """MicroPython's compiler folds ``math.inf`` and ``math.nan`` into
    constants, and its freezing tool (mpy-tool.py, 1.27) writes those as the
    C names ``inf``/``nan``, which do not compile: a firmware with tinynet
    frozen in (``board --freeze``) would fail to build.  The core makes them
    at run time instead (``float("inf")``)."""
    with open(os.path.join(PACKAGE, relative)) as f:
        tree = ast.parse(f.read())
    folded = [node.lineno for node in ast.walk(tree)
              if (isinstance(node, ast.Attribute) and node.attr in ("inf", "nan")
                  and isinstance(node.value, ast.Name) and node.value.id == "math")
              or (isinstance(node, ast.ImportFrom) and node.module == "math"
                  and any(a.name in ("inf", "nan") for a in node.names))]
    assert not folded, "%s uses math.inf/math.nan at lines %s" % (relative, folded)
