"""From the caller's data to batches: inputs and targets.

The network accepts inputs as lists or tuples of rows, ``array.array`` rows,
NumPy arrays, Matrices, or a byte-backed dataset such as
:class:`tinynet.datasets.Images`; targets as int class labels or as rows of
target values (e.g. one-hot).  Nothing here imports NumPy: arrays are
recognised by their attributes.  Batches are converted to the backend's
matrices only when used, so a large dataset is never held twice.
"""

from .errors import TinynetError
from .matrix import Matrix
from .metrics import classes


def _is_number(v):
    # NumPy scalars are numbers too: float64 subclasses float, and int64 has
    # a dtype and no dimensions.
    return isinstance(v, (int, float)) or getattr(v, "ndim", None) == 0


def is_single(x):
    """Return whether ``x`` is one sample (1-D) rather than a batch."""
    if isinstance(x, Matrix) or hasattr(x, "byte_rows"):
        return False
    ndim = getattr(x, "ndim", None)
    if ndim is not None:
        return ndim == 1
    try:
        return len(x) > 0 and _is_number(x[0])
    except TypeError:
        raise TypeError("expected a sequence of numbers or of rows, not %s"
                        % type(x).__name__) from None


def is_one_target(y, batch=False):
    """Return whether ``y`` is the target of one sample: a label, or a 1-D
    row of target values.  With the input a batch of one row (``batch``), a
    list of one number is that batch's list of labels instead."""
    if _is_number(y):
        return True
    if isinstance(y, Matrix):
        return False
    # (a 2-D array's first item is a row: no need to look at ndim)
    return len(y) > (1 if batch else 0) and _is_number(y[0])


class Inputs:
    """The caller's input rows, checked once and converted a batch at a time
    into Matrices of the given backend and dtype."""

    def __init__(self, X, backend, dtype, width):
        self.backend, self.dtype, self.width = backend, dtype, width
        if isinstance(X, Matrix) and X.backend != backend:  # another backend's: via lists
            X = X.tolist()
        self.X = X
        # Choose the reader once, by the kind of data.
        if isinstance(X, Matrix):
            found, self.take = [X.shape[1]], self._take_matrix
        elif hasattr(X, "byte_rows"):  # a byte-backed dataset such as Images
            found, self.take = [X.width], self._take_bytes
        elif hasattr(X, "ndim"):  # a NumPy array
            if X.ndim != 2:
                raise ValueError("inputs must be 1-D (one sample) or 2-D, not %d-D" % X.ndim)
            found, self.take = [X.shape[1]], self._take_array
        else:
            found, self.take = [len(row) for row in X], self._take_rows
        for i, n in enumerate(found):
            if n != width:
                where = "x" if len(X) == 1 else "row %d of X" % i
                raise ValueError("%s has %d values; the network's input layer has %d"
                                 % (where, n, width))
        # Every value a finite number, checked once here (bytes are 0..255).
        if self.take == self._take_rows:
            check_finite_rows(X, "X")
        elif self.take == self._take_array:
            _check_finite_array(X, "X")
        elif self.take == self._take_matrix and not X.all_finite():
            check_finite_rows(X.tolist(), "X")

    def __len__(self):
        return len(self.X)

    # Each returns the rows at ``index`` as a Matrix.

    def _take_matrix(self, index):
        X = self.X
        return X if len(index) == len(X) and _in_order(index) else X.take(index)

    def _take_bytes(self, index):
        return Matrix.from_bytes(self.X.byte_rows(index), len(index), self.width,
                                 self.backend, self.dtype)

    def _take_array(self, index):
        return Matrix.from_list(self.X[list(index)], self.backend, self.dtype)

    def _take_rows(self, index):
        X = self.X
        return Matrix.from_list([X[i] for i in index], self.backend, self.dtype)


def check_finite_rows(rows, name, first=0):
    """Raise a ValueError naming the first row of ``rows`` (numbered from
    ``first``) that holds a value that is not a finite number (nan, inf, a
    string...)."""
    for i, row in enumerate(rows, first):
        try:
            total = sum(row)  # finite if every value is (or overflowed: looked at below)
            ok = total - total == 0
        except TypeError:
            ok = False
        if not ok:
            for j, v in enumerate(row):
                try:
                    good = _is_number(v) and v - v == 0
                except TypeError:
                    good = False
                if not good:
                    where = "x" if len(rows) == 1 and name == "X" and not first else \
                        "row %d of %s" % (i, name)
                    shown = repr(v) if _is_number(v) else "a %s" % type(v).__name__
                    raise ValueError("%s holds %s at column %d; %s must be finite numbers"
                                     % (where, shown, j, "inputs" if name == "X" else "targets"))


#: Rows per forward pass in DNN.predict, classify and evaluate: any number
#: gives the same outputs (the loss to rounding), so no test could tell.
CHUNK = 1024  # pragma: no mutate (see above)

_BLOCK = 4096  # pragma: no mutate (rows checked at a time: any number gives the same answer)


def _check_finite_array(X, name):
    """check_finite_rows for a 2-D NumPy array, a block of rows at a time."""
    if X.dtype.kind not in "biuf":
        raise ValueError("%s holds %s values, not numbers" % (name, X.dtype))
    if X.dtype.kind != "f":
        return
    for start in range(0, len(X), _BLOCK):
        block = X[start:start + _BLOCK]
        if not (abs(block) < float("inf")).all():  # false for nan and inf, without a warning
            check_finite_rows(block.tolist(), name, start)


def _in_order(index):
    # A range of step 1 as long as X is all of X in order: it starts at 0 (or
    # at -len(X), the same rows).  (getattr: MicroPython's range may not
    # expose its step)
    return isinstance(index, range) and getattr(index, "step", None) == 1


class Targets:
    """The caller's targets: int labels (one-hot when used) or target rows."""

    def __init__(self, y, n, width, backend, dtype, distributions=False):
        self.backend, self.dtype, self.width = backend, dtype, width
        try:
            ok = not isinstance(y, (str, bytes)) and len(y) >= 0
        except TypeError:
            ok = False
        if not ok:
            raise TypeError("y must be int labels or rows of target values, not %r" % (y,))
        if isinstance(y, Matrix):
            y = y.tolist()
        if hasattr(y, "ndim") and y.ndim == 1:
            y = y.tolist()
        if len(y) != n:
            raise ValueError("X has %d rows but y has %d targets" % (n, len(y)))
        self.labels = None
        if n and _is_number(y[0]):
            self.labels = _check_labels(y, width)
        else:
            self.y = y
            for i, row in enumerate(y):
                if len(row) != width:
                    raise ValueError("target %d has %d values; the network has %d outputs"
                                     % (i, len(row), width))
            rows = [row.tolist() for row in y] if hasattr(y, "ndim") else y
            check_finite_rows(rows, "y")
            if distributions:
                _check_distributions(rows)

    def take(self, index):
        """Return ``(Y, labels)`` for the samples at ``index``: the target
        rows as a Matrix and the class of each."""
        if self.labels is not None:
            labels = [self.labels[i] for i in index]
            if self.width == 1:  # a single output: the label is the target
                Y = Matrix.from_list([[float(v)] for v in labels], self.backend, self.dtype)
            else:
                Y = Matrix.one_hot(labels, self.width, self.backend, self.dtype)
            return Y, labels
        y = self.y
        rows = y[list(index)] if hasattr(y, "ndim") else [y[i] for i in index]
        Y = Matrix.from_list(rows, self.backend, self.dtype)
        return Y, classes(Y)


def dataset(model, X, y, purpose="evaluate"):
    """Return the caller's inputs and targets for ``model`` as Inputs and
    Targets; no samples at all is an error naming ``purpose``."""
    data = Inputs(X, model.backend, model.dtype, model.sizes[0])
    if not len(data):
        raise TinynetError("%s needs at least one sample; X is empty" % purpose)
    return data, targets_for(model, y, len(data))


def input_matrix(model, x, single):
    """Return the caller's ``x`` (one sample if ``single``, else a batch)
    as one Matrix for ``model``."""
    data = Inputs([x] if single else x, model.backend, model.dtype, model.sizes[0])
    return data.take(range(len(data)))


def blocks(X, size):
    """Yield the Matrix ``X`` in blocks of at most ``size`` rows."""
    n = len(X)
    if n <= size:
        yield X
        return
    for start in range(0, n, size):
        yield X.take(range(start, min(start + size, n)))


def targets_for(model, y, n):
    """Return the Targets for ``model``: with a softmax output and
    cross-entropy, target rows must be distributions (each sums to 1), or
    the gradient would not be that of the loss reported."""
    distributions = (model.output_activation.name == "softmax"
                     and model.loss.name == "cross_entropy")
    return Targets(y, n, model.sizes[-1], model.backend, model.dtype, distributions)


def _check_distributions(rows):
    """Softmax with cross-entropy: each target row must be a distribution
    (values >= 0 summing to 1), or backprop's gradient is not the loss's."""
    for i, row in enumerate(rows):
        total = sum(row)
        if abs(total - 1.0) > 1e-6 or min(row) < 0:
            raise ValueError("target row %d sums to %.9g%s; with output='softmax' and "
                             "loss='cross_entropy' each target row must be >= 0 and sum to 1 "
                             "(or give int labels)" % (i, total, " and has a negative value"
                                                       if min(row) < 0 else ""))


def _check_labels(y, width):
    top = max(width, 2) - 1  # one output still has two classes, 0 and 1
    if isinstance(y, list) and all(type(v) is int for v in y):
        # the common case, checked in C-speed passes
        if min(y) < 0 or max(y) > top:
            i = next(i for i, v in enumerate(y) if not 0 <= v <= top)
            raise _not_a_class(y[i], i, top)
        return list(y)
    labels = []
    for i, v in enumerate(y):
        try:
            label = int(v)
        except (TypeError, ValueError):
            label = None
        if label is None or label != v or not 0 <= label <= top:
            raise _not_a_class(v, i, top)
        labels.append(label)
    return labels


def _not_a_class(v, i, top):
    return ValueError("label %r at index %d is not a class in 0..%d" % (v, i, top))
