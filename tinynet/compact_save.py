"""Writing compact model files (the format: ``compact.py``).

Kept apart from the reader, so that a board that only loads a model never
compiles this into its heap.
"""

import json
import sys
from array import array

from .backends.packed import ZERO
from .compact import MAGIC, VERSION, WEIGHTS, _padded
from .errors import TinynetError, shown
from .files import write_atomically


def _header_text(model, weights):
    text = json.dumps({"sizes": list(model.sizes), "activation": model._activation.name,
                       "output": model.output_activation.name, "loss": model._loss.name,
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


def _write(write, model, weights):
    """Write the compact form of ``model`` with ``write`` (a file's)."""
    head = _header_text(model, weights)
    write(MAGIC + _uint16(VERSION) + _uint16(len(head)) + head)
    params = model.get_params()
    for rows, bias in zip(params["weights"], params["biases"]):
        write(_little(array("f", bias)))
        if weights == "float32":
            for row in rows:
                write(_little(array("f", row)))
            continue
        packed = [_int8_row(row) for row in rows]
        write(_little(array("f", [scale for scale, _ in packed])))
        for _, q in packed:
            write(q)
        write(bytes(_padded(len(rows) * len(rows[0])) - len(rows) * len(rows[0])))


def _uint16(n):
    return bytes((n & 255, n >> 8))


def _little(a):
    if sys.byteorder != "little":  # CPython on a big-endian machine
        a.byteswap()
    return a


#: The largest finite float32: a larger weight or bias would be saved as inf.
FLOAT32_MAX = 3.4028234663852886e38


def _check_savable(model, weights):
    if weights not in WEIGHTS:
        raise ValueError("weights must be 'float32' or 'int8', not %r" % (weights,))
    if not all(w.all_finite() for w in model.weights + model.biases):
        raise TinynetError("cannot save a model whose weights are not all finite")
    params = model.get_params()
    for layer, (rows, bias) in enumerate(zip(params["weights"], params["biases"]), 1):
        top = max(max(abs(v) for v in row) for row in rows + [bias])
        if top > FLOAT32_MAX:
            raise TinynetError("cannot save layer %d with float32 numbers: a weight or bias of "
                               "%s is beyond their range (3.4e38); save the model as .json or "
                               ".pkl" % (layer, shown(top)))


def to_bytes(model, weights="float32"):
    """Return the compact file of ``model`` as bytes."""
    _check_savable(model, weights)
    parts = []
    _write(lambda data: parts.append(bytes(data)), model, weights)
    return b"".join(parts)


def save(model, path, weights="float32"):
    """Save ``model`` to ``path`` as a compact file with ``weights``
    "float32" (4 bytes a weight, the same predictions to about 1e-6) or
    "int8" (1 byte a weight, with one float32 scale per row).  The file is
    replaced atomically: the previous one survives any failure."""
    _check_savable(model, weights)
    write_atomically(path, lambda f: _write(f.write, model, weights))
