"""The commands of ``python -m tinynet``: one function each, taking the parsed
arguments and returning the exit status.  Each one first checks everything
it was given (:mod:`.checks`), then loads, trains or writes: a refused call
has changed nothing and cost nothing."""

import os
import sys

from .. import datasets
from ..errors import TinynetError, plural
from ..escape import printable
from ..files import write_atomically
from . import checks
from .data import full_mnist, load_data
from .options import HELD_OUT, learning_rate, recipe
from .report import report, say


def _model(args, sizes, backend):
    """The network the options describe; building it checks them too."""
    from .. import DNN

    rate = args.learning_rate if args.learning_rate is not None else learning_rate(args.optimizer)
    return DNN(sizes, activation=args.activation, output=args.output, loss=args.loss,
               optimizer=args.optimizer, learning_rate=rate, l2=args.l2, seed=args.seed,
               backend=backend, dtype=args.dtype, dropout=args.dropout, max_norm=args.max_norm,
               input_dropout=args.input_dropout)


def _train(model, X, y, args, why, test=None):
    """Fit ``model`` by the recipe (what the options leave open) and return
    the history.  Each epoch is scored on ``test``, or, with --patience, on
    the held-out end of the training data that early stopping watches."""
    from ..callbacks import EarlyStopping
    from ..progress import TrainingProgress

    _, epochs, batch_size = recipe(model.backend, len(X))
    epochs = args.epochs if args.epochs is not None else epochs
    batch_size = args.batch_size if args.batch_size is not None else batch_size
    say(args, "model: %r, %s parameters (%s)" % (model, format(model.n_parameters, ","), why))
    schedule = None if args.schedule == "constant" else args.schedule
    say(args, "training: %s, batches of %d, %s, learning rate %g%s, l2 %g%s%s%s%s" % (
        plural(epochs, "epoch"), batch_size, args.optimizer, model.optimizer.learning_rate,
        " annealed to 0 along a %s" % ("cosine" if schedule == "cosine" else "line")
        if schedule else "", model.optimizer.l2,
        ", input dropout %g" % model.input_dropout if model.input_dropout else "",
        ", dropout %s" % ",".join("%g" % p for p in model.dropout) if any(model.dropout) else "",
        ", max-norm %g" % model.max_norm if model.max_norm else "",
        ", early stopping after %s without improvement on the last %d%% of the training data"
        % (plural(args.patience, "epoch"), round(100 * HELD_OUT))
        if args.patience is not None else ""))
    stopper = EarlyStopping(patience=args.patience) if args.patience is not None else None
    callback = None if args.quiet else TrainingProgress(sys.stdout, validation="val" if stopper
                                                        else "test")
    history = model.fit(X, y, epochs=epochs, batch_size=batch_size,
                        validation_data=None if stopper else test,
                        validation_split=HELD_OUT if stopper else 0.0, callback=callback,
                        schedule=schedule, early_stopping=stopper)
    if stopper is not None and stopper.outcome():
        say(args, stopper.outcome())
    return history


def _why(args, backend):
    if args.layers:
        return "the layers given"
    if backend.startswith("numpy"):
        return "the tutorial's network"
    return "a small network the pure-Python backend trains in minutes"


def _n_classes(*label_lists):
    return max(max(labels) for labels in label_lists if labels) + 1


def cmd_mnist(args):
    backend = checks.backend(args.backend)
    checks.output(args.out)
    checks.plot_dir(args.plot, args.plot_format)
    sizes = args.layers or [datasets.PIXELS, recipe(backend, 0)[0], 10]
    checks.sizes(sizes, datasets.PIXELS, "MNIST (28x28 pixels)")
    checks.classes(sizes, 10, "MNIST (the digits 0-9)")
    if args.data:
        if args.download or args.no_download:
            raise TinynetError("--download and --no-download are for the full MNIST; --data "
                               "names the data to use")
        kind = checks.data(args.data, "--data")
        if kind in ("csv", "idx-images") and not args.test:
            raise TinynetError("give --test FILE with a labelled test set to go with --data %s"
                               % args.data)
        _check_labelled(args.data, kind, "--data")
        if args.test:
            _check_labelled(args.test, checks.data(args.test, "--test"), "--test")
    elif args.test:
        raise TinynetError("--test goes with --data (the full MNIST and the sample bring their "
                           "own test sets)")
    model = _model(args, sizes, backend)
    if args.data:
        Xtr, ytr, source = load_data(args.data, "train", quiet=args.quiet)
        Xte, yte, _ = load_data(args.test or args.data, "test", quiet=args.quiet)
        for path, labels in ((args.data, ytr), (args.test or args.data, yte)):
            if labels is None:
                raise TinynetError("%s has no labels (a labelled file is needed here)" % path)
        checks.classes(sizes, _n_classes(ytr, yte), args.data)
    else:
        train, test, how = full_mnist(args)
        if train:
            (Xtr, ytr), (Xte, yte) = train, test
            source = "full MNIST (%d train, %d test) from %s, found via %s" % (
                len(Xtr), len(Xte), printable(datasets.cache_dir()), how)
        else:
            Xtr, ytr = datasets.load_sample("train")
            Xte, yte = datasets.load_sample("test")
            source = "the bundled MNIST sample (%d train, %d test): %s" % (len(Xtr), len(Xte), how)
    say(args, "data: " + source)
    history = _train(model, Xtr, ytr, args, _why(args, backend), (Xte, yte))
    report(model, Xte, yte, args, history)
    model.save(args.out)
    say(args, "saved the model to %s" % printable(args.out))
    return 0


def _check_labelled(spec, kind, option=None):
    if checks.labelled(spec, kind) is False:
        raise TinynetError("%s%s has no labels (a labelled file is needed here)"
                           % (option + " " if option else "", spec))


def cmd_train(args):
    backend = checks.backend(args.backend)
    checks.output(args.out)
    checks.plot_dir(args.plot, args.plot_format)
    if args.plot and not args.test:
        raise TinynetError("--plot needs --test: the pictures show the model on labelled test "
                           "data")
    kind = checks.data(args.data)
    checks.labels(args.labels, kind)
    if checks.labelled(args.data, kind, args.labels) is False:
        raise TinynetError("%s has no labels to train on" % args.data)
    inputs = checks.width(args.data, kind)
    checks.sizes(args.layers, inputs, args.data)
    if args.test:
        test_kind = checks.data(args.test, "--test")
        _check_labelled(args.test, test_kind, "--test")
        if checks.width(args.test, test_kind) != inputs:
            raise TinynetError("--test %s has %d values per image, %s has %d" % (
                args.test, checks.width(args.test, test_kind), args.data, inputs))
    sizes = list(args.layers or [inputs, recipe(backend, 0)[0], 10])
    model = _model(args, sizes, backend)
    regression = not model.output_activation.probabilities and sizes[-1] == 1  # labels as values
    X, y, what = load_data(args.data, "train", args.labels, quiet=args.quiet)
    if y is None:
        raise TinynetError("%s has no labels to train on" % args.data)
    test = None
    if args.test:
        Xte, yte, _ = load_data(args.test, "test")
        if yte is None:
            raise TinynetError("%s has no labels to test against" % args.test)
        test = (Xte, yte)
    n = _n_classes(y, test[1] if test else None)
    if regression:
        pass
    elif args.layers:
        checks.classes(sizes, n, args.data)
    elif n > sizes[-1]:  # the default output layer: one unit per class
        sizes[-1] = n
        model = _model(args, sizes, backend)
    say(args, "data: " + what)
    history = _train(model, X, y, args, _why(args, backend), test)
    if test is not None:
        report(model, test[0], test[1], args, history)
    model.save(args.out)
    say(args, "saved the model to %s" % printable(args.out))
    return 0


def _check_model_and_data(args, command):
    """Check MODEL and DATA (and --labels); return the data's kind."""
    if args.backend:
        checks.backend(args.backend)
    checks.model_then_data(args.model, args.data, command)
    kind = checks.data(args.data)
    checks.labels(args.labels, kind)
    return kind


def _check_width(model, args, kind):
    inputs = checks.width(args.data, kind)
    if model.sizes[0] != inputs:
        raise TinynetError("%s has %d values per image; the model %s takes %d"
                           % (args.data, inputs, args.model, model.sizes[0]))


def cmd_evaluate(args):
    from .. import load

    checks.plot_dir(args.plot, args.plot_format)
    kind = _check_model_and_data(args, "evaluate")
    if checks.labelled(args.data, kind, args.labels) is False:
        raise TinynetError("%s has no labels to evaluate against" % args.data)
    model = load(args.model, backend=args.backend)
    _check_width(model, args, kind)
    X, y, what = load_data(args.data, "test", args.labels)
    if y is None:
        raise TinynetError("%s has no labels to evaluate against" % args.data)
    say(args, "data: " + what)
    report(model, X, y, args)
    return 0


def cmd_predict(args):
    from .. import load

    checks.output(args.submission, "--submission")
    kind = _check_model_and_data(args, "predict")
    model = load(args.model, backend=args.backend)
    _check_width(model, args, kind)
    X, _, _ = load_data(args.data, "test", args.labels)
    predicted = model.classify(X)
    if args.submission:
        rows = "".join("%d,%d\n" % (i, label) for i, label in enumerate(predicted, 1))
        write_atomically(args.submission, ("ImageId,Label\n" + rows).encode("ascii"))
        say(args, "wrote %s to %s" % (plural(len(predicted), "prediction"),
                                      printable(args.submission)))
    else:
        sys.stdout.write("".join("%d\n" % p for p in predicted))
    return 0


def cmd_convert(args):
    paths = args.paths
    src, rest = paths[0], paths[1:]
    src_labels = None
    if len(rest) >= 2 and os.path.isfile(rest[0]) and datasets.kind(rest[0]) == "idx-labels":
        src_labels, rest = rest[0], rest[1:]
    if len(rest) not in (1, 2):
        raise TinynetError("convert takes: SRC [SRC_LABELS] DEST [DEST_LABELS]")
    kind = checks.data(src)
    if src_labels:
        checks.labels(src_labels, kind)
    dest = rest[0]
    if not dest.endswith((".csv", ".csv.gz")) and len(rest) == 1 \
            and checks.labelled(src, kind, src_labels) is not False:
        raise TinynetError("give a labels file to write the labels to: convert SRC DEST "
                           "DEST_LABELS (a .csv DEST holds them itself)")
    for path in rest:
        checks.output(path, "convert")
    X, y, what = load_data(src, "train", src_labels)
    if dest.endswith((".csv", ".csv.gz")):
        datasets.save_csv(dest, X, y)
    else:
        dest_labels = rest[1] if len(rest) == 2 else None
        if y is not None and dest_labels is None:
            raise TinynetError("give a labels file to write the labels to: convert SRC DEST "
                               "DEST_LABELS")
        datasets.save_idx(dest, X, dest_labels, y)
    say(args, "converted %s -> %s" % (what, " + ".join(map(printable, rest))))
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
    if args.backend:
        checks.backend(args.backend)
    if checks.is_model_file(args.path):
        return _show_model(args)
    checks.data(args.path)
    X, y, what = load_data(args.path, "test", None)
    if not 0 <= args.index < len(X):
        raise TinynetError("--index %d is outside 0..%d" % (args.index, len(X) - 1))
    print("%s, image %d%s" % (printable(what), args.index,
                              ", label %d" % y[args.index] if y else ""))
    print(render_digit(X.row_bytes(args.index), int(round(X.width ** 0.5))))
    return 0


def _show_model(args):
    from .. import load
    from ..kinds import kind_of_file
    from ..summary import text

    model = load(args.path, backend=args.backend)
    kind = {"json": "JSON", "compact": "compact, for boards"}.get(
        kind_of_file(args.path), "pickle")
    print("model file: %s (%s, %s bytes)" % (printable(args.path), kind,
                                            format(os.path.getsize(args.path), ",")))
    print(text(model))
    return 0


def cmd_gradcheck(args):
    import random

    from .. import DNN, gradient_check

    sizes = args.layers
    if args.backend:
        checks.backend(args.backend)
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
    for name, i, j, numeric, analytic, error in check.entries[:0 if args.quiet else args.show]:
        print("  %-11s [%d][%d]  numeric %+.9f  backprop %+.9f  error %.2g"
              % (name, i, j, numeric, analytic, error))
    return 0 if check.max_error < 1e-6 else 1
