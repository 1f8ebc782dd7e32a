"""tools/mutate.py, the mutation runner: the mutants it plants, its sample,
and the pragma lines it leaves alone (the runs themselves are `tox -e mutation`)."""

import os
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "tools"))
import mutate  # noqa: E402
from mutation.sites import sites  # noqa: E402

SOURCE = '''"""A docstring is never mutated."""
LIMIT = 4  # pragma: no mutate (a marked line)
TABLE = {-2: 1, -3: 4}


def f(x, items):
    """Nor is this one."""
    total = 0
    total += x * 2
    if x <= LIMIT and x in (1, 2):
        raise ValueError("bad %d" % x, 17)
    items.append(x)
    name = f"{x}"
    return total
'''


@pytest.fixture
def planted(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    found = sites(str(path))
    return {(s["kind"], s["mutant"]) for s in found}, found, str(path)


def test_every_kind_of_mutant_is_planted(planted):
    mutants, _, _ = planted
    for expected in [
        ("constant", "TABLE = {-2: 1, -3: 5}"), ("constant", "TABLE = {-2: 1, -3: 3}"),
        ("table", "TABLE = {-3: 4}"), ("table", "TABLE = {-2: 1}"),
        ("boolean", "TABLE = {2: 1, -3: 4}"),
        ("operator", "total -= x * 2"), ("operator", "total += x / 2"),
        ("comparison", "if x < LIMIT and x in (1, 2):"), ("comparison", "if x >= LIMIT and x in (1, 2):"),
        ("comparison", "if x <= LIMIT and x not in (1, 2):"), ("boolean", "if x <= LIMIT or x in (1, 2):"),
        ("table", "if x <= LIMIT and x in (2,):"), ("table", "if x <= LIMIT and x in (1,):"),
        ("raise", 'raise ValueError(None, 17)'), ("raise", 'raise ValueError("bad %d" % x, None)'),
        ("constant", 'raise ValueError("bad %d" % x, 18)'), ("statement", "pass"),
        ("return", "return None"),
    ]:
        assert expected in mutants


def test_docstrings_f_strings_first_bindings_and_marked_lines_are_left_alone(planted):
    _, found, path = planted
    lines = {s["line"] for s in found}
    assert not lines & {1, 2, 7, 13}  # docstrings, the marked line, the f-string
    passes = {s["code"] for s in found if s["kind"] == "statement"}
    assert passes == {"total += x * 2", "if x <= LIMIT and x in (1, 2):",
                      'raise ValueError("bad %d" % x, 17)', "items.append(x)"}
    marked = sites(path, {2})
    assert {s["mutant"] for s in marked} == {"LIMIT = 3  # pragma: no mutate (a marked line)",
                                             "LIMIT = 5  # pragma: no mutate (a marked line)"}


def test_the_runner_samples_the_core_and_the_file_readers():
    modules = mutate.modules_of(["*"])
    assert "tinynet/serialize.py" in modules and "tinynet/backends/packed.py" in modules
    assert "tinynet/datasets/csv_numpy.py" in modules and "tinynet/__main__.py" not in modules
    assert "tinynet/backends/native.py" not in modules  # (MicroPython's, tested there)
    assert not any(m.startswith(("tinynet/cli/", "tinynet/plots/")) for m in modules)
    assert mutate.modules_of(["datasets"]) == [m for m in modules if "/datasets/" in m]
    # the readers of foreign model files parse untrusted bytes: every module of interop/
    interop = sorted("tinynet/interop/" + n for n in os.listdir(os.path.join(ROOT, "tinynet/interop"))
                     if n.endswith(".py"))
    assert "tinynet/interop/protobuf.py" in interop and "tinynet/interop/onnx_read.py" in interop
    assert mutate.modules_of(["interop"]) == interop == [m for m in modules if "/interop/" in m]


def test_the_interop_modules_run_against_their_tests_without_torch_or_onnx():
    """Their subset is the hand-built-file tests and the fuzzing, not the
    checks against the real libraries (tests/test_interop_libraries.py)."""
    from mutation import runner

    for module in mutate.modules_of(["interop"]):
        assert runner.subset(module) == ["tests/test_interop.py", "tests/test_fuzz.py", module]


@pytest.mark.slow  # (about 7 s of CPU: every site of every module)
def test_every_mutant_of_the_sampled_modules_compiles_and_differs():
    for module in mutate.modules_of(["*"]):
        with open(os.path.join(ROOT, module), "rb") as f:
            data = f.read()
        for s in sites(os.path.join(ROOT, module)):
            mutated = data[:s["start"]] + s["new"].encode() + data[s["end"]:]
            assert mutated != data
            compile(mutated, module, "exec")


def test_the_sample_is_the_same_for_the_same_seed():
    modules = ["tinynet/serialize.py", "tinynet/files.py"]
    first, totals = mutate.plan(modules, 20, "7")
    again, _ = mutate.plan(modules, 20, "7")
    other, _ = mutate.plan(modules, 20, "8")
    assert first == again != other
    assert all(len(first[m]) == 20 < totals[m] for m in modules)


def test_every_survivor_judged_equivalent_is_still_a_mutant_of_its_module():
    """An entry whose line changed would count nothing: it must be judged
    again (or removed) with the change."""
    from mutation import report

    entries = report.load_equivalent()
    for module in sorted({module for module, _, _ in entries}):
        found = {(s["code"], s["mutant"]) for s in sites(os.path.join(ROOT, module))}
        for m, code, mutant in entries:
            if m == module:
                assert (code, mutant) in found, (module, mutant)
    assert all(reason.strip() for reason in entries.values())


def test_every_pragma_no_mutate_gives_its_reason_and_marks_some_mutant():
    """The static half of the check of the marked lines: each says why in
    parentheses, and has a mutant to skip (the other half, that every mutant
    of a marked line survives, is ``tools/mutate.py --audit-pragmas``, the
    first command of ``tox -e mutation``)."""
    from mutation.report import REASON
    from mutation.sites import pragma_lines

    for module in mutate.modules_of(["*"]):
        with open(os.path.join(ROOT, module)) as f:
            source = f.read()
        lines = pragma_lines(source)
        for number in sorted(lines):
            assert REASON.search(source.splitlines()[number - 1]), (module, number)
        if lines:
            planted = {s["line"] for s in sites(os.path.join(ROOT, module), lines)}
            assert planted == lines, (module, sorted(lines - planted))


def test_every_sampled_module_has_test_files_to_run_against():
    """A module whose test files all moved away would be run against its
    doctests alone, and its mutants would survive for want of tests."""
    from mutation import runner

    for module in mutate.modules_of(["*"]):
        tests = runner.subset(module)
        assert tests[-1] == module and len(tests) >= 2, module
        assert all(t.startswith("tests/test_") for t in tests[:-1])
    runner.WHOLE[0] = True
    try:
        whole = runner.tests_for("tinynet/files.py", ROOT)
    finally:
        runner.WHOLE[0] = False
    assert whole[:len(runner.subset("tinynet/files.py"))] == runner.subset("tinynet/files.py")
    assert "tests/test_cli.py" in whole and "tinynet/dnn.py" in whole
