"""Pictures without dependencies: a PNG writer (zlib + struct) and the plots
people want from a digit classifier.

- :func:`digit_grid`: digits with their true and predicted labels (wrong
  predictions in red), e.g. the misclassified ones;
- :func:`weight_tiles`: the first layer's weights, one 28x28 tile per hidden
  unit (red positive, blue negative);
- :func:`confusion_heatmap`: the confusion matrix, shaded by row;
- :func:`curves`: loss and accuracy per epoch (the SVG chart, as pixels).

The images are RGB, written with filter type 0 and zlib level 9.
"""

import struct
import zlib

from ..files import write_atomically

WHITE, BLACK, GREY = (255, 255, 255), (0, 0, 0), (160, 160, 160)
RED, GREEN, BLUE = (200, 30, 30), (30, 140, 30), (40, 70, 200)

# A 3x5 bitmap font: each glyph is 5 rows of 3 bits.
_FONT = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111",
    "3": "111001111001111", "4": "101101111001001", "5": "111100111001111",
    "6": "111100111101111", "7": "111001010010010", "8": "111101111101111",
    "9": "111101111001111", ".": "000000000000010", "%": "101001010100101",
    "-": "000000111000000", "/": "001001010100100", " ": "000000000000000",
    "t": "010111010010011", "p": "000111101111100", "e": "000111111100111",
    "l": "110010010010111", "o": "000111101101111", "s": "000111110011111",
    "a": "000110011101111", "c": "000111100100111", "u": "000101101101111",
    "r": "000111100100100", "y": "000101111001111", "h": "100100111101101",
    "i": "010000010010010", "n": "000110101101101", "g": "011101111001110",
    "v": "000101101101010", "d": "001001111101111",
}


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


class Canvas:
    """An RGB image to draw on, white to start with."""

    def __init__(self, width, height, background=WHITE):
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

    def text(self, x, y, string, color=BLACK, scale=1):
        """Draw ``string`` with the built-in 3x5 font; return its width."""
        for ch in str(string):
            glyph = _FONT.get(ch, _FONT[" "])
            for k, bit in enumerate(glyph):
                if bit == "1":
                    self.rect(x + (k % 3) * scale, y + (k // 3) * scale, scale, scale, color)
            x += 4 * scale
        return 4 * scale * len(str(string))

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
    scaled to its own largest magnitude."""
    n_in = len(weights)
    side = int(round(n_in ** 0.5))
    if side * side != n_in:
        raise ValueError("the input layer (%d) is not a square image" % n_in)
    units = list(zip(*weights))[:limit]
    gap = 2
    rows = (len(units) + columns - 1) // columns
    cell = side * scale + gap
    canvas = Canvas(min(len(units), columns) * cell + gap, rows * cell + gap, GREY)
    for u, column in enumerate(units):
        top = max(abs(v) for v in column) or 1.0
        values = [int(round(127.5 + 127.5 * v / top)) for v in column]  # -top..top -> 0..255
        canvas.tile(gap + (u % columns) * cell, gap + (u // columns) * cell, values, side, scale,
                    _diverging)
    return canvas.save_to(path)


def confusion_heatmap(path, matrix, cell=24):
    """Draw the confusion matrix (rows: true class, columns: predicted),
    each cell shaded by its share of the row, with its count."""
    n = len(matrix)
    margin = 16
    canvas = Canvas(margin + n * cell + 2, margin + n * cell + 2)
    for i in range(n):
        canvas.text(margin + i * cell + cell // 2 - 2, 4, str(i))
        canvas.text(4, margin + i * cell + cell // 2 - 3, str(i))
        total = sum(matrix[i]) or 1
        for j, count in enumerate(matrix[i]):
            share = count / total
            shade = (int(255 * (1 - share * 0.8)),) * 2 + (255,) if i == j else \
                (255, int(255 * (1 - min(1.0, share * 4) * 0.8)), int(255 * (1 - min(1.0, share * 4) * 0.8)))
            x, y = margin + j * cell, margin + i * cell
            canvas.rect(x, y, cell - 1, cell - 1, shade)
            if count:
                label = str(count)
                canvas.text(x + (cell - 4 * len(label)) // 2, y + cell // 2 - 3, label)
    return canvas.save_to(path)


def _rgb(hex_color):
    return tuple(int(hex_color[k:k + 2], 16) for k in (1, 3, 5))


def curves(path, history, scale=2):
    """Plot the history's loss and accuracy per epoch, each on a panel and
    scale of its own, with tick values, axis titles and the legend above
    the panels: the same chart as the SVG one (:func:`tinynet.plots.charts.curves`),
    as pixels.  Training is blue, validation orange."""
    from .charts import curve_panels, legend_entries
    from .svg import format_tick

    epochs, xlim, xticks, panels = curve_panels(history)
    char = 4 * scale  # the advance of one glyph
    panel_w, panel_h = 240, 150
    left, gap, top, bottom = 12 + 7 * char, 10 + 8 * char, 24 + 6 * char, 12 + 4 * char
    width = left + len(panels) * panel_w + (len(panels) - 1) * gap + 16
    canvas = Canvas(width, top + panel_h + bottom)
    x = (width - sum(36 + char * len(e[0]) for e in legend_entries(panels))) // 2
    for label, color, _, in ((e[0], _rgb(e[1]), e[2]) for e in legend_entries(panels)):
        canvas.rect(x, 12 + 2 * scale, 20, 2, color)
        canvas.rect(x + 8, 11 + 2 * scale, 4, 4, color)
        x += 36 + canvas.text(x + 26, 12, label, BLACK, scale)
    light = (228, 228, 228)
    for k, (name, percent, yticks, series) in enumerate(panels):
        x0, y0 = left + k * (panel_w + gap), top
        ylim = (yticks[0], yticks[-1])

        def px(v):
            return x0 + int(round((v - xlim[0]) * (panel_w - 1) / ((xlim[1] - xlim[0]) or 1)))

        def py(v):
            return y0 + panel_h - 1 - int(round((v - ylim[0]) * (panel_h - 1)
                                                / ((ylim[1] - ylim[0]) or 1)))

        canvas.text(x0 + (panel_w - char * len(name)) // 2, y0 - 6 * scale - 4, name, BLACK, scale)
        for t in yticks:
            canvas.line(x0, py(t), x0 + panel_w - 1, py(t), light)
            label = format_tick(t, yticks, percent)
            canvas.text(x0 - 6 - char * len(label), py(t) - 2 * scale, label, BLACK, scale)
        for t in xticks:
            canvas.line(px(t), y0, px(t), y0 + panel_h - 1, light)
            label = format_tick(t, xticks)
            canvas.text(px(t) - char * len(label) // 2, y0 + panel_h + 6, label, BLACK, scale)
        canvas.text(x0 + (panel_w - char * 5) // 2, y0 + panel_h + 10 + 6 * scale, "epoch",
                    BLACK, scale)
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
