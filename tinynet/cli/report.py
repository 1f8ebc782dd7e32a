"""What the command line tells the user about a model: messages, accuracy,
the confusion matrix, and pictures."""

import os

from .. import datasets
from ..escape import printable
from ..metrics import confusion_matrix


def say(args, text):
    """Print ``text`` unless --quiet.  File names in it come escaped
    (:func:`tinynet.escape.printable`); each line is made printable again,
    so nothing in it can send a terminal escape."""
    if not args.quiet:
        print("\n".join(printable(line) for line in text.split("\n")), flush=True)


def format_confusion(matrix):
    n = len(matrix)
    lines = ["confusion matrix (rows: true digit, columns: predicted)",
             "      " + "".join("%6d" % j for j in range(n)) + "   accuracy"]
    for i, row in enumerate(matrix):
        total = sum(row)
        acc = "%8.2f%%" % (100.0 * row[i] / total) if total else "        -"
        lines.append("%6d" % i + "".join("%6d" % v for v in row) + acc)
    return "\n".join(lines)


def report(model, X, labels, args, history=None):
    scores = model.evaluate(X, labels)
    if "accuracy" not in scores:  # a regression: a loss, and no classes to count
        print("test loss %.4f (%s) on %d samples" % (scores["loss"], model.loss.name, len(labels)),
              flush=True)
        if getattr(args, "plot", None) and history:
            from .. import plots
            from .checks import make_plot_dir

            make_plot_dir(args.plot)
            format = getattr(args, "plot_format", "svg")
            path = plots.curves(history).save(os.path.join(args.plot, "curves." + format))
            say(args, "wrote " + printable(path))
        return scores, None, None
    predicted = model.classify(X)
    matrix = confusion_matrix(predicted, labels, max(model.sizes[-1], 2))
    # the result: printed with --quiet too, which silences progress and commentary only
    print("test accuracy %.2f%% (%d of %d), loss %.4f" % (
        100 * scores["accuracy"], round(scores["accuracy"] * len(labels)), len(labels),
        scores["loss"]), flush=True)
    say(args, format_confusion(matrix))
    if getattr(args, "plot", None):
        for path in plot(args.plot, model, X, labels, predicted, matrix, history,
                         getattr(args, "plot_format", "svg")):
            say(args, "wrote " + printable(path))
    return scores, predicted, matrix


def plot(directory, model, X, labels, predicted, matrix, history=None, format="svg"):
    """Write the pictures for a trained model into ``directory``; return
    their paths.  The charts (curves, confusion matrix) are SVG unless
    ``format`` is "png"; the pixel pictures (digits, weights) are PNG."""
    from .. import plots
    from .checks import make_plot_dir

    make_plot_dir(directory)  # the last level only: checked before the work began
    written = []

    def save(picture, name):
        written.append(picture.save(os.path.join(directory, name)))

    wrong = [i for i, (p, t) in enumerate(zip(predicted, labels)) if p != t]
    if wrong and hasattr(X, "byte_rows"):
        save(plots.digits(datasets.Images(X.byte_rows(wrong[:100]), X.width),
                          [labels[i] for i in wrong[:100]], [predicted[i] for i in wrong[:100]]),
             "misclassified.png")
    if model.sizes[0] == 784:
        save(plots.weights(model, limit=64), "weights.png")
    save(plots.confusion_chart(matrix), "confusion." + format)
    if history:
        save(plots.curves(history), "curves." + format)
    return written
