"""Warnings that say what to do: inputs that look unscaled, and training
that collapsed to chance.

Both mistakes train without an error and end near chance, so a beginner
is left guessing; each warning names the cause and the fix.  They are
:class:`UserWarning`\\ s, so ``warnings.filterwarnings("ignore", ...)`` or
``-W ignore`` silences them, and they point at the caller's own line.

**Unscaled inputs.**  Pixels as 0..255 (a uint8 array, as Keras's and
scikit-learn's MNIST loaders give them, or whole numbers) make a network's
first layer 255 times too loud: its units saturate or die and training
ends near chance.  The rule, for a classifier (an output of probabilities:
softmax or sigmoid): every input a whole number in 0..255, and the largest
at least :data:`BRIGHT` (an image's brightest pixel), where the first 256
rows (:func:`tinynet.batching.first_rows`) tell whether the inputs are
whole numbers (and, for rows not in a NumPy array, whether one reaches
BRIGHT: a pass over every input saved); one sample at a time, ``train``
looks at the first 256 rows a model is given.  Scaled data, binary
features, small counts or categories (up to 31), and any regression (a
linear output, often fed raw features on purpose) are never warned about.

**Collapse.**  With softmax and cross-entropy over K classes, an epoch
whose loss stays at log(K) or above and whose accuracy is near 1/K, after
which the network predicts one class for nearly every sample where before
training its predictions varied, has collapsed: a learning rate far too
large (10 for SGD, 50 for Adam) does that.  A rate too small also stays
near chance, but leaves the predictions as they were, so it is not taken
for a collapse.
"""

import math

#: The least largest input that looks like a pixel of 0..255.
BRIGHT = 32
#: A collapsed network predicts one class for at least this share of samples.
ONE_CLASS = 0.95
#: Samples whose predictions are looked at to tell a collapse.
PROBE = 256
#: Fewer training samples than this say too little to tell a collapse.
FEWEST = 100
#: A first batch of at least this many samples tells the share before
#: training (its predictions come before its step changes a weight); a
#: smaller batch leaves it to a forward pass of :data:`PROBE` rows.
FIRST_BATCH = 32


def warn(message):
    """Issue ``message`` as a UserWarning that points at the first line
    outside tinynet (the caller's), or print it where there is no warnings
    module (MicroPython)."""
    try:
        import warnings
    except ImportError:
        import sys

        print("UserWarning: " + message, file=sys.stderr)
        return
    level = 1
    try:
        import os
        import sys

        here = os.path.dirname(os.path.abspath(__file__))
        frame = sys._getframe(0)
        while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(here):
            frame, level = frame.f_back, level + 1
    except (AttributeError, ValueError):  # no frames to walk: point at tinynet's own line
        level = 1
    warnings.warn(message, stacklevel=level)  # (a UserWarning, the default)


_UNSCALED = ("X holds whole numbers from 0 up to %s, which look like pixels that were not "
             "scaled: a network learns from inputs of about 0..1, and on 0..255 it trains to "
             "chance. Divide them by 255 first (X / 255.0, or X.astype('float32') / 255 for a "
             "NumPy array); tinynet.datasets loaders give images that scale themselves")


def unscaled_rows(X, first):
    """Warn if the rows ``X`` (lists of numbers, the largest of its rows
    ``first`` in 32..255) hold only whole numbers from 0 up to 255 (whole
    numbers checked in ``first``, the first rows: batching.first_rows)."""
    top = max(map(max, X))
    if top > 255 or min(map(min, X)) < 0:
        return
    for row in first:
        for v in row:
            if v != int(v):
                return
    warn(_UNSCALED % _number(top))


def unscaled_array(X, first):
    """Warn if the 2-D NumPy array ``X`` holds whole numbers from 0 up to
    between 32 and 255 (for a float array, judged by ``first``, its first
    rows: batching.first_rows)."""
    if X.dtype.kind not in "uif" or not X.size:
        return
    top = X.max()
    if not BRIGHT <= top <= 255 or X.min() < 0:
        return
    if X.dtype.kind == "f":
        if not (first == first.round()).all():
            return
    warn(_UNSCALED % _number(top))


def _number(v):
    v = float(v)
    return "%d" % v if v == int(v) else "%g" % v


def watches(model, targets, index):
    """Whether a fit of ``model`` on these targets (training rows ``index``)
    can be judged for a collapse: softmax and cross-entropy, classes, and
    enough samples."""
    return (model.output_activation.name == "softmax" and model._loss.name == "cross_entropy"
            and targets.classes and len(index) >= max(FEWEST, 10 * model.sizes[-1]))


def one_class_share(model, inputs, index):
    """The share of the first :data:`PROBE` rows ``index`` of ``inputs``
    that ``model`` puts in its most frequent class."""
    from .metrics import classes

    return most_common_share(classes(model.forward(inputs.take(index[:PROBE]))[-1]))


def most_common_share(predicted):
    """The share of the class labels ``predicted`` taken by the most frequent one."""
    counts = {}
    for c in predicted:
        counts[c] = counts.get(c, 0) + 1
    return max(counts.values()) / len(predicted)


def collapsed(model, record, inputs, index, rate, before):
    """Warn if the epoch ``record`` of ``model`` (trained with the learning
    ``rate``) looks like a collapse to chance: its loss and accuracy at
    chance, and the share of its training rows ``index`` of ``inputs``
    predicted as one class risen from ``before`` (before training) to
    :data:`ONE_CLASS` or more.  Return whether it warned."""
    k = model.sizes[-1]
    chance = math.log(k)
    if before >= ONE_CLASS or record["loss"] < 0.9 * chance or record["accuracy"] >= 1.5 / k:
        return False
    share = one_class_share(model, inputs, index)
    if share < ONE_CLASS:
        return False
    name, default = model.optimizer.name, model.optimizer.default_learning_rate
    if rate > default:
        cause = ("The learning rate, %g, is likely too large for %s (its default is %g): try "
                 "one 10 or 100 times smaller. (Inputs far from 0..1, such as pixels not "
                 "divided by 255, collapse training too.)" % (rate, name, default))
    else:
        cause = ("Check that the inputs are scaled to about 0..1 (pixels divided by 255), or "
                 "try a learning rate smaller than %g." % rate)
    warn("training collapsed to chance in epoch %d: loss %.3f (log(%d) = %.3f is chance), "
         "accuracy %.3f (1/%d = %.3f), and the network predicts one class for %.0f%% of the "
         "samples (%.0f%% before training). %s"
         % (record["epoch"], record["loss"], k, chance, record["accuracy"], k, 1.0 / k,
            100 * share, 100 * before, cause))
    return True
