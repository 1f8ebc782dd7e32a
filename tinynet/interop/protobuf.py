"""Just enough of Protocol Buffers to write and read an ONNX model.

A protobuf message is a run of fields, each a key (``field number << 3 |
wire type``, as a varint) and a value: a varint (wire type 0: ints, enums),
8 or 4 raw little-endian bytes (1 and 5: doubles, floats), or a length and
that many bytes (2: strings, bytes, nested messages, packed numbers).  The
encoder below writes those four; the decoder reads a message's fields into
a dict without looking inside nested messages, so a file nested a million
deep costs nothing until the reader asks for that field, and every length is
checked against the bytes that are really there before anything is sliced.

This is not a general protobuf library: no schemas, no groups (wire types 3
and 4, long deprecated: refused), no unknown-field round trip.

>>> message = int_field(1, 7) + string_field(2, "tinynet") + int_field(3, -1)
>>> fields = decode(message)
>>> fields[1], string(fields, 2, "<doctest>"), integer(fields, 3, "<doctest>")
([7], 'tinynet', -1)
"""

import struct

from ..errors import TinynetError

_MASK = (1 << 64) - 1


# === Writing ===


def varint(n):
    """Return the varint bytes of the int ``n`` (a negative int64 as its
    two's complement: ten bytes)."""
    n &= _MASK
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _key(field, wire):
    return varint(field << 3 | wire)


def int_field(field, n):
    """An int64, int32 or enum field."""
    return _key(field, 0) + varint(n)


def bytes_field(field, data):
    """A bytes field, or a nested message already encoded."""
    return _key(field, 2) + varint(len(data)) + bytes(data)


def string_field(field, text):
    return bytes_field(field, text.encode("utf-8"))


def message_field(field, parts):
    """A nested message made of the encoded fields ``parts``."""
    return bytes_field(field, b"".join(parts))


def packed_ints_field(field, values):
    """A repeated int64 field, packed (one length, then the varints)."""
    return bytes_field(field, b"".join(varint(v) for v in values))


# === Reading ===


def _read_varint(data, pos, end, where):
    result, shift = 0, 0
    while True:
        if pos >= end:
            raise TinynetError("%s: truncated protobuf (a number runs past the end)" % where)
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise TinynetError("%s: corrupt protobuf (a number longer than 10 bytes)" % where)


def decode(data, where="<bytes>"):
    """Return the fields of the message ``data`` as ``{field number: [values]}``.

    A varint becomes an int (unsigned: see :func:`signed`), a fixed-width
    value its 4 or 8 bytes (``bytes``), a length-delimited one a memoryview
    into ``data``, decoded further only when asked for.  A length or number
    that runs past the end, or a wire type this decoder does not read,
    raises a :class:`TinynetError` naming ``where``.
    """
    data = memoryview(data)
    fields, pos, end = {}, 0, len(data)
    while pos < end:
        key, pos = _read_varint(data, pos, end, where)
        field, wire = key >> 3, key & 7
        if field == 0:
            raise TinynetError("%s: corrupt protobuf (field number 0)" % where)
        if wire == 0:
            value, pos = _read_varint(data, pos, end, where)
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            if pos + width > end:
                raise TinynetError("%s: truncated protobuf (a fixed-width value runs past the "
                                   "end)" % where)
            value = bytes(data[pos:pos + width])
            pos += width
        elif wire == 2:
            length, pos = _read_varint(data, pos, end, where)
            if length > end - pos:
                raise TinynetError("%s: truncated protobuf (field %d claims %d bytes; %d are "
                                   "left)" % (where, field, length, end - pos))
            value = data[pos:pos + length]
            pos += length
        else:
            raise TinynetError("%s: corrupt protobuf (wire type %d in field %d)"
                               % (where, wire, field))
        fields.setdefault(field, []).append(value)
    return fields


def signed(n):
    """Return the varint ``n`` read as an int64 (two's complement of its low
    64 bits: a ten-byte varint may carry up to 70)."""
    n &= _MASK
    return n - (1 << 64) if n >= 1 << 63 else n


def _wrong(field, where, what):
    return TinynetError("%s: corrupt protobuf (field %d is not %s)" % (where, field, what))


def integer(fields, field, where, default=0):
    """Return the last value of the int field ``field`` (protobuf's rule for
    a scalar written more than once), as a signed int64, or ``default``."""
    values = fields.get(field)
    if not values:
        return default
    if not isinstance(values[-1], int):
        raise _wrong(field, where, "a number")
    return signed(values[-1])


def real(fields, field, where, default=0.0):
    """Return the last value of the float (fixed32) field ``field``."""
    values = fields.get(field)
    if not values:
        return default
    if not isinstance(values[-1], bytes) or len(values[-1]) != 4:
        raise _wrong(field, where, "a float")
    return struct.unpack("<f", values[-1])[0]


def blobs(fields, field, where):
    """Return every value of the length-delimited field ``field`` (bytes,
    strings, messages), as memoryviews."""
    values = fields.get(field, [])
    if not all(isinstance(v, memoryview) for v in values):
        raise _wrong(field, where, "bytes or a message")
    return values


def blob(fields, field, where, default=b""):
    """Return the last value of the length-delimited field ``field``."""
    values = blobs(fields, field, where)
    return values[-1] if values else memoryview(default)


def text(value, where):
    """Return the string ``value`` (a memoryview) as str."""
    try:
        return bytes(value).decode("utf-8")
    except UnicodeError:
        raise TinynetError("%s: a protobuf string that is not UTF-8 text" % where) from None


def string(fields, field, where, default=""):
    """Return the last value of the string field ``field``, or ``default``."""
    return text(blob(fields, field, where), where) if field in fields else default


def ints(fields, field, where):
    """Return the repeated int64 field ``field`` as a list of ints: written
    packed (one length-delimited run) or one varint each; both are legal."""
    found = []
    for value in fields.get(field, []):
        if isinstance(value, int):
            found.append(signed(value))
        elif isinstance(value, memoryview):
            pos, end = 0, len(value)
            while pos < end:
                n, pos = _read_varint(value, pos, end, where)
                found.append(signed(n))
        else:
            raise _wrong(field, where, "a list of ints")
    return found
