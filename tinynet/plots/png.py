"""Pictures without dependencies: a PNG writer (zlib + struct) and the plots
people want from a digit classifier.

- :func:`digit_grid`: digits with their true and predicted labels (wrong
  predictions in red), e.g. the misclassified ones;
- :func:`weight_tiles`: the first layer's weights, one 28x28 tile per hidden
  unit (red positive, blue negative), with the colour scale;
- :func:`confusion_heatmap` and :func:`curves`: the SVG charts of
  :mod:`tinynet.plots.charts` as pixels, with the same text.

Text is drawn in the pixel font of :mod:`tinynet.plots.font`.  The images
are RGB, written with filter type 0 and zlib level 9.
"""

import struct
import zlib

from ..files import write_atomically
from . import font

WHITE, BLACK, GREY, LIGHT = (255, 255, 255), (0, 0, 0), (160, 160, 160), (176, 176, 176)
RED, GREEN, BLUE = (200, 30, 30), (30, 140, 30), (40, 70, 200)

def write_png(path, width, height, rgb):
    """Write an RGB image to ``path``: ``rgb`` holds ``width * height * 3``
    bytes, row by row from the top."""
    write_atomically(path, png_bytes(width, height, rgb))


def png_bytes(width, height, rgb):
    """Return the PNG file (bytes) of an RGB image, as :func:`write_png`
    would write it."""
    if len(rgb) != width * height * 3:
        raise ValueError("expected %d bytes of RGB for %dx%d, got %d"
                         % (width * height * 3, width, height, len(rgb)))
    stride = width * 3
    raw = b"".join(b"\x00" + bytes(rgb[y * stride:(y + 1) * stride]) for y in range(height))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


#: The most pixels a canvas may have: 48 MB of RGB.
MAX_PIXELS = 1 << 24


class Canvas:
    """An RGB image to draw on, white to start with."""

    def __init__(self, width, height, background=WHITE):
        if not (0 < width and 0 < height and width * height <= MAX_PIXELS):
            raise ValueError("cannot draw a picture of %sx%s pixels (at most %d pixels)"
                             % (width, height, MAX_PIXELS))
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def set(self, x, y, color):
        if 0 <= x < self.width and 0 <= y < self.height:
            i = 3 * (y * self.width + x)
            self.pixels[i:i + 3] = bytes(color)

    def rect(self, x, y, w, h, color):
        for yy in range(max(y, 0), min(y + h, self.height)):
            i = 3 * (yy * self.width + max(x, 0))
            n = min(x + w, self.width) - max(x, 0)
            if n > 0:
                self.pixels[i:i + 3 * n] = bytes(color) * n

    def text(self, x, y, string, color=BLACK, scale=1, vertical=False):
        """Draw ``string`` in the pixel font (:mod:`.font`), its top-left
        corner at (x, y); return its width.  ``vertical`` turns it a quarter
        anticlockwise, to read upwards from its bottom-left corner at (x, y)."""
        string = str(string)
        for i, ch in enumerate(string):
            for c, r in font.ink(ch):
                along = (i * font.ADVANCE + c) * scale
                if vertical:
                    self.rect(x + r * scale, y - along - scale, scale, scale, color)
                else:
                    self.rect(x + along, y + r * scale, scale, scale, color)
        return font.text_width(string, scale)

    def centred(self, x, y, string, color=BLACK, scale=1):
        """Draw ``string`` centred on x, its top at y."""
        self.text(x - font.text_width(str(string), scale) // 2, y, string, color, scale)

    def line(self, x0, y0, x1, y1, color):
        """Draw a straight line (Bresenham)."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            self.set(x0, y0, color)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def tile(self, x, y, values, side, scale, colors):
        """Draw a ``side x side`` grid of ``values`` (0-255) at (x, y),
        each value as a ``scale``-sized square coloured by ``colors(v)``."""
        for r in range(side):
            for c in range(side):
                self.rect(x + c * scale, y + r * scale, scale, scale, colors(values[r * side + c]))

    def save(self, path):
        write_png(path, self.width, self.height, self.pixels)

    def to_png(self):
        return png_bytes(self.width, self.height, self.pixels)

    def save_to(self, path):
        """Save to ``path`` unless it is None; return the canvas."""
        if path is not None:
            self.save(path)
        return self


def _ink(v):
    g = 255 - v  # dark ink on white, as digits are drawn
    return (g, g, g)


def digit_grid(path, images, labels, predicted=None, columns=10, scale=2, limit=100):
    """Draw up to ``limit`` digits (an :class:`~tinynet.datasets.Images`)
    with "t<true> p<predicted>" under each (either may be None); wrong
    predictions in red.  Each function here saves to ``path`` unless it is
    None, and returns the :class:`Canvas`."""
    n = min(len(images), limit)
    if n == 0:
        raise ValueError("no images to draw")
    side = int(round(images.width ** 0.5))
    cell_w, cell_h = side * scale + 6, side * scale + 18
    rows = (n + columns - 1) // columns
    canvas = Canvas(min(n, columns) * cell_w + 4, rows * cell_h + 4)
    for i in range(n):
        x, y = 4 + (i % columns) * cell_w, 4 + (i // columns) * cell_h
        canvas.tile(x, y, images.row_bytes(i), side, scale, _ink)
        wrong = predicted is not None and labels is not None and predicted[i] != labels[i]
        label = " ".join(([] if labels is None else ["t%d" % labels[i]])
                         + ([] if predicted is None else ["p%d" % predicted[i]]))
        canvas.text(x, y + side * scale + 4, label, RED if wrong else BLACK, scale=2)
    return canvas.save_to(path)


def _diverging(v):
    # 0..255 with 128 as zero: blue below, white at zero, red above.
    if v >= 128:
        t = (v - 128) / 127.0
        return (255, int(255 * (1 - t)), int(255 * (1 - t)))
    t = (128 - v) / 128.0
    return (int(255 * (1 - t)), int(255 * (1 - t)), 255)


def weight_tiles(path, weights, columns=16, scale=2, limit=256):
    """Draw each hidden unit's incoming weights (the columns of the first
    ``n_in x n_hidden`` weight matrix, as lists) as a square tile, each tile
    scaled to its own largest magnitude, with the colour scale below: blue
    for the tile's most negative weight, white for 0, red for its most
    positive."""
    n_in = len(weights)
    side = int(round(n_in ** 0.5))
    if side * side != n_in:
        raise ValueError("the input layer (%d) is not a square image" % n_in)
    units = list(zip(*weights))[:limit]
    gap = 2
    rows = (len(units) + columns - 1) // columns
    cell = side * scale + gap
    tiles_w, tiles_h = min(len(units), columns) * cell + gap, rows * cell + gap
    ts = 2 if tiles_w >= 400 else 1  # the legend's text scale
    line, caption = font.HEIGHT * ts, "each tile scaled to its own largest weight"
    bar_w = 256 if ts == 2 else 128
    width = max(tiles_w, bar_w + 12 * ts * 4, font.text_width(caption, ts) + 8)
    canvas = Canvas(width, tiles_h + 3 * line + 28, GREY)
    for u, column in enumerate(units):
        top = max(abs(v) for v in column) or 1.0
        values = [int(round(127.5 + 127.5 * v / top)) for v in column]  # -top..top -> 0..255
        canvas.tile(gap + (u % columns) * cell, gap + (u // columns) * cell, values, side, scale,
                    _diverging)
    y = tiles_h + 6
    canvas.rect(0, tiles_h, width, canvas.height - tiles_h, WHITE)
    x0 = (width - bar_w) // 2
    for k in range(bar_w):  # the scale, drawn with the tiles' own colours
        canvas.rect(x0 + k, y, 1, 4 * ts, _diverging(int(round(k * 255 / (bar_w - 1)))))
    y += 4 * ts + 4
    for label, x in (("-max", x0), ("0", x0 + bar_w // 2), ("+max", x0 + bar_w)):
        canvas.centred(x, y, label, BLACK, ts)
    canvas.centred(width // 2, y + line + 4, caption, BLACK, ts)
    return canvas.save_to(path)


def confusion_heatmap(path, matrix, labels=None, title="Confusion matrix", cell=32, scale=2):
    """Draw the confusion matrix as the SVG chart does
    (:func:`tinynet.plots.charts.confusion`): rows the true class, columns
    the predicted one, every cell with its count and shaded by its share of
    the row; the title, the axis titles, each row's accuracy on the right
    and the total below."""
    from .charts import cell_colour

    n = len(matrix)
    labels = [str(v) for v in (labels if labels is not None else range(n))]
    char, line, digit = font.ADVANCE * scale, font.HEIGHT * scale, 5 * scale
    left = 8 + line + 8 + max(len(v) for v in labels) * char + 6
    top = 8 + (line + 10 if title else 0) + line + 6 + line + 4
    grid, acc_w = n * cell, len("accuracy") * char + 16
    summary_w = font.text_width("%d of %d correct (100.00%%)" % ((sum(map(sum, matrix)),) * 2),
                                scale)
    width = max(left + grid + acc_w + 4, summary_w + 16)
    canvas = Canvas(width, top + grid + 12 + line + 8)
    y = 8
    if title:
        canvas.centred(width // 2, y, title, BLACK, scale)
        y += line + 10
    canvas.centred(left + grid // 2, y, "predicted", BLACK, scale)
    y += line + 6
    canvas.centred(left + grid + acc_w // 2, y, "accuracy", BLACK, scale)
    canvas.text(8, top + grid // 2 + font.text_width("true", scale) // 2, "true", BLACK, scale,
                vertical=True)
    total = correct = 0
    for i in range(n):
        middle = top + i * cell + (cell - digit) // 2  # where a line of digits goes
        canvas.centred(left + i * cell + cell // 2, y, labels[i], BLACK, scale)
        canvas.text(left - 6 - font.text_width(labels[i], scale), middle, labels[i], BLACK, scale)
        row_total = sum(matrix[i])
        total, correct = total + row_total, correct + matrix[i][i]
        for j, count in enumerate(matrix[i]):
            fill, dark = cell_colour(i == j, count, count / row_total if row_total else 0.0)
            x = left + j * cell
            canvas.rect(x, top + i * cell, cell - 1, cell - 1, fill)
            small = 1 if font.text_width(str(count), scale) > cell - 4 else scale
            canvas.centred(x + cell // 2, top + i * cell + (cell - 5 * small) // 2, count,
                           WHITE if dark else BLACK if count else LIGHT, small)
        accuracy = "%.1f%%" % (100.0 * matrix[i][i] / row_total) if row_total else "-"
        canvas.centred(left + grid + acc_w // 2, middle, accuracy, BLACK, scale)
    if total:
        canvas.centred(width // 2, top + grid + 12, "%d of %d correct (%.2f%%)"
                       % (correct, total, 100.0 * correct / total), BLACK, scale)
    return canvas.save_to(path)


def _rgb(hex_color):
    return tuple(int(hex_color[k:k + 2], 16) for k in (1, 3, 5))


def curves(path, history, scale=2, title="Training curves"):
    """Plot the history's loss and accuracy per epoch, each on a panel and
    scale of its own: the same chart as the SVG one
    (:func:`tinynet.plots.charts.curves`), as pixels, with its title, legend,
    panel titles, tick values and axis titles.  Training is blue,
    validation orange."""
    from .charts import curve_panels, legend_entries
    from .svg import format_tick

    epochs, xlim, xticks, panels = curve_panels(history)
    line = font.HEIGHT * scale
    panel_w, panel_h = 240, 150
    ticks_w = max(font.text_width(format_tick(t, p[2], p[1]), scale) for p in panels for t in p[2])
    left = 10 + line + 8 + ticks_w + 6  # the axis title (turned), the tick values, a gap
    legend_y = 10 + (line + 10 if title else 0)
    top = legend_y + line + 12 + line + 6  # the legend, then the panel titles
    width = left + len(panels) * panel_w + (len(panels) - 1) * left + 16
    canvas = Canvas(width, top + panel_h + 6 + line + 6 + line + 10)
    if title:
        canvas.centred(width // 2, 10, title, BLACK, scale)
    entries = legend_entries(panels)
    x = (width - sum(36 + font.text_width(e[0], scale) for e in entries)) // 2
    for label, color in ((e[0], _rgb(e[1])) for e in entries):
        canvas.rect(x, legend_y + 2 * scale, 20, 2, color)
        canvas.rect(x + 8, legend_y + 2 * scale - 1, 4, 4, color)
        x += 36 + canvas.text(x + 26, legend_y, label, BLACK, scale)
    light = (228, 228, 228)
    for k, (name, percent, yticks, series) in enumerate(panels):
        x0, y0 = left + k * (panel_w + left), top
        ylim = (yticks[0], yticks[-1])

        def px(v):
            return x0 + int(round((v - xlim[0]) * (panel_w - 1) / ((xlim[1] - xlim[0]) or 1)))

        def py(v):
            return y0 + panel_h - 1 - int(round((v - ylim[0]) * (panel_h - 1)
                                                / ((ylim[1] - ylim[0]) or 1)))

        canvas.centred(x0 + panel_w // 2, y0 - line - 6, name, BLACK, scale)
        canvas.text(x0 - left + 10, y0 + (panel_h + font.text_width(name, scale)) // 2, name,
                    BLACK, scale, vertical=True)
        for t in yticks:
            canvas.line(x0, py(t), x0 + panel_w - 1, py(t), light)
            label = format_tick(t, yticks, percent)
            canvas.text(x0 - 6 - font.text_width(label, scale), py(t) - 2 * scale, label, BLACK,
                        scale)
        for t in xticks:
            canvas.line(px(t), y0, px(t), y0 + panel_h - 1, light)
            canvas.centred(px(t), y0 + panel_h + 6, format_tick(t, xticks), BLACK, scale)
        canvas.centred(x0 + panel_w // 2, y0 + panel_h + 12 + line, "epoch", BLACK, scale)
        for a, b, c, d in ((x0, y0, x0 + panel_w - 1, y0), (x0, y0 + panel_h - 1, x0 + panel_w - 1,
                           y0 + panel_h - 1), (x0, y0, x0, y0 + panel_h - 1),
                           (x0 + panel_w - 1, y0, x0 + panel_w - 1, y0 + panel_h - 1)):
            canvas.line(a, b, c, d, GREY)
        for _, color, _, values in series:
            color = _rgb(color)
            points = [(px(e), py(v)) for e, v in zip(epochs, values)]
            for (xa, ya), (xb, yb) in zip(points, points[1:]):
                canvas.line(xa, ya, xb, yb, color)
                canvas.line(xa, ya + 1, xb, yb + 1, color)  # two pixels thick
            for xp, yp in points:
                canvas.rect(xp - 2, yp - 2, 5, 5, color)
    return canvas.save_to(path)
