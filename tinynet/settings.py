"""A model's settings changed after it is made, its repr, and the names
scikit-learn's and Keras's users try (score, predict_proba, count_params,
get_weights/set_weights, and what get_params/set_params refuse).

Every setting :class:`tinynet.DNN` takes can be read back by its name, and
assigning one takes what the constructor takes, checked the same way, or
raises before anything changes::

    model.activation = "tanh"          # "relu", "tanh", "sigmoid"
    model.output = "sigmoid"           # with a loss that fits it
    model.loss = "mse"                 # with an output that fits it
    model.optimizer = "adam"           # a name: that optimizer with its own default
                                       # learning rate and the model's l2; or an object
    model.learning_rate = 0.01         # the optimizer's, kept with its state
    model.l2 = 1e-4                    # (and model.momentum, with optimizer="momentum")
    model.dropout = 0.5                # one rate, or one per hidden layer
    model.input_dropout = 0.1; model.max_norm = 3.0

Reading a setting gives what the network computes with: ``activation``,
``output`` and ``loss`` are the function objects (with their ``.name``),
``dropout`` one rate per hidden layer.  ``sizes``, ``backend`` and ``dtype``
fix the weights' shapes and storage: change them by building a new DNN.

They are :class:`_Habits`', the base of model.py's Model everywhere but on
MicroPython: a board never loads this module (its heap, and the collector's
work, would grow; docs/board.md), so it has none of these names.  A training step never goes through the properties: dnn.py reads the
private attributes they keep (``_activation``, ``_loss``, ``_max_norm``,
``_keep``) and ``output_activation``, the output's function, which
assigning ``output`` sets (assign that, not ``output_activation``).
"""

from .errors import choice, shown
from .optim import OPTIMIZERS, SGD, make_optimizer


def assign(model, name, value):
    """``model.<name> = value``: check ``value`` as DNN() checks that
    argument, then change the setting (nothing changes if it raises)."""
    if name == "activation":
        model._activation = _pick(model._choices["activation"], value, name)
        model._one_sample = None  # (the one-sample buffers compute with the old functions)
    elif name == "output":
        known = model._choices["output"].values()
        out = value if type(value) in known else model._choices["width"](value, model.sizes[-1])
        _fits(model._loss, out, "output", "loss")
        model.output_activation, model._one_sample = out, None
    elif name == "loss":
        loss = _pick(model._choices["loss"], value, name)
        _fits(loss, model.output_activation, "loss", "output")
        model._loss = loss
    elif name in ("dropout", "input_dropout"):
        from . import regularize

        hidden, inputs = model._rates[1:], model._rates[0]
        rates = regularize.rates(value if name == "dropout" else hidden, model.sizes,
                                 value if name == "input_dropout" else inputs)
        model._rates, model._keep = rates, regularize.keep_shares(rates)
    elif name == "max_norm":
        from .regularize import max_norm

        model._max_norm = max_norm(value)
    else:  # the optimizer's learning_rate, l2 or momentum: its state is kept
        optimizer = model.optimizer
        settings = optimizer.settings()
        if name not in settings:
            raise AttributeError("%s goes with optimizer='momentum'; this model's optimizer is "
                                 "%r" % (name, optimizer.name))
        settings[name] = value
        checked = type(optimizer)(**settings)  # raises a ValueError naming the setting
        setattr(optimizer, name, getattr(checked, name))


def _pick(registry, value, what):
    """Return the object for ``value``: a name in ``registry``, or an
    object of one of its classes (another model's, say)."""
    if type(value) in registry.values():
        return value
    return choice(registry, value, what)()


def _fits(loss, output, setting, other):
    """Raise a ValueError, saying what to assign first, unless ``loss`` takes ``output``."""
    try:
        loss.check(output)
    except ValueError as err:
        raise ValueError("%s; assign model.%s first, then model.%s" % (err, other, setting)) \
            from None


def text(model):
    """``repr(model)``: the call that builds a model with these settings (not
    its weights), naming every setting that is not the default, so
    ``eval(repr(model))`` (with ``DNN``, and an optimizer's class, imported)
    makes the same."""
    opt, takes = model.optimizer, ("learning_rate", "l2", "momentum")  # (what DNN takes)
    given, default = opt.settings(), type(opt)().settings()
    if type(opt) is OPTIMIZERS.get(opt.name) and all(
            given[k] == default[k] for k in given if k not in takes):
        optimizer = [("optimizer", opt.name), ("learning_rate", opt.learning_rate)] + [
            (k, given[k]) for k in takes[1:] if k in given and given[k] != default[k]]
    else:  # settings DNN does not take (Adam's betas), or an optimizer of the user's own
        optimizer = [("optimizer", opt)]
    rates = model.dropout
    if rates and rates == [rates[0]] * len(rates):
        rates = rates[0]
    settings = [("activation", model._activation.name), ("output", model.output_activation.name),
                ("loss", model._loss.name)] + optimizer + [
        (k, v) for k, v in (("dropout", rates), ("input_dropout", model.input_dropout),
                            ("max_norm", model._max_norm)) if v]
    settings += [("seed", model.seed)] if model.seed is not None else []
    settings += [("backend", model.backend)]
    settings += [("dtype", model.dtype)] if model.dtype != "float64" else []
    return "%s(%r%s)" % (type(model).__name__, model.sizes,
                         "".join(", %s=%r" % item for item in settings))


def assigned(value, old):
    """Return what ``model.optimizer = value`` gives a model whose optimizer
    was ``old`` (or None): an optimizer object as it is; a name as DNN takes
    it, that optimizer with its own default learning rate (0.02 for SGD is
    far too large for Adam) and settings, and ``old``'s l2 (the model's
    weight decay).  Its running state starts afresh."""
    if isinstance(value, SGD):
        return value
    if isinstance(value, type) and issubclass(value, SGD):
        raise TypeError("assign an optimizer object, %s(...), or its name %r, not the class"
                        % (value.__name__, value.name))
    return make_optimizer(value, None, old.l2 if old is not None else 0.0)


def forward_refusal(X):
    """The TypeError for a batch given to ``forward`` that is not a Matrix."""
    return TypeError("forward takes a Matrix (a batch, one sample per row), not %s: give data "
                     "(lists, a NumPy array, a dataset) to predict(X) for the outputs or "
                     "classify(X) for the classes, or make one with Matrix.from_list(rows)"
                     % shown(X))


def refuse(method, **settings):
    """Raise the TypeError for scikit-learn's get_params(deep=...) or
    set_params(setting=...), or a set_params without weights and biases."""
    if method == "get_params":
        raise TypeError("get_params() takes no deep: it returns the weights and biases, not "
                        "scikit-learn's settings (repr(model) shows those)")
    raise TypeError("set_params(weights, biases) replaces the weights and biases (got %s); a "
                    "setting is assigned instead, e.g. model.learning_rate = 0.1, "
                    "model.optimizer = 'adam'" % (", ".join(sorted(settings))
                                                  or "not both weights and biases"))


def _setting(name, get=None):
    """The setting ``name`` as a property: read by ``get`` (else ``_name``),
    assigned by :func:`assign`."""
    return property(get or (lambda self: getattr(self, "_" + name)),
                    lambda self, value: assign(self, name, value))


class _Habits:
    """The base of model.py's Model off MicroPython: the settings by name,
    the repr, and the names scikit-learn's and Keras's users try."""

    activation = _setting("activation")
    output = _setting("output", lambda self: self.output_activation)
    loss = _setting("loss")
    learning_rate = _setting("learning_rate", lambda self: self.optimizer.learning_rate)
    l2 = _setting("l2", lambda self: self.optimizer.l2)
    momentum = _setting("momentum", lambda self: self.optimizer.momentum)
    dropout = _setting("dropout", lambda self: self._rates[1:])  # (a new list)
    input_dropout = _setting("input_dropout", lambda self: self._rates[0])
    max_norm = _setting("max_norm")

    def __repr__(self):
        return text(self)

    def predict_proba(self, X):
        """Return the outputs as probabilities, as :meth:`predict` does, for
        a softmax or sigmoid output (scikit-learn's name).  A single sigmoid
        output is one column, the probability of class 1 (scikit-learn's
        binary classifiers give two, 1 - p and p)."""
        if not self.output_activation.probabilities:
            raise ValueError("predict_proba needs outputs that are probabilities (softmax or "
                             "sigmoid), and this model's output is %r: use predict(X)"
                             % self.output_activation.name)
        return self.predict(X)

    def score(self, X, y):
        """Return the accuracy on the labelled data ``X``, ``y``, the fraction
        classified right, as scikit-learn's classifiers score (evaluate gives
        the loss too)."""
        scores = self.evaluate(X, y)
        if "accuracy" not in scores:
            raise ValueError("score is the accuracy, and a regression (output %r) has none: "
                             "use model.evaluate(X, y)['loss']" % self.output_activation.name)
        return scores["accuracy"]

    def count_params(self):
        """The number of weights and biases, :attr:`n_parameters` (Keras's name)."""
        return self.n_parameters

    def get_weights(self):
        """Return the parameters in Keras's order and shapes, ``[W1, b1, W2,
        b2, ...]``: each ``W`` n_in x n_out rows, each ``b`` a list."""
        params = self.get_params()
        return [p for pair in zip(params["weights"], params["biases"]) for p in pair]

    def set_weights(self, weights):
        """Replace the parameters with ``[W1, b1, W2, b2, ...]`` as
        :meth:`get_weights` returns them (lists, or NumPy arrays: a Keras
        model's ``get_weights()`` of Dense layers), after checking them all."""
        layers = len(self.sizes) - 1
        if not isinstance(weights, (list, tuple)) or len(weights) != 2 * layers:
            raise ValueError("set_weights takes a list of %d arrays, [W1, b1, ..., W%d, b%d], "
                             "not %s" % (2 * layers, layers, layers, shown(weights)))
        weights = [w.tolist() if hasattr(w, "tolist") else w for w in weights]
        self.set_params(weights[0::2], weights[1::2])
