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
:func:`frozen` builds one of them again with tinynet frozen in, from the
manifest that ``python -m tinynet board --freeze`` writes.  The third kind
of interpreter, beside the WebAssembly port (tests/test_micropython.py) and
these: firmware for emulated Cortex-M boards (tests/real_firmware.py).
"""

import os
import shutil
import subprocess
import sys
import tempfile

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
    prelude = "import sys\nsys.path.insert(0, %r)\n" % lib if lib else ""
    done = run_path(interpreter(name), prelude + script, cwd, heap, timeout)
    if check:
        assert done.returncode == 0, "%s build, heap %s:\n%s%s" % (
            name, heap, done.stdout, done.stderr)
    return done


_frozen = {}


def frozen(name, manifest):
    """Return an interpreter built from the sources of build ``name`` with
    ``manifest`` (written by ``python -m tinynet board --freeze``) frozen
    in, as a firmware with tinynet in its flash; skip without build ``name``
    or its sources.  Built into ``build-NAME-frozen`` beside it (a minute the
    first time, seconds after), again whenever another manifest is asked
    for; a failed build fails every later call for ``name`` without a retry."""
    manifest = os.path.abspath(str(manifest))
    built_from, result = _frozen.get(name, (None, None))
    if built_from == manifest:
        assert not isinstance(result, AssertionError), str(result)
        return result
    unix = os.path.dirname(os.path.dirname(interpreter(name)))
    if not os.path.isfile(os.path.join(unix, "Makefile")) or shutil.which("make") is None:
        pytest.skip("the sources of the %s build are not beside it" % name)
    top = os.path.dirname(os.path.dirname(unix))
    logs = []

    def make(folder, *args):
        done = subprocess.run(["make", "-C", folder, "-j%d" % (os.cpu_count() or 2)] + list(args),
                              capture_output=True, text=True, timeout=900)
        logs.append(done.stdout[-3000:] + done.stderr[-3000:])
        return done.returncode == 0

    # mpy-cross first, on its own: a sub-make from the port would inherit the
    # 32-bit and float flags below.
    with tempfile.TemporaryDirectory() as no_lib:
        # The port's Makefile refuses any manifest without the micropython-lib
        # submodule, which this one does not use: point it at an empty stand-in.
        open(os.path.join(no_lib, "README.md"), "w").close()
        flags = ["VARIANT=standard", "BUILD=build-%s-frozen" % name,
                 "FROZEN_MANIFEST=" + manifest, "MPY_LIB_DIR=" + no_lib,
                 "MICROPY_PY_BTREE=0", "MICROPY_PY_FFI=0", "MICROPY_PY_SSL=0",
                 "MICROPY_SSL_AXTLS=0", "MICROPY_SSL_MBEDTLS=0"]
        if name.endswith("32bit"):
            flags.append("MICROPY_FORCE_32BIT=1")
        if name.startswith("float"):
            flags.append("CFLAGS_EXTRA=-DMICROPY_FLOAT_IMPL=MICROPY_FLOAT_IMPL_FLOAT")
        try:
            built = make(os.path.join(top, "mpy-cross")) and make(unix, *flags)
        except (OSError, subprocess.TimeoutExpired) as err:
            built, logs = False, [str(err)]
    if not built:
        _frozen[name] = manifest, AssertionError(
            "the %s build with tinynet frozen in failed:\n%s" % (name, logs[-1]))
        raise _frozen[name][1]
    _frozen[name] = manifest, os.path.join(unix, "build-%s-frozen" % name, "micropython")
    return _frozen[name][1]


def run_path(path, script, cwd, heap, timeout=600):
    """Run ``script`` (source text) on the interpreter at ``path`` with
    ``-X heapsize=heap`` in ``cwd``; return the completed process."""
    script_path = os.path.join(str(cwd), "_script.py")
    with open(script_path, "w") as f:
        f.write(script)
    return subprocess.run([path, "-X", "heapsize=" + heap, script_path], cwd=str(cwd),
                          capture_output=True, text=True, timeout=timeout)


def _precision(path):
    out = subprocess.run([path, "-c", "print(1.0 + 2.0 ** -30 == 1.0)"], capture_output=True,
                         text=True, timeout=60).stdout.strip()
    return {"True": "float", "False": "double"}.get(out)


if __name__ == "__main__":  # python tests/real_micropython.py: say what was found
    for build_name, build_path in sorted(builds().items()):
        print(build_name, build_path, _precision(build_path))
    sys.exit(0 if builds() else 1)
