"""The ONNX nodes that compute nothing in tinynet's network, read by onnx_read.

PyTorch's exporters and tf2onnx put nodes into a dense network's graph that
change no number at inference:

- ``Identity``, anywhere in the chain (and of a weight: the weight itself);
- ``Dropout``, anywhere: at inference it passes its input on.  Its optional
  ``ratio`` does not matter then; its ``training_mode``, when given, must be
  a constant false (true drops at random: a model exported in training
  mode), and its ``mask`` output must be used by nothing;
- ``Flatten`` with ``axis=1`` of the graph's input (``nn.Flatten``: an image
  ``[N, 1, 28, 28]`` becomes the row ``[N, 784]`` the first layer takes), and
  the ``Reshape`` that PyTorch's default exporter writes for it: to a
  constant shape ``[batch, features]`` (batch -1, 0 or a number; features a
  number, or -1 after a batch of 0).

Each is taken for what it is only where it is a no-op for tinynet's network,
which takes one row of features a sample; anywhere else it is refused with a
message saying why.  Their settings (the Dropout's ``training_mode``, the
Reshape's shape) are read from initializers or ``Constant`` nodes, never
computed.
"""

from ..errors import TinynetError, shown
from .protobuf import blob, blobs, decode, integer

OPS = ("Identity", "Dropout", "Flatten", "Reshape")


def input_dims(value_info, where):
    """The dims of the graph input ``value_info`` (a ValueInfoProto): a list
    with an int for each fixed dim and None for a free one, or None when the
    file gives no shape."""
    type_ = decode(blob(decode(value_info, where), 2, where), where)
    tensor = decode(blob(type_, 1, where), where)
    if 2 not in tensor:
        return None
    dims = []
    for raw in blobs(decode(blob(tensor, 2, where), where), 1, where):
        dim = decode(raw, where)
        dims.append(integer(dim, 1, where) if 1 in dim else None)
    return dims


class Chain:
    """Where the chain is: its ``current`` tensor, whether a dense layer has
    been read yet, and what a Flatten of the input says of the row's width."""

    def __init__(self, current, dims, used, values):
        self.current, self.dims, self.used, self.values = current, dims, used, values
        self.width = None  # the features a row holds, when a Flatten or Reshape says

    def take(self, op, here, inputs, outputs, attributes, at_input):
        """Pass the no-op node ``op``; return its output, the chain's next tensor."""
        if inputs[:1] != [self.current] or not outputs or not outputs[0]:
            raise TinynetError("%s does not continue the chain from %s; tinynet reads a graph "
                               "of dense layers one after another" % (here, shown(self.current)))
        extra = {"Dropout": 3, "Reshape": 2}.get(op, 1)
        if len(inputs) > extra or len(outputs) > (2 if op == "Dropout" else 1):
            raise TinynetError("%s has %d inputs and %d outputs; an ONNX %s has at most %d and %d"
                               % (here, len(inputs), len(outputs), op, extra,
                                  2 if op == "Dropout" else 1))
        if op == "Dropout":
            self._dropout(here, inputs, outputs)
        elif op in ("Flatten", "Reshape"):
            if not at_input:
                raise TinynetError("%s comes after a dense layer; tinynet reads a %s only of the "
                                   "graph's input (as nn.Flatten exports it)" % (here, op))
            if op == "Flatten":
                self._flatten(here, attributes.get("axis", 1))
            else:
                self._reshape(here, inputs, attributes.get("allowzero", 0))
            self.dims = None  # (read as [batch, features] from here)
        return outputs[0]

    def _dropout(self, here, inputs, outputs):
        if len(outputs) == 2 and outputs[1] and outputs[1] in self.used:
            raise TinynetError("%s: its mask output %s is used; tinynet reads a Dropout only as "
                               "inference computes it, passing its input on"
                               % (here, shown(outputs[1])))
        if len(inputs) == 3 and inputs[2]:
            mode = self._setting(here, inputs[2], "training_mode")
            if len(mode) != 1:
                raise TinynetError("%s: its training_mode %s holds %d values, not one"
                                   % (here, shown(inputs[2]), len(mode)))
            if mode[0]:
                raise TinynetError("%s: training_mode is true, so this Dropout drops inputs at "
                                   "random; export the model for inference (in PyTorch, "
                                   "model.eval() before torch.onnx.export)" % here)

    def _flatten(self, here, axis):
        rank = None if self.dims is None else len(self.dims)
        if not isinstance(axis, int) or (axis + rank if axis < 0 and rank else axis) != 1:
            raise TinynetError("%s: a Flatten with axis=%s%s would not give one row of features "
                               "a sample ([batch, features]); tinynet reads axis=1, as "
                               "nn.Flatten exports it" % (
                                   here, axis, "" if rank is None else " of a %d-D input" % rank))
        self.width = _product(self.dims[1:]) if self.dims else None

    def _reshape(self, here, inputs, allowzero):
        shape = [int(v) for v in self._setting(here, inputs[1] if len(inputs) > 1 else "",
                                               "shape")]
        batch, features = (shape + [None, None])[:2]
        if not (len(shape) == 2 and (batch == -1 or batch > 0 or (batch == 0 and not allowzero))
                and (features > 0 or (features == -1 and batch == 0))):
            raise TinynetError("%s: a Reshape of the input to %s, which is not one row of "
                               "features a sample; tinynet reads one to [batch, features] (as "
                               "nn.Flatten exports it: [-1, 784] or [0, -1], say)"
                               % (here, shown(shape)))
        self.width = features if features > 0 else (
            _product(self.dims[1:]) if self.dims else None)

    def _setting(self, here, name, what):
        """The values of the constant ``name`` (an initializer or a Constant node's)."""
        tensor = self.values.get(name)
        if tensor is None:
            raise TinynetError("%s: its %s %s is not a constant (an initializer or a Constant "
                               "node holding a tensor); tinynet computes nothing to read a graph"
                               % (here, what, shown(name)))
        code = "B" if what == "training_mode" else "q"
        if tensor.code != code:
            raise TinynetError("%s: its %s %s holds %s, not %s" % (
                here, what, shown(name), tensor.kind(), "bool" if code == "B" else "int64"))
        return tensor.values()

    def check_width(self, n_in, path):
        """Refuse a flattened input whose width is not the first layer's."""
        if self.width is not None and n_in is not None and self.width != n_in:
            raise TinynetError("%s: the input flattens to %d features a sample, but the first "
                               "dense layer takes %d" % (path, self.width, n_in))


def _product(dims):
    total = 1
    for n in dims:
        if n is None or n < 0:
            return None
        total *= n
    return total
