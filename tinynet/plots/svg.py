"""Charts as SVG text, written with the standard library alone.

SVG is text: crisp at any size, searchable, a few kilobytes, and shown by
browsers, GitHub and Jupyter.  This module knows nothing of tinynet's models;
:mod:`tinynet.plots` feeds it numbers.

- :class:`Drawing` collects shapes and text and returns the ``<svg>`` text;
- :func:`nice_ticks` picks round tick values (1, 2 or 5 times a power of ten)
  the way plotting libraries do;
- :class:`Axes` is one panel: frame, grid, ticks with their values, axis
  titles, and lines plotted in data coordinates;
- :func:`curves` and :func:`confusion` are the two charts.

Elements carry a ``class`` (``frame``, ``tick``, ``axis-title``, ``series``,
``cell``...) and series a ``data-label``, so tests and style sheets can find
them.
"""

import math

# matplotlib's first two default colours, which learners already read as
# "the first series" and "the second".
BLUE, ORANGE = "#1f77b4", "#ff7f0e"
TEXT, GRID, FRAME = "#222222", "#e4e4e4", "#555555"


def escape(text):
    """Return ``text`` safe inside an XML element or a quoted attribute."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _number(v):
    """A coordinate, short: 12.5 not 12.500000001."""
    v = round(float(v), 2)
    return str(int(v)) if v == int(v) else repr(v)


class Drawing:
    """An SVG picture ``width`` x ``height`` (pixels), built up element by
    element; :meth:`tostring` returns the document."""

    def __init__(self, width, height, title=None):
        self.width, self.height = width, height
        self.parts = []
        if title:
            self.parts.append("<title>%s</title>" % escape(title))

    def element(self, tag, attrs, text=None):
        """Add ``<tag attrs>text</tag>``; ``None`` attributes are left out,
        numbers are written short."""
        items = []
        for key, value in attrs.items():
            if value is None:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = _number(value)
            items.append(' %s="%s"' % (key.replace("_", "-"), escape(value)))
        start = "<%s%s" % (tag, "".join(items))
        if text is None:
            self.parts.append(start + "/>")
        else:
            self.parts.append("%s>%s</%s>" % (start, text, tag))

    def rect(self, x, y, width, height, fill, stroke=None, klass=None, tooltip=None, **attrs):
        attrs.update(x=x, y=y, width=width, height=height, fill=fill, stroke=stroke)
        attrs["class"] = klass
        if tooltip is None:
            self.element("rect", attrs)
        else:  # a <title> child is what browsers and Jupyter show on hover
            self.element("rect", attrs, "<title>%s</title>" % escape(tooltip))

    def line(self, x1, y1, x2, y2, stroke, width=1, klass=None, dash=None):
        self.element("line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": stroke,
                              "stroke_width": width, "stroke_dasharray": dash, "class": klass})

    def polyline(self, points, stroke, width=2, dash=None, klass=None, label=None):
        self.element("polyline", {
            "points": " ".join("%s,%s" % (_number(x), _number(y)) for x, y in points),
            "fill": "none", "stroke": stroke, "stroke_width": width, "stroke_dasharray": dash,
            "stroke_linejoin": "round", "class": klass, "data_label": label})

    def circle(self, x, y, r, fill, klass=None):
        self.element("circle", {"cx": x, "cy": y, "r": r, "fill": fill, "class": klass})

    def text(self, x, y, string, anchor="start", size=None, klass=None, fill=TEXT,
             weight=None, rotate=None, baseline=None):
        """Write ``string`` at (x, y): ``anchor`` "start", "middle" or "end";
        ``rotate`` degrees about (x, y) (-90 for a vertical axis title)."""
        transform = None if rotate is None else "rotate(%s %s %s)" % (
            _number(rotate), _number(x), _number(y))
        self.element("text", {"x": x, "y": y, "text_anchor": anchor, "font_size": size,
                              "font_weight": weight, "fill": fill, "transform": transform,
                              "dominant_baseline": baseline, "class": klass}, escape(string))

    def tostring(self):
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
                'viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" '
                'font-size="12">\n<rect width="100%%" height="100%%" fill="white"/>\n%s\n</svg>\n'
                % (self.width, self.height, self.width, self.height, "\n".join(self.parts)))


def nice_step(span, count):
    """The tick spacing for about ``count`` intervals over ``span``: 1, 2,
    2.5 or 5 times a power of ten."""
    raw = span / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw * 0.999:
            return factor * power
    return 10 * power


def _decimals(step):
    """How many decimals show every multiple of ``step`` exactly."""
    for decimals in range(0, 10):
        if abs(round(step, decimals) - step) < step * 1e-6:
            return decimals
    return 10


def nice_ticks(lo, hi, count=5, integer=False, extend=True):
    """Round tick values for data from ``lo`` to ``hi``, about ``count`` of
    them.  With ``extend`` the ticks reach past the data to the next round
    values on both sides (so they can be the axis's limits); without, they
    stay inside [lo, hi].  ``integer`` keeps the step a whole number.

    >>> nice_ticks(0.12, 0.93)
    [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    >>> nice_ticks(1, 10, integer=True, extend=False)
    [2, 4, 6, 8, 10]
    >>> nice_ticks(1, 3, integer=True, extend=False)
    [1, 2, 3]
    """
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("cannot place ticks on %r..%r" % (lo, hi))
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:  # one value: a small round range around it
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    step = nice_step(hi - lo, count)
    if integer:
        step = max(1, int(round(step)))
    decimals = 0 if integer else _decimals(step)
    if extend:
        first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    else:
        first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    ticks = []
    for k in range(int(first), int(last) + 1):
        v = k * step
        ticks.append(int(round(v)) if integer else round(v, decimals) + 0.0)
    return ticks


def format_tick(value, ticks, percent=False):
    """``value`` with as many decimals as the spacing of ``ticks`` needs."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    if percent:
        value, step = value * 100, step * 100
    text = "%.*f" % (_decimals(step) if step else 0, value)
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text + ("%" if percent else "")


class Axes:
    """A panel of ``drawing`` whose data area is the rectangle (x, y,
    width, height) in pixels, showing ``xlim`` by ``ylim`` in data units.

    The frame, grid lines, tick values (outside the data area, below and to
    the left) and axis titles are drawn at once; :meth:`plot` adds a line.
    """

    def __init__(self, drawing, x, y, width, height, xticks, yticks, xlim=None, ylim=None,
                 title=None, xlabel=None, ylabel=None, percent=False):
        self.d = drawing
        self.x, self.y, self.width, self.height = x, y, width, height
        self.xlim = xlim or (xticks[0], xticks[-1])
        self.ylim = ylim or (yticks[0], yticks[-1])
        d = drawing
        d.rect(x, y, width, height, "white", klass="plot-area")
        for t in yticks:
            py = self.py(t)
            d.line(x, py, x + width, py, GRID, klass="grid")
            d.line(x - 4, py, x, py, FRAME, klass="tick-mark")
            d.text(x - 7, py + 4, format_tick(t, yticks, percent), anchor="end", klass="tick ytick")
        for t in xticks:
            px = self.px(t)
            d.line(px, y, px, y + height, GRID, klass="grid")
            d.line(px, y + height, px, y + height + 4, FRAME, klass="tick-mark")
            d.text(px, y + height + 17, format_tick(t, xticks), anchor="middle",
                   klass="tick xtick")
        d.rect(x, y, width, height, "none", stroke=FRAME, klass="frame",
               data_xlim="%r %r" % tuple(self.xlim), data_ylim="%r %r" % tuple(self.ylim))
        if title:
            d.text(x + width / 2, y - 10, title, anchor="middle", size=14, weight="bold",
                   klass="panel-title")
        if xlabel:
            d.text(x + width / 2, y + height + 36, xlabel, anchor="middle", klass="axis-title")
        if ylabel:
            d.text(x - 48, y + height / 2, ylabel, anchor="middle", rotate=-90,
                   klass="axis-title")

    def px(self, value):
        lo, hi = self.xlim
        return self.x + (value - lo) * self.width / ((hi - lo) or 1.0)

    def py(self, value):
        lo, hi = self.ylim
        return self.y + self.height - (value - lo) * self.height / ((hi - lo) or 1.0)

    def plot(self, xs, ys, color, label=None, dash=None, markers=True):
        """Draw the line through (xs[i], ys[i]), with a dot at each point."""
        points = [(self.px(a), self.py(b)) for a, b in zip(xs, ys)]
        self.d.polyline(points, color, dash=dash, klass="series", label=label)
        if markers:
            for px, py in points:
                self.d.circle(px, py, 3, color, klass="marker")


def legend(drawing, x, y, entries):
    """A row of ``(label, color, dash)`` samples starting at (x, y), the
    middle of the row; return its width."""
    start = x
    for label, color, dash in entries:
        drawing.line(x, y, x + 24, y, color, width=2, dash=dash, klass="legend-line")
        drawing.circle(x + 12, y, 3, color, klass="legend-marker")
        drawing.text(x + 30, y + 4, label, klass="legend-label")
        x += 30 + 7 * len(label) + 22
    return x - start


def _span(values, floor=None, ceiling=None):
    lo, hi = min(values), max(values)
    return (lo if floor is None else max(lo, floor)), (hi if ceiling is None else min(hi, ceiling))


def curves(history, title="Training curves"):
    """The SVG text of a history's curves: a loss panel and an accuracy
    panel side by side, each on its own scale, against the epoch; the
    training series solid blue, the validation series dashed orange; the
    legend above the panels.

    ``history`` is what ``DNN.fit`` returns: a list of dicts with ``epoch``,
    ``loss`` and ``accuracy``, and ``val_loss``/``val_accuracy`` when it was
    given validation data.  A key missing from the records is left out.
    """
    history = list(history)
    if not history:
        raise ValueError("no epochs to plot: the history is empty")
    for i, record in enumerate(history):
        if not isinstance(record, dict) or "epoch" not in record:
            raise ValueError("history[%d] is not an epoch record (a dict with 'epoch'): %r"
                             % (i, record))
    epochs = [r["epoch"] for r in history]
    panels = []
    for key, name, percent in (("loss", "loss", False), ("accuracy", "accuracy", True)):
        series = []
        for prefix, label, color, dash in (("", "training", BLUE, None),
                                           ("val_", "validation", ORANGE, "6 4")):
            if all(prefix + key in r for r in history):
                values = [float(r[prefix + key]) for r in history]
                if not all(math.isfinite(v) for v in values):
                    raise ValueError("%s%s holds nan or inf; nothing to plot" % (prefix, key))
                series.append((label, color, dash, values))
        if series:
            panels.append((name, percent, series))
    if not panels:
        raise ValueError("the history has neither 'loss' nor 'accuracy' to plot")

    panel_w, panel_h = 300, 210
    left, gap, top, bottom = 70, 90, 78, 52
    width = left + len(panels) * panel_w + (len(panels) - 1) * gap + 24
    height = top + panel_h + bottom
    d = Drawing(width, height, title)
    if title:
        d.text(width / 2, 22, title, anchor="middle", size=16, weight="bold", klass="title")
    entries, seen = [], set()
    for _, _, series in panels:
        for label, color, dash, _ in series:
            if label not in seen:
                seen.add(label)
                entries.append((label, color, dash))
    legend_width = 52 * len(entries) + sum(7 * len(e[0]) for e in entries)
    legend(d, (width - legend_width) / 2, 44, entries)

    if len(epochs) == 1:
        xlim = (epochs[0] - 1, epochs[0] + 1)
        xticks = [epochs[0]]
    else:
        xlim = (min(epochs), max(epochs))
        xticks = nice_ticks(xlim[0], xlim[1], 5, integer=True, extend=False)
    for k, (name, percent, series) in enumerate(panels):
        values = [v for s in series for v in s[3]]
        lo, hi = _span(values)
        if percent:
            lo, hi = max(0.0, lo), min(1.0, hi)
        yticks = nice_ticks(lo, hi, 5)
        if percent:  # accuracy never goes past 0 or 100%
            yticks = [t for t in yticks if -1e-9 <= t <= 1 + 1e-9] or [0.0, 1.0]
            if len(yticks) == 1:
                yticks = [max(0.0, yticks[0] - 0.1), min(1.0, yticks[0] + 0.1)]
        ax = Axes(d, left + k * (panel_w + gap), top, panel_w, panel_h, xticks, yticks,
                  xlim=xlim, title=name, xlabel="epoch",
                  ylabel=name, percent=percent)
        for label, color, dash, ys in series:
            ax.plot(epochs, ys, color, label="%s %s" % (label, name), dash=dash)
    return d.tostring()


def _mix(share, rgb):
    """A colour ``share`` (0-1) of the way from white to ``rgb``."""
    return "#%02x%02x%02x" % tuple(int(round(255 - share * (255 - c))) for c in rgb)


def confusion(matrix, labels=None, title="Confusion matrix", cell=40):
    """The SVG text of a confusion matrix: rows the true class, columns the
    predicted one, every cell with its count (the diagonal shaded blue, the
    mistakes red, by their share of the row), each row's accuracy on the
    right and the totals below."""
    n = len(matrix)
    if n == 0 or any(len(row) != n for row in matrix):
        raise ValueError("a confusion matrix must be square, got %d rows of lengths %s"
                         % (n, sorted({len(row) for row in matrix})))
    labels = [str(v) for v in (labels if labels is not None else range(n))]
    if len(labels) != n:
        raise ValueError("%d labels for %d classes" % (len(labels), n))
    left, top = 78, 76
    grid = n * cell
    width, height = left + grid + 90, top + grid + 56
    d = Drawing(width, height, title)
    if title:
        d.text(width / 2, 22, title, anchor="middle", size=16, weight="bold", klass="title")
    d.text(left + grid / 2, top - 30, "predicted", anchor="middle", klass="axis-title")
    d.text(left - 46, top + grid / 2, "true", anchor="middle", rotate=-90, klass="axis-title")
    d.text(left + grid + 45, top - 10, "accuracy", anchor="middle", klass="axis-title")
    total = correct = 0
    for i in range(n):
        d.text(left + i * cell + cell / 2, top - 8, labels[i], anchor="middle", klass="tick xtick")
        d.text(left - 10, top + i * cell + cell / 2 + 4, labels[i], anchor="end",
               klass="tick ytick")
        row_total = sum(matrix[i])
        total += row_total
        correct += matrix[i][i]
        for j, count in enumerate(matrix[i]):
            share = count / row_total if row_total else 0.0
            if i == j:
                fill = _mix(0.15 + 0.85 * share if count else 0.0, (31, 119, 180))
                dark = share > 0.5
            else:
                strength = min(1.0, share * 4)
                fill = _mix(0.75 * strength, (214, 39, 40))
                dark = strength > 0.8
            x, y = left + j * cell, top + i * cell
            d.rect(x, y, cell, cell, fill, stroke="white", klass="cell",
                   tooltip="true %s, predicted %s: %d (%.1f%% of the row)"
                   % (labels[i], labels[j], count, 100 * share),
                   data_row=i, data_column=j, data_count=count)
            d.text(x + cell / 2, y + cell / 2 + 4, str(count), anchor="middle",
                   size=11 if count < 1000 else 9, klass="count",
                   fill="white" if dark else (TEXT if count else "#b0b0b0"))
        accuracy = "%.1f%%" % (100.0 * matrix[i][i] / row_total) if row_total else "-"
        d.text(left + grid + 45, top + i * cell + cell / 2 + 4, accuracy, anchor="middle",
               klass="row-accuracy")
    d.rect(left, top, grid, grid, "none", stroke=FRAME, klass="frame")
    if total:
        d.text(left + grid / 2, top + grid + 30, "%d of %d correct (%.2f%%)" % (
            correct, total, 100.0 * correct / total), anchor="middle", klass="summary")
    return d.tostring()
