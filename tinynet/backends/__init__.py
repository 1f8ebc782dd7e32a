"""Choosing a backend: the module of matrix functions a network computes with.

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

BACKENDS = ("numpy", "python")

#: The functions every backend module defines, with the same meaning.
REQUIRED = (
    "name", "EPS", "check_dtype",
    "asarray", "zeros", "from_bytes", "one_hot", "tolist", "copy", "shape",
    "take", "transpose",
    "matmul", "matmul_t", "vstack", "add_outer_",
    "add", "subtract", "multiply", "divide", "negative", "square",
    "elementwise_exp", "elementwise_log",
    "reduce_sum", "reduce_max", "argmax", "all_finite", "quiet",
    "sigmoid", "sigmoid_backward", "tanh", "tanh_backward",
    "relu", "relu_backward", "identity_backward", "softmax", "softmax_backward",
    "squared_error", "cross_entropy", "binary_cross_entropy",
    "add_", "scale_", "momentum_", "adam_",
)

_chosen = None  # set by set_backend()


def _check_name(name):
    if name not in BACKENDS:
        raise ValueError(
            "unknown backend %r; expected one of: %s" % (name, ", ".join(BACKENDS))
        )


def set_backend(name):
    """Make ``name`` ("numpy" or "python") the default backend; None resets it
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
        from . import python_backend

        return python_backend
    try:
        from . import numpy_backend
    except ImportError as err:
        if numpy_available():
            raise
        raise ImportError(
            "the numpy backend needs NumPy, which is not installed: "
            "pip install numpy (or, from a clone of tinynet, pip install '.[numpy]'), "
            "or use backend='python'"
        ) from err
    return numpy_backend


def resolve(name=None, dtype=None):
    """Return ``(backend name, dtype name)`` for a model's ``backend=`` and
    ``dtype=`` arguments, checking that the backend computes in that dtype:
    ("numpy", "float32"), ("python", "float64"), ..."""
    backend = get_backend(name)
    found = backend.check_dtype(dtype)
    return backend.name, str(getattr(found, "__name__", found))
