"""The tinynet command line: ``python -m tinynet COMMAND ...`` (or ``tinynet``).

Commands: mnist (train a digit classifier end to end), train, evaluate,
predict, convert, show, gradcheck, board, export and import (to and from
PyTorch and ONNX).  ``python -m tinynet COMMAND --help``
explains each.  Mistakes (a bad path, option or file) get one line on stderr
and exit status 1 (2 for a bad command line), never a traceback.
"""

import argparse
import os
import sys

from ..dnn import HIDDEN, LOSSES, OUTPUT
from ..errors import TinynetError
from . import board, interop
from .commands import (cmd_convert, cmd_evaluate, cmd_gradcheck, cmd_mnist, cmd_predict,
                       cmd_show, cmd_train)
from .options import common, count, layers, model_options

EXAMPLES = """examples:
  python -m tinynet mnist                      train on MNIST (full if cached or downloadable, else the bundled sample)
  python -m tinynet mnist --data ~/mnist       use the IDX files in ~/mnist
  python -m tinynet train mnist_train.csv --test mnist_test.csv --layers 784,128,10 --epochs 5 --out m.pkl
  python -m tinynet evaluate m.pkl mnist_test.csv
  python -m tinynet predict m.pkl test.csv --submission submission.csv
  python -m tinynet convert train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz mnist_train.csv
  python -m tinynet show m.pkl
  python -m tinynet gradcheck --layers 4,5,3 --activation tanh
  python -m tinynet export m.pkl m.onnx        for ONNX Runtime (or m.safetensors, for PyTorch)
  python -m tinynet import m.safetensors m.pkl --activation relu --output softmax

docs/cli.md is the full reference.
"""


class _Formatter(argparse.HelpFormatter):
    """argparse's help, with an epilog of examples kept line by line (a
    description is still wrapped)."""

    def _fill_text(self, text, width, indent):
        if text.startswith("example"):
            return "".join(indent + line for line in text.splitlines(True))
        return super()._fill_text(text, width, indent)


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error in one line (exit status 2), examples
    kept as written, and a failure to write the help passed on (argparse
    hides it), so that a reader gone away ends ``--help`` as it ends every
    command."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.exit(2, "%s: error: %s (see %s --help)\n" % (self.prog, message, self.prog))

    def _print_message(self, message, file=None):
        if message:
            (file or sys.stderr).write(message)


def build_parser():
    parser = _Parser(
        prog="tinynet", description="Train and use small fully-connected neural networks.",
        epilog=EXAMPLES)
    from .. import __version__

    parser.add_argument("--version", action="version", version="tinynet " + __version__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("mnist", help="train a digit classifier on MNIST and report its accuracy",
                       description="Train a digit classifier and report test accuracy. Data: "
                       "--data if given, else full MNIST from the cache ($TINYNET_DATA or the "
                       "per-user cache), else a download, else the bundled sample. mnist and "
                       "train share one recipe: momentum SGD, weight decay, a learning rate "
                       "annealed along a cosine, and a network sized for the backend.",
                       epilog="example: python -m tinynet mnist --epochs 3 --out digits.pkl")
    p.add_argument("--data", help="'sample', a directory of MNIST IDX files, or a training CSV "
                   "or IDX file (default: the full MNIST, else the bundled sample)")
    p.add_argument("--test", help="labelled test data to go with a --data file (default: the "
                   "test set of the full MNIST, the sample or the --data directory)")
    fetching = p.add_mutually_exclusive_group()
    fetching.add_argument("--no-download", action="store_true",
                          help="never download: use the cache, else the sample")
    fetching.add_argument("--download", action="store_true",
                          help="download now even if a download failed less than an hour ago "
                          "(by default a failure is remembered for an hour, and the sample used)")
    p.add_argument("--out", default="mnist-model.pkl",
                   help="where to save the model (default: %(default)s; a .json name saves JSON)")
    model_options(p, "mnist")
    common(p, plots=True, quiet_result="the test accuracy")
    p.set_defaults(run=cmd_mnist)

    p = sub.add_parser("train", help="train a model on CSV or IDX data and save it",
                       description="Train a model on your data with the recipe mnist uses (see "
                       "tinynet mnist --help) and save it.",
                       epilog="example: python -m tinynet train mnist_train.csv --test "
                       "mnist_test.csv --layers 784,128,10 --epochs 5 --out m.pkl")
    p.add_argument("data", help="training data: CSV, IDX images, a directory, or 'sample'")
    p.add_argument("--labels", help="IDX labels file (default: found beside the images by "
                   "MNIST's naming)")
    p.add_argument("--test", help="labelled test data to report on after each epoch (default: "
                   "none)")
    p.add_argument("--out", default="model.pkl", help="where to save the model (default: "
                   "%(default)s; a .json name saves JSON)")
    model_options(p, "train")
    common(p, plots=True, quiet_result="the test accuracy")
    p.set_defaults(run=cmd_train)

    p = sub.add_parser("evaluate", help="accuracy, loss and confusion matrix of a model on data",
                       epilog="example: python -m tinynet evaluate m.pkl mnist_test.csv")
    p.add_argument("model", help="a saved model (.pkl, .json or .tnb)")
    p.add_argument("data", help="labelled data: CSV, IDX images, a directory, or 'sample'")
    p.add_argument("--labels", help="IDX labels file (default: found beside the images)")
    common(p, plots=True, quiet_result="the accuracy", curves=False)
    p.set_defaults(run=cmd_evaluate)

    p = sub.add_parser("predict", help="predict one class per row, or write a Kaggle submission",
                       epilog="example: python -m tinynet predict m.pkl test.csv --submission "
                       "submission.csv")
    p.add_argument("model", help="a saved model (.pkl, .json or .tnb)")
    p.add_argument("data", help="data: CSV, IDX images, a directory, or 'sample'")
    p.add_argument("--labels", help=argparse.SUPPRESS)
    p.add_argument("--submission", metavar="CSV", help="write ImageId,Label rows to this CSV "
                   "file (default: print one class a line)")
    common(p, quiet_result="the predictions")
    p.set_defaults(run=cmd_predict)

    p = sub.add_parser("convert", help="convert between MNIST IDX and CSV",
                       epilog="examples:\n  python -m tinynet convert train-images-idx3-ubyte.gz "
                       "train-labels-idx1-ubyte.gz mnist_train.csv\n  python -m tinynet convert "
                       "mnist_train.csv images.idx labels.idx")
    p.add_argument("paths", nargs="+", metavar="PATH", help="SRC [SRC_LABELS] DEST [DEST_LABELS]")
    common(p, backend=False)
    p.set_defaults(run=cmd_convert)

    p = sub.add_parser("show", help="summarise a model file, or draw a digit from a data file",
                       epilog="examples:\n  python -m tinynet show m.pkl\n  python -m tinynet show "
                       "mnist_test.csv --index 7")
    p.add_argument("path", help="a saved model, or data: CSV, IDX images, a directory, 'sample'")
    p.add_argument("--index", type=int, default=0, help="which image to draw (default: "
                   "%(default)s)")
    common(p, quiet_result="the summary or the digit")
    p.set_defaults(run=cmd_show)

    p = sub.add_parser("gradcheck", help="check backpropagation against finite differences",
                       epilog="example: python -m tinynet gradcheck --layers 4,5,3 --activation tanh")
    p.add_argument("--layers", type=layers, default=[4, 5, 3], metavar="SIZES",
                   help="layer sizes (default: 4,5,3)")
    p.add_argument("--activation", default="tanh", choices=sorted(HIDDEN),
                   help="(default: %(default)s)")
    p.add_argument("--output", default="softmax", choices=sorted(OUTPUT),
                   help="(default: %(default)s)")
    p.add_argument("--loss", default="cross_entropy", choices=sorted(LOSSES),
                   help="(default: %(default)s)")
    p.add_argument("--samples", type=count(1), default=5, help="random samples in the batch "
                   "(default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="(default: %(default)s)")
    p.add_argument("--show", type=count(0), default=5, metavar="N",
                   help="how many entries to list (default: %(default)s)")
    common(p, quiet_result="the verdict")
    p.set_defaults(run=cmd_gradcheck)

    board.add_parser(sub)
    interop.add_parsers(sub)
    return parser


def main(argv=None):
    """Run the command line with ``argv`` (default: sys.argv[1:]); return
    the exit status."""
    try:
        try:
            return _run(argv)
        finally:
            sys.stdout.flush()  # a reader gone away shows here, if not before
    except BrokenPipeError:
        return _reader_gone()


def _run(argv):
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:
        raise
    except (TinynetError, ValueError, TypeError, OSError, ImportError, MemoryError) as err:
        from ..escape import printable

        if isinstance(err, OSError) and err.filename:  # the name as it is, escaped
            message = "%s: %s" % (printable(os.fsdecode(err.filename)), err.strerror)
        elif isinstance(err, MemoryError):
            message = "out of memory%s" % (": %s" % err if str(err) else "")
        else:
            message = str(err)
        # one line, whatever the message holds (a download's list of mirrors), and
        # nothing a terminal would act on (a file name's control characters)
        message = "; ".join(line.strip() for line in message.splitlines() if line.strip())
        print("tinynet: error: %s" % printable(message), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tinynet: interrupted", file=sys.stderr)
        return 130


def _reader_gone():
    """The reader of the output went away (``| head``): stop without a word,
    as Python's documentation advises for SIGPIPE: point stdout at devnull,
    so that the flush at exit cannot fail again, and return status 1."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a file (a test's capture)
        pass
    return 1
