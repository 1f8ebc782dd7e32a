"""MNIST as IDX, the original format: a big-endian header, then raw bytes.

Files are streamed: the header is read first and bounds everything after
it, so a file (or a small gzip) holding more than its header promises is
refused as soon as the excess shows, and a header promising more than the
file could hold is refused before any of the body is read.
"""

import os
import struct

from ..batching import labels as check_labels
from ..errors import TinynetError, plural
from ..files import has_suffix, write_atomically
from .images import Images
from .sources import READ_BLOCK, open_data

#: Deflate expands data at most about 1032 times; a gzip whose IDX header
#: promises more than this many bytes per compressed byte is impossible.
_MAX_GZIP_RATIO = 1040


def _read_idx(path, ndim):
    """Return ``(shape, body)`` of the IDX file of ``ndim`` dimensions at ``path``."""
    with open_data(path, what="IDX file") as f:
        start = f.read(4)
        if len(start) < 4:
            raise TinynetError("%s: too short for an IDX header" % path)
        zero, dtype, dims = struct.unpack(">HBB", start)
        if zero != 0 or dtype != 0x08:
            raise TinynetError("%s: not an IDX file of unsigned bytes (magic %s)"
                               % (path, start.hex()))
        if dims != ndim:
            raise TinynetError("%s: expected %d dimensions, the header says %d"
                               % (path, ndim, dims))
        dims_bytes = f.read(4 * ndim)
        if len(dims_bytes) < 4 * ndim:
            raise TinynetError("%s: too short for an IDX header" % path)
        shape = struct.unpack(">" + "I" * ndim, dims_bytes)
        shown = "x".join(map(str, shape))
        if 0 in shape:
            raise TinynetError("%s: the header's shape %s holds no %s"
                               % (path, shown, "images" if ndim > 1 else "labels"))
        size = 1
        for n in shape:
            size *= n
        stored = f.size
        if stored is not None:
            header = 4 + 4 * ndim
            if not f.compressed and size != stored - header:
                raise TinynetError("%s: the header promises %s bytes of data (shape %s), the "
                                   "file has %s" % (path, _n(size), shown, _n(stored - header)))
            if f.compressed and size > _MAX_GZIP_RATIO * stored:
                raise TinynetError("%s: the header promises %s bytes of data (shape %s), more "
                                   "than a %s-byte gzip file can hold"
                                   % (path, _n(size), shown, _n(stored)))
        body = bytearray()
        while len(body) < size:
            block = f.read(min(size - len(body), READ_BLOCK))
            if not block:
                raise TinynetError("%s: the header promises %s bytes of data (shape %s), the "
                                   "file has %s" % (path, _n(size), shown, _n(len(body))))
            body += block
        if not f.at_end():
            raise TinynetError("%s: the header promises %s bytes of data (shape %s), the file "
                               "has more" % (path, _n(size), shown))
    return shape, body


def _n(count):
    return format(count, ",")


def load_idx(images, labels=None):
    """Return ``(X, labels)`` from IDX files (gzipped or raw), as
    :func:`load_csv` does; ``labels`` is None without a labels file."""
    images = os.fspath(images)
    shape, body = _read_idx(images, 3)
    X = Images(body, shape[1] * shape[2])
    if labels is None:
        return X, None
    labels = os.fspath(labels)
    (n,), data = _read_idx(labels, 1)
    if n != len(X):
        raise TinynetError("%s has %s but %s has %s" % (labels, plural(n, "label"), images,
                                                         plural(len(X), "image")))
    if data and max(data) > 9:
        raise TinynetError("%s: label %d is outside 0..9" % (labels, max(data)))
    return X, list(data)


def save_idx(images_path, X, labels_path=None, labels=None):
    """Write ``X`` (and ``labels``) as IDX files, gzipped if a path ends in
    ``.gz`` (reproducibly: no timestamp inside).  Each file is replaced
    atomically (see :func:`tinynet.files.write_atomically`)."""
    side = int(round(X.width ** 0.5))
    rows, cols = (side, side) if side * side == X.width else (1, X.width)
    if labels_path is not None:
        # checked before anything is written: the digits 0..9 load_idx reads back
        labels = bytes(check_labels(list(labels), 10))
    _write(images_path, struct.pack(">HBBIII", 0, 8, 3, len(X), rows, cols), X.pixels)
    if labels_path is not None:
        _write(labels_path, struct.pack(">HBBI", 0, 8, 1, len(labels)), labels)


def _write(path, header, body):
    path = os.fspath(path)

    def writer(f):
        if has_suffix(path, ".gz"):
            import gzip

            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as z:
                z.write(header)
                z.write(body)
        else:
            f.write(header)
            f.write(body)

    write_atomically(path, writer)
