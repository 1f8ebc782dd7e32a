"""Packed weight matrices: a whole ``n_in x n_out`` matrix in flat buffers.

The python backend keeps a matrix as a list of rows of Python floats, which
on MicroPython costs 16 bytes or more per number and thousands of small
objects that fragment a microcontroller's heap.  A model loaded from a
compact file (see ``compact.py``) keeps each weight matrix packed instead,
in the file's own bytes where they can be seen in place (a buffer, or a
ROMFS file in flash: nothing copied), else read into blocks of whole rows:

* ``"float32"``: ``n_in * n_out`` float32 numbers, row after row (4 bytes
  a weight);
* ``"int8"``: ``n_in * n_out`` bytes, and ``scales``, one float32 scale
  per row: the weight in row ``k``, column ``j`` is ``scales[k] *
  (byte - 128)`` (1 byte a weight; the byte holds the signed value plus
  128).

A packed matrix is a read-only sequence of rows (``len``, ``m[k]`` and
iteration give lists of floats), so every python backend operation that only
reads a matrix works on it unchanged.  The one that matters for speed,
``matmul(a, packed)``, comes here: :meth:`Packed.rmatmul` multiplies from the
flat buffers directly, skipping the zero entries of ``a`` as the list kernel
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
    """An ``rows x cols`` matrix held in flat buffers (see the module doc):
    ``values`` is one buffer of every row, or a list of buffers of whole
    rows, ``counts[b]`` rows in ``values[b]`` (a file read into a board's
    heap in small blocks, see ``sources.py``).  ``source``, if given, is
    what those buffers are views of, kept alive with them."""

    __slots__ = ("rows", "cols", "blocks", "counts", "scales", "source")

    def __init__(self, rows, cols, values, scales=None, source=None, counts=None):
        blocks = values if isinstance(values, list) else [values]
        counts = counts or [rows]
        if (len(counts) != len(blocks) or sum(counts) != rows
                or any(_count(b) != c * cols for b, c in zip(blocks, counts))
                or (scales is not None and _count(scales) != rows)):
            raise ValueError("packed %dx%d matrix: %d values and %s scales do not fit" % (
                rows, cols, sum(_count(b) for b in blocks),
                "no" if scales is None else _count(scales)))
        self.rows, self.cols = rows, cols
        self.blocks, self.counts = blocks, counts
        self.scales = scales  # None for float32 values
        self.source = source

    @property
    def values(self):
        """The one buffer of every row (None when held in several blocks)."""
        return self.blocks[0] if len(self.blocks) == 1 else None

    @property
    def kind(self):
        return "float32" if self.scales is None else "int8"

    @property
    def nbytes(self):
        """The bytes the weights take (the buffers' contents)."""
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
        block, row = 0, k  # (row: k's row in its block)
        while row >= self.counts[block]:
            row -= self.counts[block]
            block += 1
        start, values = row * self.cols, self.blocks[block]
        if self.scales is None:
            return [values[start + j] for j in range(self.cols)]
        s = self.scales[k]
        return [s * (values[start + j] - ZERO) for j in range(self.cols)]

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
        return [self.row_into(x, [0.0] * self.cols) for x in a]

    def row_into(self, x, out, scale=1.0):
        """Set ``out`` (``cols`` numbers, a list or an array) to the row
        ``(x * scale) @ self``, and return it: one sample's product in a
        buffer made once (on a board, no new list per prediction).  ``x`` is
        ``rows`` numbers, or raw bytes with a ``scale`` such as 1 / 255."""
        if self.scales is None:
            _times_float32(x, self.blocks, self.counts, out, scale)
        else:
            _times_int8(x, self.blocks, self.counts, self.scales, out, scale)
        return out


def _count(values):
    """The items in a buffer or view (a uctypes array has no len: its size)."""
    try:
        return len(values)
    except TypeError:
        import uctypes

        return uctypes.sizeof(values) // 4


def _times_float32(x, blocks, counts, out, scale):
    """Set ``out`` to the row ``x @ W`` for ``W`` stored row after row in
    ``blocks`` (``counts[b]`` rows in ``blocks[b]``): each non-zero ``x[k]``
    (times ``scale``) adds its multiple of row ``k``."""
    n = len(out)
    columns = range(n)
    for j in columns:
        out[j] = 0.0
    k = 0
    for b in range(len(blocks)):
        w, start = blocks[b], 0
        for _ in range(counts[b]):
            v = x[k]
            if v:
                if scale != 1.0:
                    v = v * scale
                for j in columns:
                    out[j] += v * w[start + j]
            start += n
            k += 1


def _times_int8(x, blocks, counts, scales, out, scale):
    """``x @ W`` into ``out`` for int8 weights: row ``k`` of ``W`` is
    ``scales[k] * (q - 128)``.  The ``- 128`` is the same for every column,
    so it is taken out of the inner loop and subtracted once: ``128 *
    sum(x[k] * scales[k])``."""
    n = len(out)
    columns = range(n)
    for j in columns:
        out[j] = 0.0
    shift = 0.0
    k = 0
    for b in range(len(blocks)):
        q, start = blocks[b], 0
        for _ in range(counts[b]):
            v = x[k]
            if v:
                if scale != 1.0:
                    v = v * scale
                c = v * scales[k]
                shift += c
                for j in columns:
                    out[j] += c * q[start + j]
            start += n
            k += 1
    shift *= ZERO
    for j in columns:
        out[j] = out[j] - shift
