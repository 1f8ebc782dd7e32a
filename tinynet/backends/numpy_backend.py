"""The NumPy backend: the functions of ``python_backend`` over 2-D ndarrays.

This is the only module of tinynet's core that imports NumPy (the desktop's
CSV reader, tinynet.datasets.csv_numpy, does too, when this backend is
selected).  Every function does its work in whole-array operations (no
Python loop over entries), reuses the temporaries it creates, and keeps the
caller's dtype: float64 by default, float32 on request.

Longer than 350 lines on purpose: it defines the same operations as
python_backend, one for one, in the same order.
"""

import numpy as np

name = "numpy"

EPS = 1e-12

_DTYPES = {None: np.float64, "float64": np.float64, "double": np.float64,
           float: np.float64, "float32": np.float32, "single": np.float32}


def check_dtype(dtype):
    """Return the NumPy dtype for ``dtype`` (None means float64)."""
    try:
        return _DTYPES[dtype]
    except (KeyError, TypeError):
        pass
    try:
        found = np.dtype(dtype)
    except TypeError:
        found = None
    if found in (np.float64, np.float32):
        return found.type
    raise ValueError("dtype must be 'float64' or 'float32', not %r" % (dtype,))


# === Construction and conversion ===


def asarray(rows, dtype=None):
    dtype = check_dtype(dtype)
    if hasattr(rows, "data") and hasattr(rows, "ops"):  # a Matrix
        rows = rows.data
    try:
        out = np.array(rows, dtype=dtype)
    except ValueError as err:
        raise ValueError("rows must all have the same length (%s)" % err) from None
    if out.ndim != 2:
        raise ValueError("expected 2-D data, got %d dimension(s)" % out.ndim)
    return out


def zeros(m, n, dtype=None):
    return np.zeros((m, n), dtype=check_dtype(dtype))


def from_bytes(buf, m, n, dtype=None):
    out = np.frombuffer(buf, dtype=np.uint8, count=m * n).reshape(m, n)
    out = out.astype(check_dtype(dtype))
    out /= 255.0  # a true division, as in the python backend's table
    return out


def one_hot(labels, n, dtype=None):
    out = np.zeros((len(labels), n), dtype=check_dtype(dtype))
    out[np.arange(len(labels)), np.asarray(labels, dtype=np.intp)] = 1.0
    return out


def tolist(a):
    return a.tolist()


def copy(a):
    return a.copy()


def shape(a):
    return a.shape


def take(a, indices):
    return a[np.asarray(indices, dtype=np.intp)]


def transpose(a):
    return a.T


# === Products ===


def _sparse_row(a):
    """Return the non-zero columns of a single mostly-zero row, else None."""
    if a.shape[0] != 1:
        return None
    nonzero = np.flatnonzero(a[0])
    return nonzero if 2 * len(nonzero) <= a.shape[1] else None


def _used_columns(a):
    """Return the columns of ``a`` that hold a non-zero in some row, as a
    sorted index array; or None, without looking further, when its first and
    last columns both do (dense data pays two short checks).

    In a batch of 128 MNIST images only about 530 of the 784 pixels are
    non-zero in any image: the top and bottom rows of pixels, and the left
    and right ends of every row, are blank in all of them.  The columns of
    ``a`` that are zero in every row add nothing to a product, so the
    products below leave them out.
    """
    if a.shape[1] < 2 or (a[:, 0].any() and a[:, -1].any()):
        return None
    return np.flatnonzero(a.any(axis=0))


def _runs(cols):
    """Return the runs of consecutive numbers in the sorted index array
    ``cols`` as ``[(start, stop), ...]``: ``[0, 1, 2, 5, 6]`` gives
    ``[(0, 3), (5, 7)]``."""
    if len(cols) == 0:
        return []
    cut = np.flatnonzero(np.diff(cols) != 1) + 1
    starts = cols[np.concatenate(([0], cut))]
    stops = cols[np.concatenate((cut - 1, [len(cols) - 1]))] + 1
    return list(zip(starts.tolist(), stops.tolist()))


#: The products leave out the zero columns between the first and the last
#: non-zero one (copying the rest of ``a``'s columns, and of ``b``'s rows in
#: :func:`matmul`) once they are this share of that span; below it they use
#: the span as a view, copying nothing.
GATHER_SHARE = 0.1


def _kept(a):
    """Return the columns of ``a`` that the products use: a slice (all of
    them, or the span from the first to the last non-zero one) or a sorted
    index array (see :data:`GATHER_SHARE`)."""
    cols = _used_columns(a)
    if cols is None:
        return slice(None)
    if len(cols) == 0:
        return slice(0, 0)
    span = cols[-1] + 1 - cols[0]
    if len(cols) <= (1 - GATHER_SHARE) * span:
        return cols
    return slice(cols[0], cols[-1] + 1)


def matmul(a, b):
    """Return ``a @ b``, leaving out the columns of ``a`` that are zero in
    every row, and the rows of ``b`` they meet (see :func:`_kept`): for a
    batch of MNIST images, a third of the work is left out.  A single mostly-zero
    row reads only the rows of ``b`` that its non-zeros meet (an MNIST image
    touches about 20% of them)."""
    if a.shape[1] != b.shape[0]:
        raise ValueError("matmul: shapes %s and %s are not aligned" % (a.shape, b.shape))
    nonzero = _sparse_row(a)
    if nonzero is not None:
        return a[:, nonzero] @ b[nonzero]
    cols = _kept(a)
    return a[:, cols] @ b[cols]


def matmul_t(a, b):
    if a.shape[1] != b.shape[1]:
        raise ValueError("matmul_t: shapes %s and %s.T are not aligned" % (a.shape, b.shape))
    return a @ b.T


def vstack(parts):
    return np.vstack(parts)


def _check_outer(w, a, d, opname):
    if a.shape[0] != d.shape[0] or w.shape != (a.shape[1], d.shape[1]):
        raise ValueError("%s: shapes %s += %s.T @ %s do not fit"
                         % (opname, w.shape, a.shape, d.shape))


def _outer(a, d, alpha):
    """Return ``(runs, g)``: ``g`` is ``alpha * a.T @ d`` for the rows of the
    product that the columns :func:`_kept` keeps give, and ``runs`` lists
    those rows as ``(start, stop)`` pairs, in ``g``'s order.  The scalar goes
    to whichever factor is smaller, so no pass over the product is spent on
    it: the product (n_in x n_out) is the big array here."""
    cols = _kept(a)
    runs = [cols.indices(a.shape[1])[:2]] if isinstance(cols, slice) else _runs(cols)
    a = a[:, cols]
    if d.size <= a.size:
        return runs, a.T @ (d * alpha)
    return runs, (a * alpha).T @ d


def add_outer_(w, a, d, alpha):
    """Add ``alpha * a.T @ d`` to ``w`` in place, touching only the rows of
    ``w`` that a single sparse row of ``a`` meets, or that a batch's
    non-zero columns give (see :func:`_kept`); return ``w``."""
    _check_outer(w, a, d, "add_outer_")
    nonzero = _sparse_row(a)
    if nonzero is not None:
        w[nonzero] += np.outer(alpha * a[0, nonzero], d[0])
        return w
    runs, g = _outer(a, d, alpha)
    at = 0
    for start, stop in runs:
        part = w[start:stop]  # a view: updating it updates w
        part += g[at:at + stop - start]
        at += stop - start
    return w


#: Bytes of each matrix that :func:`momentum_` updates at a time: its three
#: blocks (velocity, gradient, weights) stay in the core's cache from one
#: pass to the next, so each matrix crosses the memory bus once per step.
BLOCK_BYTES = 1 << 18


def momentum_(w, v, a, d, alpha, mu, decay=0.0):
    """One step of SGD with momentum, in place; return ``w``::

        v = mu * v + alpha * a.T @ d + decay * w
        w += v

    The same arithmetic, element by element and in the same order, as
    ``scale_(v, mu)``, ``add_outer_(v, a, d, alpha)``, ``add_(v, w, decay)``
    (when ``decay`` is not 0) and ``add_(w, v)``, so the results are the
    same to the last bit; but the gradient is one product, and the four
    passes over ``v`` and ``w`` run a block of rows at a time (see
    :data:`BLOCK_BYTES`), with no temporary the size of the weights besides
    the product itself.
    """
    _check_outer(w, a, d, "momentum_")
    if v.shape != w.shape:
        raise ValueError("momentum_: velocity %s and weights %s differ" % (v.shape, w.shape))
    nonzero = _sparse_row(a)
    if nonzero is not None:  # one sample: update the rows it meets
        v *= mu
        v[nonzero] += np.outer(alpha * a[0, nonzero], d[0])
        if decay:
            v += decay * w
        w += v
        return w
    runs, g = _outer(a, d, alpha)
    n = w.shape[0]
    step = max(1, BLOCK_BYTES // max(1, w.shape[1] * w.itemsize))
    r, at = 0, 0  # the first run not yet added whole, and its first row in g
    for i in range(0, n, step):
        j = min(i + step, n)
        vb, wb = v[i:j], w[i:j]
        vb *= mu
        while r < len(runs) and runs[r][0] < j:  # add the runs' rows in [i, j)
            start, stop = runs[r]
            lo, hi = max(start, i), min(stop, j)
            if lo < hi:
                part = vb[lo - i:hi - i]
                part += g[at + lo - start:at + hi - start]
            if stop > j:
                break  # the run goes on in the next block
            r, at = r + 1, at + stop - start
        if decay:
            vb += decay * wb
        wb += vb
    return w


# === Elementwise arithmetic ===


def _check(a, b, opname):
    if np.isscalar(b):
        return
    if b.shape != a.shape and not (b.shape[0] == 1 and b.shape[1] == a.shape[1]):
        raise ValueError("%s: shapes %s and %s do not broadcast" % (opname, a.shape, b.shape))


def add(a, b):
    _check(a, b, "add")
    return a + b


def subtract(a, b):
    _check(a, b, "subtract")
    return a - b


def multiply(a, b):
    _check(a, b, "multiply")
    return a * b


def divide(a, b):
    _check(a, b, "divide")
    return a / b


def negative(a):
    return -a


def square(a):
    with np.errstate(over="ignore"):  # huge values square to inf, as Python floats do
        return a * a


def elementwise_exp(a):
    with np.errstate(over="ignore"):
        return np.exp(a)


def elementwise_log(a):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(a)


# === Reductions ===


def reduce_sum(a, axis=None):
    if axis is None:
        return float(a.sum())
    return a.sum(axis=axis, keepdims=True)


def reduce_max(a, axis=None):
    if axis is None:
        return float(a.max())
    return a.max(axis=axis, keepdims=True)


def argmax(a):
    return a.argmax(axis=1).tolist()


def all_finite(a):
    return bool(np.isfinite(a).all())


def quiet():
    """A context in which overflow and invalid operations give inf and nan
    without a warning, as the python backend's floats do: the network
    checks its loss and weights itself and says what went wrong."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


# === Activations and their derivatives ===


def sigmoid(z):
    # 1 / (1 + e^-z) for z >= 0 and e^z / (1 + e^z) below, as in the python
    # backend: exp only ever sees -|z|, so it cannot overflow.
    e = np.exp(-np.abs(z))
    out = np.where(z >= 0, 1.0, e).astype(z.dtype, copy=False)
    e += 1.0
    out /= e
    return out


def sigmoid_backward(a, d):
    out = d * a
    out *= 1.0 - a
    return out


def tanh(z):
    return np.tanh(z)


def tanh_backward(a, d):
    out = a * a
    np.subtract(1.0, out, out=out)
    out *= d
    return out


def relu(z):
    return np.maximum(z, 0.0)


def relu_backward(a, d):
    # d * (a > 0): two plain passes, where masked assignment (d[a <= 0] = 0)
    # costs a gather and a scatter.
    return d * (a > 0.0)


def identity_backward(a, d):
    return d


def softmax(z):
    with np.errstate(over="ignore"):  # 1e308 - -1e308 is -inf, and exp(-inf) = 0
        out = z - z.max(axis=1, keepdims=True)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def softmax_backward(a, d):
    s = (d * a).sum(axis=1, keepdims=True)
    out = d - s
    out *= a
    return out


# === Losses ===


def squared_error(a, y):
    diff = a - y
    return 0.5 * float(np.vdot(diff, diff))


def cross_entropy(a, y):
    return -float(np.vdot(y, np.log(np.maximum(a, EPS))))


def binary_cross_entropy(a, y):
    pos = np.log(np.maximum(a, EPS))
    neg = np.log(np.maximum(1.0 - a, EPS))
    return -float(np.vdot(y, pos) + np.vdot(1.0 - y, neg))


# === In-place updates ===


def add_(a, b, alpha=1.0):
    if a.shape != b.shape and not (b.shape[0] == 1 and b.shape[1] == a.shape[1]):
        raise ValueError("add_: shapes %s and %s do not broadcast" % (a.shape, b.shape))
    if alpha == 1.0:
        a += b
    else:
        a += alpha * b
    return a


def scale_(a, c):
    a *= c
    return a


def adam_(w, g, m, v, lr, beta1, beta2, eps):
    m *= beta1
    m += (1.0 - beta1) * g
    v *= beta2
    v += (1.0 - beta2) * (g * g)
    step = np.sqrt(v)
    step += eps
    np.divide(m, step, out=step)
    step *= lr
    w -= step
    return w
