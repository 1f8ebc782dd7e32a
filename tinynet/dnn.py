"""DNN: a fully-connected neural network trained by backpropagation.

Conventions (as in scikit-learn): a batch is a matrix with one sample per
row; ``weights[i]`` is ``n_in x n_out`` and ``biases[i]`` a ``1 x n_out``
row, so layer ``i`` computes ``f(A @ W + b)``.  ``sizes`` lists the width of
every layer, input first: ``[784, 1250, 10]`` is 784 inputs, one hidden
layer of 1250 units and 10 outputs.

The network talks only to :class:`Matrix`, never to a backend, so the same
code trains on NumPy and on plain Python lists.
"""

import math

from . import batching
from .activations import HIDDEN, output as output_function
from .backends import resolve
from .errors import TinynetError, choice, shown
from .losses import LOSSES
from .matrix import Matrix
from .metrics import classes, count_equal
from .rng import make_rng

# Modules that only building or training needs are imported where used (a board never loads them).


class DNN:
    """A fully-connected network with layer widths ``sizes``.

    ``activation`` is the hidden layers' function ("relu", "tanh",
    "sigmoid"); ``output`` the last layer's ("softmax", "sigmoid",
    "linear"; by default softmax, or sigmoid for a single output, whose
    softmax would always be 1); ``loss`` is "cross_entropy" or "mse" (half
    the sum of squared errors, per sample); ``optimizer`` is "sgd",
    "momentum" or "adam", with ``learning_rate`` defaulting to a value that
    suits it (0.02, 0.01, 0.001), or an optimizer object from
    :mod:`tinynet.optim` with its own settings.  ``momentum`` (0.9 by
    default) goes with "momentum".  ``l2`` is the weight decay; ``seed``
    fixes the initial weights and the shuffling; ``backend`` ("numpy" or
    "python") and ``dtype`` ("float64", or "float32" with NumPy) choose how
    to compute.

    The defaults (ReLU, softmax, cross-entropy, plain SGD at 0.02) let the
    classic one-sample-at-a-time loop train MNIST to over 95% in one pass.

    >>> net = DNN([2, 3, 2], seed=1, backend="python")
    >>> [round(p, 6) for p in net.predict([0.5, -1.0])]
    [0.641496, 0.358504]
    >>> net.train([0.5, -1.0], 1) > net.train([0.5, -1.0], 1)  # the loss falls
    True
    """

    def __init__(self, sizes, activation="relu", output=None, loss="cross_entropy",
                 learning_rate=None, optimizer="sgd", l2=0.0, momentum=None, seed=None,
                 backend=None, dtype=None):
        from . import validate
        from .optim import make_optimizer

        optimizer = make_optimizer(optimizer, learning_rate, l2, momentum)
        sizes = validate.sizes(sizes)
        self._setup(sizes, activation, output_function(output, sizes[-1]), loss, backend, dtype,
                    optimizer, seed)
        uniform = self._rng.random
        for i, (fan_in, fan_out) in enumerate(zip(self.sizes, self.sizes[1:])):
            bound = self._activation(i).init_bound(fan_in, fan_out)
            # Drawn in Python from the model's own generator, so every
            # backend (and interpreter) starts from the same weights.
            rows = [[(2.0 * uniform() - 1.0) * bound for _ in range(fan_out)]
                    for _ in range(fan_in)]
            self.weights.append(self._matrix(rows))
            self.biases.append(self._matrix([[0.0] * fan_out]))

    def _setup(self, sizes, activation, output, loss, backend, dtype, optimizer, seed,
               weights_from_lists=True):
        """Set everything but the weights and biases (``sizes`` checked, ``output``
        an activation); weights to come from lists must fit in memory."""
        self.sizes = sizes
        self.activation = choice(HIDDEN, activation, "activation")()
        self.output_activation = output
        self.loss = choice(LOSSES, loss, "loss")()
        self.loss.check(self.output_activation)
        self.backend, self.dtype = resolve(backend, dtype)
        if weights_from_lists:
            from .memory import check_memory

            check_memory(self.sizes, self.backend, self.dtype)
        self._optimizer = optimizer
        self.seed = seed
        self._rng = make_rng(seed)
        self.weights, self.biases = [], []

    # --- description ---

    @property
    def optimizer(self):
        """What a training step updates the weights with (see optim.py); a
        model loaded to predict makes its plain SGD on first use."""
        if self._optimizer is None:
            from .optim import SGD

            self._optimizer = SGD()
        return self._optimizer

    @optimizer.setter
    def optimizer(self, value):
        self._optimizer = value

    @property
    def learning_rate(self):
        return self.optimizer.learning_rate

    @property
    def n_parameters(self):
        return sum(a * b + b for a, b in zip(self.sizes, self.sizes[1:]))

    def __repr__(self):
        return "%s(%r, activation=%r, output=%r, loss=%r, optimizer=%r, learning_rate=%r, backend=%r)" % (
            type(self).__name__, self.sizes, self.activation.name, self.output_activation.name,
            self.loss.name, self.optimizer.name, self.learning_rate, self.backend)

    def summary(self, print_fn=None):
        """Print a table of the layers, parameters, loss, optimizer, backend and
        dtype, as Keras's ``summary()`` does (or pass the text to ``print_fn``)."""
        from .summary import text

        (print_fn or print)(text(self))

    def _repr_html_(self):  # what a notebook shows for a model
        from .summary import html

        return html(self)

    def get_params(self):
        """Return the weights and biases as plain lists: ``{"weights": [one
        n_in x n_out list of rows per layer], "biases": [one list per layer]}``."""
        return {"weights": [w.tolist() for w in self.weights],
                "biases": [b.tolist()[0] for b in self.biases]}

    def set_params(self, weights, biases):
        """Replace the weights and biases with these lists (the form
        :meth:`get_params` returns), after checking every shape and value."""
        from . import validate

        validate.parameters(weights, biases, self.sizes)
        new_w = [self._matrix(w) for w in weights]
        new_b = [self._matrix([b]) for b in biases]
        self.weights, self.biases = new_w, new_b

    # --- the saved form ---

    def to_dict(self, optimizer_state=True):
        """Return the model as plain data (str, int, float, list, dict), the
        form :func:`tinynet.save` writes and :meth:`from_dict` reads: ``{"format":
        "tinynet", "version": 1, "sizes": [784, 1250, 10], "activation": "relu",
        ..., "optimizer": {"name": "sgd", "learning_rate": 0.02, "l2": 0.0, "state":
        {...}}, "weights": [...], "biases": [...]}``.  ``optimizer_state=False``
        leaves out momentum/Adam state: a smaller file that predicts the same."""
        from . import validate

        optimizer = {"name": self.optimizer.name}
        optimizer.update(self.optimizer.settings())
        if optimizer_state:
            optimizer["state"] = self.optimizer.state()
        params = self.get_params()
        return {"format": validate.FORMAT, "version": validate.VERSION, "sizes": list(self.sizes),
                "activation": self.activation.name, "output": self.output_activation.name,
                "loss": self.loss.name, "dtype": self.dtype, "optimizer": optimizer,
                "weights": params["weights"], "biases": params["biases"]}

    @classmethod
    def from_dict(cls, data, backend=None, source=None):
        """Return the model that :meth:`to_dict` described, computing with
        ``backend``, after checking every field.  What is wrong raises a
        ValueError, or, with ``source`` (the file it came from), a
        :class:`TinynetError` naming it.  A float32 model loads as float32 on
        NumPy and as float64 on the python backend."""
        from . import validate

        try:
            optimizer = validate.model_dict(data)
            dtype = data.get("dtype", "float64") if resolve(backend)[0] == "numpy" else None
            # no random weights: they are replaced at once (MicroPython has no cls.__new__)
            model = object.__new__(cls)
            sizes = validate.sizes(data["sizes"])
            model._setup(sizes, data["activation"], output_function(data["output"], sizes[-1]),
                         data["loss"], backend, dtype, optimizer, seed=0)
            model.weights = [model._matrix(w) for w in data["weights"]]
            model.biases = [model._matrix([b]) for b in data["biases"]]
            state = data.get("optimizer", {}).get("state")
            if state:
                optimizer.load_state(state, model.weights, model.biases)
        except (TypeError, ValueError, KeyError, IndexError, OverflowError, AttributeError,
                RuntimeError) as err:  # any case the checks missed (RecursionError included)
            if source is None:
                raise
            reason = err if isinstance(err, ValueError) else "%s: %s" % (
                type(err).__name__, shown(str(err), 200))
            raise TinynetError("%s: %s" % (source, reason)) from None
        return model

    def save(self, path, format=None, optimizer_state=True):
        """Save the model to ``path`` (see :func:`tinynet.save`)."""
        from .serialize import save

        save(self, path, format=format, optimizer_state=optimizer_state)

    # --- the forward and backward passes ---

    def _matrix(self, rows):
        return Matrix.from_list(rows, self.backend, self.dtype)

    def _activation(self, layer):
        return self.output_activation if layer == len(self.sizes) - 2 else self.activation

    def forward(self, X):
        """Return the activations of every layer for the batch ``X`` (a
        Matrix): ``[X, hidden..., output]``."""
        activations = [X]
        with X.quiet():  # overflow gives inf or nan without a NumPy warning: see backprop
            for i, (w, b) in enumerate(zip(self.weights, self.biases)):
                # f(A @ W + b), adding the bias row in place to the fresh product
                activations.append(self._activation(i).forward((activations[-1] @ w).add_(b)))
        return activations

    def backward(self, activations, Y):
        """Return the error dL/dz at each layer's pre-activation (one row per
        sample): ``deltas[i]`` for layer ``i``, computed from the output
        back.  ``activations`` is what :meth:`forward` returned for the
        batch, ``Y`` its targets (a Matrix)."""
        delta = self.loss.delta(activations[-1], Y, self.output_activation)
        deltas = [delta]
        for i in range(len(self.weights) - 1, 0, -1):
            # Push the error back through W[i] (delta @ W.T), then through the
            # hidden activation whose output was activations[i].
            delta = self.activation.backward(activations[i], delta.matmul_t(self.weights[i]))
            deltas.append(delta)
        deltas.reverse()
        return deltas

    def _loss(self, out, Y):
        """The mean loss of the outputs ``out`` against the targets ``Y``."""
        return self.loss.value(out, Y, self.output_activation) / len(Y)

    def objective(self, X, Y):
        """Return the mean loss over the batch plus the L2 penalty: the
        function whose gradient :meth:`gradients` computes."""
        penalty = 0.5 * self.optimizer.l2 * sum(w.square().sum() for w in self.weights)
        return self._loss(self.forward(X)[-1], Y) + penalty

    def backprop(self, X, Y):
        """Return ``(mean loss, activations, deltas)`` for the batch: the
        forward and backward passes that training and :meth:`gradients`
        share."""
        activations = self.forward(X)
        loss = self._loss(activations[-1], Y)
        if not math.isfinite(loss):
            raise TinynetError(
                "loss became nan/inf; try a smaller learning_rate (now %g)" % self.learning_rate)
        return loss, activations, self.backward(activations, Y)

    def gradients(self, X, Y):
        """Return ``(objective, grad_w, grad_b)`` for the batch ``X``, ``Y``
        (Matrices) without changing the network."""
        from .optim import gradients

        with X.quiet():
            _, activations, deltas = self.backprop(X, Y)
            grad_w, grad_b = gradients(self.weights, activations[:-1], deltas, self.optimizer.l2)
        return self.objective(X, Y), grad_w, grad_b

    def _train_batch(self, X, Y):
        """One optimizer step on the batch; return (mean loss, outputs)."""
        with X.quiet():  # a loss that is not finite stops it before the step
            loss, activations, deltas = self.backprop(X, Y)
            self.optimizer.step(self.weights, self.biases, activations[:-1], deltas)
        return loss, activations[-1]

    # --- the public API ---

    def train(self, x, y):
        """Take one gradient step on one sample and return its loss.

        ``x`` is a sequence of ``sizes[0]`` numbers (a list, tuple,
        array.array or NumPy row); ``y`` is an int class label or a sequence
        of ``sizes[-1]`` target values (e.g. one-hot).  A batch (2-D ``x``
        with one target per row) takes one step on its mean loss.
        """
        single = batching.is_single(x)
        X = batching.input_matrix(self, x, single)
        if len(X) == 1 and batching.is_one_target(y, batch=not single):
            y = [y]
        Y, _ = batching.targets_for(self, y, len(X)).take(range(len(X)))
        return self._train_batch(X, Y)[0]

    def predict(self, x):
        """Return the network's outputs for one sample (a list, or a NumPy
        row) or, for a batch (2-D input), one output row per sample."""
        single = batching.is_single(x)
        X = batching.input_matrix(self, x, single)
        out = Matrix.vstack([self.forward(part)[-1] for part in batching.blocks(X, batching.CHUNK)])
        return out.native()[0] if single else out.native()

    def classify(self, x):
        """Return the predicted class (an int) of one sample, or a list of
        them for a batch: the index of the largest output."""
        single = batching.is_single(x)
        X = batching.input_matrix(self, x, single)
        labels = []
        for part in batching.blocks(X, batching.CHUNK):
            labels.extend(classes(self.forward(part)[-1]))
        return labels[0] if single else labels

    def evaluate(self, X, y, batch_size=batching.CHUNK):
        """Return ``{"loss": mean loss, "accuracy": fraction correct}`` on the
        labelled data ``X``, ``y``."""
        data, targets = batching.dataset(self, X, y)
        total, correct = 0.0, 0
        for start in range(0, len(data), batch_size):
            index = range(start, min(start + batch_size, len(data)))
            Xb, (Yb, labels) = data.take(index), targets.take(index)
            out = self.forward(Xb)[-1]
            total += self.loss.value(out, Yb, self.output_activation)
            correct += count_equal(classes(out), labels)
        n = len(data)
        return {"loss": total / n, "accuracy": correct / n}

    def fit(self, X, y, epochs=1, batch_size=32, validation_data=None, shuffle=True,
            callback=None, schedule=None):
        """Train on ``X``, ``y`` in mini-batches; return one record per epoch.

        Each epoch visits the samples in an order shuffled by the model's own generator.  A record
        is a dict with the epoch's mean training ``loss`` and ``accuracy`` (measured on each batch
        before its update), ``seconds``, and ``val_loss``/``val_accuracy`` when
        ``validation_data=(X_val, y_val)`` is given.

        ``schedule`` varies the learning rate over the run: None keeps it constant; "cosine"
        anneals it from ``learning_rate`` to 0 along half a cosine, and "linear" along a straight
        line, updated every batch; a callable gets the fraction of the run done (0 to 1) and
        returns the factor to multiply ``learning_rate`` by.  The model's own ``learning_rate`` is
        the same after fit as before.

        ``callback``, if given, is called with a dict after every batch (``event`` "batch", with
        ``epoch``, ``epochs``, ``batch``, ``batches`` and the running ``loss``) and after every
        epoch (``event`` "epoch", with the epoch's record): this is how the command line draws its
        progress bar, as fit itself never prints.
        """
        from .training import Run

        return Run(self, X, y, epochs, batch_size, validation_data, shuffle, callback,
                   schedule).run()
