"""The command line's options: their types, their defaults, and what
``--help`` says of them, kept side by side so the help cannot drift from
what runs.

``mnist`` and ``train`` share one recipe: momentum SGD with a little weight
decay and a learning rate annealed to zero along a cosine.  Its network and
its batches depend on the backend only: the NumPy backend trains the
tutorial's ``[784, 1250, 10]``, which reaches 98.3% on full MNIST in 10
epochs (``benchmarks/bench_recipe.py``); the pure-Python one a
``[784, 64, 10]`` it trains in minutes.
"""

import argparse

from ..dnn import HIDDEN, LOSSES, OUTPUT
from ..backends import BACKENDS
from ..optim import OPTIMIZERS

#: The recipe of mnist and train.
OPTIMIZER, LEARNING_RATE, L2, SCHEDULE = "momentum", 0.1, 2e-4, "cosine"
#: By backend: (hidden units, epochs, batch size).
BY_BACKEND = {"numpy": (1250, 10, 128), "python": (64, 10, 32)}
#: On the pure-Python backend, more training images than this train for
#: SHORT_EPOCHS by default (full MNIST: 2 epochs, a few minutes each).
MANY, SHORT_EPOCHS = 10000, 2


def recipe(backend, n_train):
    """Return ``(hidden units, epochs, batch size)`` for ``n_train``
    training images on ``backend``, when the options do not say."""
    family = backend.split("-")[0]  # "numpy-plain" trains as "numpy" does, only slower
    hidden, epochs, batch_size = BY_BACKEND[family]
    if family == "python" and n_train > MANY:
        epochs = SHORT_EPOCHS
    return hidden, epochs, batch_size


def learning_rate(optimizer):
    """The learning rate used when ``--learning-rate`` is not given: the
    recipe's for momentum, else the optimizer's own default."""
    if optimizer == OPTIMIZER:
        return LEARNING_RATE
    return OPTIMIZERS[optimizer].default_learning_rate


def layers(text):
    """An argparse type: ``"784,128,10"`` -> ``[784, 128, 10]``."""
    try:
        sizes = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("takes sizes like 784,128,10, not %r" % text) from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise argparse.ArgumentTypeError("takes two or more sizes of 1 or more, like 784,128,10, "
                                         "not %r" % text)
    return sizes


layers.__name__ = "layer sizes"


def dropout_rates(text):
    """An argparse type: dropout rates, ``"0.5"`` (every hidden layer) or
    ``"0.2,0.5"`` (one per hidden layer); their range is checked with the
    network."""
    try:
        found = [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("takes a rate like 0.5, or one per hidden layer like "
                                         "0.2,0.5, not %r" % text) from None
    return found[0] if len(found) == 1 else found


dropout_rates.__name__ = "dropout rates"

#: The share of the training data that --patience holds out to watch.
HELD_OUT = 0.1


def count(least):
    """An argparse type: an int >= ``least`` (0 epochs is honoured, not a default)."""
    def count(text):
        value = int(text)  # a ValueError: argparse says "invalid int value"
        if value < least:
            raise argparse.ArgumentTypeError("%d is less than %d" % (value, least))
        return value
    count.__name__ = "int"
    return count


def number(least, inclusive):
    """An argparse type: a finite float > ``least`` (>= if ``inclusive``)."""
    def number(text):
        import math

        value = float(text)  # a ValueError: argparse says "invalid float value"
        if not math.isfinite(value) or value < least or (value == least and not inclusive):
            raise argparse.ArgumentTypeError("%r is not a finite number %s %g"
                                             % (text, ">=" if inclusive else ">", least))
        return value
    number.__name__ = "float"
    return number


def _sizes_text(backend):
    hidden = BY_BACKEND[backend][0]
    return "784,%d,10" % hidden


def model_options(parser, command):
    """The options of ``mnist`` and ``train``: the network and its training."""
    rates = ", ".join("%s %g" % (name, OPTIMIZERS[name].default_learning_rate)
                      for name in sorted(OPTIMIZERS) if name != OPTIMIZER)
    width = "784" if command == "mnist" else "the data's width (784 for MNIST)"
    outputs = "10" if command == "mnist" else "10, or one per class if the labels go past 9"
    parser.add_argument(
        "--layers", type=layers, default=None, metavar="SIZES",
        help="layer sizes, input first, e.g. 784,128,10 (default: %s with the NumPy backend, "
        "else %s; the input is %s, the output %s)"
        % (_sizes_text("numpy"), _sizes_text("python"), width, outputs))
    parser.add_argument("--activation", default="relu", choices=sorted(HIDDEN),
                        help="the hidden layers' activation (default: %(default)s)")
    parser.add_argument("--output", default="softmax", choices=sorted(OUTPUT),
                        help="the output layer's activation (default: %(default)s)")
    parser.add_argument("--loss", default="cross_entropy", choices=sorted(LOSSES),
                        help="(default: %(default)s)")
    parser.add_argument("--optimizer", default=OPTIMIZER, choices=sorted(OPTIMIZERS),
                        help="(default: %(default)s)")
    parser.add_argument("--learning-rate", type=number(0, False), default=None, metavar="RATE",
                        help="the starting learning rate (default: %g with %s; with another "
                        "optimizer its own: %s)" % (LEARNING_RATE, OPTIMIZER, rates))
    parser.add_argument("--schedule", default=SCHEDULE, choices=["cosine", "linear", "constant"],
                        help="how the learning rate goes from its start to 0 over the run "
                        "(default: %(default)s; constant keeps it)")
    parser.add_argument("--l2", type=number(0, True), default=L2,
                        help="weight decay (default: %(default)g)")
    (_, numpy_epochs, numpy_batch), (_, pure_epochs, pure_batch) = (
        BY_BACKEND["numpy"], BY_BACKEND["python"])
    parser.add_argument("--epochs", type=count(0), default=None,
                        help="passes over the training data (default: %d; on the pure-Python "
                        "backend %d, or %d for more than %s images)"
                        % (numpy_epochs, pure_epochs, SHORT_EPOCHS, format(MANY, ",")))
    parser.add_argument("--batch-size", type=count(1), default=None, metavar="N",
                        help="images per gradient step (default: %d with the NumPy backend, "
                        "else %d)" % (numpy_batch, pure_batch))
    parser.add_argument("--seed", type=int, default=0,
                        help="seeds the initial weights and the shuffling (default: %(default)s)")
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"],
                        help="(default: %(default)s; float32 needs the NumPy backend)")
    parser.add_argument("--dropout", type=dropout_rates, default=0.0, metavar="RATE",
                        help="the share of hidden units dropped in each training step, one "
                        "rate or one per hidden layer like 0.2,0.5 (default: %(default)s, none)")
    parser.add_argument("--input-dropout", type=number(0, True), default=0.0, metavar="RATE",
                        help="the share of input values dropped in each training step "
                        "(default: %(default)s, none)")
    parser.add_argument("--max-norm", type=number(0, False), default=None, metavar="C",
                        help="cap each hidden unit's incoming weights at length C after every "
                        "step (default: no cap)")
    parser.add_argument("--patience", type=count(0), default=None, metavar="N",
                        help="stop when the loss on the last %d%%%% of the training data, held "
                        "out, has not improved for N epochs, and keep the best epoch's weights "
                        "(default: no early stopping)" % round(100 * HELD_OUT))


def common(parser, plots=False, quiet_result=None, backend=True, curves=True):
    """The options the commands share: --plot (with ``plots``; the training
    curves too with ``curves``), --backend (with ``backend``) and -q, which
    keeps ``quiet_result`` if the command has one."""
    if plots:
        charts = "the training curves and confusion matrix" if curves else "the confusion matrix"
        parser.add_argument("--plot", metavar="DIR", help="write pictures into DIR, created if "
                            "its parent exists: %s (as --plot-format says), the misclassified "
                            "digits and first-layer weights as PNG (default: no pictures)"
                            % charts)
        parser.add_argument("--plot-format", choices=["svg", "png"], default="svg",
                            help="the charts' format (default: %(default)s; png draws them as "
                            "pixels too)")
    if backend:
        _backend_option(parser)
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress or commentary: print only %s and errors" % quiet_result
                        if quiet_result else "print nothing but errors")


def _backend_option(parser):
    from ..backends import backend_name

    try:
        here = backend_name()
    except ValueError:  # a bad $TINYNET_BACKEND: said when a backend is needed
        here = None
    parser.add_argument("--backend", choices=BACKENDS, default=None,
                        help="what computes (default: $TINYNET_BACKEND if set, else numpy if "
                        "installed, else python%s)" % ("; here: " + here if here else ""))
