"""One sample through a packed model, in work buffers the model keeps.

``Model.predict`` and ``Model.classify`` come here for one sample when the
model's weights are packed (a compact model on the python backend).  The
general path (``dnn.forward`` on Matrices) makes new lists for the input
and for every layer: on a board's small heap, a search for a free block of
a few KB per prediction (3 KB for an MNIST digit's 784 floats), which fails
once the heap is fragmented, however much of it is free.  Here each layer
writes into a list made once, when the model first predicts; the input
is read where it lies, even as raw bytes of pixels with a ``scale`` such
as 1 / 255 applied on the way in.

The numbers are the general path's, bit for bit (tests/test_backends.py):
the same products (:meth:`Packed.row_into`), the bias added as ``add_``
adds it, the activations computed as the python backend computes them.
What this path does not take (a batch, a sample of the wrong width, a
value that is not a finite number, pixels that look unscaled) goes the
general way, which explains or warns.
"""

import math
from array import array

from .packed import Packed

_INF = float("inf")
_EXP_MAX = 709.782712893384 if float("1e300") != _INF else 88.72283  # (python_backend's)


def for_model(model):
    """Return the :class:`OneSample` of ``model`` if its weights are packed
    (else None), reusing the one made before while the weights are the same."""
    one = getattr(model, "_one_sample", None)
    if one is not None and one.matrices == model.weights and one.rows == model.biases:
        return one
    weights = [w.native() for w in model.weights]
    if not all(isinstance(w, Packed) for w in weights):
        return None
    one = OneSample(weights, [b.native()[0] for b in model.biases], model._activation.name,
                    model.output_activation.name)
    one.matrices, one.rows = list(model.weights), list(model.biases)
    one.classifier = model.output_activation.probabilities
    model._one_sample = one
    return one


class OneSample:
    """The work buffers and the forward pass for one sample (see the module doc)."""

    def __init__(self, weights, biases, hidden, output):
        self.weights, self.biases, self.hidden, self.output = weights, biases, hidden, output
        # lists: reading an array's item makes a new float object on a board,
        # and the inner loop reads each output once a non-zero input
        self.outs = [[0.0] * w.cols for w in weights]
        self.native = _native(weights)

    def takes(self, x, scale):
        """Whether ``x`` is one sample this path takes: ``bytes``,
        ``bytearray`` or an ``array`` of the input layer's width, or a list or
        tuple of as many finite numbers (not pixels that look unscaled)."""
        if not isinstance(x, (bytes, bytearray, array, list, tuple)):
            return False
        if len(x) != self.weights[0].rows or not x:
            return False
        if isinstance(x, (bytes, bytearray)):
            return True  # (whole numbers: finite)
        code = getattr(x, "typecode", None)
        if code is not None:
            whole = code in "bBhHiIlL"
        else:  # (MicroPython's arrays have no .typecode)
            whole = self.native is not None and self.native.whole(x)
        if whole:
            return True
        try:
            total = sum(x)  # finite if every value is (as batching checks)
            if total - total != 0:
                return False
            if scale is None and self.classifier and 32 <= max(x) <= 255:
                return False  # (the general path warns: advice.BRIGHT)
        except TypeError:
            return False
        return True

    def outputs(self, x, scale=None):
        """Return the output layer's buffer for the sample ``x`` (times
        ``scale`` first, if given): the network's outputs, until the next call."""
        scale = 1.0 if scale is None else scale
        last = len(self.weights) - 1
        for l in range(last + 1):
            out, b = self.outs[l], self.biases[l]
            if self.native is None or not self.native.layer(l, self.weights[l], x, scale, out, b):
                self.weights[l].row_into(x, out, scale)
                for j in range(len(out)):
                    out[j] = out[j] + 1.0 * b[j]  # (Z = A @ W, then add_(b): x + alpha * y)
            _activate(self.output if l == last else self.hidden, out)
            x, scale = out, 1.0
        return out

    def predict(self, x, scale=None):
        return list(self.outputs(x, scale))

    def classify(self, x, scale=None):
        out = self.outputs(x, scale)
        if len(out) == 1:
            return int(out[0] >= 0.5)  # (metrics.classes)
        best, top = 0, out[0]
        for j in range(1, len(out)):
            if out[j] > top:
                best, top = j, out[j]
        return best


def _native(weights):
    """The machine-code products (``native.Layers``) for ``weights``, where
    MicroPython compiled them for this board; else None (the plain loops)."""
    try:
        from . import native
    except (ImportError, SyntaxError, ValueError, MemoryError):
        # (CPython and PyPy; a port without the emitter: SyntaxError; a .mpy
        # for another architecture: ValueError; a heap too small for it)
        return None
    try:
        return native.Layers(weights)
    except MemoryError:  # (its work buffers; the plain loops need none)
        return None


def _activate(name, z):
    """Apply the activation ``name`` to ``z`` in place, as python_backend does."""
    n = len(z)
    if name == "relu":  # maximum(z, 0.0)
        for j in range(n):
            if z[j] < 0.0:
                z[j] = 0.0
    elif name == "tanh":
        for j in range(n):
            z[j] = math.tanh(z[j])
    elif name == "sigmoid":  # 1 / (1 + exp(-z)), exp overflowing to inf
        for j in range(n):
            e = -z[j]
            z[j] = 1.0 / (1.0 + (_INF if e > _EXP_MAX else math.exp(e)))
    elif name == "softmax":  # the row's largest subtracted first
        top = max(z)
        for j in range(n):
            z[j] = math.exp(z[j] - top)
        total = sum(z)
        for j in range(n):
            z[j] = z[j] / total
