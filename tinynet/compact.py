"""Compact model files for boards: float32 or int8 weights, read straight into arrays.

A JSON or pickle model stores every weight as a Python number, and loading it
on MicroPython builds thousands of float objects.  A compact file (``.tnb``)
holds the numbers as raw little-endian bytes, and :func:`load` reads each
weight matrix with one ``readinto`` into one preallocated array: no Python
float is made per weight and no random network is initialised first, so the
heap needed to load is the model's final size plus a few hundred bytes.

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
>>> net = tinynet.DNN([4, 3, 2], seed=0, backend="python")
>>> data = to_bytes(net, "int8")
>>> data[:4], data_bytes([4, 3, 2], "int8")  # the magic; the numbers after the header
(b'\\x89TNB', 68)
>>> header = len(data) - 68 - 8  # the JSON header, padded
>>> header % 4 == 0 and data[8:9] == b"{"
True
"""

import json
import sys
from array import array

from .backends.packed import BYTES_PER_WEIGHT, ZERO, Packed
from .errors import TinynetError
from .files import fspath, open_regular, write_atomically
from .kinds import COMPACT_MAGIC as MAGIC  # defined there, where every kind's first bytes are

VERSION = 1
WEIGHTS = ("float32", "int8")
_HEADER_KEYS = ("sizes", "activation", "output", "loss", "weights")
_MAX_HEADER = 4096  # a header is about 100 bytes; more is not a tinynet file


def is_compact(head):
    """Return whether the bytes ``head`` start a compact model file."""
    return head[:4] == MAGIC


def is_compact_file(path):
    """Return whether the file at ``path`` starts with the compact magic
    bytes (False if it cannot be read: the caller's loader says why)."""
    try:
        with open_regular(path) as f:
            return is_compact(f.read(4))
    except (OSError, TypeError, TinynetError):
        return False


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
    shape holds: its arrays plus a few small objects per layer."""
    # The small objects' bytes are an estimate of MicroPython's heap (a
    # platform figure), stated by a test: change both together.
    return data_bytes(sizes, weights) + 256 * (len(sizes) - 1) + 1024


# === Saving ===


def _header(model, weights):
    text = json.dumps({"sizes": list(model.sizes), "activation": model.activation.name,
                       "output": model.output_activation.name, "loss": model.loss.name,
                       "weights": weights})
    text += " " * (-(8 + len(text)) % 4)
    return text.encode("utf-8")


def _int8_row(row):
    """Return (scale, bytes) for one row of weights."""
    top = max(abs(v) for v in row)
    scale = array("f", [top / 127.0])[0]  # the float32 the file will hold
    if not scale:
        return 0.0, bytearray([ZERO] * len(row))
    return scale, bytearray(ZERO + max(-127, min(127, round(v / scale))) for v in row)


def _write(f, model, weights):
    """Write the compact form of ``model`` to the binary file ``f``."""
    head = _header(model, weights)
    f.write(MAGIC + _uint16(VERSION) + _uint16(len(head)) + head)
    params = model.get_params()
    for rows, bias in zip(params["weights"], params["biases"]):
        f.write(_little(array("f", bias)))
        if weights == "float32":
            for row in rows:
                f.write(_little(array("f", row)))
            continue
        packed = [_int8_row(row) for row in rows]
        f.write(_little(array("f", [scale for scale, _ in packed])))
        for _, q in packed:
            f.write(q)
        f.write(bytes(_padded(len(rows) * len(rows[0])) - len(rows) * len(rows[0])))


def _uint16(n):
    return bytes((n & 255, n >> 8))


def _little(a):
    if sys.byteorder != "little":  # CPython on a big-endian machine
        a.byteswap()
    return a


def _check_savable(model, weights):
    if weights not in WEIGHTS:
        raise ValueError("weights must be 'float32' or 'int8', not %r" % (weights,))
    if not all(w.all_finite() for w in model.weights + model.biases):
        raise TinynetError("cannot save a model whose weights are not all finite")


class _Buffer:
    def __init__(self):
        self.parts = []

    def write(self, data):
        self.parts.append(bytes(data))


def to_bytes(model, weights="float32"):
    """Return the compact file of ``model`` as bytes."""
    _check_savable(model, weights)
    out = _Buffer()
    _write(out, model, weights)
    return b"".join(out.parts)


def save(model, path, weights="float32"):
    """Save ``model`` to ``path`` as a compact file with ``weights``
    "float32" (4 bytes a weight, the same predictions to about 1e-6) or
    "int8" (1 byte a weight, with one float32 scale per row).  The file is
    replaced atomically: the previous one survives any failure."""
    _check_savable(model, weights)
    write_atomically(path, lambda f: _write(f, model, weights))


# === Loading ===


def _fail(path, reason):
    raise TinynetError("%s: %s" % (path, reason))


def _read_header(f, path):
    head = f.read(8)
    if not is_compact(head):
        _fail(path, "not a compact tinynet model (no magic bytes)")
    version = head[4] | head[5] << 8
    if version != VERSION:
        _fail(path, "compact format version %d; this tinynet reads version %d%s"
              % (version, VERSION, ": upgrade tinynet to load it" if version > VERSION else ""))
    n = head[6] | head[7] << 8
    if n > _MAX_HEADER:
        _fail(path, "a %d-byte header is not a tinynet header" % n)
    text = f.read(n)
    try:
        header = json.loads(text.decode("utf-8"))
    except (ValueError, UnicodeError):
        header = None
    if not isinstance(header, dict) or len(text) != n:
        _fail(path, "corrupt header")
    for key in _HEADER_KEYS:
        if key not in header:
            _fail(path, "the header has no %r" % key)
    sizes = header["sizes"]
    if (not isinstance(sizes, list) or len(sizes) < 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in sizes)):
        _fail(path, "sizes must be a list of at least two positive ints, not %r" % (sizes,))
    if header["weights"] not in WEIGHTS:
        _fail(path, "weights must be 'float32' or 'int8', not %r" % (header["weights"],))
    return header, 8 + n


def _file_size(f):
    here = f.tell()
    end = f.seek(0, 2)
    f.seek(here)
    return end


def _new_array(typecode, n):
    """An array of ``n`` items allocated in one piece, with nothing else
    made: ``array(code, range(n))`` sizes the array from ``len`` first."""
    return array(typecode, range(n))


def _fill(f, buf, nbytes, path):
    if f.readinto(buf) != nbytes:
        _fail(path, "the file ends early")
    return buf


def _read_layers(f, sizes, weights, path):
    """Read every layer's arrays; return (packed weights, bias lists)."""
    packed, biases = [], []
    for n_in, n_out in zip(sizes, sizes[1:]):
        biases.append(_little(_fill(f, _new_array("f", n_out), 4 * n_out, path)))
        n = n_in * n_out
        if weights == "float32":
            values = _little(_fill(f, _new_array("f", n), 4 * n, path))
            packed.append(Packed(n_in, n_out, values))
        else:
            scales = _little(_fill(f, _new_array("f", n_in), 4 * n_in, path))
            values = _fill(f, bytearray(n), n, path)
            f.read(_padded(n) - n)
            packed.append(Packed(n_in, n_out, values, scales))
        values = scales = None
    return packed, biases


def _collect():
    """On MicroPython, collect garbage, so that a large block can be found;
    return the bytes free (None elsewhere)."""
    import gc

    if not hasattr(gc, "mem_free"):  # CPython: no fixed heap to defragment
        return None
    gc.collect()
    return gc.mem_free()


def read(path):
    """Read the compact model file at ``path``; return ``(header, weights,
    biases)``: the header's settings, one packed weight matrix (float32 or
    int8 arrays, see Packed) and one bias array per layer.  :func:`tinynet.load`
    makes the model from them.

    A file that is not a valid compact model raises :class:`TinynetError`
    naming it; a heap too small for the model raises MemoryError saying how
    many bytes it needs.
    """
    path = fspath(path)
    with open_regular(path) as f:
        header, start = _read_header(f, path)
        sizes, weights = header["sizes"], header["weights"]
        expected = start + data_bytes(sizes, weights)
        actual = _file_size(f)
        if actual != expected:
            _fail(path, "%d bytes, but a %s model of sizes %r takes %d bytes: the file is %s"
                  % (actual, weights, sizes, expected,
                     "truncated" if actual < expected else "followed by other data"))
        try:
            _collect()  # the big arrays first, into a heap as whole as it can be
            packed, biases = _read_layers(f, sizes, weights, path)
        except MemoryError:
            packed = biases = None
            free = _collect()
            raise MemoryError(
                "%s: the %s model %s needs about %d bytes of heap to load%s" % (
                    path, weights, "-".join(str(n) for n in sizes), heap_needed(sizes, weights),
                    "" if free is None else " (%d bytes are free)" % free)) from None
    return header, packed, biases
