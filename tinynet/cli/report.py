"""What the command line tells the user about a model: messages, accuracy,
the confusion matrix, and pictures."""

import os

from .. import datasets
from ..metrics import confusion_matrix


def say(args, text):
    if not args.quiet:
        print(text, flush=True)


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
    predicted = model.classify(X)
    matrix = confusion_matrix(predicted, labels, max(model.sizes[-1], 2))
    say(args, "test accuracy %.2f%% (%d of %d), loss %.4f" % (
        100 * scores["accuracy"], round(scores["accuracy"] * len(labels)), len(labels),
        scores["loss"]))
    say(args, format_confusion(matrix))
    if getattr(args, "plot", None):
        for path in plot(args.plot, model, X, labels, predicted, matrix, history):
            say(args, "wrote " + path)
    return scores, predicted, matrix


def plot(directory, model, X, labels, predicted, matrix, history=None):
    """Write the pictures for a trained model into ``directory``; return
    their paths."""
    from ..plots import png

    os.makedirs(directory, exist_ok=True)
    written = []

    def out(name):
        written.append(os.path.join(directory, name))
        return written[-1]

    wrong = [i for i, (p, t) in enumerate(zip(predicted, labels)) if p != t]
    if wrong and hasattr(X, "byte_rows"):
        png.digit_grid(out("misclassified.png"), datasets.Images(X.byte_rows(wrong[:100]), X.width),
                       [labels[i] for i in wrong], [predicted[i] for i in wrong])
    if model.sizes[0] == 784:
        png.weight_tiles(out("weights.png"), model.get_params()["weights"][0], limit=64)
    png.confusion_heatmap(out("confusion.png"), matrix)
    if history:
        png.curves(out("curves.png"), history)
    return written
