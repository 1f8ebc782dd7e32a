"""From the caller's data to batches: inputs and targets, checked once.

The network accepts inputs as lists or tuples of rows, ``array.array`` or
``bytes`` rows, NumPy arrays (and what converts to one: a DataFrame, a torch
tensor; see conversions.py), Matrices, or a byte-backed dataset such as
:class:`tinynet.datasets.Images`; targets as int class labels, as rows of
target values (e.g. one-hot), or, for a network with one linear output (a
regression), as one number per sample.  Nothing here imports NumPy: arrays
are recognised by their attributes.  Batches are converted to the backend's
matrices only when used, so a large dataset is never held twice.
"""

from .errors import TinynetError, plural, shown
from .matrix import Matrix

#: Rows per forward pass in predict, classify and evaluate: any number gives
#: the same outputs (the loss to rounding), so no test could tell.
CHUNK = 1024  # pragma: no mutate (any number gives the same outputs)

_BLOCK = 4096  # pragma: no mutate (rows checked at a time: any number gives the same answer)
PLAIN = {list}  # read as they are (NumPy's array too, once seen); not a board's conversions.py


def _is_number(v):
    return isinstance(v, (int, float)) or _numpy_scalar(v)


def first_rows(X, n=256):
    """The first ``n`` rows of ``X``, the rows that tell whether inputs look
    like unscaled pixels (advice.py): a slice where ``X`` takes one (a list,
    a tuple, a NumPy array, whose values are then looked at in C), else the
    first ``n`` that iterating gives (a deque, which cannot be sliced)."""
    try:
        return X[:n]
    except TypeError:
        return [row for _, row in zip(range(n), X)]


def _numpy_scalar(v):
    return getattr(v, "ndim", None) == 0  # (a NumPy scalar has a dtype and no dimensions)




class Inputs:
    """The caller's input rows for ``model``, checked once (each row's width,
    every value a finite number) and converted a batch at a time.  With
    ``sample``, ``X`` may also be one sample (a 1-D sequence of numbers):
    then ``single`` is True and the rows are ``[X]``.  ``advise=False``
    leaves out the look for unscaled pixels (advice.py)."""

    def __init__(self, X, model, sample=False, advise=True):
        self.backend, self.dtype, width = model.backend, model.dtype, model.sizes[0]
        self.single = False
        if type(X) not in PLAIN and not isinstance(X, Matrix) and not hasattr(X, "byte_rows"):
            from .conversions import array_or_sequence  # (a DataFrame, a tensor: an array)

            X = array_or_sequence(X, "x" if sample else "X", PLAIN)
        if sample and not isinstance(X, Matrix) and not hasattr(X, "byte_rows"):
            try:  # an array says its dimensions; a sequence holds numbers, not rows
                first = X[0] if len(X) else None  # one sample is numbers, a batch rows
                one = X.ndim == 1 if hasattr(X, "ndim") else \
                    isinstance(first, (int, float)) or _numpy_scalar(first)
            except TypeError:
                raise TypeError("expected a sequence of numbers or of rows, not %s"
                                % type(X).__name__) from None
            if one:  # a NumPy row of numbers stays an array, checked at C speed
                numeric = getattr(getattr(X, "dtype", None), "kind", None) in ("b", "i", "u", "f")
                self.single, X = True, X.reshape(1, -1) if hasattr(X, "ndim") and numeric else [X]
        if isinstance(X, Matrix) and X.backend != self.backend:  # another backend's
            X = X.tolist()
        self.X, self.n = X, len(X)
        # Choose the reader once, by the kind of data.
        rows = False
        if isinstance(X, Matrix):
            found, self.take = [X.shape[1]], self._take_matrix
        elif hasattr(X, "byte_rows"):  # a byte-backed dataset such as Images
            found, self.take = [X.width], self._take_bytes
        elif hasattr(X, "ndim"):  # a NumPy array
            if X.ndim != 2:
                raise ValueError("inputs must be 1-D (one sample) or 2-D, not %d-D" % X.ndim)
            found, self.take = [X.shape[1]], self._take_array
        else:
            found, self.take, rows = [len(row) for row in X], self._take_rows, True
            kinds = set(map(type, X))
            if bytes in kinds or bytearray in kinds:  # pixels 0..255: as lists for any backend
                self.take = self._take_lists
        for i, n in enumerate(found):
            if n != width:
                where = "x" if len(X) == 1 else "row %d of X" % i
                raise ValueError("%s has %d values; the network's input layer has %d"
                                 % (where, n, width))
        # Every value a finite number, checked once here (bytes are 0..255),
        # and, for a classifier, inputs that look like unscaled pixels
        # warned about (see advice.py).
        classifier = advise and model.output_activation.probabilities
        if rows:
            try:
                total = sum(map(sum, X))  # finite if every value is: then a C-speed pass
                ok = total - total == 0
            except TypeError:
                ok = False
            if not ok:
                check_finite_rows(X, "X")
            elif classifier and self.n:
                first = first_rows(X)
                if 32 <= max(map(max, first)) <= 255:  # (advice.BRIGHT)
                    from .advice import unscaled_rows

                    unscaled_rows(X, first)
        elif self.take == self._take_array:
            _check_finite_array(X, "X")
            if classifier:
                from .advice import unscaled_array

                unscaled_array(X, first_rows(X))
        elif self.take == self._take_matrix and not X.all_finite():
            check_finite_rows(X.tolist(), "X")

    # Each returns the rows at ``index`` (a range or list) as a Matrix.

    def _take_matrix(self, index):
        X = self.X
        whole = isinstance(index, range) and len(index) == len(X) and index[:1] == range(1)
        return X if whole else X.take(index)

    def _take_bytes(self, index):
        return Matrix.from_bytes(self.X.byte_rows(index), len(index), self.X.width,
                                 self.backend, self.dtype)

    def _take_array(self, index):
        return Matrix.from_list(self.X[list(index)], self.backend, self.dtype)

    def _take_rows(self, index):
        X = self.X
        return Matrix.from_list([X[i] for i in index], self.backend, self.dtype)

    def _take_lists(self, index):
        X = self.X
        return Matrix.from_list([list(X[i]) for i in index], self.backend, self.dtype)


class Targets:
    """The caller's targets for ``n`` samples of ``model``: int class labels
    (one-hot when used), rows of target values, or, for a regression (a
    single linear output), one number per sample.

    ``take(index)`` gives ``(Y, labels)``: the targets as a Matrix, and each
    sample's class, or None for a regression (it has no accuracy)."""

    def __init__(self, y, n, model, one=None):
        """``one``: None for a dataset; for :meth:`DNN.train`'s one sample (True)
        or batch of one row (False), ``y`` may be that sample's one target."""
        self.backend, self.dtype, self.width = model.backend, model.dtype, model.sizes[-1]
        # A regression: one linear output, given one number per sample (no accuracy).
        self.classes = model.output_activation.probabilities or self.width > 1
        if hasattr(y, "__array__") and not _numpy_scalar(y):  # (a Series, a DataFrame, a tensor)
            from .conversions import array_or_sequence

            y = array_or_sequence(y, "y", PLAIN)
        if isinstance(y, Matrix) or (hasattr(y, "ndim") and y.ndim == 1):
            y = y.tolist()
        if one is not None and not isinstance(y, (str, bytes)) and (
                isinstance(y, (int, float)) or _numpy_scalar(y)  # a label
                or len(y) > (0 if one else 1) and isinstance(y[0], (int, float))):  # a row
            y = [y]
        try:
            count = -1 if isinstance(y, (str, bytes, dict, set)) or \
                hasattr(y, "keys") else len(y)
        except TypeError:
            count = -1
        if count < 0:
            raise TypeError("y must be %s or rows of target values, not %s" % (
                "int class labels in 0..%d" % (max(self.width, 2) - 1) if self.classes
                else "numbers", shown(y)))
        if count != n:
            raise ValueError("X has %s but y has %s" % (plural(n, "row"), plural(count, "target")))
        if n and isinstance(y[0], str):
            from .conversions import text_targets

            text_targets(y, self.width, self.classes)
        self.labels = self.y = None
        number = n and (isinstance(y[0], (int, float)) or _numpy_scalar(y[0]))  # not rows
        if number and self.classes:
            top = max(self.width, 2) - 1  # one output still has two classes, 0 and 1
            fast = type(y) is list and not [v for v in y if type(v) is not int]
            self.labels = list(y) if fast and 0 <= min(y) and max(y) <= top else \
                labels(y, self.width)
        elif number:
            self.y = [[v] for v in y]
            check_finite_rows(self.y, "y")
        else:
            for i, row in enumerate(y):
                if len(row) != self.width:
                    from .conversions import column_labels

                    self.labels = self.classes and len(row) == 1 and column_labels(y, self.width, labels)
                    if self.labels:  # a column of labels, as scikit-learn takes it
                        return
                    raise ValueError("target %d has %d values; the network has %d outputs"
                                     % (i, len(row), self.width))
            self.y = y
            rows = [row.tolist() for row in y] if hasattr(y, "ndim") else y
            check_finite_rows(rows, "y")
            if model.output_activation.name == "softmax" and model._loss.name == "cross_entropy":
                _check_distributions(rows)

    def take(self, index):
        if self.labels is not None:
            labels = [self.labels[i] for i in index]
            if self.width == 1:  # a single output: the label is the target
                rows = [[float(v)] for v in labels]
            else:
                rows = [[0.0] * self.width for _ in labels]
                for row, label in zip(rows, labels):
                    row[label] = 1.0  # one-hot
            return Matrix.from_list(rows, self.backend, self.dtype), labels
        y = self.y
        Y = Matrix.from_list(y[list(index)] if hasattr(y, "ndim") else [y[i] for i in index],
                             self.backend, self.dtype)
        return Y, (Y.argmax() if self.width > 1 else [int(r[0] >= 0.5) for r in Y.tolist()]) \
            if self.classes else None


def dataset(model, X, y, purpose="evaluate"):
    """Return the caller's inputs and targets for ``model`` as Inputs and
    Targets; no samples at all is an error naming ``purpose``."""
    data = Inputs(X, model)
    if not data.n:
        raise TinynetError("%s needs at least one sample; X is empty" % purpose)
    return data, Targets(y, data.n, model)


def inputs(model, x):
    """Return ``(single, X)``: whether the caller's ``x`` is one sample, and
    it (or the batch) as one Matrix for ``model``."""
    data = Inputs(x, model, sample=True)
    if not data.n and not hasattr(x, "shape"):  # (an array of 0 rows is a batch of none)
        raise ValueError("x is empty: give one sample (%d numbers) or a batch of them"
                         % model.sizes[0])
    return data.single, data.take(range(data.n))


def pair(model, x, y):
    """Return ``(X, Y)``, Matrices for :meth:`DNN.train`: one sample ``x``
    with its target ``y`` (a label, or a row of target values), or a batch
    with one target per row.  The first 256 rows a model is given here are
    looked at for unscaled pixels, as fit looks at the first 256 of its data."""
    looked = getattr(model, "_rows_advised", 0)
    data = Inputs(x, model, sample=True, advise=looked < 256)
    if looked < 256:
        model._rows_advised = looked + data.n
    if not data.n:
        raise ValueError("x is empty: give one sample (%d numbers) or a batch of them"
                         % model.sizes[0])
    one = data.single if data.n == 1 else None
    every = range(data.n)
    return data.take(every), Targets(y, data.n, model, one).take(every)[0]


def blocks(X, size=CHUNK):
    """Yield the Matrix ``X`` in blocks of at most ``size`` rows."""
    n = len(X)
    if n <= size:
        yield X
        return
    for start in range(0, n, size):
        yield X.take(range(start, min(start + size, n)))


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
                number = _is_number(v)
                try:
                    good = number and v - v == 0
                except TypeError:
                    good = False
                if not good:
                    where = "x" if len(rows) == 1 and name == "X" and not first else \
                        "row %d of %s" % (i, name)
                    what = repr(float(v)) if number else "a %s" % type(v).__name__
                    raise ValueError("%s holds %s at column %d; %s must be finite numbers"
                                     % (where, what, j, "inputs" if name == "X" else "targets"))


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


def labels(y, width=None):
    """Return the class labels ``y`` as a list of ints in ``0 .. width - 1``
    (0 or 1 for a single output), refusing anything else by index; with ``width``
    None (labels no network bounds, a picture's), any int >= 0.  Evaluation,
    the plots and the data writers all check labels so (not in conversions.py,
    which a board does not load)."""
    top = None if width is None else max(width, 2) - 1
    found = []
    for i, v in enumerate(y):
        try:
            label = int(v)
        except (TypeError, ValueError, OverflowError):  # int(inf) overflows
            label = None
        if label is None or label != v or label < 0 or (top is not None and label > top):
            if isinstance(v, (str, bytes)):
                from .conversions import not_a_label

                not_a_label(v, i, top)
            what = label if label is not None and label == v else (
                repr(float(v)) if _is_number(v) else shown(v))
            raise ValueError("label %s at index %d is not a class %s" % (
                what, i, "(an int >= 0)" if top is None else "in 0..%d" % top))
        found.append(label)
    return found
