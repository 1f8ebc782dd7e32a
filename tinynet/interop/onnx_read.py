"""Reading an ONNX model that is a chain of dense layers: the inverse of onnx_file.

What is read: a graph whose nodes, in order, form one chain from the graph's
input to its output, made of

- ``Gemm`` (``transA=0``, ``alpha=beta=1``; ``transB`` 1, as PyTorch exports
  ``nn.Linear``, or 0), or ``MatMul`` then ``Add``, with the weights and
  biases as initializers: one dense layer each;
- ``Relu``, ``Tanh`` or ``Sigmoid`` after a hidden layer (all the same), and
  ``Sigmoid`` or ``Softmax`` (over the last axis) or nothing after the last;
- where they change nothing, ``Identity``, ``Dropout`` (at inference) and a
  ``Flatten`` (or ``Reshape``) of the input: see onnx_noop.

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
from . import onnx_noop
from .layers import transposed
from .protobuf import blob, blobs, decode, integer, ints, real, string, text

#: ONNX's element types read, with their sizes: FLOAT, FLOAT16, DOUBLE for
#: weights; INT64 and BOOL for the settings of the nodes in onnx_noop.
ELEMENT_TYPES = {1: ("f", 4), 10: ("e", 2), 11: ("d", 8), 7: ("q", 8), 9: ("B", 1)}
KINDS = {"f": "float", "e": "float16", "d": "double", "q": "int64", "B": "bool"}
#: Where an INT64 or BOOL tensor not stored as raw bytes keeps its values
#: (int64_data; int32_data), and the most bytes of them read: a few settings.
INT_FIELDS = {7: 7, 9: 5}
MAX_INT_BYTES = 1024
HIDDEN_OPS = {"Relu": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid"}
OUTPUT_OPS = {"Sigmoid": "sigmoid", "Softmax": "softmax"}
READ = ("Gemm, MatMul, Add, Relu, Tanh, Sigmoid and Softmax nodes (and Identity, Dropout, "
        "Flatten and Reshape where they change nothing)")


def looks_like(data):
    """Return whether ``data`` starts like an ONNX model (field 1, ir_version)."""
    return data[:1] == b"\x08"


class Initializer:
    """A weight or bias stored in the model, checked; read on demand."""

    def __init__(self, dims, code, raw, where, transpose=False):
        self.dims, self.code, self.raw, self.where = dims, code, raw, where
        self.transpose = transpose
        self.shape = tuple(reversed(dims)) if transpose else tuple(dims)

    def kind(self):
        return KINDS[self.code] + " values"

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


def _initializer(raw, where, here=None):
    fields = decode(raw, where)
    name = string(fields, 8, where)
    here = here or "%s: initializer %s" % (where, shown(name))
    if integer(fields, 14, here) == 1:
        raise TinynetError("%s is stored in another file (external data); tinynet reads "
                           "models that hold their weights (torch.onnx.export(..., "
                           "external_data=False))" % here)
    dims = ints(fields, 1, here)
    kind = integer(fields, 2, here)
    if kind not in ELEMENT_TYPES:
        raise TinynetError("%s has element type %d; tinynet reads float, float16 and double "
                           "weights (and int64 and bool settings)" % (here, kind))
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
    elif kind in INT_FIELDS and INT_FIELDS[kind] in fields:
        stored = fields[INT_FIELDS[kind]]
        if sum(len(v) if isinstance(v, memoryview) else 1 for v in stored) > MAX_INT_BYTES:
            raise TinynetError("%s: its %s values take more than %d bytes; tinynet reads such a "
                               "tensor only as a node's few settings"
                               % (here, KINDS[code], MAX_INT_BYTES))
        numbers = ints(fields, INT_FIELDS[kind], here)
        data = (struct.pack("<%dq" % len(numbers), *numbers) if kind == 7
                else bytes(n != 0 for n in numbers))
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
        elif 5 in fields and name == "value":  # a Constant node's tensor, read when asked for
            found[name] = blob(fields, 5, where)
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
    declared = [(string(decode(v, path), 1, path), v) for v in blobs(graph, 11, path)]
    outputs = [string(decode(v, path), 1, path) for v in blobs(graph, 12, path)]
    data_inputs = [(name, v) for name, v in declared if name not in inits]
    if len(data_inputs) != 1 or len(outputs) != 1:
        raise TinynetError("%s: the graph has %d inputs and %d outputs besides its weights; "
                           "tinynet reads a chain from one input to one output"
                           % (path, len(data_inputs), len(outputs)))
    nodes, values = _nodes(graph, path, inits)
    used = {name for node in nodes for name in node[2]} | set(outputs)
    chain = onnx_noop.Chain(data_inputs[0][0], onnx_noop.input_dims(data_inputs[0][1], path),
                            used, values)
    tensors, functions = {}, []
    for here, op, node_inputs, node_outputs, attributes in nodes:
        current = chain.current
        if op == "Constant":  # (a setting of a node below: read in _nodes)
            continue
        if op == "Identity" and len(node_inputs) == len(node_outputs) == 1 \
                and node_inputs[0] != current and node_inputs[0] in inits:  # a weight, renamed
            inits[node_outputs[0]] = inits[node_inputs[0]]
            continue
        if op in onnx_noop.OPS:
            chain.current = chain.take(op, here, node_inputs, node_outputs, attributes,
                                       not functions)
            continue
        if current not in node_inputs[:1 if op != "Add" else 2] or len(node_outputs) != 1:
            raise TinynetError("%s does not continue the chain from %s; tinynet reads a graph "
                               "of dense layers one after another" % (here, shown(current)))
        others = [name for name in node_inputs if name != current]
        layer = len(functions)
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
            raise TinynetError("%s: tinynet reads only %s" % (here, READ))
        chain.current = node_outputs[0]
    if chain.current != outputs[0]:
        raise TinynetError("%s: the chain of nodes ends at %s, not at the graph's output %s"
                           % (path, shown(chain.current), shown(outputs[0])))
    if "0.weight" in tensors:
        chain.check_width(tensors["0.weight"].shape[1], path)
    return tensors, _functions(functions, model, path)


def _nodes(graph, path, inits):
    """The graph's nodes, each as ``(where, op, inputs, outputs, attributes)``,
    and the constants a node's settings may name: the initializers and the
    tensors of ``Constant`` nodes."""
    nodes, values = [], dict(inits)
    for number, raw in enumerate(blobs(graph, 1, path)):
        node = decode(raw, path)
        op = string(node, 4, path)
        here = "%s: node %d (%s)" % (path, number, shown(op))
        node_inputs = [text(v, here) for v in blobs(node, 1, here)]
        node_outputs = [text(v, here) for v in blobs(node, 2, here)]
        attributes = _attributes(blobs(node, 5, here), here)
        nodes.append((here, op, node_inputs, node_outputs, attributes))
        if op == "Constant" and len(node_outputs) == 1 \
                and isinstance(attributes.get("value"), memoryview):
            values[node_outputs[0]] = _initializer(attributes["value"], path, here)[1]
    return nodes, values


def _constant(names, inits, rank, where):
    """The initializer of rank ``rank`` (a bias may also be ``[1, n]``)."""
    if len(names) != 1 or names[0] not in inits:
        raise TinynetError("%s: its weights must be one initializer, not %s"
                           % (where, shown(names)))
    tensor = inits[names[0]]
    if tensor.code not in ("f", "e", "d"):
        raise TinynetError("%s: %s holds %s; a %s is float" % (
            where, shown(names[0]), tensor.kind(), "weight" if rank == 2 else "bias"))
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
