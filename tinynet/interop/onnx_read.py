"""Reading an ONNX model that is a chain of dense layers: the inverse of onnx_file.

What is read: a graph whose nodes, in order, form one chain from the graph's
input to its output, made of

- ``Gemm`` (``transA=0``, ``alpha=beta=1``; ``transB`` 1, as PyTorch exports
  ``nn.Linear``, or 0), or ``MatMul`` then ``Add``, with the weights and
  biases as initializers: one dense layer each;
- ``Relu``, ``Tanh`` or ``Sigmoid`` after a hidden layer (all the same), and
  ``Sigmoid`` or ``Softmax`` (over the last axis) or nothing after the last.

Anything else (another operator, a branch, weights computed by nodes,
tensors stored outside the file) is refused with a message naming it.  The
layers come out named as PyTorch would name them (``0.weight``, ``2.weight``,
...), weights ``[out, in]``, so the rest of the import is the same as for a
safetensors file.  As there, every size is checked against the bytes really
in the file before a number is decoded, and the protobuf decoder reads only
the fields asked for, so nothing in the file is nested deeper than this code.
"""

import struct
import sys
from array import array

from ..errors import TinynetError, shown
from .layers import transposed
from .protobuf import blob, blobs, decode, integer, ints, real, string, text

#: ONNX's element types read, with their sizes: FLOAT, FLOAT16, DOUBLE.
ELEMENT_TYPES = {1: ("f", 4), 10: ("e", 2), 11: ("d", 8)}
HIDDEN_OPS = {"Relu": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid"}
OUTPUT_OPS = {"Sigmoid": "sigmoid", "Softmax": "softmax"}
READ = "Gemm, MatMul, Add, Relu, Tanh, Sigmoid and Softmax"


def looks_like(data):
    """Return whether ``data`` starts like an ONNX model (field 1, ir_version)."""
    return data[:1] == b"\x08"


class Initializer:
    """A weight or bias stored in the model, checked; read on demand."""

    def __init__(self, dims, code, raw, where, transpose=False):
        self.dims, self.code, self.raw, self.where = dims, code, raw, where
        self.transpose = transpose
        self.shape = tuple(reversed(dims)) if transpose else tuple(dims)

    def turned(self):
        """The same tensor, read as its transpose."""
        return Initializer(self.dims, self.code, self.raw, self.where, not self.transpose)

    def values(self):
        if self.code == "e":
            return struct.unpack("<%de" % (len(self.raw) // 2), self.raw)
        values = array(self.code, bytes(self.raw))
        if sys.byteorder == "big":
            values.byteswap()
        return values

    def rows(self):
        flat, width = self.values(), self.dims[-1]
        rows = [list(flat[i:i + width]) for i in range(0, len(flat), width)]
        return transposed(rows) if self.transpose else rows


def _initializer(raw, where):
    fields = decode(raw, where)
    name = string(fields, 8, where)
    here = "%s: initializer %s" % (where, shown(name))
    if integer(fields, 14, here) == 1:
        raise TinynetError("%s is stored in another file (external data); tinynet reads "
                           "models that hold their weights (torch.onnx.export(..., "
                           "external_data=False))" % here)
    dims = ints(fields, 1, here)
    kind = integer(fields, 2, here)
    if kind not in ELEMENT_TYPES:
        raise TinynetError("%s has element type %d; tinynet reads float, float16 and double"
                           % (here, kind))
    code, size = ELEMENT_TYPES[kind]
    if 9 in fields:
        data = blob(fields, 9, here)
    elif kind in (1, 11) and (4 if kind == 1 else 10) in fields:
        # packed (one run of bytes), or unpacked: one fixed-width value each
        values = fields[4 if kind == 1 else 10]
        if not all(isinstance(v, memoryview) or (isinstance(v, bytes) and len(v) == size)
                   for v in values):
            raise TinynetError("%s: corrupt protobuf (its values are not %d-byte floats)"
                               % (here, size))
        data = b"".join(bytes(v) for v in values)
    else:
        data = b""
    count = 0 if 0 in dims else 1
    for n in dims if count else ():
        if n < 0:
            count = -1
            break
        count *= n
        if count > len(data):
            break
    if count < 0 or count * size != len(data):
        raise TinynetError("%s: dims %s do not fit the %d bytes of data it holds"
                           % (here, shown(dims), len(data)))
    return name, Initializer(dims, code, data, here)


def _attributes(values, where):
    found = {}
    for raw in values:
        fields = decode(raw, where)
        name = string(fields, 1, where)
        if 3 in fields:
            found[name] = integer(fields, 3, where)
        elif 2 in fields:
            found[name] = real(fields, 2, where)
        else:
            found[name] = None
    return found


def parse(data, path):
    """Return ``(tensors, found)``: the dense layers of the ONNX model
    ``data`` as PyTorch-named tensors (see :func:`layers.plan`), and the
    activation, output and loss the graph and its metadata say."""
    model = decode(data, path)
    if 7 not in model:
        raise TinynetError("%s: an ONNX model with no graph" % path)
    graph = decode(blob(model, 7, path), path)
    inits = {}
    for raw in blobs(graph, 5, path):
        name, tensor = _initializer(raw, path)
        if name in inits:
            raise TinynetError("%s: two initializers are named %s" % (path, shown(name)))
        inits[name] = tensor
    inputs = [string(decode(v, path), 1, path) for v in blobs(graph, 11, path)]
    outputs = [string(decode(v, path), 1, path) for v in blobs(graph, 12, path)]
    data_inputs = [name for name in inputs if name not in inits]
    if len(data_inputs) != 1 or len(outputs) != 1:
        raise TinynetError("%s: the graph has %d inputs and %d outputs besides its weights; "
                           "tinynet reads a chain from one input to one output"
                           % (path, len(data_inputs), len(outputs)))
    tensors, functions = {}, []
    current = data_inputs[0]
    for number, raw in enumerate(blobs(graph, 1, path)):
        node = decode(raw, path)
        op = string(node, 4, path)
        here = "%s: node %d (%s)" % (path, number, shown(op))
        node_inputs = [text(v, here) for v in blobs(node, 1, here)]
        node_outputs = [text(v, here) for v in blobs(node, 2, here)]
        if current not in node_inputs[:1 if op != "Add" else 2] or len(node_outputs) != 1:
            raise TinynetError("%s does not continue the chain from %s; tinynet reads a graph "
                               "of dense layers one after another" % (here, shown(current)))
        others = [name for name in node_inputs if name != current]
        layer = len(functions)
        attributes = _attributes(blobs(node, 5, here), here)
        if op in ("Gemm", "MatMul"):
            if op == "Gemm" and (attributes.get("transA", 0) or attributes.get("alpha", 1.0) != 1
                                 or attributes.get("beta", 1.0) != 1):
                raise TinynetError("%s: only transA=0, alpha=1 and beta=1 are read" % here)
            weight = _constant(others[:1], inits, 2, here)
            if not attributes.get("transB", 0):  # stored [in, out]: PyTorch's is the transpose
                weight = weight.turned()
            tensors["%d.weight" % (2 * layer)] = weight
            if op == "Gemm" and len(others) > 1:
                tensors["%d.bias" % (2 * layer)] = _constant(others[1:2], inits, 1, here)
            functions.append(None)
        elif op == "Add" and functions and functions[-1] is None \
                and "%d.bias" % (2 * layer - 2) not in tensors:
            tensors["%d.bias" % (2 * layer - 2)] = _constant(others, inits, 1, here)
        elif op in HIDDEN_OPS or op in OUTPUT_OPS:
            if not functions or functions[-1] is not None:
                raise TinynetError("%s does not follow a dense layer" % here)
            if op == "Softmax" and attributes.get("axis", -1) not in (-1, 1):
                raise TinynetError("%s: a softmax over axis %s; tinynet's is over the last axis"
                                   % (here, attributes.get("axis")))
            functions[-1] = op
        else:
            raise TinynetError("%s: tinynet reads only %s nodes" % (here, READ))
        current = node_outputs[0]
    if current != outputs[0]:
        raise TinynetError("%s: the chain of nodes ends at %s, not at the graph's output %s"
                           % (path, shown(current), shown(outputs[0])))
    return tensors, _functions(functions, model, path)


def _constant(names, inits, rank, where):
    """The initializer of rank ``rank`` (a bias may also be ``[1, n]``)."""
    if len(names) != 1 or names[0] not in inits:
        raise TinynetError("%s: its weights must be one initializer, not %s"
                           % (where, shown(names)))
    tensor = inits[names[0]]
    if rank == 1 and len(tensor.dims) == 2 and tensor.dims[0] == 1:
        tensor = Initializer([tensor.dims[1]], tensor.code, tensor.raw, tensor.where)
    if len(tensor.dims) != rank:
        raise TinynetError("%s: %s has dims %s; a %s is %d-D" % (
            where, shown(names[0]), shown(tensor.dims), "weight" if rank == 2 else "bias", rank))
    return tensor


def _functions(functions, model, path):
    """The activation, output and loss that the graph's nodes and metadata say."""
    hidden = set(functions[:-1])
    if None in hidden:
        raise TinynetError("%s: two dense layers follow each other with no activation between "
                           "them" % path)
    if len(hidden) > 1 or not hidden <= set(HIDDEN_OPS):
        raise TinynetError("%s: tinynet's hidden layers share one activation (Relu, Tanh or "
                           "Sigmoid); this graph has %s" % (path, ", ".join(sorted(hidden))))
    final = functions[-1] if functions else None
    if final is not None and final not in OUTPUT_OPS:
        raise TinynetError("%s: the last layer ends in %s; tinynet's output is Softmax, Sigmoid "
                           "or nothing (linear)" % (path, final))
    notes = {}
    for raw in blobs(model, 14, path):
        entry = decode(raw, path)
        notes[string(entry, 1, path)] = string(entry, 2, path)
    found = {"output": OUTPUT_OPS.get(final, "linear")}
    if hidden:
        found["activation"] = HIDDEN_OPS[hidden.pop()]
    if "tinynet.loss" in notes:
        found["loss"] = notes["tinynet.loss"]
    return found
