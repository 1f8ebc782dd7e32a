"""Images: a sequence of images kept as bytes, one per pixel (0-255).

60,000 MNIST digits take 47 MB this way, against about 1.5 GB as Python
lists of floats.  Pixels become floats in [0, 1] (divided by 255) only when
a row or a training batch is used, by the backend's ``from_bytes``.
"""

from ..backends import python_fast
from ..errors import plural

PIXELS = 28 * 28


class Images:
    """A sequence of images stored as bytes, each row ``width`` pixels.

    ``X[i]`` is a list of ``width`` floats in [0, 1]; ``X[a:b]`` is another
    Images; ``len(X)`` is the number of images.  ``pixels`` holds the raw
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
        return python_fast.from_bytes(self.row_bytes(i), 1, self.width)[0]

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
