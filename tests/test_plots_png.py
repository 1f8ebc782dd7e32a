"""The PNG writer and the plots, checked by decoding what they write."""

import struct
import zlib

import pytest

from tinynet import datasets
from tinynet.plots import font, png
from tinynet import cli


def decode(path):
    """Return (width, height, rows of RGB tuples) after checking the PNG's
    signature, every chunk's CRC and the header."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks.append((kind, body))
        pos += 12 + length
    assert [k for k, _ in chunks][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, color, interlace) == (8, 2, 0)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = 3 * width + 1
    assert len(raw) == stride * height
    rows = []
    for y in range(height):
        line = raw[y * stride:(y + 1) * stride]
        assert line[0] == 0  # filter type 0
        rows.append([tuple(line[1 + 3 * x:4 + 3 * x]) for x in range(width)])
    return width, height, rows


def test_write_png_round_trips_pixels(tmp_path):
    rgb = bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90])
    png.write_png(tmp_path / "p.png", 3, 2, rgb)
    assert decode(tmp_path / "p.png") == (3, 2, [[(255, 0, 0), (0, 255, 0), (0, 0, 255)],
                                                 [(10, 20, 30), (40, 50, 60), (70, 80, 90)]])
    with pytest.raises(ValueError, match="expected 18 bytes"):
        png.write_png(tmp_path / "q.png", 3, 2, rgb[:-1])


def test_digit_grid_draws_digits_and_marks_mistakes(tmp_path):
    X, y = datasets.load_sample("test")
    png.digit_grid(tmp_path / "g.png", X[:3], y[:3], [y[0], y[1], (y[2] + 1) % 10], scale=1)
    width, height, rows = decode(tmp_path / "g.png")
    side = 28
    # Pixel (r, c) of digit 0 sits at (4 + c, 4 + r), drawn as dark ink: 255 - value.
    first = X.row_bytes(0)
    for r, c in ((14, 14), (0, 0), (20, 10)):
        v = 255 - first[r * side + c]
        assert rows[4 + r][4 + c] == (v, v, v)
    colors = {p for row in rows for p in row}
    assert png.RED in colors  # the third label is wrong, so it is drawn in red
    assert width == 3 * (side + 6) + 4


def test_weight_tiles_colour_by_sign(tmp_path):
    # two hidden units over a 2x2 "image": the first all positive, the second negative
    weights = [[1.0, -1.0], [0.5, -0.5], [0.0, 0.0], [1.0, -2.0]]
    png.weight_tiles(tmp_path / "w.png", weights, scale=1)
    _, _, rows = decode(tmp_path / "w.png")
    assert rows[2][2] == (255, 0, 0)          # unit 0, weight 1.0 = its max: full red
    assert rows[3][2] == (255, 255, 255)      # weight 0: white
    assert rows[3][3] == (255, 0, 0)          # 1.0 again
    unit1 = 2 + 2 + 2                         # gap, tile, gap
    assert rows[3][unit1 + 1] == (0, 0, 255)  # -2.0 = its largest magnitude: full blue
    with pytest.raises(ValueError, match="not a square image"):
        png.weight_tiles(tmp_path / "x.png", weights[:3])


def test_confusion_heatmap_shades_cells_as_the_svg_chart_does(tmp_path):
    from tinynet.plots.charts import cell_colour

    png.confusion_heatmap(tmp_path / "c.png", [[9, 1], [0, 10]])
    width, height, rows = decode(tmp_path / "c.png")
    colors = {p for row in rows for p in row}
    for diagonal, count, share in ((True, 9, 0.9), (False, 1, 0.1), (True, 10, 1.0)):
        assert cell_colour(diagonal, count, share)[0] in colors
    assert cell_colour(True, 9, 0.9)[0][2] > cell_colour(True, 9, 0.9)[0][0]  # blue
    red = cell_colour(False, 1, 0.1)[0]
    assert red[0] > red[1] and red[0] > red[2]  # a red tint


def test_curves_plot_every_series_on_panels_of_their_own(tmp_path):
    history = [{"epoch": e, "loss": 1.0 / e, "accuracy": 0.5 + e / 10, "val_accuracy": 0.6}
               for e in (1, 2, 3)]
    png.curves(tmp_path / "h.png", history)
    width, height, rows = decode(tmp_path / "h.png")
    blue, orange = (0x1f, 0x77, 0xb4), (0xff, 0x7f, 0x0e)
    colors = {p for row in rows for p in row}
    assert {blue, orange, png.BLACK} <= colors
    # the loss (blue only) is drawn in the left half, the accuracies in the right
    left = {p for row in rows[60:] for p in row[:width // 2]}
    right = {p for row in rows[60:] for p in row[width // 2:]}
    assert blue in left and orange not in left and {blue, orange} <= right
    with pytest.raises(ValueError):
        png.curves(tmp_path / "e.png", [])


def test_plot_option_writes_all_pictures(tmp_path, capsys, backend):
    import xml.etree.ElementTree as ET

    status = cli.main(["mnist", "--data", "sample", "--epochs", "1", "--layers", "784,8,10",
                       "--out", str(tmp_path / "m.pkl"), "--plot", str(tmp_path / "plots"),
                       "--backend", backend, "--batch-size", "100"])
    assert status == 0
    for name in ("misclassified.png", "weights.png"):  # pixels stay PNG
        decode(tmp_path / "plots" / name)
    for name in ("confusion.svg", "curves.svg"):  # charts are SVG
        ET.parse(tmp_path / "plots" / name)
    assert len(list((tmp_path / "plots").iterdir())) == 4
    status = cli.main(["evaluate", str(tmp_path / "m.pkl"), "sample", "--plot",
                       str(tmp_path / "eval"), "--plot-format", "png"])
    assert status == 0
    decode(tmp_path / "eval" / "confusion.png")  # asked for PNG
    assert not (tmp_path / "eval" / "curves.png").exists()  # no training, no curves
    assert not (tmp_path / "eval" / "confusion.svg").exists()


# === The pixel font, and what the PNG charts write ===


def drawn(text, scale=1):
    """Render ``text`` and return its pixels as rows of "#" (ink) and "."."""
    canvas = png.Canvas(font.text_width(text, scale) + 2, font.HEIGHT * scale + 2)
    canvas.text(1, 1, text, png.BLACK, scale)
    return ["".join("#" if canvas.pixels[3 * (y * canvas.width + x)] == 0 else "."
                    for x in range(1, canvas.width - 1)) for y in range(1, canvas.height - 1)]


def test_training_is_drawn_as_training_not_trainin9():
    # t, r, a, i, n, i, n, g: the g's tail hangs below the line, where no
    # digit reaches, and its top is open at the left as no 9's is.
    assert drawn("training") == [
        ".#...........#.......#..........",
        "###..##.##......##......##...##.",
        ".#..#....##..#..#.#..#..#.#.#.#.",
        ".#..#...#.#..#..#.#..#..#.#.#.#.",
        ".##.#...###..#..#.#..#..#.#..##.",
        "..............................#.",
        "............................##..",
    ]
    assert drawn("9") != drawn("g") and "#" not in "".join(drawn("9")[5:])


def test_every_glyph_is_drawn_as_its_rows_in_its_box():
    for char, rows in font.GLYPHS.items():
        got = drawn(char)
        assert [row[:3] for row in got] == list(rows), char
        assert all(row[3:] == "." for row in got), char  # one column of space after it
        scaled = drawn(char, 3)
        assert [row[:9] for row in scaled[::3]] == ["".join(c * 3 for c in row) for row in rows]


def test_glyphs_are_told_apart_and_sit_on_the_line():
    import itertools
    import string

    def bits(char):
        return "".join(font.GLYPHS[char])

    chars = sorted(font.GLYPHS)
    for a, b in itertools.combinations(chars, 2):
        assert bits(a) != bits(b), (a, b)
    for a, b in itertools.combinations(string.ascii_letters, 2):  # no letter one pixel off another
        assert sum(x != y for x, y in zip(bits(a), bits(b))) >= 2, (a, b)
    for char in chars:
        rows = font.GLYPHS[char]
        below = any("#" in row for row in rows[5:])
        assert below == (char in "gjpqy,"), char  # only these hang below the line
        if char in string.digits + string.ascii_uppercase:
            assert "#" in rows[0] and "#" in rows[4], char  # full height
        if char in "acemnorsuvwxzgpqy":
            assert "#" not in rows[0] and "#" in rows[1], char  # the small letters' height
        if char in "bdfhklt":
            assert "#" in rows[0], char
    assert font.glyph("\u263a") == font.MISSING and font.MISSING not in font.GLYPHS.values()


def text_spy(monkeypatch):
    """Record every string drawn on a PNG canvas."""
    seen = []
    real = png.Canvas.text

    def text(self, x, y, string, *args, **kwargs):
        seen.append(str(string))
        return real(self, x, y, string, *args, **kwargs)

    monkeypatch.setattr(png.Canvas, "text", text)
    return seen


def svg_texts(chart):
    import xml.etree.ElementTree as ET

    root = ET.fromstring(str(chart))
    return {el.text for el in root.iter("{http://www.w3.org/2000/svg}text")}


@pytest.mark.parametrize("which", ["curves", "confusion"])
def test_the_png_charts_write_what_the_svg_ones_write(monkeypatch, which):
    from tinynet import plots

    if which == "curves":
        chart = plots.curves([{"epoch": e, "loss": 1.0 / e, "accuracy": 0.5 + e / 10,
                               "val_loss": 1.1 / e, "val_accuracy": 0.6} for e in (1, 2, 3)])
    else:
        chart = plots.confusion_chart([[50, 2, 0], [3, 40, 1], [0, 1009, 7]],
                                      labels=["cat", "dog", "Emu"])
    seen = text_spy(monkeypatch)
    decode_bytes(chart.to_png())
    assert set(seen) == svg_texts(chart)  # title, legend, axes, ticks, counts, totals
    assert all(ch in font.GLYPHS for text in seen for ch in text)  # no glyph missing


def test_weights_png_has_a_colour_scale(monkeypatch, tmp_path):
    seen = text_spy(monkeypatch)
    weights = [[1.0, -1.0], [0.5, -0.5], [0.0, 0.0], [1.0, -2.0]]
    png.weight_tiles(tmp_path / "w.png", weights, scale=1)
    width, height, rows = decode(tmp_path / "w.png")
    assert {"-max", "0", "+max"} <= set(seen) and any("largest weight" in t for t in seen)
    bar = [row for row in rows if (0, 0, 255) in row and (255, 0, 0) in row]
    assert bar, "no row runs from blue to red"
    row = bar[-1]  # the tiles above have full blue and red pixels too
    start = row.index((0, 0, 255))
    end = len(row) - 1 - row[::-1].index((255, 0, 0))
    assert row[(start + end) // 2][0] > 240 and row[(start + end) // 2][2] > 240  # white at 0
    reds = [p[0] for p in row[start:end + 1]]
    assert reds == sorted(reds)  # blue to white to red, left to right


def decode_bytes(data):
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "p.png")
        with open(path, "wb") as f:
            f.write(data)
        return decode(path)
