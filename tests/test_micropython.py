"""tinynet on MicroPython 1.27 (its WebAssembly port, run by Node.js).

These run in the ``micropython`` tox env.  They need ``node`` and the npm
package ``@micropython/micropython-webassembly-pyscript``: set
``TINYNET_MICROPYTHON`` to its ``micropython.mjs``, or install it where
``.ci/run`` does.  Without them the tests skip.
"""

import os
import shutil
import subprocess
import sys

import pytest

import tinynet
from tinynet import datasets

from conftest import ROOT

pytestmark = pytest.mark.micropython

PACKAGE = os.path.join("node_modules", "@micropython", "micropython-webassembly-pyscript",
                       "micropython.mjs")


def find_micropython():
    candidates = [os.environ.get("TINYNET_MICROPYTHON", "")]
    for base in (os.path.join(os.path.expanduser("~"), ".cache", "tinynet-ci", "micropython"),
                 os.path.join(ROOT, ".ci", "micropython"), ROOT):
        candidates.append(os.path.join(base, PACKAGE))
    return next((c for c in candidates if c and os.path.isfile(c)), None)


MJS = find_micropython()
if shutil.which("node") is None or MJS is None:
    pytest.skip("needs Node.js and the MicroPython npm package (see the module docstring)",
                allow_module_level=True)


def micropython(tmp_path, code, *files):
    script = tmp_path / "script.py"
    script.write_text(code)
    result = subprocess.run(["node", os.path.join(ROOT, "tests", "micropython", "run.mjs"), MJS,
                             str(script)] + [str(f) for f in files],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_it_is_really_micropython_and_tinynet_imports(tmp_path):
    out = micropython(tmp_path, (
        "import sys, tinynet\n"
        "print(sys.implementation.name, tinynet.__version__, tinynet.get_backend().name)\n"
        "for name in ('csv', 'pickle', 'typing'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "        print(name, 'present')\n"
        "    except ImportError:\n"
        "        print(name, 'absent')\n"))
    lines = out.split("\n")
    assert lines[0] == "micropython %s python" % tinynet.__version__
    assert "csv absent" in out and "pickle absent" in out  # and tinynet imported all the same


def test_a_model_trained_on_cpython_predicts_the_same_on_micropython(tmp_path):
    backend = "numpy" if tinynet.backends.numpy_available() else "python"
    X, y = datasets.load_sample("train")
    net = tinynet.DNN([784, 32, 10], optimizer="momentum", learning_rate=0.05, seed=0,
                      backend=backend)
    net.fit(X[:2000], y[:2000], epochs=2, batch_size=32)
    net.save(tmp_path / "model.json")
    Xt, _ = datasets.load_sample("test")
    n = 300
    (tmp_path / "digits.bin").write_bytes(bytes(Xt.pixels[:784 * n]))
    expected = net.classify(Xt[:n])
    assert len(set(expected)) == 10  # a real classifier, not a constant
    out = micropython(tmp_path, (
        "import tinynet\n"
        "net = tinynet.load('/data/model.json')\n"
        "pixels = open('/data/digits.bin', 'rb').read()\n"
        "for i in range(%d):\n"
        "    print(net.classify([p / 255.0 for p in pixels[i * 784:(i + 1) * 784]]))\n" % n),
        tmp_path / "model.json", tmp_path / "digits.bin")
    assert [int(v) for v in out.split()] == expected


def test_xor_trains_on_micropython(tmp_path):
    out = micropython(tmp_path, (
        "from tinynet import DNN\n"
        "X = [[0, 0], [0, 1], [1, 0], [1, 1]]\n"
        "net = DNN([2, 8, 2], activation='tanh', learning_rate=0.5, seed=3)\n"
        "history = net.fit(X, [0, 1, 1, 0], epochs=300, batch_size=4)\n"
        "print(net.classify(X), history[-1]['loss'] < history[0]['loss'] / 10)\n"
        "one = DNN([2, 4, 1], activation='tanh', output='sigmoid', loss='mse', learning_rate=0.5, seed=1)\n"
        "for _ in range(2000):\n"
        "    for x, t in zip(X, [0, 1, 1, 0]):\n"
        "        one.train(x, [t])\n"
        "print(one.classify(X))\n"))
    assert out.split("\n")[:2] == ["[0, 1, 1, 0] True", "[0, 1, 1, 0]"]


def test_extreme_inputs_do_not_overflow_on_micropython(tmp_path):
    # MicroPython's math.exp(1000) raises ValueError, where CPython raises
    # OverflowError; tinynet never calls exp on a large positive number.
    out = micropython(tmp_path, (
        "import math\n"
        "from tinynet import DNN\n"
        "for output in ('sigmoid', 'softmax'):\n"
        "    net = DNN([2, 3, 2], activation='sigmoid', output=output, seed=0)\n"
        "    net.set_params([[[500.0, -500.0, 1.0], [-500.0, 500.0, 1.0]],\n"
        "                    [[900.0, -900.0], [-900.0, 900.0], [0.0, 0.0]]],\n"
        "                   [[0.0, 0.0, 0.0], [0.0, 0.0]])\n"
        "    out = net.predict([1e6, -1e6])\n"
        "    print(all(math.isfinite(v) for v in out), net.train([1e6, -1e6], 1) >= 0)\n"))
    assert out.split("\n")[:2] == ["True True", "True True"]


def test_bad_model_files_are_refused_on_micropython(tmp_path):
    (tmp_path / "bad.json").write_text('{"format": "tinynet", "version": 7}')
    out = micropython(tmp_path, (
        "import tinynet\n"
        "try:\n"
        "    tinynet.load('/data/bad.json')\n"
        "except ValueError as err:\n"
        "    print('refused:', err)\n"), tmp_path / "bad.json")
    assert "refused: /data/bad.json: written by a newer tinynet (format version 7" in out


def test_the_board_example_runs_on_micropython(tmp_path):
    board = tmp_path / "board"
    subprocess.run([sys.executable, os.path.join(ROOT, "examples", "micropython", "train_on_laptop.py"),
                    "--out", str(board), "--epochs", "1", "--digits", "20"], check=True,
                   capture_output=True)
    script = os.path.join(ROOT, "examples", "micropython", "predict_on_board.py")
    out = micropython(tmp_path, "import os\nos.chdir('/data')\nexec(open('predict_on_board.py').read())\n",
                      script, board / "digits-int8.tnb", board / "digits-images.idx",
                      board / "digits-labels.idx")
    assert "of 20 right" in out and "ms per digit" in out
