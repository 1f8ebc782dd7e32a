"""Compact model files (.tnb, float32 or int8 weights) on CPython: they predict
like the model they came from, int8 within half a step, the pure backend
keeps the weights packed (and Packed's kernels), training one is refused,
bad files are refused naming the file, the header's bounds, little-endian
bytes on every machine, and a save that checks its arguments first.  The
board command that writes them for a board: test_board.py."""

import os
import re
import struct
from array import array

import pytest

import tinynet
from tinynet import DNN, TinynetError, compact, compact_save
from tinynet.backends.packed import Packed
from tinynet.sources import BLOCK

from conftest import INSTALLED, scaled


@pytest.mark.parametrize("weights", ["float32", "int8"])
def test_a_compact_model_predicts_like_the_model_it_came_from(digits, tmp_path, weights):
    net, rows, _ = digits
    X = scaled(rows)
    path = tmp_path / "m.tnb"
    tinynet.save(net, path, format=weights)
    n_weights = sum(a * b for a, b in zip(net.sizes, net.sizes[1:]))
    assert os.path.getsize(path) < (4 if weights == "float32" else 1.2) * n_weights + 512
    tolerance = 1e-5 if weights == "float32" else 0.03
    expected = net.predict(X)
    for backend in INSTALLED:
        loaded = tinynet.load(path, backend=backend)  # recognised by its magic bytes
        assert (loaded.sizes, loaded.activation.name, loaded.output_activation.name, loaded.backend) == \
            (net.sizes, "relu", "softmax", backend)
        got = loaded.predict(X)
        worst = max(abs(p - q) for r, s in zip(got, expected) for p, q in zip(r, s))
        assert worst < tolerance
        agree = sum(a == b for a, b in zip(loaded.classify(X), net.classify(X)))
        assert agree >= (200 if weights == "float32" else 194)


def test_int8_weights_are_within_half_a_step_of_the_originals(digits, tmp_path):
    net, _, _ = digits
    tinynet.save(net, tmp_path / "m.tnb", format="int8")
    loaded = tinynet.load(tmp_path / "m.tnb", backend="python")
    for original, packed in zip(net.get_params()["weights"], loaded.get_params()["weights"]):
        for row, qrow in zip(original, packed):
            step = max(abs(v) for v in row) / 127
            assert max(abs(a - b) for a, b in zip(row, qrow)) <= step / 2 * 1.001 + 1e-12


def test_the_pure_backend_keeps_the_weights_packed(digits, tmp_path):
    net, rows, _ = digits
    for weights, fmt in (("float32", "f"), ("int8", "B")):
        compact_save.save(net, tmp_path / "m.tnb", weights=weights)
        loaded = tinynet.load(tmp_path / "m.tnb", backend="python")
        w = loaded.weights[0]
        assert isinstance(w.data, Packed) and w.shape == (784, 24) and w.data.kind == weights
        # read from a file: blocks of whole rows, none over sources.BLOCK bytes
        size = 24 * (4 if fmt == "f" else 1)
        assert w.data.counts == [BLOCK // size] * (784 // (BLOCK // size)) + [
            784 % (BLOCK // size)]
        assert all(len(b) * (4 if fmt == "f" else 1) <= BLOCK for b in w.data.blocks)
        assert w.data.nbytes == (4 * 784 * 24 if fmt == "f" else 784 * 24 + 4 * 784)
        # in memory: one view of the caller's buffer, nothing copied
        data = (tmp_path / "m.tnb").read_bytes()
        viewed = tinynet.load(data, backend="python").weights[0].data
        assert viewed.counts == [784] and viewed.values.obj is data
        assert viewed.values.format == fmt and len(viewed.values) == 784 * 24
        assert viewed.tolist() == w.data.tolist()
        # a compact model still evaluates, and can be saved in the other formats
        X = scaled(rows)
        assert loaded.evaluate(X, digits[2])["accuracy"] > 0.5
        assert loaded.predict(X[:20]) == tinynet.load(data, backend="python").predict(X[:20])
        loaded.save(tmp_path / "again.json")
        assert tinynet.load(tmp_path / "again.json").classify(X) == loaded.classify(X)


def test_a_file_is_read_in_smaller_blocks_while_the_heap_has_no_larger_gap(tmp_path,
                                                                          monkeypatch):
    """On a fragmented heap a block fails; then half as many rows are tried,
    down to one row: the model loads while any gap holds a row."""
    import builtins

    from tinynet import sources

    compact_save.save(DNN([40, 6, 3], seed=0, backend="python"), tmp_path / "m.tnb", "int8")
    whole = tinynet.load(tmp_path / "m.tnb", backend="python")
    monkeypatch.setattr(sources, "BLOCK", 60)  # 10 rows of 6 bytes

    def fragmented(n):
        if n in (60, 30):  # no gap for 10 rows, nor 5
            raise MemoryError
        return builtins.bytearray(n)

    monkeypatch.setattr(sources, "bytearray", fragmented, raising=False)
    loaded = tinynet.load(tmp_path / "m.tnb", backend="python")
    # 10 rows failed, 5 failed, 3 fit; and each block tries the full size first again
    assert loaded.weights[0].data.counts == [3] * 11 + [7]
    assert loaded.get_params() == whole.get_params()

    def none_left(n):
        if n in (60, 30, 18, 12, 6):  # not even one row
            raise MemoryError
        return builtins.bytearray(n)

    monkeypatch.setattr(sources, "bytearray", none_left, raising=False)
    with pytest.raises(MemoryError, match="the int8 model 40-6-3 needs about"):
        tinynet.load(tmp_path / "m.tnb", backend="python")


def test_the_packed_kernels_skip_zeros_and_match_plain_products():
    from tinynet.backends import python_backend, python_fast

    rows, cols = 5, 3
    flat = [0.5 * ((i * 7) % 11) - 2.0 for i in range(rows * cols)]
    plain = [flat[k * cols:(k + 1) * cols] for k in range(rows)]
    a = [[0.0, 1.5, 0.0, -2.0, 0.25], [0.0] * 5, [1.0] * 5]
    expected = python_backend.matmul(a, plain)
    got = python_fast.matmul(a, Packed(rows, cols, array("f", flat)))
    assert got == expected  # these values are exact in float32
    assert got[1] == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="not aligned"):
        Packed(rows, cols, array("f", flat)).rmatmul([[1.0, 2.0]])
    for q in (Packed(rows, cols, array("f", flat)),
              Packed(rows, cols, bytearray(range(120, 135)), array("f", [0.5] * rows))):
        for bad in ([[1.0] * 6], [[1.0] * 6, [1.0] * 5], [[1.0] * 4]):  # one too many or few
            with pytest.raises(ValueError, match=r"^matmul: shapes \(%d, %d\) and \(5, 3\) are "
                               r"not aligned$" % (len(bad), len(bad[0]))):
                q.rmatmul(bad)


def test_a_packed_matrix_is_a_checked_sequence_of_rows():
    m = Packed(2, 3, array("f", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
    assert list(m) == [m[0], m[1]] == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    for k in (2, -1):  # no negative rows: m[-1] would hide a wrong index
        with pytest.raises(IndexError, match="^row %d of a 2-row matrix$" % k):
            m[k]
    with pytest.raises(ValueError, match="^packed 2x3 matrix: 5 values and no scales do not fit$"):
        Packed(2, 3, array("f", [0.0] * 5))
    with pytest.raises(ValueError, match="^packed 2x3 matrix: 6 values and 1 scales do not fit$"):
        Packed(2, 3, bytearray(6), array("f", [1.0]))


def test_training_a_compact_model_is_refused_with_a_reason(digits, tmp_path):
    net, rows, labels = digits
    tinynet.save(net, tmp_path / "m.tnb")  # .tnb: float32 by default
    loaded = tinynet.load(tmp_path / "m.tnb", backend="python")
    with pytest.raises(TinynetError, match=r"^this model's weights are packed float32 \(loaded "
                                           r"from a compact file\), which is for predicting only"):
        loaded.fit(scaled(rows[:8]), labels[:8], epochs=1)


def header(text, version=1):
    body = text.encode()
    body += b" " * (-(8 + len(body)) % 4)
    return b"\x89TNB" + struct.pack("<HH", version, len(body)) + body


GOOD = '{"sizes": [2, 2], "activation": "relu", "output": "softmax", "loss": "cross_entropy", ' \
       '"weights": "float32"}'


@pytest.mark.parametrize("data,message", [
    (header(GOOD) + bytes(4 * 6), None),
    (header(GOOD) + bytes(4 * 5), "the file is truncated"),
    (header(GOOD) + bytes(4 * 7), "followed by other data"),
    (header(GOOD, version=2) + bytes(24), "version 2; this tinynet reads version 1: upgrade"),
    (header(GOOD.replace("[2, 2]", "[2000000, 2000000]")) + bytes(24),
     "a float32 model of sizes \\[2000000, 2000000\\] takes"),
    (header(GOOD.replace("[2, 2]", "[2, -1]")) + bytes(24), "sizes must be"),
    (header(GOOD.replace("relu", "swish")) + bytes(24), "bad model settings: unknown activation"),
    (header(GOOD.replace("float32", "int4")) + bytes(24), "weights must be"),
    (header('{"sizes": [2, 2]') + bytes(24), "corrupt header$"),
    (header(GOOD, version=257) + bytes(24), "compact format version 257; this tinynet reads version "
                                            "1: upgrade tinynet to load it$"),
    (header(GOOD.replace("[2, 2]", "[2]")) + bytes(24),
     "sizes must be a list of at least two positive ints, not \\[2\\]$"),
    (header(GOOD.replace("[2, 2]", "[2, 0]")) + bytes(24),
     "sizes must be a list of at least two positive ints, not \\[2, 0\\]$"),
    (header(GOOD.replace("[2, 2]", "[2, true]")) + bytes(24),
     "sizes must be a list of at least two positive ints, not \\[2, True\\]$"),
    (header(GOOD, version=0) + bytes(24), "compact format version 0; this tinynet reads "
                                          "version 1$"),
    (b"\x89TNB\x01\x00\xff\xff", "not a tinynet header"),
])
def test_bad_compact_files_are_refused_naming_the_file(tmp_path, data, message):
    path = tmp_path / "bad.tnb"
    path.write_bytes(data)
    if message is None:
        assert tinynet.load(path).sizes == [2, 2]
        return
    with pytest.raises(TinynetError, match="^%s: .*%s" % (re.escape(str(path)), message)):
        tinynet.load(path)


def test_a_compact_header_may_take_up_to_4096_bytes(tmp_path):
    path = tmp_path / "m.tnb"
    path.write_bytes(header(GOOD + " " * (4096 - len(GOOD))) + bytes(24))
    assert tinynet.load(path).sizes == [2, 2]
    path.write_bytes(header(GOOD + " " * (4100 - len(GOOD))) + bytes(24))
    with pytest.raises(TinynetError, match="a 4100-byte header is not a tinynet header$"):
        tinynet.load(path)


def test_compact_bytes_are_float32_by_default_and_int8_clamps_its_bytes(tmp_path):
    net = DNN([2, 2], seed=0, backend="python")
    assert compact_save.to_bytes(net) == compact_save.to_bytes(net, weights="float32")
    assert compact_save.to_bytes(net) != compact_save.to_bytes(net, weights="int8")
    # A largest weight this small has a float32 scale (top / 127) rounded far
    # down, so top / scale is about 190: the byte is clamped to 127 steps.
    net.set_params([[[2.6683333428200578e-43, 1e-44], [0.5, -1.0]]], [[0.0, 0.0]])
    data = compact_save.to_bytes(net, weights="int8")
    assert data[-4:] == bytes([128 + 127, 128 + 7, 128 + 64, 128 - 127])
    path = tmp_path / "tiny.tnb"
    path.write_bytes(data)
    assert tinynet.load(path).get_params()["weights"][0][1] == pytest.approx([64 / 127, -1.0])


def test_a_heap_too_small_says_what_the_model_needs(tmp_path, monkeypatch):
    from tinynet import sources

    path = tmp_path / "m.tnb"
    compact_save.save(DNN([3, 2], seed=0, backend="python"), path)

    def no_memory(*args):
        raise MemoryError

    monkeypatch.setattr(sources, "float32s", no_memory)
    with pytest.raises(MemoryError, match="^%s: the float32 model 3-2 needs about %d bytes of "
                                          "heap to load$" % (re.escape(str(path)),
                                                             compact.heap_needed([3, 2], "float32"))):
        tinynet.load(path)


@pytest.mark.parametrize("weights", ["float32", "int8"])
def test_a_file_that_shrinks_while_read_ends_early(tmp_path, monkeypatch, weights):
    path = tmp_path / "m.tnb"
    compact_save.save(DNN([3, 2], seed=0, backend="python"), path, weights)
    size = path.stat().st_size
    path.write_bytes(path.read_bytes()[:-4])  # shorter than the size checked first
    monkeypatch.setattr(compact, "_file_size", lambda f: size)
    with pytest.raises(TinynetError, match="^%s: the file ends early$" % re.escape(str(path))):
        tinynet.load(path)


def test_a_compact_file_is_little_endian_on_every_machine(tmp_path):
    net = DNN([2, 2], seed=0, backend="python")
    net.set_params([[[0.5, -1.25], [2.0, 3.0]]], [[0.25, -0.75]])
    path = tmp_path / "m.tnb"
    compact_save.save(net, path, weights="float32")
    assert path.read_bytes().endswith(struct.pack("<6f", 0.25, -0.75, 0.5, -1.25, 2.0, 3.0))
    compact_save.save(net, path, weights="int8")  # the bias, one scale per row, the bytes, padding
    assert path.read_bytes().endswith(struct.pack("<4f", 0.25, -0.75, 1.25 / 127, 3.0 / 127) +
                                      bytes([128 + 51, 128 - 127, 128 + 85, 128 + 127]))


def test_saving_compact_checks_its_arguments_and_keeps_the_old_file(tmp_path):
    net = DNN([3, 2], seed=0, backend="python")
    path = tmp_path / "m.tnb"
    tinynet.save(net, path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="weights must be 'float32' or 'int8'"):
        compact_save.save(net, path, weights="int4")
    net.weights[0].data[0][0] = float("nan")
    with pytest.raises(TinynetError, match="not all finite"):
        tinynet.save(net, path, format="int8")
    assert path.read_bytes() == before


def test_an_int8_row_of_zeros_is_stored_with_a_zero_scale(tmp_path):
    """A row's scale is its largest weight / 127: 0 for a row of zeros (its
    bytes all the zero byte), and the row loads as zeros."""
    from tinynet import compact

    net = DNN([3, 2], seed=0, backend="python")
    params = net.get_params()
    params["weights"][0][1] = [0.0, 0.0]
    net.set_params(params["weights"], params["biases"])
    path = tmp_path / "m.tnb"
    tinynet.save(net, path, format="int8")
    _, weights, _ = compact.read(path)
    assert weights[0].scales[1] == 0.0 and weights[0].scales[0] > 0.0
    assert weights[0][1] == [0.0, 0.0]
    assert tinynet.load(path).get_params()["weights"][0][1] == [0.0, 0.0]


def test_a_compact_model_makes_its_plain_sgd_when_first_asked(tmp_path):
    """A compact file holds no optimizer: the loaded model makes plain SGD
    (its default rate) on first use, and keeps that one."""
    path = tmp_path / "m.tnb"
    tinynet.save(DNN([3, 2], optimizer="adam", seed=0, backend="python"), path)
    model = tinynet.load(path)
    first = model.optimizer
    assert (first.name, model.learning_rate) == ("sgd", 0.02) and model.optimizer is first
