"""The plain pure-Python backend ("python-plain"): every operation, defined plainly.

A matrix is a list of rows, each a list of floats.  This module defines
every operation tinynet's network needs, the obvious way, to be read top to
bottom: with ``backend="python-plain"`` a debugger steps through exactly
this code.  It uses only builtins and ``math``, so it runs on CPython, PyPy
and MicroPython alike.  The default pure-Python backend, "python"
(``python_fast.py``), is this module with the matrix products replaced by
faster kernels; the tests keep the two, and the NumPy backends, in agreement.

Conventions shared by every backend: everything is 2-D; a scalar, a
``1 x n`` row (a bias) or an ``m x 1`` column (a row's sum) broadcasts
against a matrix; a reduction with ``axis=None`` returns a float; ``argmax``
returns a list of ints.  Functions return new matrices, except those whose
names end in ``_``, which update their first argument in place and return it.
"""

import math

name = "python-plain"

#: Made at run time, not ``math.inf``/``math.nan``: a firmware with tinynet
#: frozen in could not be built otherwise (see test_layout.py).
_INF, _NAN = float("inf"), float("nan")

# === Construction and conversion ===


def check_dtype(dtype):
    """Return the dtype name this backend computes in (always float64)."""
    if dtype not in (None, "float64", "double", float):
        raise ValueError("the python backends compute in float64 only, not %r" % (dtype,))
    return "float64"


def asarray(rows, dtype=None):
    """Return a new matrix from a sequence of equal-length rows of numbers.

    >>> asarray([(1, 2), [3.5, 4]])
    [[1.0, 2.0], [3.5, 4.0]]
    """
    check_dtype(dtype)
    if hasattr(rows, "tolist"):  # a NumPy array or a Matrix: no NumPy import
        rows = rows.tolist()
    out = [[float(v) for v in row] for row in rows]
    for i, row in enumerate(out):
        if len(row) != len(out[0]):
            raise ValueError("row %d has %d values, row 0 has %d" % (i, len(row), len(out[0])))
    return out


def zeros(m, n, dtype=None):
    check_dtype(dtype)
    return [[0.0] * n for _ in range(m)]


def from_bytes(buf, m, n, dtype=None):
    """Return the ``m x n`` matrix of ``buf``'s first ``m * n`` bytes, each
    divided by 255 (fewer bytes is a ValueError).

    >>> from_bytes(b"\\x00\\xff\\x33\\x66", 2, 2)
    [[0.0, 1.0], [0.2, 0.4]]
    """
    check_dtype(dtype)
    if len(buf) < m * n:
        raise ValueError("from_bytes: %d bytes are fewer than %d x %d" % (len(buf), m, n))
    return [[buf[i * n + j] / 255.0 for j in range(n)] for i in range(m)]


def tolist(a):
    """Return a copy of ``a`` as a list of lists of floats."""
    return [list(row) for row in a]


copy = tolist


def shape(a):
    return (len(a), len(a[0]) if a else 0)


def take(a, indices):
    return [a[i] for i in indices]  # the rows at ``indices``, in that order


def transpose(a):
    """Return the transpose of ``a``: ``[[1, 2], [3, 4]]`` gives ``[[1, 3], [2, 4]]``."""
    return [list(col) for col in zip(*a)]


def vstack(parts):
    out = []  # the rows of all the matrices in ``parts``, in order
    for part in parts:
        out.extend(part)
    return out


# === Products ===


def dot(a, b):
    """Return the dot product of two equal-length sequences of numbers.

    >>> dot([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])
    32.0
    """
    total = 0.0
    for x, y in zip(a, b):
        total += x * y
    return total


def matmul(a, b):
    """Return the matrix product ``a @ b``: entry ``[i][j]`` is the dot
    product of row ``i`` of ``a`` with column ``j`` of ``b``.

    >>> matmul([[1.0, 2.0], [0.0, 1.0]], [[1.0, 0.0], [3.0, 1.0]])
    [[7.0, 2.0], [3.0, 1.0]]
    """
    if a and len(a[0]) != len(b):
        raise ValueError("matmul: shapes %s and %s are not aligned" % (shape(a), shape(b)))
    columns = transpose(b)
    return [[dot(row, col) for col in columns] for row in a]


def matmul_t(a, b):
    """Return ``a @ b.T``: every row of ``a`` dotted with every row of ``b``
    (how an error is pushed back through a weight matrix).

    >>> matmul_t([[1.0, 2.0]], [[3.0, 4.0], [5.0, 6.0]])
    [[11.0, 17.0]]
    """
    if a and b and len(a[0]) != len(b[0]):
        raise ValueError("matmul_t: shapes %s and %s.T are not aligned" % (shape(a), shape(b)))
    return [[dot(row, other) for other in b] for row in a]


def add_outer_(w, a, d, alpha):
    """Add ``alpha * a.T @ d`` to ``w`` in place; return ``w``.

    This is a weight update in one pass: ``a.T @ d`` is a sum of one outer
    product per sample, so sample ``s`` adds ``alpha * a[s][k] * d[s][j]``
    to ``w[k][j]``.  An input that is zero adds nothing, so its row is
    skipped (an MNIST image is about 80% zeros).

    >>> add_outer_([[0.0, 0.0], [1.0, 1.0]], [[2.0, 0.0]], [[1.0, -1.0]], 0.5)
    [[1.0, -1.0], [1.0, 1.0]]
    """
    if len(a) != len(d) or len(w) != len(a[0]) or len(w[0]) != len(d[0]):
        raise ValueError("add_outer_: shapes %s += %s.T @ %s do not fit"
                         % (shape(w), shape(a), shape(d)))
    for row, delta in zip(a, d):
        for k, v in enumerate(row):
            if v != 0.0:
                wk = w[k]
                for j, y in enumerate(delta):
                    wk[j] += alpha * v * y
    return w


# === Elementwise arithmetic, with broadcasting ===


def _rows(a, b, opname):
    """Return ``a`` and ``b`` as a list of pairs of equal-length rows, for an
    operation entry by entry: two matrices of one shape, or a matrix and a
    scalar, a ``1 x n`` row (a bias) or an ``m x 1`` column (each row's sum),
    which is repeated to the matrix's shape."""
    if not isinstance(a, list):  # a scalar on the left, as in 1 - a
        return [([a] * len(row), row) for row in b]
    if not isinstance(b, list):
        return [(row, [b] * len(row)) for row in a]
    (m, n), (p, q) = (len(a), len(a[0]) if a else 0), (len(b), len(b[0]) if b else 0)
    if (p, q) == (m, n):
        return list(zip(a, b))
    if p == 1 and q == n:
        return [(row, b[0]) for row in a]
    if p == m and q == 1:
        return [(row, [other[0]] * n) for row, other in zip(a, b)]
    raise ValueError("%s: shapes %s and %s do not broadcast" % (opname, (m, n), (p, q)))


def add(a, b):
    """Return ``a + b``.

    >>> add([[1.0, 2.0], [3.0, 4.0]], [[10.0, 20.0]])
    [[11.0, 22.0], [13.0, 24.0]]
    """
    return [[x + y for x, y in zip(p, q)] for p, q in _rows(a, b, "add")]


def subtract(a, b):
    """Return ``a - b``.

    >>> subtract([[1.0, 2.0], [3.0, 4.0]], [[1.0], [2.0]])
    [[0.0, 1.0], [1.0, 2.0]]
    """
    return [[x - y for x, y in zip(p, q)] for p, q in _rows(a, b, "subtract")]


def multiply(a, b):
    """Return ``a * b`` entry by entry (not the matrix product)."""
    return [[x * y for x, y in zip(p, q)] for p, q in _rows(a, b, "multiply")]


def divide(a, b):
    """Return ``a / b`` entry by entry."""
    return [[x / y for x, y in zip(p, q)] for p, q in _rows(a, b, "divide")]


#: The largest x whose e**x is a finite float (single-precision MicroPython
#: builds have smaller floats); beyond it, e**x is inf, as in NumPy, where
#: math.exp would raise (OverflowError; ValueError on MicroPython).
_EXP_MAX = 709.782712893384 if float("1e300") != _INF else 88.72283


def exp(a):
    """Return e**x for each entry x; overflow gives inf, as in NumPy."""
    e = math.exp
    return [[_INF if x > _EXP_MAX else e(x) for x in row] for row in a]


def log(a):
    """Return log(x) for each entry; log(0) is -inf and log(-1) nan, as in NumPy."""
    ln = math.log
    return [[ln(x) if x > 0.0 else (-_INF if x == 0.0 else _NAN) for x in row] for row in a]


def tanh(a):
    return [[math.tanh(x) for x in row] for row in a]


def sqrt(a):
    return [[math.sqrt(x) for x in row] for row in a]


def softmax(a):
    """Return each row's softmax: e**x over the sum of the row's e**x.  The
    row's largest entry is subtracted first (which changes nothing), so that
    e**x is at most 1 and cannot overflow.

    >>> [[round(p, 6) for p in row] for row in softmax([[1.0, 2.0, 3.0], [1000.0, 0.0, 1000.0]])]
    [[0.090031, 0.244728, 0.665241], [0.5, 0.0, 0.5]]
    """
    out = []
    for row in a:
        top = max(row)
        e = [math.exp(x - top) for x in row]
        total = sum(e)
        out.append([x / total for x in e])
    return out


def maximum(a, c):
    """Return each entry or the number ``c``, whichever is larger; a nan
    stays nan (as in NumPy), so that the network sees it.

    >>> maximum([[-1.0, 2.0, float("nan")]], 0.0)
    [[0.0, 2.0, nan]]
    """
    return [[c if x < c else x for x in row] for row in a]


def greater(a, c):
    """Return 1.0 where an entry is greater than the number ``c``, else 0.0.

    >>> greater([[-1.0, 0.0, 3.0]], 0.0)
    [[0.0, 0.0, 1.0]]
    """
    return [[1.0 if x > c else 0.0 for x in row] for row in a]


# === Reductions ===


def reduce_sum(a, axis=None):
    """Return the sum of all entries (a float), of each column (axis 0, a
    ``1 x n`` row) or of each row (axis 1, an ``m x 1`` column).

    >>> reduce_sum([[1.0, 2.0], [3.0, 4.0]], axis=0), reduce_sum([[1.0, 2.0]], axis=1)
    ([[4.0, 6.0]], [[3.0]])
    """
    if axis is None:
        return float(sum(map(sum, a)))
    if axis == 0:
        return [[float(sum(col)) for col in zip(*a)]]
    return [[float(sum(row))] for row in a]


def reduce_max(a, axis=None):
    """Return the largest entry (a float), or of each column or row."""
    if axis is None:
        return float(max(map(max, a)))
    if axis == 0:
        return [[max(col) for col in zip(*a)]]
    return [[max(row)] for row in a]


def argmax(a):
    """Return the index of the largest entry in each row (the first on ties)."""
    return [row.index(max(row)) for row in a]


def all_finite(a):
    """Return whether no entry is inf or nan."""
    for row in a:
        for x in row:
            if x - x != 0.0:  # inf - inf and nan - nan are nan
                return False
    return True


try:
    from contextlib import nullcontext as quiet
except ImportError:  # MicroPython

    class quiet:
        """The context the network computes in (see numpy_backend.quiet):
        Python's floats give inf and nan without a warning already."""

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False


# === In-place updates, for the optimizers ===


def add_(a, b, alpha=1.0):
    """Add ``alpha * b`` to ``a`` in place (``b`` of ``a``'s shape, or a
    ``1 x n`` row added to every row); return ``a``."""
    if (len(b) != len(a) and len(b) != 1) or (a and len(b[0]) != len(a[0])):
        raise ValueError("add_: shapes %s and %s do not broadcast" % (shape(a), shape(b)))
    for i, row in enumerate(a):
        other = b[i] if len(b) == len(a) else b[0]
        a[i] = [x + alpha * y for x, y in zip(row, other)]
    return a


def scale_(a, c):
    """Multiply ``a`` by the number ``c`` in place; return ``a``."""
    for i, row in enumerate(a):
        a[i] = [c * x for x in row]
    return a
