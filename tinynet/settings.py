"""A model's settings, read and changed after it is made, and its repr.

Every setting :class:`tinynet.DNN` takes can be read back by its name, and
assigning one takes what the constructor takes, checked the same way, or
raises before anything changes::

    model.activation = "tanh"          # "relu", "tanh", "sigmoid"
    model.output = "sigmoid"           # with a loss that fits it
    model.loss = "mse"                 # with an output that fits it
    model.optimizer = "adam"           # a name: that optimizer with its own default
                                       # learning rate and the model's l2; or an object
    model.learning_rate = 0.01         # the optimizer's, kept with its state
    model.l2 = 1e-4; model.momentum = 0.5
    model.dropout = 0.5                # one rate, or one per hidden layer
    model.input_dropout = 0.1; model.max_norm = 3.0

Reading a setting gives what the network computes with: ``activation``,
``output`` and ``loss`` are the function objects (with their ``.name``),
``dropout`` one rate per hidden layer.  ``sizes``, ``backend`` and ``dtype``
fix the weights' shapes and storage: change them by building a new DNN.

A training step never goes through these properties: dnn.py reads the
private attributes they keep (``_activation``, ``_loss``, ``_max_norm``,
``_keep``) and ``output_activation``, the output's function, which
assigning ``output`` sets (assign that, not ``output_activation``), so
checking an assignment costs nothing per step.
"""

from .errors import choice


def _pick(registry, value, what):
    """Return the object for ``value``: a name in ``registry``, or an
    object of one of its classes (another model's, say)."""
    if type(value) in registry.values():
        return value
    return choice(registry, value, what)()


def _optimizer_setting(name):
    """A property for the optimizer's setting ``name``: read from it, and
    assigned after the check its constructor makes (its state is kept)."""

    def get(self):
        settings = self.optimizer.settings()
        if name not in settings:
            raise AttributeError("%s goes with optimizer='momentum'; this model's optimizer is "
                                 "%r" % (name, self.optimizer.name))
        return settings[name]

    def put(self, value):
        optimizer = self.optimizer
        settings = optimizer.settings()
        if name not in settings:
            get(self)  # (raises, saying which optimizer has it)
        settings[name] = value
        checked = type(optimizer)(**settings)  # raises a ValueError naming the setting
        setattr(optimizer, name, getattr(checked, name))

    return property(get, put, None, "The optimizer's %s; assign a number to change it." % name)


class Settings:
    """The settings of :class:`tinynet.DNN`, read and assigned (see the module doc)."""

    @property
    def activation(self):
        """The hidden layers' function; assign "relu", "tanh" or "sigmoid"."""
        return self._activation

    @activation.setter
    def activation(self, value):
        self._activation = _pick(self._choices["activation"], value, "activation")
        self._one_sample = None  # (the one-sample buffers compute with the old functions)

    @property
    def output(self):
        """The output layer's function (also ``output_activation``, a plain
        attribute that one step of training reads); assign "softmax",
        "sigmoid", "linear" (or None, the default for the width) that fits
        the loss."""
        return self.output_activation

    @output.setter
    def output(self, value):
        known = self._choices["output"].values()
        out = value if type(value) in known else self._choices["width"](value, self.sizes[-1])
        _fits(self._loss, out, "output", "loss")
        self.output_activation, self._one_sample = out, None

    @property
    def loss(self):
        """The loss; assign "cross_entropy" or "mse" (one that fits the output)."""
        return self._loss

    @loss.setter
    def loss(self, value):
        loss = _pick(self._choices["loss"], value, "loss")
        _fits(loss, self.output_activation, "loss", "output")
        self._loss = loss

    learning_rate = _optimizer_setting("learning_rate")
    l2 = _optimizer_setting("l2")
    momentum = _optimizer_setting("momentum")

    @property
    def dropout(self):
        """Each hidden layer's dropout rate (a new list); assign one rate or
        one per hidden layer."""
        return self._rates[1:]

    @dropout.setter
    def dropout(self, value):
        self._set_rates(value, self._rates[0])

    @property
    def input_dropout(self):
        """The share of inputs dropped in each training step; assign a rate."""
        return self._rates[0]

    @input_dropout.setter
    def input_dropout(self, value):
        self._set_rates(self._rates[1:], value)

    def _set_rates(self, hidden, inputs):
        from . import regularize

        rates = regularize.rates(hidden, self.sizes, inputs)
        self._rates, self._keep = rates, regularize.keep_shares(rates)

    @property
    def max_norm(self):
        """The longest a hidden unit's incoming weights may be (None: no limit)."""
        return self._max_norm

    @max_norm.setter
    def max_norm(self, value):
        from .regularize import max_norm

        self._max_norm = max_norm(value)

    def __repr__(self):
        """The call that builds a model with these settings (not its weights):
        every setting that is not the default, so ``eval(repr(model))``
        (with ``DNN``, and an optimizer's class, imported) makes the same."""
        from .optim import OPTIMIZERS

        opt, takes = self.optimizer, ("learning_rate", "l2", "momentum")  # (what DNN takes)
        given, default = opt.settings(), type(opt)().settings()
        if type(opt) is OPTIMIZERS.get(opt.name) and all(
                given[k] == default[k] for k in given if k not in takes):
            optimizer = [("optimizer", opt.name), ("learning_rate", opt.learning_rate)] + [
                (k, given[k]) for k in takes[1:] if k in given and given[k] != default[k]]
        else:  # settings DNN does not take (Adam's betas), or an optimizer of the user's own
            optimizer = [("optimizer", _Code(repr(opt)))]
        rates = self.dropout
        if rates and rates == [rates[0]] * len(rates):
            rates = rates[0]
        settings = [("activation", self._activation.name), ("output", self.output_activation.name),
                    ("loss", self._loss.name)] + optimizer + [
            (k, v) for k, v in (("dropout", rates), ("input_dropout", self.input_dropout),
                                ("max_norm", self._max_norm)) if v]
        settings += [("seed", self.seed)] if self.seed is not None else []
        settings += [("backend", self.backend)]
        settings += [("dtype", self.dtype)] if self.dtype != "float64" else []
        return "%s(%r%s)" % (type(self).__name__, self.sizes,
                             "".join(", %s=%r" % item for item in settings))


class _Code:
    """A value shown as the code that makes it (an optimizer object)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def _fits(loss, output, setting, other):
    """Raise a ValueError, saying what to assign first, unless ``loss`` takes ``output``."""
    try:
        loss.check(output)
    except ValueError as err:
        raise ValueError("%s; assign model.%s first, then model.%s" % (err, other, setting)) \
            from None
