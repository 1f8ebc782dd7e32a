"""Matrix: a 2-D array of floats that computes with a backend.

A Matrix wraps the backend's own data (a list of rows, or an ndarray) and
the backend module, and turns Python's operators and a few named methods
into that module's functions, so the network code reads like the maths
whichever backend runs:

>>> a = Matrix.from_list([[1.0, 2.0], [3.0, 4.0]], backend="python")
>>> (a @ a.T + 1).tolist()
[[6.0, 12.0], [12.0, 26.0]]
>>> (1 - a).tolist(), (a / a.sum(axis=1)).tolist()
([[0.0, -1.0], [-2.0, -3.0]], [[0.3333333333333333, 0.6666666666666666], [0.42857142857142855, 0.5714285714285714]])
>>> Matrix.from_list([[0.1, 0.7, 0.2], [0.9, 0.0, 0.1]]).argmax()
[1, 0]

Everything is 2-D: a scalar, a ``1 x n`` row (a bias) or an ``m x 1``
column (each row's sum) broadcasts against a matrix.  Methods ending in
``_`` change the matrix in place and return it.

This class is the only door to a backend: no other module touches a
Matrix's backend module (``ops``) or its native ``data``.
"""

from .backends import get_backend

_LOADED = {}  # backend name -> module, once asked for by name


def _backend(name):
    """Return the backend module for ``name`` (None: the default, resolved
    anew each time, as set_backend and $TINYNET_BACKEND may change it)."""
    ops = _LOADED.get(name)
    if ops is None:
        ops = get_backend(name)
        if name is not None:
            _LOADED[name] = ops
    return ops


def _data(self, other):
    """Return ``other``'s native data (a number stays a number), refusing a
    matrix of another backend."""
    if isinstance(other, Matrix):
        if other.ops is not self.ops:
            raise ValueError("cannot mix backends %r and %r" % (self.ops.name, other.ops.name))
        return other.data
    if isinstance(other, (int, float)):
        return other
    raise TypeError("expected a Matrix or a number, not %s" % type(other).__name__)


# Most methods are made from the name of the backend function they apply to
# this matrix's data (and the other operands'), wrapping the result.

def _named(method, name):
    try:
        method.__name__ = name  # for tracebacks and help()
    except AttributeError:  # MicroPython's closures have no settable name
        pass
    return method


def _binary(function, swap=False, matrices=False):
    def method(self, other):
        if matrices and not isinstance(other, Matrix):
            raise TypeError("%s takes two matrices, not a %s" % (function, type(other).__name__))
        a, b = self.data, _data(self, other)
        return Matrix(getattr(self.ops, function)(*((b, a) if swap else (a, b))), self.ops)
    return _named(method, function)


def _unary(function):
    def method(self, *args):
        return Matrix(getattr(self.ops, function)(self.data, *args), self.ops)
    return _named(method, function)


def _reduction(function):
    def method(self, axis=None):
        result = getattr(self.ops, function)(self.data, axis)
        return result if axis is None else Matrix(result, self.ops)
    return _named(method, function)


def _in_place(function):
    def method(self, *args):
        getattr(self.ops, function)(self.data, *[_data(self, a) for a in args])
        return self
    return _named(method, function)


class Matrix:
    """A 2-D matrix of floats held by a backend (see tinynet.backends)."""

    __slots__ = ("data", "ops")

    def __init__(self, data, ops):
        self.data = data  # the backend's native 2-D data
        self.ops = ops  # the backend module

    # --- construction ---

    @classmethod
    def from_list(cls, rows, backend=None, dtype=None):
        """Return a matrix holding ``rows``, a sequence of equal-length rows."""
        ops = _LOADED.get(backend) or _backend(backend)
        return cls(ops.asarray(rows, dtype), ops)

    @classmethod
    def zeros(cls, rows, cols, backend=None, dtype=None):
        """Return a ``rows x cols`` matrix of zeros."""
        ops = _backend(backend)
        return cls(ops.zeros(rows, cols, dtype), ops)

    @classmethod
    def from_bytes(cls, buf, rows, cols, backend=None, dtype=None):
        """Return the ``rows x cols`` matrix of ``buf``'s bytes divided by 255."""
        ops = _backend(backend)
        return cls(ops.from_bytes(buf, rows, cols, dtype), ops)

    def zeros_like(self):
        """Return a matrix of zeros of this one's shape, backend and dtype."""
        rows, cols = self.shape
        return Matrix(self.ops.zeros(rows, cols, self.dtype), self.ops)

    # --- description ---

    @property
    def shape(self):
        return tuple(self.ops.shape(self.data))

    @property
    def backend(self):
        """The backend's name: "numpy", "python", "numpy-plain" or "python-plain"."""
        return self.ops.name

    @property
    def dtype(self):
        """The entries' type as a name: "float64" or "float32"."""
        return str(getattr(self.data, "dtype", "float64"))

    @property
    def T(self):
        return Matrix(self.ops.transpose(self.data), self.ops)

    def tolist(self):
        """Return the entries as a new list of lists of floats."""
        return self.ops.tolist(self.data)

    def native(self):
        """Return the backend's own data: an ndarray, or a list of row lists
        (not a copy).  This is how results leave tinynet for the caller."""
        return self.data

    def copy(self):
        return Matrix(self.ops.copy(self.data), self.ops)

    def take(self, rows):
        """Return the rows at the indices ``rows``, in that order."""
        return Matrix(self.ops.take(self.data, rows), self.ops)

    @staticmethod
    def vstack(parts):
        """Return the rows of the matrices ``parts`` (one backend), in order."""
        first = parts[0]
        return Matrix(first.ops.vstack([_data(first, p) for p in parts]), first.ops)

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        rows, cols = self.shape
        return "%s(%dx%d, backend=%r)" % (type(self).__name__, rows, cols, self.backend)

    # --- arithmetic: operators work entry by entry, but for @ ---

    __matmul__ = _binary("matmul", matrices=True)
    matmul_t = _binary("matmul_t", matrices=True)  # m.matmul_t(w): m @ w.T, without forming the transpose
    __add__ = __radd__ = _binary("add")
    __sub__ = _binary("subtract")
    __rsub__ = _binary("subtract", swap=True)  # other - self
    __mul__ = __rmul__ = _binary("multiply")
    __truediv__ = _binary("divide")
    __rtruediv__ = _binary("divide", swap=True)  # other / self

    def __neg__(self):
        return self * -1.0

    # --- functions entry by entry (e**x, log x, ...), and softmax along each row ---

    exp = _unary("exp")
    log = _unary("log")
    tanh = _unary("tanh")
    sqrt = _unary("sqrt")
    maximum = _unary("maximum")  # m.maximum(c): each entry or the number c, whichever is larger
    greater = _unary("greater")  # m.greater(c): 1.0 where an entry is > c, else 0.0
    softmax = _unary("softmax")  # each row's e**x, divided by the row's sum of them

    # --- reductions ---

    # m.sum(): the sum of all entries, a float; m.sum(axis=0): each column's, a
    # 1 x n row; m.sum(axis=1): each row's, an m x 1 column.  max likewise.
    sum = _reduction("reduce_sum")
    max = _reduction("reduce_max")

    def argmax(self):
        """Return the column of the largest entry in each row, as a list."""
        return self.ops.argmax(self.data)

    def all_finite(self):
        return self.ops.all_finite(self.data)

    def quiet(self):
        """A context in which overflow gives inf and nan silently on every
        backend (``with X.quiet(): ...``), for the caller to check."""
        return self.ops.quiet()

    # --- in-place updates (the optimizers' steps) ---

    add_ = _in_place("add_")  # m.add_(other, alpha=1.0): m += alpha * other
    scale_ = _in_place("scale_")  # m.scale_(c): m *= c
    # m.add_outer_(a, d, alpha): m += alpha * a.T @ d, a product that accumulates
    # (as BLAS's gemm does), skipping the rows of zero inputs
    add_outer_ = _in_place("add_outer_")

    def momentum_(self, velocity, a, d, alpha, mu, decay=0.0):
        """One step of SGD with momentum, in place: ``velocity = mu *
        velocity + alpha * a.T @ d + decay * self``, then ``self +=
        velocity``; return this matrix.  A backend may do it in one fused
        pass (numpy_fast does); otherwise it is these steps."""
        fused = getattr(self.ops, "momentum_", None)
        if fused is not None:
            fused(self.data, _data(self, velocity), _data(self, a), _data(self, d), alpha, mu,
                  decay)
            return self
        velocity.scale_(mu).add_outer_(a, d, alpha)
        if decay:
            velocity.add_(self, decay)
        return self.add_(velocity)
