"""Compact model files for boards: float32 or int8 weights, used where they lie.

A JSON or pickle model stores every weight as a Python number, and loading it
on MicroPython builds thousands of float objects.  A compact file (``.tnb``)
holds the numbers as raw little-endian bytes, and the model computes with
views of those bytes (see :func:`read`): on a board whose file is in flash
(a ROMFS mount) nothing is copied to the heap at all; elsewhere the file is
read once, into one block.  :func:`parse` is the one parser of the format: it
checks every field of the header and every number before any is used.

Layout (all numbers little-endian)::

    0   4 bytes   magic b"\\x89TNB"
    4   uint16    format version (1)
    6   uint16    H, the length of the header
    8   H bytes   JSON header, space-padded so that 8 + H is a multiple of 4:
                  {"sizes": [784, 48, 10], "activation": "relu",
                   "output": "softmax", "loss": "cross_entropy",
                   "weights": "float32" or "int8"}
    then, for each layer (n_in inputs, n_out outputs):
                  n_out float32         the biases
      float32:    n_in * n_out float32  the weights, row k (input k) after row k-1
      int8:       n_in float32          one scale per row
                  n_in * n_out bytes    the weights as signed values + 128:
                                        weight = scale[k] * (byte - 128)
                  0-3 zero bytes        padding to a multiple of 4

An int8 row's scale is its largest absolute weight / 127, so every row uses
the whole range.  The model computes with the weights as they are packed
(see ``backends/packed.py``) on the python backend, or unpacked into the
NumPy backend's arrays there.  Compact models predict and evaluate; they do
not train (their weights are read-only).

>>> import tinynet
>>> from tinynet.compact_save import to_bytes  # (the writer, apart: boards only read)
>>> net = tinynet.DNN([4, 3, 2], seed=0, backend="python")
>>> data = to_bytes(net, "int8")
>>> data[:4], data_bytes([4, 3, 2], "int8")  # the magic; the numbers after the header
(b'\\x89TNB', 68)
>>> header = len(data) - 68 - 8  # the JSON header, padded
>>> header % 4 == 0 and data[8:9] == b"{"
True
"""

import json

from .backends.packed import Packed
from .errors import TinynetError, shown
from .files import file_size, fspath, open_regular
from .kinds import COMPACT_MAGIC as MAGIC, as_buffer, json_depth
from .sources import FromFile, InPlace, check_float32s

VERSION = 1
WEIGHTS = ("float32", "int8")
_HEADER_KEYS = ("sizes", "activation", "output", "loss", "weights")
_MAX_HEADER = 4096  # a header is about 100 bytes; more is not a tinynet file


# === Sizes ===


def _layer_bytes(n_in, n_out, weights):
    """Bytes one layer takes in the file (and, as arrays, in memory)."""
    if weights == "float32":
        return 4 * n_out + 4 * n_in * n_out
    return 4 * n_out + 4 * n_in + _padded(n_in * n_out)


def _padded(n):
    return (n + 3) & ~3


def data_bytes(sizes, weights):
    """Return the bytes the weights and biases of a ``sizes`` network take
    in a compact file with ``weights`` ("float32" or "int8")."""
    return sum(_layer_bytes(a, b, weights) for a, b in zip(sizes, sizes[1:]))


def heap_needed(sizes, weights):
    """Return about how many bytes of heap a loaded compact model of this
    shape holds when read from a file (the file's bytes, and a few small
    objects per layer; in place, from a buffer or a ROMFS file, far less)."""
    # The small objects' bytes are an estimate of MicroPython's heap (a
    # platform figure), stated by a test: change both together.
    return data_bytes(sizes, weights) + 256 * (len(sizes) - 1) + 1024


# === Loading: one parser, over a buffer or a file ===


def _fail(name, reason):
    raise TinynetError("%s: %s" % (name, reason))


def read(source):
    """Read a compact model from ``source``: a path, or a buffer (``bytes``
    holding a model, ``bytearray``, ``memoryview``, ``mmap``, a file on a
    ROMFS mount: what :func:`tinynet.kinds.as_buffer` takes).  Return
    ``(header, weights, biases)``: the header's settings, one packed weight
    matrix (see Packed) and one float32 bias array per layer;
    :func:`tinynet.load` makes the model from them.

    The weights of a buffer are views of it, nothing copied (``memoryview``
    of a ROMFS file is the flash); a buffer given must not change while the
    model uses it.  A file that is not memory is read in blocks of a few KB
    (see ``sources.py``).  What is not a valid compact model raises
    :class:`TinynetError` naming the file; a heap too small to read it into,
    MemoryError saying how much it needs.
    """
    buf = as_buffer(source)
    if buf is not None:
        return parse(buf, "<bytes>")
    name = fspath(source)
    with open_regular(name) as f:
        try:
            return parse(memoryview(f), name)  # a file that is memory already (ROMFS)
        except TypeError:
            pass
        return _parse(FromFile(f, _file_size(f)), name)


def parse(buf, name="<buffer>"):
    """The one parser of the compact format, over the bytes ``buf``: check
    every field and every number, then return ``(header, weights, biases)``
    as views of ``buf`` (see :func:`read`)."""
    return _parse(InPlace(buf), name)


def _file_size(f):
    size = file_size(f)
    if size is None:  # MicroPython: no fstat
        here = f.tell()
        size = f.seek(0, 2)
        f.seek(here)
    return size


def _parse(src, name):
    """Check the 8 bytes, the header, the length and then each layer's
    numbers as ``src`` (sources.py) hands them out."""
    head = bytes(src.take(8))
    size = 8 + _header_length(head, name)
    header = _header(head + bytes(src.take(size - 8)), name)
    sizes, weights = header["sizes"], header["weights"]
    _check_length(src.size(), size + data_bytes(sizes, weights), header, name)
    try:
        _collect()  # (a heap as whole as it can be)
        packed, biases = _layers(src, sizes, weights, name)
        return header, packed, biases
    except EOFError:  # (a file that shrank since its length was checked)
        _fail(name, "the file ends early")
    except MemoryError:
        free = _collect()
        raise MemoryError("%s: the %s model %s needs about %d bytes of heap to load%s" % (
            name, weights, "-".join(str(n) for n in sizes), heap_needed(sizes, weights),
            "" if free is None else " (%d bytes are free)" % free)) from None


def _layers(src, sizes, weights, name):
    packed, biases = [], []
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]), 1):
        biases.append(_floats(src, n_out, name, "bias", layer, copy=True))
        scales = raw = None
        if weights == "int8":
            scales = _floats(src, n_in, name, "scale", layer)
            raw = src.recent(4 * n_in)
            k = check_float32s(raw, n_in, negative=False)
            if k >= 0:
                _fail(name, "layer %d: scale %d is negative (%s)" % (layer, k, shown(scales[k])))
        # the weights, a block of rows at a time (one block in place)
        blocks, counts, first = [], [], 0
        while first < n_in:
            block, count = src.rows(n_in - first, n_out, scales is None)
            if scales is None:
                bad = check_float32s(src.recent(4 * count * n_out), count * n_out)
                if bad >= 0:
                    _fail(name, "layer %d: weight %d is not a finite number"
                          % (layer, first * n_out + bad))
            elif not min(block):  # a weight's byte is its value + 128, for values -127..127
                _fail(name, "layer %d: weight byte %d is 0, which no int8 weight is"
                      % (layer, first * n_out + bytes(block).index(0)))
            blocks.append(block)
            counts.append(count)
            first += count
        n = n_in * n_out
        if scales is not None and any(src.take(_padded(n) - n)):
            _fail(name, "layer %d: the padding after the weights is not zero bytes" % layer)
        packed.append(Packed(n_in, n_out, blocks, scales, src.view, counts))
    return packed, biases


def _floats(src, count, name, what, layer, first=0, copy=False):
    """The next ``count`` float32 numbers of ``src``, each checked finite
    (``first``: the index of the first in its layer, for the message)."""
    values = src.floats(count, copy)
    bad = check_float32s(src.recent(4 * count), count)
    if bad >= 0:
        _fail(name, "layer %d: %s %d is not a finite number" % (layer, what, first + bad))
    return values


def _check_length(actual, expected, header, name):
    if actual != expected:
        _fail(name, "%d bytes, but a %s model of sizes %s takes %s bytes: the file is %s" % (
            actual, header["weights"], shown(header["sizes"]),
            expected if expected < 1 << 63 else "more than 2**63",
            "truncated" if actual < expected else "followed by other data"))


def _header_length(head, name):
    """Check the 8 bytes before the header; return the header's length."""
    if bytes(head[:4]) != MAGIC[:max(len(head), 1)]:
        _fail(name, "not a compact tinynet model (no magic bytes)")
    if len(head) < 8:
        _fail(name, "truncated: %d bytes, and a compact model's first 8 bytes say what "
              "follows" % len(head))
    version = head[4] | head[5] << 8
    if version != VERSION:
        _fail(name, "compact format version %d; this tinynet reads version %d%s"
              % (version, VERSION, ": upgrade tinynet to load it" if version > VERSION else ""))
    n = head[6] | head[7] << 8
    if n > _MAX_HEADER:
        _fail(name, "a %d-byte header is not a tinynet header" % n)
    return n


def _header(head, name):
    """Check the JSON header (after the 8 bytes of :func:`_header_length`)
    field by field; return it as a dict."""
    text = bytes(head[8:])
    if len(text) != (head[6] | head[7] << 8):  # (the file is shorter than its header)
        _fail(name, "corrupt header")
    try:
        text = text.decode("utf-8")
        header = json.loads(text) if json_depth(text) <= 2 else None
    except (ValueError, UnicodeError):
        header = None
    if not isinstance(header, dict):
        _fail(name, "corrupt header")
    for key in _HEADER_KEYS:
        if key not in header:
            _fail(name, "the header has no %r" % key)
    for key in header:
        if key not in _HEADER_KEYS:
            _fail(name, "the header has an unknown field %s" % shown(key, 40))
    sizes = header["sizes"]
    if (type(sizes) is not list or len(sizes) < 2
            or not all(type(v) is int and v > 0 for v in sizes)):
        _fail(name, "sizes must be a list of at least two positive ints, not %s" % shown(sizes))
    if header["weights"] not in WEIGHTS:
        _fail(name, "weights must be 'float32' or 'int8', not %s" % shown(header["weights"], 40))
    for key in ("activation", "output", "loss"):
        if type(header[key]) is not str:
            _fail(name, "%s must be a name, not %s" % (key, shown(header[key], 40)))
    return header


def _collect():
    """On MicroPython, collect garbage, so that a large block can be found;
    return the bytes free (None elsewhere)."""
    import gc

    if not hasattr(gc, "mem_free"):  # CPython: no fixed heap to defragment
        return None
    gc.collect()
    return gc.mem_free()
