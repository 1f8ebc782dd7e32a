"""Scoring predictions: the class of each output row, and counts of agreement."""


def classes(out):
    """Return the class of each row of the Matrix ``out``: the largest
    output's index, or, for a single output, whether it is >= 0.5."""
    if out.shape[1] == 1:
        return [int(row[0] >= 0.5) for row in out.tolist()]
    return out.argmax()


def count_equal(a, b):
    return sum(1 for p, q in zip(a, b) if p == q)


def confusion_matrix(predicted, labels, classes=10):
    """Return ``matrix[true][predicted]``: how often each class was taken
    for each other (a list of ``classes`` lists of counts)."""
    matrix = [[0] * classes for _ in range(classes)]
    for p, t in zip(predicted, labels):
        matrix[t][p] += 1
    return matrix
