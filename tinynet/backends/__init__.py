"""Choosing a backend: the module of matrix functions a network computes with.

Four backends, two pairs:

============  ======================  =============================================
name          module                  what it is
============  ======================  =============================================
python        ``python_fast``         pure Python, with the products written fast
python-plain  ``python_backend``      pure Python, every operation defined plainly
numpy         ``numpy_fast``          NumPy, with products that skip zero columns
numpy-plain   ``numpy_backend``       NumPy, every operation one plain expression
============  ======================  =============================================

Each fast module takes its plain module's functions and replaces a few; the
tests keep each pair equal.  "python" and "numpy" are what a network uses;
the plain ones are the reference a student steps through.

A backend is resolved, in this order, from:

1. an explicit ``backend=`` argument (``DNN(..., backend="python")``);
2. :func:`set_backend`;
3. the ``TINYNET_BACKEND`` environment variable;
4. ``"numpy"`` if NumPy is installed, else ``"python"``.

Only the last step falls back silently: asking for ``"numpy"`` by name when
NumPy is missing raises ImportError.  Nothing is imported until a backend is
asked for, so ``import tinynet`` never imports NumPy.
"""

try:
    import os
except ImportError:  # some MicroPython ports have no os module
    os = None

#: Every backend's name, and the module that implements it.
MODULES = {"numpy": "numpy_fast", "python": "python_fast",
           "numpy-plain": "numpy_backend", "python-plain": "python_backend"}
BACKENDS = tuple(MODULES)

#: The functions every backend module defines, with the same meaning.
REQUIRED = (
    "name", "check_dtype",
    "asarray", "zeros", "from_bytes", "tolist", "copy", "shape", "take", "transpose",
    "vstack",
    "matmul", "matmul_t", "add_outer_",
    "add", "subtract", "multiply", "divide", "exp", "log", "tanh", "sqrt", "maximum", "greater",
    "softmax",
    "reduce_sum", "reduce_max", "argmax", "all_finite", "quiet",
    "add_", "scale_",
)

_chosen = None  # set by set_backend()


def _check_name(name):
    if name not in MODULES:
        raise ValueError("unknown backend %r; expected one of: %s" % (name, ", ".join(BACKENDS)))


def set_backend(name):
    """Make ``name`` (see :data:`BACKENDS`) the default backend; None resets it
    to the environment variable or auto-detection."""
    if name is not None:
        _check_name(name)
    global _chosen
    _chosen = name


def numpy_available():
    """Return whether NumPy can be imported, without importing it."""
    try:
        from importlib.util import find_spec
    except ImportError:  # MicroPython: no importlib, and no NumPy either
        return False  # pragma: no mutate (MicroPython only: its tests run this line)
    try:
        return find_spec("numpy") is not None
    except (ImportError, ValueError):  # e.g. a stand-in module with no __spec__
        return False


def _from_environment():
    environ = getattr(os, "environ", None)  # MicroPython's os has no environ
    if environ is None:
        return None
    return environ.get("TINYNET_BACKEND", "").strip().lower() or None


def backend_name(name=None):
    """Return the name of the backend that ``name`` resolves to (see above)."""
    if name is None:
        name = _chosen or _from_environment()
        if name is None:
            return "numpy" if numpy_available() else "python"
    _check_name(name)
    return name


def get_backend(name=None):
    """Return the backend module for ``name``, resolved as described above."""
    name = backend_name(name)
    if name == "python":
        from . import python_fast as module
    elif name == "python-plain":
        from . import python_backend as module
    else:
        try:
            if name == "numpy":
                from . import numpy_fast as module
            else:
                from . import numpy_backend as module
        except ImportError as err:
            if numpy_available():
                raise
            raise ImportError(
                "the %s backend needs NumPy, which is not installed: pip install numpy (or, "
                "from a clone of tinynet, pip install '.[numpy]'), or use backend='python'"
                % name) from err
    return module


def resolve(name=None, dtype=None):
    """Return ``(backend name, dtype name)`` for a model's ``backend=`` and
    ``dtype=`` arguments, checking that the backend computes in that dtype:
    ("numpy", "float32"), ("python", "float64"), ..."""
    backend = get_backend(name)
    found = backend.check_dtype(dtype)
    return backend.name, str(getattr(found, "__name__", found))
