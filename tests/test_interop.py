"""Export to and import from safetensors, ONNX and PyTorch state_dicts, with no
foreign library: round trips through tinynet's own writers and readers on
both backends, the files' layout byte by byte, state_dicts as plain data,
and hostile files refused by class of fault.  The same files checked by the
real PyTorch, onnx and onnxruntime: tests/test_interop_libraries.py (tox -e
interop)."""

import json
import math
import os
import pickle
import struct

import pytest

import tinynet
from tinynet import DNN, TinynetError, interop
from tinynet.interop import onnx_file, protobuf, safetensors_file

from conftest import needs_numpy, run_python
from hardening_util import run_bounded

X = [[0.5, -1.0, 0.25, 2.0, 0.0, -0.75], [1.5, 0.5, -0.5, 0.0, 1.0, 0.1],
     [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]
NETWORKS = [([6, 3], "relu", "softmax"), ([6, 1], "relu", "sigmoid"),
            ([6, 5, 4], "relu", "softmax"), ([6, 8, 7, 2], "tanh", "sigmoid"),
            ([6, 4, 4, 4, 3], "sigmoid", "linear"), ([6, 9, 2], "tanh", "linear")]


def network(sizes, activation="relu", output="softmax", backend="python", seed=1):
    loss = "mse" if output == "linear" else "cross_entropy"
    return DNN(sizes, activation=activation, output=output, loss=loss, seed=seed, backend=backend)


def close(a, b, tol=1e-6):
    """Equal within float32 rounding: the files hold float32 weights."""
    return all(math.isclose(u, v, rel_tol=tol, abs_tol=tol) for ra, rb in zip(a, b)
               for u, v in zip(ra, rb)) and len(a) == len(b)


def header_of(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + n]), data[8 + n:], n


def write_safetensors(path, header, body=b""):
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + body)
    return path


# === Round trips ===


@pytest.mark.parametrize("sizes,activation,output", NETWORKS)
@pytest.mark.parametrize("fmt", ["safetensors", "onnx"])
def test_a_network_comes_back_computing_the_same(tmp_path, backend, fmt, sizes, activation,
                                                 output):
    net = network(sizes, activation, output, backend)
    path = tmp_path / ("m." + fmt)
    assert interop.export(net, path) == fmt
    back = interop.load(path, backend=backend)
    assert (back.sizes, back.activation.name, back.output_activation.name, back.loss.name) == (
        net.sizes, net.activation.name if len(sizes) > 2 else "relu", output, net.loss.name)
    assert close(back.predict(X), net.predict(X))
    assert back.backend == backend


def test_the_files_hold_float32_so_the_round_trip_is_float32_rounding(tmp_path):
    net = network([6, 5, 4])
    net.set_params([[[0.1 + 1e-12 * i] * 5 for i in range(6)], [[1 / 3] * 4] * 5],
                   [[0.2] * 5, [0.0] * 4])
    interop.export(net, tmp_path / "m.safetensors")
    back = interop.load(tmp_path / "m.safetensors")
    assert back.get_params()["weights"][1][0][0] == struct.unpack("<f", struct.pack("<f", 1 / 3))[0]
    assert back.get_params()["weights"][1][0][0] != 1 / 3


def test_a_compact_board_model_exports_too(tmp_path):
    net = network([6, 5, 4])
    tinynet.save(net, tmp_path / "m.tnb")
    compact = tinynet.load(tmp_path / "m.tnb", backend="python")
    interop.export(compact, tmp_path / "m.onnx")
    assert close(interop.load(tmp_path / "m.onnx").predict(X), net.predict(X))


def test_the_file_records_the_settings_and_what_to_give_overrides_them(tmp_path):
    net = network([6, 5, 4], "tanh", "softmax")
    interop.export(net, tmp_path / "m.safetensors")
    back = interop.load(tmp_path / "m.safetensors", output="linear", loss="mse")
    assert (back.activation.name, back.output_activation.name, back.loss.name) == (
        "tanh", "linear", "mse")
    back = interop.load(tmp_path / "m.safetensors", output="linear")  # cross_entropy would not do
    assert (back.output_activation.name, back.loss.name) == ("linear", "mse")
    with pytest.raises(TinynetError, match="m.safetensors: .*unknown activation 'gelu'"):
        interop.load(tmp_path / "m.safetensors", activation="gelu")


# === The safetensors layout ===


def test_safetensors_layout_is_pytorchs_sequential(tmp_path):
    net = network([6, 5, 4], "tanh", "softmax")
    interop.export(net, tmp_path / "m.safetensors")
    header, body, n = header_of(tmp_path / "m.safetensors")
    assert n % 8 == 0  # the tensors start 8-byte aligned, the header padded with spaces
    notes = header.pop("__metadata__")
    assert list(header) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [header[k]["shape"] for k in header] == [[5, 6], [5], [4, 5], [4]]
    assert {h["dtype"] for h in header.values()} == {"F32"}
    spans = sorted(h["data_offsets"] for h in header.values())
    assert spans[0][0] == 0 and spans[-1][1] == len(body)  # contiguous, no gaps, no tail
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    begin, end = header["2.weight"]["data_offsets"]
    torch_w = struct.unpack("<20f", body[begin:end])  # row o = output o's weights
    W = net.get_params()["weights"][1]  # tinynet's [in][out]
    assert all(math.isclose(torch_w[o * 5 + i], W[i][o], rel_tol=1e-6)
               for o in range(4) for i in range(5))
    assert notes["tinynet.activation"] == "tanh" and notes["tinynet.output"] == "softmax"
    assert notes["tinynet.loss"] == "cross_entropy" and notes["tinynet.sizes"] == "6,5,4"
    assert notes["tinynet.torch"] == ("nn.Sequential(nn.Linear(6, 5), nn.Tanh(), "
                                      "nn.Linear(5, 4), nn.Softmax(dim=-1))")
    assert notes["format"] == "pt" and "unscaled" in notes["tinynet.input"]
    assert all(isinstance(v, str) for v in notes.values())


def test_to_state_dict_and_sequential():
    net = network([6, 5, 4], "sigmoid", "linear")
    state = interop.to_state_dict(net)
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(state["0.weight"]) == 5 and len(state["0.weight"][0]) == 6
    assert state["0.weight"][3][2] == net.get_params()["weights"][0][2][3]
    assert interop.sequential(net) == ("nn.Sequential(nn.Linear(6, 5), nn.Sigmoid(), "
                                       "nn.Linear(5, 4))")
    back = interop.from_state_dict(state, activation="sigmoid", output="linear", loss="mse",
                                   backend="python")
    assert back.predict(X) == net.predict(X)  # no float32 in between: exactly


@pytest.mark.parametrize("dtype,code", [("F64", "d"), ("F16", "e"), ("BF16", None)])
def test_other_float_dtypes_are_read(tmp_path, dtype, code):
    weights, bias = [[0.5, -2.0], [0.25, 1.0], [3.0, -0.125]], [1.0, -1.5, 0.0]
    flat = [v for row in weights for v in row] + bias
    if code:
        body = struct.pack("<%d%s" % (len(flat), code), *flat)
    else:  # bfloat16: the top two bytes of each float32
        body = b"".join(struct.pack("<f", v)[2:] for v in flat)
    size = len(body) // len(flat)
    header = {"0.weight": {"dtype": dtype, "shape": [3, 2], "data_offsets": [0, 6 * size]},
              "0.bias": {"dtype": dtype, "shape": [3], "data_offsets": [6 * size, 9 * size]}}
    net = interop.load(write_safetensors(tmp_path / "m.safetensors", header, body),
                       output="linear", backend="python")
    assert net.get_params() == {"weights": [[[0.5, 0.25, 3.0], [-2.0, 1.0, -0.125]]],
                                "biases": [bias]}


# === The ONNX layout ===


def test_onnx_layout(tmp_path):
    net = network([6, 5, 4], "relu", "softmax")
    interop.export(net, tmp_path / "m.onnx")
    where = "m.onnx"
    model = protobuf.decode((tmp_path / "m.onnx").read_bytes())
    assert protobuf.integer(model, 1, where) == 7
    opset = protobuf.decode(protobuf.blob(model, 8, where))
    assert (protobuf.string(opset, 1, where), protobuf.integer(opset, 2, where)) == ("", 13)
    graph = protobuf.decode(protobuf.blob(model, 7, where))
    nodes = [protobuf.decode(n) for n in protobuf.blobs(graph, 1, where)]
    assert [protobuf.string(n, 4, where) for n in nodes] == ["Gemm", "Relu", "Gemm", "Softmax"]
    # named as PyTorch's exporter names them: by the module's index in the nn.Sequential
    assert [protobuf.string(n, 3, where) for n in nodes] == [
        "/0/Gemm", "/1/Relu", "/2/Gemm", "/3/Softmax"]
    assert [[protobuf.text(v, where) for v in protobuf.blobs(n, 2, where)] for n in nodes] == [
        ["/0/Gemm_output"], ["/1/Relu_output"], ["/2/Gemm_output"], ["output"]]
    assert [len(protobuf.blobs(model, field, where)) for field in (2, 3)] == [1, 1]
    assert protobuf.string(model, 2, where) == "tinynet"  # producer_name, producer_version
    assert protobuf.string(model, 3, where) == tinynet.__version__
    attributes = [[protobuf.decode(a) for a in protobuf.blobs(n, 5, where)] for n in nodes]
    assert [(protobuf.string(a, 1, where), protobuf.integer(a, 3, where))
            for a in attributes[0] + attributes[3]] == [("transB", 1), ("axis", -1)]
    inits = [protobuf.decode(t) for t in protobuf.blobs(graph, 5, where)]
    assert [(protobuf.string(t, 8, where), protobuf.ints(t, 1, where)) for t in inits] == [
        ("0.weight", [5, 6]), ("0.bias", [5]), ("2.weight", [4, 5]), ("2.bias", [4])]
    value = protobuf.decode(protobuf.blob(graph, 11, where))
    tensor = protobuf.decode(protobuf.blob(protobuf.decode(protobuf.blob(value, 2, where)), 1,
                                           where))
    dims = [protobuf.decode(d) for d in protobuf.blobs(
        protobuf.decode(protobuf.blob(tensor, 2, where)), 1, where)]
    assert protobuf.string(dims[0], 2, where) == "batch"  # a free batch dimension
    assert protobuf.integer(dims[1], 1, where) == 6
    notes = {}
    for entry in protobuf.blobs(model, 14, where):
        entry = protobuf.decode(entry)
        notes[protobuf.string(entry, 1, where)] = protobuf.string(entry, 2, where)
    assert notes["tinynet.activation"] == "relu" and notes["tinynet.loss"] == "cross_entropy"


@pytest.mark.parametrize("n", [0, 1, 127, 128, 300, 2 ** 63 - 1, -1, -(2 ** 63)])
def test_protobuf_ints_round_trip(n):
    assert protobuf.integer(protobuf.decode(protobuf.int_field(3, n)), 3, "x") == n


@pytest.mark.parametrize("data,message", [
    (b"\x0b", "wire type 3"), (b"\x0a\x05ab", "claims 5 bytes; 2 are left"),
    (b"\x08" + b"\xff" * 11, "longer than 10 bytes"), (b"\x08\xff", "runs past the end"),
    (b"\x00\x01", "field number 0"), (b"\x0d\x01\x02", "fixed-width value runs past")])
def test_protobuf_faults_are_refused(data, message):
    with pytest.raises(TinynetError, match=message):
        protobuf.decode(data, "f.onnx")


def test_a_ten_byte_varint_is_read_as_its_low_64_bits():
    """A varint may carry 70 bits; protobuf keeps the low 64 (an int64 of
    them stays in range for struct, which packs a Reshape's shape)."""
    fields = protobuf.decode(b"\x18" + b"\xff" * 9 + b"\x7f" + b"\x20" + b"\x80" * 9 + b"\x7e")
    assert protobuf.integer(fields, 3, "x") == -1 and protobuf.integer(fields, 4, "x") == 0
    assert protobuf.ints(fields, 3, "x") == [-1]


def test_a_fixed32_is_four_bytes_and_a_float_is_its_last_value():
    """A fixed32 (wire type 5) is 4 bytes, a fixed64 (wire type 1) 8: the
    field after each is read where it starts.  A float field written twice
    is its last value (protobuf's rule), which must be 4 bytes."""
    fields = protobuf.decode(b"\x15" + struct.pack("<f", 1.5) + b"\x18\x07"
                             + b"\x21" + struct.pack("<d", 2.5) + b"\x28\x09")
    assert fields == {2: [struct.pack("<f", 1.5)], 3: [7], 4: [struct.pack("<d", 2.5)], 5: [9]}
    assert protobuf.real(fields, 2, "x") == 1.5 and protobuf.real(fields, 6, "x") == 0.0
    twice = protobuf.decode(b"\x11" + struct.pack("<d", 2.5) + b"\x15" + struct.pack("<f", -0.5))
    assert protobuf.real(twice, 2, "x") == -0.5
    wide_last = protobuf.decode(b"\x15" + struct.pack("<f", -0.5)
                                + b"\x11" + struct.pack("<d", 2.5))
    with pytest.raises(TinynetError, match="x: corrupt protobuf .field 2 is not a float."):
        protobuf.real(wide_last, 2, "x")


def test_protobuf_accessors_refuse_the_wrong_wire_type():
    fields = protobuf.decode(protobuf.int_field(1, 2 ** 40) + protobuf.string_field(2, "x"))
    with pytest.raises(TinynetError, match="field 1 is not bytes"):
        protobuf.string(fields, 1, "f")  # never bytes(2 ** 40)
    with pytest.raises(TinynetError, match="field 2 is not a number"):
        protobuf.integer(fields, 2, "f")
    with pytest.raises(TinynetError, match="field 1 is not a float"):
        protobuf.real(fields, 1, "f")


# === state_dicts as plain data ===


class FakeTensor:
    """Has .tolist() as a torch.Tensor does: all from_state_dict asks of one."""

    def __init__(self, values):
        self.values = values

    def tolist(self):
        return self.values


def test_a_state_dict_of_lists_or_tensor_like_objects(backend):
    net = network([6, 5, 4], "tanh", "softmax", backend)
    state = interop.to_state_dict(net)
    back = interop.from_state_dict({k: FakeTensor(v) for k, v in state.items()},
                                   activation="tanh", output="softmax", backend=backend)
    assert close(back.predict(X), net.predict(X), 1e-12)


def test_a_state_dict_with_a_prefix_gaps_and_no_biases():
    # nn.Sequential(Linear(2, 2, bias=False), ReLU(), Dropout(), Linear(2, 1)) inside `net`
    state = {"net.0.weight": [[1.0, -1.0], [2.0, 0.5]], "net.3.weight": [[1.0, 1.0]],
             "net.3.bias": [0.25]}
    model = interop.from_state_dict(state, activation="relu", output="linear")
    assert model.sizes == [2, 2, 1]
    # relu([3 - 1, 6 + 0.5]) = [2, 6.5]; 2 + 6.5 + 0.25
    assert model.predict([3.0, 1.0]) == [8.75]


@needs_numpy
def test_a_state_dict_of_numpy_arrays():
    import numpy as np

    state = {"0.weight": np.array([[1.0, 2.0]], dtype=np.float32),
             "0.bias": np.array([0.5], dtype=np.float32)}
    assert interop.from_state_dict(state, output="linear").predict([1.0, 1.0]) == [3.5]


def test_a_star_import_gives_the_public_functions():
    names = {}
    exec("from tinynet.interop import *", names)
    del names["__builtins__"]
    assert sorted(names) == sorted(interop.__all__) == [
        "FORMATS", "MAX_FILE_BYTES", "export", "from_state_dict", "load", "sequential",
        "to_state_dict"]
    assert names["load"] is interop.load and names["export"] is interop.export


def test_torch_is_never_imported():
    out = run_python("import sys\n"
                     "from tinynet import interop\n"
                     "interop.from_state_dict({'0.weight': [[1.0]]}, output='sigmoid')\n"
                     "print(sorted(m for m in sys.modules if m.split('.')[0] in "
                     "('torch', 'onnx', 'onnxruntime', 'safetensors')))\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("state,message", [
    ({}, "holds no tensors"),
    ({"0.weight": [[1.0]], "1.running_mean": [0.0]}, "'1.running_mean' is not a Linear"),
    ({"0.weight": [[1.0]], "0.num_batches_tracked": 3}, "not a Linear"),
    ({"0.bias": [1.0]}, "0.bias has no weight"),
    ({"0.weight": [1.0, 2.0]}, r"0.weight has shape \[2\]; a Linear layer's weight is 2-D"),
    ({"0.weight": [[1.0, 2.0]], "0.bias": [1.0, 2.0]}, r"0.bias has shape \[2\]; it must be \[1\]"),
    ({"0.weight": [[1.0, 2.0]], "2.weight": [[1.0, 2.0]]}, "2.weight takes 2 inputs, but the "
     "layer before gives 1"),
    ({"a.0.weight": [[1.0]], "b.2.weight": [[1.0]]}, "different prefixes"),
    ({"0.weight": [[1.0, 2.0], [1.0]]}, "rows of different lengths"),
    ({"0.weight": [[1.0, float("nan")]]}, "the state_dict: .*non-finite"),
    ({"0.weight": [[1.0, "x"]]}, "the state_dict: .*not a number"),
])
def test_a_bad_state_dict_is_refused_saying_why(state, message):
    with pytest.raises(ValueError, match=message):
        interop.from_state_dict(state, activation="relu", output="sigmoid")


def test_a_state_dict_needs_its_activation_and_output_given():
    state = {"0.weight": [[1.0, 2.0]] * 3, "2.weight": [[1.0] * 3] * 2}
    with pytest.raises(TinynetError) as err:
        interop.from_state_dict(state)
    assert str(err.value) == (
        "the state_dict does not say what the hidden activation or the output is: give "
        "activation='relu', output='softmax' (on the command line: --activation relu --output "
        "softmax)")
    with pytest.raises(TinynetError, match="what the output is: give output="):
        interop.from_state_dict(state, activation="relu")
    with pytest.raises(TypeError, match="must be a mapping"):
        interop.from_state_dict([("0.weight", [[1.0]])])
    single = interop.from_state_dict({"0.weight": [[1.0, 2.0]] * 3}, output="softmax")
    assert single.sizes == [2, 3] and single.loss.name == "cross_entropy"


# === Hostile and broken files ===


def valid_header():
    return {"__metadata__": {"tinynet.activation": "relu", "tinynet.output": "softmax"},
            "0.weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
            "0.bias": {"dtype": "F32", "shape": [2], "data_offsets": [24, 32]}}


BODY = struct.pack("<8f", *range(8))


def edited(path, **changes):
    header = valid_header()
    for key, value in changes.items():
        name, _, field = key.partition("__")
        name = {"w": "0.weight", "b": "0.bias", "meta": "__metadata__"}[name]
        if field:
            header[name][field] = value
        else:
            header[name] = value
    return write_safetensors(path, header, BODY)


def test_the_valid_hostile_test_file_loads(tmp_path):
    assert interop.load(edited(tmp_path / "m.safetensors")).sizes == [3, 2]


@pytest.mark.parametrize("changes,message", [
    (dict(w__dtype="I64"), "has dtype 'I64'; tinynet reads the float types"),
    (dict(w__dtype=None), "has dtype None"),
    (dict(w__shape=[2, -3]), "shape must be a list of sizes"),
    (dict(w__shape=[2, True]), "shape must be a list of sizes"),
    (dict(w__shape=[2.0, 3]), "shape must be a list of sizes"),
    (dict(w__shape="2,3"), "shape must be a list of sizes"),
    (dict(w__shape=[2, 4]), r"takes 32 bytes, but its data_offsets span 24"),
    (dict(w__shape=[2 ** 40, 2 ** 40]), "takes more than 32 bytes"),
    (dict(w__data_offsets=[0, 24, 32]), "data_offsets must be two ints"),
    (dict(w__data_offsets=[0.0, 24]), "data_offsets must be two ints"),
    (dict(w__data_offsets=[24, 0]), "lie outside"),
    (dict(w__data_offsets=[-8, 16]), "lie outside"),
    (dict(b__data_offsets=[-1, 7]), "data_offsets \\[-1, 7\\] lie outside the 32 bytes"),
    (dict(w__data_offsets=[16, 40]), "lie outside the 32 bytes"),
    (dict(b__data_offsets=[16, 24]), "tensors '0.weight' and '0.bias' overlap"),
    (dict(w="F32"), "its header entry must be an object"),
    (dict(meta={"a": 1}), "__metadata__ must map strings to strings"),
    (dict(meta=["x"]), "__metadata__ must map strings to strings"),
    (dict(meta={"tinynet.output": "relu"}), "unknown output 'relu'"),
])
def test_a_bad_header_is_refused_naming_the_file(tmp_path, changes, message):
    path = edited(tmp_path / "bad.safetensors", **changes)
    with pytest.raises(TinynetError, match=message) as err:
        interop.load(path)
    assert str(err.value).startswith(str(path))


def sized(header):
    return struct.pack("<Q", len(header)) + header


@pytest.mark.parametrize("data,message", [
    (b"", "0 bytes is too short"),
    (b"\x02\x00\x00", "3 bytes is too short"),
    (struct.pack("<Q", 100) + b"{}", "claims 100 bytes, but the file has only 2"),
    (struct.pack("<Q", 2 ** 64 - 1) + b"{}", "a safetensors header tinynet reads is at most"),
    (sized(b"{x}"), "not valid JSON"),
    (sized(b"{\xff}"), "not valid JSON"),
    (sized(b"{" + b'"a":' * 9999), "not valid JSON"),
    (sized(b"[]"), "must be a JSON object, not"),
    (sized(b'{"a":1,"a":[1,2]}'), "the key 'a' appears twice"),
    (sized(b'{"a":1'), "not valid JSON"),
    (sized(b"{} "), "holds no tensors"),
    (b"hello, world", "the header claims 8583909746840200552 bytes"),  # named .safetensors
])
def test_a_broken_file_is_refused_naming_it(tmp_path, data, message):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    with pytest.raises(TinynetError, match=message) as err:
        interop.load(path)
    assert str(err.value).startswith(str(path))


@pytest.mark.parametrize("data,message", [
    (b"hello, world", "neither a safetensors nor an ONNX file"),
    (b'{"format": "tinynet"}', "a tinynet model, not a safetensors or ONNX file: it needs no "
     "import"),
    (b"\x89TNB\x01\x00", "a tinynet model"),
])
def test_a_file_of_another_kind_is_named_for_what_it_is(tmp_path, data, message):
    path = tmp_path / "model.bin"
    path.write_bytes(data)
    with pytest.raises(TinynetError, match=message) as err:
        interop.load(path)
    assert str(err.value).startswith(str(path) + ": ")


def test_a_header_of_128_bytes_is_not_taken_for_a_pickle(tmp_path):
    """A header length of 128 makes the file start with 0x80, as a pickle does."""
    entries = valid_header()
    del entries["__metadata__"]
    header = json.dumps(entries, separators=(",", ":")).encode()
    assert len(header) <= 128
    header += b" " * (128 - len(header))
    path = tmp_path / "m.bin"  # no suffix to go by
    path.write_bytes(struct.pack("<Q", 128) + header + BODY)
    assert path.read_bytes()[:1] == b"\x80"
    assert interop.load(path, output="linear").sizes == [3, 2]


def test_a_deeply_nested_header_is_refused(tmp_path):
    text = b"{" + b'"a":[' * 100000 + b"]" * 100000 + b"}"
    path = tmp_path / "deep.safetensors"
    path.write_bytes(struct.pack("<Q", len(text)) + text)
    with pytest.raises(TinynetError, match="not valid JSON|must be an object"):
        interop.load(path)


def test_non_finite_weights_are_refused(tmp_path):
    body = struct.pack("<8f", 0, 1, float("inf"), 3, 4, 5, 6, 7)
    path = write_safetensors(tmp_path / "inf.safetensors", valid_header(), body)
    with pytest.raises(TinynetError, match="inf.safetensors: .*non-finite value"):
        interop.load(path)


def test_a_pickle_is_never_unpickled(tmp_path):
    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    for name, data in (("model.pt", pickle.dumps(Exploit())),
                       ("zip.pt", b"PK\x03\x04" + pickle.dumps(Exploit()))):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(TinynetError, match="never opens a PyTorch .pt/.pth file"):
            interop.load(tmp_path / name)
    assert not marker.exists()


def test_special_files_and_oversized_files(tmp_path, monkeypatch):
    with pytest.raises(TinynetError, match="refusing to read a directory"):
        interop.load(tmp_path)
    if os.path.exists("/dev/zero"):
        with pytest.raises(TinynetError, match="character device"):
            interop.load("/dev/zero")
    with pytest.raises(FileNotFoundError):
        interop.load(tmp_path / "missing.safetensors")
    path = edited(tmp_path / "m.safetensors")
    monkeypatch.setattr(interop, "MAX_FILE_BYTES", 100)
    with pytest.raises(TinynetError, match="larger than the 100 bytes"):
        interop.load(path)


def test_a_huge_claim_is_refused_before_any_allocation(tmp_path):
    """A header claiming a 100,000 x 100,000 weight (40 GB) on a file of a
    few bytes, under a memory cap far below the claim."""
    header = {"0.weight": {"dtype": "F32", "shape": [100000, 100000],
                           "data_offsets": [0, 4 * 10 ** 10]}}
    path = write_safetensors(tmp_path / "huge.safetensors", header, b"\0" * 64)
    code = ("from tinynet import interop, TinynetError\n"
            "try:\n"
            "    interop.load(%r, output='softmax')\n"
            "except TinynetError as err:\n"
            "    print(err)\n" % str(path))
    result = run_bounded(code)
    assert result.returncode == 0, result.stderr
    assert "lie outside the 64 bytes of data" in result.stdout


# === ONNX: other writers' forms, and faults ===


def onnx_model(nodes, initializers, inputs=("input",), outputs=("output",), width=(3, 2)):
    graph = (nodes + initializers + [onnx_file._value_info(11, name, width[0]) for name in inputs]
             + [onnx_file._value_info(12, name, width[1]) for name in outputs])
    return (protobuf.int_field(1, 7) + protobuf.message_field(7, graph)
            + protobuf.message_field(8, [protobuf.int_field(2, 13)]))


W = [[1.0, -1.0, 0.5], [0.0, 2.0, 1.0]]  # [out, in]
B = [0.5, -0.25]


def gemm_model(trans_b=1, extra=()):
    weight = W if trans_b else [list(c) for c in zip(*W)]
    return onnx_model(
        [onnx_file._node("Gemm", ["input", "W", "B"], ["z"], "g", [("transB", trans_b)]
                         + list(extra)),
         onnx_file._node("Sigmoid", ["z"], ["output"], "s")],
        [onnx_file._initializer("W", [len(weight), len(weight[0])], weight),
         onnx_file._initializer("B", [2], B)])


def expected(x):
    return [1 / (1 + math.exp(-(sum(w * v for w, v in zip(row, x)) + b)))
            for row, b in zip(W, B)]


@pytest.mark.parametrize("form", ["gemm", "gemm-transB-0", "matmul-add"])
def test_onnx_dense_layers_in_each_form_are_read(tmp_path, form):
    if form == "matmul-add":
        data = onnx_model(
            [onnx_file._node("MatMul", ["input", "W"], ["m"], "mm"),
             onnx_file._node("Add", ["m", "B"], ["z"], "add"),
             onnx_file._node("Sigmoid", ["z"], ["output"], "s")],
            [onnx_file._initializer("W", [3, 2], [list(c) for c in zip(*W)]),
             onnx_file._initializer("B", [1, 2], [B])])
    else:
        data = gemm_model(trans_b=0 if form.endswith("0") else 1)
    (tmp_path / "m.onnx").write_bytes(data)
    net = interop.load(tmp_path / "m.onnx", backend="python")
    assert (net.sizes, net.output_activation.name) == ([3, 2], "sigmoid")
    assert close(net.predict([[1.0, 2.0, -1.0]]), [expected([1.0, 2.0, -1.0])])


def _chain(*ops):
    """A graph of 3-3 Gemm layers and the ``ops`` between them."""
    nodes, inits, x = [], [], "input"
    for i, op in enumerate(ops):
        y = "output" if i == len(ops) - 1 else "t%d" % i
        if op == "Gemm":
            inits += [onnx_file._initializer("W%d" % i, [3, 3], [[0.5] * 3] * 3)]
            nodes.append(onnx_file._node("Gemm", [x, "W%d" % i], [y], "n%d" % i, [("transB", 1)]))
        else:
            nodes.append(onnx_file._node(op, [x], [y], "n%d" % i))
        x = y
    return onnx_model(nodes, inits, width=(3, 3))


def int64_tensor(name, dims, values, raw=True, kind=7):
    """A TensorProto of int64 (or, ``kind=9``, bool) values: raw bytes, or
    one varint each in int64_data (int32_data for a bool)."""
    values = list(values)
    if raw:
        data = protobuf.bytes_field(9, struct.pack("<%dq" % len(values), *values) if kind == 7
                                    else bytes(values))
    else:
        data = b"".join(protobuf.int_field(7 if kind == 7 else 5, v) for v in values)
    return protobuf.message_field(5, [protobuf.packed_ints_field(1, dims),
                                      protobuf.int_field(2, kind), protobuf.string_field(8, name),
                                      data])


@pytest.mark.parametrize("data,message", [
    (protobuf.int_field(1, 7), "an ONNX model with no graph"),
    (gemm_model()[:-9], "truncated protobuf"),
    (gemm_model(extra=[("alpha", 2)]), "only transA=0, alpha=1 and beta=1"),
    (gemm_model(extra=[("transA", 1)]), "only transA=0"),
    (_chain("Gemm", "Conv"), "node 1 .'Conv'.: tinynet reads only Gemm, MatMul"),
    (_chain("Gemm", "Gemm"), "two dense layers follow each other with no activation"),
    (_chain("Gemm", "Relu", "Gemm", "Relu"), "the last layer ends in Relu"),
    (_chain("Gemm", "Relu", "Gemm", "Tanh", "Gemm"), "share one activation"),
    (_chain("Relu", "Gemm"), "does not follow a dense layer"),
    (_chain("Gemm", "Softmax", "Gemm"), "share one activation"),
    (onnx_model([onnx_file._node("Relu", ["other"], ["output"], "r")], []),
     "does not continue the chain from 'input'"),
    (onnx_model([], [], inputs=("a", "b")), "2 inputs and 1 outputs"),
    (onnx_model([onnx_file._node("Gemm", ["input", "W"], ["output"], "g")],
                [onnx_file._initializer("W", [2, 3, 1], [[1.0] * 6])]), "a weight is 2-D"),
    (onnx_model([onnx_file._node("Gemm", ["input", "X"], ["output"], "g")], []),
     "its weights must be one initializer"),
    (onnx_model([], [onnx_file._initializer("W", [4, 4], [[1.0] * 3] * 3)]),
     "initializer 'W': dims \\[4, 4\\] do not fit the 36 bytes"),
    (onnx_model([], [onnx_file._initializer("W", [1], [1.0]),
                     onnx_file._initializer("W", [1], [1.0])]), "two initializers are named 'W'"),
    (onnx_model([], [protobuf.message_field(5, [protobuf.int_field(2, 1), protobuf.string_field(
        8, "W"), protobuf.int_field(14, 1)])]), "external data"),
    (onnx_model([], [protobuf.message_field(5, [protobuf.int_field(2, 6), protobuf.string_field(
        8, "W")])]), "element type 6; tinynet reads float, float16 and double weights"),
    (onnx_model([onnx_file._node("Gemm", ["input", "W"], ["output"], "g")],
                [int64_tensor("W", [2, 3], range(6))]), "'W' holds int64 values; a weight is float"),
    (onnx_model([], [int64_tensor("S", [2000], range(2000), raw=False)]),
     "initializer 'S': its int64 values take more than 1024 bytes"),
    (onnx_model([], [int64_tensor("S", [3], [1, 2])]), "'S': dims \\[3\\] do not fit the 16 bytes"),
    (onnx_model([], [protobuf.message_field(5, [protobuf.packed_ints_field(1, [-1, 2]),
                                                protobuf.int_field(2, 1)])]), "do not fit"),
    # negative dims whose product is the data's 2 floats: still no sizes
    (onnx_model([], [protobuf.message_field(5, [
        protobuf.packed_ints_field(1, [-1, -1, 2]), protobuf.int_field(2, 1),
        protobuf.string_field(8, "N"), protobuf.bytes_field(9, struct.pack("<2f", 1, 2))])]),
     "initializer 'N': dims \\[-1, -1, 2\\] do not fit the 8 bytes"),
    (onnx_model([], []), "ends at 'input', not at the graph's output 'output'"),
])
def test_a_bad_onnx_file_is_refused_naming_it(tmp_path, data, message):
    path = tmp_path / "bad.onnx"
    path.write_bytes(data)
    with pytest.raises(TinynetError, match=message) as err:
        interop.load(path, activation="relu", output="softmax")
    assert str(err.value).startswith(str(path))


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2])
def test_a_softmax_over_the_last_axis_is_read_and_over_another_refused(tmp_path, axis):
    """A row [batch, classes] has two axes: the last is 1 (or -1); opset
    12's exporters write axis=1."""
    data = onnx_model([onnx_file._node("Gemm", ["input", "W"], ["z"], "g", [("transB", 1)]),
                       onnx_file._node("Softmax", ["z"], ["output"], "s", [("axis", axis)])],
                      [onnx_file._initializer("W", [2, 3], W)])
    (tmp_path / "m.onnx").write_bytes(data)
    if axis in (1, -1):
        net = interop.load(tmp_path / "m.onnx", backend="python")
        assert (net.sizes, net.output_activation.name) == ([3, 2], "softmax")
    else:
        with pytest.raises(TinynetError, match="a softmax over axis %d" % axis):
            interop.load(tmp_path / "m.onnx")


def raw_node(op, inputs, outputs, attributes):
    """A NodeProto whose AttributeProtos are given encoded."""
    return protobuf.message_field(1, [protobuf.string_field(1, i) for i in inputs]
                                  + [protobuf.string_field(2, o) for o in outputs]
                                  + [protobuf.string_field(3, "n"), protobuf.string_field(4, op)]
                                  + list(attributes))


def float_attribute(name, value):
    """An AttributeProto of type FLOAT (1): its value a fixed32 in field 2."""
    return protobuf.message_field(5, [protobuf.string_field(1, name),
                                      b"\x15" + struct.pack("<f", value),
                                      protobuf.int_field(20, 1)])


@pytest.mark.parametrize("alpha,beta", [(1.0, 1.0), (0.5, 1.0), (1.0, 2.0)])
def test_a_gemm_with_float_alpha_and_beta_as_pytorch_writes_them(tmp_path, alpha, beta):
    """PyTorch's exporter writes Gemm's alpha and beta as FLOAT attributes:
    1.0 is read; any other value would scale the layer, and is refused."""
    gemm = raw_node("Gemm", ["input", "W", "B"], ["z"], [
        float_attribute("alpha", alpha), float_attribute("beta", beta),
        protobuf.message_field(5, [protobuf.string_field(1, "transB"), protobuf.int_field(20, 2),
                                   protobuf.int_field(3, 1)])])
    data = onnx_model([gemm, onnx_file._node("Sigmoid", ["z"], ["output"], "s")],
                      [onnx_file._initializer("W", [2, 3], W),
                       onnx_file._initializer("B", [2], B)])
    (tmp_path / "m.onnx").write_bytes(data)
    if alpha == beta == 1.0:
        net = interop.load(tmp_path / "m.onnx", backend="python")
        assert close(net.predict([[1.0, 2.0, -1.0]]), [expected([1.0, 2.0, -1.0])])
    else:
        with pytest.raises(TinynetError, match="only transA=0, alpha=1 and beta=1 are read"):
            interop.load(tmp_path / "m.onnx")


def test_an_attribute_of_a_type_not_read_has_no_value(tmp_path):
    """A Flatten whose axis is a list of ints (type INTS, field 8) is not
    read as any number: it is refused, saying its axis is None."""
    ints_axis = protobuf.message_field(5, [protobuf.string_field(1, "axis"),
                                           protobuf.int_field(20, 7),
                                           protobuf.packed_ints_field(8, [1])])
    data = with_noops([raw_node("Flatten", ["input"], ["x"], [ints_axis])])
    (tmp_path / "m.onnx").write_bytes(data)
    with pytest.raises(TinynetError, match="a Flatten with axis=None of a 2-D input"):
        interop.load(tmp_path / "m.onnx")


def test_an_empty_initializer_holds_no_bytes_and_is_read(tmp_path):
    """A tensor with a dim of 0 has no values, whatever its other dims: an
    unused one in the graph is no fault (nor are its dims multiplied)."""
    empty = [onnx_file._initializer("E%d" % i, dims, []) for i, dims in enumerate(
        [[5, 0], [0], [2 ** 40, 3, 0], [0, 2 ** 40]])]
    (tmp_path / "m.onnx").write_bytes(gemm_model_with(empty))
    net = interop.load(tmp_path / "m.onnx", backend="python")
    assert close(net.predict([[1.0, 2.0, -1.0]]), [expected([1.0, 2.0, -1.0])])


def gemm_model_with(initializers):
    """gemm_model's graph with more initializers, used by no node."""
    return with_noops(inits=initializers)


def test_a_thousand_huge_dims_are_refused_without_multiplying_them_all(tmp_path, monkeypatch):
    """A hostile tensor claims dims of 2**62, a thousand of them, on 8
    bytes: the product passes the data's size after the first dim, and the
    rest are not multiplied (their product would be a 62,000-bit number,
    and a larger file's would take quadratic time)."""
    from tinynet.interop import onnx_read

    products = []

    class Dim(int):
        def __rmul__(self, other):  # (count *= dim)
            products.append((other, int(self)))
            return int(other) * int(self)

    real_ints = onnx_read.ints
    monkeypatch.setattr(onnx_read, "ints", lambda *args: [Dim(n) for n in real_ints(*args)])
    tensor = protobuf.message_field(5, [
        protobuf.packed_ints_field(1, [2 ** 62] * 1000), protobuf.int_field(2, 1),
        protobuf.string_field(8, "huge"), protobuf.bytes_field(9, b"\0" * 8)])
    (tmp_path / "m.onnx").write_bytes(gemm_model_with([tensor]))
    with pytest.raises(TinynetError, match="initializer 'huge': dims .* do not fit the 8 bytes"):
        interop.load(tmp_path / "m.onnx")
    assert [p for p in products if p[1] == 2 ** 62] == [(1, 2 ** 62)]


def test_on_a_big_endian_machine_an_onnx_tensor_is_byte_swapped(monkeypatch):
    """An ONNX tensor's raw bytes are little-endian: array reads them in the
    machine's order, so a big-endian machine swaps them.  Pretended here
    (this machine is little-endian): the swapped values read as the other
    byte order does."""
    import types

    from tinynet.interop import onnx_read

    raw = struct.pack("<3f", 1.5, -2.0, 0.25)
    tensor = onnx_read.Initializer([3], "f", raw, "t")
    assert list(tensor.values()) == [1.5, -2.0, 0.25]
    monkeypatch.setattr(onnx_read, "sys", types.SimpleNamespace(byteorder="big"))
    assert list(tensor.values()) == list(struct.unpack(">3f", raw))
    wide = onnx_read.Initializer([2], "q", struct.pack("<2q", 1, -2), "t")
    assert list(wide.values()) == list(struct.unpack(">2q", struct.pack("<2q", 1, -2)))


# === ONNX: the nodes that change nothing (Identity, Dropout, Flatten, Reshape) ===


def value_info(field, name, dims):
    """A ValueInfoProto of a float tensor with ``dims`` (an int, or a str for
    a free one; None: no shape given)."""
    shape = [protobuf.message_field(1, [protobuf.string_field(2, d) if isinstance(d, str)
                                        else protobuf.int_field(1, d)]) for d in dims or ()]
    tensor = protobuf.message_field(1, [protobuf.int_field(1, 1)] + (
        [] if dims is None else [protobuf.message_field(2, shape)]))
    return protobuf.message_field(field, [protobuf.string_field(1, name),
                                          protobuf.message_field(2, [tensor])])


def constant(output, tensor):
    """A Constant node whose value is the TensorProto ``tensor`` (an initializer's bytes)."""
    value = protobuf.decode(tensor)[5][0]
    attribute = protobuf.message_field(5, [protobuf.string_field(1, "value"),
                                           protobuf.int_field(20, 4), protobuf.bytes_field(5, value)])
    return protobuf.message_field(1, [protobuf.string_field(2, output), protobuf.string_field(
        3, "c_" + output), protobuf.string_field(4, "Constant"), attribute])


def with_noops(before=(), after=(), dims=("N", 3), inits=(), weight="W", first=()):
    """The 3-2 sigmoid layer of gemm_model, with the nodes ``before`` it
    (from "input" to "x") and ``after`` its Gemm (from "z" to "y"), and
    ``first`` ahead of all."""
    nodes = list(first) + list(before) + [
        onnx_file._node("Gemm", ["x" if before else "input", weight, "B"],
                        ["z"], "g", [("transB", 1)])] + list(after) + [
        onnx_file._node("Sigmoid", ["y" if after else "z"], ["output"], "s")]
    graph = (nodes + [onnx_file._initializer("W", [2, 3], W), onnx_file._initializer("B", [2], B)]
             + list(inits) + [value_info(11, "input", dims), value_info(12, "output", ["N", 2])])
    return (protobuf.int_field(1, 7) + protobuf.message_field(7, graph)
            + protobuf.message_field(8, [protobuf.int_field(2, 13)]))


def node(op, inputs, outputs, attributes=()):
    return onnx_file._node(op, inputs, outputs, "n_" + outputs[0], attributes)


BOOL_FALSE = int64_tensor("off", [], [0], kind=9)
BOOL_TRUE = int64_tensor("on", [], [1], kind=9)
RATIO = onnx_file._initializer("ratio", [1], [0.5])


NOOP_GRAPHS = {
    "identity": with_noops([node("Identity", ["input"], ["x"])],
                           [node("Identity", ["z"], ["y"])]),
    "identity-of-a-weight": with_noops(first=[node("Identity", ["W"], ["W_read"])],
                                       weight="W_read"),
    "dropout-alone": with_noops(after=[node("Dropout", ["z"], ["y"], [("seed", 3)])]),
    "dropout-of-the-input": with_noops([node("Dropout", ["input"], ["x"])]),
    "dropout-inference": with_noops(after=[node("Dropout", ["z", "ratio", "off"], ["y", "mask"])],
                                    inits=[RATIO, BOOL_FALSE]),
    "dropout-constants": with_noops(after=[
        constant("r", RATIO), constant("t", int64_tensor("", [], [0], raw=False, kind=9)),
        node("Dropout", ["z", "r", "t"], ["y", "mask"])]),
    "dropout-no-ratio": with_noops(after=[node("Dropout", ["z", "", "off"], ["y", ""])],
                                   inits=[BOOL_FALSE]),
    "flatten": with_noops([node("Flatten", ["input"], ["x"], [("axis", 1)])]),
    "flatten-default-axis": with_noops([node("Flatten", ["input"], ["x"])], dims=["N", 1, 3, 1]),
    "flatten-negative-axis": with_noops([node("Flatten", ["input"], ["x"], [("axis", -3)])],
                                        dims=["N", 3, 1, 1]),
    "flatten-no-shape": with_noops([node("Flatten", ["input"], ["x"], [("axis", 1)])],
                                   dims=None),
    "reshape": with_noops([node("Reshape", ["input", "S"], ["x"])], dims=["N", 1, 3],
                          inits=[int64_tensor("S", [2], [-1, 3])]),
    "reshape-fixed-batch": with_noops([node("Reshape", ["input", "S"], ["x"])], dims=[5, 3, 1],
                                      inits=[int64_tensor("S", [2], [5, 3], raw=False)]),
    "reshape-keep-batch": with_noops([constant("S", int64_tensor("", [2], [0, -1])),
                                      node("Reshape", ["input", "S"], ["x"])], dims=["N", 3, 1]),
}


@pytest.mark.parametrize("form", sorted(NOOP_GRAPHS))
def test_onnx_nodes_that_change_nothing_are_read(tmp_path, form):
    (tmp_path / "m.onnx").write_bytes(NOOP_GRAPHS[form])
    net = interop.load(tmp_path / "m.onnx", backend="python")
    assert (net.sizes, net.output_activation.name) == ([3, 2], "sigmoid")
    assert close(net.predict([[1.0, 2.0, -1.0]]), [expected([1.0, 2.0, -1.0])])


@pytest.mark.parametrize("data,message", [
    (with_noops(after=[node("Dropout", ["z", "ratio", "on"], ["y"])], inits=[RATIO, BOOL_TRUE]),
     "node 1 .'Dropout'.: training_mode is true, so this Dropout drops inputs at random; "
     "export the model for inference .in PyTorch, model.eval.. before torch.onnx.export."),
    (with_noops(after=[constant("t", int64_tensor("", [1], [5], raw=False, kind=9)),
                       node("Dropout", ["z", "", "t"], ["y"])]), "training_mode is true"),
    (with_noops(after=[node("Dropout", ["z", "", "mode"], ["y"])]),
     "its training_mode 'mode' is not a constant"),
    (with_noops(after=[node("Dropout", ["z", "", "S"], ["y"])],
                inits=[int64_tensor("S", [], [0])]), "'S' holds int64 values, not bool"),
    (with_noops(after=[node("Dropout", ["z", "", "T"], ["y"])],
                inits=[int64_tensor("T", [2], [0, 0], kind=9)]), "'T' holds 2 values, not one"),
    (with_noops(after=[node("Dropout", ["z"], ["y", "mask"]), node("Relu", ["mask"], ["m2"])]),
     "node 1 .'Dropout'.: its mask output 'mask' is used"),
    (with_noops(after=[node("Dropout", ["z", "", "", "x"], ["y"])]),
     "'Dropout'. has 4 inputs and 1 outputs; an ONNX Dropout has at most 3 and 2"),
    (with_noops(after=[node("Identity", ["other"], ["y"])]), "node 1 .'Identity'. does not "
     "continue the chain from 'z'"),
    (with_noops(after=[node("Identity", ["z", "W"], ["y"])]), "node 1 .'Identity'. has 2 inputs"),
    (with_noops(after=[node("Identity", ["z"], ["y", "y2"])]),
     "node 1 .'Identity'. has 1 inputs and 2 outputs; an ONNX Identity has at most 1 and 1"),
    (with_noops([node("Flatten", ["input"], ["x", "x2"])]),
     "node 0 .'Flatten'. has 1 inputs and 2 outputs; an ONNX Flatten has at most 1 and 1"),
    (with_noops([node("Flatten", ["input"], ["x"], [("axis", 0)])]),
     "a Flatten with axis=0 of a 2-D input would not give one row of features a sample"),
    (with_noops([node("Flatten", ["input"], ["x"], [("axis", 2)])], dims=["N", 1, 3, 1]),
     "a Flatten with axis=2 of a 4-D input would not give"),
    (with_noops([node("Flatten", ["input"], ["x"], [("axis", -1)])], dims=None),
     "a Flatten with axis=-1 would not give"),
    (with_noops(after=[node("Flatten", ["z"], ["y"])]),
     "node 1 .'Flatten'. comes after a dense layer; tinynet reads a Flatten only of the "
     "graph's input"),
    (with_noops([node("Flatten", ["input"], ["x"])], dims=["N", 2, 2]),
     "the input flattens to 4 features a sample, but the first dense layer takes 3"),
    (with_noops([node("Reshape", ["input", "S"], ["x"])], inits=[int64_tensor("S", [2], [1, -1])]),
     "a Reshape of the input to \\[1, -1\\], which is not one row of features a sample"),
    (with_noops([node("Reshape", ["input", "S"], ["x"])],
                inits=[int64_tensor("S", [3], [-1, 3, 1])]), "a Reshape of the input to \\[-1, 3, 1"),
    (with_noops([node("Reshape", ["input", "S"], ["x"], [("allowzero", 1)])],
                inits=[int64_tensor("S", [2], [0, -1])]), "a Reshape of the input to \\[0, -1\\]"),
    (with_noops([node("Reshape", ["input", "S"], ["x"])], inits=[int64_tensor("S", [2], [-1, 4])]),
     "the input flattens to 4 features a sample, but the first dense layer takes 3"),
    (with_noops([node("Reshape", ["input", "S"], ["x"])],
                inits=[onnx_file._initializer("S", [2], [-1.0, 3.0])]),
     "its shape 'S' holds float values, not int64"),
    (with_noops([node("Shape", ["input"], ["S"]), node("Reshape", ["input", "S"], ["x"])]),
     "node 0 .'Shape'. does not continue the chain|tinynet reads only"),
    (with_noops([node("Reshape", ["input"], ["x"])]), "its shape '' is not a constant"),
])
def test_onnx_nodes_that_would_change_something_are_refused(tmp_path, data, message):
    path = tmp_path / "bad.onnx"
    path.write_bytes(data)
    with pytest.raises(TinynetError, match=message) as err:
        interop.load(path)
    assert str(err.value).startswith(str(path) + ": ")


# === Exporting ===


def test_export_refuses_what_it_cannot_write(tmp_path):
    net = network([6, 5, 4])
    with pytest.raises(TinynetError, match="cannot tell the format from the name"):
        interop.export(net, tmp_path / "m.bin")
    with pytest.raises(ValueError, match="format must be 'safetensors' or 'onnx', not 'tflite'"):
        interop.export(net, tmp_path / "m.bin", format="tflite")
    assert interop.export(net, tmp_path / "m.bin", format="onnx") == "onnx"
    net.weights[0] = net.weights[0] * float("nan")
    with pytest.raises(TinynetError, match="not all finite"):
        interop.export(net, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


# === The command line ===


def run(capsys, *argv):
    from tinynet.cli import main

    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("fmt", ["safetensors", "onnx"])
def test_export_then_import_then_board(capsys, tmp_path, fmt):
    net = network([6, 5, 4], "tanh", "softmax")
    net.save(tmp_path / "m.json")
    status, out, err = run(capsys, "export", tmp_path / "m.json", tmp_path / ("m." + fmt))
    assert status == 0, err
    assert "(%s, float32," % fmt in out and "6-5-4, tanh hidden, softmax output" in out
    assert "nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 4), nn.Softmax(dim=-1))" in out
    status, out, err = run(capsys, "import", tmp_path / ("m." + fmt), tmp_path / "back.pkl")
    assert status == 0, err
    assert "python -m tinynet board %s DIR" % (tmp_path / "back.pkl") in out
    assert close(tinynet.load(tmp_path / "back.pkl").predict(X), net.predict(X))
    status, out, err = run(capsys, "board", tmp_path / "back.pkl", tmp_path / "board", "--source",
                           "-q")
    assert status == 0, err
    assert os.path.isfile(tmp_path / "board" / "back-float32.tnb")


def test_export_with_a_format_and_import_with_settings(capsys, tmp_path):
    net = network([6, 5, 4], "sigmoid", "linear")
    net.save(tmp_path / "m.pkl")
    status, _, err = run(capsys, "export", tmp_path / "m.pkl", tmp_path / "weights.bin",
                         "--format", "safetensors", "-q")
    assert status == 0 and err == ""
    status, out, err = run(capsys, "import", tmp_path / "weights.bin", tmp_path / "m2.json",
                           "--output", "sigmoid", "--loss", "mse")
    assert status == 0, err
    back = tinynet.load(tmp_path / "m2.json")
    assert (back.activation.name, back.output_activation.name, back.loss.name) == (
        "sigmoid", "sigmoid", "mse")


def test_command_line_mistakes_are_one_line(capsys, tmp_path):
    network([6, 5, 4]).save(tmp_path / "m.pkl")
    status, out, err = run(capsys, "export", tmp_path / "m.pkl", tmp_path / "m.tflite")
    assert status == 1 and err.count("\n") == 1 and "cannot tell the format" in err
    bare = {"0.weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
            "2.weight": {"dtype": "F32", "shape": [1, 2], "data_offsets": [24, 32]}}
    write_safetensors(tmp_path / "bare.safetensors", bare, BODY)
    status, out, err = run(capsys, "import", tmp_path / "bare.safetensors", tmp_path / "o.pkl")
    assert status == 1 and err.count("\n") == 1
    assert "bare.safetensors does not say what the hidden activation or the output is" in err
    assert "--activation relu --output softmax" in err
    assert not (tmp_path / "o.pkl").exists()
    status, out, err = run(capsys, "import", tmp_path / "bare.safetensors", tmp_path / "o.pkl",
                           "--activation", "relu", "--output", "sigmoid")
    assert status == 0 and tinynet.load(tmp_path / "o.pkl").sizes == [3, 2, 1]
    status, out, err = run(capsys, "import", tmp_path / "m.pkl", tmp_path / "o2.pkl")
    assert status == 1 and "never opens a PyTorch .pt/.pth file" in err
    status, out, err = run(capsys, "import", tmp_path / "missing.onnx", tmp_path / "o2.pkl")
    assert status == 1 and "missing.onnx" in err and err.count("\n") == 1


# === The documentation ===


def test_the_docs_python_blocks_that_need_no_foreign_library_run(tmp_path, monkeypatch):
    """docs/interop.md's code blocks run (those for PyTorch and ONNX Runtime
    run in tox -e interop's example instead), and its error line is the CLI's."""
    from conftest import ROOT

    with open(os.path.join(ROOT, "docs", "interop.md"), encoding="utf-8") as f:
        text = f.read()
    blocks = [b.split("```", 1)[0] for b in text.split("```python\n")[1:]]
    runnable = [b for b in blocks if "torch" not in b and "onnxruntime" not in b]
    assert len(blocks) == 3 and len(runnable) == 1
    monkeypatch.chdir(tmp_path)
    exec(compile(runnable[0], "docs/interop.md", "exec"), {})
    assert sorted(os.listdir(tmp_path)) == ["digits.onnx", "digits.safetensors"]
    bare = {"0.weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
            "2.weight": {"dtype": "F32", "shape": [1, 2], "data_offsets": [24, 32]}}
    write_safetensors(tmp_path / "digits.safetensors", bare, BODY)
    with pytest.raises(TinynetError) as err:
        interop.load("digits.safetensors")
    assert "tinynet: error: %s\n" % err.value in text
