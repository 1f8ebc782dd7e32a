"""The pages under docs/: their examples run and print what they say, the
code they quote is the code in the package, and the test files they (and the
README) name exist."""

import doctest
import os
import re

import pytest

from conftest import ROOT

DOCS = os.path.join(ROOT, "docs")


def page(name):
    with open(os.path.join(DOCS, name), encoding="utf-8") as f:
        return f.read()


@pytest.mark.parametrize("name", ["backprop.md", "training.md"])
def test_the_worked_examples_print_what_the_page_says(name):
    result = doctest.testfile(os.path.join(DOCS, name), module_relative=False,
                              optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted >= 10 and result.failed == 0, result


def test_the_code_backprop_md_quotes_is_in_dnn_py():
    with open(os.path.join(ROOT, "tinynet", "dnn.py"), encoding="utf-8") as f:
        source = set()
        for line in f:  # each line, and each line without its comment
            source.update((line.strip(), line.split("  # ")[0].strip()))
    blocks = re.findall(r"```python\n(.*?)```", page("backprop.md"), flags=re.S)
    assert len(blocks) >= 3
    for block in blocks:
        for line in block.splitlines():
            if line.strip() and line.strip() != "...":
                assert line.strip() in source, "docs/backprop.md quotes %r, not in dnn.py" % line


def test_the_test_files_the_pages_name_exist():
    """The tests are reorganised now and then: a page naming a test file that
    is gone would send a reader nowhere."""
    named = set()
    for name in ["../README.md"] + sorted(os.listdir(DOCS)):
        if name.endswith(".md"):
            named.update((name, found) for found in re.findall(r"\b(test_\w+\.py)\b", page(name)))
    assert len(named) >= 10
    missing = sorted("%s names %s" % (name, found) for name, found in named
                     if not os.path.exists(os.path.join(ROOT, "tests", found)))
    assert missing == []
