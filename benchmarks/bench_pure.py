"""Pure-Python backend vs the best pure-Python code, and across interpreters.

    python benchmarks/bench_pure.py [--interpreters python3.11,/usr/bin/python3.11,pypy3]
                                    [--epoch [--epoch-repeats 3] [--epoch-images 60000]]

1. Matrix-product throughput, on each interpreter: a batch of 32 MNIST
   images (784 pixels) times a 784 x 32 weight matrix, tinynet's ``matmul``
   against the fastest idioms written inline (``sum(map(mul, ...))`` over
   columns, ``math.sumprod`` on 3.12+, dense or over the non-zero pixels'
   rows, and row accumulation that skips zero pixels, as a comprehension
   and as a plain loop), in millions of multiply-adds per second (counting
   the dense 32x784x32).
2. With ``--epoch``: 784-32-10 training on ``--epoch-images`` MNIST images
   (SGD, batch 32; all 60,000 by default), in a fresh process per
   interpreter, with its peak memory, against the fastest hand-written
   sparse trainer we know for CPython, run alternately on the same
   interpreter, ``--epoch-repeats`` rounds.
"""

import argparse
import json
import math
import os
import subprocess
from operator import mul

from common import (PEAK_MB, ROOT, find_interpreter, interleaved, machine, median, mnist_dir,
                    report, spread, table, timed, verdict)

from tinynet.backends import python_fast as ops


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
    print ``{name: [seconds of each round]}`` as JSON."""
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
    calls = {}
    for name, run in runs.items():  # warm-up (PyPy's JIT compiles here); calls per round
        for _ in range(3):
            seconds = timed(run)[0]
        calls[name] = max(1, int(0.2 / max(seconds, 1e-6)))  # rounds of about 0.2 s
    rounds = {name: (lambda run=run, k=calls[name]: [run() for _ in range(k)])
              for name, run in runs.items()}
    times = interleaved(rounds, repeats)
    print(json.dumps({name: [t / calls[name] for t in ts] for name, ts in times.items()}))


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
        times = json.loads(out.stdout.splitlines()[-1])
        best = min((median(t), n) for n, t in times.items() if n != "tinynet matmul")[1]
        for implementation, t in sorted(times.items(), key=lambda item: median(item[1])):
            ratios = [a / b for a, b in zip(t, times[best])]
            rows.append([name, implementation, "%.1f" % (madds / median(t) / 1e6), spread(ratios)])
    return rows


EPOCH_CHILD = PEAK_MB + """
import sys, time
sys.path.insert(0, %r)
from tinynet import DNN, datasets
X, y = datasets.load_mnist("train", %r, download=False)
X, y = X[:%d], y[:%d]
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
for i in range(%d):
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


def epoch_rows(interpreters, directory, repeats, images):
    """Return table rows of training on ``images`` MNIST images per
    interpreter, tinynet's and the hand-written reference's runs alternating,
    each in a fresh process."""
    rows = []
    for name, exe in interpreters:
        if exe is None:
            rows.append([name, "not installed"] + [""] * 6)
            continue
        ours, theirs = [], []
        try:
            for _ in range(repeats):
                ours.append(run_child(exe, EPOCH_CHILD % (ROOT, directory, images, images,
                                                          directory)))
                theirs.append(run_child(exe, REFERENCE_CHILD % (ROOT, directory, images,
                                                                directory)))
        except RuntimeError as err:
            rows.append([name, "failed: %s" % err] + [""] * 6)
            continue
        ratios = [a[0] / b[0] for a, b in zip(ours, theirs)]
        rows.append([name, spread([r[0] for r in ours], 1), spread([r[0] for r in theirs], 1),
                     spread(ratios), verdict(ratios), "%.0f" % max(r[1] for r in ours),
                     "%.2f%%" % (100 * ours[0][2]), "%.2f%%" % (100 * theirs[0][1])])
    return rows


def interpreter_label(name, exe):
    version = subprocess.run([exe, "-c", "import sys; print(sys.version.split()[0])"],
                             capture_output=True, text=True).stdout.strip()
    return "%s (%s)" % (name, version)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epoch", action="store_true", help="also train one full epoch per interpreter")
    parser.add_argument("--epoch-repeats", type=int, default=3,
                        help="rounds of each trainer per interpreter (at least 3)")
    parser.add_argument("--epoch-images", type=int, default=60000,
                        help="images per round (60000: a full epoch)")
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
    lines = machine() + ["", "A (32 MNIST images) @ W (784 x 32), on each interpreter, %d rounds "
                         "of every implementation in turn; Mmadd/s (the median round) counts the "
                         "dense product; time / the best inline idiom on that interpreter, round "
                         "by round: median (lowest-highest)" % args.repeats, "",
                         table(["interpreter", "implementation", "M multiply-adds/s",
                                "time / best idiom"], matmul_rows(interpreters, args.repeats))]
    if args.epoch:
        directory = mnist_dir()
        if directory is None:
            lines.append("\n(epoch skipped: full MNIST not found)")
        else:
            lines += ["", "training 784-32-10 on the first %d MNIST training images (a full "
                      "epoch is 60,000): tinynet's pure-Python backend (SGD, batch 32) against "
                      "the fastest hand-written sparse trainer for CPython that we know (one "
                      "sample at a time; on PyPy plain loops would beat it); %d rounds, the two "
                      "alternating, each in a fresh process; seconds and the ratio tinynet / "
                      "hand-written, round by round: median (lowest-highest); accuracy on the "
                      "10,000 test images" % (args.epoch_images, args.epoch_repeats), "",
                      table(["interpreter", "tinynet s", "hand-written s", "tinynet / hand-written",
                             "verdict", "tinynet peak RSS MB", "tinynet accuracy",
                             "hand-written accuracy"],
                            epoch_rows(interpreters, directory, args.epoch_repeats,
                                       args.epoch_images))]
    report("Pure-Python backend", lines)


if __name__ == "__main__":
    main()
