"""MNIST as IDX, the original format: a big-endian header, then raw bytes."""

import gzip
import os
import struct

from ..errors import TinynetError
from .images import Images
from .sources import read_data


def _parse_idx(data, path, ndim):
    if len(data) < 4:
        raise TinynetError("%s: too short for an IDX header" % path)
    zero, dtype, dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise TinynetError("%s: not an IDX file of unsigned bytes (magic %s)"
                           % (path, data[:4].hex()))
    if dims != ndim:
        raise TinynetError("%s: expected %d dimensions, the header says %d" % (path, ndim, dims))
    if len(data) < 4 + 4 * ndim:
        raise TinynetError("%s: too short for an IDX header" % path)
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    size = 1
    for n in shape:
        size *= n
    body = data[4 + 4 * ndim:]
    if len(body) != size:
        raise TinynetError("%s: the header promises %d bytes of data (shape %s), the file has %d"
                           % (path, size, "x".join(map(str, shape)), len(body)))
    return shape, body


def load_idx(images, labels=None):
    """Return ``(X, labels)`` from IDX files (gzipped or raw), as
    :func:`load_csv` does; ``labels`` is None without a labels file."""
    images = os.fspath(images)
    shape, body = _parse_idx(read_data(images), images, 3)
    X = Images(bytearray(body), shape[1] * shape[2])
    if labels is None:
        return X, None
    labels = os.fspath(labels)
    (n,), data = _parse_idx(read_data(labels), labels, 1)
    if n != len(X):
        raise TinynetError("%s has %d labels but %s has %d images" % (labels, n, images, len(X)))
    if data and max(data) > 9:
        raise TinynetError("%s: label %d is outside 0..9" % (labels, max(data)))
    return X, list(data)


def save_idx(images_path, X, labels_path=None, labels=None):
    """Write ``X`` (and ``labels``) as IDX files, gzipped if a path ends in
    ``.gz`` (reproducibly: no timestamp inside)."""
    side = int(round(X.width ** 0.5))
    rows, cols = (side, side) if side * side == X.width else (1, X.width)
    _write_bytes(images_path, struct.pack(">HBBIII", 0, 8, 3, len(X), rows, cols)
                 + bytes(X.pixels))
    if labels_path is not None:
        _write_bytes(labels_path, struct.pack(">HBBI", 0, 8, 1, len(labels)) + bytes(labels))


def _write_bytes(path, data):
    path = os.fspath(path)
    if path.endswith(".gz"):
        import io

        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as f:
            f.write(data)
        data = buffer.getvalue()
    with open(path, "wb") as f:
        f.write(data)
