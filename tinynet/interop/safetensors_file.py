"""safetensors files, written and read with the standard library only.

The format (Hugging Face's, which PyTorch users load with
``safetensors.torch.load_file``)::

    8 bytes   N, the header's length: an unsigned little-endian int
    N bytes   a JSON object: for each tensor, its name mapped to
              {"dtype": "F32", "shape": [out, in], "data_offsets": [begin, end]};
              and "__metadata__": a map of strings to strings
    the rest  the tensors' bytes, little-endian, row after row; each
              tensor's offsets count from the end of the header

Nothing in such a file is code, so reading it runs nothing.  The reader
treats it as tinynet treats its own model files (see serialize.py): a
regular file of at most :data:`MAX_FILE_BYTES`; a header of at most
:data:`MAX_HEADER_BYTES` that fits in the file; every tensor's offsets
inside the file, not overlapping another's, and spanning exactly the bytes
its shape and dtype need: all checked before a single number is decoded.
Every fault is a :class:`TinynetError` naming the file.
"""

import json
import struct
import sys
from array import array

from ..errors import TinynetError, shown
from ..files import read_limited

#: The largest file read: as for tinynet's own model files.
MAX_FILE_BYTES = 256 << 20
#: The largest header read; an MLP's is a few hundred bytes.
MAX_HEADER_BYTES = 1 << 20
#: Bytes per value of each floating-point dtype read.
DTYPES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2}
_BIG_ENDIAN = sys.byteorder == "big"


def _little(values):
    """``values`` (an array) in little-endian byte order."""
    if _BIG_ENDIAN:
        values.byteswap()
    return values


def encode(tensors, notes):
    """Return the bytes of a safetensors file holding ``tensors``, a list of
    ``(name, shape, rows or values)``, as float32, and the metadata ``notes``
    (str to str).  The header is padded with spaces so that the tensors
    start 8-byte aligned, as the reference writer does."""
    header, chunks, offset = {"__metadata__": dict(notes)}, [], 0
    for name, shape, values in tensors:
        flat = array("f")
        for row in values if len(shape) == 2 else [values]:
            flat.extend(row)
        chunk = _little(flat).tobytes()
        header[name] = {"dtype": "F32", "shape": list(shape),
                        "data_offsets": [offset, offset + len(chunk)]}
        chunks.append(chunk)
        offset += len(chunk)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def looks_like(data):
    """Return whether the bytes ``data`` start like a safetensors file."""
    return len(data) >= 9 and data[8:9] == b"{"


def read(path):
    """Return ``(tensors, notes)`` of the safetensors file ``path``:
    ``tensors`` maps each name to a :class:`Tensor` (shape checked, values
    not yet decoded), ``notes`` is the metadata (a dict, maybe empty)."""
    return parse(read_limited(path, MAX_FILE_BYTES, "safetensors file"), path)


def parse(data, where):
    """Return ``(tensors, notes)`` of the safetensors bytes ``data``."""
    if len(data) < 8:
        raise TinynetError("%s: %d bytes is too short for a safetensors file (it starts with an "
                           "8-byte header length)" % (where, len(data)))
    n = struct.unpack("<Q", data[:8])[0]
    if n > MAX_HEADER_BYTES:
        raise TinynetError("%s: the header claims %d bytes; a safetensors header tinynet reads "
                           "is at most %d" % (where, n, MAX_HEADER_BYTES))
    if 8 + n > len(data):
        raise TinynetError("%s: the header claims %d bytes, but the file has only %d after its "
                           "length" % (where, n, len(data) - 8))
    header = _header(data[8:8 + n], where)
    buffer = memoryview(data)[8 + n:]
    notes = header.pop("__metadata__", {})
    if not isinstance(notes, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in notes.items()):
        raise TinynetError("%s: __metadata__ must map strings to strings" % where)
    tensors, spans = {}, []
    for name, entry in header.items():
        tensors[name] = _tensor(name, entry, buffer, where)
        spans.append((tensors[name].begin, tensors[name].end, name))
    spans.sort()
    for (_, end, first), (begin, _, second) in zip(spans, spans[1:]):
        if begin < end:
            raise TinynetError("%s: tensors %s and %s overlap in the file"
                               % (where, shown(first), shown(second)))
    return tensors, notes


def _refuse_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError("the key %s appears twice" % shown(key))
        seen[key] = value
    return seen


def _header(raw, where):
    try:
        header = json.loads(bytes(raw).decode("utf-8"), object_pairs_hook=_refuse_duplicates)
    except (ValueError, UnicodeError, RecursionError) as err:
        raise TinynetError("%s: the safetensors header is not valid JSON (%s)"
                           % (where, shown(str(err), 200))) from None
    if not isinstance(header, dict):
        raise TinynetError("%s: the safetensors header must be a JSON object, not %s"
                           % (where, shown(header)))
    return header


class Tensor:
    """One tensor of a safetensors file: its dtype, shape and place in the
    file's data, checked; :meth:`values` decodes it."""

    def __init__(self, dtype, shape, buffer, begin, end):
        self.dtype, self.shape, self.buffer, self.begin, self.end = dtype, shape, buffer, begin, end

    def values(self):
        """Return the tensor's values as a flat sequence of floats."""
        raw = self.buffer[self.begin:self.end]
        if self.dtype == "F16":
            return struct.unpack("<%de" % (len(raw) // 2), raw)
        if self.dtype == "BF16":  # the top half of a float32: put two zero bytes below
            wide = bytearray(2 * len(raw))
            wide[2::4], wide[3::4] = raw[0::2], raw[1::2]
            raw = wide
        return _little(array("d" if self.dtype == "F64" else "f", bytes(raw)))

    def rows(self):
        """Return a 2-D tensor's values as a list of rows (lists of floats)."""
        flat, width = self.values(), self.shape[1]
        return [list(flat[i:i + width]) for i in range(0, len(flat), width)]


def _tensor(name, entry, buffer, where):
    """Check one header entry against the data; return its Tensor."""
    what = "%s: tensor %s" % (where, shown(name))
    if not isinstance(entry, dict):
        raise TinynetError("%s: its header entry must be an object, not %s"
                           % (what, shown(entry)))
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in DTYPES:
        raise TinynetError("%s has dtype %s; tinynet reads the float types %s"
                           % (what, shown(dtype), ", ".join(sorted(DTYPES))))
    if not isinstance(shape, list) or not all(
            type(n) is int and n >= 0 for n in shape):
        raise TinynetError("%s: its shape must be a list of sizes (ints >= 0), not %s"
                           % (what, shown(shape)))
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(
            type(n) is int for n in offsets):
        raise TinynetError("%s: data_offsets must be two ints [begin, end], not %s"
                           % (what, shown(offsets)))
    begin, end = offsets
    if not 0 <= begin <= end <= len(buffer):
        raise TinynetError("%s: data_offsets %s lie outside the %d bytes of data in the file"
                           % (what, shown(offsets), len(buffer)))
    count = 0 if 0 in shape else 1
    for n in shape if count else ():
        count *= n
        if count > len(buffer):  # (a shape of huge sizes: no need to multiply them all)
            break
    if count * DTYPES[dtype] != end - begin:
        raise TinynetError("%s: shape %s of %s takes %s bytes, but its data_offsets span %d"
                           % (what, shown(shape), dtype, "%d" % (count * DTYPES[dtype])
                              if count <= len(buffer) else "more than %d" % len(buffer),
                              end - begin))
    return Tensor(dtype, tuple(shape), buffer, begin, end)
