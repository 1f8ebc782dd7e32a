"""Matrix: a 2-D array of floats that computes with a backend.

A Matrix wraps the backend's own data (a list of rows, or an ndarray) and
the backend module, and turns Python's operators into that module's
functions, so the network code reads like the maths whichever backend runs:

>>> a = Matrix.from_list([[1.0, 2.0], [3.0, 4.0]], backend="python")
>>> (a @ a.T + 1).tolist()
[[6.0, 12.0], [12.0, 26.0]]
>>> a.sum(axis=0).tolist()
[[4.0, 6.0]]
>>> Matrix.from_list([[0.1, 0.7, 0.2], [0.9, 0.0, 0.1]]).argmax()
[1, 0]

Everything is 2-D: a bias is a ``1 x n`` row and broadcasts over the rows of
the other operand.  Methods ending in ``_`` change the matrix in place.
"""

from .backends import get_backend


class Matrix:
    """A 2-D matrix of floats held by a backend ("numpy" or "python")."""

    __slots__ = ("data", "ops")

    def __init__(self, data, ops):
        self.data = data  # the backend's native 2-D data
        self.ops = ops  # the backend module

    # --- construction ---

    @classmethod
    def from_list(cls, rows, backend=None, dtype=None):
        """Return a matrix holding ``rows``, a sequence of equal-length rows."""
        ops = get_backend(backend)
        return cls(ops.asarray(rows, dtype), ops)

    @classmethod
    def zeros(cls, rows, cols, backend=None, dtype=None):
        ops = get_backend(backend)
        return cls(ops.zeros(rows, cols, dtype), ops)

    def _new(self, data):
        return Matrix(data, self.ops)

    def _unwrap(self, other):
        if isinstance(other, Matrix):
            if other.ops is not self.ops:
                raise ValueError(
                    "cannot mix backends %r and %r" % (self.ops.name, other.ops.name)
                )
            return other.data
        if isinstance(other, (int, float)):
            return other
        return NotImplemented

    # --- description ---

    @property
    def shape(self):
        return tuple(self.ops.shape(self.data))

    @property
    def backend(self):
        return self.ops.name

    @property
    def T(self):
        return self._new(self.ops.transpose(self.data))

    def tolist(self):
        """Return the entries as a new list of lists of floats."""
        return self.ops.tolist(self.data)

    def copy(self):
        return self._new(self.ops.copy(self.data))

    def __len__(self):
        return self.shape[0]

    def __repr__(self):
        rows, cols = self.shape
        return "%s(%dx%d, backend=%r)" % (type(self).__name__, rows, cols, self.backend)

    # --- arithmetic ---

    def _binary(self, function, other):
        other = self._unwrap(other)
        if other is NotImplemented:
            return NotImplemented
        return self._new(function(self.data, other))

    def __matmul__(self, other):
        other = self._unwrap(other)
        if other is NotImplemented or not isinstance(other, type(self.data)):
            return NotImplemented
        return self._new(self.ops.matmul(self.data, other))

    def __add__(self, other):
        return self._binary(self.ops.add, other)

    def __sub__(self, other):
        return self._binary(self.ops.subtract, other)

    def __mul__(self, other):
        return self._binary(self.ops.multiply, other)

    def __truediv__(self, other):
        return self._binary(self.ops.divide, other)

    def __radd__(self, other):  # other + self
        return self._binary(self.ops.add, other)

    def __rmul__(self, other):  # other * self
        return self._binary(self.ops.multiply, other)

    def __rsub__(self, other):  # other - self
        result = self._binary(self.ops.subtract, other)
        return result if result is NotImplemented else -result

    def __neg__(self):
        return self._new(self.ops.negative(self.data))

    # --- elementwise functions and reductions ---

    def exp(self):
        return self._new(self.ops.elementwise_exp(self.data))

    def log(self):
        return self._new(self.ops.elementwise_log(self.data))

    def sum(self, axis=None):
        """Return the sum of all entries (a float), or of each column
        (``axis=0``, a ``1 x n`` Matrix) or row (``axis=1``, ``m x 1``)."""
        result = self.ops.reduce_sum(self.data, axis)
        return result if axis is None else self._new(result)

    def max(self, axis=None):
        result = self.ops.reduce_max(self.data, axis)
        return result if axis is None else self._new(result)

    def apply(self, function, *others):
        """Return ``function(self.data, *others' data)`` as a Matrix: how the
        activations call their backend functions."""
        return self._new(function(self.data, *[o.data for o in others]))

    def matmul_t(self, other):
        """Return ``self @ other.T`` without forming the transpose."""
        return self._new(self.ops.matmul_t(self.data, self._unwrap(other)))

    def argmax(self):
        """Return the column of the largest entry in each row, as a list."""
        return self.ops.argmax(self.data)

    def all_finite(self):
        return self.ops.all_finite(self.data)

    # --- in-place updates (the optimizers' fused steps) ---

    def add_(self, other, alpha=1.0):
        """Add ``alpha * other`` to this matrix in place; return it."""
        self.ops.add_(self.data, self._unwrap(other), alpha)
        return self

    def scale_(self, c):
        """Multiply this matrix by the number ``c`` in place; return it."""
        self.ops.scale_(self.data, c)
        return self

    def add_outer_(self, a, d, alpha):
        """Add ``alpha * a.T @ d`` in place, skipping zero entries of ``a``."""
        self.ops.add_outer_(self.data, self._unwrap(a), self._unwrap(d), alpha)
        return self
