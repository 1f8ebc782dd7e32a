"""Optimizers: turn one batch's gradient into parameter updates, in place.

For a batch of ``n`` samples, let ``a`` be a layer's input and ``d`` the
error at its pre-activation (what :meth:`DNN.backward` returns).  The
gradient of the batch's objective, the mean loss plus the weight decay
``l2/2 * sum(W**2)``, is

    dW = a.T @ d / n + l2 * W        db = d.sum(axis=0) / n

(biases are not decayed).  :func:`gradients` is that formula, written once:
:meth:`DNN.gradients` (and so the gradient check) and every optimizer's
plain step use it.  SGD and momentum also have a fused step, the one
training takes, which adds ``a.T @ d`` straight into the weights so that a
sparse input (an MNIST image) updates only the rows of its non-zero pixels;
the tests check that it matches the plain step.

An optimizer is made by name with its settings (``DNN(...,
optimizer="adam")``), or given as an object (``DNN(...,
optimizer=Adam(beta1=0.8))``).  ``settings()`` and ``state()`` are what a
saved model keeps of it.  Sorted in order of increasing complexity.
"""

import math

from .errors import choice, shown
from .matrix import Matrix

#: Infinity, made at run time: MicroPython's compiler folds ``math.inf`` into a
#: constant that its freezing tool (mpy-tool.py, 1.27) cannot write as C, so a
#: firmware with tinynet frozen in would not build (see test_layout.py).
_INF = float("inf")


def gradients(weights, inputs, deltas, l2=0.0):
    """Return ``(grad_w, grad_b)``, one Matrix per layer: the gradient of
    the batch's mean loss plus ``l2/2 * sum(W**2)``."""
    scale = 1.0 / len(inputs[0])
    # Scale the small operand (d, batch x outputs), not the product.
    grad_w = [a.T @ (d * scale) for a, d in zip(inputs, deltas)]
    if l2:
        for g, w in zip(grad_w, weights):
            g.add_(w, l2)
    grad_b = [d.sum(axis=0) * scale for d in deltas]
    return grad_w, grad_b


def check_number(value, name, low=None, high=None, low_open=False, high_open=True):
    """Return ``value`` as a float if it is a real number in the range; else
    raise a ValueError naming the setting."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float: not finite either
            number = _INF
        ok = (math.isfinite(number)
              and (low is None or (number > low if low_open else number >= low))
              and (high is None or (number < high if high_open else number <= high)))
    if not ok:
        bounds = "%s%s, %s%s" % ("(" if low_open else "[", "-inf" if low is None else low,
                                 "inf" if high is None else high, ")" if high_open else "]")
        raise ValueError("%s must be a finite number in %s, not %s" % (name, bounds, shown(value)))
    return number


class SGD:
    """Plain stochastic gradient descent: W -= learning_rate * gradient."""

    name = "sgd"
    default_learning_rate = 0.02

    def __init__(self, learning_rate=None, l2=0.0):
        if learning_rate is None:
            learning_rate = self.default_learning_rate
        self.learning_rate = check_number(learning_rate, "learning_rate", 0, low_open=True)
        self.l2 = check_number(l2, "l2", 0)

    def settings(self):
        """Return what defines this optimizer, as plain data."""
        return {"learning_rate": self.learning_rate, "l2": self.l2}

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join(
            "%s=%r" % item for item in sorted(self.settings().items())))

    def apply(self, weights, biases, grad_w, grad_b):
        """The plain step from the gradients :func:`gradients` returns."""
        for w, b, gw, gb in zip(weights, biases, grad_w, grad_b):
            w.add_(gw, -self.learning_rate)
            b.add_(gb, -self.learning_rate)

    def step(self, weights, biases, inputs, deltas):
        """One step for a batch with layer inputs ``inputs`` and errors
        ``deltas``: the fused form of ``apply(gradients(...))``."""
        lr, l2 = self.learning_rate, self.l2
        n = len(inputs[0])
        for w, b, a, d in zip(weights, biases, inputs, deltas):
            if l2:
                w.scale_(1.0 - lr * l2)
            # W += (-lr/n) a.T @ d, skipping the rows where a is zero.
            w.add_outer_(a, d, -lr / n)
            b.add_(d.sum(axis=0), -lr / n)

    def state(self):
        """Return the running state (none for plain SGD), as plain data."""
        return {}

    def load_state(self, state, weights, biases):
        """Restore :meth:`state`'s result, shaped like the parameters."""
        if state:
            raise ValueError("sgd keeps no state, got %s" % ", ".join(sorted(state)))


class Momentum(SGD):
    """SGD with (classical) momentum: v = momentum * v - learning_rate *
    gradient; W += v.  The velocity carries the step."""

    name = "momentum"
    default_learning_rate = 0.01

    def __init__(self, learning_rate=None, l2=0.0, momentum=0.9):
        super().__init__(learning_rate, l2)
        self.momentum = check_number(momentum, "momentum", 0, 1)
        self.velocities = None  # [(v_w, v_b)] per layer, made on the first step

    def settings(self):
        settings = super().settings()
        settings["momentum"] = self.momentum
        return settings

    def _start(self, weights, biases):
        if self.velocities is None:
            self.velocities = [(w.zeros_like(), b.zeros_like()) for w, b in zip(weights, biases)]

    def apply(self, weights, biases, grad_w, grad_b):
        self._start(weights, biases)
        lr, mu = self.learning_rate, self.momentum
        for (vw, vb), w, b, gw, gb in zip(self.velocities, weights, biases, grad_w, grad_b):
            w.add_(vw.scale_(mu).add_(gw, -lr))
            b.add_(vb.scale_(mu).add_(gb, -lr))

    def step(self, weights, biases, inputs, deltas):
        self._start(weights, biases)
        lr, l2, mu = self.learning_rate, self.l2, self.momentum
        n = len(inputs[0])
        for (vw, vb), w, b, a, d in zip(self.velocities, weights, biases, inputs, deltas):
            w.momentum_(vw, a, d, -lr / n, mu, -lr * l2)  # the passes fused, in the backend
            vb.scale_(mu).add_(d.sum(axis=0), -lr / n)
            b.add_(vb)

    def state(self):
        if self.velocities is None:
            return {}
        return {"velocities": [[vw.tolist(), vb.tolist()] for vw, vb in self.velocities]}

    def load_state(self, state, weights, biases):
        velocities = state.get("velocities")
        if velocities is None:
            return
        self.velocities = [tuple(_like(p, rows, "velocities[%d][%d]" % (i, k))
                                 for k, (p, rows) in enumerate(zip((w, b), pair)))
                           for i, (w, b, pair) in enumerate(_layers(velocities, weights, biases,
                                                                    "velocities", 2))]


class Adam(SGD):
    """Adam (Kingma and Ba, https://arxiv.org/abs/1412.6980): per-weight step
    sizes from running averages of the gradient and its square."""

    name = "adam"
    default_learning_rate = 0.001

    def __init__(self, learning_rate=None, l2=0.0, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(learning_rate, l2)
        self.beta1 = check_number(beta1, "beta1", 0, 1)
        self.beta2 = check_number(beta2, "beta2", 0, 1)
        self.eps = check_number(eps, "eps", 0, low_open=True)
        self.t = 0
        self.moments = None  # [(m_w, v_w, m_b, v_b)] per layer

    def settings(self):
        settings = super().settings()
        settings.update(beta1=self.beta1, beta2=self.beta2, eps=self.eps)
        return settings

    def apply(self, weights, biases, grad_w, grad_b):
        if self.moments is None:
            self.moments = [(w.zeros_like(), w.zeros_like(), b.zeros_like(), b.zeros_like())
                            for w, b in zip(weights, biases)]
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # Fold both bias corrections into the step size.
        lr = self.learning_rate * math.sqrt(1.0 - b2 ** self.t) / (1.0 - b1 ** self.t)
        for (mw, vw, mb, vb), w, b, gw, gb in zip(self.moments, weights, biases, grad_w, grad_b):
            w.adam_(gw, mw, vw, lr, b1, b2, self.eps)
            b.adam_(gb, mb, vb, lr, b1, b2, self.eps)

    def step(self, weights, biases, inputs, deltas):
        grad_w, grad_b = gradients(weights, inputs, deltas, self.l2)
        self.apply(weights, biases, grad_w, grad_b)

    def state(self):
        if self.moments is None:
            return {"t": self.t}
        return {"t": self.t, "moments": [[x.tolist() for x in m] for m in self.moments]}

    def load_state(self, state, weights, biases):
        t = state.get("t", 0)
        if not isinstance(t, int) or isinstance(t, bool) or not 0 <= t < 1 << 62:
            raise ValueError("t must be a step count, not %s" % shown(t))
        moments = state.get("moments")
        if moments is not None:
            self.moments = [tuple(_like(p, rows, "moments[%d][%d]" % (i, k), k % 2 == 1)
                                  for k, (p, rows) in enumerate(zip((w, w, b, b), four)))
                            for i, (w, b, four) in enumerate(_layers(moments, weights, biases,
                                                                     "moments", 4))]
        self.t = t


def _layers(entries, weights, biases, name, per_layer):
    """Yield ``(w, b, entry)`` per layer, checking that ``entries`` has one
    list of ``per_layer`` matrices for each."""
    if not isinstance(entries, list) or len(entries) != len(weights):
        raise ValueError("%s must be a list of %d layers" % (name, len(weights)))
    for w, b, entry in zip(weights, biases, entries):
        if not isinstance(entry, list) or len(entry) != per_layer:
            raise ValueError("each layer of %s must hold %d matrices" % (name, per_layer))
        yield w, b, entry


def _like(param, rows, name, nonnegative=False):
    """Return ``rows`` as a Matrix of ``param``'s shape, backend and dtype,
    checked like the parameters: lists of finite numbers (>= 0 if
    ``nonnegative``: Adam's second moments, whose square root it takes)."""
    n_rows, n_cols = param.shape
    if type(rows) is not list or len(rows) != n_rows or not all(
            type(row) is list and len(row) == n_cols for row in rows):
        raise ValueError("%s must be %d rows of %d numbers, as its parameter is, not %s"
                         % (name, n_rows, n_cols, shown(rows)))
    for r, row in enumerate(rows):
        if not all(type(v) is float or (type(v) is int and abs(v) < 1 << 1000) for v in row):
            raise ValueError("%s row %d holds something that is not a number" % (name, r))
    matrix = Matrix.from_list(rows, backend=param.backend, dtype=param.dtype)
    if not matrix.all_finite():
        raise ValueError("%s holds a non-finite value" % name)
    if nonnegative and any(v < 0 for row in rows for v in row):
        raise ValueError("%s holds a negative value, but a second moment is never negative"
                         % name)
    return matrix


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Adam)}


def make_optimizer(optimizer, learning_rate=None, l2=0.0, momentum=None):
    """Return the optimizer for DNN's arguments: ``optimizer`` is a name
    from :data:`OPTIMIZERS` with these settings, or an optimizer object."""
    if isinstance(optimizer, SGD):  # an optimizer object carries its own settings
        if learning_rate is not None or l2 or momentum is not None:
            raise ValueError("give learning_rate, l2 and momentum to the optimizer object, "
                             "not to DNN, when optimizer is one")
        return optimizer
    cls = choice(OPTIMIZERS, optimizer, "optimizer")
    settings = {"learning_rate": learning_rate, "l2": l2}
    if momentum is not None:
        if "momentum" not in cls().settings():
            raise ValueError("momentum goes with optimizer='momentum', not %r" % (optimizer,))
        settings["momentum"] = momentum
    return cls(**settings)
