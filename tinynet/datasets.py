"""MNIST: loading CSV and IDX files, converting, downloading, and a bundled sample.

Images are kept as bytes, one per pixel (0-255), in an :class:`Images`
sequence: 60,000 MNIST digits take 47 MB this way, against about 1.5 GB as
Python lists of floats.  Pixels become floats in [0, 1] (divided by 255)
only when a row or a training batch is used.

>>> X, labels = load_sample("test")
>>> len(X), len(X[0]), labels[:5]
(1000, 784, [7, 2, 1, 0, 4])
>>> max(X[0])
1.0
"""

import gzip
import os
import struct
from operator import itemgetter

from .errors import TinynetError

PIXELS = 28 * 28

#: The MNIST files and their published MD5 checksums, as torchvision has them.
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
#: Tried in order: the mirrors torchvision uses.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

_SCALE = [i / 255.0 for i in range(256)]
# b"0"..b"255" -> 0..255: a dict lookup is about three times as fast as
# int() per field; any other spelling (" 7", "+7", "007", "300") is not in
# the table and takes the careful path.
_BYTE_OF_BYTES = {str(i).encode(): i for i in range(256)}


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
            raise IndexError("image index %d out of range for %d images" % (i, n))
        i %= n
        return bytes(self.pixels[i * self.width:(i + 1) * self.width])

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return Images(self.byte_rows(range(start, stop, step)), self.width)
            return Images(self.pixels[start * self.width:max(start, stop) * self.width],
                          self.width)
        return [_SCALE[p] for p in self.row_bytes(i)]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def byte_rows(self, index):
        """Return the pixels of the images at ``index``, concatenated."""
        w, pixels = self.width, memoryview(self.pixels)
        return b"".join([pixels[i * w:(i + 1) * w] for i in index])

    def __repr__(self):
        return "Images(%d x %d)" % self.shape


# === CSV ===


def _open_binary(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def _is_int(text):
    text = text.strip()
    return text.isdigit() or (text[:1] in "+-" and text[1:].isdigit())


def _csv_row(line, path, line_no):
    """Parse one line with the csv module: the careful path."""
    import csv

    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as err:
        raise TinynetError("%s:%d: not UTF-8 text (%s)" % (path, line_no, err)) from None
    try:
        return next(csv.reader([text]), [])
    except csv.Error as err:
        raise TinynetError("%s:%d: malformed CSV (%s)" % (path, line_no, err)) from None


def load_csv(path, pixels=PIXELS, limit=None, callback=None):
    """Return ``(X, labels)`` from an MNIST CSV file (plain or gzipped).

    Reads the layouts people have: Kaggle's "MNIST in CSV"
    (``label,1x1,...,28x28``), the Digit Recognizer's ``train.csv``
    (``label,pixel0,...``) and ``test.csv`` (``pixel0,...``, no labels: then
    ``labels`` is None), and the same without a header.  A first row whose
    first field is not a number is a header.  CRLF line ends, a UTF-8 BOM and
    blank lines at the end are fine.  ``X`` is an :class:`Images`;
    ``labels`` a list of ints.  ``limit`` stops after that many rows;
    ``callback(rows_read)`` is called every 1,000 rows.

    Anything else is refused with a :class:`TinynetError` that names the
    file, line and column: a row of the wrong length, a value that is not an
    integer, a label outside 0-9, a pixel outside 0-255, an empty file or a
    header with no rows.

    The standard library's csv module defines what is read: the header, and
    any line with quotes, spaces or unusual numbers, go through it.  A plain
    line of numbers (every line tinynet or Kaggle writes) takes a faster
    route to the same values: a split on commas and one dictionary lookup
    per field, in C.
    """
    path = os.fspath(path)
    out, labels = bytearray(), []
    table = _BYTE_OF_BYTES
    has_label = header = blank_at = None
    width = rows = 0
    with _open_binary(path) as f:
        for line_no, line in enumerate(f, 1):
            if line_no == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            fields = line.rstrip(b"\r\n").split(b",")
            if len(fields) == width and blank_at is None:
                try:  # the fast route: every field is one of "0".."255"
                    values = bytes(itemgetter(*fields)(table))
                    if has_label and values[0] > 9:
                        raise KeyError
                except KeyError:
                    values = None
                if values is not None:
                    if has_label:
                        labels.append(values[0])
                        values = values[1:]
                    out += values
                    rows += 1
                    if callback is not None and rows % 1000 == 0:
                        callback(rows)
                    if limit is not None and rows >= limit:
                        break
                    continue
            # The careful route: blank lines, the first row, anything unusual.
            row = _csv_row(line, path, line_no)
            if not row or (len(row) == 1 and not row[0].strip()):
                blank_at = blank_at or line_no
                continue
            if blank_at is not None:
                raise TinynetError("%s:%d: blank line inside the data" % (path, blank_at))
            if has_label is None:  # the first row: a header, or the first image
                if len(row) not in (pixels, pixels + 1):
                    raise TinynetError(
                        "%s:%d: expected %d values per row (a label and %d pixels) or %d "
                        "(pixels only), got %d" % (path, line_no, pixels + 1, pixels, pixels, len(row)))
                has_label = len(row) == pixels + 1
                width = len(row)
                if not _is_int(row[0]):
                    header = row
                    continue
            if len(row) != width:
                raise TinynetError("%s:%d: expected %d values, got %d"
                                   % (path, line_no, width, len(row)))
            try:
                out += bytes(map(int, row[has_label:]))  # ValueError unless 0..255
                if has_label:
                    label = int(row[0])
                    if not 0 <= label <= 9:
                        raise ValueError
                    labels.append(label)
            except ValueError:
                raise _bad_value(path, line_no, row, has_label, header) from None
            rows += 1
            if callback is not None and rows % 1000 == 0:
                callback(rows)
            if limit is not None and rows >= limit:
                break
    if rows == 0:
        if header is not None:
            raise TinynetError("%s: has a header but no rows" % path)
        raise TinynetError("%s: the file is empty" % path)
    return Images(out, pixels), (labels if has_label else None)


def _bad_value(path, line_no, row, has_label, header):
    """Return the error for the first bad field in ``row``."""
    for col, text in enumerate(row):
        is_label = has_label and col == 0
        name = " (%s)" % header[col].strip() if header else ""
        if not _is_int(text):
            what = "label" if is_label else "pixel"
            return TinynetError("%s:%d: column %d%s: %s %r is not an integer"
                                % (path, line_no, col + 1, name, what, text))
        value = int(text)
        if is_label and not 0 <= value <= 9:
            return TinynetError("%s:%d: column %d%s: label %d is outside 0..9"
                                % (path, line_no, col + 1, name, value))
        if not is_label and not 0 <= value <= 255:
            return TinynetError("%s:%d: column %d%s: pixel %d is outside 0..255"
                                % (path, line_no, col + 1, name, value))
    return TinynetError("%s:%d: bad row" % (path, line_no))


def save_csv(path, X, labels=None, header=True):
    """Write ``X`` (an Images) and ``labels`` to ``path`` in Kaggle's "MNIST in
    CSV" layout (``label,1x1,...,28x28``), or, with ``labels=None``, the
    Digit Recognizer's ``test.csv`` layout (``pixel0,...``).  A path ending
    in ``.gz`` is gzipped."""
    path = os.fspath(path)
    side = int(round(X.width ** 0.5))
    if labels is not None:
        if len(labels) != len(X):
            raise ValueError("%d images but %d labels" % (len(X), len(labels)))
        names = ["label"] + ["%dx%d" % (r + 1, c + 1) for r in range(side) for c in range(side)]
    else:
        names = ["pixel%d" % i for i in range(X.width)]
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8", newline="") as f:
        if header:
            f.write(",".join(names) + "\n")
        for i in range(len(X)):
            values = X.row_bytes(i)
            line = ",".join(map(str, values))
            f.write((("%d," % labels[i]) if labels is not None else "") + line + "\n")


# === IDX, the original MNIST format ===


def _read_maybe_gzip(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as err:
            raise TinynetError("%s: corrupt gzip data (%s)" % (path, err)) from None
    return data


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
    shape, body = _parse_idx(_read_maybe_gzip(images), images, 3)
    X = Images(bytearray(body), shape[1] * shape[2])
    if labels is None:
        return X, None
    labels = os.fspath(labels)
    (n,), data = _parse_idx(_read_maybe_gzip(labels), labels, 1)
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


def load(path, labels=None):
    """Load images from a CSV or IDX file, choosing by the file's content."""
    path = os.fspath(path)
    data = _read_maybe_gzip(path)[:4]
    if data[:3] == b"\x00\x00\x08":
        return load_idx(path, labels)
    if labels is not None:
        raise ValueError("a separate labels file goes with IDX images only")
    return load_csv(path)


# === The full dataset: cache and download ===


def cache_dir():
    """Return where downloads are kept: ``$TINYNET_DATA``, else the per-user
    cache (``$XDG_CACHE_HOME/tinynet`` or ``~/.cache/tinynet``; on Windows
    ``%LOCALAPPDATA%\\tinynet``; on macOS ``~/Library/Caches/tinynet``)."""
    if os.environ.get("TINYNET_DATA"):
        return os.environ["TINYNET_DATA"]
    import sys

    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = os.environ["LOCALAPPDATA"]
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "tinynet")


def find_mnist(directory):
    """Return the directory if it holds the four MNIST IDX files (gzipped or
    not), else None."""
    for name in MD5:
        if not any(os.path.isfile(os.path.join(directory, n)) for n in (name, name[:-3])):
            return None
    return directory


def _idx_path(directory, name):
    path = os.path.join(directory, name)
    return path if os.path.isfile(path) else path[:-3]


def mirror_urls():
    """Return the download mirrors: ``$TINYNET_MNIST_MIRRORS`` (URLs separated
    by spaces) if set, else :data:`MIRRORS`."""
    urls = os.environ.get("TINYNET_MNIST_MIRRORS", "").split()
    return tuple(u if u.endswith("/") else u + "/" for u in urls) or MIRRORS


def load_mnist(split="train", directory=None, download=True, mirrors=None, callback=None,
               checksums=MD5):
    """Return ``(X, labels)`` for the full MNIST ``split`` ("train": 60,000
    images, "test": 10,000).

    Looks in ``directory`` (default: :func:`cache_dir`) and, if the files
    are missing and ``download`` is true, fetches them from ``mirrors``
    (default: :func:`mirror_urls`) in order, checking each file's published MD5.  ``callback(name, done,
    total)`` reports download progress.
    """
    if split not in FILES:
        raise ValueError("split must be 'train' or 'test', not %r" % (split,))
    directory = directory or cache_dir()
    images, labels = FILES[split]
    if download:
        for name in (images, labels):
            if not os.path.isfile(_idx_path(directory, name)):
                fetch(name, directory, mirrors, callback, checksums=checksums)
    return load_idx(_idx_path(directory, images), _idx_path(directory, labels))


def fetch(name, directory, mirrors=None, callback=None, timeout=30, checksums=MD5):
    """Download the MNIST file ``name`` into ``directory``; return its path.

    Each mirror is tried in turn, and the file must have the MD5 that
    ``checksums`` gives (the published ones by default).  The file is written to a temporary file
    and renamed into place only once its MD5 matches, so a failed, truncated
    or wrong download never leaves a file behind.
    """
    import hashlib
    import tempfile
    import urllib.request

    os.makedirs(directory, exist_ok=True)
    target = os.path.join(directory, name)
    failures = []
    for mirror in mirrors or mirror_urls():
        url = mirror + name
        fd, tmp = tempfile.mkstemp(prefix="." + name + ".", suffix=".part", dir=directory)
        try:
            digest = hashlib.md5()
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
                total = int(response.headers.get("Content-Length") or 0)
                done = 0
                while True:
                    block = response.read(1 << 16)
                    if not block:
                        break
                    out.write(block)
                    digest.update(block)
                    done += len(block)
                    if callback is not None:
                        callback(name, done, total)
            if digest.hexdigest() != checksums[name]:
                raise ValueError("checksum mismatch (got MD5 %s, expected %s)"
                                 % (digest.hexdigest(), checksums[name]))
            os.replace(tmp, target)
            return target
        except Exception as err:  # any failure: this mirror is out, try the next
            failures.append("%s: %s" % (url, err))
            try:
                os.unlink(tmp)
            except OSError:
                pass
    raise TinynetError("could not download %s:\n  %s" % (name, "\n  ".join(failures)))


# === The sample shipped inside the package ===


def _sample_path(name):
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", name)


def load_sample(split="train"):
    """Return ``(X, labels)`` from the small MNIST sample bundled with
    tinynet: "train" has 500 images of each digit (5,000) and "test" 100 of
    each (1,000), all real MNIST digits (see ``tools/make_sample.py``)."""
    if split not in FILES:
        raise ValueError("split must be 'train' or 'test', not %r" % (split,))
    images, labels = ("sample-%s" % n for n in FILES[split])
    return load_idx(_sample_path(images), _sample_path(labels))


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


__all__ = ["Images", "load", "load_csv", "load_idx", "load_mnist", "load_sample", "save_csv",
           "save_idx", "fetch", "cache_dir", "stratified"]
