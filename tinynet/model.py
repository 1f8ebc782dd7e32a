"""Model: what every tinynet network has besides backpropagation.

As scikit-learn's ``BaseEstimator`` gives its estimators ``get_params`` and
a repr, :class:`Model` gives :class:`tinynet.DNN` everything a user does
with a trained network that is not the algorithm itself (which dnn.py holds
whole): predicting, classifying, evaluating and fitting in batches; the
objective and its gradients for a gradient check; the parameters as plain
data and the saved form; the summary table and a notebook's view.
"""

import sys

from . import batching
from .matrix import Matrix
from .metrics import classes, count_equal


if sys.implementation.name != "micropython":  # the habits' names (settings.py), not on a board:
    from .settings import _Habits as _Base  # its collector would mark them (docs/board.md)
else:
    _Base = object


class Model(_Base):
    """The base of :class:`tinynet.DNN` (see the module's docstring)."""

    # --- using the network ---

    def predict(self, x, verbose=0, scale=None):
        """Return the network's outputs for one sample (a list, or a NumPy
        row) or, for a batch (2-D input), one output row per sample.
        ``verbose`` (0, 1, 2 or "auto") is taken as Keras takes it; predict
        has no progress to show, and prints nothing.  ``scale`` multiplies
        every input first: raw pixels (``bytes``, or an ``array``) with
        ``scale=1 / 255`` are MNIST's inputs."""
        if verbose != "auto" and not (isinstance(verbose, int) and verbose in (0, 1, 2)):
            raise ValueError("verbose must be 0, 1, 2 or 'auto' (predict prints nothing "
                             "either way), not %r" % (verbose,))
        one = self._one(x, scale)
        if one is not None:
            return one.predict(x, scale)
        single, X = batching.inputs(self, x if scale is None else _scaled(x, scale))
        out = Matrix.vstack([self.forward(part)[-1] for part in batching.blocks(X)]).native()
        return out[0] if single else out

    def classify(self, x, scale=None):
        """Return the predicted class (an int) of one sample, or a list of
        them for a batch: the index of the largest output.  ``scale`` as in
        :meth:`predict`."""
        one = self._one(x, scale)
        if one is not None:
            return one.classify(x, scale)
        single, X = batching.inputs(self, x if scale is None else _scaled(x, scale))
        labels = []
        for part in batching.blocks(X):
            labels.extend(classes(self.forward(part)[-1]))
        return labels[0] if single else labels

    def _not_a_matrix(self, X):
        """Raise the TypeError for a batch given to ``forward`` that is not a Matrix."""
        from .settings import forward_refusal

        raise forward_refusal(X)

    def _one(self, x, scale):
        """For one sample and packed weights (a compact model on the python
        backend): the path that predicts it in work buffers the model keeps,
        with no new lists (backends/inplace.py); else None."""
        if self.backend != "python" or type(self.weights[0].native()) is list:
            return None
        from .backends.inplace import for_model

        one = for_model(self)
        return one if one is not None and one.takes(x, scale) else None

    def evaluate(self, X, y, batch_size=batching.CHUNK, verbose=0):
        """Return ``{"loss": mean loss, "accuracy": fraction correct}`` on the
        labelled data ``X``, ``y`` (no accuracy for a regression: a network
        with a linear output).  The dict also unpacks, in that order, as
        ``loss, accuracy = model.evaluate(X, y)`` (see results.Scores).
        ``verbose`` 1 or 2 prints them too, on one line (Keras's habit)."""
        from .training import check_count, check_verbose

        check_count(batch_size, "batch_size", 1)
        verbose = check_verbose(verbose, "0 (silent), 1 or 2 (the scores on a line)")
        data, targets = batching.dataset(self, X, y)
        scores = self._score(data, targets, range(data.n), batch_size)
        if verbose:
            from .progress import scores_text

            print(scores_text(scores))
        return scores

    def _score(self, data, targets, index, batch_size=batching.CHUNK):
        """evaluate on the rows ``index`` of checked data (batching's Inputs
        and Targets): what fit's validation calls too."""
        from .results import Scores

        total, correct = 0.0, 0
        for start in range(0, len(index), batch_size):
            part = index[start:start + batch_size]
            Xb, (Yb, labels) = data.take(part), targets.take(part)
            out = self.forward(Xb)[-1]
            with out.quiet():  # (an overflowed output's loss is inf, without a warning)
                total += self._loss.value(out, Yb, self.output_activation)
            if labels is not None:
                correct += count_equal(classes(out), labels)
        scores = Scores(loss=total / len(index))
        if targets.classes:
            scores["accuracy"] = correct / len(index)
        return scores

    def fit(self, X, y, epochs=1, batch_size=32, validation_data=None, shuffle=True,
            callback=None, schedule=None, verbose=0, validation_split=0.0, callbacks=None,
            early_stopping=None):
        """Train on ``X``, ``y`` in mini-batches of ``batch_size`` for
        ``epochs`` passes; return the History, one record per epoch (a list
        of dicts, with Keras's ``.history`` too).  Every argument is checked
        before any weight changes.

        ``validation_data=(X_val, y_val)``, or ``validation_split`` (the last
        fraction of ``X``, held out), adds ``val_loss`` (and ``val_accuracy``)
        to each record.  ``schedule`` anneals the learning rate ("cosine",
        "linear", or a function of the fraction done).  ``verbose`` 1 draws a
        progress bar (a line per epoch when not on a terminal), 2 a line per
        epoch; 0, the default, prints nothing.  ``callback`` (a function) and
        ``callbacks`` (a list of functions or Keras-like objects) follow the
        run; ``early_stopping`` (an EarlyStopping, or a patience) stops it
        when the validation loss no longer improves.  See training.py and
        callbacks.py.
        """
        from .training import Run

        return Run(self, X, y, epochs, batch_size, validation_data, shuffle, callback,
                   schedule, verbose, validation_split, callbacks, early_stopping).run()

    def objective(self, X, Y):
        """Return the mean loss over the batch plus the L2 penalty
        ``l2/2 * sum(W**2)``: the function whose gradient :meth:`gradients` is."""
        with X.quiet():
            out = self.forward(X)[-1]
            C = self._loss.value(out, Y, self.output_activation) / len(X)
            return C + 0.5 * self.optimizer.l2 * sum((w * w).sum() for w in self.weights)

    def gradients(self, X, Y):
        """Return ``(objective, dW, db)`` for the batch ``X``, ``Y`` (Matrices)
        without changing the network: what gradient_check compares with
        finite differences."""
        with X.quiet():
            _, A, deltas = self.backprop(X, Y)
            dW, db = self.parameter_gradients(A, deltas)
        return self.objective(X, Y), dW, db

    # --- description ---

    @property
    def n_parameters(self):
        """The number of weights and biases."""
        from .memory import parameter_count

        return parameter_count(self.sizes)

    def __reduce__(self):
        """Pickle and copy (``pickle``, ``copy.deepcopy``, joblib,
        multiprocessing) through the plain data that :meth:`to_dict` gives
        and :meth:`save` writes, never through code or a backend's module;
        the model comes back on the same backend, with its optimizer's state
        and its generator where it was."""
        state = self._rng.getstate() if hasattr(self._rng, "getstate") else None
        return (_restore, (type(self), self.to_dict(), self.backend, self.seed, state))

    def summary(self, print_fn=None):
        """Print a table of the layers, parameters, loss, optimizer, backend and
        dtype, as Keras's ``summary()`` does (or pass the text to ``print_fn``)."""
        from .summary import text

        (print_fn or print)(text(self))

    def _repr_html_(self):  # what a notebook shows for a model
        from .summary import html

        return html(self)

    # --- the parameters, and the saved form ---

    def get_params(self, deep=None):
        """Return the weights and biases as lists, ``{"weights": [n_in x n_out
        rows per layer], "biases": [a list per layer]}`` (not scikit-learn's
        settings, which the repr shows: ``deep`` is refused, saying so)."""
        if deep is not None:
            from .settings import refuse

            refuse("get_params", deep=deep)
        return {"weights": [w.tolist() for w in self.weights],
                "biases": [b.tolist()[0] for b in self.biases]}

    def set_params(self, weights=None, biases=None, **settings):
        """Replace the weights and biases with these lists (the form
        :meth:`get_params` returns), after checking every shape and value;
        a setting is assigned instead (``model.learning_rate = 0.1``)."""
        if settings or weights is None or biases is None:
            from .settings import refuse

            refuse("set_params", **settings)
        from . import validate

        validate.parameters(weights, biases, self.sizes)
        new_w = [Matrix.from_list(w, self.backend, self.dtype) for w in weights]
        new_b = [Matrix.from_list([b], self.backend, self.dtype) for b in biases]
        self.weights, self.biases = new_w, new_b

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
                "activation": self._activation.name, "output": self.output_activation.name,
                "loss": self._loss.name, "dtype": self.dtype, "optimizer": optimizer,
                "dropout": self._rates[1:], "input_dropout": self._rates[0],
                "max_norm": self._max_norm,
                "weights": params["weights"], "biases": params["biases"]}

    @classmethod
    def from_dict(cls, data, backend=None, source=None):
        """Return the model that :meth:`to_dict` described, computing with
        ``backend``, after checking every field.  What is wrong raises a
        ValueError, or, with ``source`` (the file it came from), a
        :class:`TinynetError` naming it.  A float32 model loads as float32 on
        NumPy and as float64 on the python backends."""
        from . import regularize, validate
        from .backends import resolve
        from .errors import TinynetError, shown

        try:
            optimizer = validate.model_dict(data)
            dtype = data.get("dtype", "float64") if "numpy" in resolve(backend)[0] else None
            dropout = regularize.rates(data.get("dropout"), data["sizes"],
                                       data.get("input_dropout", 0.0))
            max_norm = regularize.max_norm(data.get("max_norm"))
            try:
                model = cls._from_parameters(data["sizes"], data["activation"], data["output"],
                                             data["loss"], data["weights"], data["biases"],
                                             backend, dtype, optimizer, dropout, max_norm)
            except ValueError as err:  # (the parameters were checked above: the names)
                raise ValueError("bad model settings: %s" % err) from None
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
        """Save the model to ``path``: the same as :func:`tinynet.save`."""
        from .serialize import save

        save(self, path, format=format, optimizer_state=optimizer_state)


def _restore(cls, data, backend, seed, rng_state):
    """Unpickle a model (see :meth:`Model.__reduce__`)."""
    model = cls.from_dict(data, backend=backend)
    model.seed = seed
    if rng_state is not None:
        model._rng.setstate(rng_state)
    return model


def _scaled(x, scale):
    """Return the inputs ``x`` (one sample or a batch: lists, bytes, arrays,
    a NumPy array) times ``scale``, before they are checked (raw pixels with
    their scale are no unscaled pixels)."""
    if not isinstance(x, (list, tuple, bytes, bytearray)) and type(x).__name__ != "array":
        from .conversions import array_or_sequence  # (a DataFrame, a tensor; a dict refused)
        x = array_or_sequence(x, "x", batching.PLAIN)
    if hasattr(x, "ndim"):
        return x * scale
    if len(x) and hasattr(x[0], "__len__"):
        return [[v * scale for v in row] for row in x]
    return [v * scale for v in x]
