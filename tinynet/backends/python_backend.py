"""The pure-Python backend: a matrix is a list of rows, each a list of floats.

This module is the readable definition of every operation tinynet needs; the
NumPy backend computes the same things faster, and the test suite keeps the
two in agreement.  It uses only builtins and ``math``, so it runs on CPython,
PyPy and MicroPython alike.

Speed comes from four pure-Python habits:

* dot products run in C: ``math.sumprod`` on Python 3.12+, otherwise
  ``sum(map(mul, a, b))``;
* columns come from ``zip(*rows)``, which transposes in C;
* zeros in the left operand of a product are skipped: an MNIST image is
  about 80% zeros, so most of a first-layer product is never computed;
* a weight update touches only the rows that non-zero inputs meet.

Conventions shared by both backends: everything is 2-D; a bias or a column
sum is a ``1 x n`` row; a reduction with ``axis=None`` returns a float;
``argmax`` returns a list of ints.  Functions return new matrices, except
those whose names end in ``_``, which update their first argument in place
(the optimizers' fused updates).
"""

import math
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
except ImportError:  # MicroPython has repeat but not compress

    from itertools import repeat

    def compress(data, selectors):
        return [d for d, s in zip(data, selectors) if s]


exp = math.exp
log = math.log

name = "python"

#: PyPy's tracing JIT compiles plain loops to machine code, while CPython and
#: MicroPython run them a bytecode at a time and are fastest in C-level
#: idioms (map, zip, sum).  The two hot functions, matmul and add_outer_,
#: therefore have a plain-loop kernel too, used on PyPy.
JIT = sys.implementation.name == "pypy"

#: With ``math.sumprod`` (3.12+), add_outer_ takes batches of this many
#: samples or more as dot products over the batch; below it, one row update
#: per non-zero input is faster.  (Measured on MNIST: about even at 16.)
DOTS_FROM = 16

#: Cross-entropy clips probabilities to at least this, so it never takes log(0).
EPS = 1e-12

# === Dot products ===

_sumprod = getattr(math, "sumprod", None)  # 3.12+: one C loop, compensated summation

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


# === Construction and conversion ===


def check_dtype(dtype):
    """Return the dtype name this backend computes in (always float64)."""
    if dtype not in (None, "float64", "double", float):
        raise ValueError(
            "the python backend computes in float64 only, not %r" % (dtype,)
        )
    return "float64"


def asarray(rows, dtype=None):
    """Return a new matrix from a sequence of equal-length rows of numbers."""
    check_dtype(dtype)
    if hasattr(rows, "tolist"):  # a NumPy array or a Matrix: no NumPy import
        rows = rows.tolist()
    out = [list(map(float, row)) for row in rows]
    if out:
        width = len(out[0])
        for i, row in enumerate(out):
            if len(row) != width:
                raise ValueError(
                    "row %d has %d values, row 0 has %d" % (i, len(row), width)
                )
    return out


def zeros(m, n, dtype=None):
    """Return an ``m x n`` matrix of zeros."""
    check_dtype(dtype)
    return [[0.0] * n for _ in range(m)]


_BYTE_VALUES = [i / 255.0 for i in range(256)]


try:
    _byte_value = _BYTE_VALUES.__getitem__  # a C-level lookup for map()
except AttributeError:  # MicroPython has no bound list.__getitem__

    def _byte_value(p):
        return _BYTE_VALUES[p]


def from_bytes(buf, m, n, dtype=None):
    """Return the ``m x n`` matrix of ``buf``'s bytes scaled to [0, 1] by /255."""
    check_dtype(dtype)
    return [list(map(_byte_value, buf[i * n:(i + 1) * n])) for i in range(m)]


def one_hot(labels, n, dtype=None):
    """Return one row per label with 1.0 in that label's column."""
    check_dtype(dtype)
    rows = []
    for label in labels:
        row = [0.0] * n
        row[label] = 1.0
        rows.append(row)
    return rows


def tolist(a):
    """Return a copy of ``a`` as a list of lists of floats."""
    return [list(row) for row in a]


def copy(a):
    return [list(row) for row in a]


def shape(a):
    return (len(a), len(a[0]) if a else 0)


def take(a, indices):
    """Return the rows of ``a`` at ``indices``, in that order."""
    return [a[i] for i in indices]


def transpose(a):
    return [list(col) for col in zip(*a)]


# === Products ===


def matmul(a, b):
    """Return the matrix product ``a @ b``, skipping zero entries of ``a``.

    Each output row is a set of dot products with the columns of ``b``.  For
    a dense row the columns come from one transpose of ``b``, shared by all
    rows; for a mostly-zero row only the rows of ``b`` that meet a non-zero
    entry are gathered and transposed, so the zeros cost nothing.
    """
    n_inner = len(b)
    if a and len(a[0]) != n_inner:
        raise ValueError(
            "matmul: shapes %s and %s are not aligned" % (shape(a), shape(b))
        )
    n_out = len(b[0]) if b else 0
    if JIT:
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
    """matmul in plain loops (for PyPy): out[i] = sum of a[i][k] * b[k]."""
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


def vstack(parts):
    """Return the rows of all the matrices in ``parts``, in order."""
    out = []
    for part in parts:
        out.extend(part)
    return out


def add_outer_(w, a, d, alpha):
    """Add ``alpha * a.T @ d`` to ``w`` in place; return ``w``.

    This is the weight update of plain SGD, fused: ``a.T @ d`` is a sum of
    one outer product per sample, ``a[s][k] * d[s]`` added to row ``k``, so
    each sample's non-zero inputs update just their rows and its zeros cost
    nothing.  (Forming ``a.T @ d`` first would cost one short dot product
    per weight.)
    """
    if len(a) != len(d) or len(w) != len(a[0]) or len(w[0]) != len(d[0]):
        raise ValueError(
            "add_outer_: shapes %s += %s.T @ %s do not fit"
            % (shape(w), shape(a), shape(d))
        )
    if JIT:
        return _add_outer_loops(w, a, d, alpha)
    if _sumprod is not None and len(a) >= DOTS_FROM:
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
    """add_outer_ in plain loops (for PyPy), updating rows in place."""
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


# === Elementwise arithmetic, with scalars and 1 x n rows broadcast ===


def _is_scalar(x):
    return isinstance(x, (int, float))


def _binary(op, a, b, opname):
    if _is_scalar(b):
        return [[op(x, b) for x in row] for row in a]
    if len(b) == 1 and len(a) != 1:  # broadcast a 1 x n row, e.g. a bias
        if a and len(a[0]) != len(b[0]):
            raise ValueError(
                "%s: shapes %s and %s do not broadcast" % (opname, shape(a), shape(b))
            )
        brow = b[0]
        return [list(map(op, row, brow)) for row in a]
    if shape(a) != shape(b):
        raise ValueError(
            "%s: shapes %s and %s do not broadcast" % (opname, shape(a), shape(b))
        )
    return [list(map(op, r, s)) for r, s in zip(a, b)]


def _sub(x, y):
    return x - y


def _div(x, y):
    return x / y


def add(a, b):
    return _binary(_plus, a, b, "add")


def subtract(a, b):
    return _binary(_sub, a, b, "subtract")


def multiply(a, b):
    return _binary(_times, a, b, "multiply")


def divide(a, b):
    return _binary(_div, a, b, "divide")


def negative(a):
    return [[-x for x in row] for row in a]


def square(a):
    return [[x * x for x in row] for row in a]


def _safe_exp(x):
    try:
        return exp(x)
    except (OverflowError, ValueError):  # MicroPython raises ValueError
        return math.inf if x > 0 else 0.0


def _safe_log(x):
    if x > 0.0:
        return log(x)
    return -math.inf if x == 0.0 else math.nan


def elementwise_exp(a):
    """Return e**a for each entry; overflow gives inf, as in NumPy."""
    return [[_safe_exp(x) for x in row] for row in a]


def elementwise_log(a):
    """Return log(a) for each entry; log(0) is -inf, as in NumPy."""
    return [[_safe_log(x) for x in row] for row in a]


# === Reductions ===


def reduce_sum(a, axis=None):
    """Return the sum of all entries (a float), of each column (axis 0, a
    ``1 x n`` row) or of each row (axis 1, an ``m x 1`` column)."""
    if axis is None:
        return float(sum(map(sum, a)))
    if axis == 0:
        return [[float(sum(col)) for col in zip(*a)]]
    return [[float(sum(row))] for row in a]


def reduce_max(a, axis=None):
    if axis is None:
        return float(max(map(max, a)))
    if axis == 0:
        return [[max(col) for col in zip(*a)]]
    return [[max(row)] for row in a]


def argmax(a):
    """Return the index of the largest entry in each row (the first on ties)."""
    return [row.index(max(row)) for row in a]


def all_finite(a):
    for row in a:
        for x in row:
            if x - x != 0.0:  # inf - inf and nan - nan are nan
                return False
    return True


# === Activations and their derivatives (written in terms of the output) ===


def _sigmoid1(z):
    # Branch on the sign so exp only ever sees a number <= 0 and cannot
    # overflow (CPython raises OverflowError there, MicroPython ValueError).
    if z >= 0.0:
        return 1.0 / (1.0 + exp(-z))
    e = exp(z)
    return e / (1.0 + e)


def sigmoid(z):
    return [list(map(_sigmoid1, row)) for row in z]


def sigmoid_backward(a, d):
    """Return ``d * a * (1 - a)``: the chain rule through a sigmoid whose
    output was ``a``."""
    return [[y * x * (1.0 - x) for x, y in zip(ra, rd)] for ra, rd in zip(a, d)]


def tanh(z):
    return [list(map(math.tanh, row)) for row in z]


def tanh_backward(a, d):
    return [[y * (1.0 - x * x) for x, y in zip(ra, rd)] for ra, rd in zip(a, d)]


def relu(z):
    return [[x if x > 0.0 else 0.0 for x in row] for row in z]


def relu_backward(a, d):
    return [[y if x > 0.0 else 0.0 for x, y in zip(ra, rd)] for ra, rd in zip(a, d)]


def identity_backward(a, d):
    return d


def softmax(z):
    """Return each row's softmax; subtracting the row's max keeps exp <= 1."""
    out = []
    for row in z:
        top = max(row)
        e = [exp(x - top) for x in row]
        total = sum(e)
        out.append([x / total for x in e])
    return out


def softmax_backward(a, d):
    """Return the softmax Jacobian applied to ``d``: ``a * (d - <d, a>)``."""
    out = []
    for ra, rd in zip(a, d):
        s = dot(rd, ra)
        out.append([x * (y - s) for x, y in zip(ra, rd)])
    return out


# === Losses: totals over every entry, which the caller divides by n ===


def squared_error(a, y):
    """Return ``0.5 * sum((a - y)**2)``."""
    total = 0.0
    for ra, ry in zip(a, y):
        total += sum([(p - t) * (p - t) for p, t in zip(ra, ry)])
    return 0.5 * total


def cross_entropy(a, y):
    """Return ``-sum(y * log(a))`` with ``a`` clipped to at least EPS."""
    total = 0.0
    for ra, ry in zip(a, y):
        total += sum([t * log(p if p > EPS else EPS) for p, t in zip(ra, ry) if t])
    return -total


def binary_cross_entropy(a, y):
    """Return ``-sum(y log(a) + (1 - y) log(1 - a))``, clipped at EPS."""
    total = 0.0
    for ra, ry in zip(a, y):
        for p, t in zip(ra, ry):
            q = 1.0 - p
            total += t * log(p if p > EPS else EPS) + (1.0 - t) * log(q if q > EPS else EPS)
    return -total


# === In-place updates, for the optimizers ===


def add_(a, b, alpha=1.0):
    """Add ``alpha * b`` to ``a`` in place, ``b`` of the same shape or a
    ``1 x n`` row added to every row; return ``a``."""
    if shape(a) != shape(b) and not (len(b) == 1 and a and len(b[0]) == len(a[0])):
        raise ValueError("add_: shapes %s and %s do not broadcast" % (shape(a), shape(b)))
    rows = b if len(b) == len(a) else [b[0]] * len(a)
    if alpha == 1.0:
        for i, (x, y) in enumerate(zip(a, rows)):
            a[i] = list(map(_plus, x, y))
    else:
        for i, (x, y) in enumerate(zip(a, rows)):
            a[i] = [p + alpha * q for p, q in zip(x, y)]
    return a


def scale_(a, c):
    """Multiply ``a`` by the scalar ``c`` in place; return ``a``."""
    for i, row in enumerate(a):
        a[i] = [c * x for x in row]
    return a


def adam_(w, g, m, v, lr, beta1, beta2, eps):
    """One Adam update of ``w`` in place, given the gradient ``g`` and the
    moment estimates ``m`` and ``v`` (also updated in place).  ``lr`` already
    carries the bias correction."""
    c1, c2 = 1.0 - beta1, 1.0 - beta2
    sqrt = math.sqrt
    for i in range(len(w)):
        mi = [beta1 * x + c1 * y for x, y in zip(m[i], g[i])]
        vi = [beta2 * x + c2 * (y * y) for x, y in zip(v[i], g[i])]
        m[i], v[i] = mi, vi
        w[i] = [x - lr * p / (sqrt(q) + eps) for x, p, q in zip(w[i], mi, vi)]
    return w
