"""Pictures of a model and its training, shown inline in Jupyter.

>>> from tinynet import plots
>>> chart = plots.curves([{"epoch": 1, "loss": 0.9, "accuracy": 0.7},
...                       {"epoch": 2, "loss": 0.5, "accuracy": 0.8}])
>>> chart
<Chart 'Training curves' (SVG, 784x340)>
>>> chart._repr_svg_().startswith("<svg")
True

Each function returns an object that Jupyter displays by itself (it calls
``_repr_svg_`` or ``_repr_png_``; nothing here imports IPython) and that
``.save(path)`` writes to a file:

- :func:`curves` (a :class:`Chart`, SVG): loss and accuracy per epoch, from
  the history ``DNN.fit`` returns;
- :func:`confusion` (a :class:`Chart`): the confusion matrix of a model on
  labelled data, with counts and each row's accuracy;
- :func:`digits` (a :class:`Picture`, PNG): images with their labels and
  predictions, wrong ones in red;
- :func:`weights` (a :class:`Picture`): the first layer's weights, one tile
  per hidden unit.

Charts are vector drawings (:mod:`tinynet.plots.charts`, on the SVG writer
:mod:`tinynet.plots.svg`); a chart saved to a
``.png`` path is drawn as pixels instead.  Pixel pictures are PNG
(:mod:`tinynet.plots.png`), as they are pixels to begin with.  Everything is
standard library only; the core of tinynet never imports this package.
"""

import os

from ..batching import labels as check_labels
from ..errors import plural, shown
from ..files import write_atomically
from . import charts
from .png import MAX_PIXELS

__all__ = ["Chart", "Picture", "confusion", "confusion_chart", "curves", "digits", "weights"]


def _write(path, data):
    """Write ``data`` (bytes) to ``path`` atomically, so an existing picture
    is replaced whole or not at all (see :func:`tinynet.files.write_atomically`)."""
    write_atomically(path, data)


def _format_of(path, format, allowed):
    if format is None:
        format = os.path.splitext(os.fsdecode(path))[1].lstrip(".").lower() or allowed[0]
    if format not in allowed:
        raise ValueError("cannot save this picture as %r; expected %s"
                         % (format, " or ".join(repr(a) for a in allowed)))
    return format


class Chart:
    """A chart drawn as SVG.  Jupyter shows it inline (``_repr_svg_``);
    :meth:`save` writes it to a ``.svg`` file, or draws it as pixels for a
    ``.png`` one.  ``str(chart)`` is the SVG text."""

    def __init__(self, svg_text, name, raster=None):
        self.svg = svg_text
        self.name = name
        self._raster = raster  # a function returning a png.Canvas

    def _repr_svg_(self):
        return self.svg

    def __str__(self):
        return self.svg

    def __repr__(self):
        head = self.svg.split(">", 1)[0]
        size = [head.split(key + '="', 1)[1].split('"', 1)[0] for key in ("width", "height")]
        return "<%s %r (SVG, %sx%s)>" % (type(self).__name__, self.name, size[0], size[1])

    def to_png(self):
        """The chart drawn as a PNG image (bytes): coarser than the SVG, for
        places that show only pixels."""
        if self._raster is None:
            raise ValueError("this chart has no pixel version")
        return self._raster().to_png()

    def save(self, path, format=None):
        """Write the chart to ``path``: SVG, or PNG when ``path`` ends in
        .png or ``format="png"``.  Return ``path``."""
        if _format_of(path, format, ("svg", "png")) == "png":
            _write(path, self.to_png())
        else:
            _write(path, self.svg.encode("utf-8"))
        return path


class Picture:
    """A picture made of pixels (digits, weight tiles).  Jupyter shows it
    inline (``_repr_png_``); :meth:`save` writes the PNG file."""

    def __init__(self, canvas, name):
        self.canvas = canvas
        self.name = name

    @property
    def width(self):
        return self.canvas.width

    @property
    def height(self):
        return self.canvas.height

    def _repr_png_(self):
        return self.canvas.to_png()

    def __repr__(self):
        return "<%s %r (PNG, %dx%d)>" % (type(self).__name__, self.name, self.width, self.height)

    def save(self, path, format=None):
        """Write the picture to ``path`` as PNG.  Return ``path``."""
        _format_of(path, format, ("png",))
        _write(path, self.canvas.to_png())
        return path


# === Arguments, checked before anything is drawn ===

#: The most classes a confusion chart shows (its SVG has a cell for each pair).
MAX_CLASSES = 100
#: The longest title and class name a chart shows, in characters.
MAX_TITLE, MAX_NAME = 200, 40


def _count(value, name, least=1, most=None):
    """``value`` if it is an int in least..most, else a ValueError naming ``name``."""
    if (not isinstance(value, int) or isinstance(value, bool) or value < least
            or (most is not None and value > most)):
        raise ValueError("%s must be an int %s, not %s" % (
            name, "from %d to %d" % (least, most) if most is not None else ">= %d" % least,
            shown(value)))
    return value


def _title(title):
    if title is not None and not isinstance(title, str):
        raise TypeError("title must be a str or None, not %s" % type(title).__name__)
    if title is not None and len(title) > MAX_TITLE:
        raise ValueError("a title of %d characters does not fit a chart (at most %d)"
                         % (len(title), MAX_TITLE))
    return title


def _class_names(labels, n):
    """The names of ``n`` classes (default 0, 1, ...), as text."""
    if labels is None:
        return None
    if isinstance(labels, (str, bytes)):
        raise TypeError("labels must be a sequence of %d class names, not a %s"
                        % (n, type(labels).__name__))
    labels = [str(v) for v in labels]
    if len(labels) != n:
        raise ValueError("%d labels for %d classes" % (len(labels), n))
    for i, name in enumerate(labels):
        if len(name) > MAX_NAME:
            raise ValueError("labels[%d] is %d characters long; a class name fits a chart in "
                             "at most %d" % (i, len(name), MAX_NAME))
    return labels


def _grid(n, columns, cell_w, cell_h):
    """Refuse a grid of ``n`` cells that would be too large to draw."""
    rows = (n + columns - 1) // columns
    width, height = min(n, columns) * cell_w, rows * cell_h
    if width * height > MAX_PIXELS:
        raise ValueError("a picture of %dx%d pixels is too large (at most %d pixels); draw "
                         "fewer images or a smaller scale" % (width, height, MAX_PIXELS))


# === The pictures ===


def curves(history, title="Training curves"):
    """Chart the history that ``DNN.fit`` returned: loss and accuracy per
    epoch on panels of their own, training solid and validation dashed."""
    history = list(history)
    text = charts.curves(history, _title(title))

    def raster():
        from . import png

        return png.curves(None, history, title=title)

    return Chart(text, title or "curves", raster)


def _check_matrix(matrix):
    """A confusion matrix: a square, non-empty table of counts (ints >= 0)."""
    rows = [list(row) for row in matrix]
    n = len(rows)
    if n == 0 or any(len(row) != n for row in rows):
        raise ValueError("a confusion matrix must be square, got %d rows of lengths %s"
                         % (n, sorted({len(row) for row in rows})))
    for i, row in enumerate(rows):
        for j, count in enumerate(row):
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise ValueError("matrix[%d][%d] is %s, not a count (an int >= 0)"
                                 % (i, j, shown(count)))
    return rows


def confusion_chart(matrix, labels=None, title="Confusion matrix"):
    """Chart a confusion matrix already counted (rows: true class)."""
    matrix = _check_matrix(matrix)
    if len(matrix) > MAX_CLASSES:
        raise ValueError("a confusion matrix of %d classes is too large to draw (at most %d)"
                         % (len(matrix), MAX_CLASSES))
    labels = _class_names(labels, len(matrix))
    text = charts.confusion(matrix, labels, _title(title))

    def raster():
        from . import png

        return png.confusion_heatmap(None, matrix, labels, title)

    return Chart(text, title or "confusion", raster)


def confusion(model, X, y, labels=None, title="Confusion matrix"):
    """Chart ``model``'s confusion matrix on ``X`` with true labels ``y``
    (ints or one-hot rows): counts, each row's accuracy, and the total.
    ``labels`` names the classes (default 0, 1, ...)."""
    from ..batching import dataset
    from ..metrics import confusion_matrix

    classes = max(model.sizes[-1], 2)
    labels, title = _class_names(labels, classes), _title(title)
    # evaluate's own checks: X not empty, rows of the right width, finite;
    # y as many labels (0..classes-1, int-valued) or target rows
    data, targets = dataset(model, X, y, "confusion")
    truth = targets.take(range(data.n))[1]
    if truth is None:
        raise ValueError("a confusion matrix needs a classifier; this model has one linear "
                         "output (a regression)")
    matrix = confusion_matrix(model.classify(X), truth, classes)
    return confusion_chart(matrix, labels, title)


def _labels_of(values, n, classes, what):
    """The first ``n`` class labels of ``values``: ints (checked as evaluate
    checks them) or one-hot rows."""
    values = list(values)[:n]
    if len(values) < n:
        raise ValueError("%d %s for %s" % (len(values), what, plural(n, "image")))
    if values and not isinstance(values[0], (int, float)) and not hasattr(values[0], "__index__"):
        rows = [list(v) for v in values]  # one-hot rows: the class is the largest entry
        values = [max(range(len(row)), key=row.__getitem__) for row in rows]
    try:
        return check_labels(values, classes)
    except ValueError as err:
        raise ValueError("%s: %s" % (what, err)) from None


class _Rows:
    """Pixel rows (0-255 bytes) as the PNG drawing functions read images."""

    def __init__(self, rows, width):
        self.rows, self.width = rows, width

    def __len__(self):
        return len(self.rows)

    def row_bytes(self, i):
        return self.rows[i]


def _as_images(X, limit):
    """The first ``limit`` images of ``X`` as 0-255 byte rows: an Images, a
    list of rows of floats in [0, 1] (or of 0-255 values), or a 2-D NumPy
    array."""
    if hasattr(X, "row_bytes") and hasattr(X, "width"):
        n = min(len(X), limit)
        if n == 0:
            raise ValueError("no images to draw")
        return _Rows([bytes(X.row_bytes(i)) for i in range(n)], X.width)
    rows = []
    for i, row in enumerate(X):
        if i >= limit:
            break
        rows.append([float(v) for v in row])
    if not rows:
        raise ValueError("no images to draw")
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise ValueError("the images have different sizes")
    scale = 1.0 if max(max(r) for r in rows) > 1.0 else 255.0
    return _Rows([bytes(min(255, max(0, int(round(v * scale)))) for v in r) for r in rows],
                 width)


def digits(X, labels=None, predictions=None, columns=10, scale=2, limit=100):
    """Draw up to ``limit`` images of ``X`` (square ones, e.g. 28x28) in a
    grid, each with its true label ("t3") and prediction ("p5") when given;
    a wrong prediction in red.  ``predictions`` may be a model, whose
    predictions are then computed."""
    from . import png

    _count(columns, "columns", 1, 1000)
    _count(scale, "scale", 1, 64)
    _count(limit, "limit")
    images = _as_images(X, limit)
    n = len(images)
    side = int(round(images.width ** 0.5))
    if side * side != images.width:
        raise ValueError("images of %d pixels are not square" % images.width)
    _grid(n, columns, side * scale + 6, side * scale + 18)
    classes = None
    if predictions is not None and hasattr(predictions, "classify"):
        classes = max(predictions.sizes[-1], 2)
        predictions = predictions.classify(X[:n] if hasattr(X, "__getitem__") else X)
    labels = None if labels is None else _labels_of(labels, n, classes, "labels")
    predictions = None if predictions is None else _labels_of(predictions, n, classes,
                                                               "predictions")
    canvas = png.digit_grid(None, images, labels, predictions, columns=columns, scale=scale,
                            limit=limit)
    return Picture(canvas, "digits")


def weights(model, columns=16, scale=2, limit=64):
    """Draw the first layer's weights: for each of the first ``limit``
    hidden units, its incoming weights as a square tile (red positive, blue
    negative, each tile scaled to its own largest weight)."""
    from . import png

    _count(columns, "columns", 1, 1000)
    _count(scale, "scale", 1, 64)
    _count(limit, "limit")
    n_in = model.sizes[0]
    side = int(round(n_in ** 0.5))
    if side * side != n_in:
        raise ValueError("the input layer (%d) is not a square image" % n_in)
    _grid(min(limit, model.sizes[1]), columns, side * scale + 2, side * scale + 2)
    canvas = png.weight_tiles(None, model.get_params()["weights"][0], columns=columns,
                              scale=scale, limit=limit)
    return Picture(canvas, "weights")
