"""The tinynet command line: ``python -m tinynet COMMAND ...`` (or ``tinynet``).

Commands: mnist (train a digit classifier end to end), train, evaluate,
predict, convert, show, gradcheck.  ``python -m tinynet COMMAND --help``
explains each.  Mistakes (a bad path, option or file) get one line on stderr
and exit status 1 (2 for a bad command line), never a traceback.
"""

import argparse
import os
import sys

from . import datasets
from .errors import TinynetError

EXAMPLES = """examples:
  python -m tinynet mnist                      train on MNIST (full if cached or downloadable, else the bundled sample)
  python -m tinynet mnist --data ~/mnist       use the IDX files in ~/mnist
  python -m tinynet train mnist_train.csv --test mnist_test.csv --layers 784,128,10 --epochs 5 --out m.pkl
  python -m tinynet evaluate m.pkl mnist_test.csv
  python -m tinynet predict m.pkl test.csv --submission submission.csv
  python -m tinynet convert train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz mnist_train.csv
  python -m tinynet show m.pkl
  python -m tinynet gradcheck --layers 4,5,3 --activation tanh
"""


def _say(args, text):
    if not args.quiet:
        print(text, flush=True)


# === Data on the command line ===


def _labels_beside(images_path):
    """The labels file that goes with an IDX images file, by MNIST's naming."""
    directory, name = os.path.split(images_path)
    for a, b in (("images-idx3", "labels-idx1"), ("images", "labels")):
        if a in name:
            candidate = os.path.join(directory, name.replace(a, b))
            if os.path.exists(candidate):
                return candidate
    return None


def load_data(spec, split="train", labels=None, quiet=True):
    """Return ``(X, labels, description)`` for a data argument: "sample", a
    directory of MNIST IDX files, a CSV file, or an IDX images file (its
    labels file found beside it, or given).  Unless ``quiet``, reading a CSV
    shows a progress bar."""
    if spec == "sample":
        X, y = datasets.load_sample(split)
        return X, y, "the bundled MNIST sample (%s, %d images)" % (split, len(X))
    if os.path.isdir(spec):
        if not datasets.find_mnist(spec):
            raise TinynetError("%s: no MNIST IDX files (%s) in this directory"
                               % (spec, ", ".join(sorted(datasets.MD5))))
        X, y = datasets.load_mnist(split, spec, download=False)
        return X, y, "MNIST %s from %s (%d images)" % (split, spec, len(X))
    with open(spec, "rb") as f:
        head = f.read(4)
    is_idx = head[:3] == b"\x00\x00\x08" or (head[:2] == b"\x1f\x8b" and "idx" in spec)
    if is_idx and labels is None:
        labels = _labels_beside(spec)
    if is_idx:
        X, y = datasets.load(spec, labels)
    else:
        from .progress import Progress

        bar = None if quiet else Progress(0, "reading " + os.path.basename(spec), "rows", sys.stdout)
        X, y = datasets.load_csv(spec, callback=bar and (lambda rows: bar.update(rows)))
        if bar is not None:
            bar.update(len(X))
            if bar.live:
                bar.finish()
    return X, y, "%s (%d images%s)" % (spec, len(X), "" if y is not None else ", no labels")


def _full_mnist(args):
    """Find the full dataset for the mnist job: cache, else download."""
    cache = datasets.cache_dir()
    if datasets.find_mnist(cache):
        return cache, "the cache"
    if args.no_download:
        return None, "no download (--no-download)"
    _say(args, "downloading MNIST into %s ..." % cache)
    from .progress import Progress

    bars = {}

    def progress(name, done, total):
        if name not in bars:
            bars[name] = Progress(total, name, "B", sys.stdout)
        bars[name].update(done)

    try:
        for name in datasets.MD5:
            datasets.fetch(name, cache, timeout=20, callback=None if args.quiet else progress)
            if name in bars and bars[name].live:
                bars[name].finish()
    except TinynetError as err:
        _say(args, "download failed: %s" % err)
        return None, "the download failed"
    return cache, "a download"


# === Reports ===


def confusion_matrix(predicted, labels, classes=10):
    matrix = [[0] * classes for _ in range(classes)]
    for p, t in zip(predicted, labels):
        matrix[t][p] += 1
    return matrix


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
    _say(args, "test accuracy %.2f%% (%d of %d), loss %.4f" % (
        100 * scores["accuracy"], round(scores["accuracy"] * len(labels)), len(labels),
        scores["loss"]))
    _say(args, format_confusion(matrix))
    if getattr(args, "plot", None):
        for path in plot(args.plot, model, X, labels, predicted, matrix, history):
            _say(args, "wrote " + path)
    return scores, predicted, matrix


def plot(directory, model, X, labels, predicted, matrix, history=None):
    """Write the pictures for a trained model into ``directory``; return
    their paths."""
    from . import png

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


# === Commands ===


def _model_options(parser, layers=None):
    parser.add_argument("--layers", default=layers,
                        help="layer sizes, input first, e.g. 784,128,10 (default: %(default)s)")
    parser.add_argument("--activation", default="relu", choices=["relu", "tanh", "sigmoid"])
    parser.add_argument("--output", default="softmax", choices=["softmax", "sigmoid", "linear"])
    parser.add_argument("--loss", default="cross_entropy", choices=["cross_entropy", "mse"])
    parser.add_argument("--optimizer", default=None, choices=["sgd", "momentum", "adam"])
    parser.add_argument("--learning-rate", type=float, default=None)
    parser.add_argument("--l2", type=float, default=None, help="weight decay")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dtype", default=None, choices=["float64", "float32"])


def _common(parser, plots=False):
    if plots:
        parser.add_argument("--plot", metavar="DIR", help="write PNG pictures into DIR: "
                            "misclassified digits, first-layer weights, confusion matrix, curves")
    parser.add_argument("--backend", choices=["numpy", "python"], default=None,
                        help="default: $TINYNET_BACKEND, else numpy if installed")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")


def _parse_layers(text):
    try:
        sizes = [int(v) for v in text.split(",")]
    except ValueError:
        raise TinynetError("--layers takes sizes like 784,128,10, not %r" % text) from None
    return sizes


def _fit(model, X, y, args, epochs, batch_size, test=None, schedule=None):
    from .progress import TrainingProgress

    callback = None if args.quiet else TrainingProgress(sys.stdout)
    return model.fit(X, y, epochs=epochs, batch_size=batch_size, validation_data=test,
                     callback=callback, schedule=schedule)


def cmd_mnist(args):
    from . import DNN

    if args.data:
        Xtr, ytr, source = load_data(args.data, "train", quiet=args.quiet)
        if os.path.isdir(args.data) or args.data == "sample":  # both splits in one place
            Xte, yte, _ = load_data(args.data, "test")
        elif args.test:
            Xte, yte, _ = load_data(args.test, "test", quiet=args.quiet)
        else:
            raise TinynetError("give --test FILE with a labelled test set to go with %s" % args.data)
        for path, labels in ((args.data, ytr), (args.test, yte)):
            if labels is None:
                raise TinynetError("%s has no labels (a labelled file is needed here)" % path)
    else:
        directory, how = _full_mnist(args)
        if directory:
            Xtr, ytr = datasets.load_mnist("train", directory, download=False)
            Xte, yte = datasets.load_mnist("test", directory, download=False)
            source = "full MNIST (%d train, %d test) from %s, found via %s" % (
                len(Xtr), len(Xte), directory, how)
        else:
            Xtr, ytr = datasets.load_sample("train")
            Xte, yte = datasets.load_sample("test")
            source = "the bundled MNIST sample (%d train, %d test): %s" % (len(Xtr), len(Xte), how)
    _say(args, "data: " + source)
    backend = args.backend or _default_backend()
    # The recipe: momentum SGD, weight decay, and a learning rate annealed to
    # zero along a cosine; [784, 1250, 10] reaches 98.3% on full MNIST in 10
    # epochs (benchmarks/bench_numpy.py --accuracy measures it).
    settings = dict(optimizer="momentum", learning_rate=0.1, l2=2e-4)
    if backend == "numpy":
        sizes, epochs, batch_size = [784, 1250, 10], 10, 128
        why = "the tutorial's network"
    else:
        sizes, epochs, batch_size = [784, 64, 10], (2 if len(Xtr) > 10000 else 10), 32
        why = "a small network the pure-Python backend trains in a couple of minutes"
    if args.layers:
        sizes = _parse_layers(args.layers)
        why = "the layers given"
    epochs = args.epochs if args.epochs is not None else epochs
    batch_size = args.batch_size or batch_size
    for key in ("optimizer", "learning_rate"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    if args.l2:
        settings["l2"] = args.l2
    model = DNN(sizes, activation=args.activation, output=args.output, loss=args.loss,
                seed=args.seed, backend=backend, dtype=args.dtype, **settings)
    _say(args, "model: %r, %s parameters (%s)" % (model, format(model.n_parameters, ","), why))
    _say(args, "training: %d epochs, batches of %d, l2 %g, learning rate annealed to 0 along a "
         "cosine" % (epochs, batch_size, model.optimizer.l2))
    history = _fit(model, Xtr, ytr, args, epochs, batch_size, (Xte, yte), schedule="cosine")
    report(model, Xte, yte, args, history)
    model.save(args.out)
    _say(args, "saved the model to %s" % args.out)
    return 0


def _default_backend():
    from .backends import backend_name

    return backend_name()


def cmd_train(args):
    from . import DNN

    X, y, what = load_data(args.data, "train", args.labels, quiet=args.quiet)
    if y is None:
        raise TinynetError("%s has no labels to train on" % args.data)
    test = None
    if args.test:
        Xte, yte, _ = load_data(args.test, "test")
        if yte is None:
            raise TinynetError("%s has no labels to test against" % args.test)
        test = (Xte, yte)
    sizes = _parse_layers(args.layers) if args.layers else [X.width, 128, 10]
    model = DNN(sizes, activation=args.activation, output=args.output, loss=args.loss,
                optimizer=args.optimizer or "momentum", learning_rate=args.learning_rate,
                l2=args.l2 or 0.0, seed=args.seed, backend=args.backend, dtype=args.dtype)
    _say(args, "data: " + what)
    _say(args, "model: %r" % model)
    history = _fit(model, X, y, args, args.epochs or 5, args.batch_size or 64, test)
    if test is not None and args.plot:
        report(model, test[0], test[1], args, history)
    model.save(args.out)
    _say(args, "saved the model to %s" % args.out)
    return 0


def cmd_evaluate(args):
    from .io import load

    model = load(args.model, backend=args.backend)
    X, y, what = load_data(args.data, "test", args.labels)
    if y is None:
        raise TinynetError("%s has no labels to evaluate against" % args.data)
    _say(args, "data: " + what)
    report(model, X, y, args)
    return 0


def cmd_predict(args):
    from .io import load

    model = load(args.model, backend=args.backend)
    X, _, _ = load_data(args.data, "test", args.labels)
    predicted = model.classify(X)
    if args.submission:
        tmp = args.submission + ".tmp"
        with open(tmp, "w", newline="") as f:
            f.write("ImageId,Label\n")
            for i, label in enumerate(predicted, 1):
                f.write("%d,%d\n" % (i, label))
        os.replace(tmp, args.submission)
        print("wrote %d predictions to %s" % (len(predicted), args.submission))
    else:
        sys.stdout.write("".join("%d\n" % p for p in predicted))
    return 0


def cmd_convert(args):
    paths = args.paths
    src, rest = paths[0], paths[1:]
    src_labels = None
    if len(rest) >= 2 and _is_idx_labels(rest[0]):
        src_labels, rest = rest[0], rest[1:]
    if len(rest) not in (1, 2):
        raise TinynetError("convert takes: SRC [SRC_LABELS] DEST [DEST_LABELS]")
    X, y, what = load_data(src, "train", src_labels)
    dest = rest[0]
    if dest.endswith((".csv", ".csv.gz")):
        datasets.save_csv(dest, X, y)
    else:
        dest_labels = rest[1] if len(rest) == 2 else None
        if y is not None and dest_labels is None:
            raise TinynetError("give a labels file to write the labels to: convert SRC DEST "
                               "DEST_LABELS")
        datasets.save_idx(dest, X, dest_labels, y)
    _say(args, "converted %s -> %s" % (what, " + ".join(rest)))
    return 0


def _is_idx_labels(path):
    """Whether ``path`` is an existing IDX file of one dimension (labels)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return False
    if head[:2] == b"\x1f\x8b":
        import gzip

        with gzip.open(path, "rb") as f:
            head = f.read(4)
    return head == b"\x00\x00\x08\x01"


SHADES = " ░▒▓█"


def render_digit(pixels, width=28):
    """Return a digit (0-255 pixels) drawn with Unicode shading, two
    characters a pixel so it keeps its shape."""
    rows = []
    for r in range(len(pixels) // width):
        row = pixels[r * width:(r + 1) * width]
        rows.append("".join(SHADES[min(p * len(SHADES) // 256, len(SHADES) - 1)] * 2 for p in row))
    return "\n".join(rows)


def cmd_show(args):
    if args.path != "sample" and not os.path.isdir(args.path):
        with open(args.path, "rb") as f:
            if f.read(1) in (b"\x80", b"{"):
                return _show_model(args)
    X, y, what = load_data(args.path, "test", None)
    if not 0 <= args.index < len(X):
        raise TinynetError("--index %d is outside 0..%d" % (args.index, len(X) - 1))
    print("%s, image %d%s" % (what, args.index, ", label %d" % y[args.index] if y else ""))
    print(render_digit(X.row_bytes(args.index), int(round(X.width ** 0.5))))
    return 0


def _show_model(args):
    from .io import load

    model = load(args.path, backend=args.backend)
    with open(args.path, "rb") as f:
        kind = "pickle" if f.read(1) == b"\x80" else "JSON"
    print("model file   %s (%s, %s bytes)" % (args.path, kind, format(os.path.getsize(args.path), ",")))
    print("layers       %s" % " -> ".join(map(str, model.sizes)))
    print("parameters   %s" % format(model.n_parameters, ","))
    print("activation   %s (hidden), %s (output)" % (model.hidden.name, model.output.name))
    print("loss         %s" % model.loss.name)
    print("optimizer    %s, learning rate %g, l2 %g" % (model.optimizer.name, model.learning_rate,
                                                        model.optimizer.l2))
    print("backend      %s (%s)" % (model.backend, getattr(model.dtype, "__name__", model.dtype)))
    return 0


def cmd_gradcheck(args):
    import random

    from . import DNN, gradient_check

    sizes = _parse_layers(args.layers or "4,5,3")
    model = DNN(sizes, activation=args.activation, output=args.output, loss=args.loss,
                seed=args.seed, backend=args.backend)
    rng = random.Random(args.seed)
    X = [[rng.uniform(-1, 1) for _ in range(sizes[0])] for _ in range(args.samples)]
    if args.output == "softmax":
        y = [rng.randrange(sizes[-1]) for _ in X]
    else:
        y = [[rng.random() for _ in range(sizes[-1])] for _ in X]
    check = gradient_check(model, X, y)
    print("%s: %d parameters, largest relative error %.3g (%s)" % (
        model, len(check.entries), check.max_error, "ok" if check.max_error < 1e-6 else "FAILED"))
    for name, i, j, numeric, analytic, error in check.entries[:args.show]:
        print("  %-11s [%d][%d]  numeric %+.9f  backprop %+.9f  error %.2g"
              % (name, i, j, numeric, analytic, error))
    return 0 if check.max_error < 1e-6 else 1


def build_parser():
    parser = argparse.ArgumentParser(
        prog="tinynet", description="Train and use small fully-connected neural networks.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    from . import __version__

    parser.add_argument("--version", action="version", version="tinynet " + __version__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("mnist", help="train a digit classifier on MNIST and report its accuracy",
                       description="Train a digit classifier and report test accuracy. Data: "
                       "--data if given, else full MNIST from the cache ($TINYNET_DATA or the "
                       "per-user cache), else a download, else the bundled sample.",
                       epilog="example: python -m tinynet mnist --epochs 3 --out digits.pkl",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", help="'sample', a directory of MNIST IDX files, or a training CSV")
    p.add_argument("--test", help="a labelled test CSV (with --data CSV)")
    p.add_argument("--no-download", action="store_true", help="never download")
    p.add_argument("--out", default="mnist-model.pkl", help="where to save the model (%(default)s)")
    _model_options(p)
    _common(p, plots=True)
    p.set_defaults(run=cmd_mnist)

    p = sub.add_parser("train", help="train a model on CSV or IDX data and save it",
                       epilog="example: python -m tinynet train mnist_train.csv --test "
                       "mnist_test.csv --layers 784,128,10 --epochs 5 --out m.pkl")
    p.add_argument("data", help="training data: CSV, IDX images, a directory, or 'sample'")
    p.add_argument("--labels", help="IDX labels file (default: found beside the images)")
    p.add_argument("--test", help="labelled test data to report on after each epoch")
    p.add_argument("--out", default="model.pkl", help="where to save the model (%(default)s; "
                   "a .json name saves JSON)")
    _model_options(p)
    _common(p, plots=True)
    p.set_defaults(run=cmd_train)

    p = sub.add_parser("evaluate", help="accuracy, loss and confusion matrix of a model on data",
                       epilog="example: python -m tinynet evaluate m.pkl mnist_test.csv")
    p.add_argument("model")
    p.add_argument("data")
    p.add_argument("--labels", help="IDX labels file")
    _common(p, plots=True)
    p.set_defaults(run=cmd_evaluate)

    p = sub.add_parser("predict", help="predict one class per row, or write a Kaggle submission",
                       epilog="example: python -m tinynet predict m.pkl test.csv --submission "
                       "submission.csv")
    p.add_argument("model")
    p.add_argument("data")
    p.add_argument("--labels", help=argparse.SUPPRESS)
    p.add_argument("--submission", help="write ImageId,Label rows to this CSV file")
    _common(p)
    p.set_defaults(run=cmd_predict)

    p = sub.add_parser("convert", help="convert between MNIST IDX and CSV",
                       epilog="examples:\n  python -m tinynet convert train-images-idx3-ubyte.gz "
                       "train-labels-idx1-ubyte.gz mnist_train.csv\n  python -m tinynet convert "
                       "mnist_train.csv images.idx labels.idx",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="SRC [SRC_LABELS] DEST [DEST_LABELS]")
    _common(p)
    p.set_defaults(run=cmd_convert)

    p = sub.add_parser("show", help="summarise a model file, or draw a digit from a data file",
                       epilog="examples:\n  python -m tinynet show m.pkl\n  python -m tinynet show "
                       "mnist_test.csv --index 7",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path")
    p.add_argument("--index", type=int, default=0, help="which image to draw (%(default)s)")
    _common(p)
    p.set_defaults(run=cmd_show)

    p = sub.add_parser("gradcheck", help="check backpropagation against finite differences",
                       epilog="example: python -m tinynet gradcheck --layers 4,5,3 --activation tanh")
    p.add_argument("--layers", default=None, help="layer sizes (4,5,3)")
    p.add_argument("--activation", default="tanh", choices=["relu", "tanh", "sigmoid"])
    p.add_argument("--output", default="softmax", choices=["softmax", "sigmoid", "linear"])
    p.add_argument("--loss", default="cross_entropy", choices=["cross_entropy", "mse"])
    p.add_argument("--samples", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--show", type=int, default=5, help="how many entries to list")
    _common(p)
    p.set_defaults(run=cmd_gradcheck)
    return parser


def main(argv=None):
    """Run the command line with ``argv`` (default: sys.argv[1:]); return
    the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (TinynetError, ValueError, TypeError, OSError, ImportError) as err:
        message = str(err) if not isinstance(err, OSError) or not err.filename else \
            "%s: %s" % (err.filename, err.strerror)
        print("tinynet: error: %s" % message, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tinynet: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
