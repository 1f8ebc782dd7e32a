"""Leaving tinynet, and coming in: PyTorch, safetensors and ONNX.

A tinynet network is an ``nn.Sequential`` of ``nn.Linear`` layers and
activations in PyTorch's terms, so it can leave as the files PyTorch and
ONNX Runtime read, and a PyTorch network of that shape can come in::

    from tinynet import interop
    interop.export(model, "digits.safetensors")  # PyTorch: load_state_dict(load_file(...))
    interop.export(model, "digits.onnx")         # ONNX Runtime, Netron, ...
    model = interop.load("digits.safetensors")   # back to a tinynet DNN
    model = interop.from_state_dict(torch_model.state_dict(), activation="relu",
                                    output="softmax")

Everything here is written with the standard library: no PyTorch, ONNX or
NumPy is needed (tensors are taken by duck typing, through ``.tolist()``).
This is a desktop subpackage: the core (what runs on a board) never imports
it.  An imported network is an ordinary tinynet model, so ``python -m
tinynet board`` puts it on a microcontroller.  See docs/interop.md.
"""

from ..errors import TinynetError
from ..files import fspath, read_limited, write_atomically
from ..kinds import kind_of_bytes
from . import layers, onnx_file, onnx_read, safetensors_file

FORMATS = ("safetensors", "onnx")
#: The largest file :func:`load` reads, as for tinynet's own model files.
MAX_FILE_BYTES = safetensors_file.MAX_FILE_BYTES


def _format(path, format):
    if format is None:
        lower = str(path).lower()
        format = next((f for f in FORMATS if lower.endswith("." + f)), None)
        if format is None:
            raise TinynetError("%s: cannot tell the format from the name: give format "
                               "'safetensors' or 'onnx', or a name ending in .safetensors or "
                               ".onnx" % (path,))
    if format not in FORMATS:
        raise ValueError("format must be 'safetensors' or 'onnx', not %r" % (format,))
    return format


def export(model, path, format=None):
    """Write ``model`` (a DNN) to ``path`` as safetensors or ONNX (``format``,
    by default told by the name's suffix), float32, atomically.

    The file records the activation, output and loss, and the PyTorch code
    of the matching ``nn.Sequential``, as metadata; the network computes
    what ``model.predict`` computes, within float32 rounding, on the same
    (unscaled) inputs.  Return the format written.
    """
    path = fspath(path)
    format = _format(path, format)
    if not all(w.all_finite() for w in model.weights + model.biases):
        raise TinynetError("cannot export a model whose weights are not all finite")
    data = model.to_dict(optimizer_state=False)
    notes = layers.metadata(data)
    if format == "onnx":
        blob = onnx_file.encode(data, notes)
    else:
        notes["format"] = "pt"  # what Hugging Face's loaders look for
        blob = safetensors_file.encode(layers.torch_tensors(data), notes)
    write_atomically(path, blob)
    return format


def to_state_dict(model):
    """Return ``model``'s weights as the state_dict of the matching
    ``nn.Sequential`` (names ``0.weight``, ``0.bias``, ``2.weight``, ...;
    weights ``[out, in]``), as nested lists: in PyTorch, ``{k:
    torch.tensor(v) for k, v in to_state_dict(model).items()}``."""
    return {name: values for name, _, values in layers.torch_tensors(model.to_dict(False))}


def sequential(model):
    """Return the PyTorch code of the ``nn.Sequential`` matching ``model``."""
    return layers.sequential({"sizes": model.sizes, "activation": model.activation.name,
                              "output": model.output_activation.name})


def load(path, activation=None, output=None, loss=None, backend=None):
    """Return the network in the safetensors or ONNX file ``path`` as a DNN.

    The hidden ``activation`` ("relu", "tanh", "sigmoid"), ``output``
    ("softmax", "sigmoid", "linear") and ``loss`` come from the file (the
    metadata tinynet writes, or an ONNX model's own nodes); what is given
    here replaces them, and a file that records neither gets a TinynetError
    saying what to give.  The file is checked as tinynet's own model files
    are (sizes before allocation, nothing run); a PyTorch ``.pt`` file,
    being a pickle that can run code, is refused unread.
    """
    path = fspath(path)
    data = read_limited(path, MAX_FILE_BYTES, "model file to import")
    suffix = str(path).lower().rpartition(".")[2]
    # (a safetensors file's first byte, its header's length, may be 0x80 as a pickle's is)
    if safetensors_file.looks_like(data):
        kind = "safetensors"
    elif onnx_read.looks_like(data):
        kind = "onnx"
    elif kind_of_bytes(data) in ("pickle", "zip"):  # (the one sniffer, tinynet.kinds)
        pickle = kind_of_bytes(data) == "pickle"
        raise TinynetError(
            "%s: a %s, not a safetensors or ONNX file: tinynet never opens a PyTorch .pt/.pth "
            "file (a pickle, which can run code when loaded); in PyTorch, save the state_dict "
            "as safetensors: from safetensors.torch import save_file; save_file(model."
            "state_dict(), 'model.safetensors')%s" % (
                path, "pickle" if pickle else "zip archive (as torch.save writes)",
                " (a tinynet model needs no import: tinynet.load reads it)" if pickle else ""))
    elif kind_of_bytes(data) in ("json", "compact"):
        raise TinynetError("%s: a tinynet model, not a safetensors or ONNX file: it needs no "
                           "import (tinynet.load reads it)" % path)
    elif suffix in FORMATS:  # (a short or damaged file: say what is wrong with it as one)
        kind = suffix
    else:
        raise TinynetError("%s: neither a safetensors nor an ONNX file" % path)
    if kind == "safetensors":
        tensors, notes = safetensors_file.parse(data, path)
        found = layers.recorded(notes)
    else:
        tensors, found = onnx_read.parse(data, path)
    return _build({n: t.shape for n, t in tensors.items()}, lambda name: tensors[name],
                  found, dict(activation=activation, output=output, loss=loss), backend, path)


def from_state_dict(state_dict, activation=None, output=None, loss=None, backend=None):
    """Return the DNN whose weights are ``state_dict``'s: the state_dict of
    an ``nn.Sequential`` of ``nn.Linear`` layers and activations, mapping
    names (``0.weight``, ``0.bias``, ...) to tensors, NumPy arrays or nested
    lists (anything with ``.tolist()``; PyTorch is never imported).  A
    state_dict holds no activations: give ``activation`` (for networks of
    two or more layers) and ``output``."""
    if not hasattr(state_dict, "items"):
        raise TypeError("state_dict must be a mapping of names to tensors, not %s"
                        % type(state_dict).__name__)
    values = {}
    for name, value in state_dict.items():
        tolist = getattr(value, "tolist", None)
        values[name] = tolist() if callable(tolist) else value
    shapes = {name: _shape(value, name) for name, value in values.items()}
    return _build(shapes, values.__getitem__, {},
                  dict(activation=activation, output=output, loss=loss), backend, "the state_dict",
                  noted=False)


def _shape(value, name):
    """The shape of a nested list: () for a number, (n,) or (rows, columns)."""
    if not isinstance(value, (list, tuple)):
        return ()
    if value and all(isinstance(row, (list, tuple)) for row in value):
        widths = {len(row) for row in value}
        if len(widths) != 1:
            raise ValueError("state_dict[%r] has rows of different lengths" % (name,))
        return (len(value), widths.pop())
    return (len(value),)


def _build(shapes, get, found, given, backend, source, noted=True):
    """Check the layers' names and shapes, then the settings; only then read
    the values, and let DNN.from_dict check those."""
    from .. import DNN
    from ..backends import resolve
    from ..memory import check_memory

    order, sizes = layers.plan(shapes, source)
    activation, output, loss = layers.settings(found, given, len(order), source, noted)
    check_memory(sizes, *resolve(backend))
    rows = [_rows(get(w)) for w, _ in order]
    biases = [None if b is None else list(_flat(get(b))) for _, b in order]
    data = layers.model_dict(sizes, rows, biases, activation, output, loss)
    return DNN.from_dict(data, backend=backend, source=source)


def _rows(tensor):
    return tensor.rows() if hasattr(tensor, "rows") else tensor


def _flat(tensor):
    return tensor.values() if hasattr(tensor, "values") else tensor


__all__ = ["FORMATS", "MAX_FILE_BYTES", "export", "from_state_dict", "load", "sequential",
           "to_state_dict"]
