"""What the tests share: the backends to run on (the backend and any_backend
fixtures, needs_numpy), running Python in a fresh interpreter, and a small
digit classifier trained once per test module (digits)."""

import os
import random
import subprocess
import sys

import pytest

from tinynet.backends import BACKENDS, numpy_available

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST = os.path.join(os.path.dirname(ROOT), "shared", "mnist")
#: The two backends a network uses by default, where installed: the suite runs on each.
INSTALLED = [b for b in ("numpy", "python") if b != "numpy" or numpy_available()]
#: Those and the plain ones they build on ("numpy-plain", "python-plain").
EVERY_BACKEND = [b for b in BACKENDS if "numpy" not in b or numpy_available()]


@pytest.fixture(params=INSTALLED)
def backend(request):
    """Each installed default backend's name in turn."""
    return request.param


@pytest.fixture(params=EVERY_BACKEND)
def any_backend(request):
    """Each installed backend's name in turn, the plain ones included."""
    return request.param


needs_numpy = pytest.mark.skipif(not numpy_available(), reason="NumPy is not installed")


def run_python(code, env=None, cwd=None):
    """Run ``code`` in a fresh interpreter with tinynet importable; return
    the completed process (stdout and stderr as text)."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = ROOT + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-c", code], env=full_env, cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def digits():
    """A small digit classifier trained on the bundled sample, and test data."""
    from tinynet import DNN
    from tinynet.datasets import load_sample

    X, y = load_sample("train")
    net = DNN([784, 24, 10], optimizer="momentum", learning_rate=0.05, seed=0, backend="python")
    net.fit(X[:1500], y[:1500], epochs=1, batch_size=32)
    Xt, yt = load_sample("test")
    return net, [list(Xt.row_bytes(i)) for i in range(200)], yt[:200]


def scaled(rows):
    """Pixels 0..255 as the 0..1 a model takes."""
    return [[p / 255.0 for p in row] for row in rows]


def batch(rows, cols, density, seed, edge_zeros=0, every=0):
    """Random rows; the first and last ``edge_zeros`` columns, and every
    ``every``-th one, zero in every row (as pixels at an image's border, and
    at the ends of its rows of pixels, are in a batch of MNIST images)."""
    rng = random.Random(seed)
    out = [[rng.uniform(-1, 1) if rng.random() < density else 0.0 for _ in range(cols)]
           for _ in range(rows)]
    for row in out:
        row[:edge_zeros] = [0.0] * edge_zeros
        if edge_zeros:
            row[-edge_zeros:] = [0.0] * edge_zeros
        if every:
            row[::every] = [0.0] * len(row[::every])
    return out
