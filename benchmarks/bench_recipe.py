"""The MNIST recipes: test accuracy on the full MNIST.

    python benchmarks/bench_recipe.py [--dtype float64] [--epochs 10]
    python benchmarks/bench_recipe.py --dropout [--seeds 0,1,2] [--epochs 40] [--out PATH]

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
(or ``--out``).  About 40 minutes a seed on 2 shared cores here: run it
with ``OPENBLAS_NUM_THREADS=1`` on a busy machine (one thread is several
times faster than two that wait for each other).
"""

import argparse
import os
import statistics
import time

from common import ROOT, load_mnist_or_exit, load_average, machine, report, table

from tinynet import DNN

NETWORKS = ([784, 1250, 10], [784, 1024, 512, 10])

#: The dropout recipe (see the module's docstring).
DROPOUT = dict(sizes=[784, 1024, 1024, 10], input_dropout=0.2, dropout=0.5, max_norm=3.0,
               optimizer="momentum", learning_rate=0.1)
DROPOUT_FIT = dict(batch_size=128, schedule="cosine")
DROPOUT_EPOCHS = 40


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
                         "%d epochs, seed 0" % (args.dtype, args.epochs), "",
                         table(["network", "epoch", "seconds (incl. test)", "train accuracy",
                                "test accuracy"], rows)]
    report("The MNIST recipes: %s after %d epochs" % (", ".join(final), args.epochs), lines)


def dropout_recipe(args):
    (X, y), (Xt, yt) = load_mnist_or_exit()
    settings = dict(DROPOUT)
    sizes = settings.pop("sizes")
    curves, finals, minutes = {}, {}, {}
    for seed in args.seeds:
        model = DNN(sizes, seed=seed, backend="numpy", dtype="float32", **settings)
        started = time.time()
        # The test set is scored after each epoch to draw the curve; the
        # result is the last epoch's, whatever the others scored.
        history = model.fit(X, y, epochs=args.epochs, validation_data=(Xt, yt), verbose=2,
                            **DROPOUT_FIT)
        minutes[seed] = (time.time() - started) / 60
        curves[seed] = history.history["val_accuracy"]
        finals[seed] = model.evaluate(Xt, yt)["accuracy"]
    values = [finals[s] for s in args.seeds]
    summary = "%.2f%% (%.2f%%-%.2f%%)" % (100 * statistics.median(values), 100 * min(values),
                                          100 * max(values))
    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    command = "%spython benchmarks/bench_recipe.py --dropout --seeds %s --epochs %d" % (
        "OPENBLAS_NUM_THREADS=%s " % threads if threads else "", ",".join(map(str, args.seeds)),
        args.epochs)
    lines = machine() + [
        "",
        "`%s`" % command,
        "",
        "A plain MLP, %s ReLU, no convolution and no augmentation: float32 on the NumPy "
        "backend; dropout of %g%% of the pixels and %g%% of the hidden units; max-norm %g; "
        "momentum SGD (0.9) at learning rate %g annealed to 0 along a cosine over %d epochs, "
        "batches of %d; every seed's own initial weights, shuffling and masks. The test set "
        "is never used to choose anything: the result is the last epoch's."
        % ("-".join(map(str, sizes)), 100 * DROPOUT["input_dropout"], 100 * DROPOUT["dropout"],
           DROPOUT["max_norm"], DROPOUT["learning_rate"], args.epochs,
           DROPOUT_FIT["batch_size"]),
        "",
        "**Test accuracy, median (range) over %d seeds: %s.**" % (len(values), summary),
        "",
        table(["seed", "test accuracy", "minutes"],
              [[s, "%.2f%%" % (100 * finals[s]), "%.0f" % minutes[s]] for s in args.seeds]),
        "",
        "Test accuracy after each epoch:",
        "",
        table(["epoch"] + ["seed %d" % s for s in args.seeds],
              [[e + 1] + ["%.2f%%" % (100 * curves[s][e]) for s in args.seeds]
               for e in range(args.epochs)]),
        "",
        "Load average at the end: %s." % load_average(),
    ]
    title = "The dropout recipe: %s on MNIST's test set with a plain MLP" % summary
    report(title, lines)
    out = args.out or os.path.join(ROOT, "docs", "benchmarks", "recipe.md")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write("# %s\n\nWritten by `benchmarks/bench_recipe.py --dropout`.\n\n%s\n"
                % (title, "\n".join(lines)))
    print("wrote", out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", default="float64")
    parser.add_argument("--epochs", type=int, default=None,
                        help="10, or %d with --dropout" % DROPOUT_EPOCHS)
    parser.add_argument("--dropout", action="store_true",
                        help="train the dropout recipe instead, once per seed")
    parser.add_argument("--seeds", default="0,1,2", help="with --dropout (default: 0,1,2)")
    parser.add_argument("--out", default=None, help="with --dropout: where to write the table "
                        "(default: docs/benchmarks/recipe.md)")
    args = parser.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",")]
    if args.dropout:
        args.epochs = args.epochs or DROPOUT_EPOCHS
        dropout_recipe(args)
    else:
        args.epochs = args.epochs or 10
        ten_epochs(args)


if __name__ == "__main__":
    main()
