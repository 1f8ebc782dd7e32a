"""Model files: plain data to bytes and back, as a pickle that runs nothing, or JSON.

A model describes itself as a dict of plain values only (strings, ints,
floats, lists; see :meth:`DNN.to_dict`), with no NumPy objects and no class
references, so a model saved with one backend loads with the other, on a
machine without NumPy, or on MicroPython (JSON).  This module turns such a
dict into bytes and back; it knows nothing of networks.  Such a pickle needs no globals at all, so the loader's unpickler
resolves none: a file that names ``os.system``, ``eval``, ``subprocess`` or
a NumPy array is refused before anything in it can run.

Saving goes through :func:`tinynet.files.write_atomically`: a temporary
file beside the target, flushed to disk and renamed over the target in one
step, so the previous file survives any failure; a device, FIFO or
directory is never written over.  Reading takes only a regular file, of at
most :data:`MAX_FILE_BYTES`.
"""

import json

from .errors import TinynetError, shown
from .files import fspath as _fspath, read_limited, write_atomically
from .kinds import as_buffer, kind_of_bytes

try:
    _TOO_DEEP = RecursionError
except NameError:  # MicroPython raises RuntimeError for too deep a recursion
    _TOO_DEEP = RuntimeError


#: The largest model file read() reads: four times a [784, 1250, 10]
#: network with Adam state saved as JSON (66 MB; 27 MB as a pickle).  A
#: bigger file is refused before reading.
MAX_FILE_BYTES = 256 << 20

#: Bytes of a run of BINFLOATs the pickle scan skips in one step: 4096 of 9 bytes.
_FLOAT_RUN = 36864  # pragma: no mutate (any positive number gives the same answer)


# === Saving ===


#: What :func:`save` writes, and the file name suffix that asks for each by default.
FORMATS = ("pickle", "json", "float32", "int8")
SUFFIXES = {".json": "json", ".tnb": "float32"}


def save(model, path, format=None, optimizer_state=True):
    """Save ``model`` to ``path`` atomically (the previous file survives any
    failure): what both :func:`tinynet.save` and ``model.save`` do.

    ``format`` is "pickle", "json" (plain data, the whole model and its
    optimizer's state), or "float32" or "int8" (a compact file for boards:
    the weights alone, 4 or 1 bytes each; see compact.py).  By default it
    follows the suffix: ``.json`` is JSON, ``.tnb`` compact float32, anything
    else a pickle.  ``optimizer_state=False`` leaves out momentum and Adam's
    running averages, for a smaller file that still predicts the same.
    """
    path = _fspath(path)
    if format is None:
        text = path.decode("utf-8", "replace") if isinstance(path, bytes) else path
        format = SUFFIXES.get(text[text.rfind("."):].lower(), "pickle")
    if format not in FORMATS:
        raise ValueError("format must be one of %s, not %r" % (", ".join(FORMATS), format))
    if format in ("float32", "int8"):
        from .compact_save import save as save_compact

        return save_compact(model, path, weights=format)
    if not all(w.all_finite() for w in model.weights + model.biases):
        raise TinynetError("cannot save a model whose weights are not all finite")
    payload = model.to_dict(optimizer_state)
    if format == "json":
        data = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    else:
        import pickle

        data = pickle.dumps(payload, protocol=4)  # readable by Python 3.4+
    write_atomically(path, data)


# === Loading ===


def read(path):
    """Return the plain data in the model file ``path`` (a pickle or JSON
    document, told apart by the content), or in a buffer holding one (see
    :func:`tinynet.kinds.as_buffer`; named "<bytes>" in messages).

    Raises FileNotFoundError for a missing file and :class:`TinynetError`
    (a ValueError) naming the file for anything that is not plain data.
    Nothing in the file runs.  :func:`tinynet.load` then checks every field
    (:meth:`DNN.from_dict`).
    """
    buf = as_buffer(path)
    path = "<bytes>" if buf is not None else _fspath(path)
    try:
        if buf is None:
            data = read_limited(path, MAX_FILE_BYTES, "tinynet model file")
        elif len(buf) > MAX_FILE_BYTES:
            raise TinynetError("%s: %d bytes is more than a tinynet model file holds (at most "
                               "%d)" % (path, len(buf), MAX_FILE_BYTES))
        else:
            data = bytes(buf)
        payload = decode(data, path)
    except MemoryError:
        data = None
        raise out_of_memory(path) from None
    _check_claim(payload, len(data), path)
    return payload


def out_of_memory(path):
    """The MemoryError to raise when a model file does not fit in memory (on
    a board, every number in a JSON or pickle file becomes an object)."""
    return MemoryError("%s: not enough memory to load this model; for a board, write a "
                       "compact one: python -m tinynet board MODEL DIR" % path)


def _check_claim(payload, size, path):
    """Refuse a file too small for the parameters its sizes call for: every
    number takes two bytes at least in either format, so a smaller file
    repeats references to a few (a pickle can) to make tinynet build, and
    check, a network far bigger than the file."""
    sizes = payload.get("sizes") if type(payload) is dict else None
    if type(sizes) is list and 2 <= len(sizes) and all(type(n) is int and n > 0 for n in sizes):
        n = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
        if 2 * n > size:
            raise TinynetError("%s: %d bytes cannot hold the %d parameters that sizes %s need"
                               % (path, size, n, shown(sizes)))


#: What a file that is no model is, in words (kept here, not in kinds.py: a
#: board that loads a compact model never needs them).  See :func:`describe`.
_DESCRIPTIONS = {
    "compact": "a compact tinynet model", "gzip": "gzip-compressed data",
    "idx-images": "IDX images", "idx-labels": "IDX labels", "idx": "an IDX file",
    "png": "a PNG image", "npy": "a NumPy array (.npy)", "zip": "a zip archive",
    "empty": "nothing (empty)",
}


def describe(kind):
    """Return the kind of content ``kind`` (see :mod:`tinynet.kinds`) in words,
    for a message: "a PNG image", "gzip-compressed data", ..."""
    return _DESCRIPTIONS.get(kind, "%s data" % kind)


def decode(data, path="<bytes>"):
    """Return the plain data in ``data`` (a pickle or JSON document, told
    apart by :func:`tinynet.kinds.kind_of_bytes`)."""
    kind = kind_of_bytes(data)
    if kind == "empty":
        raise TinynetError("%s: the file is empty, not a tinynet model" % path)
    if kind == "pickle":
        return _unpickle(data, path)
    if kind == "json":
        text = data[3:] if data[:3] == b"\xef\xbb\xbf" else data
        try:
            return json.loads(text.decode("utf-8"))
        except (ValueError, UnicodeError, _TOO_DEEP) as err:
            raise TinynetError("%s: not valid JSON (%s)" % (path, err)) from None
    found = "" if kind in ("text", "binary") else ": it is %s" % describe(kind)
    raise TinynetError("%s: not a tinynet model file (neither a pickle nor JSON%s)"
                       % (path, found))


def _scan_pickle(data, path):
    """Walk the opcodes of the pickle ``data`` without running any, and
    refuse one that would make the unpickler allocate far more than the
    file holds: a memo index (PUT, LONG_BINPUT) beyond the objects built so
    far makes CPython's unpickler grow its memo to that index, gigabytes
    for a few bytes, and a byte that is no opcode (which CPython's and PyPy's
    unpicklers word differently).  Anything else odd is left to the
    unpickler to refuse.
    A run of floats, most of a model, is skipped in one step."""
    import pickletools

    # Each opcode's argument: ``sizes`` gives its bytes (-1: up to a newline),
    # ``counted`` the bytes of the length before it (BINSTRING's is 4).  An
    # opcode in neither (a kind without a width here) is left to the unpickler.
    widths = {pickletools.TAKEN_FROM_ARGUMENT1: 1, pickletools.TAKEN_FROM_ARGUMENT4: 4,
              pickletools.TAKEN_FROM_ARGUMENT4U: 4, pickletools.TAKEN_FROM_ARGUMENT8U: 8}
    sizes, counted = {}, {}
    for op in pickletools.opcodes:
        n = op.arg.n if op.arg is not None else 0
        if n >= -1:
            sizes[ord(op.code)] = n
        elif n in widths:
            counted[ord(op.code)] = widths[n]
    pos, end, memo = 0, len(data), 0
    while pos < end:
        code = data[pos]
        if code == 0x47:  # BINFLOAT: 'G' and 8 bytes, so every 9th byte of a run is 'G'
            every_ninth = data[pos:pos + _FLOAT_RUN:9]
            pos += 9 * (len(every_ninth) - len(every_ninth.lstrip(b"G")))
            continue
        n, width = sizes.get(code), counted.get(code)
        if n is None and width is None:  # no opcode: worded here, as no unpickler words it alike
            raise TinynetError("%s: corrupt pickle (invalid load key, %r at byte %d)"
                               % (path, bytes([code]), pos))
        pos += 1
        if width is not None:  # a length, then that many bytes
            arg, pos = None, pos + width + int.from_bytes(data[pos:pos + width], "little")
        elif n >= 0:
            arg, pos = data[pos:pos + n], pos + n
        else:  # up to a newline (GLOBAL and INST: two lines)
            for _ in range(2 if code in (0x63, 0x69) else 1):
                try:
                    newline = data.index(b"\n", pos)
                except ValueError:  # no line end: the unpickler finds the file truncated
                    return
                arg, pos = data[pos:newline], newline + 1
        if code == 0x94:  # MEMOIZE: the next index
            memo += 1
        elif code in (0x71, 0x72, 0x70):  # BINPUT, LONG_BINPUT, PUT
            if code != 0x70:
                index = int.from_bytes(arg, "little")
            else:  # PUT: the index as text
                index = int(arg) if arg.isdigit() else -1
            if not 0 <= index <= memo:
                raise TinynetError("%s: corrupt pickle (it stores object %d of %d)"
                                   % (path, index, memo))
            memo = max(memo, index + 1)
        elif code == 0x2E:  # STOP
            return


def _unpickle(data, path):
    import io
    import pickle

    _scan_pickle(data, path)

    class PlainDataUnpickler(pickle.Unpickler):
        """An unpickler that resolves no globals: only plain data loads."""

        def find_class(self, module, name):
            raise pickle.UnpicklingError("global '%s.%s' is forbidden" % (module, name))

    try:
        return PlainDataUnpickler(io.BytesIO(data)).load()
    except pickle.UnpicklingError as err:
        if "forbidden" in str(err):
            raise TinynetError(
                "%s: refused: %s; a tinynet model file holds only plain data, and this "
                "one asks to import code" % (path, err)) from None
        raise TinynetError("%s: corrupt pickle (%s)" % (path, err)) from None
    except EOFError:
        raise TinynetError("%s: truncated: the pickle ends early" % path) from None
    except Exception as err:
        # Nothing in the file can run (no global resolves), so any other
        # failure is bad data; its type varies by interpreter (PyPy's pure
        # pickle raises struct.error on a short read, CPython's EOFError).
        raise TinynetError("%s: corrupt pickle (%s: %s)" % (path, type(err).__name__, err)) from None
