"""Gradient checking: compare backpropagation with finite differences.

For each weight and bias w, the central difference

    (L(w + h) - L(w - h)) / 2h

approximates dL/dw with an error of order h^2.  If backprop is right, the
two agree to about 1e-7 relative for h = 1e-6 in float64; a bug in a
derivative usually shows up as an error near 1.  The check costs two
forward passes per parameter, so use it on small networks.
"""

from . import batching
from .matrix import Matrix


class GradientCheck:
    """The result of :func:`gradient_check`: ``max_error`` and, in
    ``entries``, one ``(name, row, col, numeric, analytic, error)`` tuple
    per parameter, the worst first."""

    def __init__(self, entries):
        self.entries = sorted(entries, key=lambda e: -e[5])
        self.max_error = self.entries[0][5] if self.entries else 0.0

    def __repr__(self):
        if not self.entries:
            return "GradientCheck(no parameters)"
        name, i, j, num, ana, err = self.entries[0]
        return ("GradientCheck(max_error=%.3g at %s[%d][%d]: numeric %.9g, backprop %.9g)"
                % (err, name, i, j, num, ana))


def gradient_check(model, X, y, h=1e-6):
    """Return a :class:`GradientCheck` of ``model``'s gradients on the batch
    ``X``, ``y`` (any input and target forms the model accepts).

    The error of each entry is ``|numeric - analytic| / max(1, |numeric|,
    |analytic|)``.  The model is left as it was.

    >>> from tinynet import DNN
    >>> net = DNN([3, 4, 2], activation="tanh", seed=0, backend="python")
    >>> gradient_check(net, [[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]], [0, 1]).max_error < 1e-7
    True
    """
    data, targets = batching.dataset(model, X, y)
    everything = range(data.n)
    Xm, (Y, _) = data.take(everything), targets.take(everything)
    _, grad_w, grad_b = model.gradients(Xm, Y)
    entries = []
    for name, params, grads in (("weights", model.weights, grad_w),
                                ("biases", model.biases, grad_b)):
        for layer, (param, grad) in enumerate(zip(params, grads)):
            rows, analytic = param.tolist(), grad.tolist()
            for i, row in enumerate(rows):
                for j, value in enumerate(row):
                    row[j] = value + h
                    params[layer] = Matrix.from_list(rows, backend=model.backend, dtype=model.dtype)
                    plus = model.objective(Xm, Y)
                    row[j] = value - h
                    params[layer] = Matrix.from_list(rows, backend=model.backend, dtype=model.dtype)
                    minus = model.objective(Xm, Y)
                    row[j] = value
                    numeric = (plus - minus) / (2 * h)
                    a = analytic[i][j]
                    error = abs(numeric - a) / max(1.0, abs(numeric), abs(a))
                    entries.append(("%s[%d]" % (name, layer), i, j, numeric, a, error))
            params[layer] = param
    return GradientCheck(entries)
