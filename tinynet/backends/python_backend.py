"""The pure-Python backend: a matrix is a list of rows, each a list of floats.

This module is the readable definition of every operation tinynet needs; the
NumPy backend computes the same things faster, and the test suite keeps the
two in agreement.  It uses only builtins and ``math``, so it runs on CPython,
PyPy and MicroPython alike.

Longer than 350 lines on purpose: it defines every operation the network
uses, one after another, to be read top to bottom in one sitting.

It is written to be read: each function computes its result the plain way,
with a doctest.  The three products that dominate training have faster
kernels in ``python_fast.py``, which replace them at the end of this module;
the tests keep them equal to the definitions here on every interpreter.

Conventions shared by both backends: everything is 2-D; a bias or a column
sum is a ``1 x n`` row; a reduction with ``axis=None`` returns a float;
``argmax`` returns a list of ints.  Functions return new matrices, except
those whose names end in ``_``, which update their first argument in place
(the optimizers' fused updates).
"""

import math

from .python_fast import check_outer, check_product, floats

exp = math.exp
log = math.log

name = "python"

#: Cross-entropy clips probabilities to at least this, so it never takes log(0).
EPS = 1e-12
#: Made at run time, not ``math.inf``/``math.nan``: see optim._INF.
_INF, _NAN = float("inf"), float("nan")

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
    if hasattr(rows, "rmatmul"):  # a packed weight matrix (packed.py) stays packed
        return rows
    if hasattr(rows, "tolist"):  # a NumPy array or a Matrix: no NumPy import
        rows = rows.tolist()
    out = [floats(row) for row in rows]
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


#: i / 255 for each byte value i, made on first use (on a board it costs 10 KB)
_BYTE_VALUES = []


try:
    _byte_value = _BYTE_VALUES.__getitem__  # a C-level lookup for map()
except AttributeError:  # MicroPython has no bound list.__getitem__

    def _byte_value(p):
        return _BYTE_VALUES[p]


def from_bytes(buf, m, n, dtype=None):
    """Return the ``m x n`` matrix of ``buf``'s bytes scaled to [0, 1] by /255
    (the first ``m * n`` bytes; fewer is a ValueError, as on NumPy)."""
    check_dtype(dtype)
    if len(buf) < m * n:
        raise ValueError("from_bytes: %d bytes are fewer than %d x %d" % (len(buf), m, n))
    if not _BYTE_VALUES:
        _BYTE_VALUES.extend([i / 255.0 for i in range(256)])
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

    ``b`` may also be a packed weight matrix (``packed.py``: one flat float32
    or int8 array), which multiplies itself.
    """
    if not isinstance(b, list):
        return b.rmatmul(a)
    check_product(a, b, "matmul")
    columns = transpose(b)
    return [[dot(row, col) for col in columns] for row in a]


def matmul_t(a, b):
    """Return ``a @ b.T``: every row of ``a`` dotted with every row of ``b``
    (how an error is pushed back through a weight matrix).

    >>> matmul_t([[1.0, 2.0]], [[3.0, 4.0], [5.0, 6.0]])
    [[11.0, 17.0]]
    """
    check_product(a, transpose(b), "matmul_t")
    return [[dot(row, other) for other in b] for row in a]


def add_outer_(w, a, d, alpha):
    """Add ``alpha * a.T @ d`` to ``w`` in place; return ``w``.

    This is the SGD weight update: ``a.T @ d`` is a sum of one outer product
    per sample, so sample ``s`` adds ``alpha * a[s][k] * d[s][j]`` to
    ``w[k][j]``.  An input that is zero adds nothing, so its row is skipped.

    >>> add_outer_([[0.0, 0.0], [1.0, 1.0]], [[2.0, 0.0]], [[1.0, -1.0]], 0.5)
    [[1.0, -1.0], [1.0, 1.0]]
    """
    check_outer(w, a, d)
    for row, delta in zip(a, d):
        for k, v in enumerate(row):
            if v != 0.0:
                wk = w[k]
                for j, y in enumerate(delta):
                    wk[j] += alpha * v * y
    return w


def vstack(parts):
    """Return the rows of all the matrices in ``parts``, in order."""
    out = []
    for part in parts:
        out.extend(part)
    return out


# === Elementwise arithmetic, with scalars and 1 x n rows broadcast ===


def _is_scalar(x):
    return isinstance(x, (int, float))


def _binary(op, a, b, opname):
    if _is_scalar(b):
        return [[op(x, b) for x in row] for row in a]
    if len(b) == 1 and len(a) != 1:  # broadcast a 1 x n row, e.g. a bias
        # One row stands for all (a matrix's rows have one length): a speed choice.
        first = a[0] if a else b[0]  # pragma: no mutate
        if len(first) != len(b[0]):
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


def _add(x, y):
    return x + y


def _mul(x, y):
    return x * y


def _sub(x, y):
    return x - y


def _div(x, y):
    return x / y


def add(a, b):
    return _binary(_add, a, b, "add")


def subtract(a, b):
    return _binary(_sub, a, b, "subtract")


def multiply(a, b):
    return _binary(_mul, a, b, "multiply")


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
        positive = x > 0  # pragma: no mutate (x is never 0 here: exp(0) cannot overflow)
        return _INF if positive else 0.0


def _safe_log(x):
    if x > 0.0:
        return log(x)
    return -_INF if x == 0.0 else _NAN


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


class _Quiet:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_QUIET = _Quiet()


def quiet():
    """The context the network computes in (see the numpy backend's): Python
    floats give inf and nan without a warning already, so it does nothing."""
    return _QUIET


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
    """Return ``-sum(y * log(a))`` with ``a`` clipped to at least EPS (a nan
    stays nan, so that the caller sees it)."""
    total = 0.0
    for ra, ry in zip(a, y):
        total += sum([t * log(EPS if p < EPS else p) for p, t in zip(ra, ry) if t])
    return -total


def binary_cross_entropy(a, y):
    """Return ``-sum(y log(a) + (1 - y) log(1 - a))``, clipped at EPS."""
    total = 0.0
    for ra, ry in zip(a, y):
        for p, t in zip(ra, ry):
            q = 1.0 - p
            total += t * log(EPS if p < EPS else p) + (1.0 - t) * log(EPS if q < EPS else q)
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
            a[i] = [p + q for p, q in zip(x, y)]
    else:
        for i, (x, y) in enumerate(zip(a, rows)):
            a[i] = [p + alpha * q for p, q in zip(x, y)]
    return a


def scale_(a, c):
    """Multiply ``a`` by the scalar ``c`` in place; return ``a``."""
    for i, row in enumerate(a):
        a[i] = [c * x for x in row]
    return a


def momentum_(w, v, a, d, alpha, mu, decay=0.0):
    """One step of SGD with momentum on ``w``, with the velocity ``v``, both
    in place; return ``w``::

        v = mu * v + alpha * a.T @ d + decay * w
        w += v

    The NumPy backend fuses these passes; this is what they mean.

    >>> w, v = [[1.0, 1.0]], [[2.0, 0.0]]
    >>> momentum_(w, v, [[1.0]], [[1.0, -1.0]], 0.5, 0.5)
    [[2.5, 0.5]]
    >>> v
    [[1.5, -0.5]]
    """
    scale_(v, mu)
    add_outer_(v, a, d, alpha)
    if decay:
        add_(v, w, decay)
    return add_(w, v)


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


# === The fast kernels ===
# Everything above defines what the operations mean.  The products below take
# nearly all of training's time, so this module swaps in python_fast's
# kernels for them, keeping the plain definitions in DEFINITIONS for the
# tests that check the two agree.

from . import python_fast as _fast  # noqa: E402

DEFINITIONS = {"dot": dot, "matmul": matmul, "matmul_t": matmul_t, "add_outer_": add_outer_}
dot, matmul, matmul_t, add_outer_ = _fast.dot, _fast.matmul, _fast.matmul_t, _fast.add_outer_
