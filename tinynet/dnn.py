"""DNN: a fully-connected neural network, and backpropagation, all in this file.

The notation is the textbooks' (Nielsen, "Neural Networks and Deep
Learning", chapter 2), with one change that NumPy and scikit-learn make too:
a batch holds one sample per *row*, so a layer multiplies from the right.
With ``n`` samples, layers ``l = 1 .. L`` and ``W[l]`` of shape n_in x n_out::

    A[0] = X                                  the batch, n x sizes[0]
    Z[l] = A[l-1] @ W[l] + b[l]               (1)   each layer's weighted input
    A[l] = f(Z[l])                            (2)   and its activation
    A[l] = f(Z[l]) * M[l]                     (2')  or, with dropout, masked
    delta[L] = dC/dZ[L]                       (BP1) the error at the output
    delta[l] = (delta[l+1] @ W[l+1].T) * f'(Z[l])   (BP2) pushed back a layer
    delta[l] = ... * f'(Z[l]) * M[l]                (BP2') and through the mask
    dC/db[l] = delta[l] summed over rows / n        (BP3)
    dC/dW[l] = A[l-1].T @ delta[l] / n              (BP4)

where C is the mean loss over the batch; then an optimizer moves each
weight against its gradient (plain SGD: ``W[l] -= learning_rate *
dC/dW[l]``; see optim.py).  In the code, ``weights[l - 1]`` is ``W[l]``.
Dropout (in training only; Srivastava et al. 2014) masks hidden layers:
M[l] holds 0 for a dropped unit and 1/q for a kept one (kept with probability q).

Every derivative is written from the layer's output ``A = f(Z)``, so only
the activations are kept: each activation's ``derivative(a)`` is f'(z),
beside its ``forward`` (softmax, an output only, is not elementwise: its
``backward(a, d)`` applies its Jacobian to the error ``d``).  Each loss's
value stands beside its ``delta`` (BP1).  The network talks only to :class:`Matrix`, never to a
backend, so this same code trains on NumPy and on plain Python lists.
``docs/backprop.md`` walks through it line by line.
"""

import math

from . import batching, regularize
from .errors import TinynetError, choice
from .matrix import Matrix
from .model import Model

#: Cross-entropy clips probabilities to at least this, so it never takes log(0).
EPS = 1e-12

# === Activation functions f, with d * f'(z) written from a = f(z) ===


class Activation:
    name = None
    probabilities = False  # whether outputs are probabilities, for cross-entropy

    def backward(self, a, d):
        """Return ``d * f'(z)``, the error ``d`` at the output pushed back
        through f; for an elementwise f that is ``d * derivative(a)``."""
        return d * self.derivative(a)

    def init_bound(self, fan_in, fan_out):
        """Return the half-width of the uniform initial weights (Glorot)."""
        return math.sqrt(6.0 / (fan_in + fan_out))

    def __repr__(self):
        return "%s()" % type(self).__name__


class Sigmoid(Activation):
    name, probabilities = "sigmoid", True

    def forward(self, z):  # 1 / (1 + e^-z), in (0, 1)
        return 1.0 / (1.0 + (-z).exp())

    def derivative(self, a):  # sigma'(z) = sigma(z) (1 - sigma(z))
        return a * (1.0 - a)


class Tanh(Activation):
    name = "tanh"

    def forward(self, z):
        return z.tanh()

    def derivative(self, a):  # tanh'(z) = 1 - tanh(z)^2
        return 1.0 - a * a


class ReLU(Activation):
    name = "relu"

    def forward(self, z):  # max(z, 0)
        return z.maximum(0.0)

    def derivative(self, a):  # 1 where the unit is on, else 0
        return a.greater(0.0)

    def init_bound(self, fan_in, fan_out):
        return math.sqrt(6.0 / fan_in)  # He: half of a ReLU layer's units are off


class Linear(Activation):
    name = "linear"  # f(z) = z, for regression

    def forward(self, z):
        return z

    def backward(self, a, d):
        return d


class Softmax(Activation):
    name, probabilities = "softmax", True

    def forward(self, z):  # e^z / sum(e^z) along each row (see python_backend.softmax)
        return z.softmax()

    def backward(self, a, d):  # the Jacobian diag(a) - a a^T, applied to each row of d
        return a * (d - (d * a).sum(axis=1))


HIDDEN = {cls.name: cls for cls in (Sigmoid, Tanh, ReLU)}
OUTPUT = {cls.name: cls for cls in (Sigmoid, Softmax, Linear)}

# === Losses C(a, y), totals over the batch, with delta[L] = dC/dz (BP1) ===


class SquaredError:
    """C = 1/2 sum (a - y)^2: half the sum of squared errors, named "mse" as
    most libraries name it (so dC/da = a - y, with no factor 2)."""

    name = "mse"

    def check(self, output):
        pass

    def value(self, a, y, output):
        e = a - y
        return 0.5 * (e * e).sum()

    def delta(self, a, y, output):
        return output.backward(a, a - y)  # dC/dz = dC/da * f'(z)


class CrossEntropy:
    """C = -sum y log a: categorical after softmax, and after sigmoid binary
    (each output a yes/no probability: -sum y log a + (1 - y) log(1 - a))."""

    name = "cross_entropy"

    def check(self, output):
        if not output.probabilities:
            raise ValueError("loss 'cross_entropy' needs outputs that are probabilities: "
                             "use output='softmax' or 'sigmoid', not %r" % output.name)

    def value(self, a, y, output):
        total = (y * a.maximum(EPS).log()).sum()
        if output.name == "sigmoid":
            total += ((1.0 - y) * (1.0 - a).maximum(EPS).log()).sum()
        return -total

    def delta(self, a, y, output):
        # With softmax (or sigmoid) outputs, dC/da and f'(z) cancel to a - y.
        return a - y


LOSSES = {cls.name: cls for cls in (SquaredError, CrossEntropy)}


def output_function(name, width):
    """Return the output activation for ``width`` outputs: ``name``'s, or by
    default softmax, or sigmoid for a single output."""
    if name is None:
        name = "softmax" if width > 1 else "sigmoid"
    elif name == "softmax" and width == 1:
        raise ValueError("a softmax over one output is always 1.0, so it cannot learn: use "
                         "output='sigmoid' (a yes/no probability) or two outputs")
    return choice(OUTPUT, name, "output")()


# === The network ===


class DNN(Model):
    """A fully-connected network with layer widths ``sizes``, input first:
    ``[784, 1250, 10]`` is 784 inputs, one hidden layer of 1250 units and 10
    outputs.

    ``activation`` is the hidden layers' function ("relu", "tanh",
    "sigmoid"); ``output`` the last layer's ("softmax", "sigmoid",
    "linear"; by default softmax, or sigmoid for a single output); ``loss``
    is "cross_entropy" or "mse"; ``optimizer`` is "sgd", "momentum" or
    "adam", with ``learning_rate`` defaulting to what suits it (0.02, 0.01,
    0.001), or an optimizer object from :mod:`tinynet.optim`.  ``momentum``
    (0.9 by default) goes with "momentum"; ``l2`` is the weight decay;
    ``seed`` fixes the initial weights, shuffling and dropout; ``backend``
    and ``dtype`` ("float64", or "float32" with NumPy) choose how to compute.
    ``dropout`` is the fraction of hidden units dropped in each training step
    (one rate, or one per hidden layer; none when predicting), ``input_dropout``
    that of the inputs; ``max_norm`` caps the length of each hidden unit's weights.

    >>> net = DNN([2, 3, 2], seed=1, backend="python")
    >>> [round(p, 6) for p in net.predict([0.5, -1.0])]
    [0.641496, 0.358504]
    >>> net.train([0.5, -1.0], 1) > net.train([0.5, -1.0], 1)  # the loss falls
    True
    """

    # what settings.py checks an assigned setting against, as DNN() checks its arguments
    _choices = {"activation": HIDDEN, "output": OUTPUT, "loss": LOSSES, "width": output_function}

    def __init__(self, sizes, activation="relu", output=None, loss="cross_entropy",
                 learning_rate=None, optimizer="sgd", l2=0.0, momentum=None, seed=None,
                 backend=None, dtype=None, dropout=0.0, max_norm=None, input_dropout=0.0):
        from . import validate
        from .backends import resolve
        from .memory import check_memory
        from .optim import make_optimizer
        from .rng import make_rng

        optimizer = make_optimizer(optimizer, learning_rate, l2, momentum)
        sizes = validate.sizes(sizes)
        dropout, max_norm = regularize.rates(dropout, sizes, input_dropout), regularize.max_norm(max_norm)
        hidden, out = choice(HIDDEN, activation, "activation")(), output_function(output, sizes[-1])
        choice(LOSSES, loss, "loss")().check(out)
        backend, dtype = resolve(backend, dtype)
        check_memory(sizes, backend, dtype)  # before drawing a weight
        rng = make_rng(seed)
        weights = []
        for l in range(1, len(sizes)):  # Glorot/He uniform, drawn in Python from the model's own
            bound = (out if l == len(sizes) - 1 else hidden).init_bound(sizes[l - 1], sizes[l])
            weights.append([[(2.0 * rng.random() - 1.0) * bound for _ in range(sizes[l])]
                            for _ in range(sizes[l - 1])])  # generator: the same on any backend
        biases = [[0.0] * n for n in sizes[1:]]
        self._setup(sizes, activation, out.name, loss, weights, biases, backend, dtype,
                    optimizer, seed, rng, dropout, max_norm)

    def _setup(self, sizes, activation, output, loss, weights, biases, backend=None, dtype=None,
               optimizer=None, seed=None, rng=None, dropout=None, max_norm=None):
        """Give the model everything: the one constructor from parameters,
        used by ``DNN()``, :meth:`from_dict` and the compact loader.
        ``weights`` and ``biases`` are lists (or packed weight matrices)."""
        from .backends import resolve
        from .rng import make_rng

        self._rates = list(dropout or [0.0] * (len(sizes) - 1))  # the inputs', then each hidden's
        self._keep = regularize.keep_shares(self._rates)  # q, the share kept, per layer (or None)
        self.sizes, self._max_norm = list(sizes), max_norm
        self._activation = choice(HIDDEN, activation, "activation")()
        self.output_activation = output_function(output, sizes[-1])
        self._loss = choice(LOSSES, loss, "loss")()
        self._loss.check(self.output_activation)
        self.backend, self.dtype = resolve(backend, dtype)
        self._optimizer, self.seed, self._rng = optimizer, seed, rng or make_rng(seed)
        self.weights = [Matrix.from_list(w, self.backend, self.dtype) for w in weights]
        self.biases = [Matrix.from_list([b], self.backend, self.dtype) for b in biases]

    @classmethod
    def _from_parameters(cls, sizes, activation, output, loss, weights, biases, backend=None,
                         dtype=None, optimizer=None, dropout=None, max_norm=None):
        model = object.__new__(cls)  # (MicroPython has no cls.__new__)
        model._setup(sizes, activation, output, loss, weights, biases, backend, dtype,
                     optimizer, 0, None, dropout, max_norm)
        return model

    # --- the forward and backward passes ---

    def forward(self, X, M=None):
        """Return every layer's activations for the batch ``X`` (a Matrix):
        ``[A[0] = X, A[1], ..., A[L]]``, by (1) and (2), or (2') with masks ``M``."""
        X = X if isinstance(X, Matrix) else self._not_a_matrix(X)  # (raises: predict takes data)
        A = [X if not M or M[0] is None else X * M[0]]  # (2') for the inputs too
        last = len(self.weights)
        with X.quiet():  # overflow gives inf or nan, without a NumPy warning: see backprop
            for l in range(1, last + 1):
                f = self.output_activation if l == last else self._activation
                Z = (A[l - 1] @ self.weights[l - 1]).add_(self.biases[l - 1])  # (1), b added in place
                A.append(f.forward(Z))  # (2)
                if M and l < last and M[l] is not None:
                    A[l] = A[l] * M[l]  # (2'): dropout
        return A

    def backward(self, A, Y, M=None):
        """Return every layer's error ``[delta[1], ..., delta[L]]`` for the
        activations ``A`` that :meth:`forward` gave (masks ``M``) and ``Y``."""
        L = len(self.weights)
        delta = self._loss.delta(A[L], Y, self.output_activation)  # (BP1)
        deltas = [delta]
        for l in range(L - 1, 0, -1):
            # the error pushed back through W[l+1], then through f at layer l:
            if not M or M[l] is None:
                delta = delta.matmul_t(self.weights[l]) * self._activation.derivative(A[l])  # (BP2)
            else:  # (BP2'), and through the mask (a kept unit's f(Z[l]) is A[l] * q)
                delta = delta.matmul_t(self.weights[l]) * self._activation.derivative(
                    A[l] * self._keep[l]) * M[l]
            deltas.insert(0, delta)
        return deltas

    def parameter_gradients(self, A, deltas):
        """Return ``(dW, db)``, one Matrix per layer, by (BP4) and (BP3),
        plus the weight decay's ``l2 * W`` (biases are not decayed)."""
        n, l2 = len(A[0]), self.optimizer.l2
        dW = [A[l - 1].T @ (deltas[l - 1] / n) for l in range(1, len(A))]  # (/ n: the smaller)
        if l2:
            dW = [g + l2 * w for g, w in zip(dW, self.weights)]
        return dW, [d.sum(axis=0) / n for d in deltas]

    def backprop(self, X, Y, M=None):
        """Return ``(C, A, deltas)``: the batch's mean loss, activations and
        errors, under masks ``M``; a loss that is not finite is an error."""
        A = self.forward(X, M)
        C = self._loss.value(A[-1], Y, self.output_activation) / len(X)
        if not math.isfinite(C):
            raise TinynetError(
                "loss became nan/inf; try a smaller learning_rate (now %g)" % self.optimizer.learning_rate)
        return C, A, self.backward(A, Y, M)

    def _step(self, X, Y):
        """One training step on the batch: backprop (with new dropout masks),
        then the optimizer moves every weight and bias against its gradient,
        and max-norm shortens weight vectors too long.  Return (C, A[L])."""
        with X.quiet():
            C, A, deltas = self.backprop(X, Y, self._keep and regularize.dropout_masks(self, len(X)))
            self.optimizer.step(self, A, deltas)
            if self._max_norm:
                regularize.limit_norms(self.weights, self._max_norm)
        return C, A[-1]

    # --- training and using the network ---

    def train(self, x, y):
        """Take one gradient step on one sample and return its loss.

        ``x`` is a sequence of ``sizes[0]`` numbers (a list, tuple,
        array.array or NumPy row); ``y`` is an int class label or a sequence
        of ``sizes[-1]`` target values (e.g. one-hot).  A batch (2-D ``x``
        with one target per row) takes one step on its mean loss.
        """
        return self._step(*batching.pair(self, x, y))[0]

    @property
    def optimizer(self):
        """What a training step updates the weights with (see optim.py); a
        model loaded only to predict makes its plain SGD on first use; assign
        an optimizer object or a name (see :func:`settings.assigned`)."""
        if self._optimizer is None:
            from .optim import SGD

            self._optimizer = SGD()
        return self._optimizer

    @optimizer.setter
    def optimizer(self, value):
        from .settings import assigned

        self._optimizer = assigned(value, self._optimizer)
