"""The package's structure: the core (what runs on a board) never imports the
desktop subpackages, in its sources or its type stubs; nothing imports in a
circle; every module keeps to one job and a readable size; one training
step stays readable in one sitting (a few files, a few dozen functions); and
the version is a release number."""

import ast
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from tinynet.cli.board import core_files
import tinynet

PACKAGE = os.path.join(ROOT, "tinynet")
DESKTOP = ("tinynet.datasets", "tinynet.cli", "tinynet.plots", "tinynet.interop", "tinynet.__main__")
MAX_LINES = 350


def module_name(relative):
    parts = relative[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["tinynet"] + parts)


def all_modules(suffix=".py"):
    for folder, _, names in os.walk(PACKAGE):
        for name in names:
            if name.endswith(suffix):
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, PACKAGE).replace(os.sep, "/")
                yield module_name(relative[:-len(suffix)] + ".py"), path


def imports_of(module, path):
    """Every tinynet module that ``module`` imports, at any depth of its code
    (inside functions too), resolved to a module name."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    package = module if path.endswith(("__init__.py", "__init__.pyi")) else module.rpartition(".")[0]
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
#: What each type stub imports: a stub may not reach the desktop either.
STUB_GRAPH = {m: imports_of(m, p) for m, p in all_modules(".pyi")}


def test_the_core_is_every_top_level_module_and_the_pure_backends():
    core = core_files()
    assert "dnn.py" in core and "backends/python_backend.py" in core
    assert "backends/numpy_backend.py" not in core and "backends/numpy_fast.py" not in core
    assert "__main__.py" not in core and "model.py" in core
    assert not any(f.startswith(("datasets/", "cli/", "plots/", "interop/")) for f in core)


@pytest.mark.parametrize("graph", [GRAPH, STUB_GRAPH], ids=["sources", "stubs"])
@pytest.mark.parametrize("relative", core_files())
def test_the_core_never_reaches_the_desktop(relative, graph):
    """Statically: no core module (or its stub) imports a desktop one, at any depth."""
    module = module_name(relative)
    seen, todo = set(), [module]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo.extend(graph.get(m, ()))
    reached = sorted(m for m in seen if m.startswith(DESKTOP))
    assert not reached, "%s reaches desktop modules %s" % (module, reached)


def test_the_stub_graph_is_read():
    assert "tinynet.model" in STUB_GRAPH["tinynet.dnn"]  # dnn.pyi imports model.pyi
    assert "tinynet.dnn" in STUB_GRAPH["tinynet.plots"]  # a desktop stub imports the core


def test_importing_the_core_loads_no_desktop_module_or_numpy():
    code = ("import sys, tinynet\n"
            "from tinynet import DNN\n"
            "DNN([2, 3, 2], seed=0, backend='python').fit([[0, 1], [1, 0]], [0, 1])\n"
            "print(sorted(m for m in sys.modules if m.startswith(%r) or m == 'numpy'))\n"
            % (DESKTOP + ("numpy", "tinynet.backends.numpy_backend", "tinynet.backends.numpy_fast"),))
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
    """No module over MAX_LINES lines, and no exemptions."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert len(lines) <= MAX_LINES, "%s has %d lines; split it" % (module, len(lines))


#: The most tinynet files and functions one training step may enter (see
#: the README's "How it is built" and docs/development.md).
STEP_FILES, STEP_FUNCTIONS = 6, 40


def step_trace(backend):
    """Return ``{file: [function, ...]}``: what one ``train(x, y)`` of a
    [4, 3, 2] network enters, in a fresh interpreter (comprehensions left
    out, as CPython 3.12 inlines them; so is the Python ``dot`` a fast
    backend uses where ``math.sumprod`` is missing, before 3.12)."""
    code = """if 1:
        import json, math, os, sys
        import tinynet
        pkg = os.path.dirname(tinynet.__file__)
        model = tinynet.DNN([4, 3, 2], backend=%r, seed=0)
        model.train([0.1, 0.2, 0.0, 0.4], 1)  # the first call imports what it needs
        seen = set()
        def profile(frame, event, arg):
            code = frame.f_code
            if event == "call" and code.co_filename.startswith(pkg) and code.co_name[0] != "<":
                seen.add((os.path.relpath(code.co_filename, pkg), code.co_firstlineno, code.co_name))
        sys.setprofile(profile)
        model.train([0.1, 0.2, 0.0, 0.4], 1)
        sys.setprofile(None)
        if not hasattr(math, "sumprod"):
            seen = {s for s in seen if s[2] != "dot"}
        found = {}
        for name, _, function in sorted(seen):
            found.setdefault(name.replace(os.sep, "/"), []).append(function)
        print(json.dumps(found))
    """ % backend
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="PyPy runs other kernels")
def test_one_training_step_stays_readable_in_one_sitting():
    found = step_trace("python")
    functions = sum(len(f) for f in found.values())
    assert len(found) <= STEP_FILES and functions <= STEP_FUNCTIONS, found
    assert set(found) >= {"dnn.py", "matrix.py", "optim.py", "backends/python_backend.py"}
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:  # it states the count
        said = re.search(r"enters (\d+) files and\s+(\d+)\s+functions", f.read())
    assert said and (int(said.group(1)), int(said.group(2))) == (len(found), functions), found


def test_the_plain_backend_runs_only_the_plain_definitions():
    """With backend="python-plain", the step runs python_backend.py's code and
    nothing of the fast kernels: what a student reads is what runs."""
    found = step_trace("python-plain")
    assert "backends/python_fast.py" not in found and "backends/python_backend.py" in found
    assert {"matmul", "matmul_t", "add_outer_"} <= set(found["backends/python_backend.py"])


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


def test_the_version_is_a_release_number():
    # setup.cfg takes it from here (attr:), and packaging needs a PEP 440 version
    assert re.fullmatch(r"\d+\.\d+\.\d+", tinynet.__version__)
