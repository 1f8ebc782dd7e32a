"""The pure-Python backend's fast kernels: the same products as the definitions
in python_backend.py, written in the fastest idioms each interpreter has.

Training spends nearly all its time in three operations: ``matmul`` (the
forward pass), ``matmul_t`` (pushing errors back) and ``add_outer_`` (the
weight update).  python_backend.py defines them plainly; on import it
replaces them with the kernels here, which the tests check against the
definitions on every interpreter.  Four habits make them fast:

* dot products run in C: ``math.sumprod`` on Python 3.12+, otherwise
  ``sum(map(mul, a, b))``;
* columns come from ``zip(*rows)``, which transposes in C;
* zeros in the left operand of a product are skipped: an MNIST image is
  about 80% zeros, so most of a first-layer product is never computed;
* a weight update touches only the rows that non-zero inputs meet.

PyPy's tracing JIT compiles plain loops to machine code, while CPython runs
them a bytecode at a time and is fastest in C-level idioms (map, zip, sum),
so the two hot kernels also have a plain-loop form, used on PyPy, and on
MicroPython too: it has no ``operator`` module, so ``map`` there calls a
Python function per element, slower than the loop itself, and the loops
update the weight rows in place instead of making a new row per input, which
a board's small heap feels (a 16-16-4 network trains in 40% less time and
4 to 9 KB less heap).  benchmarks/bench_pure.py measures the idioms against
each other.
"""

import sys

try:
    from operator import add as _plus, mul as _times
except ImportError:  # MicroPython's operator module has neither

    def _plus(a, b):
        return a + b

    def _times(a, b):
        return a * b


try:
    from itertools import compress, repeat
except ImportError:  # MicroPython firmware has no itertools

    def compress(data, selectors):
        return [d for d, s in zip(data, selectors) if s]

    def repeat(value):
        while True:
            yield value


if sys.implementation.name == "micropython":  # pragma: no mutate (both floats() give the same)

    def floats(row):
        """Return ``row`` as a new list of floats, allocated once at its
        final size: a list grown item by item (``list(map(...))``) needs
        ever larger free blocks, which a board's fragmented heap lacks."""
        out = [None] * len(row)
        i = 0
        for v in row:
            out[i] = float(v)
            i += 1
        return out

else:

    def floats(row):
        """Return ``row`` as a new list of floats."""
        return list(map(float, row))


#: Whether plain loops are this interpreter's fastest kernels (see above).
LOOPS = sys.implementation.name in ("pypy", "micropython")

#: With ``math.sumprod`` (3.12+), add_outer_ takes batches of this many
#: samples or more as dot products over the batch; below it, one row update
#: per non-zero input is faster.
DOTS_FROM = 16  # pragma: no mutate (a speed threshold: either kernel gives the same update)

try:
    from math import sumprod as _sumprod  # 3.12+: one C loop, compensated summation
except ImportError:
    _sumprod = None

if _sumprod is not None:
    dot = _sumprod
else:

    def dot(a, b):
        """Return the dot product of two equal-length sequences."""
        return sum(map(_times, a, b))


def _dots(values, columns):
    """Return ``[dot(values, col) for col in columns]``, as fast as this
    interpreter allows: ``math.sumprod`` mapped in C where it exists."""
    if _sumprod is not None:
        return list(map(_sumprod, repeat(values), columns))
    return [sum(map(_times, values, col)) for col in columns]


def shape(a):
    return (len(a), len(a[0]) if a else 0)


def check_product(a, b, opname):
    """Raise ValueError unless ``a @ b`` is defined."""
    if a and len(a[0]) != len(b):
        raise ValueError("%s: shapes %s and %s are not aligned" % (opname, shape(a), shape(b)))


def check_outer(w, a, d):
    """Raise ValueError unless ``w += a.T @ d`` is defined, and refuse a
    packed (read-only) ``w``, which the row-updating kernels would not write."""
    if not isinstance(w, list):
        w.refuse_writing()
    if len(a) != len(d) or len(w) != len(a[0]) or len(w[0]) != len(d[0]):
        raise ValueError("add_outer_: shapes %s += %s.T @ %s do not fit"
                         % (shape(w), shape(a), shape(d)))


def matmul(a, b):
    """Return the matrix product ``a @ b``, skipping zero entries of ``a``.

    Each output row is a set of dot products with the columns of ``b``.  For
    a dense row the columns come from one transpose of ``b``, shared by all
    rows; for a mostly-zero row only the rows of ``b`` that meet a non-zero
    entry are gathered and transposed, so the zeros cost nothing.
    """
    if not isinstance(b, list):  # a packed weight matrix (packed.py)
        return b.rmatmul(a)
    check_product(a, b, "matmul")
    n_inner = len(b)
    n_out = len(b[0]) if b else 0
    if LOOPS:
        return _matmul_loops(a, b, n_out)
    columns = None  # all of b's columns, made on first need
    out = []
    for row in a:
        nonzero = list(compress(range(n_inner), row))
        if 2 * len(nonzero) > n_inner:  # dense enough: use every column
            if columns is None:
                columns = list(zip(*b))
            out.append(_dots(row, columns))
        elif nonzero:
            values = [row[k] for k in nonzero]
            out.append(_dots(values, zip(*[b[k] for k in nonzero])))
        else:
            out.append([0.0] * n_out)
    return out


def _matmul_loops(a, b, n_out):
    """matmul in plain loops (PyPy, MicroPython): out[i] = sum of a[i][k] * b[k]."""
    out = []
    for row in a:
        acc = [0.0] * n_out
        for k in range(len(row)):
            v = row[k]
            if v != 0.0:
                bk = b[k]
                for j in range(n_out):
                    acc[j] += v * bk[j]
        out.append(acc)
    return out


def matmul_t(a, b):
    """Return ``a @ b.T``: every row of ``a`` dotted with every row of ``b``."""
    if a and b and len(a[0]) != len(b[0]):
        raise ValueError(
            "matmul_t: shapes %s and %s.T are not aligned" % (shape(a), shape(b))
        )
    return [_dots(row, b) for row in a]


def add_outer_(w, a, d, alpha):
    """Add ``alpha * a.T @ d`` to ``w`` in place; return ``w``.

    This is the weight update of plain SGD, fused: ``a.T @ d`` is a sum of
    one outer product per sample, ``a[s][k] * d[s]`` added to row ``k``, so
    each sample's non-zero inputs update just their rows and its zeros cost
    nothing.  (Forming ``a.T @ d`` first would cost one short dot product
    per weight.)
    """
    check_outer(w, a, d)
    if LOOPS:
        return _add_outer_loops(w, a, d, alpha)
    if _sumprod is not None and len(a) >= DOTS_FROM:  # pragma: no mutate (a speed choice)
        return _add_outer_dots(w, a, d, alpha)
    columns = range(len(w))
    for row, delta in zip(a, d):
        # Many inputs share a value (an MNIST image has ~70 distinct pixel
        # values in ~150 non-zeros): scale delta once per value.
        scaled = {}
        for k in compress(columns, row):
            v = row[k]
            step = scaled.get(v)
            if step is None:
                c = alpha * v
                step = scaled[v] = [c * y for y in delta]
            w[k] = list(map(_plus, w[k], step))
    return w


def _add_outer_dots(w, a, d, alpha):
    """add_outer_ as dot products over the batch (for ``math.sumprod``).

    Row ``k`` of ``a.T @ d`` is column ``k`` of ``a`` dotted with each
    column of ``d``: one C call per weight, however many samples share the
    input.  An input that is zero in every sample leaves its row alone.
    """
    scaled = [[alpha * y for y in col] for col in zip(*d)]
    for k, col in enumerate(zip(*a)):
        if any(col):
            w[k] = list(map(_plus, w[k], map(dot, repeat(col), scaled)))
    return w


def _add_outer_loops(w, a, d, alpha):
    """add_outer_ in plain loops (PyPy, MicroPython), updating rows in place."""
    for row, delta in zip(a, d):
        n = len(delta)
        for k in range(len(row)):
            v = row[k]
            if v != 0.0:
                c = alpha * v
                wk = w[k]
                for j in range(n):
                    wk[j] += c * delta[j]
    return w


