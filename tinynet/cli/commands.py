"""The commands of ``python -m tinynet``: one function each, taking the parsed
arguments and returning the exit status."""

import os
import sys

from .. import datasets
from ..datasets.sources import head
from ..errors import TinynetError
from ..files import check_writable, write_atomically
from .data import full_mnist, load_data
from .report import report, say


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
    from .. import DNN

    check_writable(args.out)  # now, not after a long run
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
        train, test, how = full_mnist(args)
        if train:
            (Xtr, ytr), (Xte, yte) = train, test
            source = "full MNIST (%d train, %d test) from %s, found via %s" % (
                len(Xtr), len(Xte), datasets.cache_dir(), how)
        else:
            Xtr, ytr = datasets.load_sample("train")
            Xte, yte = datasets.load_sample("test")
            source = "the bundled MNIST sample (%d train, %d test): %s" % (len(Xtr), len(Xte), how)
    say(args, "data: " + source)
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
    batch_size = args.batch_size if args.batch_size is not None else batch_size
    for key in ("optimizer", "learning_rate"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    if args.l2 is not None:
        settings["l2"] = args.l2
    model = DNN(sizes, activation=args.activation, output=args.output, loss=args.loss,
                seed=args.seed, backend=backend, dtype=args.dtype, **settings)
    say(args, "model: %r, %s parameters (%s)" % (model, format(model.n_parameters, ","), why))
    say(args, "training: %d epochs, batches of %d, l2 %g, learning rate annealed to 0 along a "
         "cosine" % (epochs, batch_size, model.optimizer.l2))
    history = _fit(model, Xtr, ytr, args, epochs, batch_size, (Xte, yte), schedule="cosine")
    report(model, Xte, yte, args, history)
    model.save(args.out)
    say(args, "saved the model to %s" % args.out)
    return 0


def _default_backend():
    from ..backends import backend_name

    return backend_name()


def cmd_train(args):
    from .. import DNN

    check_writable(args.out)  # now, not after a long run
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
                l2=args.l2 if args.l2 is not None else 0.0, seed=args.seed, backend=args.backend,
                dtype=args.dtype)
    say(args, "data: " + what)
    say(args, "model: %r" % model)
    history = _fit(model, X, y, args, 5 if args.epochs is None else args.epochs,
                   64 if args.batch_size is None else args.batch_size, test)
    if test is not None and args.plot:
        report(model, test[0], test[1], args, history)
    model.save(args.out)
    say(args, "saved the model to %s" % args.out)
    return 0


def cmd_evaluate(args):
    from .. import load

    model = load(args.model, backend=args.backend)
    X, y, what = load_data(args.data, "test", args.labels)
    if y is None:
        raise TinynetError("%s has no labels to evaluate against" % args.data)
    say(args, "data: " + what)
    report(model, X, y, args)
    return 0


def cmd_predict(args):
    from .. import load

    if args.submission:
        check_writable(args.submission)
    model = load(args.model, backend=args.backend)
    X, _, _ = load_data(args.data, "test", args.labels)
    predicted = model.classify(X)
    if args.submission:
        rows = "".join("%d,%d\n" % (i, label) for i, label in enumerate(predicted, 1))
        write_atomically(args.submission, ("ImageId,Label\n" + rows).encode("ascii"))
        print("wrote %d predictions to %s" % (len(predicted), args.submission))
    else:
        sys.stdout.write("".join("%d\n" % p for p in predicted))
    return 0


def cmd_convert(args):
    paths = args.paths
    src, rest = paths[0], paths[1:]
    src_labels = None
    if len(rest) >= 2 and datasets.kind(rest[0]) == "idx-labels":
        src_labels, rest = rest[0], rest[1:]
    if len(rest) not in (1, 2):
        raise TinynetError("convert takes: SRC [SRC_LABELS] DEST [DEST_LABELS]")
    for dest in rest:
        check_writable(dest)
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
    say(args, "converted %s -> %s" % (what, " + ".join(rest)))
    return 0


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
    if args.path != "sample" and not os.path.isdir(args.path) \
            and datasets.kind(args.path) == "model":
        return _show_model(args)
    X, y, what = load_data(args.path, "test", None)
    if not 0 <= args.index < len(X):
        raise TinynetError("--index %d is outside 0..%d" % (args.index, len(X) - 1))
    print("%s, image %d%s" % (what, args.index, ", label %d" % y[args.index] if y else ""))
    print(render_digit(X.row_bytes(args.index), int(round(X.width ** 0.5))))
    return 0


def _show_model(args):
    from .. import load
    from ..summary import text

    model = load(args.path, backend=args.backend)
    kind = "pickle" if head(args.path, 1) == b"\x80" else "JSON"
    print("model file: %s (%s, %s bytes)" % (args.path, kind, format(os.path.getsize(args.path), ",")))
    print(text(model))
    return 0


def cmd_gradcheck(args):
    import random

    from .. import DNN, gradient_check

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
