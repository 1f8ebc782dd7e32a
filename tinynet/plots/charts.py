"""The charts, drawn with :mod:`tinynet.plots.svg`: training curves and the
confusion matrix, from plain numbers (a history, a matrix of counts)."""

import math

from ..errors import shown
from .svg import BLUE, FRAME, ORANGE, TEXT, Axes, Drawing, legend, nice_ticks


def _span(values, floor=None, ceiling=None):
    lo, hi = min(values), max(values)
    return (lo if floor is None else max(lo, floor)), (hi if ceiling is None else min(hi, ceiling))


def _finite(value, name):
    """``value`` as a float, if it is a finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(
            value, "__float__"):
        raise ValueError("%s holds %s, not a number; nothing to plot" % (name, shown(value)))
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("%s holds nan or inf; nothing to plot" % name)
    return value


def curve_panels(history):
    """What the curves chart shows, worked out once for the SVG and the PNG
    drawing: ``(epochs, xlim, xticks, panels)``, each panel ``(name,
    percent, yticks, series)`` and each series ``(label, color, dash,
    values)``.  Raises ValueError for a history with nothing to plot."""
    history = list(history)
    if not history:
        raise ValueError("no epochs to plot: the history is empty")
    for i, record in enumerate(history):
        if not isinstance(record, dict) or "epoch" not in record:
            raise ValueError("history[%d] is not an epoch record (a dict with 'epoch'): %s"
                             % (i, shown(record)))
    epochs = [_finite(r["epoch"], "history[%d]['epoch']" % i) for i, r in enumerate(history)]
    panels = []
    for key, percent in (("loss", False), ("accuracy", True)):
        series = []
        for prefix, label, color, dash in (("", "training", BLUE, None),
                                           ("val_", "validation", ORANGE, "6 4")):
            if all(prefix + key in r for r in history):
                values = [_finite(r[prefix + key], prefix + key) for r in history]
                series.append((label, color, dash, values))
        if series:
            lo, hi = _span([v for s in series for v in s[3]])
            if percent:
                lo, hi = max(0.0, lo), min(1.0, hi)
            yticks = nice_ticks(lo, hi, 5)
            if percent:  # accuracy never goes past 0 or 100%
                yticks = [t for t in yticks if -1e-9 <= t <= 1 + 1e-9] or [0.0, 1.0]
                if len(yticks) == 1:
                    yticks = [max(0.0, yticks[0] - 0.1), min(1.0, yticks[0] + 0.1)]
            panels.append((key, percent, yticks, series))
    if not panels:
        raise ValueError("the history has neither 'loss' nor 'accuracy' to plot")
    if len(epochs) == 1:
        xlim, xticks = (epochs[0] - 1, epochs[0] + 1), [epochs[0]]
    else:
        xlim = (min(epochs), max(epochs))
        xticks = nice_ticks(xlim[0], xlim[1], 5, integer=True, extend=False)
    return epochs, xlim, xticks, panels


def legend_entries(panels):
    """Each series label once, in order, with its colour and dash."""
    entries, seen = [], set()
    for _, _, _, series in panels:
        for label, color, dash, _ in series:
            if label not in seen:
                seen.add(label)
                entries.append((label, color, dash))
    return entries


def curves(history, title="Training curves"):
    """The SVG text of a history's curves: a loss panel and an accuracy
    panel side by side, each on its own scale, against the epoch; the
    training series solid blue, the validation series dashed orange; the
    legend above the panels.

    ``history`` is what ``DNN.fit`` returns: a list of dicts with ``epoch``,
    ``loss`` and ``accuracy``, and ``val_loss``/``val_accuracy`` when it was
    given validation data.  A key missing from the records is left out.
    """
    epochs, xlim, xticks, panels = curve_panels(history)
    panel_w, panel_h = 300, 210
    left, gap, top, bottom = 70, 90, 78, 52
    width = left + len(panels) * panel_w + (len(panels) - 1) * gap + 24
    height = top + panel_h + bottom
    d = Drawing(width, height, title)
    if title:
        d.text(width / 2, 22, title, anchor="middle", size=16, weight="bold", klass="title")
    entries = legend_entries(panels)
    legend_width = 52 * len(entries) + sum(7 * len(e[0]) for e in entries)
    legend(d, (width - legend_width) / 2, 44, entries)
    for k, (name, percent, yticks, series) in enumerate(panels):
        ax = Axes(d, left + k * (panel_w + gap), top, panel_w, panel_h, xticks, yticks,
                  xlim=xlim, title=name, xlabel="epoch", ylabel=name, percent=percent)
        for label, color, dash, ys in series:
            ax.plot(epochs, ys, color, label="%s %s" % (label, name), dash=dash)
    return d.tostring()


def _mix(share, rgb):
    """A colour ``share`` (0-1) of the way from white to ``rgb``."""
    return tuple(int(round(255 - share * (255 - c))) for c in rgb)


def cell_colour(diagonal, count, share):
    """The fill of a confusion matrix cell (an RGB tuple) holding ``count``,
    ``share`` (0-1) of its row, and whether its count is written in white:
    the diagonal blue, darker as more of the row is right; a mistake red,
    at full strength from a quarter of the row.  The SVG and the PNG chart
    both colour by this."""
    if diagonal:
        return _mix(0.15 + 0.85 * share if count else 0.0, (31, 119, 180)), share > 0.5
    strength = min(1.0, share * 4)
    return _mix(0.75 * strength, (214, 39, 40)), strength > 0.8


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
            rgb, dark = cell_colour(i == j, count, share)
            fill = "#%02x%02x%02x" % rgb
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
