"""``python -m tinynet export MODEL OUT`` and ``python -m tinynet import IN OUT``:
a model out to PyTorch/ONNX Runtime, or a PyTorch-trained one in (see
tinynet.interop and docs/interop.md)."""

import os
import shlex

from ..dnn import HIDDEN, LOSSES, OUTPUT
from ..escape import printable


def add_parsers(sub):
    """Register the ``export`` and ``import`` commands."""
    from ..interop import FORMATS

    p = sub.add_parser(
        "export", help="write a model as safetensors (for PyTorch) or ONNX",
        description="Write a tinynet model as a safetensors file (the state_dict of the matching "
        "PyTorch nn.Sequential, with the activations recorded as metadata) or as an ONNX model "
        "(opset 13), both float32; the format comes from OUT's suffix or --format.",
        epilog="examples:\n  python -m tinynet export digits.pkl digits.safetensors\n"
        "  python -m tinynet export digits.pkl digits.onnx")
    p.add_argument("model", help="a saved tinynet model (.pkl, .json or .tnb)")
    p.add_argument("out", help="the file to write (.safetensors or .onnx)")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="the format to write (default: from OUT's suffix)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser(
        "import", help="read a safetensors or ONNX model (e.g. from PyTorch) into a tinynet model",
        description="Read a network of dense layers, from a safetensors file (the state_dict of "
        "a PyTorch nn.Sequential of Linear layers and activations) or an ONNX model, and save it "
        "as a tinynet model, ready for evaluate, predict or board.  A PyTorch .pt file is never "
        "opened (it is a pickle, which can run code): save the state_dict with "
        "safetensors.torch.save_file instead.",
        epilog="examples:\n  python -m tinynet import digits.safetensors digits.pkl --activation "
        "relu --output softmax\n  python -m tinynet import digits.onnx digits.pkl\n"
        "  python -m tinynet board digits.pkl board")
    p.add_argument("source", metavar="IN", help="a .safetensors or .onnx file")
    p.add_argument("out", metavar="OUT", help="the tinynet model to write (.pkl; .json for "
                   "JSON; .tnb for a compact board file)")
    p.add_argument("--activation", choices=sorted(HIDDEN), default=None,
                   help="the hidden layers' activation, if the file does not record it (a "
                   "safetensors state_dict from PyTorch does not; default: what the file "
                   "records)")
    p.add_argument("--output", choices=sorted(OUTPUT), default=None,
                   help="the output layer's function, if the file does not record it (softmax "
                   "turns a classifier's logits into probabilities; default: what the file "
                   "records)")
    p.add_argument("--loss", choices=sorted(LOSSES), default=None,
                   help="the loss, for training on (default: what the file records, else the "
                   "one that suits the output)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(run=cmd_import)


def _describe(model):
    return "%s, %s hidden, %s output, %s parameters" % (
        "-".join(map(str, model.sizes)), model.activation.name if len(model.sizes) > 2 else "no",
        model.output_activation.name, format(model.n_parameters, ","))


def cmd_export(args):
    from .. import interop, load
    from ..files import check_writable

    check_writable(args.out)
    model = load(args.model)
    written = interop.export(model, args.out, format=args.format)
    if not args.quiet:
        print("wrote %s (%s, float32, %s bytes): %s" % (
            printable(args.out), written, format(os.path.getsize(args.out), ","), _describe(model)))
        print("in PyTorch: %s" % interop.sequential(model))
        if written == "safetensors":
            print("    .load_state_dict(safetensors.torch.load_file(%r))" % args.out)
        else:
            print("in ONNX Runtime: onnxruntime.InferenceSession(%r).run(None, {'input': x})"
                  % args.out)
        print("inputs: as model.predict takes them (no scaling inside the network)")
    return 0


def cmd_import(args):
    from .. import interop, save
    from ..files import check_writable

    check_writable(args.out)
    model = interop.load(args.source, activation=args.activation, output=args.output,
                         loss=args.loss)
    save(model, args.out)
    if not args.quiet:
        print("imported %s: %s" % (printable(args.source), _describe(model)))
        print("saved %s; next, for a board: python -m tinynet board %s DIR"
              % (printable(args.out), printable(shlex.quote(args.out))))
    return 0
