"""Helpers shared by the tests that build hostile files (a gzip bomb) or run
tinynet where it cannot harm the suite (a child process with a memory cap
and a deadline, the command line in a child): the hostile files are generated
here by the tests themselves, never committed."""

import gzip
import os
import subprocess
import sys

from conftest import ROOT

#: Address space for a bounded-memory subprocess, above what the
#: interpreter and tinynet (pure backend) take to start.
MEMORY_LIMIT = 400 << 20


def gzip_bomb(path, size, head=b"", unit=b"\0"):
    """Write a gzip file whose content is ``head`` then ``size`` bytes of
    ``unit`` repeated, in a few kilobytes per megabyte, never holding it."""
    block = (unit * ((1 << 20) // len(unit) + 1))[:1 << 20]
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9,
                                                mtime=0) as f:
        f.write(head)
        left = size
        while left > 0:
            f.write(block[:min(left, len(block))])
            left -= len(block)
    return path


def run_bounded(code, memory=MEMORY_LIMIT, timeout=120, env=None):
    """Run ``code`` in a fresh interpreter (pure backend) whose address
    space is capped at ``memory`` bytes; return the completed process.
    PyPy reserves more address space just to start, so there the cap is
    never below MEMORY_LIMIT."""
    if sys.implementation.name == "pypy":
        memory = max(memory, MEMORY_LIMIT)
    prelude = ("import resource\n"
               "resource.setrlimit(resource.RLIMIT_AS, (%d, %d))\n" % (memory, memory))
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = ROOT + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env["TINYNET_BACKEND"] = "python"
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-c", prelude + code], env=full_env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def cli(*args, timeout=120, cwd=None):
    """Run ``python -m tinynet ARGS`` (pure backend); return the completed process."""
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["TINYNET_BACKEND"] = "python"
    return subprocess.run([sys.executable, "-m", "tinynet"] + [str(a) for a in args], env=env,
                          cwd=cwd or ROOT, capture_output=True, text=True, timeout=timeout)


def one_line_error(result, *names):
    """Assert ``result`` failed with exit 1 or 2 and one line on stderr naming ``names``."""
    assert result.returncode in (1, 2), (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for name in names:
        assert str(name) in lines[0], (name, lines[0])
    return lines[0]


def leftovers(directory):
    """Temporary files left in ``directory`` (there must be none)."""
    return sorted(n for n in os.listdir(directory) if n.endswith((".tmp", ".part")))

