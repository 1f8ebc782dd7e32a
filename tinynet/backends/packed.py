"""Packed weight matrices: a whole ``n_in x n_out`` matrix in one flat array.

The python backend keeps a matrix as a list of rows of Python floats, which
on MicroPython costs 16 bytes or more per number and thousands of small
objects that fragment a microcontroller's heap.  A model loaded from a
compact file (see ``compact.py``) keeps each weight matrix packed instead:

* ``"float32"``: ``values`` is an ``array('f')`` of ``n_in * n_out`` floats,
  row after row (4 bytes a weight);
* ``"int8"``: ``values`` is a ``bytearray`` of ``n_in * n_out`` bytes and
  ``scales`` an ``array('f')`` with one scale per row: the weight in row
  ``k``, column ``j`` is ``scales[k] * (values[k * n_out + j] - 128)``
  (1 byte a weight; the byte holds the signed value plus 128).

A packed matrix is a read-only sequence of rows (``len``, ``m[k]`` and
iteration give lists of floats), so every python backend operation that only
reads a matrix works on it unchanged.  The one that matters for speed,
``matmul(a, packed)``, comes here: :meth:`Packed.rmatmul` multiplies from the
flat array directly, skipping the zero entries of ``a`` as the list kernel
does, without ever building a row of floats.  Writing to a packed matrix
(training) raises a :class:`TinynetError` that says what to do instead.

>>> from array import array
>>> m = Packed(2, 3, array("f", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
>>> m.rmatmul([[1.0, 0.0], [0.5, 2.0]])
[[1.0, 2.0, 3.0], [8.5, 11.0, 13.5]]
>>> q = Packed(2, 2, bytearray([129, 127, 128, 130]), array("f", [0.5, 2.0]))
>>> q.tolist()
[[0.5, -0.5], [0.0, 4.0]]
>>> q.rmatmul([[2.0, 1.0]])
[[1.0, 3.0]]
"""

from ..errors import TinynetError

#: What each kind of packed matrix costs per weight, in bytes.
BYTES_PER_WEIGHT = {"float32": 4, "int8": 1}

#: The stored byte of an int8 weight is its value plus this.
ZERO = 128


class Packed:
    """An ``rows x cols`` matrix held in one flat array (see the module doc)."""

    __slots__ = ("rows", "cols", "values", "scales")

    def __init__(self, rows, cols, values, scales=None):
        if len(values) != rows * cols or (scales is not None and len(scales) != rows):
            raise ValueError("packed %dx%d matrix: %d values and %s scales do not fit"
                             % (rows, cols, len(values), "no" if scales is None else len(scales)))
        self.rows, self.cols = rows, cols
        self.values = values
        self.scales = scales  # None for float32 values

    @property
    def kind(self):
        return "float32" if self.scales is None else "int8"

    @property
    def nbytes(self):
        """The bytes the weights take (the arrays' contents)."""
        scales = 0 if self.scales is None else 4 * self.rows
        return BYTES_PER_WEIGHT[self.kind] * self.rows * self.cols + scales

    def __repr__(self):
        return "Packed(%dx%d, %s)" % (self.rows, self.cols, self.kind)

    # --- a read-only sequence of rows ---

    def __len__(self):
        return self.rows

    def __getitem__(self, k):
        """Return row ``k`` as a new list of floats."""
        if not 0 <= k < self.rows:
            raise IndexError("row %d of a %d-row matrix" % (k, self.rows))
        start = k * self.cols
        row = self.values[start:start + self.cols]
        if self.scales is None:
            return list(row)
        s = self.scales[k]
        return [s * (q - ZERO) for q in row]

    def __iter__(self):
        for k in range(self.rows):
            yield self[k]

    def __setitem__(self, k, row):
        self.refuse_writing()

    def refuse_writing(self):
        """Raise the error that says a packed matrix is for predicting only
        (kernels that update rows in place call this first)."""
        raise TinynetError(
            "this model's weights are packed %s (loaded from a compact file), which is for "
            "predicting only; train the model saved as .json or .pkl instead" % self.kind)

    def tolist(self):
        return [self[k] for k in range(self.rows)]

    # --- the product ---

    def rmatmul(self, a):
        """Return ``a @ self`` for ``a`` a list of rows of floats."""
        if a and len(a[0]) != self.rows:
            raise ValueError("matmul: shapes (%d, %d) and (%d, %d) are not aligned"
                             % (len(a), len(a[0]), self.rows, self.cols))
        if self.scales is None:
            return [_times_float32(x, self.values, self.cols) for x in a]
        return [_times_int8(x, self.values, self.scales, self.cols) for x in a]


def _times_float32(x, w, n):
    """Return the row ``x @ W`` for ``W`` stored row after row in ``w``:
    each non-zero ``x[k]`` adds ``x[k]`` times row ``k`` to the output."""
    out = [0.0] * n
    columns = range(n)
    start = 0
    for v in x:
        if v:
            for j in columns:
                out[j] += v * w[start + j]
        start += n
    return out


def _times_int8(x, q, scales, n):
    """``x @ W`` for int8 weights: row ``k`` of ``W`` is ``scales[k] * (q -
    128)``.  The ``- 128`` is the same for every column, so it is taken out
    of the inner loop and subtracted once: ``128 * sum(x[k] * scales[k])``."""
    out = [0.0] * n
    columns = range(n)
    shift = 0.0
    start = k = 0
    for v in x:
        if v:
            c = v * scales[k]
            shift += c
            for j in columns:
                out[j] += c * q[start + j]
        start += n
        k += 1
    shift *= ZERO
    return [y - shift for y in out]
