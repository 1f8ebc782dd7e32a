"""The showcase: MNIST on a microcontroller-sized heap, on the real MicroPython.

A 784-48-10 classifier is trained on CPython (NumPy backend, momentum SGD,
cosine schedule, 10 epochs of full MNIST), exported by ``python -m tinynet
board`` with int8 and with float32 weights, and then the real MicroPython
1.27 unix builds (double- and single-precision floats) classify all 10,000
test digits one at a time, read from the raw IDX files by
examples/micropython/predict_on_board.py.

Slow (training, then four board runs side by side): a few minutes.  Skips
without full MNIST (``../shared/mnist`` or MNIST_DIR), NumPy or the builds.
"""

import gzip
import os
import re
import subprocess
import sys

import pytest

import tinynet
from tinynet.backends import numpy_available
from tinynet.cli import main

from conftest import MNIST, ROOT
import real_micropython as mp

pytestmark = [pytest.mark.slow, pytest.mark.micropython]

MNIST_DIR = os.environ.get("MNIST_DIR") or MNIST
#: The heap each model runs in.  The issue asks for int8 weights in 128 KB:
#: met on the 32-bit builds (as on a Pico).  On the 64-bit ones (every object
#: at least 32 bytes) the core's code takes about 78 KB once a model is loaded,
#: and all 10,000 digits ran in 184 KB; 192 KB keeps a little room
#: (docs/board.md).
HEAPS = {"int8": "192K", "float32": "384K"}
HEAPS_32BIT = {"int8": "128K", "float32": "384K"}
#: With tinynet frozen into the firmware (``board --freeze``), its code runs
#: from flash and the int8 classifier needed 112 KB on the 64-bit builds and
#: 78 KB on the 32-bit ones.
FROZEN_HEAPS = {"64bit": "128K", "32bit": "96K"}


def frozen_heap(build):
    return FROZEN_HEAPS["32bit" if build.endswith("32bit") else "64bit"]


def heap(build, weights):
    return (HEAPS_32BIT if build.endswith("32bit") else HEAPS)[weights]


SCRIPT = os.path.join(ROOT, "examples", "micropython", "predict_on_board.py")


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    """Train once; return the board folder and CPython's classes and accuracy."""
    if not os.path.isfile(os.path.join(MNIST_DIR, "t10k-images-idx3-ubyte.gz")):
        pytest.skip("full MNIST is absent (../shared/mnist or MNIST_DIR)")
    if not numpy_available():
        pytest.skip("training the showcase model needs NumPy")
    if not mp.builds():
        pytest.skip("no real MicroPython build (see tests/real_micropython.py)")
    from tinynet.datasets import load_mnist

    X, y = load_mnist("train", MNIST_DIR, download=False)
    Xt, yt = load_mnist("test", MNIST_DIR, download=False)
    net = tinynet.DNN([784, 48, 10], optimizer="momentum", learning_rate=0.05, seed=0,
                      backend="numpy")
    net.fit(X, y, epochs=10, batch_size=32, schedule="cosine")
    folder = tmp_path_factory.mktemp("showcase")
    net.save(folder / "digits.pkl")
    for weights in HEAPS:
        assert main(["board", str(folder / "digits.pkl"), str(folder), "--weights", weights,
                     "-q"]) == 0
    # The same model for a firmware with tinynet frozen in: sources and a
    # manifest in firmware/, and a folder to run in with only the model (no
    # lib/, so the frozen tinynet is the one imported).
    assert main(["board", str(folder / "digits.pkl"), str(folder / "firmware"), "--weights",
                 "int8", "--freeze", "-q"]) == 0
    (folder / "frozen").mkdir()
    (folder / "frozen" / "digits-int8.tnb").write_bytes(
        (folder / "firmware" / "digits-int8.tnb").read_bytes())
    for name, raw in (("t10k-images-idx3-ubyte.gz", "digits-images.idx"),
                      ("t10k-labels-idx1-ubyte.gz", "digits-labels.idx")):
        with gzip.open(os.path.join(MNIST_DIR, name)) as f:
            (folder / raw).write_bytes(f.read())
        (folder / "frozen" / raw).symlink_to(folder / raw)
    float32 = tinynet.load(folder / "digits-float32.tnb", backend="numpy")
    return {"dir": folder, "manifest": folder / "firmware" / "manifest.py", "labels": list(yt), "classes": float32.classify(Xt),
            "cpython": net.evaluate(Xt, yt)["accuracy"]}


@pytest.fixture(scope="module")
def runs(board):
    """Run every (build, weights) pair at once; return their outputs."""
    started = {}
    for build in mp.builds():
        for weights in HEAPS:
            classes = "classes-%s-%s.bin" % (build, weights)
            started[build, weights] = subprocess.Popen(
                [mp.builds()[build], "-X", "heapsize=" + heap(build, weights), SCRIPT, "digits-%s.tnb" % weights,
                 "digits-images.idx", "digits-labels.idx", "10000", classes],
                cwd=str(board["dir"]), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return {key: (p.communicate(timeout=1800)[0], p.returncode) for key, p in started.items()}


@pytest.mark.parametrize("weights", sorted(HEAPS))
@pytest.mark.parametrize("build", mp.NAMES)
def test_all_10000_test_digits_on_a_small_heap(board, runs, build, weights):
    mp.interpreter(build)  # skips if this build is missing
    out, status = runs[build, weights]
    assert status == 0, out
    found = re.search(r"(\d+) of 10000 right \(([\d.]+)%\), ([\d.]+) ms per digit", out)
    assert found, out
    accuracy = int(found.group(1)) / 10000
    assert accuracy >= 0.97
    classes = (board["dir"] / ("classes-%s-%s.bin" % (build, weights))).read_bytes()
    assert sum(c == t for c, t in zip(classes, board["labels"])) == int(found.group(1))
    if weights == "float32":  # the same classes as CPython, digit for digit
        assert list(classes) == board["classes"]
    else:  # int8 costs at most a few tenths of a point
        assert accuracy >= board["cpython"] - 0.003
    sys.stdout.write("\n%s, %s weights, heap %s: %s" % (build, weights, heap(build, weights), out))


@pytest.fixture(scope="module")
def frozen_runs(board):
    """Build each interpreter again with the board's manifest frozen in, then
    run the int8 classifier on every such build at once; return the outputs."""
    paths = {}
    for build in mp.builds():
        try:
            paths[build] = mp.frozen(build, board["manifest"])
        except AssertionError as err:  # reported by that build's test
            paths[build] = err
        except pytest.skip.Exception:  # (no sources beside it) that build's test skips
            pass
    started = {}
    for build, path in paths.items():
        if isinstance(path, str):
            started[build] = subprocess.Popen(
                [path, "-X", "heapsize=" + frozen_heap(build),
                 SCRIPT, "digits-int8.tnb", "digits-images.idx", "digits-labels.idx", "10000",
                 "classes-%s.bin" % build],
                cwd=str(board["dir"] / "frozen"), stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True)
    done = {build: (p.communicate(timeout=1800)[0], p.returncode) for build, p in started.items()}
    done.update((build, (str(err), 1)) for build, err in paths.items() if not isinstance(err, str))
    return done


@pytest.mark.parametrize("build", mp.NAMES)
def test_all_10000_test_digits_with_tinynet_frozen_into_the_firmware(board, runs, frozen_runs,
                                                                     build):
    """The int8 classifier on a firmware with tinynet frozen in: 128 KB on
    the 64-bit builds too, and the same classes, digit for digit, as with
    the .mpy files."""
    mp.interpreter(build)
    if build not in frozen_runs:
        pytest.skip("the sources of the %s build are not beside it" % build)
    out, status = frozen_runs[build]
    assert status == 0, out
    found = re.search(r"(\d+) of 10000 right", out)
    assert found, out
    assert int(found.group(1)) >= 9700
    frozen = (board["dir"] / "frozen" / ("classes-%s.bin" % build)).read_bytes()
    assert frozen == (board["dir"] / ("classes-%s-int8.bin" % build)).read_bytes()
    sys.stdout.write("\n%s, frozen, int8 weights, heap %s: %s" % (build, frozen_heap(build), out))


import real_firmware as fw  # noqa: E402

#: All 10,000 digits on the firmware, the classes printed a hundred at a
#: time (a 32 KB heap has no room for 10,000 bytes in one piece).
FIRMWARE_SCRIPT = (
    "import gc, time, tinynet\n"
    "model = tinynet.load('digits-int8.tnb')  # a ROMFS file: the weights stay in flash\n"
    "images = open('digits-images.idx', 'rb')\n"
    "images.seek(16)\n"
    "pixels, classes = bytearray(784), bytearray(100)\n"
    "spent = 0\n"
    "for i in range(10000):\n"
    "    images.readinto(pixels)\n"
    "    started = time.ticks_us()\n"
    "    classes[i % 100] = 48 + model.classify(pixels, scale=1 / 255)\n"
    "    spent += time.ticks_diff(time.ticks_us(), started)\n"
    "    if i % 100 == 99:\n"
    "        print(classes.decode(), end='')\n"
    "gc.collect()\n"
    "print('', gc.mem_alloc(), spent // 10000)\n")


@pytest.mark.parametrize("firmware", sorted(fw.BOARDS))
def test_all_10000_test_digits_on_the_firmware_in_32_kb(board, firmware):
    """The int8 classifier on the emulated boards (tests/real_firmware.py),
    tinynet frozen in with its machine-code kernels, the model read in place
    from flash, a 32 KB heap: the class CPython gives, digit for digit."""
    folder = board["dir"]
    data = (folder / "digits-int8.tnb").read_bytes()
    images = (folder / "digits-images.idx").read_bytes()
    model = tinynet.load(data, backend="python")
    expected = "".join(str(model.classify(images[16 + 784 * i:16 + 784 * (i + 1)], scale=1 / 255))
                       for i in range(10000))
    out = fw.run_frozen(firmware, board["manifest"], 32 * 1024, FIRMWARE_SCRIPT,
                        {"digits-int8.tnb": data, "digits-images.idx": images}, timeout=1800)
    classes, in_use, ticks = out.split()
    assert classes == expected
    assert int(in_use) <= 32 * 1024
    sys.stdout.write("\n%s, int8 weights in flash, 32 KB heap: %s instructions a digit"
                     % (firmware, format(fw.instructions(int(ticks)), ",")))
