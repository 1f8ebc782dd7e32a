"""Images: a sequence of images kept as bytes, one per pixel (0-255).

60,000 MNIST digits take 47 MB this way, against about 1.5 GB as Python
lists of floats.  Pixels become floats in [0, 1] (divided by 255) only when
a row or a training batch is used, by the backend's ``from_bytes``.
"""

import operator

from ..backends import python_fast
from ..errors import plural, shown

PIXELS = 28 * 28


class Images:
    """A sequence of images stored as bytes, each row ``width`` pixels.

    ``X[i]`` is a list of ``width`` floats in [0, 1]; ``X[a:b]`` is another
    Images, and so is ``X[index]`` for a list or 1-D NumPy array of ints (a
    shuffle: ``X[order]``) or of bools, one per image (a mask); ``len(X)``
    is the number of images.  ``pixels`` holds the raw
    0-255 values, row after row.  Every tinynet model method that takes
    inputs accepts an Images directly, and converts only a batch at a time.
    """

    def __init__(self, pixels, width=PIXELS):
        if width < 1 or len(pixels) % width:
            raise ValueError("%d pixels do not make rows of %d" % (len(pixels), width))
        self.pixels = pixels
        self.width = width

    def __len__(self):
        return len(self.pixels) // self.width

    @property
    def shape(self):
        return (len(self), self.width)

    def row_bytes(self, i):
        """Return image ``i``'s pixels as bytes (0-255)."""
        n = len(self)
        if not -n <= i < n:
            raise IndexError("image index %d out of range for %s" % (i, plural(n, "image")))
        i %= n
        return bytes(self.pixels[i * self.width:(i + 1) * self.width])

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return Images(self.byte_rows(range(start, stop, step)), self.width)
            return Images(self.pixels[start * self.width:max(start, stop) * self.width],
                          self.width)
        try:
            i = operator.index(i)  # an int, a NumPy int
        except TypeError:
            return Images(self.byte_rows(self._indexes(i)), self.width)
        return python_fast.from_bytes(self.row_bytes(i), 1, self.width)[0]

    def _indexes(self, index):
        """The images ``index`` (a list or 1-D array of ints, or of one bool
        per image) picks, as a list of ints in ``0 .. len - 1``."""
        if isinstance(index, (str, bytes, tuple, dict, set)) or not hasattr(index, "__len__"):
            raise TypeError("an Images is indexed by an int, a slice, or a list or 1-D array "
                            "of ints (or of one bool per image), not a %s" % type(index).__name__)
        if getattr(index, "ndim", 1) != 1:
            raise TypeError("an Images takes a 1-D array of indexes, not %d-D" % index.ndim)
        picks = index.tolist() if hasattr(index, "tolist") else list(index)
        n = len(self)
        if picks and all(type(v) is bool for v in picks):
            if len(picks) != n:
                raise IndexError("a mask of %s for %s" % (plural(len(picks), "bool"),
                                                          plural(n, "image")))
            return [k for k, v in enumerate(picks) if v]
        found = []
        for v in picks:
            try:
                k = operator.index(v)
            except TypeError:
                raise TypeError("image indexes must be ints, not %s" % shown(v)) from None
            if type(v) is bool:
                raise TypeError("image indexes are ints or one bool per image, not a mix")
            if not -n <= k < n:
                raise IndexError("image index %d out of range for %s" % (k, plural(n, "image")))
            found.append(k % n)
        return found

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def byte_rows(self, index):
        """Return the pixels of the images at ``index``, concatenated."""
        w, pixels = self.width, memoryview(self.pixels)
        return b"".join([pixels[i * w:(i + 1) * w] for i in index])

    def __repr__(self):
        return "Images(%d x %d)" % self.shape


def stratified(X, labels, per_class, classes=10):
    """Return the first ``per_class`` images of each class, in their
    original order, as ``(X, labels)``."""
    counts = [0] * classes
    keep = []
    for i, label in enumerate(labels):
        if counts[label] < per_class:
            counts[label] += 1
            keep.append(i)
    if min(counts) < per_class:
        raise ValueError("not enough images: %s per class" % counts)
    return Images(bytearray(X.byte_rows(keep)), X.width), [labels[i] for i in keep]
