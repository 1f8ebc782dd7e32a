"""Optimizers: turn one batch's errors into parameter updates, in place.

Every optimizer gets, for each layer, the batch's input ``a`` to that layer
and the error ``d`` at its pre-activation.  The gradient of the batch's mean
loss is then ``a.T @ d / n`` for the weights and ``d.sum(axis=0) / n`` for
the biases; with L2 weight decay the objective gains ``l2/2 * sum(W**2)``,
whose gradient is ``l2 * W`` (biases are not decayed).

Sorted in order of increasing complexity.
"""

import math


class SGD:
    """Plain stochastic gradient descent: W -= learning_rate * gradient."""

    name = "sgd"
    default_learning_rate = 0.02

    def __init__(self, learning_rate, l2=0.0):
        self.learning_rate = learning_rate
        self.l2 = l2

    def step(self, weights, biases, inputs, deltas):
        lr, l2 = self.learning_rate, self.l2
        n = len(inputs[0])
        for w, b, a, d in zip(weights, biases, inputs, deltas):
            if l2:
                w.scale_(1.0 - lr * l2)
            # Fused: W += (-lr/n) a.T @ d, skipping rows where a is zero,
            # so a sparse input (an MNIST image) updates only its pixels' rows.
            w.add_outer_(a, d, -lr / n)
            b.add_(d.sum(axis=0), -lr / n)

    def state(self):
        return {}

    def load_state(self, state, to_matrix):
        pass


class Momentum(SGD):
    """SGD with (classical) momentum: v = momentum * v - learning_rate * gradient;
    W += v.  The velocity carries the step, so the update is one addition."""

    name = "momentum"
    default_learning_rate = 0.01

    def __init__(self, learning_rate, l2=0.0, momentum=0.9):
        super().__init__(learning_rate, l2)
        self.momentum = momentum
        self.velocities = None  # [(v_w, v_b)] per layer, made on first step

    def step(self, weights, biases, inputs, deltas):
        if self.velocities is None:
            self.velocities = [(_zeros_like(w), _zeros_like(b)) for w, b in zip(weights, biases)]
        lr, l2, mu = self.learning_rate, self.l2, self.momentum
        n = len(inputs[0])
        for (vw, vb), w, b, a, d in zip(self.velocities, weights, biases, inputs, deltas):
            vw.scale_(mu).add_outer_(a, d, -lr / n)
            if l2:
                vw.add_(w, -lr * l2)
            vb.scale_(mu).add_(d.sum(axis=0), -lr / n)
            w.add_(vw)
            b.add_(vb)

    def state(self):
        if self.velocities is None:
            return {}
        return {"velocities": [[vw.tolist(), vb.tolist()] for vw, vb in self.velocities]}

    def load_state(self, state, to_matrix):
        if "velocities" in state:
            self.velocities = [(to_matrix(vw), to_matrix(vb)) for vw, vb in state["velocities"]]


class Adam(SGD):
    """Adam (Kingma and Ba, https://arxiv.org/abs/1412.6980): per-weight step
    sizes from running averages of the gradient and its square."""

    name = "adam"
    default_learning_rate = 0.001

    def __init__(self, learning_rate, l2=0.0, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(learning_rate, l2)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.moments = None  # [(m_w, v_w, m_b, v_b)] per layer

    def step(self, weights, biases, inputs, deltas):
        if self.moments is None:
            self.moments = [
                (_zeros_like(w), _zeros_like(w), _zeros_like(b), _zeros_like(b))
                for w, b in zip(weights, biases)
            ]
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # Fold both bias corrections into the step size.
        lr = self.learning_rate * math.sqrt(1.0 - b2 ** self.t) / (1.0 - b1 ** self.t)
        n = len(inputs[0])
        for (mw, vw, mb, vb), w, b, a, d in zip(self.moments, weights, biases, inputs, deltas):
            gw = a.T @ (d * (1.0 / n))
            if self.l2:
                gw.add_(w, self.l2)
            gb = d.sum(axis=0) * (1.0 / n)
            w.ops.adam_(w.data, gw.data, mw.data, vw.data, lr, b1, b2, self.eps)
            b.ops.adam_(b.data, gb.data, mb.data, vb.data, lr, b1, b2, self.eps)

    def state(self):
        if self.moments is None:
            return {"t": self.t}
        return {"t": self.t, "moments": [[x.tolist() for x in m] for m in self.moments]}

    def load_state(self, state, to_matrix):
        self.t = int(state.get("t", 0))
        if "moments" in state:
            self.moments = [tuple(to_matrix(x) for x in m) for m in state["moments"]]


def _zeros_like(m):
    rows, cols = m.shape
    return type(m)(m.ops.zeros(rows, cols, _dtype_of(m)), m.ops)


def _dtype_of(m):
    return getattr(m.data, "dtype", None)


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Adam)}
