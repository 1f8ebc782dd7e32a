"""Model files: saving and loading every format, by every kind of path; models
as plain data (to_dict, from_dict's checks, optimizer state kept unless told
not to): pickle and copy go through to_dict (never code or a backend
module), and every saved form records dropout and max-norm; hostile model
files, built opcode by opcode for each opcode the loader's pickle scan knows
(pickletools' table); every size bound of a model file, tried on each side;
compact .tnb files."""

import copy
import json
import math
import os
import pathlib
import pickle
import pickletools
import re
import signal
import struct
import subprocess
import sys

import pytest

import tinynet
import tinynet.serialize
from tinynet import DNN, TinynetError, load
from tinynet.kinds import kind_of_file

from conftest import INSTALLED, ROOT, needs_numpy

X = [[0.0, 0.5, 1.0, 0.25], [1.0, 0.0, 0.25, 0.5]]

# (name, the kind the file must hold, how to save it)
FORMATS = [
    ("m.pkl", "pickle", lambda net, p: tinynet.save(net, p)),
    ("m.PKL", "pickle", lambda net, p: net.save(p)),
    ("m.json", "json", lambda net, p: tinynet.save(net, p)),
    ("m.JSON", "json", lambda net, p: net.save(p)),
    ("m.tnb", "compact", lambda net, p: tinynet.save(net, p)),
    ("m.TNB", "compact", lambda net, p: tinynet.save(net, p)),
    ("int8.tnb", "compact", lambda net, p: tinynet.save(net, p, format="int8")),
    ("m.bin", "json", lambda net, p: tinynet.save(net, p, format="json")),
]


@pytest.mark.parametrize("kind_of_path", ["str", "bytes", "pathlib"])
@pytest.mark.parametrize("name,kind,save", FORMATS, ids=[f[0] for f in FORMATS])
def test_save_takes_every_path_load_takes(tmp_path, name, kind, save, kind_of_path):
    net = DNN([4, 3, 2], seed=0, backend="python")
    path = {"str": str, "bytes": lambda p: os.fsencode(str(p)), "pathlib": pathlib.Path}[
        kind_of_path](tmp_path / name)
    save(net, path)
    assert kind_of_file(path) == kind  # the format the suffix (or format=) asks for
    assert tinynet.load(path, backend="python").classify(X) == net.classify(X)
    assert sorted(os.listdir(tmp_path)) == [name]  # no temporary file left


def test_a_file_that_is_no_model_says_what_it_is(tmp_path):
    from tinynet import datasets

    X, y = datasets.load_sample("test")
    datasets.save_csv(tmp_path / "d.csv.gz", X[:2], y[:2])
    (tmp_path / "p.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(20))
    (tmp_path / "t.txt").write_bytes(b"hello")
    (tmp_path / "b.bin").write_bytes(bytes([0, 1, 2, 3, 200, 201, 7]) * 10)  # "binary"
    for name, says in (("d.csv.gz", ": it is gzip-compressed data"),
                       ("p.png", ": it is a PNG image"), ("t.txt", ""), ("b.bin", "")):
        with pytest.raises(TinynetError) as err:
            tinynet.load(tmp_path / name)
        assert str(err.value) == "%s: not a tinynet model file (neither a pickle nor JSON%s)" % (
            tmp_path / name, says)


# === Pickle and copy through the plain data; dropout and max-norm saved ===

XS = [[0.1, 0.9, 0.3, 0.0], [0.8, 0.2, 0.5, 1.0], [0.4, 0.4, 0.9, 0.1], [0.0, 0.7, 0.2, 0.6]] * 6
YS = [0, 1, 2, 1] * 6


def trained(backend, **kwargs):
    settings = dict(optimizer="adam", dropout=0.25, max_norm=2.5, seed=3, backend=backend)
    settings.update(kwargs)
    model = DNN([4, 6, 5, 3], **settings)
    model.fit(XS, YS, epochs=2, batch_size=5)
    return model


def outputs(model):
    return [float(v) for row in model.predict(XS) for v in row]


def globals_in(data):
    """Every global a pickle names (module and name)."""
    found, strings = [], []
    for op, arg, _ in pickletools.genops(data):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(arg)
        elif op.name == "STACK_GLOBAL":
            found.append(tuple(strings[-2:]))
        elif op.name == "GLOBAL":
            found.append(tuple(arg.split(" ")))
    return found


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_a_model_pickles_through_its_plain_data(backend, optimizer):
    model = trained(backend, optimizer=optimizer)
    data = pickle.dumps(model)
    assert globals_in(data) == [("tinynet.model", "_restore"), ("tinynet.dnn", "DNN")]
    assert b"ndarray" not in data and b"tinynet.backends" not in data  # names only, as strings
    back = pickle.loads(data)
    assert type(back) is DNN and back.backend == model.backend and back.dtype == model.dtype
    assert back.to_dict() == model.to_dict() and back.seed == model.seed
    assert outputs(back) == outputs(model)
    # The same next steps: optimizer state, dropout and the generator all came along.
    ours, theirs = model.fit(XS, YS, epochs=2), back.fit(XS, YS, epochs=2)
    assert [r["loss"] for r in ours] == [r["loss"] for r in theirs]
    assert back.get_params() == model.get_params()


def test_copies_are_independent_and_continue_alike(backend):
    model = trained(backend)
    deep, shallow = copy.deepcopy(model), copy.copy(model)
    for other in (deep, shallow):
        assert other is not model and other.weights[0] is not model.weights[0]
        assert other.to_dict() == model.to_dict()
    deep.fit(XS, YS, epochs=1)
    assert deep.get_params() != model.get_params() and shallow.get_params() == model.get_params()
    model.fit(XS, YS, epochs=1)
    assert deep.get_params() == model.get_params()  # same data, same masks, same steps
    assert deep.to_dict() == model.to_dict()


def test_a_compact_model_pickles_and_copies(tmp_path, backend):
    model = trained(backend)
    path = str(tmp_path / "m.tnb")
    tinynet.save(model, path)
    packed = tinynet.load(path, backend=backend)
    for other in (pickle.loads(pickle.dumps(packed)), copy.deepcopy(packed), copy.copy(packed)):
        assert outputs(other) == pytest.approx(outputs(packed), rel=1e-6)
        assert other.dropout == [0.0, 0.0]  # a compact file keeps no dropout: boards predict
        other.fit(XS, YS, epochs=1)  # and an unpickled copy trains


@needs_numpy
def test_a_model_goes_through_multiprocessing():
    import multiprocessing

    model = trained("numpy", dtype="float32")
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        back = pool.apply(copy.deepcopy, (model,))
    assert back.dtype == "float32" and outputs(back) == outputs(model)


def test_saved_models_record_dropout_and_max_norm(tmp_path, backend):
    model = trained(backend, dropout=[0.5, 0.125], input_dropout=0.2)
    data = model.to_dict()
    assert data["dropout"] == [0.5, 0.125] and data["max_norm"] == 2.5
    assert data["input_dropout"] == 0.2
    for name in ("m.pkl", "m.json"):
        path = str(tmp_path / name)
        model.save(path)
        back = tinynet.load(path, backend=backend)
        assert back.dropout == [0.5, 0.125] and back.max_norm == 2.5
        assert back.input_dropout == 0.2
        assert outputs(back) == pytest.approx(outputs(model))
    with open(str(tmp_path / "m.json")) as f:
        assert json.load(f)["dropout"] == [0.5, 0.125]
    plain = DNN([4, 6, 3], backend=backend).to_dict()
    assert plain["dropout"] == [0.0] and plain["max_norm"] is None
    assert plain["input_dropout"] == 0.0
    del plain["dropout"], plain["max_norm"], plain["input_dropout"]  # a file from before
    old = DNN.from_dict(plain, backend=backend)
    assert old.dropout == [0.0] and old.max_norm is None and old.input_dropout == 0.0


@pytest.mark.parametrize("field,value,message", [
    ("dropout", [0.5], "dropout has 1 rates, but sizes \\[4, 6, 5, 3\\] have 2 hidden layers"),
    ("dropout", [0.5, 1.5], "dropout must be a finite number in \\[0, 1\\)"),
    ("dropout", "half", "dropout must be"),
    ("max_norm", -1.0, "max_norm must be a finite number in \\(0, inf\\)"),
    ("max_norm", [3.0], "max_norm must be"),
    ("input_dropout", 1.0, "input_dropout must be"),
])
def test_bad_dropout_or_max_norm_in_a_file_is_refused_naming_it(tmp_path, field, value,
                                                                message):
    data = trained("python").to_dict()
    data[field] = value
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(TinynetError, match="^%s: %s" % (str(path).replace("\\", "\\\\"), message)):
        tinynet.load(str(path))


# === The pickle scan: every opcode, followed by a memo index far past the memo ===

#: The index a hostile LONG_BINPUT stores at.  CPython's unpickler grows its
#: memo to twice the index: 16 MB here if the scan misses it, where 10**8
#: would cost 1.6 GB (tests/test_model_files_hostile.py tries 2**31 - 1 in a
#: memory-capped process).
FAR = 10 ** 6


def long_binput(index):
    return b"r" + struct.pack("<I", index)


def counted(width, payload):
    """A counted argument: its length in ``width`` bytes, then the bytes."""
    return len(payload).to_bytes(width, "little") + payload


#: A valid argument for each opcode that takes one.  Payloads are bytes no
#: opcode starts with (0xff) where the opcode allows, so a scan that skips
#: the wrong number of bytes loses its place at once.
ARGUMENTS = {
    "INT": b"1\n", "LONG": b"1L\n", "STRING": b"'a'\n", "UNICODE": b"a\n", "FLOAT": b"1.5\n",
    "GET": b"0\n", "PUT": b"0\n", "GLOBAL": b"os\nsystem\n", "INST": b"os\nsystem\n",
    "PERSID": b"x\n",
    "BININT": b"\xff\xff\xff\xff", "BININT1": b"\xff", "BININT2": b"\xff\xff",
    "BINFLOAT": struct.pack(">d", 1.5), "BINGET": b"\xff", "LONG_BINGET": b"\xff" * 4,
    "BINPUT": b"\x00", "LONG_BINPUT": b"\x00" * 4, "EXT1": b"\xff", "EXT2": b"\xff\xff",
    "EXT4": b"\xff" * 4, "PROTO": b"\x04",
    "LONG1": counted(1, b"\xff\xff\xff"), "SHORT_BINSTRING": counted(1, b"\xff\xff\xff"),
    "SHORT_BINBYTES": counted(1, b"\xff\xff\xff"), "SHORT_BINUNICODE": counted(1, b"\xff\xff\xff"),
    "LONG4": counted(4, b"\xff\xff\xff"), "BINSTRING": counted(4, b"\xff\xff\xff"),
    "BINBYTES": counted(4, b"\xff\xff\xff"), "BINUNICODE": counted(4, b"\xff\xff\xff"),
    "BINBYTES8": counted(8, b"\xff\xff\xff"), "BINUNICODE8": counted(8, b"\xff\xff\xff"),
    "BYTEARRAY8": counted(8, b"\xff\xff\xff"),
}
#: The opcodes that store into the memo: one object stored before the far index.
STORES = {"PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"}
OPCODES = [op for op in pickletools.opcodes if op.name != "STOP"]


def write(tmp_path, data, name="m.pkl"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(path, message):
    """Assert tinynet.load(path) raises a TinynetError naming the file with
    exactly ``message`` after the path."""
    with pytest.raises(TinynetError) as info:
        tinynet.load(path)
    assert str(info.value) == "%s: %s" % (path, message)


def test_every_opcode_with_an_argument_has_one_here():
    assert {op.name for op in OPCODES if op.arg is not None} - {"FRAME"} == set(ARGUMENTS)


@pytest.mark.parametrize("op", OPCODES, ids=lambda op: op.name)
def test_the_scan_reads_past_every_opcode_to_a_far_memo_index(tmp_path, op):
    """Each opcode, then LONG_BINPUT far past the memo: the scan must step
    over the opcode's argument exactly (a fixed width, a line or two, or a
    counted length of 1, 4 or 8 bytes) to see the index and refuse it."""
    rest = long_binput(FAR) + b"."
    if op.name == "FRAME":  # the frame's length: what follows it
        arg = struct.pack("<Q", len(rest))
    else:
        arg = ARGUMENTS.get(op.name, b"")
    stored = 1 if op.name in STORES else 0
    path = write(tmp_path, b"\x80\x04" + op.code.encode("latin-1") + arg + rest)
    refused(path, "corrupt pickle (it stores object %d of %d)" % (FAR, stored))


def test_the_scan_reads_past_a_run_of_floats_longer_than_its_step(tmp_path):
    # The scan skips BINFLOATs 4096 at a time: 5000 of them, then the far index.
    floats = b"".join(b"G" + struct.pack(">d", i + 0.5) for i in range(5000))
    path = write(tmp_path, b"\x80\x04(" + floats + long_binput(FAR) + b".")
    refused(path, "corrupt pickle (it stores object %d of 0)" % FAR)


@pytest.mark.parametrize("floats, index", [
    ((b"G" + b"G" * 8) * 3 + b"G" + b"G" * 7 + b"r", FAR),
    (b"G" * 18, 0x4700)])  # its second byte is a 'G' ten bytes after the second float
def test_bytes_like_g_inside_floats_and_after_them_do_not_shift_the_scan(tmp_path, floats, index):
    # 'G' (0x47) as a float's bytes: the scan looks only at every ninth byte.
    path = write(tmp_path, b"\x80\x04(" + floats + long_binput(index) + b".")
    refused(path, "corrupt pickle (it stores object %d of 0)" % index)


# === Memo bounds: an index up to the objects stored so far, not one more ===


def stored_at(kind, index):
    return {"PUT": b"p%d\n" % index, "BINPUT": b"q" + bytes([index]),
            "LONG_BINPUT": long_binput(index)}[kind]


@pytest.mark.parametrize("kind", ["PUT", "BINPUT", "LONG_BINPUT"])
@pytest.mark.parametrize("first", ["PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"])
def test_a_memo_index_may_be_the_next_one_and_no_further(tmp_path, first, kind):
    """A list of two lists, each stored in the memo: the first two stores by
    ``first``, the last by ``kind`` at index 2 (the next: loads) or 3 (a gap:
    refused)."""
    def store(index):
        return b"\x94" if first == "MEMOIZE" else stored_at(first, index)

    head = b"\x80\x04]" + store(0) + b"]" + store(1) + b"a]"
    good = write(tmp_path, head + stored_at(kind, 2) + b"a.", "good.pkl")
    with pytest.raises(TinynetError, match="not a tinynet model"):  # scanned, then unpickled
        tinynet.load(good)
    assert pickle.loads(good.read_bytes()) == [[], []]
    bad = write(tmp_path, head + stored_at(kind, 3) + b"a.", "bad.pkl")
    refused(bad, "corrupt pickle (it stores object 3 of 2)")


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_models_pickled_with_every_binary_protocol_load(tmp_path, protocol):
    """Protocols 2 and 3 store with BINPUT, then LONG_BINPUT past 255 objects
    (300 weight rows here); 4 and 5 with MEMOIZE inside FRAMEs."""
    net = DNN([300, 3, 2], seed=1, backend="python")
    data = pickle.dumps(net.to_dict(), protocol=protocol)
    names = {op.name for op, _, _ in pickletools.genops(data)}
    assert ("LONG_BINPUT" in names) == (protocol < 4)
    loaded = tinynet.load(write(tmp_path, data))
    assert loaded.get_params() == net.get_params()


# === Truncated and odd arguments: one TinynetError, never another exception ===


@pytest.mark.parametrize("op", [op for op in OPCODES if op.arg is not None],
                         ids=lambda op: op.name)
def test_a_pickle_cut_inside_an_argument_is_refused(tmp_path, op):
    arg = struct.pack("<Q", 9) if op.name == "FRAME" else ARGUMENTS[op.name]
    cuts = sorted({1, len(arg) // 2, len(arg) - 1} - {0})
    for cut in cuts:
        path = write(tmp_path, b"\x80\x04" + op.code.encode("latin-1") + arg[:cut])
        with pytest.raises(TinynetError) as info:
            tinynet.load(path)
        assert str(info.value).startswith(str(path) + ": "), (cut, info.value)


def test_a_byte_that_is_no_opcode_is_refused_as_a_corrupt_pickle(tmp_path):
    # The scan stops there (it cannot know what follows) and refuses it, naming the byte:
    # the same words on every interpreter (PyPy's unpickler says KeyError).
    unknown = sorted(set(range(256)) - {ord(op.code) for op in pickletools.opcodes})
    assert 0xFF in unknown and len(unknown) >= 180
    for code in unknown:
        path = write(tmp_path, b"\x80\x04" + bytes([code]) + long_binput(FAR) + b".")
        with pytest.raises(TinynetError, match=r"corrupt pickle \(invalid load key, %s at byte 2\)"
                           % re.escape(repr(bytes([code])))) as info:
            tinynet.load(path)
        assert str(info.value).startswith(str(path) + ": ")


def test_an_empty_model_file_is_refused(tmp_path):
    refused(write(tmp_path, b""), "the file is empty, not a tinynet model")


# === The size bound: a file of `size` bytes holds at most size/2 numbers ===


def params(sizes):
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


def shared_rows_pickle(sizes):
    """A valid model's payload whose weight rows are all one list, shared by
    reference: a pickle far smaller than the numbers it stands for."""
    payload = DNN(sizes, seed=0, backend="python").to_dict(optimizer_state=False)
    payload["weights"] = [[[0.0] * b] * a for a, b in zip(sizes, sizes[1:])]
    return pickle.dumps(payload, protocol=4)


def test_a_file_of_exactly_two_bytes_a_parameter_loads_and_one_byte_less_is_refused(tmp_path):
    """Bytes after a pickle's STOP are never read, nor scanned (far memo
    indexes here), so padding a small pickle sets the file's size to the byte."""
    sizes = [60, 50, 4]
    n = params(sizes)  # 3254: the file may be 6508 bytes, not 6507
    data = shared_rows_pickle(sizes)
    assert len(data) < n
    padding = long_binput(FAR) * n
    at = tinynet.load(write(tmp_path, data + padding[:2 * n - len(data)], "at.pkl"))
    assert at.sizes == sizes and at.get_params()["weights"][0][59] == [0.0] * 50
    below = write(tmp_path, data + padding[:2 * n - 1 - len(data)], "below.pkl")
    refused(below, "%d bytes cannot hold the %d parameters that sizes [60, 50, 4] need"
            % (2 * n - 1, n))


def test_a_minified_json_model_of_small_integers_loads(tmp_path):
    """Each number of a minified JSON file takes two bytes ("0,"), so such a
    file is barely over two bytes a parameter: 30-40-20, 4,479 bytes for
    2,060 parameters (three bytes a parameter would be 6,180)."""
    sizes = [30, 40, 20]
    payload = DNN(sizes, seed=0, backend="python").to_dict(optimizer_state=False)
    payload["weights"] = [[[i % 10] * b for i in range(a)] for a, b in zip(sizes, sizes[1:])]
    payload["biases"] = [[0] * b for b in sizes[1:]]
    data = json.dumps(payload, separators=(",", ":")).encode()
    assert 2 * params(sizes) < len(data) < 2.2 * params(sizes)
    for backend in INSTALLED:
        net = tinynet.load(write(tmp_path, data, "m.json"), backend=backend)
        assert net.get_params()["weights"][0][7] == [7.0] * 40


def test_a_model_file_of_exactly_the_cap_loads_and_one_byte_more_is_refused(tmp_path, monkeypatch):
    net = DNN([2, 3, 2], seed=0, backend="python")
    net.save(tmp_path / "m.json")
    size = (tmp_path / "m.json").stat().st_size
    monkeypatch.setattr(tinynet.serialize, "MAX_FILE_BYTES", size)
    assert tinynet.load(tmp_path / "m.json").get_params() == net.get_params()
    monkeypatch.setattr(tinynet.serialize, "MAX_FILE_BYTES", size - 1)
    refused(tmp_path / "m.json", "larger than the %s bytes a tinynet model file may be"
            % format(size - 1, ","))


# === Compact files ===


@pytest.mark.parametrize("weights", ["float32", "int8"])
def test_a_compact_model_with_one_input_and_softmax_outputs_round_trips(tmp_path, backend, weights):
    """The output function comes from the output width (a softmax over one
    output is refused), not from the input's."""
    net = DNN([1, 3, 2], output="softmax", seed=2, backend=backend)
    tinynet.save(net, tmp_path / "m.tnb", format=weights)
    loaded = tinynet.load(tmp_path / "m.tnb", backend=backend)
    assert (loaded.sizes, loaded.output_activation.name) == ([1, 3, 2], "softmax")
    assert loaded.classify([[0.5], [-2.0]]) == net.classify([[0.5], [-2.0]])


@pytest.mark.parametrize("sizes", [[2, 3], [2, 3, 2], [1] * 30, [2] + [3] * 60 + [2]])
def test_a_compact_header_is_padded_to_4_and_its_length_written_in_two_bytes(tmp_path, sizes):
    """The writer's header: its length little-endian in bytes 6-7 (the long
    ones need both bytes), spaces after the JSON so that the numbers start
    at a multiple of 4; the file loads with the same weights."""
    from tinynet.compact import data_bytes
    from tinynet.compact_save import to_bytes

    net = DNN(sizes, seed=1, backend="python")
    data = to_bytes(net)
    length = data[6] | data[7] << 8
    text = data[8:8 + length].decode()
    assert json.loads(text)["sizes"] == sizes
    assert (8 + length) % 4 == 0 and len(text) - len(text.rstrip(" ")) < 4
    assert len(data) == 8 + length + data_bytes(sizes, "float32")
    loaded = tinynet.load(data, backend="python")
    x = [[0.5] * sizes[0], [-1.0] * sizes[0]]
    assert loaded.sizes == sizes
    for got, want in zip(loaded.predict(x), net.predict(x)):
        assert list(got) == pytest.approx(list(want), rel=1e-5)


def test_on_a_big_endian_machine_the_numbers_are_copied_and_swapped(monkeypatch):
    """A compact file's float32 numbers are little-endian: a view of them is
    only right on a little-endian machine; elsewhere they are copied and
    byte-swapped.  Pretended here (this machine is little-endian): the copy
    is swapped, so it reads as the other byte order does."""
    import types
    from array import array

    from tinynet import sources

    data = struct.pack("<3f", 1.5, -2.0, 0.25)
    view = sources.float32s(data, 0, 3)
    assert isinstance(view, memoryview) and list(view) == [1.5, -2.0, 0.25]
    monkeypatch.setattr(sources, "sys", types.SimpleNamespace(byteorder="big"))
    copy = sources.float32s(data, 0, 3)
    assert isinstance(copy, array) and list(copy) == list(struct.unpack(">3f", data))


def test_where_memoryview_has_no_cast_the_numbers_are_a_uctypes_array_over_the_buffer(
        monkeypatch):
    """MicroPython: a memoryview cannot be cast, so the float32 numbers are
    read in place through uctypes: an ARRAY (at offset 0) of ``count``
    FLOAT32s at the buffer's address, little-endian; nothing copied.
    Pretended here with a uctypes that reads the memory with ctypes."""
    import ctypes
    import types

    from tinynet import sources

    class View:  # a MicroPython memoryview: slices, bytes(), no cast
        def __init__(self, data, start=0, stop=None):
            self.data, self.start = data, start
            self.stop = len(data) if stop is None else stop

        def __getitem__(self, part):
            return View(self.data, self.start + part.start, self.start + part.stop)

        def __bytes__(self):
            return bytes(self.data[self.start:self.stop])

    uctypes = types.ModuleType("uctypes")
    uctypes.ARRAY, uctypes.FLOAT32, uctypes.LITTLE_ENDIAN = 3 << 30, 0x1E << 24, 1
    uctypes.addressof = lambda view: ctypes.addressof(
        ctypes.c_char.from_buffer(view.data)) + view.start

    def struct(address, layout, order):
        (kind, count), = [layout["v"]]
        assert order == uctypes.LITTLE_ENDIAN and kind == uctypes.ARRAY | 0
        assert count & ~0xFFFF == uctypes.FLOAT32
        count &= 0xFFFF
        return types.SimpleNamespace(v=list(struct_module.unpack(
            "<%df" % count, ctypes.string_at(address, 4 * count))))

    struct_module = __import__("struct")
    uctypes.struct = struct
    monkeypatch.setitem(sys.modules, "uctypes", uctypes)
    monkeypatch.setattr(sources, "memoryview", View, raising=False)
    data = bytearray(struct_module.pack("<4f", 9.0, 1.5, -2.0, 0.25))
    got = sources.float32s(data, 4, 3)
    assert type(got) is list and got == [1.5, -2.0, 0.25]  # the fake's view, not an array
    assert list(sources.float32s(data, 4, 3, copy=True)) == [1.5, -2.0, 0.25]


def test_a_heap_too_small_on_a_board_says_how_much_of_it_is_free(monkeypatch):
    """Where gc tells the free heap (MicroPython's gc.mem_free), the
    MemoryError says it beside what the model needs."""
    import gc

    from tinynet import compact, sources
    from tinynet.compact_save import to_bytes

    def no_memory(*args):
        raise MemoryError

    data = to_bytes(DNN([3, 2], seed=0, backend="python"))
    monkeypatch.setattr(gc, "mem_free", lambda: 5000, raising=False)
    monkeypatch.setattr(sources, "float32s", no_memory)
    with pytest.raises(MemoryError, match=r"^<bytes>: the float32 model 3-2 needs about %d bytes "
                       r"of heap to load \(5000 bytes are free\)$"
                       % compact.heap_needed([3, 2], "float32")):
        tinynet.load(data)


def test_json_depth_counts_nesting_and_skips_strings():
    """How deep a header nests, told before parsing it: closing brackets
    count down, and brackets inside strings (escaped quotes included) do
    not count."""
    from tinynet.kinds import json_depth

    assert json_depth('[[], [], {"a": [1]}, []]') == 3
    assert json_depth('{"a": "\\"[[["}') == 1
    assert json_depth('{"a": "\\\\", "b": [[]]}') == 3  # a backslash escaped by another escapes nothing


def test_what_is_neither_a_path_nor_a_model_is_refused_as_a_path():
    for source in (42, None, 3.5):
        with pytest.raises(TypeError, match="^expected str, bytes or os.PathLike object, not %s$"
                           % type(source).__name__):
            tinynet.load(source)


def compact_file(header, version=1, length=None, data=bytes(24)):
    """A compact file: magic, version, the header's length and text, then ``data``."""
    text = header.encode()
    return b"\x89TNB" + struct.pack("<HH", version, len(text) if length is None else length) + \
        text + data


COMPACT = '{"sizes": [2, 2], "activation": "relu", "output": "softmax", "loss": "cross_entropy", ' \
          '"weights": "float32"}'


def test_a_compact_header_of_4096_bytes_loads_and_of_4097_is_refused(tmp_path):
    """Unpadded lengths load too (the reader needs no alignment), so the
    bound is tried to the byte."""
    at = write(tmp_path, compact_file(COMPACT + " " * (4096 - len(COMPACT))), "at.tnb")
    assert tinynet.load(at).sizes == [2, 2]
    odd = write(tmp_path, compact_file(COMPACT + " " * 3), "odd.tnb")
    assert tinynet.load(odd).sizes == [2, 2]
    above = write(tmp_path, compact_file(COMPACT + " " * (4097 - len(COMPACT))), "above.tnb")
    refused(above, "a 4097-byte header is not a tinynet header")


@pytest.mark.parametrize("version, message", [
    (0, "compact format version 0; this tinynet reads version 1"),
    (2, "compact format version 2; this tinynet reads version 1: upgrade tinynet to load it")])
def test_a_compact_version_on_either_side_of_1_is_refused(tmp_path, version, message):
    refused(write(tmp_path, compact_file(COMPACT, version=version), "m.tnb"), message)


@pytest.mark.parametrize("sizes, weights, arrays, heap", [
    ([3, 2], "float32", 4 * (2 + 6), 32 + 256 + 1024),
    ([784, 24, 10], "int8", (96 + 3136 + 18816) + (40 + 96 + 240), 22424 + 512 + 1024),
    ([5, 3, 3, 2], "int8", (12 + 20 + 16) + (12 + 12 + 12) + (8 + 12 + 8), 112 + 768 + 1024)])
def test_the_heap_a_compact_model_needs_is_its_arrays_256_bytes_a_layer_and_1_kb(
        sizes, weights, arrays, heap):
    """Biases, then weights (int8: a scale per row, the bytes padded to 4).
    The heap is an estimate of MicroPython's small objects, stated here: the
    board command and the MemoryError of a heap too small both show it."""
    from tinynet import compact

    assert compact.data_bytes(sizes, weights) == arrays
    assert compact.heap_needed(sizes, weights) == heap


def test_to_dict_is_plain_data_and_from_dict_checks_it(backend):
    net = DNN([2, 3, 2], seed=0, backend=backend)
    data = net.to_dict()

    def plain(v):
        if isinstance(v, dict):
            return all(isinstance(k, str) and plain(x) for k, x in v.items())
        if isinstance(v, list):
            return all(plain(x) for x in v)
        return type(v) in (str, int, float, bool) or v is None

    assert plain(data) and data["format"] == "tinynet" and data["version"] == 1
    data["weights"][0][1][2] = math.nan
    with pytest.raises(ValueError, match=r"weights\[0\] row 1 holds a non-finite value"):
        DNN.from_dict(data)
    with pytest.raises(tinynet.TinynetError, match=r"^here: weights\[0\] row 1"):
        DNN.from_dict(data, source="here")


def test_to_dict_keeps_the_optimizer_state_unless_told_not_to():
    net = DNN([2, 2], seed=0, backend="python", optimizer="momentum")
    net.train([1.0, 0.5], 1)
    assert "velocities" in net.to_dict()["optimizer"]["state"]
    assert "state" not in net.to_dict(optimizer_state=False)["optimizer"]


def test_an_unforeseen_error_while_loading_names_the_file_briefly(monkeypatch):
    from tinynet import TinynetError, validate

    net = DNN([2, 2], seed=0, backend="python")
    data = net.to_dict()

    def broken(data):
        raise KeyError("k" * 500)

    monkeypatch.setattr(validate, "model_dict", broken)
    with pytest.raises(TinynetError) as err:
        DNN.from_dict(data, source="m.json")
    shown = "\"'" + "k" * 195 + "..."  # the message's repr cut to 200 characters
    assert str(err.value) == "m.json: KeyError: " + shown
    with pytest.raises(KeyError):
        DNN.from_dict(data)  # no file: the error itself
    for kind in (TypeError, IndexError, OverflowError, AttributeError, RuntimeError):
        def broken(data, kind=kind):
            raise kind("what the checks missed")

        monkeypatch.setattr(validate, "model_dict", broken)
        with pytest.raises(TinynetError, match="^m.json: %s: 'what the checks missed'$"
                           % kind.__name__):
            DNN.from_dict(data, source="m.json")


# Round trips of every format, training resumed exactly after loading, and atomic saves.


X_save = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.25], [0.3, 0.3, 0.3], [0.9, 0.1, 0.0]]
Y = [0, 1, 1, 0]


def trained_for_saving(backend, **kwargs):
    net = DNN([3, 5, 2], seed=4, backend=backend, **kwargs)
    net.fit(X_save, Y, epochs=3, batch_size=2)
    return net


@pytest.mark.parametrize("name", ["model.pkl", "model.json", "model.tinynet"])
def test_round_trip_gives_identical_predictions(backend, tmp_path, name):
    net = trained_for_saving(backend, optimizer="adam")
    path = tmp_path / name
    net.save(path)
    for target in INSTALLED:
        loaded = load(path, backend=target)
        assert loaded.backend == target
        assert loaded.get_params() == net.get_params()  # exact: floats round-trip
        assert [list(r) for r in loaded.predict(X_save)] == [list(r) for r in net.predict(X_save)]
        assert (loaded.sizes, loaded.activation.name, loaded.optimizer.name, loaded.learning_rate) == \
            (net.sizes, net.activation.name, "adam", net.learning_rate)


def test_format_is_recognised_from_content_not_extension(tmp_path):
    net = trained_for_saving("python")
    json_path, pickle_path = tmp_path / "a.bin", tmp_path / "b.json.bak"
    tinynet.save(net, json_path, format="json")
    tinynet.save(net, pickle_path)
    assert json_path.read_bytes()[:1] == b"{"
    assert pickle_path.read_bytes()[:1] == b"\x80"
    assert load(json_path).get_params() == load(pickle_path).get_params() == net.get_params()


def test_the_saved_payload_is_plain_data(tmp_path):
    net = trained_for_saving("python", optimizer="momentum")
    net.save(tmp_path / "m.pkl")
    raw = (tmp_path / "m.pkl").read_bytes()
    opcodes = {op.name for op, _, _ in pickletools.genops(raw)}
    assert not opcodes & {"GLOBAL", "STACK_GLOBAL", "REDUCE", "INST", "OBJ", "NEWOBJ", "BUILD"}
    payload = pickle.loads(raw)
    assert payload["format"] == "tinynet" and payload["version"] == 1
    assert payload["sizes"] == [3, 5, 2] and payload["activation"] == "relu"
    assert json.loads(json.dumps(payload)) == payload  # the same data serves JSON


def lively(optimizer):
    """A model whose every parameter has moved, so that momentum's velocities
    and Adam's moments are non-zero everywhere (tanh units never die; uneven
    batches of 3 and 1 keep the output biases' gradients from cancelling)."""
    net = DNN([3, 4, 2], activation="tanh", seed=7, backend="python", optimizer=optimizer)
    net.fit(X_save, Y, epochs=3, batch_size=3)
    return net


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_training_resumes_exactly_after_loading(tmp_path, optimizer):
    a = lively(optimizer)
    state = a.optimizer.state()
    for matrices in state.get("velocities", []) + state.get("moments", []):
        for rows in matrices:  # every velocity/moment matrix, every row is non-trivial
            rows = rows if isinstance(rows[0], list) else [rows]
            assert all(any(v != 0.0 for v in row) for row in rows)
    assert {"sgd": set(), "momentum": {"velocities"}, "adam": {"t", "moments"}}[optimizer] == set(state)
    a.save(tmp_path / "m.json")
    a.save(tmp_path / "bare.json", optimizer_state=False)
    b = load(tmp_path / "m.json", backend="python")
    bare = load(tmp_path / "bare.json", backend="python")
    assert b.optimizer.state() == state
    for x, y in zip(X_save, Y):
        loss = a.train(x, y)
        assert b.train(x, y) == loss
        bare.train(x, y)
    assert a.get_params() == b.get_params()
    # Without its state a model resumes differently, except plain SGD, which has none.
    assert (bare.get_params() == a.get_params()) == (optimizer == "sgd")


def test_optimizer_state_can_be_left_out(tmp_path):
    net = trained_for_saving("python", optimizer="adam")
    tinynet.save(net, tmp_path / "small.json", optimizer_state=False)
    tinynet.save(net, tmp_path / "full.json")
    small = json.loads((tmp_path / "small.json").read_text())
    full = json.loads((tmp_path / "full.json").read_text())
    assert "state" not in small["optimizer"] and len(full["optimizer"]["state"]["moments"]) == 2
    assert load(tmp_path / "small.json").get_params() == net.get_params()


@needs_numpy
def test_float32_models_keep_their_dtype_with_numpy(tmp_path):
    net = trained_for_saving("numpy", dtype="float32")
    net.save(tmp_path / "m.pkl")
    assert load(tmp_path / "m.pkl", backend="numpy").weights[0].data.dtype.name == "float32"
    assert load(tmp_path / "m.pkl", backend="python").classify(X_save) == net.classify(X_save)


def test_saving_refuses_non_finite_weights_and_unknown_formats(tmp_path):
    net = DNN([2, 2], backend="python")
    with pytest.raises(ValueError, match="format must be"):
        net.save(tmp_path / "m", format="yaml")
    net.weights[0] = net.weights[0] * float("nan")
    with pytest.raises(TinynetError, match="not all finite"):
        net.save(tmp_path / "m.pkl")
    assert os.listdir(tmp_path) == []


def test_a_failing_save_leaves_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "m.pkl"
    old = DNN([2, 3, 2], seed=1, backend="python")
    old.save(path)
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        DNN([2, 3, 2], seed=2, backend="python").save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.pkl"]  # no temporary file left


def test_a_killed_save_leaves_the_previous_file(tmp_path):
    path = tmp_path / "m.pkl"
    DNN([2, 3, 2], seed=1, backend="python").save(path)
    before = path.read_bytes()
    # A child process starts a big save and is killed while writing it.
    code = (
        "import os, signal, tinynet, tinynet.serialize as tio\n"
        "real_write = tio.write_atomically\n"
        "def slow(path, data):\n"
        "    import os as o\n"
        "    original = o.fsync\n"
        "    def stop(fd):\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    o.fsync = stop\n"
        "    real_write(path, data)\n"
        "tio.write_atomically = slow\n"
        "tinynet.DNN([200, 300, 10], seed=2, backend='python').save(%r)\n" % str(path)
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True)
    assert result.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    leftovers = [n for n in os.listdir(tmp_path) if n != "m.pkl"]
    # The killed writer could not clean up; the next save in the folder works
    # regardless, and the half-written file is not the model.
    assert all(n.startswith(".m.pkl.") and n.endswith(".tmp") for n in leftovers)
    assert load(path).get_params() == DNN([2, 3, 2], seed=1, backend="python").get_params()


def test_saving_keeps_an_existing_files_permissions(tmp_path):
    path = tmp_path / "m.json"
    DNN([2, 2], backend="python").save(path)
    os.chmod(path, 0o640)
    DNN([2, 2], backend="python").save(path)
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("backend", INSTALLED)
def test_a_dict_without_dtype_loads_as_float64(backend):
    data = DNN([3, 2], seed=0, backend="python").to_dict()
    del data["dtype"]  # optional: a hand-written or older dict
    net = DNN.from_dict(data, backend=backend)
    assert net.dtype == "float64"
    with_dtype = DNN.from_dict(DNN([3, 2], seed=0, backend="python").to_dict(), backend=backend)
    assert net.get_params() == with_dtype.get_params()


# === A model in memory: bytes, buffers and mmap (issue 23) ===

BUFFERS = {
    "bytes": bytes, "bytearray": bytearray, "memoryview": memoryview,
    "file": lambda data: __import__("io").BytesIO(data),
}


@pytest.mark.parametrize("buffer", sorted(BUFFERS))
@pytest.mark.parametrize("fmt", ["pickle", "json", "float32", "int8"])
def test_load_takes_a_model_in_memory(tmp_path, backend, fmt, buffer):
    net = DNN([4, 3, 2], seed=0, backend="python")
    tinynet.save(net, tmp_path / "m", format=fmt)
    data = (tmp_path / "m").read_bytes()
    from_file = tinynet.load(tmp_path / "m", backend=backend)
    loaded = tinynet.load(BUFFERS[buffer](data), backend=backend)
    assert loaded.sizes == [4, 3, 2]
    assert loaded.get_params() == from_file.get_params()
    assert loaded.classify(X) == from_file.classify(X)


@pytest.mark.parametrize("weights", ["float32", "int8"])
def test_a_compact_model_in_a_buffer_computes_with_views_of_it(tmp_path, weights):
    """Nothing copied: the packed weights read the caller's own buffer (an
    mmap of the file here, as flash is on a board)."""
    import mmap

    net = DNN([4, 3, 2], seed=0, backend="python")
    tinynet.save(net, tmp_path / "m.tnb", format=weights)
    data = bytes((tmp_path / "m.tnb").read_bytes())
    loaded = tinynet.load(data, backend="python")
    for w in loaded.weights:
        assert w.native().values.obj is data  # a memoryview of the bytes given
    with open(tmp_path / "m.tnb", "rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    model = tinynet.load(mapped, backend="python")
    assert model.classify(X) == loaded.classify(X)
    if sys.implementation.name == "cpython":  # PyPy lets a mapping close under its views
        with pytest.raises(BufferError):  # the views hold the mapping
            mapped.close()
    del model
    mapped.close()


def test_bytes_that_are_no_model_are_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    DNN([4, 3, 2], seed=0, backend="python").save("m.json")
    assert tinynet.load(b"m.json").sizes == [4, 3, 2]
    with pytest.raises(FileNotFoundError):
        tinynet.load(b"missing.tnb")
    with pytest.raises(TinynetError, match="^<bytes>: not a tinynet model file"):
        tinynet.load(b"\x00 not a model")  # (no path holds a NUL)
    with pytest.raises(TypeError, match="binary file"):
        tinynet.load(__import__("io").StringIO("{}"))


# === Hostile compact files (issues 23 and 25) ===

def small_compact(weights="float32", text=None, **changes):
    """A valid compact file of a [2, 3] network, with ``changes`` applied to
    the header (or the header's ``text`` given whole)."""
    import json
    import struct

    header = {"sizes": [2, 3], "activation": "relu", "output": "softmax",
              "loss": "cross_entropy", "weights": weights}
    header.update(changes)
    text = (text or json.dumps(header)).encode()
    text += b" " * (-(8 + len(text)) % 4)
    head = b"\x89TNB" + struct.pack("<HH", 1, len(text)) + text
    bias = struct.pack("<3f", 0.5, -0.5, 0.25)
    if weights == "float32":
        return head + bias + struct.pack("<6f", 1, 2, 3, 4, 5, 6)
    return head + bias + struct.pack("<2f", 0.5, 0.25) + bytes([129, 130, 131, 127, 126, 125]) + \
        bytes(2)


def refused_bytes(data, pattern):
    with pytest.raises(TinynetError, match="^<bytes>: " + pattern):
        tinynet.load(data, backend="python")


def test_a_valid_little_file_loads():
    for weights in ("float32", "int8"):
        assert tinynet.load(small_compact(weights), backend="python").sizes == [2, 3]


@pytest.mark.parametrize("n", [4, 5, 6, 7])
def test_a_file_cut_to_a_few_bytes_is_truncated(n, tmp_path):
    refused_bytes(small_compact()[:n], "truncated: %d bytes, and a compact model's first 8 bytes" % n)
    (tmp_path / "cut.tnb").write_bytes(small_compact()[:n])
    with pytest.raises(TinynetError, match="cut.tnb: truncated: %d bytes" % n):
        tinynet.load(tmp_path / "cut.tnb")


def test_a_deeply_nested_header_is_corrupt_not_a_recursion_error():
    """Nested 2000 deep, json.loads would raise RecursionError on CPython (a
    RuntimeError on MicroPython, which has no RecursionError)."""
    for depth in (3, 2000):
        nested = "[" * depth + "]" * depth
        refused_bytes(small_compact(text='{"sizes": [2, 3], "activation": %s}' % nested),
                "corrupt header$")


@pytest.mark.parametrize("weights,at,what", [
    ("float32", 0, "bias 0"), ("float32", 12, "weight 0"), ("float32", 32, "weight 5"),
    ("int8", 4, "bias 1"), ("int8", 12, "scale 0"), ("int8", 16, "scale 1")])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_numbers_are_refused(weights, at, what, bad):
    import struct

    data = bytearray(small_compact(weights))
    start = len(data) - (36 if weights == "float32" else 28)
    data[start + at:start + at + 4] = struct.pack("<f", bad)
    refused_bytes(bytes(data), "layer 1: %s is not a finite number$" % what)


def test_int8_weights_are_checked_byte_by_byte():
    import struct

    data = bytearray(small_compact("int8"))
    scales = len(data) - 16
    data[scales:scales + 4] = struct.pack("<f", -0.5)
    refused_bytes(bytes(data), r"layer 1: scale 0 is negative \(-0.5\)$")
    data = bytearray(small_compact("int8"))
    data[-4] = 0  # the byte of weight 4: 0 would be -128, which the writer never writes
    refused_bytes(bytes(data), "layer 1: weight byte 4 is 0, which no int8 weight is$")
    data = bytearray(small_compact("int8"))
    data[-1] = 7
    refused_bytes(bytes(data), "layer 1: the padding after the weights is not zero bytes$")


def test_every_header_field_is_checked_and_quoted_short():
    huge = "x" * 3900  # (a header holds at most 4096 bytes)
    refused_bytes(small_compact(extra=1), "the header has an unknown field 'extra'$")
    refused_bytes(small_compact(**{huge: 1}), r"the header has an unknown field 'xxx[x.]{0,40}$")
    refused_bytes(small_compact(activation=huge), r"bad model settings: unknown activation 'xx[x.]{0,60};")
    refused_bytes(small_compact(activation=3), "activation must be a name, not 3$")
    refused_bytes(small_compact(weights=[huge]), r"weights must be 'float32' or 'int8', not a list of 1")
    refused_bytes(small_compact(weights="w" * 100),
                  r"weights must be 'float32' or 'int8', not 'w{36}\.\.\.$")
    refused_bytes(small_compact(sizes=[2, 10 ** 100]), r"\d+ bytes, but a float32 model of sizes a list "
                                                r"of 2 items takes more than 2\*\*63 bytes")
    refused_bytes(small_compact(sizes=[2, 0]), r"sizes must be .*, not \[2, 0\]$")
    refused_bytes(small_compact(sizes=[2, 3] * 100), r".*takes [0-9]+ bytes: the file is truncated$")
    for message in ("unknown field", "activation"):
        try:
            tinynet.load(small_compact(**{huge: 1}) if message == "unknown field"
                         else small_compact(activation=huge))
        except TinynetError as err:
            assert len(str(err)) < 300


def test_a_weight_beyond_float32_is_not_saved_as_inf(tmp_path):
    net = DNN([2, 3], seed=0, backend="python")
    net.set_params([[[1e39, 0.0, 0.0], [0.0, 0.0, 0.0]]], [[0.0, 0.0, 0.0]])
    for weights in ("float32", "int8"):
        with pytest.raises(TinynetError, match=r"^cannot save layer 1 with float32 numbers: a "
                                               r"weight or bias of 1e\+39 is beyond their range "
                                               r"\(3\.4e38\); save the model as \.json or \.pkl$"):
            tinynet.save(net, tmp_path / "m.tnb", format=weights)
    assert not (tmp_path / "m.tnb").exists()
    net.set_params([[[3.4e38, 0.0, 0.0], [0.0, 0.0, 0.0]]], [[-3.4e38, 0.0, 0.0]])
    tinynet.save(net, tmp_path / "m.tnb")
    assert tinynet.load(tmp_path / "m.tnb").get_params()["biases"][0][0] == pytest.approx(-3.4e38)


def test_a_model_too_big_for_memory_says_so_naming_the_file(tmp_path, monkeypatch):
    """Building the network may run out of memory (on a board, every number
    of a JSON or pickle file is an object): the MemoryError names the file
    and says what to do, and no other error hides it."""
    import re

    path = tmp_path / "big.json"
    tinynet.save(DNN([3, 2], seed=0, backend="python"), path)

    def no_memory(cls, *args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(DNN, "from_dict", classmethod(no_memory))
    with pytest.raises(MemoryError, match="^%s: not enough memory to load this model; for a "
                       "board, write a compact one: python -m tinynet board MODEL DIR$"
                       % re.escape(str(path))):
        tinynet.load(path)


def test_the_package_names_its_public_api():
    """``from tinynet import *`` gives exactly the documented names, each of
    them there; the version is three numbers; tinynet.gradient_check is
    gradcheck's, with the same default step."""
    import re

    from tinynet import gradcheck

    assert sorted(tinynet.__all__) == sorted([
        "DNN", "Matrix", "TinynetError", "get_backend", "gradient_check", "load", "save",
        "set_backend", "__version__"])
    assert all(hasattr(tinynet, name) for name in tinynet.__all__)
    assert re.fullmatch(r"\d+\.\d+\.\d+", tinynet.__version__)
    net = DNN([3, 4, 2], activation="tanh", seed=0, backend="python")
    data = [[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]], [0, 1]
    assert tinynet.gradient_check(net, *data).max_error == \
        gradcheck.gradient_check(net, *data).max_error


def test_serialize_save_keeps_the_optimizer_state_unless_told_not_to(tmp_path):
    """serialize.save, what tinynet.save and model.save call, writes the
    optimizer's state by default (training resumes where it stopped)."""
    import tinynet.serialize

    model = DNN([2, 3, 2], optimizer="adam", seed=0, backend="python")
    model.fit([[0.1, 0.2], [0.3, 0.1]], [0, 1], epochs=1)
    tinynet.serialize.save(model, tmp_path / "a.json")
    tinynet.serialize.save(model, tmp_path / "b.json", optimizer_state=False)
    with_state = json.loads((tmp_path / "a.json").read_text())["optimizer"]
    without = json.loads((tmp_path / "b.json").read_text())["optimizer"]
    assert "state" in with_state and "state" not in without
    assert {k: v for k, v in with_state.items() if k != "state"} == without


@pytest.mark.parametrize("name", ["m.pkl", "m.json", "m.tnb", "m.int8.tnb"])
def test_saving_into_a_missing_folder_names_the_folder_and_creates_nothing(tmp_path, name):
    """From Python as from the command line (whose --out says the same): the
    folder that is missing, not a bare "No such file or directory"."""
    model = DNN([4, 3, 2], seed=0, backend="python")
    fmt = "int8" if "int8" in name else None
    for save in (model.save, lambda path, format: tinynet.save(model, path, format=format)):
        target = tmp_path / "missing" / "dir" / name
        with pytest.raises(FileNotFoundError) as err:
            save(str(target), format=fmt)
        assert "the folder %s does not exist" % target.parent in str(err.value)
        assert err.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []
