"""The tinynet command line: ``python -m tinynet COMMAND ...`` (or ``tinynet``).

Commands: mnist (train a digit classifier end to end), train, evaluate,
predict, convert, show, gradcheck, board, export and import (to and from
PyTorch and ONNX).  ``python -m tinynet COMMAND --help``
explains each.  Mistakes (a bad path, option or file) get one line on stderr
and exit status 1 (2 for a bad command line), never a traceback.
"""

import argparse
import sys

from ..activations import HIDDEN, OUTPUT
from ..backends import BACKENDS
from ..errors import TinynetError
from ..losses import LOSSES
from ..optim import OPTIMIZERS
from . import board, interop
from .commands import (cmd_convert, cmd_evaluate, cmd_gradcheck, cmd_mnist, cmd_predict,
                       cmd_show, cmd_train)

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
"""


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error in one line (exit status 2)."""

    def error(self, message):
        self.exit(2, "%s: error: %s (see %s --help)\n" % (self.prog, message, self.prog))


def _count(least):
    """An argparse type: an int >= ``least`` (0 epochs is honoured, not a default)."""
    def count(text):
        value = int(text)  # a ValueError: argparse says "invalid int value"
        if value < least:
            raise argparse.ArgumentTypeError("%d is less than %d" % (value, least))
        return value
    count.__name__ = "int"
    return count


def _number(least, inclusive):
    """An argparse type: a finite float > ``least`` (>= if ``inclusive``)."""
    def number(text):
        import math

        value = float(text)  # a ValueError: argparse says "invalid float value"
        if not math.isfinite(value) or value < least or (value == least and not inclusive):
            raise argparse.ArgumentTypeError("%r is not a finite number %s %g"
                                             % (text, ">=" if inclusive else ">", least))
        return value
    number.__name__ = "float"
    return number


def _model_options(parser, layers=None):
    parser.add_argument("--layers", default=layers,
                        help="layer sizes, input first, e.g. 784,128,10 (default: %(default)s)")
    parser.add_argument("--activation", default="relu", choices=sorted(HIDDEN))
    parser.add_argument("--output", default="softmax", choices=sorted(OUTPUT))
    parser.add_argument("--loss", default="cross_entropy", choices=sorted(LOSSES))
    parser.add_argument("--optimizer", default=None, choices=sorted(OPTIMIZERS))
    parser.add_argument("--learning-rate", type=_number(0, False), default=None)
    parser.add_argument("--l2", type=_number(0, True), default=None, help="weight decay")
    parser.add_argument("--epochs", type=_count(0), default=None)
    parser.add_argument("--batch-size", type=_count(1), default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dtype", default=None, choices=["float64", "float32"])


def _common(parser, plots=False):
    if plots:
        parser.add_argument("--plot", metavar="DIR", help="write pictures into DIR: the "
                            "training curves and confusion matrix as SVG, the misclassified "
                            "digits and first-layer weights as PNG")
        parser.add_argument("--plot-format", choices=["svg", "png"], default="svg",
                            help="the charts' format (default %(default)s; png draws them as "
                            "pixels too)")
    parser.add_argument("--backend", choices=BACKENDS, default=None,
                        help="default: $TINYNET_BACKEND, else numpy if installed")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")


def build_parser():
    parser = _Parser(
        prog="tinynet", description="Train and use small fully-connected neural networks.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    from .. import __version__

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
    p.add_argument("--activation", default="tanh", choices=sorted(HIDDEN))
    p.add_argument("--output", default="softmax", choices=sorted(OUTPUT))
    p.add_argument("--loss", default="cross_entropy", choices=sorted(LOSSES))
    p.add_argument("--samples", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--show", type=int, default=5, help="how many entries to list")
    _common(p)
    p.set_defaults(run=cmd_gradcheck)

    board.add_parser(sub)
    interop.add_parsers(sub)
    return parser


def main(argv=None):
    """Run the command line with ``argv`` (default: sys.argv[1:]); return
    the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (TinynetError, ValueError, TypeError, OSError, ImportError, MemoryError) as err:
        if isinstance(err, OSError) and err.filename:
            message = "%s: %s" % (err.filename, err.strerror)
        elif isinstance(err, MemoryError):
            message = "out of memory%s" % (": %s" % err if str(err) else "")
        else:
            message = str(err)
        # one line, whatever the message holds (a download's list of mirrors)
        message = "; ".join(line.strip() for line in message.splitlines() if line.strip())
        print("tinynet: error: %s" % message, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tinynet: interrupted", file=sys.stderr)
        return 130
