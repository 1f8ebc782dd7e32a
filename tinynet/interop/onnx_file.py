"""ONNX models written with the standard library only (IR version 7, opset 13).

An ONNX file is one protobuf message, a ModelProto (see onnx.proto in the
ONNX repository for every field number used below).  The graph a tinynet
network becomes is a chain, one ``Gemm`` node per layer followed by its
activation::

    input [batch, n_in] -> Gemm(0.weight, 0.bias, transB=1) -> Relu
                        -> Gemm(2.weight, 2.bias, transB=1) -> Softmax(axis=-1) -> output

``Gemm`` computes ``A @ B.T + C`` with ``transB=1``, so the weights are stored
as PyTorch stores them (``[out, in]``) under the same names, as float32.  The
batch dimension is left free (``dim_param`` "batch").  The model's metadata
records what tinynet knows about it (see layers.metadata).
"""

import sys
from array import array

from .layers import torch_tensors
from .protobuf import (bytes_field, int_field, message_field, packed_ints_field,
                       string_field)

IR_VERSION = 7
OPSET = 13
#: The ONNX operator of each activation (linear has none).
OPERATORS = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid", "softmax": "Softmax"}
FLOAT = 1  # TensorProto.FLOAT
DOUBLE = 11  # TensorProto.DOUBLE


def _attribute(name, value):
    """An AttributeProto holding the int ``value`` (type INT = 2)."""
    return message_field(5, [string_field(1, name), int_field(20, 2), int_field(3, value)])


def _node(op, inputs, outputs, name, attributes=()):
    """A NodeProto."""
    return message_field(1, [string_field(1, i) for i in inputs]
                         + [string_field(2, o) for o in outputs]
                         + [string_field(3, name), string_field(4, op)]
                         + [_attribute(k, v) for k, v in attributes])


def _initializer(name, shape, values):
    """A TensorProto of float32 values (rows flattened), as raw little-endian bytes."""
    flat = array("f")
    for row in values if len(shape) >= 2 else [values]:
        flat.extend(row)
    if sys.byteorder == "big":
        flat.byteswap()
    raw = flat.tobytes()
    return message_field(5, [packed_ints_field(1, shape), int_field(2, FLOAT),
                             string_field(8, name), bytes_field(9, raw)])


def _value_info(field, name, width):
    """A ValueInfoProto: a float tensor of shape [batch, width]."""
    dims = [message_field(1, [string_field(2, "batch")]), message_field(1, [int_field(1, width)])]
    tensor_type = message_field(1, [int_field(1, FLOAT), message_field(2, dims)])
    return message_field(field, [string_field(1, name), message_field(2, [tensor_type])])


def encode(data, notes):
    """Return the bytes of the ONNX model that computes the plain-data model
    ``data`` (``DNN.to_dict``'s form), carrying the metadata ``notes``."""
    tensors = torch_tensors(data)
    nodes, initializers = [], []
    x, layers = "input", len(data["weights"])
    for i in range(layers):
        (w_name, w_shape, w_rows), (b_name, b_shape, b_values) = tensors[2 * i:2 * i + 2]
        initializers += [_initializer(w_name, w_shape, w_rows),
                         _initializer(b_name, b_shape, b_values)]
        function = data["output"] if i == layers - 1 else data["activation"]
        last = i == layers - 1
        z = "output" if last and function == "linear" else "/%d/Gemm_output" % (2 * i)
        nodes.append(_node("Gemm", [x, w_name, b_name], [z], "/%d/Gemm" % (2 * i),
                           [("transB", 1)]))
        x = z
        if function != "linear":
            op = OPERATORS[function]
            x = "output" if last else "/%d/%s_output" % (2 * i + 1, op)
            nodes.append(_node(op, [z], [x], "/%d/%s" % (2 * i + 1, op),
                               [("axis", -1)] if op == "Softmax" else []))
    graph = (nodes + [string_field(2, "tinynet")] + initializers
             + [_value_info(11, "input", data["sizes"][0]),
                _value_info(12, "output", data["sizes"][-1])])
    from .. import __version__

    return b"".join([
        int_field(1, IR_VERSION), string_field(2, "tinynet"), string_field(3, __version__),
        message_field(7, graph), message_field(8, [string_field(1, ""), int_field(2, OPSET)])]
        + [message_field(14, [string_field(1, k), string_field(2, v)]) for k, v in notes.items()])
