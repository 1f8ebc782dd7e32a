"""The charts (SVG) and pictures (PNG) of tinynet.plots, read back the way a
browser would: the SVG parsed as XML, the numbers recovered from the drawing;
the PNG writer and the PNG pictures checked by decoding what they write."""

import math
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib

import pytest

from tinynet import DNN, cli, datasets, plots
from tinynet.plots import charts, font, png, svg

NS = "{http://www.w3.org/2000/svg}"

HISTORY = [{"epoch": e, "loss": 2.0 / e, "accuracy": 0.5 + 0.04 * e, "seconds": 1.0,
            "val_loss": 2.2 / e + 0.01 * e, "val_accuracy": 0.48 + 0.035 * e}
           for e in range(1, 11)]


def parse(text):
    root = ET.fromstring(text)
    assert root.tag == NS + "svg"
    return root


def by_class(root, name):
    return [el for el in root.iter() if name in el.get("class", "").split()]


def texts(root, name):
    return [el.text for el in by_class(root, name)]


def points(polyline):
    return [tuple(map(float, p.split(","))) for p in polyline.get("points").split()]


def frames(root):
    """Each panel's data rectangle and the data limits it shows."""
    out = []
    for el in by_class(root, "frame"):
        x, y, w, h = (float(el.get(k)) for k in ("x", "y", "width", "height"))
        xlim = tuple(map(float, el.get("data-xlim").split()))
        ylim = tuple(map(float, el.get("data-ylim").split()))
        out.append(((x, y, w, h), xlim, ylim))
    return out


def test_curves_have_axes_ticks_titles_and_a_legend_outside_the_data():
    root = parse(charts.curves(HISTORY))
    panels = frames(root)
    assert len(panels) == 2  # loss and accuracy, each on its own scale
    assert texts(root, "panel-title") == ["loss", "accuracy"]
    assert texts(root, "axis-title").count("epoch") == 2
    assert {"loss", "accuracy"} <= set(texts(root, "axis-title"))
    assert texts(root, "xtick")[:5] == ["2", "4", "6", "8", "10"]
    # every tick value sits inside the panel's range, and more than the ends are labelled
    yticks = texts(root, "ytick")
    assert len(yticks) >= 8 and any(t.endswith("%") for t in yticks)
    legend = texts(root, "legend-label")
    assert legend == ["training", "validation"]
    top_of_data = min(box[1] for box, _, _ in panels)
    for el in by_class(root, "legend-label") + by_class(root, "legend-line"):
        assert float(el.get("y", el.get("y1"))) < top_of_data


def test_curves_plot_each_value_inside_its_axes_on_its_own_scale():
    root = parse(charts.curves(HISTORY))
    series = {el.get("data-label"): points(el) for el in by_class(root, "series")}
    assert sorted(series) == ["training accuracy", "training loss", "validation accuracy",
                              "validation loss"]
    panels = dict(zip(["loss", "accuracy"], frames(root)))
    for label, pts in series.items():
        kind = label.split()[1]
        key = ("val_" if label.startswith("validation") else "") + kind
        (x, y, w, h), xlim, ylim = panels[kind]
        assert len(pts) == len(HISTORY)
        for (px, py), record in zip(pts, HISTORY):
            assert x - 1e-6 <= px <= x + w + 1e-6 and y - 1e-6 <= py <= y + h + 1e-6
            # Read the value back off the axes: the loss is drawn on the loss
            # scale, not squeezed onto the accuracy one.
            epoch = xlim[0] + (px - x) / w * (xlim[1] - xlim[0])
            value = ylim[0] + (y + h - py) / h * (ylim[1] - ylim[0])
            assert epoch == pytest.approx(record["epoch"], abs=0.02)
            assert value == pytest.approx(record[key], abs=0.01 * (ylim[1] - ylim[0]))
    loss_box, _, loss_ylim = panels["loss"]
    assert loss_ylim[1] >= 2.2 > 1  # the loss axis reaches the largest loss


def test_curves_without_validation_or_with_one_epoch():
    root = parse(charts.curves([{"epoch": 1, "loss": 0.7, "accuracy": 0.81}]))
    assert texts(root, "legend-label") == ["training"]
    assert [len(points(el)) for el in by_class(root, "series")] == [1, 1]
    assert texts(root, "xtick") == ["1", "1"]
    with pytest.raises(ValueError, match="empty"):
        charts.curves([])
    with pytest.raises(ValueError, match=r"history\[1\]"):
        charts.curves([{"epoch": 1, "loss": 1.0}, 0.5])
    with pytest.raises(ValueError, match="nan"):
        charts.curves([{"epoch": 1, "loss": float("nan")}])


@pytest.mark.parametrize("lo, hi", [(0.12, 0.93), (0.0, 1.0), (2.31, 2.34), (-3, 7),
                                    (0.0042, 0.0051), (120, 48000), (5, 5), (0.91, 0.99)])
def test_nice_ticks_are_round_evenly_spaced_and_cover_the_data(lo, hi):
    ticks = svg.nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi
    assert 3 <= len(ticks) <= 12
    steps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert max(steps) - min(steps) < 1e-9 * max(1.0, abs(ticks[-1]))
    mantissa = steps[0] / 10 ** math.floor(math.log10(steps[0]) + 1e-9)
    assert any(abs(mantissa - m) < 1e-6 for m in (1, 2, 2.5, 5, 10))
    labels = [svg.format_tick(t, ticks) for t in ticks]
    assert len(set(labels)) == len(labels)  # enough decimals to tell them apart
    assert all(len(label) <= 8 for label in labels)  # and no 0.30000000000000004


def test_confusion_chart_has_labels_counts_and_row_accuracy():
    matrix = [[50, 2, 0], [3, 40, 7], [0, 1, 1000]]
    root = parse(charts.confusion(matrix, labels=["cat", "dog", "eel"]))
    cells = by_class(root, "cell")
    assert len(cells) == 9
    for cell in cells:
        i, j = int(cell.get("data-row")), int(cell.get("data-column"))
        assert int(cell.get("data-count")) == matrix[i][j]
    assert texts(root, "count") == [str(v) for row in matrix for v in row]
    assert texts(root, "xtick") == ["cat", "dog", "eel"] == texts(root, "ytick")
    assert {"predicted", "true"} <= set(texts(root, "axis-title"))
    assert texts(root, "row-accuracy") == ["96.2%", "80.0%", "99.9%"]
    assert texts(root, "summary") == ["1090 of 1103 correct (98.82%)"]
    # a tooltip names each cell; text in XML is escaped, labels included
    root = parse(charts.confusion([[1, 0], [0, 1]], labels=["<a>", "b&c"]))
    assert texts(root, "xtick") == ["<a>", "b&c"]
    with pytest.raises(ValueError, match="square"):
        charts.confusion([[1, 2], [3]])


@pytest.fixture(scope="module")
def trained():
    X, y = datasets.load_sample("test")
    model = DNN([784, 16, 10], optimizer="momentum", learning_rate=0.05, seed=0)
    history = model.fit(X, y, epochs=2, batch_size=64, validation_data=(X[:200], y[:200]))
    return model, X, y, history


def test_the_display_protocol_returns_svg_text_and_png_bytes(trained):
    model, X, y, history = trained
    for chart in (plots.curves(history), plots.confusion(model, X, y)):
        assert isinstance(chart, plots.Chart)
        assert isinstance(chart._repr_svg_(), str)
        parse(chart._repr_svg_())
        assert not hasattr(chart, "_repr_png_")  # one representation: Jupyter shows the SVG
        assert chart.to_png().startswith(b"\x89PNG\r\n\x1a\n")
        assert "SVG" in repr(chart)
    for picture in (plots.digits(X[:20], y[:20], model), plots.weights(model)):
        assert isinstance(picture, plots.Picture)
        data = picture._repr_png_()
        assert isinstance(data, bytes) and data.startswith(b"\x89PNG\r\n\x1a\n")
        assert "PNG" in repr(picture)


def test_confusion_counts_what_the_model_predicts(trained):
    model, X, y, _ = trained
    root = parse(plots.confusion(model, X, y).svg)
    counts = [[0] * 10 for _ in range(10)]
    for cell in by_class(root, "cell"):
        counts[int(cell.get("data-row"))][int(cell.get("data-column"))] = int(cell.get("data-count"))
    assert sum(map(sum, counts)) == len(y)
    correct = sum(counts[i][i] for i in range(10))
    assert correct == round(model.evaluate(X, y)["accuracy"] * len(y))
    for i in range(10):
        assert sum(counts[i]) == list(y).count(i)


def test_save_writes_svg_and_png_files(trained, tmp_path):
    model, X, y, history = trained
    chart = plots.curves(history)
    assert chart.save(tmp_path / "c.svg") == tmp_path / "c.svg"
    ET.parse(tmp_path / "c.svg")
    chart.save(tmp_path / "c.png")
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    chart.save(tmp_path / "chart", format="svg")
    assert (tmp_path / "chart").read_text().startswith("<svg")
    picture = plots.digits(X[:5], y[:5])
    picture.save(tmp_path / "d.png")
    assert (tmp_path / "d.png").read_bytes() == picture._repr_png_()
    with pytest.raises(ValueError, match="'png'"):
        picture.save(tmp_path / "d.svg")
    with pytest.raises(ValueError, match="'svg' or 'png'"):
        chart.save(tmp_path / "c.jpg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.png", "c.svg", "chart", "d.png"]


def test_digits_take_images_lists_and_arrays(trained):
    model, X, y, _ = trained
    from_images = plots.digits(X[:12], y[:12])
    rows = [X[i] for i in range(12)]  # floats in [0, 1]
    assert plots.digits(rows, y[:12])._repr_png_() == from_images._repr_png_()
    as_bytes = [list(X.row_bytes(i)) for i in range(12)]  # 0-255 values
    assert plots.digits(as_bytes, y[:12])._repr_png_() == from_images._repr_png_()
    assert plots.digits(X[:12]).width == from_images.width  # no labels at all
    with pytest.raises(ValueError, match="not square"):
        plots.digits([[0.0] * 10])
    with pytest.raises(ValueError, match="3 labels for 12 images"):
        plots.digits(X[:12], y[:3])
    np = pytest.importorskip("numpy")
    assert plots.digits(np.array(rows), np.array(y[:12]))._repr_png_() == from_images._repr_png_()


def test_weights_draw_one_tile_per_hidden_unit(trained):
    model = trained[0]
    picture = plots.weights(model, columns=4, scale=1)
    rows = [picture.canvas.pixels[3 * y * picture.width:3 * (y + 1) * picture.width]
            for y in range(picture.height)]
    grey, white = bytes(png.GREY), bytes(png.WHITE)
    # 16 units, 4 a row: 4 x 30 + 2 pixels of tiles and gaps, then the colour scale's band
    assert rows[4 * 30 + 1][:3] == grey and rows[4 * 30 + 2][:3] == white
    assert rows[4 * 30 + 1][3 * (4 * 30 + 1):3 * (4 * 30 + 2)] == grey
    with pytest.raises(ValueError, match="not a square image"):
        plots.weights(DNN([10, 3, 2], seed=0))


def test_plots_import_neither_ipython_nor_numpy_and_the_core_not_plots():
    code = ("import sys; sys.modules['numpy'] = None\n"
            "import tinynet\n"
            "net = tinynet.DNN([4, 3, 2], seed=0, backend='python')\n"
            "assert 'tinynet.plots' not in sys.modules\n"
            "from tinynet import plots\n"
            "h = net.fit([[0, 1, 0, 1]] * 4, [0, 1, 0, 1], epochs=2)\n"
            "plots.curves(h).svg\n"
            "assert 'IPython' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


# === Hostile text: every chart stays well-formed XML ===

HOSTILE = "a<b>&c\"d'e\x1b[31m\x0c\x00\x7f\x85\ud800\ufffe]]><!--"
SHOWN = "a<b>&c\"d'e\ufffd[31m\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd]]><!--"  # as a browser reads it
XML_FORBIDDEN = [c for c in range(0x20) if c not in (9, 10, 13)] + [0xFFFE, 0xFFFF]


def well_formed(text):
    assert not any(ord(c) in XML_FORBIDDEN or 0xD800 <= ord(c) <= 0xDFFF for c in text)
    return parse(text)


def test_hostile_titles_and_labels_keep_every_chart_well_formed(tmp_path):
    model = DNN([4, 3, 2], seed=0, backend="python")
    X, y = [[0.1, 0.9, 0.2, 0.4], [0.5, 0.5, 0.5, 0.5]], [0, 1]
    charts_made = [plots.curves(HISTORY, title=HOSTILE),
                   plots.confusion_chart([[3, 1], [0, 2]], labels=[HOSTILE, "\x00"], title=HOSTILE),
                   plots.confusion(model, X, y, labels=["\x1b", HOSTILE], title=HOSTILE)]
    for chart in charts_made:
        root = well_formed(chart.svg)
        assert root.find(NS + "title").text == SHOWN
        assert texts(root, "title") == [SHOWN]
        chart.save(tmp_path / "c.svg")
        well_formed((tmp_path / "c.svg").read_bytes().decode("utf-8"))
        chart.to_png()  # the pixel version draws the same without failing
    root = parse(charts_made[1].svg)
    assert SHOWN in texts(root, "xtick") and "\ufffd" in texts(root, "ytick")
    tips = [el.find(NS + "title").text for el in by_class(root, "cell")]
    assert tips[0] == "true %s, predicted %s: 3 (75.0%% of the row)" % (SHOWN, SHOWN)


def test_the_model_summary_escapes_by_the_same_rule():
    from tinynet.escape import xml

    assert xml(HOSTILE) == ("a&lt;b&gt;&amp;c&quot;d&#39;e\ufffd[31m\ufffd\ufffd\ufffd\ufffd\ufffd"
                            "\ufffd]]&gt;&lt;!--")
    assert xml("tab\tline\ncr\r") == "tab&#9;line&#10;cr&#13;"  # kept, even in an attribute
    html = DNN([4, 3, 2], seed=0, backend="python")._repr_html_()
    assert "<table>" in html and "&" not in html.replace("&gt;", "")


# === Arguments are checked before anything is drawn ===


@pytest.fixture
def no_drawing(monkeypatch):
    """Fail the test if a picture or chart starts being drawn."""
    from tinynet.plots import png

    def drew(*args, **kwargs):
        raise AssertionError("drawing started before the arguments were checked")

    monkeypatch.setattr(png, "Canvas", drew)
    monkeypatch.setattr(charts, "Drawing", drew)


SMALL = DNN([4, 3, 2], seed=0, backend="python")
ROWS = [[0.1, 0.9, 0.2, 0.4], [0.5, 0.5, 0.5, 0.5]]

BAD_CALLS = {
    "confusion: a label of 3.5": (lambda: plots.confusion(SMALL, ROWS, [0, 3.5]),
                                  "label 3.5 at index 1 is not a class in 0..1"),
    "confusion: a label of 2": (lambda: plots.confusion(SMALL, ROWS, [0, 2]),
                                "label 2 at index 1 is not a class in 0..1"),
    "confusion: no data": (lambda: plots.confusion(SMALL, [], []), "X is empty"),
    "confusion: too few labels": (lambda: plots.confusion(SMALL, ROWS, [0]), "y has 1"),
    "confusion: 3 class names": (lambda: plots.confusion(SMALL, ROWS, [0, 1], labels="abc"),
                                 "sequence of 2 class names"),
    "confusion_chart: not square": (lambda: plots.confusion_chart([[1, 2]]), "square"),
    "confusion_chart: empty": (lambda: plots.confusion_chart([]), "square"),
    "confusion_chart: a count of -1": (lambda: plots.confusion_chart([[1, -1], [0, 0]]),
                                       r"matrix\[0\]\[1\] is -1, not a count"),
    "confusion_chart: a count of 1.5": (lambda: plots.confusion_chart([[1, 0], [1.5, 0]]),
                                        "not a count"),
    "confusion_chart: a count of True": (lambda: plots.confusion_chart([[True, 0], [0, 0]]),
                                         "not a count"),
    "confusion_chart: 101 classes": (lambda: plots.confusion_chart([[0] * 101] * 101),
                                     "101 classes is too large"),
    "confusion_chart: 3 labels": (lambda: plots.confusion_chart([[1]], labels=[1, 2, 3]),
                                  "3 labels for 1 classes"),
    "curves: a title of 5": (lambda: plots.curves(HISTORY, title=5), "title must be a str"),
    "curves: a title of 10**6 characters": (lambda: plots.curves(HISTORY, title="x" * 10 ** 6),
                                            "a title of 1000000 characters does not fit"),
    "confusion_chart: a name of 41 characters": (
        lambda: plots.confusion_chart([[1, 0], [0, 1]], labels=["a", "b" * 41]),
        r"labels\[1\] is 41 characters long"),
    "curves: a loss of 'abc'": (lambda: plots.curves([{"epoch": 1, "loss": "abc"}]),
                                "loss holds 'abc', not a number"),
    "curves: an epoch of None": (lambda: plots.curves([{"epoch": None, "loss": 1.0}]),
                                 r"history\[0\]\['epoch'\] holds None"),
    "curves: no epochs": (lambda: plots.curves([]), "the history is empty"),
    "digits: columns=0": (lambda: plots.digits(ROWS, columns=0), "columns must be an int from 1"),
    "digits: columns=-1": (lambda: plots.digits(ROWS, columns=-1), "columns must be"),
    "digits: columns=1.5": (lambda: plots.digits(ROWS, columns=1.5), "columns must be"),
    "digits: columns=True": (lambda: plots.digits(ROWS, columns=True), "columns must be"),
    "digits: scale=0": (lambda: plots.digits(ROWS, scale=0), "scale must be an int from 1 to 64"),
    "digits: scale=65": (lambda: plots.digits(ROWS, scale=65), "scale must be"),
    "digits: limit=0": (lambda: plots.digits(ROWS, limit=0), "limit must be an int >= 1"),
    "digits: no images": (lambda: plots.digits([]), "no images to draw"),
    "digits: a label of 3.5": (lambda: plots.digits(ROWS, [1, 3.5]),
                               "labels: label 3.5 at index 1 is not a class"),
    "digits: a label of -1": (lambda: plots.digits(ROWS, [-1, 0]), "labels: label -1"),
    "digits: a prediction of 'x'": (lambda: plots.digits(ROWS, predictions=[0, "x"]),
                                    "predictions: label 'x'"),
    "digits: a label beyond the model's": (lambda: plots.digits(ROWS, [0, 7], SMALL),
                                           "label 7 at index 1 is not a class in 0..1"),
    "digits: too large a picture": (lambda: plots.digits([[0.5] * 784] * 100, columns=100,
                                                         scale=64), "too large"),
    "weights: columns=0": (lambda: plots.weights(SMALL, columns=0), "columns must be"),
    "weights: limit=-3": (lambda: plots.weights(SMALL, limit=-3), "limit must be"),
    "weights: too large a picture": (lambda: plots.weights(DNN([784, 300, 2], seed=0),
                                                           limit=300, scale=64), "too large"),
}


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_every_plot_checks_its_arguments_before_drawing(no_drawing, case):
    call, message = BAD_CALLS[case]
    with pytest.raises((ValueError, TypeError), match=message) as err:
        call()
    assert not isinstance(err.value, ZeroDivisionError)


def test_confusion_refuses_a_label_as_evaluate_does():
    for y in ([0, 3.5], [0, 2], [0, "1"], [0, -1]):
        with pytest.raises(ValueError) as by_evaluate:
            SMALL.evaluate(ROWS, y)
        with pytest.raises(ValueError) as by_plot:
            plots.confusion(SMALL, ROWS, y)
        assert str(by_plot.value) == str(by_evaluate.value)
    plots.confusion(SMALL, ROWS, [0.0, 1.0])  # int-valued floats are labels, as for evaluate
    plots.confusion(SMALL, ROWS, [[1.0, 0.0], [0.0, 1.0]])  # and one-hot rows


# The PNG writer and the PNG pictures, checked by decoding what they write.


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
