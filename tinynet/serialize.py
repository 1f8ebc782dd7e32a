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

from .errors import TinynetError
from .files import fspath as _fspath, read_limited, write_atomically


#: The largest model file read() reads: ten times a [784, 1250, 10] network
#: with Adam state saved as JSON.  A bigger file is refused before reading.
MAX_FILE_BYTES = 1 << 30


# === Saving ===


def save(model, path, format=None, optimizer_state=True):
    """Save ``model`` to ``path`` atomically.

    ``format`` is "pickle" (the default) or "json" (the default for a path
    ending in ``.json``).  ``optimizer_state=False`` leaves out the
    optimizer's running averages (momentum, Adam), for a smaller file that
    still predicts the same; with them, training resumes where it stopped.
    """
    path = _fspath(path)
    if format is None:
        format = "json" if path.lower().endswith(".json") else "pickle"
    if format not in ("pickle", "json"):
        raise ValueError("format must be 'pickle' or 'json', not %r" % (format,))
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
    document, told apart by the content).

    Raises FileNotFoundError for a missing file and :class:`TinynetError`
    (a ValueError) naming the file for anything that is not plain data.
    Nothing in the file runs.  :func:`tinynet.load` then checks every field
    (:meth:`DNN.from_dict`).
    """
    path = _fspath(path)
    return decode(read_limited(path, MAX_FILE_BYTES, "tinynet model file"), path)


def decode(data, path="<bytes>"):
    """Return the plain data in ``data`` (a pickle or JSON document)."""
    if not data:
        raise TinynetError("%s: the file is empty, not a tinynet model" % path)
    if data[:1] == b"\x80":  # every pickle since protocol 2 starts so
        return _unpickle(data, path)
    text = data[3:] if data[:3] == b"\xef\xbb\xbf" else data
    if text.lstrip()[:1] == b"{":
        try:
            return json.loads(text.decode("utf-8"))
        except (ValueError, UnicodeError, RecursionError) as err:
            raise TinynetError("%s: not valid JSON (%s)" % (path, err)) from None
    raise TinynetError("%s: not a tinynet model file (neither a pickle nor JSON)" % path)


def _unpickle(data, path):
    import io
    import pickle

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
