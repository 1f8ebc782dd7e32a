"""tinynet: a small, readable fully-connected neural network library.

>>> from tinynet import DNN
>>> net = DNN([2, 8, 2], seed=0, backend="python")
>>> net.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0], epochs=1)[0]["epoch"]
1

Two interchangeable backends compute the same numbers: "numpy" (fast) and
"python" (lists of floats, standard library only; runs on PyPy and
MicroPython).  NumPy is never imported unless the numpy backend is used.

Reading order for the code: ``backends/python_backend.py`` (what each matrix
operation means), ``matrix.py``, ``activations.py`` and ``losses.py``,
``dnn.py`` (backpropagation), ``optim.py``, ``training.py`` (the fit loop),
``serialize.py`` (saving and loading).  The desktop subpackages
(``datasets``, ``cli``, ``plots``, ``interop``) build on that core; it never
imports them.
"""

__version__ = "0.1.0"

from .backends import get_backend, set_backend
from .dnn import DNN
from .errors import TinynetError
from .matrix import Matrix


def save(model, path, format=None, optimizer_state=True):
    """Save ``model`` to ``path`` ("pickle" by default, "json" for a .json
    path or ``format="json"``; "float32" or "int8" for a compact board file,
    the default for a .tnb path: see compact.py); the previous file survives
    any failure.  ``optimizer_state=False`` leaves out momentum/Adam state
    (see serialize.save)."""
    if format in ("float32", "int8") or (format is None and str(path).endswith(".tnb")):
        from .compact import save as _save_compact

        return _save_compact(model, path, weights=format or "float32")
    from .serialize import save as _save

    return _save(model, path, format=format, optimizer_state=optimizer_state)


def load(path, backend=None):
    """Load a model saved by :func:`save` (pickle, JSON or compact, told
    apart by their first bytes), computing with ``backend``.

    Anything that is not a valid tinynet model is refused with a
    :class:`TinynetError` naming the file, before anything in it can run.
    """
    from .compact import is_compact_file

    if is_compact_file(path):  # sniffed here, so a board never imports serialize
        from .compact import load as load_compact

        return load_compact(path, backend=backend)
    from .serialize import out_of_memory, read

    try:
        return DNN.from_dict(read(path), backend=backend, source=path)
    except MemoryError:
        raise out_of_memory(path) from None


def gradient_check(model, X, y, h=1e-6):
    """Compare backpropagation with finite differences (see gradcheck.py)."""
    from .gradcheck import gradient_check as _check

    return _check(model, X, y, h=h)


__all__ = ["DNN", "Matrix", "TinynetError", "get_backend", "gradient_check", "load",
           "save", "set_backend", "__version__"]
