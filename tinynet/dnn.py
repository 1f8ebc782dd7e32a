"""DNN: a fully-connected neural network trained by backpropagation.

Conventions (as in scikit-learn): a batch is a matrix with one sample per
row; ``weights[i]`` is ``n_in x n_out`` and ``biases[i]`` a ``1 x n_out``
row, so layer ``i`` computes ``f(A @ W + b)``.  ``sizes`` lists the width of
every layer, input first: ``[784, 1250, 10]`` is 784 inputs, one hidden
layer of 1250 units and 10 outputs.
"""

import math

from .activations import HIDDEN, OUTPUT
from .errors import TinynetError
from .losses import LOSSES
from .matrix import Matrix
from .backends import get_backend
from .optim import OPTIMIZERS
from . import batching
from .rng import make_rng


def _lookup(registry, value, what):
    """Return ``registry[value]``, or raise a ValueError listing the choices."""
    try:
        return registry[value]
    except (KeyError, TypeError):
        raise ValueError(
            "unknown %s %r; expected one of: %s" % (what, value, ", ".join(sorted(registry)))
        ) from None


class DNN:
    """A fully-connected network with layer widths ``sizes``.

    ``activation`` is the hidden layers' function ("relu", "tanh",
    "sigmoid"); ``output`` the last layer's ("softmax", "sigmoid",
    "linear"); ``loss`` is "cross_entropy" or "mse"; ``optimizer`` is "sgd",
    "momentum" or "adam", with ``learning_rate`` defaulting to a value that
    suits it (0.02, 0.01, 0.001).  ``l2`` is the weight decay; ``seed`` fixes
    the initial weights and the shuffling; ``backend`` ("numpy" or "python")
    and ``dtype`` ("float64", or "float32" with NumPy) choose how to compute.

    The defaults (ReLU, softmax, cross-entropy, plain SGD at 0.02) let the
    classic one-sample-at-a-time loop train MNIST to over 95% in one pass.

    >>> net = DNN([2, 3, 2], seed=1, backend="python")
    >>> [round(p, 6) for p in net.predict([0.5, -1.0])]
    [0.641496, 0.358504]
    >>> net.train([0.5, -1.0], 1) > net.train([0.5, -1.0], 1)  # the loss falls
    True
    """

    def __init__(self, sizes, activation="relu", output="softmax", loss="cross_entropy",
                 learning_rate=None, optimizer="sgd", l2=0.0, momentum=0.9, seed=None,
                 backend=None, dtype=None):
        self.sizes = _check_sizes(sizes)
        self.hidden = _lookup(HIDDEN, activation, "activation")()
        self.output = _lookup(OUTPUT, output, "output")()
        self.loss = _lookup(LOSSES, loss, "loss")()
        self.loss.check(self.output)
        self._ops = get_backend(backend)
        self.dtype = self._ops.check_dtype(dtype)
        cls = _lookup(OPTIMIZERS, optimizer, "optimizer")
        if learning_rate is None:
            learning_rate = cls.default_learning_rate
        _check_positive(learning_rate, "learning_rate")
        if not isinstance(l2, (int, float)) or l2 < 0:
            raise ValueError("l2 must be a number >= 0, not %r" % (l2,))
        kwargs = {"momentum": momentum} if optimizer == "momentum" else {}
        self.optimizer = cls(float(learning_rate), float(l2), **kwargs)
        self.seed = seed
        self._rng = make_rng(seed)
        self.weights, self.biases = [], []
        for i, (fan_in, fan_out) in enumerate(zip(self.sizes, self.sizes[1:])):
            act = self.output if i == len(self.sizes) - 2 else self.hidden
            bound = act.init_bound(fan_in, fan_out)
            uniform = self._rng.random
            # Drawn in Python from the model's own generator, so every
            # backend (and interpreter) starts from the same weights.
            rows = [[(2.0 * uniform() - 1.0) * bound for _ in range(fan_out)]
                    for _ in range(fan_in)]
            self.weights.append(self._matrix(rows))
            self.biases.append(self._matrix([[0.0] * fan_out]))

    # --- description ---

    @property
    def backend(self):
        return self._ops.name

    @property
    def learning_rate(self):
        return self.optimizer.learning_rate

    @property
    def n_parameters(self):
        return sum(a * b + b for a, b in zip(self.sizes, self.sizes[1:]))

    def __repr__(self):
        return "%s(%r, activation=%r, output=%r, loss=%r, optimizer=%r, learning_rate=%r, backend=%r)" % (
            type(self).__name__, self.sizes, self.hidden.name, self.output.name,
            self.loss.name, self.optimizer.name, self.learning_rate, self.backend)

    def get_params(self):
        """Return the weights and biases as plain lists: ``{"weights": [one
        n_in x n_out list of rows per layer], "biases": [one list per layer]}``."""
        return {"weights": [w.tolist() for w in self.weights],
                "biases": [b.tolist()[0] for b in self.biases]}

    def set_params(self, weights, biases):
        """Replace the weights and biases with these lists (the form
        :meth:`get_params` returns), after checking every shape."""
        layers = len(self.sizes) - 1
        if len(weights) != layers or len(biases) != layers:
            raise ValueError("expected %d weight matrices and bias rows, got %d and %d"
                             % (layers, len(weights), len(biases)))
        new_w, new_b = [], []
        for i, (w, b) in enumerate(zip(weights, biases)):
            n_in, n_out = self.sizes[i], self.sizes[i + 1]
            if len(w) != n_in or any(len(row) != n_out for row in w) or len(b) != n_out:
                raise ValueError("layer %d needs %dx%d weights and %d biases"
                                 % (i, n_in, n_out, n_out))
            new_w.append(self._matrix(w))
            new_b.append(self._matrix([b]))
        self.weights, self.biases = new_w, new_b

    # --- the forward and backward passes ---

    def _matrix(self, rows):
        return Matrix(self._ops.asarray(rows, self.dtype), self._ops)

    def forward(self, X):
        """Return the activations of every layer for the batch ``X`` (a
        Matrix): ``[X, hidden..., output]``."""
        activations = [X]
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            f = self.output if i == last else self.hidden
            # A @ W + b, adding the bias row in place to the fresh product
            activations.append(f.forward((activations[-1] @ w).add_(b)))
        return activations

    def backward(self, activations, Y):
        """Return the error dL/dz at each layer's pre-activation (one row per
        sample): ``deltas[i]`` for layer ``i``, computed from the output
        back.  ``activations`` is what :meth:`forward` returned for the
        batch, ``Y`` its targets (a Matrix)."""
        delta = self.loss.delta(activations[-1], Y, self.output)
        deltas = [delta]
        for i in range(len(self.weights) - 1, 0, -1):
            # Push the error back through W[i] (delta @ W.T), then through the
            # hidden activation whose output was activations[i].
            delta = self.hidden.backward(activations[i], delta.matmul_t(self.weights[i]))
            deltas.append(delta)
        deltas.reverse()
        return deltas

    def objective(self, X, Y):
        """Return the mean loss over the batch plus the L2 penalty: the
        function whose gradient :meth:`gradients` computes."""
        out = self.forward(X)[-1]
        penalty = 0.5 * self.optimizer.l2 * sum(
            w.apply(w.ops.square).sum() for w in self.weights)
        return self.loss.value(out, Y, self.output) / len(X) + penalty

    def gradients(self, X, Y):
        """Return ``(objective, grad_w, grad_b)`` for the batch ``X``, ``Y``
        (Matrices) without changing the network."""
        activations = self.forward(X)
        deltas = self.backward(activations, Y)
        n = len(X)
        grad_w = [a.T @ d * (1.0 / n) for a, d in zip(activations, deltas)]
        grad_b = [d.sum(axis=0) * (1.0 / n) for d in deltas]
        if self.optimizer.l2:
            grad_w = [g + w * self.optimizer.l2 for g, w in zip(grad_w, self.weights)]
        return self.objective(X, Y), grad_w, grad_b

    def _train_batch(self, X, Y):
        """One optimizer step on the batch; return (mean loss, outputs)."""
        activations = self.forward(X)
        out = activations[-1]
        loss = self.loss.value(out, Y, self.output) / len(X)
        if not math.isfinite(loss):
            raise TinynetError(
                "loss became nan/inf; try a smaller learning_rate (now %g)" % self.learning_rate)
        deltas = self.backward(activations, Y)
        self.optimizer.step(self.weights, self.biases, activations[:-1], deltas)
        return loss, out

    # --- the public API ---

    def train(self, x, y):
        """Take one gradient step on one sample and return its loss.

        ``x`` is a sequence of ``sizes[0]`` numbers (a list, tuple,
        array.array or NumPy row); ``y`` is an int class label or a sequence
        of ``sizes[-1]`` target values (e.g. one-hot).  A batch (2-D ``x``
        with one target per row) takes one step on its mean loss.
        """
        X = self._inputs(x, batching.is_single(x))
        if len(X) == 1 and batching.is_one_target(y):
            y = [y]
        Y, _ = self._targets(y, len(X))
        return self._train_batch(X, Y)[0]

    def predict(self, x):
        """Return the network's outputs for one sample (a list, or a NumPy
        row) or, for a batch (2-D input), one output row per sample."""
        single = batching.is_single(x)
        X = self._inputs(x, single=single)
        out = self._ops.vstack([self.forward(part)[-1].data for part in _batches_of(X, 1024)])
        return out[0] if single else out

    def classify(self, x):
        """Return the predicted class (an int) of one sample, or a list of
        them for a batch: the index of the largest output."""
        single = batching.is_single(x)
        X = self._inputs(x, single=single)
        labels = []
        for part in _batches_of(X, 1024):
            labels.extend(batching.classes(self.forward(part)[-1]))
        return labels[0] if single else labels

    def evaluate(self, X, y, batch_size=1024):
        """Return ``{"loss": mean loss, "accuracy": fraction correct}`` on the
        labelled data ``X``, ``y``."""
        data = batching.Inputs(X, self._ops, self.dtype, self.sizes[0])
        targets = batching.Targets(y, len(data), self.sizes[-1], self._ops, self.dtype)
        total, correct = 0.0, 0
        for start in range(0, len(data), batch_size):
            index = range(start, min(start + batch_size, len(data)))
            Xb, (Yb, labels) = data.take(index), targets.take(index)
            out = self.forward(Xb)[-1]
            total += self.loss.value(out, Yb, self.output)
            correct += batching.count_equal(batching.classes(out), labels)
        n = len(data)
        return {"loss": total / n, "accuracy": correct / n}

    def fit(self, X, y, epochs=1, batch_size=32, validation_data=None, shuffle=True,
            callback=None, schedule=None):
        """Train on ``X``, ``y`` in mini-batches; return one record per epoch.

        Each epoch visits the samples in an order shuffled by the model's own
        generator.  A record is a dict with the epoch's mean training
        ``loss`` and ``accuracy`` (measured on each batch before its update),
        ``seconds``, and ``val_loss``/``val_accuracy`` when
        ``validation_data=(X_val, y_val)`` is given.

        ``schedule`` varies the learning rate over the run: None keeps it
        constant; "cosine" anneals it from ``learning_rate`` to 0 along half
        a cosine, and "linear" along a straight line, updated every batch;
        a callable gets the fraction of the run done (0 to 1) and returns
        the factor to multiply ``learning_rate`` by.  The model's own
        ``learning_rate`` is the same after fit as before.

        ``callback``, if given, is called with a dict after every batch
        (``event`` "batch", with ``epoch``, ``epochs``, ``batch``,
        ``batches`` and the running ``loss``) and after every epoch
        (``event`` "epoch", with the epoch's record): this is how the command
        line draws its progress bar, as fit itself never prints.
        """
        from .training import Run

        return Run(self, X, y, epochs, batch_size, validation_data, shuffle, callback,
                   schedule).run()

    # --- conversions used by the public API ---

    def _inputs(self, x, single):
        data = batching.Inputs([x] if single else x, self._ops, self.dtype, self.sizes[0])
        return data.take(range(len(data)))

    def _targets(self, y, n):
        targets = batching.Targets(y, n, self.sizes[-1], self._ops, self.dtype)
        return targets.take(range(n))

    def save(self, path, format=None, optimizer_state=True):
        """Save the model to ``path`` (see :func:`tinynet.save`)."""
        from .serialize import save

        save(self, path, format=format, optimizer_state=optimizer_state)


def _batches_of(X, size):
    """Yield the Matrix ``X`` in blocks of at most ``size`` rows."""
    n = len(X)
    if n <= size:
        yield X
        return
    for start in range(0, n, size):
        yield Matrix(X.ops.take(X.data, range(start, min(start + size, n))), X.ops)


def _check_sizes(sizes):
    try:
        sizes = list(sizes)
    except TypeError:
        raise TypeError("sizes must be a list of layer widths, like [784, 30, 10], not %r"
                        % (sizes,)) from None
    if len(sizes) < 2:
        raise ValueError("sizes needs at least an input and an output layer, got %r" % (sizes,))
    for n in sizes:
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError("layer sizes must be positive ints, got %r in %r" % (n, sizes))
    return sizes


def _check_positive(value, name):
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
        raise ValueError("%s must be a number > 0, not %r" % (name, value))
