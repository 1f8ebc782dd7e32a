"""The real MicroPython 1.27 (unix port, standard variant), for the board tests.

``../shared/micropython/build.sh`` builds it from the official sources twice,
with double-precision floats ("double") and with single-precision floats as
on most microcontrollers ("float").  The tests find the two interpreters:

1. in ``TINYNET_MICROPYTHON_UNIX``: ``NAME=PATH`` entries separated by
   ``os.pathsep`` (``.ci/run`` sets it from build.sh's output);
2. else by running build.sh (``../shared/micropython``, or the folder in
   ``TINYNET_MICROPYTHON_SOURCES``), which reuses its cache;
3. else in build.sh's cache (``TINYNET_MICROPYTHON_CACHE``, else
   ``~/.cache/tinynet-micropython``).

Tests that need an interpreter skip cleanly when none is found.  Unlike the
WebAssembly build, these have exactly a firmware's module set (no
``itertools``), and ``-X heapsize=128K`` gives them a microcontroller's heap.
"""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

#: build.sh's two 64-bit builds, and the same sources built for 32 bits (as a
#: Pico or an ESP32 is: half-size pointers and heap blocks), which .ci/run
#: adds where gcc can build 32-bit programs (gcc-multilib).
NAMES = ("double", "float", "double-32bit", "float-32bit")
VERSION = "1.27.0"
_found = None


def _from_environment():
    value = os.environ.get("TINYNET_MICROPYTHON_UNIX", "").strip()
    found = {}
    for entry in value.split(os.pathsep) if value else ():
        name, _, path = entry.partition("=")
        found[name.strip()] = path.strip()
    return found


def _from_build_script():
    sources = os.environ.get("TINYNET_MICROPYTHON_SOURCES") or os.path.join(
        os.path.dirname(ROOT), "shared", "micropython")
    script = os.path.join(sources, "build.sh")
    if not os.path.isfile(script) or shutil.which("make") is None:
        return {}
    try:
        done = subprocess.run(["bash", script], capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    found = {}
    for line in done.stdout.splitlines():
        name, _, path = line.partition(" ")
        if name in NAMES:
            found[name] = path
    return found


def _from_cache():
    cache = os.environ.get("TINYNET_MICROPYTHON_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "tinynet-micropython")
    unix = os.path.join(cache, "micropython-" + VERSION, "ports", "unix")
    return {name: os.path.join(unix, "build-" + name, "micropython") for name in NAMES}


def builds():
    """Return {name: path} for the builds of NAMES that exist."""
    global _found
    if _found is None:
        found = _from_environment() or _from_build_script() or _from_cache()
        _found = {name: path for name, path in found.items()
                  if name in NAMES and os.path.isfile(path) and os.access(path, os.X_OK)}
    return _found


def interpreter(name):
    """Return the path of build ``name``, or skip the test."""
    path = builds().get(name)
    if path is None:
        pytest.skip("no real MicroPython %s build (see tests/real_micropython.py)" % name)
    return path


def install_core(directory, mpy=False):
    """Put tinynet's core into ``directory``/lib/tinynet, as `python -m
    tinynet board` does; return the lib folder."""
    from tinynet.cli.board import write_library

    lib = os.path.join(str(directory), "lib")
    write_library(lib, mpy=mpy)
    return lib


def run(name, script, cwd, heap="128K", lib=None, timeout=600, check=True):
    """Run ``script`` (source text) on build ``name`` with ``-X heapsize=heap``
    in ``cwd``, with ``lib`` first on ``sys.path``; return the completed
    process (text output).  With ``check``, fail on a non-zero exit."""
    path = interpreter(name)
    prelude = "import sys\nsys.path.insert(0, %r)\n" % lib if lib else ""
    script_path = os.path.join(str(cwd), "_script.py")
    with open(script_path, "w") as f:
        f.write(prelude + script)
    done = subprocess.run([path, "-X", "heapsize=" + heap, script_path], cwd=str(cwd),
                          capture_output=True, text=True, timeout=timeout)
    if check:
        assert done.returncode == 0, "%s build, heap %s:\n%s%s" % (
            name, heap, done.stdout, done.stderr)
    return done


def _precision(path):
    out = subprocess.run([path, "-c", "print(1.0 + 2.0 ** -30 == 1.0)"], capture_output=True,
                         text=True, timeout=60).stdout.strip()
    return {"True": "float", "False": "double"}.get(out)


if __name__ == "__main__":  # python tests/real_micropython.py: say what was found
    for build_name, build_path in sorted(builds().items()):
        print(build_name, build_path, _precision(build_path))
    sys.exit(0 if builds() else 1)
