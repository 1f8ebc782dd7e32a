"""The type stubs (tinynet/*.pyi): shipped, naming the whole public API, and,
where mypy is installed, checked as the typecheck tox env checks them."""

import ast
import configparser
import fnmatch
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

PACKAGE = os.path.join(ROOT, "tinynet")
STUBS = sorted(os.path.relpath(os.path.join(folder, name), PACKAGE).replace(os.sep, "/")
               for folder, _, names in os.walk(PACKAGE) for name in names if name.endswith(".pyi"))


def stub_names(relative):
    """The names a stub file declares at its top level."""
    with open(os.path.join(PACKAGE, relative), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname for a in node.names if a.asname == a.name)
    return names


def test_the_stubs_and_py_typed_are_package_data():
    config = configparser.ConfigParser()
    config.read(os.path.join(ROOT, "setup.cfg"))
    patterns = [p.strip() for p in config["options.package_data"]["tinynet"].split(",")]
    assert os.path.isfile(os.path.join(PACKAGE, "py.typed"))
    assert {"__init__.pyi", "dnn.pyi", "matrix.pyi", "plots/__init__.pyi"} <= set(STUBS)
    for relative in STUBS + ["py.typed"]:
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), (
            "%s is not in setup.cfg's package_data (%s)" % (relative, patterns))


@pytest.mark.parametrize("relative", STUBS)
def test_each_stub_declares_its_modules_public_names(relative):
    module = "tinynet." + relative[:-4].replace("/", ".")
    module = module[:-len(".__init__")] if module.endswith(".__init__") else module
    runtime = importlib.import_module(module)
    public = getattr(runtime, "__all__", None) or [
        n for n, v in vars(runtime).items() if not n.startswith("_")
        and getattr(v, "__module__", None) == module]
    missing = sorted(set(public) - stub_names(relative))
    assert not missing, "%s lacks %s" % (relative, missing)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("mypy") is None and importlib.util.find_spec("mypy") is None,
                    reason="mypy is not installed (tox -e typecheck installs it)")
def test_mypy_accepts_the_usage_file_and_stubtest_the_stubs():
    for command in (["-m", "mypy", "--strict", "tests/typecheck/usage.py"],
                    ["-m", "mypy.stubtest", "tinynet", "--allowlist",
                     "tests/typecheck/stubtest-allowlist.txt", "--mypy-config-file",
                     "tests/typecheck/stubtest.ini"]):
        result = subprocess.run([sys.executable] + command, cwd=ROOT, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
