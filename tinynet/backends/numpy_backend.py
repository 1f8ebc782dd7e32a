"""The plain NumPy backend ("numpy-plain"): python_backend's operations over ndarrays.

One function for each of ``python_backend``'s, in the same order, each a
whole-array NumPy expression: no Python loop over entries.  The default
NumPy backend, "numpy", is ``numpy_fast.py``: these definitions, with the
products and the momentum step replaced by kernels that leave out the zero
columns of a batch and update the weights a block at a time.  The dtype is
the caller's: float64 by default, float32 on request.

Only this module and ``numpy_fast`` import NumPy in the core (the desktop's
CSV reader does too, when NumPy is installed).
"""

import numpy as np

name = "numpy-plain"

_DTYPES = {None: np.float64, "float64": np.float64, "double": np.float64,
           float: np.float64, "float32": np.float32, "single": np.float32}

# === Construction and conversion ===


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


def asarray(rows, dtype=None):
    dtype = check_dtype(dtype)
    if hasattr(rows, "rmatmul"):  # a packed weight matrix (packed.py): unpack it
        rows = rows.tolist()
    try:
        out = np.array(rows, dtype=dtype)
    except ValueError as err:
        text = str(err)  # (which may quote a whole row: cut short)
        raise ValueError("rows must all have the same length (%s)"
                         % (text if len(text) <= 200 else text[:197] + "...")) from None
    if out.ndim != 2:
        raise ValueError("expected 2-D data, got %d dimension(s)" % out.ndim)
    return out


def zeros(m, n, dtype=None):
    return np.zeros((m, n), dtype=check_dtype(dtype))


def from_bytes(buf, m, n, dtype=None):
    out = np.frombuffer(buf, dtype=np.uint8, count=m * n).reshape(m, n)
    out = out.astype(check_dtype(dtype))
    out /= 255.0  # a true division, as in the python backend
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


def vstack(parts):
    return np.vstack(parts)


# === Products ===


def matmul(a, b):
    if a.shape[1] != b.shape[0]:
        raise ValueError("matmul: shapes %s and %s are not aligned" % (a.shape, b.shape))
    return a @ b


def matmul_t(a, b):
    if a.shape[1] != b.shape[1]:
        raise ValueError("matmul_t: shapes %s and %s.T are not aligned" % (a.shape, b.shape))
    return a @ b.T


def check_outer(w, a, d, opname):
    if a.shape[0] != d.shape[0] or w.shape != (a.shape[1], d.shape[1]):
        raise ValueError("%s: shapes %s += %s.T @ %s do not fit"
                         % (opname, w.shape, a.shape, d.shape))


def add_outer_(w, a, d, alpha):
    check_outer(w, a, d, "add_outer_")
    w += a.T @ (alpha * d)
    return w


# === Elementwise arithmetic, with broadcasting ===


def _check(a, b, opname):
    """Refuse what python_backend refuses: ``b`` must have ``a``'s shape or
    be a scalar, a ``1 x n`` row or an ``m x 1`` column (NumPy would also
    stretch ``a``, or a row against a column)."""
    if np.ndim(a) and np.ndim(b) and b.shape != a.shape and not (
            (b.shape[0] == 1 and b.shape[1] == a.shape[1])
            or (b.shape[1] == 1 and b.shape[0] == a.shape[0])):
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


def exp(a):
    with np.errstate(over="ignore"):  # overflow gives inf silently, as in python_backend
        return np.exp(a)


def log(a):
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0) is -inf, log(-1) nan
        return np.log(a)


def tanh(a):
    return np.tanh(a)


def sqrt(a):
    return np.sqrt(a)


def softmax(a):
    with np.errstate(over="ignore"):  # 1e308 - -1e308 is inf, and exp(-inf) is 0
        out = a - a.max(axis=1, keepdims=True)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def maximum(a, c):
    return np.maximum(a, c)


def greater(a, c):
    out = np.empty_like(a)
    return np.greater(a, c, out=out)  # 1.0 and 0.0, written straight into a's dtype


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
