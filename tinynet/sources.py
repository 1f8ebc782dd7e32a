"""Where a compact model's numbers come from: a buffer seen in place, or a
file read in small blocks.

``compact.parse`` reads a model through one of two sources with the same
methods, so that there is one parser whatever holds the bytes:

* :class:`InPlace`: a buffer (``bytes``, ``bytearray``, ``memoryview``, an
  ``mmap``, a file on a ROMFS mount, whose memoryview is the flash itself).
  The numbers are views of it: nothing is copied.
* :class:`FromFile`: a file that is not memory (a board's FAT or littlefs
  file, any desktop file).  Its weights are read into blocks of at most
  :data:`BLOCK` bytes, whole rows each: a board's heap, cut up by the code
  imported before, has many free gaps of a few KB and seldom one of 40 KB,
  and a model read as one block fails there with most of the heap free.

Neither source checks what it reads; the parser does (:func:`first_not_finite`).
"""

import sys
from array import array

#: A file's weights are read in blocks of at most this many bytes (a row
#: longer than this is a block of its own).
BLOCK = 2048


def float32s(buf, start, count, copy=False):
    """Return the ``count`` little-endian float32 numbers at ``buf[start:]``
    as an indexable view of ``buf`` itself (a memoryview on CPython, a
    uctypes array on MicroPython), or as a copy (an ``array``) if ``copy``
    or where neither is possible (a big-endian machine, a port without
    uctypes)."""
    part = memoryview(buf)[start:start + 4 * count]
    if copy:
        pass
    elif hasattr(part, "cast"):  # CPython, PyPy
        if sys.byteorder == "little":
            return part.cast("f")
    else:
        try:
            import uctypes
        except ImportError:
            uctypes = None
        if uctypes is not None:
            return uctypes.struct(uctypes.addressof(part),
                                  {"v": (uctypes.ARRAY | 0, uctypes.FLOAT32 | count)},
                                  uctypes.LITTLE_ENDIAN).v
    copy = array("f", bytes(part))
    if sys.byteorder != "little":
        copy.byteswap()
    return copy


def check_float32s(buf, count, negative=True):
    """Return the index of the first of the ``count`` little-endian float32
    numbers in the bytes ``buf`` that is inf or nan (or, unless
    ``negative``, has its sign bit set), or -1 if none is.  Read from the
    bytes, so that no float is made (on a board, each would be a small
    object on the heap): an exponent of all ones (bits 23-30) is inf or nan,
    bit 31 the sign."""
    view = memoryview(buf)
    if hasattr(view, "cast") and sys.byteorder == "little":  # CPython: a pass in C first
        from math import isfinite

        values = view[:4 * count].cast("f")
        if all(map(isfinite, values)) and (negative or min(values, default=0.0) > 0.0):
            return -1
    sign = 0 if negative else 0x80
    for i in range(count):
        top = view[4 * i + 3]
        if top & 0x7F == 0x7F and view[4 * i + 2] & 0x80 or top & sign:
            return i
    return -1


class InPlace:
    """The bytes of a model in one buffer, handed out as views of it."""

    def __init__(self, buf):
        self.view = memoryview(buf)
        self.at = 0

    def size(self):
        return len(self.view)

    def take(self, n, keep=False):
        """The next ``n`` bytes (a view; shorter at the end)."""
        self.at += n
        return self.view[self.at - n:self.at]

    def floats(self, count, copy=False):
        """The next ``count`` float32 numbers (a view, or a copy if ``copy``)."""
        self.at += 4 * count
        return float32s(self.view, self.at - 4 * count, count, copy)

    def recent(self, n):
        """The last ``n`` bytes handed out, as bytes to check."""
        return self.view[self.at - n:self.at]

    def rows(self, rows, cols, floats):
        """The next block of weights, of at most ``rows`` rows of ``cols``
        float32 numbers (``floats``) or bytes: ``(block, its rows)``; here
        all of them, as one view."""
        if floats:
            return self.floats(rows * cols), rows
        return self.take(rows * cols), rows


class FromFile:
    """The bytes of a model in a file, read as the parser asks for them, into
    new buffers kept in ``view`` (a list) for the views made of them."""

    def __init__(self, f, size):
        self.f, self._size = f, size
        self.view = []

    def size(self):
        return self._size

    def take(self, n, keep=False):
        """The next ``n`` bytes (fewer at the end of the file), or, if
        ``keep``, exactly ``n`` read into a new buffer kept in ``view``."""
        if not keep:
            return self.f.read(n) if n else b""
        buf = self._read(n)
        self.view.append(buf)
        return buf

    def _read(self, n, buf=None):
        buf = self._last = bytearray(n) if buf is None else buf
        if n and (self.f.readinto(buf) or 0) != n:
            raise EOFError  # (the file shrank since its size was checked)
        return buf

    def floats(self, count, copy=False):
        raw = self._read(4 * count)
        if not copy:
            self.view.append(raw)
        return float32s(raw, 0, count, copy)

    def recent(self, n):
        return self._last

    def rows(self, rows, cols, floats):
        """The next block of at most :data:`BLOCK` bytes of whole rows, fewer
        (down to one row) while the heap has no free block that large."""
        size = cols * (4 if floats else 1)
        n = max(1, min(rows, BLOCK // size))
        while True:
            try:
                buf = bytearray(n * size)
                break
            except MemoryError:  # (after a collection: only smaller gaps are free)
                if n == 1:
                    raise
                n = (n + 1) // 2
        self.view.append(self._read(n * size, buf))
        return (float32s(buf, 0, n * cols) if floats else buf), n
