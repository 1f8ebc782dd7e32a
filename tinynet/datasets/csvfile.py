"""MNIST as CSV: the layouts Kaggle and others publish, read strictly and fast."""

import gzip
import os
from operator import itemgetter

from ..backends import numpy_available
from ..batching import labels as check_labels
from ..errors import TinynetError, plural
from ..files import has_suffix, write_atomically
from .images import PIXELS, Images
from .sources import open_data

# The fast route's table: b"0".."255" -> that byte.  A dict lookup is about
# three times as fast as int() per field; any other spelling (" 7", "+7",
# "007", "300") is not in the table and takes the careful path.
_BYTE_OF_FIELD = {str(i).encode(): bytes([i]) for i in range(256)}
# Most of an MNIST row is zeros.  A run of eight "0" fields, found by one
# bytes.replace per line, becomes the single field "z", which the table maps
# to eight zero bytes: a third fewer fields to split and look up.  A line
# that has a "z" of its own takes the careful path, so "z" can only mean
# that run.
_ZERO_RUN, _RUN_FIELD = b",0" * 8, b"z"
_BYTE_OF_FIELD[_RUN_FIELD] = bytes(8)


_DIGITS = frozenset("0123456789")


def _to_int(text):
    """Return the integer ``text`` spells in ASCII ("7", " 7", "+7", "007"),
    or None: int() alone would also take "2_5" (as 25), "\u00b2" and other
    Unicode digits, which no CSV writer means as numbers."""
    text = text.strip(" \t\r\n")
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not _DIGITS.issuperset(digits):
        return None
    # int() refuses more than 4300 digits on Python 3.11+: leading zeros go
    # first (a cell that reaches this careful route is rare), then a number
    # may have up to 4000 significant digits.
    digits = digits.lstrip("0") or "0"
    if len(digits) > 4000:
        return None
    return int(text[:1] + digits if text[:1] in ("+", "-") else digits)


def _shown(text, limit=40):
    """``text`` for an error message: repr'd, and cut short if long."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "..."


def _max_line(pixels):
    """The longest line load_csv reads: room for every field spelled long."""
    return max(1 << 20, 16 * (pixels + 1))


def _csv_row(line, path, line_no):
    """Parse one line with the csv module: the careful path."""
    import csv

    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as err:
        if line_no == 1:  # perhaps not meant as text at all: say what it is
            from ..serialize import describe
            from .sources import content_kind

            kind = content_kind(path)
            if kind not in ("text", "binary"):
                raise TinynetError("%s holds %s, not CSV text" % (path, describe(kind))) from None
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
    per field (a run of eight zeros counting as one), in C.  When NumPy is
    installed (whichever backend computes), such files are first read in
    bulk by :mod:`tinynet.datasets.csv_numpy`, which gives the same values
    (bytes, not arrays) several times faster and hands anything unusual back
    to this reader (``callback`` then counts again from the start).
    """
    path = os.fspath(path)
    if type(pixels) is not int or pixels < 1:
        raise ValueError("pixels must be an int >= 1 (the values per image), not %r" % (pixels,))
    if not os.path.exists(path):
        raise missing_csv(path)
    if numpy_available():
        found = _load_with_numpy(path, pixels, limit, callback)
        if found is not None:
            return found
    return load_csv_strict(path, pixels, limit, callback)


def load_csv_strict(path, pixels=PIXELS, limit=None, callback=None):
    """Return what :func:`load_csv` returns, read line by line by the
    standard library alone, whether or not NumPy is installed: the reader
    that defines what load_csv accepts, and words every error."""
    path = os.fspath(path)
    out, labels = bytearray(), []
    table, run = _BYTE_OF_FIELD, b"," + _RUN_FIELD
    has_label = header = blank_at = None
    width = rows = 0
    with open_data(path) as f:  # no limit: lines() bounds each line
        for line_no, line in enumerate(f.lines(_max_line(pixels)), 1):
            if line_no == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            # The fast route, once the first row has set the width: every
            # field is one of "0".."255", and a run of zeros counts eight.
            if width > 1 and blank_at is None and _RUN_FIELD not in line:
                fields = line.rstrip(b"\r\n").replace(_ZERO_RUN, run).split(b",")
                try:  # (one field: itemgetter returns it bare, not in a tuple)
                    values = b"".join(itemgetter(*fields)(table)) if len(fields) > 1 else None
                except KeyError:
                    values = None
                if values is not None and len(values) == width and not (
                        has_label and values[0] > 9):
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
                if _to_int(row[0]) is None:
                    header = row
                    continue
            if len(row) != width:
                raise TinynetError("%s:%d: expected %d values, got %d"
                                   % (path, line_no, width, len(row)))
            try:
                # TypeError for a field that is not an integer (None),
                # ValueError for one outside 0..255
                out += bytes([_to_int(text) for text in row[has_label:]])
                if has_label:
                    label = _to_int(row[0])
                    if label is None or not 0 <= label <= 9:
                        raise ValueError
                    labels.append(label)
            except (TypeError, ValueError):
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


def missing_csv(path):
    """Return the FileNotFoundError for a CSV file that is not there, saying
    where MNIST's CSV files come from: Kaggle, or tinynet's own download
    converted by ``python -m tinynet convert``."""
    import errno
    import shlex

    from .mnist import FILES, cache_dir

    cache = cache_dir()
    images, labels = (shlex.quote(os.path.join(cache, name)) for name in FILES["train"])
    why = ("No such file or directory. MNIST as CSV (mnist_train.csv, mnist_test.csv) is "
           "Kaggle's \"MNIST in CSV\" dataset; or make it from the MNIST files tinynet "
           "downloads (datasets.load_mnist(), or python -m tinynet mnist): python -m tinynet "
           "convert %s %s mnist_train.csv (t10k-images and t10k-labels for mnist_test.csv)"
           % (images, labels))
    return MissingFile(errno.ENOENT, why, path)


class MissingFile(FileNotFoundError):
    """A FileNotFoundError that reads path first: the hint after it is long."""

    def __str__(self):
        return "%s: %s" % (self.filename, self.strerror)


def _load_with_numpy(path, pixels, limit, callback):
    """Return ``(X, labels)`` read by :mod:`.csv_numpy`, or None if it does
    not vouch for the file.  The first line is read here, by the rules of
    load_csv below; the rest there."""
    try:
        from .csv_numpy import read_rows
    except ImportError:  # NumPy found but broken, or blocked (sys.modules['numpy'] = None)
        return None
    try:
        with open_data(path) as f:  # no limit: lines() bounds each line
            first = f.readline(_max_line(pixels))
            if first.startswith(b"\xef\xbb\xbf"):
                first = first[3:]
            row = _csv_row(first, path, 1)
            if len(row) not in (pixels, pixels + 1):
                return None  # blank, or the wrong length
            found = read_rows(f, b"" if _to_int(row[0]) is None else first, len(row),
                              len(row) == pixels + 1, limit, callback)
    except TinynetError:  # unreadable, a long line, bad CSV: the strict reader words it
        return None
    if found is None or found[2] == 0:  # no rows: the strict reader words that too
        return None
    return Images(found[0], pixels), found[1]


def _bad_value(path, line_no, row, has_label, header):
    """Return the error for the first bad field in ``row``."""
    for col, text in enumerate(row):
        is_label = has_label and col == 0
        name = " (%s)" % _shown(header[col].strip())[1:-1] if header else ""
        value = _to_int(text)
        if value is None:
            what = "label" if is_label else "pixel"
            return TinynetError("%s:%d: column %d%s: %s %s is not an integer"
                                % (path, line_no, col + 1, name, what, _shown(text)))
        if is_label and not 0 <= value <= 9:
            return TinynetError("%s:%d: column %d%s: label %d is outside 0..9"
                                % (path, line_no, col + 1, name, value))
        if not is_label and not 0 <= value <= 255:
            return TinynetError("%s:%d: column %d%s: pixel %d is outside 0..255"
                                % (path, line_no, col + 1, name, value))
    # Unreachable: the caller found a field that _to_int or a range refused.
    raise AssertionError("%s:%d: no bad field found" % (path, line_no))  # pragma: no mutate (unreachable)


def save_csv(path, X, labels=None, header=True):
    """Write ``X`` (an Images) and ``labels`` to ``path`` in Kaggle's "MNIST in
    CSV" layout (``label,1x1,...,28x28``), or, with ``labels=None``, the
    Digit Recognizer's ``test.csv`` layout (``pixel0,...``).  A path ending
    in ``.gz`` is gzipped.  The file is replaced atomically (see
    :func:`tinynet.files.write_atomically`): the previous one survives any
    failure."""
    path = os.fspath(path)
    side = int(round(X.width ** 0.5))
    if labels is not None:
        if len(labels) != len(X):
            raise ValueError("%s but %s" % (plural(len(X), "image"), plural(len(labels), "label")))
        # what the file can hold, and load_csv read back: the digits 0..9
        labels = check_labels(list(labels), 10)
        names = ["label"] + ["%dx%d" % (r + 1, c + 1) for r in range(side) for c in range(side)]
    else:
        names = ["pixel%d" % i for i in range(X.width)]

    def lines(out):
        if header:
            out.write((",".join(names) + "\n").encode("ascii"))
        for start in range(0, len(X), 1000):
            chunk = []
            for i in range(start, min(start + 1000, len(X))):
                line = ",".join(map(str, X.row_bytes(i)))
                chunk.append((("%d," % labels[i]) if labels is not None else "") + line + "\n")
            out.write("".join(chunk).encode("ascii"))

    def writer(f):
        if has_suffix(path, ".gz"):
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as z:
                lines(z)
        else:
            lines(f)

    write_atomically(path, writer)
