"""Checks on what callers and files give a network, before any of it is used.

A saved model is plain data (see :meth:`DNN.to_dict`); :func:`model_dict`
checks every field of it: the format and version, the layer sizes, the
names of the functions, the optimizer's settings, and that the weights and
biases have the shapes the sizes need and hold only finite numbers.  Shapes
are checked before any network is built, so a file that claims a huge
network cannot make tinynet allocate one.  Each check raises a ValueError
that says what is wrong.
"""

from .errors import shown
from .optim import OPTIMIZERS

FORMAT = "tinynet"
#: The newest version of the saved form this code reads (and writes).
VERSION = 1
REQUIRED_KEYS = ("sizes", "activation", "output", "loss", "weights", "biases")


def sizes(value):
    """Return ``value`` as a list of at least two positive ints."""
    try:
        found = list(value)
    except TypeError:
        raise TypeError("sizes must be a list of layer widths, like [784, 30, 10], not %s"
                        % shown(value)) from None
    if len(found) < 2:
        raise ValueError("sizes needs at least an input and an output layer, got %s"
                         % shown(found))
    for n in found:
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError("layer sizes must be positive ints, got %s in %s"
                             % (shown(n), shown(found)))
    return found


def finite_row(row, name):
    """Raise a ValueError unless ``row`` is a list of finite numbers."""
    if not isinstance(row, list):
        raise ValueError("%s must be a list of numbers, not %s" % (name, shown(row)))
    for v in row:
        if type(v) is not float:  # the common case costs one test
            if not isinstance(v, (int, float)) or isinstance(v, bool):
                raise ValueError("%s holds something that is not a number (%s)"
                                 % (name, shown(v)))
            try:
                v = float(v)
            except OverflowError:
                raise ValueError("%s holds an integer too large for a float" % name) from None
        if v - v != 0.0:  # inf - inf and nan - nan are nan
            raise ValueError("%s holds a non-finite value (%r)" % (name, v))


def parameters(weights, biases, widths):
    """Check that ``weights`` and ``biases`` (lists, as :meth:`DNN.get_params`
    gives them) fit the layer ``widths`` and hold finite numbers."""
    layers = len(widths) - 1
    if not isinstance(weights, list) or len(weights) != layers:
        raise ValueError("weights must be a list of %d matrices for sizes %s"
                         % (layers, shown(widths)))
    if not isinstance(biases, list) or len(biases) != layers:
        raise ValueError("biases must be a list of %d rows for sizes %s"
                         % (layers, shown(widths)))
    for i, (w, b) in enumerate(zip(weights, biases)):
        n_in, n_out = widths[i], widths[i + 1]
        if not isinstance(w, list) or len(w) != n_in or not all(
                isinstance(row, list) and len(row) == n_out for row in w):
            raise ValueError("weights[%d] must be %d rows of %d numbers, as sizes %s need"
                             % (i, n_in, n_out, shown(widths)))
        if not isinstance(b, list) or len(b) != n_out:
            raise ValueError("biases[%d] must be %d numbers, as sizes %s need"
                             % (i, n_out, shown(widths)))
        for r, row in enumerate(w):
            finite_row(row, "weights[%d] row %d" % (i, r))
        finite_row(b, "biases[%d] row 0" % i)


def model_dict(data):
    """Check the plain-data model ``data``; return the optimizer object it
    describes (settings checked, state not yet loaded)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a tinynet model (no \"format\": \"tinynet\" field)")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError("unknown format version %s" % shown(version))
    if version > VERSION:
        raise ValueError("written by a newer tinynet (format version %d; this one reads up to "
                         "%d): upgrade tinynet to load it" % (version, VERSION))
    for key in REQUIRED_KEYS:
        if key not in data:
            raise ValueError("missing key %r" % key)
    widths = data["sizes"]
    try:
        if not isinstance(widths, list):
            raise TypeError
        sizes(widths)
    except (TypeError, ValueError):
        raise ValueError("sizes must be a list of at least two positive ints, not %s"
                         % shown(widths)) from None
    for key in ("activation", "output", "loss"):  # (the names: checked as the model is made)
        if not isinstance(data[key], str):
            raise ValueError("bad model settings: %s must be a name, not %s" % (key, shown(data[key])))
    if data.get("dtype", "float64") not in ("float64", "float32"):
        raise ValueError("dtype must be 'float64' or 'float32', not %s" % shown(data.get("dtype")))
    parameters(data["weights"], data["biases"], widths)
    return optimizer(data.get("optimizer", {}))


def optimizer(settings):
    """Return the optimizer that the saved ``settings`` dict describes."""
    if not isinstance(settings, dict):
        raise ValueError("optimizer must be a dict, not %s" % shown(settings))
    name = settings.get("name", "sgd")
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ValueError("optimizer must be one of %s, not %s"
                         % (", ".join(sorted(OPTIMIZERS)), shown(name)))
    cls = OPTIMIZERS[name]
    known = cls().settings()
    unknown = sorted(set(settings) - set(known) - {"name", "state"})
    if unknown:
        raise ValueError("optimizer %r has no setting %s" % (name, ", ".join(map(shown, unknown))))
    state = settings.get("state", {})
    if not isinstance(state, dict):
        raise ValueError("optimizer state must be a dict, not %s" % shown(state))
    return cls(**{k: settings[k] for k in known if k in settings})
