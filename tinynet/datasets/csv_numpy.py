"""Reading MNIST CSV files in bulk with NumPy: the fast route of load_csv.

:func:`tinynet.datasets.load_csv` takes this route whenever NumPy is
installed, whichever backend computes (the result is bytes either way): it reads the first line itself (a header, or the first
row) and hands the open file to :func:`read_rows`, which reads the rest a
block of lines at a time and parses each block with whole-array operations:
where the digits and the separators are, how long each field is, and its
value from its last three digits.  It accepts only what the strict,
line-by-line reader accepts in its own fast route - lines of fields spelled
``0`` to ``255`` (no signs, spaces, quotes or leading zeros), all the same
width, each ending in ``\\n`` or ``\\r\\n``, blank lines only at the very
end - and gives the same values.  On anything else it returns None, and
load_csv reads the file again with the strict reader, which either accepts
it (``" 7"``, ``007``) or names the line and column that is wrong: errors
are always found and worded by the one strict reader.
"""

import numpy as np

#: Bytes read at a time: large enough that NumPy's per-call costs fade, small
#: enough that a block's temporaries stay in the core's cache.
BLOCK = 1 << 19

_ZERO, _COMMA, _NEWLINE = ord("0"), ord(","), ord("\n")


def read_rows(f, start, width, has_label, limit=None, callback=None):
    """Read the rows of ``width`` fields that follow in the binary file
    ``f``, after the bytes ``start`` (the first row, or b"" after a header);
    return ``(pixels, labels, rows)``: a bytearray of the 0-255 values, row
    after row, the labels (a list, or None without them) and the number of
    rows.  Return None if any line is not one this reader vouches for."""
    carry = start
    out, labels = bytearray(), ([] if has_label else None)
    rows = 0
    while limit is None or rows < limit:
        block = f.read(BLOCK)
        at_end = not block
        data = carry + block
        if not at_end:
            # Parse up to the last line that is not blank (blank lines are
            # fine only at the end of the file), keeping the rest.
            body = data[:data.rfind(b"\n") + 1].rstrip(b"\r\n")
            if not body:
                if len(data) > 16 * BLOCK:
                    return None  # not a CSV file of images
                carry = data
                continue
            data, carry = body + b"\n", data[data.index(b"\n", len(body)) + 1:]
        else:
            data, carry = data.rstrip(b"\r\n"), b""  # blank lines at the end are fine
            if not data:
                break
            data += b"\n"
        if limit is not None:
            data = _first_lines(data, limit - rows)
        parsed = _parse(data, width, has_label)
        if parsed is None:
            return None
        values, n = parsed
        if has_label:
            labels.extend(values[:, 0].tolist())
            out += values[:, 1:].tobytes()
        else:
            out += values.tobytes()
        if callback is not None:
            for done in range((rows // 1000 + 1) * 1000, rows + n + 1, 1000):
                callback(done)
        rows += n
        if at_end:
            break
    return out, labels, rows


def _first_lines(data, n):
    """Return the first ``n`` lines of ``data`` (all of it if it has fewer)."""
    if data.count(b"\n") <= n:
        return data
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == _NEWLINE)
    return data[:ends[n - 1] + 1]


def _parse(data, width, has_label):
    """Return ``(values, rows)`` for ``data``, whole lines each ending in
    ``\\n``: ``values`` is a ``rows x width`` uint8 array; or None unless
    every line is ``width`` plain fields 0..255 (and a label 0..9 first)."""
    if b"\r" in data:
        if data.count(b"\r") != data.count(b"\r\n"):
            return None
        data = data.replace(b"\r\n", b"\n")
    buf = np.frombuffer(data, np.uint8)
    rows = np.count_nonzero(buf == _NEWLINE)
    commas = np.count_nonzero(buf == _COMMA)
    digit = buf - np.uint8(_ZERO)  # 0..9 on digits; "," and "\\n" wrap around to 252 and 218
    is_digit = digit < 10
    if np.count_nonzero(is_digit) + commas + rows != len(buf) or commas != rows * (width - 1):
        return None  # a byte that is not a digit, comma or line end; or the wrong count
    # A field ends where a digit meets a separator.  One end per separator
    # means that no field is empty (",," or a line that starts with ",");
    # then the line ends must come after every width-th field.
    ends = np.flatnonzero(is_digit[:-1] & ~is_digit[1:])
    if len(ends) != rows * width or not (buf[ends[width - 1::width] + 1] == _NEWLINE).all():
        return None
    size = np.empty_like(ends)  # each field's length + 1 (its separator)
    size[0] = ends[0] + 2
    np.subtract(ends[1:], ends[:-1], out=size[1:])
    if size.max() > 4:
        return None  # four digits or more
    size = size.astype(np.uint8)
    # The value from the last three digits, separators reading as 0; the
    # hundreds only for fields of three digits (else they are the digit of
    # the field before).
    np.multiply(digit, is_digit, out=digit)
    values = digit[ends - 2].astype(np.uint16)
    values *= size == 4
    values *= 100
    tens = digit[ends - 1]
    tens *= 10
    values += tens
    values += digit[ends]
    # Every field must be the value spelled plainly: as many digits as the
    # value has, so no leading zeros ("07" is for the strict reader).
    spelled = (values >= 10).view(np.uint8) + (values >= 100).view(np.uint8)
    spelled += 2
    if not np.array_equal(spelled, size) or values.max() > 255:
        return None
    values = values.astype(np.uint8).reshape(rows, width)
    if has_label and values[:, 0].max() > 9:
        return None
    return values, rows
