"""Optimizers: how a training step moves the weights against their gradients.

:meth:`DNN._step` calls ``optimizer.step(model, A, deltas)`` with the batch's
activations ``A`` and errors ``deltas``, from which the gradients follow by
(BP3) and (BP4) (see dnn.py and :meth:`DNN.parameter_gradients`).  Adam
forms them; plain SGD and momentum fold (BP4) into their update instead:
``W.add_outer_(A, delta, -learning_rate / n)`` is ``W -= learning_rate *
A.T @ delta / n`` done as one product that adds into ``W``, so a sparse
input (an MNIST image) updates only the rows of its non-zero pixels; the
tests check it against the plain formula.

An optimizer is made by name with its settings (``DNN(...,
optimizer="adam")``), or given as an object (``DNN(...,
optimizer=Adam(beta1=0.8))``).  ``settings()`` and ``state()`` are what a
saved model keeps of it.  In order of increasing complexity.
"""

import math

from .errors import choice, shown
from .matrix import Matrix

#: Infinity, made at run time: MicroPython's compiler folds ``math.inf`` into a
#: constant that its freezing tool (mpy-tool.py, 1.27) cannot write as C, so a
#: firmware with tinynet frozen in would not build (see test_layout.py).
_INF = float("inf")


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

    def step(self, model, A, deltas):
        """Move each layer's weights and biases against their gradients:
        ``W -= learning_rate * (A.T @ delta / n + l2 * W)`` and ``b -=
        learning_rate * (delta summed over rows / n)``."""
        lr, l2, n = self.learning_rate, self.l2, len(A[0])
        for W, b, a, d in zip(model.weights, model.biases, A, deltas):
            if l2:
                W.scale_(1.0 - lr * l2)
            W.add_outer_(a, d, -lr / n)  # (BP4) and the step, in one product
            b.add_(d.sum(axis=0), -lr / n)  # (BP3) and the step

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

    def step(self, model, A, deltas):
        """``v = momentum * v - learning_rate * dC/dW``, then ``W += v``, for
        weights and biases alike (the weights' gradient as in SGD.step)."""
        self._start(model.weights, model.biases)
        lr, l2, mu, n = self.learning_rate, self.l2, self.momentum, len(A[0])
        for (vw, vb), W, b, a, d in zip(self.velocities, model.weights, model.biases, A, deltas):
            W.momentum_(vw, a, d, -lr / n, mu, -lr * l2)
            b.add_(vb.scale_(mu).add_(d.sum(axis=0), -lr / n))

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

    def step(self, model, A, deltas):
        """With the gradient g of each weight and bias: ``m = beta1 * m + (1 -
        beta1) * g``, ``v = beta2 * v + (1 - beta2) * g * g``, then ``W -= rate
        * m / (sqrt(v) + eps)``, where ``rate`` is the learning rate with both
        moments' bias corrections folded in."""
        if self.moments is None:
            self.moments = [(w.zeros_like(), w.zeros_like(), b.zeros_like(), b.zeros_like())
                            for w, b in zip(model.weights, model.biases)]
        dW, db = model.parameter_gradients(A, deltas)
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        rate = self.learning_rate * math.sqrt(1.0 - b2 ** self.t) / (1.0 - b1 ** self.t)
        for (mw, vw, mb, vb), W, b, gw, gb in zip(self.moments, model.weights, model.biases, dW, db):
            for p, g, m, v in ((W, gw, mw, vw), (b, gb, mb, vb)):
                m.scale_(b1).add_(g, 1.0 - b1)
                v.scale_(b2).add_(g * g, 1.0 - b2)
                p.add_(m / (v.sqrt() + self.eps), -rate)

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

