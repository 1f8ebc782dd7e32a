"""A tinynet network as PyTorch lays it out, and back.

tinynet keeps layer ``i``'s weights as an ``n_in x n_out`` matrix ``W`` and
computes ``f(x @ W + b)``; PyTorch's ``nn.Linear`` keeps the transpose, an
``[out, in]`` weight, and computes ``x @ weight.T + bias``.  In an
``nn.Sequential`` of Linear layers and activations, the modules are numbered
in order and only the Linear ones hold tensors, so a three-layer network's
state_dict has ``0.weight``, ``0.bias``, ``2.weight``, ``2.bias``,
``4.weight`` and ``4.bias`` (the activations are modules 1, 3 and 5).

Both directions go through tinynet's own plain-data form (``DNN.to_dict``
and ``DNN.from_dict``), so an imported network is checked exactly as a
tinynet model file is.
"""

from .. import __version__
from ..errors import TinynetError, shown

#: How PyTorch writes each of tinynet's activations (None: no module).
TORCH_MODULES = {"relu": "nn.ReLU()", "tanh": "nn.Tanh()", "sigmoid": "nn.Sigmoid()",
                 "softmax": "nn.Softmax(dim=-1)", "linear": None}
#: What tinynet takes as input: recorded in every exported file.
INPUT_NOTE = ("the same numbers DNN.predict takes, unscaled: the network does no scaling of its "
              "own (tinynet's image datasets give each pixel as byte / 255, in [0, 1])")
SETTINGS = ("activation", "output", "loss")


def transposed(rows):
    """Return the rows of the transpose of ``rows`` (lists of numbers)."""
    return [list(column) for column in zip(*rows)]


def torch_tensors(data):
    """Return ``[(name, shape, rows or values)]``: the state_dict of the
    ``nn.Sequential`` that computes the plain-data model ``data``, weights
    as ``[out, in]`` rows."""
    tensors = []
    for i, (w, b) in enumerate(zip(data["weights"], data["biases"])):
        n_in, n_out = len(w), len(b)
        tensors.append(("%d.weight" % (2 * i), [n_out, n_in], transposed(w)))
        tensors.append(("%d.bias" % (2 * i), [n_out], list(b)))
    return tensors


def sequential(data):
    """Return the PyTorch code of the ``nn.Sequential`` that matches ``data``.

    >>> sequential({"sizes": [4, 8, 3], "activation": "tanh", "output": "softmax"})
    'nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3), nn.Softmax(dim=-1))'
    """
    sizes, modules = data["sizes"], []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        modules.append("nn.Linear(%d, %d)" % (n_in, n_out))
        last = i == len(sizes) - 2
        module = TORCH_MODULES[data["output"] if last else data["activation"]]
        if module:
            modules.append(module)
    return "nn.Sequential(%s)" % ", ".join(modules)


def metadata(data):
    """Return the ``{str: str}`` notes an exported file carries, so that it
    can be read back, or rebuilt in PyTorch, with nothing else to go on."""
    return {"tinynet.version": __version__,
            "tinynet.sizes": ",".join(str(n) for n in data["sizes"]),
            "tinynet.activation": data["activation"], "tinynet.output": data["output"],
            "tinynet.loss": data["loss"], "tinynet.input": INPUT_NOTE,
            "tinynet.torch": sequential(data)}


def recorded(notes):
    """Return the activation, output and loss that ``notes`` (a file's
    metadata) records, as a dict without the missing ones."""
    return {key: notes["tinynet." + key] for key in SETTINGS if "tinynet." + key in notes}


def settings(found, given, layers, source, noted=True):
    """Return ``(activation, output, loss)``: what the caller ``given``
    (a dict; None for not given), else what the file ``found``; raise a
    TinynetError naming ``source`` and the options to pass when a setting
    the network needs is in neither (``noted``: a file that could have
    recorded it as metadata)."""
    chosen = {key: given.get(key) or found.get(key) for key in SETTINGS}
    if layers == 1 and not chosen["activation"]:
        chosen["activation"] = "relu"  # a single layer has no hidden activation to choose
    missing = [key for key in ("activation", "output") if not chosen[key]]
    if missing:
        raise TinynetError("%s does not say what the %s is%s: give %s (on the command line: %s)" % (
            source, " or the ".join("hidden activation" if k == "activation" else "output"
                                     for k in missing),
            " (tinynet records it as metadata %s)" % " and ".join("tinynet." + k for k in missing)
            if noted else "",
            ", ".join("%s=%r" % (k, EXAMPLE[k]) for k in missing),
            " ".join("--%s %s" % (k, EXAMPLE[k]) for k in missing)))
    probabilities = chosen["output"] in ("softmax", "sigmoid")
    if not given.get("loss") and (not chosen["loss"] or (
            chosen["loss"] == "cross_entropy" and not probabilities)):
        # (only training uses it) the loss that suits the output, unless one was given
        chosen["loss"] = "cross_entropy" if probabilities else "mse"
    return chosen["activation"], chosen["output"], chosen["loss"]


EXAMPLE = {"activation": "relu", "output": "softmax"}


def _split_name(name):
    """Return ``(prefix, index, kind)`` for a name like ``"net.2.weight"``
    (``("net.", 2, "weight")``), or None."""
    if not isinstance(name, str):
        return None
    stem, _, kind = name.rpartition(".")
    head, dot, index = stem.rpartition(".")
    if kind not in ("weight", "bias") or not index.isdigit() or not index.isascii():
        return None
    return head + dot, int(index), kind


def plan(shapes, source):
    """Return ``[(weight name, bias name or None)]``, input layer first, for
    the Linear layers whose tensors have the ``shapes`` given (a dict of
    name to shape tuple), after checking that they form one chain of
    ``nn.Sequential`` layers; and the network's ``sizes``.  Nothing is read
    but the names and shapes."""
    layers, prefixes = {}, set()
    for name in shapes:
        parts = _split_name(name)
        if parts is None:
            raise TinynetError(
                "%s: tensor %s is not a Linear layer's weight or bias (names like '0.weight' "
                "and '0.bias'); tinynet imports an nn.Sequential of Linear layers and "
                "activations only" % (source, shown(name)))
        prefix, index, kind = parts
        prefixes.add(prefix)
        layers.setdefault(index, {})[kind] = name
    if not layers:
        raise TinynetError("%s holds no tensors: no Linear layers to import" % source)
    if len(prefixes) > 1:
        raise TinynetError("%s: the tensors' names start with different prefixes (%s): not "
                           "one nn.Sequential" % (source, ", ".join(map(repr, sorted(prefixes)))))
    order, sizes = [], []
    for index in sorted(layers):
        names = layers[index]
        weight, bias = names.get("weight"), names.get("bias")
        if weight is None:
            raise TinynetError("%s: %s has no weight to go with it" % (source, bias))
        shape = shapes[weight]
        if len(shape) != 2 or 0 in shape:
            raise TinynetError("%s: %s has shape %s; a Linear layer's weight is 2-D, [out, in]"
                               % (source, weight, list(shape)))
        n_out, n_in = shape
        if bias is not None and list(shapes[bias]) != [n_out]:
            raise TinynetError("%s: %s has shape %s; it must be [%d] to go with %s %s"
                               % (source, bias, list(shapes[bias]), n_out, weight, list(shape)))
        if sizes and n_in != sizes[-1]:
            raise TinynetError("%s: %s takes %d inputs, but the layer before gives %d outputs"
                               % (source, weight, n_in, sizes[-1]))
        if not sizes:
            sizes.append(n_in)
        sizes.append(n_out)
        order.append((weight, bias))
    return order, sizes


def model_dict(sizes, weights, biases, activation, output, loss):
    """Return the plain-data model (``DNN.from_dict``'s form) of a network
    whose Linear layers have these PyTorch ``[out, in]`` weights (rows) and
    biases (None for a layer without one)."""
    return {"format": "tinynet", "version": 1, "sizes": list(sizes), "activation": activation,
            "output": output, "loss": loss,
            "weights": [transposed(w) for w in weights],
            "biases": [list(b) if b is not None else [0.0] * n
                       for b, n in zip(biases, sizes[1:])]}
