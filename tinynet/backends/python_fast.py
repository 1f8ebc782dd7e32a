"""The default pure-Python backend ("python"): the plain backend, with fast products.

Every operation is ``python_backend``'s (the plain definitions), except the
few that take nearly all of training's time, which are replaced here by
kernels written in each interpreter's fastest idioms: ``matmul`` (the
forward pass), ``matmul_t`` (pushing errors back) and ``add_outer_`` (the
weight update), ``add_`` (momentum's pass over every weight), and the
conversions a batch goes through.  The tests check
every kernel against its plain definition on every interpreter
(``backend="python-plain"`` runs the definitions themselves).  Five habits
make them fast:

* dot products run in C: ``math.sumprod`` on Python 3.12+, otherwise
  ``sum(map(mul, a, b))``;
* columns come from ``zip(*rows)``, which transposes in C;
* zeros in the left operand of a product are skipped: an MNIST image is
  about 80% zeros, so most of a first-layer product is never computed;
* a weight update touches only the rows that non-zero inputs meet;
* rows are added by mapping ``operator.add`` over them, with no bytecode per
  entry (a comprehension is faster for anything more, such as ``x + c * y``).

PyPy's tracing JIT compiles plain loops to machine code, while CPython runs
them a bytecode at a time and is fastest in C-level idioms, so the two hot
kernels also have a plain-loop form, used on PyPy and on MicroPython (it has
no ``operator`` module, so ``map`` there calls a Python function per
element; the loops also update weight rows in place, which a board's small
heap feels).  benchmarks/bench_pure.py measures the idioms against each other.

This backend also multiplies by packed weight matrices (``packed.py``: a
compact model's float32 or int8 weights in one flat array), which the plain
one reads as lists.
"""

import sys

from .python_backend import *  # noqa: F401,F403  (every plain definition not replaced below)
from . import python_backend as _plain
from .python_backend import shape

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


name = "python"

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


def asarray(rows, dtype=None):
    """python_backend.asarray, converting each row in C; a packed weight
    matrix (packed.py) stays packed."""
    if dtype not in (None, "float64"):
        check_dtype(dtype)  # noqa: F405  (it says what is wrong)
    if hasattr(rows, "rmatmul"):
        return rows
    if hasattr(rows, "tolist"):
        rows = rows.tolist()
    out = [_floats(row) for row in rows] if _ON_BOARD else [list(map(float, row)) for row in rows]
    for i, row in enumerate(out):
        if len(row) != len(out[0]):
            raise ValueError("row %d has %d values, row 0 has %d" % (i, len(row), len(out[0])))
    return out


_ON_BOARD = sys.implementation.name == "micropython"


def _floats(row):
    """Return ``row`` as a new list of floats, allocated once at its final
    size (MicroPython): a list grown item by item needs ever larger free
    blocks, which a board's fragmented heap lacks."""
    out = [None] * len(row)
    i = 0
    for v in row:
        out[i] = float(v)
        i += 1
    return out


#: i / 255 for each byte value i, made on first use (on a board it costs 10 KB)
_BYTE_VALUES = []


def from_bytes(buf, m, n, dtype=None):
    """python_backend.from_bytes, by a table lookup per byte."""
    check_dtype(dtype)  # noqa: F405
    if len(buf) < m * n:
        raise ValueError("from_bytes: %d bytes are fewer than %d x %d" % (len(buf), m, n))
    if not _BYTE_VALUES:
        _BYTE_VALUES.extend([i / 255.0 for i in range(256)])
    table = _BYTE_VALUES
    return [[table[p] for p in buf[i * n:(i + 1) * n]] for i in range(m)]


def matmul(a, b):
    """Return ``a @ b``, skipping zero entries of ``a``.

    Each output row is a set of dot products with the columns of ``b``.  For
    a dense row the columns come from one transpose of ``b``, shared by all
    rows; for a mostly-zero row only the rows of ``b`` that meet a non-zero
    entry are gathered and transposed, so the zeros cost nothing.
    """
    if not isinstance(b, list):  # a packed weight matrix (packed.py)
        return b.rmatmul(a)
    n_inner = len(b)
    if a and len(a[0]) != n_inner:
        raise ValueError("matmul: shapes %s and %s are not aligned" % (shape(a), shape(b)))
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
            out.append(list(map(dot, repeat(row), columns)))
        elif nonzero:
            values = [row[k] for k in nonzero]
            out.append(list(map(dot, repeat(values), zip(*[b[k] for k in nonzero]))))
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
        raise ValueError("matmul_t: shapes %s and %s.T are not aligned" % (shape(a), shape(b)))
    return [list(map(dot, repeat(row), b)) for row in a]


def add_(a, b, alpha=1.0):
    """python_backend.add_, adding a row at a time in C when ``alpha`` is 1
    (momentum's ``W += v``); a ``1 x n`` ``b`` added to every row, a shape
    error, and plain loops go to the plain definition."""
    if LOOPS or len(b) != len(a) or (a and len(b[0]) != len(a[0])):
        return _plain.add_(a, b, alpha)
    for i, (row, other) in enumerate(zip(a, b)):
        a[i] = list(map(_plus, row, other)) if alpha == 1.0 else \
            [x + alpha * y for x, y in zip(row, other)]  # (mapping a multiply is slower)
    return a


def add_outer_(w, a, d, alpha):
    """Add ``alpha * a.T @ d`` to ``w`` in place; return ``w``.

    ``a.T @ d`` is a sum of one outer product per sample, ``a[s][k] * d[s]``
    added to row ``k``, so each sample's non-zero inputs update just their
    rows and its zeros cost nothing.  A packed (read-only) ``w`` is refused.
    """
    if not isinstance(w, list):
        w.refuse_writing()
    if len(a) != len(d) or len(w) != len(a[0]) or len(w[0]) != len(d[0]):
        raise ValueError("add_outer_: shapes %s += %s.T @ %s do not fit"
                         % (shape(w), shape(a), shape(d)))
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
