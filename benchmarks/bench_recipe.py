"""The MNIST recipes: test accuracy on the full MNIST.

    python benchmarks/bench_recipe.py [--dtype float64] [--epochs 10]
    python benchmarks/bench_recipe.py --dropout [--seeds 0,1,2] [--epochs 120] [--out PATH]
        [--patience N] [--layers 784,1024,1024,10] [--limit N] [--jobs N]

The first form is what ``run_all.py`` runs: the 10-epoch recipes, both with
momentum SGD (learning rate 0.1, momentum 0.9), L2 weight decay 2e-4, batch
128, the learning rate annealed to 0 along a cosine over 10 epochs, seed 0:

- the tutorial's [784, 1250, 10], which ``python -m tinynet mnist`` trains;
- [784, 1024, 512, 10], the configuration for the best accuracy in 10 epochs.

``--dropout`` trains the best plain MLP recipe (no convolution, no
augmentation): Srivastava et al. (2014)'s dropout and max-norm on
[784, 1024, 1024, 10] ReLU units, 20% of the pixels and 50% of the hidden
units dropped, each unit's incoming weights capped at length 3, momentum
SGD at 0.1 annealed along a cosine, float32 on the NumPy backend.  It
trains once per seed, scores the test set after the last epoch only (no
epoch is picked by its test score), and writes the median and the range
over the seeds, with each epoch's test accuracy, to ``docs/benchmarks/recipe.md``
(or ``--out``).  It takes 120 epochs (40 reached 98.63%, 80 98.76%).  One
epoch takes about 10 s with one BLAS thread on a shared core: run it with
``OPENBLAS_NUM_THREADS=1`` on a busy machine (one thread is several times
faster than two that wait for each other).  ``--jobs N`` trains N seeds at a
time, each in a process of its own: ``--jobs 3`` trained the three seeds'
120 epochs in 33 minutes on 2 shared cores.

``--patience N`` adds early stopping: the last 10% of the training images
are held out (never the test set), training stops once their loss has not
improved for N epochs, and the best epoch's weights are restored before
the test set is scored.  ``--layers`` and ``--limit`` (the first N training
images), and fewer epochs than 120, make a reduced setting to try the script
in a minute, e.g.
``--dropout --seeds 0 --epochs 2 --layers 784,32,32,10 --limit 2000 --out
/tmp/recipe.md``; a reduced setting is not the recipe, so it writes a file
only where ``--out`` says.
"""

import argparse
import os
import statistics
import sys
import time

from common import ROOT, load_mnist_or_exit, load_average, machine, report, table

from tinynet import DNN
from tinynet.callbacks import EarlyStopping

NETWORKS = ([784, 1250, 10], [784, 1024, 512, 10])

#: The dropout recipe (see the module's docstring).
DROPOUT = dict(sizes=[784, 1024, 1024, 10], input_dropout=0.2, dropout=0.5, max_norm=3.0,
               optimizer="momentum", learning_rate=0.1)
DROPOUT_FIT = dict(batch_size=128, schedule="cosine")
DROPOUT_EPOCHS = 120


def plural(n, word):
    """``1 epoch``, ``2 epochs``."""
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def ten_epochs(args):
    (X, y), (Xt, yt) = load_mnist_or_exit()
    rows, final = [], []
    for sizes in NETWORKS:
        model = DNN(sizes, optimizer="momentum", learning_rate=0.1, l2=2e-4, seed=0,
                    backend="numpy", dtype=args.dtype)
        history = model.fit(X, y, epochs=args.epochs, batch_size=128, validation_data=(Xt, yt),
                            schedule="cosine")
        name = "-".join(map(str, sizes))
        final.append("%s %.2f%%" % (name, 100 * history[-1]["val_accuracy"]))
        rows += [[name, h["epoch"], "%.1f" % h["seconds"], "%.2f%%" % (100 * h["accuracy"]),
                  "%.2f%%" % (100 * h["val_accuracy"])] for h in history]
    lines = machine() + ["", "%s, momentum SGD lr 0.1, l2 2e-4, batch 128, cosine annealing over "
                         "%s, seed 0" % (args.dtype, plural(args.epochs, "epoch")), "",
                         table(["network", "epoch", "seconds (incl. test)", "train accuracy",
                                "test accuracy"], rows)]
    report("The MNIST recipes: %s after %s" % (", ".join(final), plural(args.epochs, "epoch")),
           lines)


class TestCurve:
    """A Keras-like callback: the test accuracy after each epoch, for the
    curve only (with early stopping the held-out images decide)."""

    def __init__(self, model, X, y, say=None):
        self.model, self.X, self.y, self.say, self.accuracy = model, X, y, say, []

    def on_epoch_end(self, epoch, logs):
        self.accuracy.append(self.model.evaluate(self.X, self.y)["accuracy"])
        if self.say is not None:  # e.g. "seed 1: epoch 7, loss 0.0812, test accuracy 97.52%"
            print("%sepoch %d, loss %.4f, test accuracy %.2f%%"
                  % (self.say, epoch + 1, logs["loss"], 100 * self.accuracy[-1]), flush=True)


def is_reduced(args):
    """Whether the settings are smaller than the recipe's (a try-out): a
    smaller network, fewer images or fewer epochs."""
    return (args.layers != DROPOUT["sizes"] or args.limit is not None
            or args.epochs < DROPOUT_EPOCHS)


def one_seed(args, seed, data=None):
    """Train the dropout recipe once with ``seed``; return its test-accuracy
    curve, its final test accuracy, its minutes and early stopping's outcome."""
    (X, y), (Xt, yt) = data or load_mnist_or_exit()
    if args.limit is not None:
        X, y = X[:args.limit], y[:args.limit]
    settings = dict(DROPOUT)
    del settings["sizes"]
    model = DNN(args.layers, seed=seed, backend="numpy", dtype="float32", **settings)
    curve = TestCurve(model, Xt, yt, "seed %d: " % seed if args.jobs > 1 else None)
    verbose = 0 if args.jobs > 1 else 2  # (parallel seeds print their own lines)
    started, outcome = time.time(), None
    # The test set is scored after each epoch to draw the curve; the
    # result is the last epoch's (or, with --patience, the restored
    # best epoch's on the held-out images), whatever the others scored.
    if args.patience is None:
        model.fit(X, y, epochs=args.epochs, verbose=verbose, callbacks=[curve], **DROPOUT_FIT)
    else:
        stop = EarlyStopping(patience=args.patience, restore_best_weights=True)
        model.fit(X, y, epochs=args.epochs, verbose=verbose, validation_split=0.1,
                  callbacks=[curve, stop], **DROPOUT_FIT)
        outcome = stop.outcome() or "seed %d: trained all %s" % (seed, plural(args.epochs, "epoch"))
    minutes = (time.time() - started) / 60
    return curve.accuracy, model.evaluate(Xt, yt)["accuracy"], minutes, outcome


def dropout_recipe(args):
    data = load_mnist_or_exit()  # (exits here, once, when MNIST is missing)
    sizes = args.layers
    X = data[0][0][:args.limit] if args.limit is not None else data[0][0]
    if args.jobs > 1:  # seeds side by side, each in a fresh process of its own
        import concurrent.futures
        import multiprocessing

        with concurrent.futures.ProcessPoolExecutor(
                args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(one_seed, [args] * len(args.seeds), args.seeds))
    else:
        results = [one_seed(args, seed, data) for seed in args.seeds]
    curves, finals, minutes, epochs = {}, {}, {}, {}
    for seed, (curve, final, spent, outcome) in zip(args.seeds, results):
        if outcome:
            print(outcome)
        curves[seed], finals[seed], minutes[seed], epochs[seed] = curve, final, spent, len(curve)
    values = [finals[s] for s in args.seeds]
    summary = "%.2f%% (%.2f%%-%.2f%%)" % (100 * statistics.median(values), 100 * min(values),
                                          100 * max(values))
    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    command = "%spython benchmarks/bench_recipe.py %s" % (
        "OPENBLAS_NUM_THREADS=%s " % threads if threads else "", " ".join(args.argv))
    stopping = (" Early stopping: the last 10%% of the training images held out, patience %d, "
                "the best epoch's weights restored; the test accuracy is that epoch's."
                % args.patience if args.patience is not None else
                " The test set is never used to choose anything: the result is the last epoch's.")
    lines = machine() + [
        "",
        "`%s`" % command,
        "",
        "A plain MLP, %s ReLU, no convolution and no augmentation: %s training images, float32 "
        "on the NumPy backend; dropout of %g%% of the pixels and %g%% of the hidden units; "
        "max-norm %g; momentum SGD (0.9) at learning rate %g annealed to 0 along a cosine over "
        "%s, batches of %d; every seed's own initial weights, shuffling and masks.%s"
        % ("-".join(map(str, sizes)), format(len(X), ","), 100 * DROPOUT["input_dropout"],
           100 * DROPOUT["dropout"], DROPOUT["max_norm"], DROPOUT["learning_rate"],
           plural(args.epochs, "epoch"), DROPOUT_FIT["batch_size"], stopping),
        "",
        "**Test accuracy, median (range) over %s: %s.**" % (plural(len(values), "seed"), summary),
        "",
        table(["seed", "test accuracy", "epochs trained", "minutes"],
              [[s, "%.2f%%" % (100 * finals[s]), epochs[s], "%.1f" % minutes[s]]
               for s in args.seeds]),
        "",
        "Test accuracy after each epoch:",
        "",
        table(["epoch"] + ["seed %d" % s for s in args.seeds],
              [[e + 1] + ["%.2f%%" % (100 * curves[s][e]) if e < epochs[s] else "-"
                          for s in args.seeds] for e in range(max(epochs.values()))]),
        "",
        "Load average at the end: %s." % load_average(),
    ]
    title = "The dropout recipe: %s on MNIST's test set with a plain MLP" % summary
    if is_reduced(args):
        title = "A reduced try-out of the dropout recipe (not the recipe): %s" % summary
    report(title, lines)
    out = args.out or (None if is_reduced(args) else
                       os.path.join(ROOT, "docs", "benchmarks", "recipe.md"))
    if out is None:
        print("not written to docs/benchmarks/recipe.md: a reduced setting (give --out to keep it)")
        return
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        f.write("# %s\n\nWritten by `benchmarks/bench_recipe.py --dropout`.\n\n%s\n"
                % (title, "\n".join(lines)))
    print("wrote", out)


def sizes(text):
    try:
        layers = [int(n) for n in text.split(",")]
    except ValueError:
        layers = []
    if len(layers) < 2 or layers[0] != 784 or layers[-1] != 10 or min(layers) < 1:
        raise argparse.ArgumentTypeError("takes sizes like 784,1024,1024,10 (784 in, 10 out), "
                                         "not %r" % text)
    return layers


def at_least(low):
    def number(text):
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError("takes a whole number >= %d, not %r" % (low, text))
        return value
    return number


def seed_list(text):
    try:
        return [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("takes seeds like 0,1,2, not %r" % text)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"],
                        help="the 10-epoch recipes' (default: float64; the dropout recipe is "
                        "float32)")
    parser.add_argument("--epochs", type=at_least(1), default=None, metavar="N",
                        help="10, or %d with --dropout" % DROPOUT_EPOCHS)
    parser.add_argument("--dropout", action="store_true",
                        help="train the dropout recipe instead, once per seed")
    parser.add_argument("--seeds", type=seed_list, default=[0, 1, 2], metavar="SEEDS",
                        help="with --dropout (default: 0,1,2)")
    parser.add_argument("--patience", type=at_least(0), default=None, metavar="N",
                        help="with --dropout: early stopping on 10%% of the training images "
                        "held out (default: none, all the epochs)")
    parser.add_argument("--layers", type=sizes, default=DROPOUT["sizes"], metavar="SIZES",
                        help="with --dropout: a reduced network to try the script "
                        "(default: %s)" % ",".join(map(str, DROPOUT["sizes"])))
    parser.add_argument("--limit", type=at_least(1), default=None, metavar="N",
                        help="with --dropout: train on the first N images only, to try the script")
    parser.add_argument("--jobs", type=at_least(1), default=1, metavar="N",
                        help="with --dropout: train N seeds at a time, each in its own process "
                        "(default: 1; use OPENBLAS_NUM_THREADS=1 with it)")
    parser.add_argument("--out", default=None, metavar="PATH", help="with --dropout: where to write the table "
                        "(default: docs/benchmarks/recipe.md for the full recipe)")
    args = parser.parse_args(argv)
    args.argv = argv
    def given(options):
        return [o for o in options if any(a == o or a.startswith(o + "=") for a in argv)]

    if not args.dropout and given(("--seeds", "--patience", "--layers", "--limit", "--jobs", "--out")):
        parser.error("%s: only with --dropout"
                     % ", ".join(given(("--seeds", "--patience", "--layers", "--limit", "--jobs", "--out"))))
    if args.dropout and given(("--dtype",)):
        parser.error("--dtype: the dropout recipe is float32 (--dtype is for the 10-epoch recipes)")
    if args.out and not os.path.isdir(os.path.dirname(os.path.abspath(args.out))):
        parser.error("--out %s: its folder does not exist" % args.out)
    if args.dropout:
        args.epochs = args.epochs or DROPOUT_EPOCHS
        dropout_recipe(args)
    else:
        args.epochs = args.epochs or 10
        ten_epochs(args)


if __name__ == "__main__":
    main()
