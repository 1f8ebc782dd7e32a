"""tinynet: a small, readable fully-connected neural network library.

>>> from tinynet import DNN
>>> net = DNN([2, 8, 2], seed=0, backend="python")
>>> net.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0], epochs=1)[0]["epoch"]
1

Two interchangeable backends compute the same numbers: "numpy" (fast) and
"python" (lists of floats, standard library only; runs on PyPy and
MicroPython).  NumPy is never imported unless the numpy backend is used.

Reading order for the code: ``dnn.py`` (the network and backpropagation,
all of it), ``matrix.py`` (the algebra it is written in),
``backends/python_backend.py`` (what each matrix operation means),
``optim.py`` (the update rules), ``model.py`` (predicting, fitting, saving),
``training.py`` (the fit loop).  The desktop subpackages
(``datasets``, ``cli``, ``plots``, ``interop``) build on that
core; it never imports them.
"""

__version__ = "0.1.0"

from .backends import get_backend, set_backend
from .dnn import DNN
from .errors import TinynetError
from .matrix import Matrix


def save(model, path, format=None, optimizer_state=True):
    """Save ``model`` to ``path``: a pickle by default, JSON for a .json path,
    a compact board file for a .tnb path, or the ``format`` given ("pickle",
    "json", "float32", "int8"); the previous file survives any failure.  The
    same as ``model.save(path)``: see :func:`tinynet.serialize.save`."""
    from .serialize import save as _save

    return _save(model, path, format=format, optimizer_state=optimizer_state)


def load(source, backend=None):
    """Load a model saved by :func:`save` (pickle, JSON or compact, told
    apart by their first bytes), computing with ``backend``.

    ``source`` is a path, or the model's bytes: ``bytes``, ``bytearray``,
    ``memoryview``, an ``mmap``, or a file that is memory already (on a ROMFS
    mount); see :func:`tinynet.kinds.as_buffer`.  A compact model then
    computes with views of those bytes, without copying its weights.
    Anything that is not a valid tinynet model is refused with a
    :class:`TinynetError` naming the file, before anything in it can run.
    """
    from .kinds import HEAD, as_buffer, kind_of_bytes, kind_of_file

    buf = as_buffer(source)
    name = "<bytes>" if buf is not None else source
    if (kind_of_file(source) if buf is None else kind_of_bytes(buf[:HEAD])) == "compact":
        from .compact import read as read_compact  # (so a board never imports serialize)

        header, weights, biases = read_compact(source if buf is None else buf)
        try:  # (no optimizer: plain SGD is made if ever asked for, so a board never loads optim)
            return DNN._from_parameters(header["sizes"], header["activation"], header["output"],
                                        header["loss"], weights, biases,
                                        backend)
        except (TypeError, ValueError) as err:
            raise TinynetError("%s: bad model settings: %s" % (name, err)) from None
    from .serialize import out_of_memory, read

    try:
        return DNN.from_dict(read(source if buf is None else buf), backend=backend, source=name)
    except MemoryError:
        raise out_of_memory(name) from None


def gradient_check(model, X, y, h=1e-6):
    """Compare backpropagation with finite differences (see gradcheck.py)."""
    from .gradcheck import gradient_check as _check

    return _check(model, X, y, h=h)


__all__ = ["DNN", "Matrix", "TinynetError", "get_backend", "gradient_check", "load",
           "save", "set_backend", "__version__"]
