"""Charts as SVG text, written with the standard library alone.

SVG is text: crisp at any size, searchable, a few kilobytes, and shown by
browsers, GitHub and Jupyter.  This module knows nothing of tinynet's models.

- :class:`Drawing` collects shapes and text and returns the ``<svg>`` text;
- :func:`nice_ticks` picks round tick values (1, 2 or 5 times a power of ten)
  the way plotting libraries do;
- :class:`Axes` is one panel: frame, grid, ticks with their values, axis
  titles, and lines plotted in data coordinates;
- :func:`legend` is a row of line samples with their labels.

:mod:`tinynet.plots.charts` draws the charts with these.

Every piece of text (titles, labels, tooltips, attribute values) goes
through :func:`tinynet.escape.xml`, so whatever a title holds, the document
stays well-formed XML.

Elements carry a ``class`` (``frame``, ``tick``, ``axis-title``, ``series``,
``cell``...) and series a ``data-label``, so tests and style sheets can find
them.
"""

import math

from ..escape import xml as escape

# matplotlib's first two default colours, which learners already read as
# "the first series" and "the second".
BLUE, ORANGE = "#1f77b4", "#ff7f0e"
TEXT, GRID, FRAME = "#222222", "#e4e4e4", "#555555"


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
