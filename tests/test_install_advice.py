"""Install advice: no message or document tells users to install "tinynet"
from PyPI, where that name belongs to an unrelated project.  What works is
NumPy itself (``pip install numpy``) or installing from a clone
(``pip install ".[numpy]"``, or a git URL)."""

import os
import re
import subprocess

import pytest

from conftest import ROOT

# "pip install tinynet", "pip install 'tinynet[numpy]'", "pip install -U tinynet"...
WRONG = re.compile(r"""pip3?\s+install\s+(-\S+\s+)*["']?tinynet(\[[^\]]*\])?["']?(?![\w\-\[])(?!\s*@)""")


def tracked_text_files():
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    for name in listed:
        if name.endswith((".py", ".pyi", ".md", ".cfg", ".ini", ".toml", ".txt", ".ipynb")) \
                and os.path.isfile(os.path.join(ROOT, name)):
            yield name


def test_the_pattern_finds_the_wrong_lines():
    for wrong in ("pip install tinynet", "pip install 'tinynet[numpy]'",
                  'pip install -U "tinynet[numpy]"', "pip3 install tinynet\n",
                  "pip install 'tinynet[numpy]', or use"):
        assert WRONG.search(wrong), wrong
    for right in ("pip install numpy", 'pip install ".[numpy]"', "pip install .",
                  'pip install "tinynet[numpy] @ git+https://example.org/you/tinynet"'):
        assert not WRONG.search(right), right


def test_no_file_tells_users_to_install_tinynet_from_pypi():
    found = []
    for name in tracked_text_files():
        if name in ("tests/test_install_advice.py", "tests/test_readme.py"):
            continue  # these hold wrong lines on purpose, to test the checks
        with open(os.path.join(ROOT, name), encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                # the README's warning about the name is the one right use
                if WRONG.search(line) and "unrelated" not in line and "installs a" not in line:
                    found.append("%s:%d: %s" % (name, number, line.strip()))
    assert found == []
