"""The caller's data as batching reads it, for data that is not a list.

An object that is no NumPy array but offers ``__array__`` (a pandas
DataFrame or Series, a torch tensor on the CPU, an xarray DataArray...) is
converted with ``numpy.asarray`` once, here, and read by position, as
scikit-learn reads it: a DataFrame's index is not looked at.  NumPy is
imported only for such an object, which cannot exist without NumPy; lists,
tuples, ``array.array`` and ``bytes`` never import it.  A mapping, a set, a
string or anything else that is no sequence of numbers or rows is refused
with a TypeError naming its type.

Targets: a column of class labels (an ``(n, 1)`` y, as ``y.reshape(-1, 1)``
or ``df[["label"]]`` give) for a network of several outputs is taken as one
label per sample with a warning, as scikit-learn takes a column vector; a
string label is refused naming it (labels are int class numbers).
"""

from .errors import plural, shown

#: What an input must be, for error messages.
_EXPECTED = ("a sequence of numbers (one sample) or of rows (a list, tuple, NumPy array, "
             "pandas DataFrame...)")


def array_or_sequence(X, name, plain):
    """Return ``X`` as batching reads it: a NumPy array for an object that
    converts to one (itself for a NumPy array, whose type then joins
    ``plain``, batching's types read without this call), else ``X`` itself if it is a
    sequence; refuse anything else naming its type."""
    if hasattr(X, "__array__"):
        return _asarray(X, name, plain)
    try:
        len(X)
        sequence = not (isinstance(X, (str, dict, set)) or hasattr(X, "keys"))
    except TypeError:
        sequence = False
    if not sequence:
        raise TypeError("%s must be %s, not %s" % (name, _EXPECTED, _a(X)))
    return X


def _asarray(X, name, plain):
    try:
        import numpy
    except ImportError:  # (an __array__ that NumPy would call, without NumPy)
        raise TypeError("%s is %s, which converts only to a NumPy array, and NumPy is not "
                        "installed: give lists of numbers" % (name, _a(X))) from None
    if type(X) is numpy.ndarray:
        plain.add(numpy.ndarray)
        return X
    try:
        array = numpy.asarray(X)
    except Exception as err:  # torch: a tensor on a GPU, or one that requires grad
        raise TypeError("%s (%s) could not be made a NumPy array: %s"
                        % (name, _a(X), trimmed(err))) from None
    if array.ndim == 0:
        raise TypeError("%s must be %s, not %s" % (name, _EXPECTED, _a(X)))
    return array


def _a(value):
    """``value``'s type with its article: "a dict", "an int"."""
    name = type(value).__name__
    return ("an " if name[:1] in "aeiouAEIOU" else "a ") + name


def trimmed(err, limit=200):
    """The text of the exception ``err``, cut to ``limit`` characters (a
    message may quote a whole input)."""
    text = str(err)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def not_a_label(v, i, top):
    """Raise the ValueError for a string ``v`` at index ``i`` given as a
    class label (``top``: the largest class, or None for any)."""
    raise ValueError("label %s at index %d is not a class %s but %s: labels must be int "
                     "class numbers (turn names or digit strings into ints first)"
                     % (shown(v), i, "(an int >= 0)" if top is None else "in 0..%d" % top, _a(v)))


def text_targets(y, width, classes):
    """Refuse targets ``y`` whose first is a string, naming it."""
    if classes:
        not_a_label(y[0], 0, max(width, 2) - 1)
    raise ValueError("target 0 is a %s (%s); a regression's targets are numbers"
                     % (type(y[0]).__name__, shown(y[0])))


def column_labels(y, width, labels):
    """For targets ``y`` that are rows of one value given to a classifier of
    ``width`` (> 1) outputs: their values as one class label per sample,
    with a warning, if every row has one value and every value is a whole
    number (or a string, refused naming it); else None.  ``labels`` is
    batching.labels (which checks them)."""
    rows = y.tolist() if hasattr(y, "ndim") else y
    if any(len(row) != 1 for row in rows):
        return None
    column = [row[0] for row in rows]
    if not all(map(_whole_or_text, column)):
        return None
    found = labels(column, width)
    from .advice import warn

    warn("y is a column (%s of one value) for a network of %d outputs: each value is taken "
         "as one sample's class label, as scikit-learn does. Give one label per sample "
         "(y.ravel(), or a list of ints) to silence this warning"
         % (plural(len(column), "row"), width))
    return found


def _whole_or_text(v):
    if isinstance(v, (str, bytes)):
        return True
    try:
        return int(v) == v
    except (TypeError, ValueError, OverflowError):
        return False
