"""MicroPython 1.27 firmware on an emulated microcontroller, for the board tests.

The third kind of interpreter the tests know (tests/real_micropython.py has
the other two): MicroPython's ``qemu`` port built as a real firmware image
for an ARM board that QEMU emulates, with tinynet frozen in from the manifest
``python -m tinynet board MODEL DIR --freeze`` writes.

* Boards (:data:`BOARDS`): ``MPS2_AN385`` (Cortex-M3, no FPU: single-precision
  floats in software) and ``MPS2_AN500`` (Cortex-M7, double precision in
  hardware).
* The heap is fixed when the firmware is built (``MICROPY_HEAP_SIZE``), as on
  a microcontroller: :func:`firmware` builds one image per board, frozen code
  and heap size.  The first build of a board takes about a minute, another
  heap or another tinynet a few seconds (only ``main.c`` and the frozen
  modules are compiled again); images are kept in a cache
  (``TINYNET_MICROPYTHON_CACHE``, as for the unix builds, ``/firmware``) and
  reused while the frozen sources are the same.
* Scripts run over the emulated UART (the board's REPL) with MicroPython's
  own ``tools/pyboard.py`` from the sources (its ``exec:`` device, raw REPL;
  no pyserial), under ``-icount shift=0``: one guest instruction takes one
  nanosecond of emulated time, so ``time.ticks_us()`` counts thousands of
  instructions, the same from run to run to within about 0.01%.
* Files reach the board as a ROMFS image (``romfs=`` of :func:`run`), which
  QEMU puts into the board's PSRAM, mounted read-only at ``/rom`` with
  ``vfs.VfsRom`` (the script runs there).

Needs ``qemu-system-arm``, ``arm-none-eabi-gcc`` with newlib (Debian:
``qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi``), ``make`` and
the MicroPython sources (``../shared/micropython``); tests skip without them.
"""

import hashlib
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile

import pytest

from conftest import ROOT

try:
    import fcntl
except ImportError:  # Windows: no QEMU builds here anyway
    fcntl = None

VERSION = "1.27.0"


class Board:
    def __init__(self, machine, cpu, floats, psram):
        self.machine, self.cpu, self.floats, self.psram = machine, cpu, floats, psram


BOARDS = {
    "MPS2_AN385": Board("mps2-an385", "Cortex-M3", "float", 0x21000000),
    "MPS2_AN500": Board("mps2-an500", "Cortex-M7", "double", 0x60000000),
}
TOOLS = ("qemu-system-arm", "arm-none-eabi-gcc", "make")


def _cache():
    return os.environ.get("TINYNET_MICROPYTHON_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "tinynet-micropython")


def sources():
    """Return the extracted MicroPython sources (extracting them into the
    cache beside the unix builds if needed), or None."""
    tree = os.path.join(_cache(), "micropython-" + VERSION)
    if os.path.isfile(os.path.join(tree, "ports", "qemu", "Makefile")):
        return tree
    shared = os.environ.get("TINYNET_MICROPYTHON_SOURCES") or os.path.join(
        os.path.dirname(ROOT), "shared", "micropython")
    archive = os.path.join(shared, "micropython-%s-src.tar.gz" % VERSION)
    if not os.path.isfile(archive):
        return None
    os.makedirs(_cache(), exist_ok=True)
    with _locked("extract"), tarfile.open(archive) as tar:
        if not os.path.isfile(os.path.join(tree, "ports", "qemu", "Makefile")):
            tar.extractall(_cache())
    return tree


def missing():
    """Return why firmware cannot be built and run here, or None."""
    absent = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not absent:
        found = subprocess.run(["arm-none-eabi-gcc", "-print-file-name=libc.a"],
                               capture_output=True, text=True).stdout.strip()
        if not os.path.isabs(found):
            absent.append("newlib for arm-none-eabi")
    if absent:
        return "no %s (see tests/real_firmware.py)" % ", ".join(absent)
    if sources() is None:
        return "no MicroPython %s sources (../shared/micropython)" % VERSION
    return None


def skip_unless_available():
    reason = missing()
    if reason:
        pytest.skip(reason)


class _locked:
    """An exclusive lock on ``name`` in the cache, across processes."""

    def __init__(self, name):
        os.makedirs(os.path.join(_cache(), "firmware"), exist_ok=True)
        self.path = os.path.join(_cache(), "firmware", name + ".lock")

    def __enter__(self):
        self.f = open(self.path, "w")
        if fcntl is not None:
            fcntl.flock(self.f, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        self.f.close()


def _digest(folder, board, heap):
    """A key for the frozen files under ``folder``, the board and the heap."""
    h = hashlib.sha256(("%s %d\n" % (board, heap)).encode())
    for top, dirs, files in sorted(os.walk(folder)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".py", ".mpy")):
                path = os.path.join(top, name)
                with open(path, "rb") as f:
                    data = f.read()
                if name == "manifest.py":  # its comments name the folder it was written in
                    data = b"\n".join(line for line in data.split(b"\n")
                                      if not line.startswith(b"#"))
                h.update(os.path.relpath(path, folder).encode() + b"\0" + data)
    return h.hexdigest()[:16]


def _make(folder, *args):
    done = subprocess.run(["make", "-C", folder, "-j%d" % (os.cpu_count() or 2)] + list(args),
                          capture_output=True, text=True, timeout=1200)
    if done.returncode != 0:
        raise AssertionError("make -C %s %s failed:\n%s%s" % (
            folder, " ".join(args), done.stdout[-3000:], done.stderr[-3000:]))


def firmware(board, manifest, heap):
    """Return the path of a firmware image (an ELF file) for ``board`` with
    ``heap`` bytes of heap and the folder of ``manifest`` (written by
    ``board --freeze``) frozen in; skip where it cannot be built.  A failed
    build fails the test."""
    skip_unless_available()
    heap = int(heap)
    folder = os.path.dirname(os.path.abspath(str(manifest)))
    key = _digest(folder, board, heap)
    elf = os.path.join(_cache(), "firmware", "%s-%dK-%s.elf" % (board, heap // 1024, key))
    if os.path.isfile(elf):
        return elf
    tree = sources()
    qemu = os.path.join(tree, "ports", "qemu")
    build = os.path.join(qemu, "build-tinynet-" + board)
    with _locked(board):
        if os.path.isfile(elf):  # built by another process meanwhile
            return elf
        _make(os.path.join(tree, "mpy-cross"))
        with tempfile.TemporaryDirectory() as no_lib:
            # The manifest rule insists on micropython-lib, which this one
            # does not use: point it at an empty stand-in.
            open(os.path.join(no_lib, "README.md"), "w").close()
            # Only main.c uses the heap size: compile it again, keep the rest.
            for name in ("main.o", "firmware.elf"):
                if os.path.exists(os.path.join(build, name)):
                    os.remove(os.path.join(build, name))
            _make(qemu, "BOARD=" + board, "BUILD=" + build, "MICROPY_HEAP_SIZE=%d" % heap,
                  "FROZEN_MANIFEST=" + os.path.abspath(str(manifest)), "MPY_LIB_DIR=" + no_lib)
        os.replace(os.path.join(build, "firmware.elf"), elf + ".tmp")
        os.replace(elf + ".tmp", elf)
        _prune(os.path.dirname(elf), keep=40)
    return elf


def _prune(folder, keep):
    """Remove all but the ``keep`` newest images from the cache."""
    images = sorted((os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".elf")),
                    key=os.path.getmtime)
    for path in images[:-keep]:
        os.remove(path)


def _module(name, relative):
    """Import a module from the MicroPython sources' tools by its path."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(sources(), relative))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def romfs(files):
    """Return a ROMFS image (bytes) holding ``files``, {name: bytes}, made
    with the sources' ``tools/mpremote/mpremote/romfs.py``."""
    writer = _module("_romfs", os.path.join("tools", "mpremote", "mpremote", "romfs.py"))
    image = writer.VfsRomWriter()
    for name in sorted(files):
        image.mkfile(name, bytes(files[name]))
    return image.finalise()


def _qemu_command(board, elf, image_path, log, limit):
    # (under `timeout`: an emulator whose driver died would otherwise wait
    # at the REPL for ever; --foreground keeps it in the process group that
    # pyboard's close() signals)
    command = ["timeout", "--foreground", "-s", "KILL", "%d" % limit] \
        if shutil.which("timeout") else []
    command += ["qemu-system-arm", "-machine", BOARDS[board].machine, "-nographic",
               "-monitor", "null", "-semihosting", "-serial", "stdio",
               "-icount", "shift=0", "-kernel", elf]
    if image_path:
        command += ["-device", "loader,file=%s,addr=0x%x,force-raw=on"
                    % (image_path, BOARDS[board].psram)]
    return " ".join(shlex.quote(part) for part in command) + " 2>" + shlex.quote(log)


def _mount(board, size):
    return ("import vfs, uctypes, os\n"
            "vfs.mount(vfs.VfsRom(uctypes.bytearray_at(0x%x, %d)), '/rom')\n"
            "os.chdir('/rom')\n"
            "del vfs, uctypes, os\n" % (BOARDS[board].psram, size))


class FirmwareError(AssertionError):
    """The script raised on the board; the message holds its output and traceback."""


def run(board, elf, script, romfs_image=None, timeout=600):
    """Boot ``elf`` on ``board`` (in QEMU), mount ``romfs_image`` (bytes)
    at /rom if given, run ``script`` (source text) through the raw REPL and
    return what it printed (``\\n`` line ends).  A script that raises fails
    with :class:`FirmwareError`; ``timeout`` is the longest silence allowed
    in seconds, and four times it the longest the emulator may run."""
    pyboard = _module("_pyboard", os.path.join("tools", "pyboard.py"))
    with tempfile.TemporaryDirectory() as tmp:
        image_path = None
        if romfs_image is not None:
            image_path = os.path.join(tmp, "romfs.img")
            with open(image_path, "wb") as f:
                f.write(romfs_image)
        log = os.path.join(tmp, "qemu.log")
        board_io = pyboard.Pyboard("exec:" + _qemu_command(board, elf, image_path, log,
                                                           limit=4 * timeout + 60))
        board_io.serial.__class__ = _until_exit(type(board_io.serial))
        try:
            board_io.enter_raw_repl(soft_reset=False)
            if romfs_image is not None:
                board_io.exec_(_mount(board, len(romfs_image)))
            board_io.exec_raw_no_follow(script)
            out, err = board_io.follow(timeout)
        except (pyboard.PyboardError, EOFError) as err:
            with open(log) as f:
                raise AssertionError("%s on %s: %s\n%s" % (elf, board, err, f.read())) from None
        finally:
            _stop(board_io)
    out = out.decode("utf-8", "replace").replace("\r\n", "\n")
    if err:
        raise FirmwareError("%s\n%s" % (out, err.decode("utf-8", "replace").replace("\r\n", "\n")))
    return out


def _stop(board_io):
    """Stop the emulator and close its pipes (pyboard only signals it)."""
    process = board_io.serial.subp
    board_io.close()
    process.stdin.close()
    process.stdout.close()
    process.wait(timeout=60)


def _until_exit(serial_class):
    """pyboard's ``exec:`` serial waits forever for bytes from an emulator
    that has exited; this one raises EOFError instead."""

    class UntilExit(serial_class):
        def read(self, size=1):
            data = b""
            while len(data) < size:
                more = self.subp.stdout.read(size - len(data))
                if not more:
                    raise EOFError("the emulator exited")
                data += more
            return data

    return UntilExit


def instructions(ticks_us):
    """Guest instructions that ``ticks_us`` microseconds of emulated time
    take under ``-icount shift=0`` (one nanosecond each)."""
    return ticks_us * 1000


def tinynet_manifest(folder):
    """Write tinynet's sources and manifest.py into ``folder`` with the
    project's own command, ``python -m tinynet board MODEL DIR --freeze``;
    return the manifest's path."""
    from tinynet import DNN

    folder = str(folder)
    model = os.path.join(folder, "stub.json")
    DNN([2, 2], seed=0, backend="python").save(model)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, "-m", "tinynet", "board", model, folder, "--freeze", "-q"],
                   check=True, env=env, cwd=ROOT, timeout=300)
    return os.path.join(folder, "manifest.py")


def run_frozen(board, manifest, heap, script, files=None, timeout=600):
    """Run ``script`` on ``board`` with ``heap`` bytes of heap and the
    manifest's tinynet frozen in, with ``files`` ({name: bytes}) in a ROMFS
    mounted at /rom, the current folder; return what it printed."""
    elf = firmware(board, manifest, heap)
    return run(board, elf, script, romfs(files) if files else None, timeout)


def smallest_heap(board, manifest, script, files=None, low=8, high=512, steady=8,
                  timeout=600):
    """Return the smallest heap, in whole KB from ``low`` to ``high``, in
    which ``script`` runs to the end on ``board``, and in each of the
    ``steady`` KB above it too; None if ``high`` fails.  (How the heaps
    pinned in the tests were measured.)

    Whether a heap suffices is not monotonic: where the largest free block
    falls depends on the heap's size, so a job can run in 61 KB, fail in 62
    to 64 and run from 65 on.  So this bisects, then checks the ``steady``
    heaps above the one found, starting again above any that fails.  Each
    heap tried is a firmware built in seconds."""
    image = romfs(files) if files else None

    def runs(kb):
        try:
            run(board, firmware(board, manifest, kb * 1024), script, image, timeout)
        except FirmwareError as err:
            if "MemoryError" not in str(err):
                raise
            return False
        return True

    if not runs(high):
        return None
    while low < high:
        middle = (low + high) // 2
        if runs(middle):
            high = middle
        else:
            low = middle + 1
    found, above = high, high + 1
    while above <= found + steady:
        if not runs(above):
            found = above + 1
        above += 1
    return found
