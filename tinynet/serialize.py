"""Saving and loading models as plain data: a pickle that runs nothing, or JSON.

A saved model is a dict of plain values only (strings, ints, floats, lists)::

    {"format": "tinynet", "version": 1, "sizes": [784, 1250, 10],
     "activation": "relu", "output": "softmax", "loss": "cross_entropy",
     "dtype": "float64", "optimizer": {"name": "sgd", "learning_rate": 0.02,
     "l2": 0.0, "state": {...}}, "weights": [...], "biases": [...]}

with no NumPy objects and no class references, so a model saved with one
backend loads with the other, on a machine without NumPy, or on MicroPython
(JSON).  Such a pickle needs no globals at all, so the loader's unpickler
resolves none: a file that names ``os.system``, ``eval``, ``subprocess`` or
a NumPy array is refused before anything in it can run.

Saving writes a temporary file beside the target, flushes it to disk and
renames it over the target in one step, so the previous file survives any
failure.
"""

import json
import math

from .errors import TinynetError

FORMAT = "tinynet"
VERSION = 1
_KEYS = ("sizes", "activation", "output", "loss", "weights", "biases")


def _fspath(path):
    try:
        from os import fspath
    except ImportError:  # MicroPython
        return str(path)
    return fspath(path)


# === Saving ===


def to_payload(model, optimizer_state=True):
    """Return the plain-data dict that describes ``model``."""
    opt = model.optimizer
    optimizer = {"name": opt.name, "learning_rate": opt.learning_rate, "l2": opt.l2}
    if hasattr(opt, "momentum"):
        optimizer["momentum"] = opt.momentum
    if optimizer_state:
        optimizer["state"] = opt.state()
    params = model.get_params()
    return {
        "format": FORMAT, "version": VERSION, "sizes": list(model.sizes),
        "activation": model.hidden.name, "output": model.output.name,
        "loss": model.loss.name, "dtype": _dtype_name(model.dtype),
        "optimizer": optimizer, "weights": params["weights"], "biases": params["biases"],
    }


def _dtype_name(dtype):
    return getattr(dtype, "__name__", str(dtype))


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
    payload = to_payload(model, optimizer_state)
    if format == "json":
        data = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    else:
        import pickle

        data = pickle.dumps(payload, protocol=4)  # readable by Python 3.4+
    _write_atomically(path, data)


def _write_atomically(path, data):
    import os
    import tempfile

    directory, name = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + name + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _new_file_mode(path))
        os.replace(tmp, path)  # atomic: readers see the old file or the new
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _new_file_mode(path):
    import os

    try:
        return os.stat(path).st_mode & 0o777  # keep an existing file's mode
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# === Loading ===


def load(path, backend=None):
    """Load a model saved by :func:`save` (pickle or JSON, told apart by the
    content), computing with ``backend``.

    Raises FileNotFoundError for a missing file and :class:`TinynetError`
    (a ValueError) naming the file for anything that is not a valid tinynet
    model.  Loading never runs code from the file; still, load only files
    whose origin you know, as with any data.
    """
    path = _fspath(path)
    with open(path, "rb") as f:
        data = f.read()
    payload = decode(data, path)
    return from_payload(payload, path, backend, len(data))


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


def from_payload(payload, path="<data>", backend=None, size=None):
    """Return the DNN that the plain-data ``payload`` describes, after
    checking every field; ``size`` is the file's length in bytes."""
    from .dnn import DNN

    def fail(reason):
        raise TinynetError("%s: %s" % (path, reason))

    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        fail("not a tinynet model (no \"format\": \"tinynet\" field)")
    version = payload.get("version")
    if not isinstance(version, int) or version < 1:
        fail("unknown format version %r" % (version,))
    if version > VERSION:
        fail("written by a newer tinynet (format version %d; this one reads up to %d): "
             "upgrade tinynet to load it" % (version, VERSION))
    for key in _KEYS:
        if key not in payload:
            fail("missing key %r" % key)
    sizes = payload["sizes"]
    if (not isinstance(sizes, list) or len(sizes) < 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in sizes)):
        fail("sizes must be a list of at least two positive ints, not %r" % (sizes,))
    n_params = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    if size is not None and 2 * n_params > size:
        # Every weight takes at least two bytes in either format; a smaller
        # file claiming more is built to exhaust memory, not a model.
        fail("%d bytes cannot hold the %d parameters that sizes %r need" % (size, n_params, sizes))
    optimizer = payload.get("optimizer", {})
    if not isinstance(optimizer, dict):
        fail("optimizer must be a dict")
    dtype = payload.get("dtype", "float64")
    if dtype not in ("float64", "float32"):
        fail("dtype must be 'float64' or 'float32', not %r" % (dtype,))
    try:
        model = DNN(sizes, activation=payload["activation"], output=payload["output"],
                    loss=payload["loss"], optimizer=optimizer.get("name", "sgd"),
                    learning_rate=optimizer.get("learning_rate"), l2=optimizer.get("l2", 0.0),
                    momentum=optimizer.get("momentum", 0.9), seed=0, backend=backend,
                    dtype=dtype if _keeps_float32(backend) else None)
    except (TypeError, ValueError) as err:  # (an ImportError for the backend passes through)
        fail("bad model settings: %s" % err)
    weights, biases = payload["weights"], payload["biases"]
    _check_params(weights, biases, sizes, fail)
    model.set_params(weights, biases)
    state = optimizer.get("state")
    if state:
        try:
            model.optimizer.load_state(state, model._matrix)
        except (TypeError, ValueError, KeyError, IndexError) as err:
            fail("bad optimizer state: %s" % err)
    return model


def _keeps_float32(backend):
    from .backends import backend_name

    return backend_name(backend) == "numpy"


def _check_params(weights, biases, sizes, fail):
    layers = len(sizes) - 1
    if not isinstance(weights, list) or len(weights) != layers:
        fail("weights must be a list of %d matrices for sizes %r" % (layers, sizes))
    if not isinstance(biases, list) or len(biases) != layers:
        fail("biases must be a list of %d rows for sizes %r" % (layers, sizes))
    for i in range(layers):
        n_in, n_out = sizes[i], sizes[i + 1]
        w, b = weights[i], biases[i]
        if not isinstance(w, list) or len(w) != n_in or not all(
                isinstance(row, list) and len(row) == n_out for row in w):
            fail("weights[%d] must be %d rows of %d numbers, as sizes %r need"
                 % (i, n_in, n_out, sizes))
        if not isinstance(b, list) or len(b) != n_out:
            fail("biases[%d] must be %d numbers, as sizes %r need" % (i, n_out, sizes))
        for name, rows in (("weights", w), ("biases", [b])):
            for r, row in enumerate(rows):
                try:
                    # A sum is finite only if every term is: one pass checks
                    # both that these are numbers and that none is inf/nan.
                    ok = math.isfinite(sum(row))
                except TypeError:
                    fail("%s[%d] row %d holds something that is not a number" % (name, i, r))
                if not ok:
                    fail("%s[%d] row %d holds a non-finite value (nan or inf)" % (name, i, r))
