"""Pure-Python backend vs the best pure-Python code, and across interpreters.

    python benchmarks/bench_pure.py [--interpreters python3.11,/usr/bin/python3.11,pypy3]
                                    [--epoch [--epoch-repeats 3]]

1. Matrix-product throughput, on each interpreter: a batch of 32 MNIST
   images (784 pixels) times a 784 x 32 weight matrix, tinynet's ``matmul``
   against the fastest idioms written inline (``sum(map(mul, ...))`` over
   columns, ``math.sumprod`` on 3.12+, dense or over the non-zero pixels'
   rows, and row accumulation that skips zero pixels, as a comprehension
   and as a plain loop), in millions of multiply-adds per second (counting
   the dense 32x784x32).
2. With ``--epoch``: one epoch of 784-32-10 training on full MNIST (SGD,
   batch 32), in a fresh process per interpreter, with its peak memory,
   against the fastest hand-written sparse trainer we know for CPython,
   run alternately on the same interpreter.
"""

import argparse
import json
import math
import os
import subprocess
from operator import mul

from common import (PEAK_MB, ROOT, find_interpreter, interleaved, machine, median, mnist_dir,
                    report, table)

from tinynet.backends import python_backend as ops


def idioms(A, W):
    """Return the inline contenders for A @ W (A: rows, W: n_in x n_out)."""
    def summap():
        cols = list(zip(*W))
        return [[sum(map(mul, row, c)) for c in cols] for row in A]

    def rowacc():
        out = []
        for row in A:
            acc = [0.0] * len(W[0])
            for a, w in zip(row, W):
                if a:
                    acc = [s + a * x for s, x in zip(acc, w)]
            out.append(acc)
        return out

    def rowloop():  # what a JIT compiles best
        n = len(W[0])
        out = []
        for row in A:
            acc = [0.0] * n
            for k in range(len(row)):
                a = row[k]
                if a != 0.0:
                    w = W[k]
                    for j in range(n):
                        acc[j] += a * w[j]
            out.append(acc)
        return out

    found = {"sum(map(mul)) dense": summap, "row accumulation, zeros skipped": rowacc,
             "plain loops, zeros skipped": rowloop}
    if hasattr(math, "sumprod"):
        def sumprod():
            cols = list(zip(*W))
            return [[math.sumprod(row, c) for c in cols] for row in A]

        def sumprod_sparse():
            out = []
            for row in A:
                nonzero = [k for k, a in enumerate(row) if a]
                values = [row[k] for k in nonzero]
                out.append([math.sumprod(values, c) for c in zip(*[W[k] for k in nonzero])])
            return out
        found["math.sumprod dense"] = sumprod
        found["math.sumprod, zeros skipped"] = sumprod_sparse
    return found


def matmul_child(repeats):
    """Time tinynet's matmul and the inline idioms on this interpreter;
    print ``{name: median seconds}`` as JSON."""
    import random

    from tinynet import datasets

    X, _ = datasets.load_sample("train")
    A = ops.from_bytes(X.byte_rows(range(32)), 32, 784)
    rng = random.Random(0)
    W = [[rng.uniform(-0.1, 0.1) for _ in range(32)] for _ in range(784)]
    runs = {"tinynet matmul": lambda: ops.matmul(A, W)}
    runs.update(idioms(A, W))
    expected = ops.matmul(A, W)
    for name, run in runs.items():
        got = run()
        assert all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
                   for r, s in zip(got, expected) for a, b in zip(r, s)), name
    for run in runs.values():  # warm-up (PyPy's JIT compiles here)
        for _ in range(3):
            run()
    times = interleaved(runs, repeats)
    print(json.dumps({name: median(t) for name, t in times.items()}))


def matmul_rows(interpreters, repeats):
    """Return table rows of the matmul comparison, one block per interpreter."""
    rows = []
    madds = 32 * 784 * 32
    for name, exe in interpreters:
        if exe is None:
            rows.append([name, "not installed", "", ""])
            continue
        out = subprocess.run([exe, os.path.abspath(__file__), "--matmul-child",
                              "--repeats", str(repeats)], capture_output=True, text=True)
        if out.returncode:
            rows.append([name, "failed: " + out.stderr.strip().splitlines()[-1], "", ""])
            continue
        medians = json.loads(out.stdout.splitlines()[-1])
        best = min(t for n, t in medians.items() if n != "tinynet matmul")
        for implementation, t in sorted(medians.items(), key=lambda item: item[1]):
            rows.append([name, implementation, "%.1f" % (madds / t / 1e6), "%.2f" % (t / best)])
    return rows


EPOCH_CHILD = PEAK_MB + """
import sys, time
sys.path.insert(0, %r)
from tinynet import DNN, datasets
X, y = datasets.load_mnist("train", %r, download=False)
net = DNN([784, 32, 10], seed=0, backend="python")
start = time.perf_counter()
net.fit(X, y, epochs=1, batch_size=32)
seconds = time.perf_counter() - start
peak = peak_mb()
print(seconds, peak, net.evaluate(*datasets.load_mnist("test", %r, download=False))["accuracy"])
"""

# The reference: the fastest trainer we could write by hand for the same job
# on CPython (one sample at a time, SGD at tinynet's default rate): zero
# pixels skipped, first-layer dot products over the rows its non-zero pixels
# meet, one scaled delta per distinct pixel value, all in C-level idioms.
REFERENCE_CHILD = """
import math, random, sys, time
from itertools import compress
from operator import add, mul
sys.path.insert(0, %r)
from tinynet import datasets
X, y = datasets.load_mnist("train", %r, download=False)
rng = random.Random(0)
W1 = [[rng.uniform(-0.085, 0.085) for _ in range(32)] for _ in range(784)]
b1 = [0.0] * 32
W2 = [[rng.uniform(-0.4, 0.4) for _ in range(10)] for _ in range(32)]
b2 = [0.0] * 10
lr, pixels, exp = 0.02, range(784), math.exp
start = time.perf_counter()
for i in range(len(X)):
    x = X[i]
    nz = list(compress(pixels, x))
    values = list(compress(x, x))
    z = [sum(map(mul, values, c)) for c in zip(*[W1[k] for k in nz])]
    h = [v if v > 0.0 else 0.0 for v in map(add, z, b1)]
    o = [sum(map(mul, h, c)) + b for c, b in zip(zip(*W2), b2)]
    top = max(o)
    e = [exp(v - top) for v in o]
    s = sum(e)
    d2 = [v / s for v in e]
    d2[y[i]] -= 1.0
    d1 = [sum(map(mul, d2, w)) if a > 0.0 else 0.0 for a, w in zip(h, W2)]
    for j, a in enumerate(h):
        if a:
            c = -lr * a
            W2[j] = [w + c * g for w, g in zip(W2[j], d2)]
    b2 = [b - lr * g for b, g in zip(b2, d2)]
    steps = {}
    for k, v in zip(nz, values):
        step = steps.get(v)
        if step is None:
            c = -lr * v
            step = steps[v] = [c * g for g in d1]
        W1[k] = list(map(add, W1[k], step))
    b1 = [b - lr * g for b, g in zip(b1, d1)]
seconds = time.perf_counter() - start
Xt, yt = datasets.load_mnist("test", %r, download=False)
right = 0
for i in range(len(Xt)):
    x = Xt[i]
    h = [max(sum(map(mul, x, c)) + b, 0.0) for c, b in zip(zip(*W1), b1)]
    o = [sum(map(mul, h, c)) + b for c, b in zip(zip(*W2), b2)]
    right += o.index(max(o)) == yt[i]
print(seconds, right / len(Xt))
"""


def run_child(exe, code):
    """Run ``code`` in ``exe``; return its output's numbers, or raise
    RuntimeError with the last line of its error."""
    out = subprocess.run([exe, "-c", code], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr.strip().splitlines()[-1])
    return [float(v) for v in out.stdout.split()]


def epoch_rows(interpreters, directory, repeats):
    """Return table rows of one training epoch per interpreter, tinynet's and
    the hand-written reference's runs alternating, each in a fresh process."""
    rows = []
    for name, exe in interpreters:
        if exe is None:
            rows.append([name, "not installed"] + [""] * 5)
            continue
        ours, theirs = [], []
        try:
            for _ in range(repeats):
                ours.append(run_child(exe, EPOCH_CHILD % (ROOT, directory, directory)))
                theirs.append(run_child(exe, REFERENCE_CHILD % (ROOT, directory, directory)))
        except RuntimeError as err:
            rows.append([name, "failed: %s" % err] + [""] * 5)
            continue
        seconds, ref_seconds = median([r[0] for r in ours]), median([r[0] for r in theirs])
        rows.append([name, "%.1f" % seconds, "%.1f" % ref_seconds, "%.2f" % (seconds / ref_seconds),
                     "%.0f" % max(r[1] for r in ours), "%.2f%%" % (100 * ours[0][2]),
                     "%.2f%%" % (100 * theirs[0][1])])
    return rows


def interpreter_label(name, exe):
    version = subprocess.run([exe, "-c", "import sys; print(sys.version.split()[0])"],
                             capture_output=True, text=True).stdout.strip()
    return "%s (%s)" % (name, version)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epoch", action="store_true", help="also train one full epoch per interpreter")
    parser.add_argument("--epoch-repeats", type=int, default=1,
                        help="epochs of each trainer per interpreter (the median is reported)")
    parser.add_argument("--interpreters", default="python3.11,/usr/bin/python3.11,python3.12,python3.13,pypy3",
                        help="comma-separated names or paths (/usr/bin/python3.11: a distribution's build)")
    parser.add_argument("--matmul-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.matmul_child:
        return matmul_child(args.repeats)

    interpreters = []
    for name in args.interpreters.split(","):
        exe = find_interpreter(name)
        interpreters.append((interpreter_label(name, exe) if exe else name, exe))
    lines = machine() + ["", "A (32 MNIST images) @ W (784 x 32), on each interpreter; Mmadd/s "
                         "counts the dense product; time / the best inline idiom on that "
                         "interpreter (below 1: tinynet is faster)", "",
                         table(["interpreter", "implementation", "M multiply-adds/s",
                                "time / best idiom"], matmul_rows(interpreters, args.repeats))]
    if args.epoch:
        directory = mnist_dir()
        if directory is None:
            lines.append("\n(epoch skipped: full MNIST not found)")
        else:
            lines += ["", "one epoch of 784-32-10 on full MNIST (60,000 images): tinynet's "
                      "pure-Python backend (SGD, batch 32) against the fastest hand-written "
                      "sparse trainer for CPython that we know (one sample at a time; on PyPy "
                      "plain loops would beat it); median of %d, alternating; accuracy on the "
                      "10,000 test images" % args.epoch_repeats, "",
                      table(["interpreter", "tinynet s", "hand-written s", "tinynet / hand-written",
                             "tinynet peak RSS MB", "tinynet accuracy", "hand-written accuracy"],
                            epoch_rows(interpreters, directory, args.epoch_repeats))]
    report("Pure-Python backend", lines)


if __name__ == "__main__":
    main()
