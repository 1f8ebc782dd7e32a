"""Matrix: a 2-D array of floats that computes with a backend.

A Matrix wraps the backend's own data (a list of rows, or an ndarray) and
the backend module, and turns Python's operators and a few named methods
into that module's functions, so the network code reads like the maths
whichever backend runs:

>>> a = Matrix.from_list([[1.0, 2.0], [3.0, 4.0]], backend="python")
>>> (a @ a.T + 1).tolist()
[[6.0, 12.0], [12.0, 26.0]]
>>> (1 - a).tolist()
[[0.0, -1.0], [-2.0, -3.0]]
>>> a.sum(axis=0).tolist()
[[4.0, 6.0]]
>>> Matrix.from_list([[0.1, 0.7, 0.2], [0.9, 0.0, 0.1]]).argmax()
[1, 0]

Everything is 2-D: a bias is a ``1 x n`` row and broadcasts over the rows of
the other operand.  Methods ending in ``_`` change the matrix in place.

This class is the only door to a backend: no other module touches a
Matrix's backend module (``ops``) or its native ``data``.
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
        """Return a ``rows x cols`` matrix of zeros."""
        ops = get_backend(backend)
        return cls(ops.zeros(rows, cols, dtype), ops)

    @classmethod
    def from_bytes(cls, buf, rows, cols, backend=None, dtype=None):
        """Return the ``rows x cols`` matrix of ``buf``'s bytes divided by 255."""
        ops = get_backend(backend)
        return cls(ops.from_bytes(buf, rows, cols, dtype), ops)

    @classmethod
    def one_hot(cls, labels, cols, backend=None, dtype=None):
        """Return one row per label, 1.0 in that label's column, else 0.0."""
        ops = get_backend(backend)
        return cls(ops.one_hot(labels, cols, dtype), ops)

    def zeros_like(self):
        """Return a matrix of zeros of this one's shape, backend and dtype."""
        rows, cols = self.shape
        return self._new(self.ops.zeros(rows, cols, self.dtype))

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
        """The backend's name: "numpy" or "python"."""
        return self.ops.name

    @property
    def dtype(self):
        """The entries' type as a name: "float64" or "float32"."""
        return str(getattr(self.data, "dtype", "float64"))

    @property
    def T(self):
        return self._new(self.ops.transpose(self.data))

    def tolist(self):
        """Return the entries as a new list of lists of floats."""
        return self.ops.tolist(self.data)

    def native(self):
        """Return the backend's own data: an ndarray, or a list of row lists
        (not a copy).  This is how results leave tinynet for the caller."""
        return self.data

    def copy(self):
        return self._new(self.ops.copy(self.data))

    def take(self, rows):
        """Return the rows at the indices ``rows``, in that order."""
        return self._new(self.ops.take(self.data, rows))

    @staticmethod
    def vstack(parts):
        """Return the rows of the matrices ``parts`` (one backend), in order."""
        first = parts[0]
        return first._new(first.ops.vstack([first._unwrap(p) for p in parts]))

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
        if other is NotImplemented or isinstance(other, (int, float)):
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

    def __rsub__(self, other):  # other - self, computed as (-self) + other
        return (-self)._binary(self.ops.add, other)

    def __neg__(self):
        return self._new(self.ops.negative(self.data))

    def matmul_t(self, other):
        """Return ``self @ other.T`` without forming the transpose."""
        return self._new(self.ops.matmul_t(self.data, self._unwrap(other)))

    # --- elementwise functions ---

    def exp(self):
        return self._new(self.ops.elementwise_exp(self.data))

    def log(self):
        return self._new(self.ops.elementwise_log(self.data))

    def square(self):
        return self._new(self.ops.square(self.data))

    def sigmoid(self):
        return self._new(self.ops.sigmoid(self.data))

    def tanh(self):
        return self._new(self.ops.tanh(self.data))

    def relu(self):
        return self._new(self.ops.relu(self.data))

    def softmax(self):
        """Return each row's softmax."""
        return self._new(self.ops.softmax(self.data))

    # The chain rule through an activation, from its output ``self`` and the
    # error ``d`` at that output: each returns ``d * f'(z)``.

    def sigmoid_backward(self, d):
        return self._new(self.ops.sigmoid_backward(self.data, self._unwrap(d)))

    def tanh_backward(self, d):
        return self._new(self.ops.tanh_backward(self.data, self._unwrap(d)))

    def relu_backward(self, d):
        return self._new(self.ops.relu_backward(self.data, self._unwrap(d)))

    def softmax_backward(self, d):
        return self._new(self.ops.softmax_backward(self.data, self._unwrap(d)))

    # --- reductions ---

    def sum(self, axis=None):
        """Return the sum of all entries (a float), or of each column
        (``axis=0``, a ``1 x n`` Matrix) or row (``axis=1``, ``m x 1``)."""
        result = self.ops.reduce_sum(self.data, axis)
        return result if axis is None else self._new(result)

    def max(self, axis=None):
        """Return the largest entry (a float), or of each column or row."""
        result = self.ops.reduce_max(self.data, axis)
        return result if axis is None else self._new(result)

    def argmax(self):
        """Return the column of the largest entry in each row, as a list."""
        return self.ops.argmax(self.data)

    def all_finite(self):
        return self.ops.all_finite(self.data)

    def quiet(self):
        """A context in which overflow gives inf and nan silently on every
        backend (``with X.quiet(): ...``), for the caller to check."""
        return self.ops.quiet()

    # Losses of outputs ``self`` against targets ``y``: totals over every
    # entry, as floats.

    def squared_error(self, y):
        """Return ``0.5 * sum((self - y)**2)``."""
        return self.ops.squared_error(self.data, self._unwrap(y))

    def cross_entropy(self, y):
        """Return ``-sum(y * log(self))``, self clipped away from 0."""
        return self.ops.cross_entropy(self.data, self._unwrap(y))

    def binary_cross_entropy(self, y):
        """Return ``-sum(y log(self) + (1 - y) log(1 - self))``, clipped."""
        return self.ops.binary_cross_entropy(self.data, self._unwrap(y))

    # --- in-place updates (the optimizers' steps) ---

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

    def adam_(self, g, m, v, lr, beta1, beta2, eps):
        """One Adam step in place with gradient ``g``, updating the moment
        estimates ``m`` and ``v`` in place too; return this matrix."""
        self.ops.adam_(self.data, self._unwrap(g), self._unwrap(m), self._unwrap(v),
                       lr, beta1, beta2, eps)
        return self

    def momentum_(self, velocity, a, d, alpha, mu, decay=0.0):
        """One step of SGD with momentum, in place: ``velocity = mu *
        velocity + alpha * a.T @ d + decay * self``, then ``self +=
        velocity``; return this matrix."""
        self.ops.momentum_(self.data, self._unwrap(velocity), self._unwrap(a), self._unwrap(d),
                           alpha, mu, decay)
        return self
