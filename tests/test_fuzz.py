"""Fuzzing the readers: random and mutated bytes fed to model loading, IDX and
CSV reading, and the safetensors and ONNX import (tinynet.interop).  Only a TinynetError or ValueError (or FileNotFoundError: never
here) may come out, quickly; and a long run in a child process under a
memory cap shows that none of it needs much memory.

The default run is short.  TINYNET_FUZZ_EXAMPLES=5000 runs that many
examples per reader instead.
"""

import gzip
import json
import os
import pickle
import random
import tempfile

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import tinynet  # noqa: E402
from tinynet import DNN, datasets, interop  # noqa: E402

from hardening_util import run_bounded  # noqa: E402

EXAMPLES = int(os.environ.get("TINYNET_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _seeds():
    """Valid files of every kind, to mutate."""
    net = DNN([4, 3, 2], optimizer="adam", seed=1, backend="python")
    net.fit([[0, 1, 0, 1], [1, 0, 1, 0]], [0, 1], epochs=2)
    payload = net.to_dict()
    X, y = datasets.load_sample("test")
    X, y = X[:3], y[:3]
    idx = b"\x00\x00\x08\x03" + (3).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2 + \
        bytes(X.pixels)
    labels = b"\x00\x00\x08\x01" + (3).to_bytes(4, "big") + bytes(y)
    rows = ["label," + ",".join("p%d" % i for i in range(784))]
    rows += ["%d,%s" % (y[i], ",".join(map(str, X.row_bytes(i)))) for i in range(3)]
    csv = ("\n".join(rows) + "\n").encode()
    tmp = tempfile.mkdtemp()
    try:
        for name in ("m.safetensors", "m.onnx"):
            interop.export(DNN([4, 3, 2], activation="tanh", seed=1, backend="python"),
                           os.path.join(tmp, name))
        with open(os.path.join(tmp, "m.safetensors"), "rb") as f:
            safetensors = f.read()
        with open(os.path.join(tmp, "m.onnx"), "rb") as f:
            onnx = f.read()
    finally:
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)
    from tinynet.compact_save import to_bytes

    compact = [to_bytes(net, weights) for weights in ("float32", "int8")]
    return {
        "model": [pickle.dumps(payload, protocol=p) for p in (2, 4)] + [json.dumps(payload).encode()],
        "compact": compact,
        "idx": [idx, labels, gzip.compress(idx, mtime=0)],
        "csv": [csv, gzip.compress(csv, mtime=0)],
        "safetensors": [safetensors], "onnx": [onnx],
    }


def _onnx_with_noops():
    """An ONNX graph with every node that changes nothing (see
    interop/onnx_noop.py) and the settings they read: Flatten of a 1x2x2
    image, Identity, Dropout with a ratio initializer, a Constant bool
    training_mode and a mask; a Reshape's int64 shape, stored unpacked."""
    from tinynet.interop import onnx_file as f
    from tinynet.interop.protobuf import bytes_field, int_field, message_field, string_field

    def field(n, name, parts):
        return message_field(n, [string_field(1, name), message_field(2, [message_field(1, [
            int_field(1, 1), message_field(2, parts)])])])

    dims = [message_field(1, [string_field(2, "N")])] + [message_field(1, [int_field(1, d)])
                                                        for d in (1, 2, 2)]
    off = message_field(5, [string_field(1, "value"), int_field(20, 4), message_field(
        5, [int_field(2, 9), bytes_field(9, b"\x00")])])
    nodes = [f._node("Flatten", ["input"], ["x"], "f", [("axis", 1)]),
             f._node("Reshape", ["x", "shape"], ["x2"], "r"),
             f._node("Gemm", ["x2", "W", "B"], ["z"], "g", [("transB", 1)]),
             f._node("Identity", ["z"], ["z2"], "i"), f._node("Relu", ["z2"], ["h"], "a"),
             message_field(1, [string_field(2, "off"), string_field(4, "Constant"), off]),
             f._node("Dropout", ["h", "ratio", "off"], ["d", "mask"], "d"),
             f._node("Gemm", ["d", "W2"], ["output"], "g2", [("transB", 1)])]
    shape = message_field(5, [int_field(1, 2), int_field(2, 7), string_field(8, "shape"),
                              int_field(7, 0), int_field(7, (1 << 64) - 1)])
    graph = nodes + [f._initializer("W", [3, 4], [[0.5, -0.5, 0.25, 1.0]] * 3),
                     f._initializer("B", [3], [0.1, 0.2, 0.3]),
                     f._initializer("W2", [2, 3], [[1.0, -1.0, 0.5]] * 2),
                     f._initializer("ratio", [1], [0.5]), shape,
                     field(11, "input", dims), field(12, "output", dims[:1] + dims[2:3])]
    data = int_field(1, 7) + message_field(7, graph) + message_field(8, [int_field(2, 13)])
    assert interop.onnx_read.parse(data, "seed")[0]["2.weight"].shape == (2, 3)
    return data


SEEDS = _seeds()
SEEDS["onnx"].append(_onnx_with_noops())


def read_model(path):
    tinynet.load(path, backend="python")


def read_model_bytes(path):
    """The same bytes given to load in memory (the compact parser's one path;
    a memoryview, since bytes that do not start as a model are a path)."""
    with open(path, "rb") as f:
        tinynet.load(memoryview(f.read()), backend="python")


def read_idx(path):
    datasets.load_idx(path)


def read_csv(path):
    datasets.load_csv(path)


def read_any(path):
    datasets.load(path)


def read_interop(path):
    interop.load(path, backend="python")


READERS = {"model": [read_model], "compact": [read_model, read_model_bytes],
           "idx": [read_idx, read_any], "csv": [read_csv, read_any],
           "safetensors": [read_interop], "onnx": [read_interop]}


def mutate(data, rng):
    """Flip, drop, duplicate or insert a few bytes, or cut the file short."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not data:
            data += bytes([rng.randrange(256)])
            continue
        i = rng.randrange(len(data))
        kind = rng.randrange(5)
        if kind == 0:
            data[i] ^= 1 << rng.randrange(8)
        elif kind == 1:
            data[i] = rng.choice([0, 0xFF, 0x7F, 0x80, ord("9"), ord(","), ord("\n")])
        elif kind == 2:
            del data[i:i + rng.randint(1, 16)]
        elif kind == 3:
            data[i:i] = data[max(0, i - 8):i]
        else:
            del data[i:]
    return bytes(data)


def feed(reader, data):
    fd, path = tempfile.mkstemp()
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            reader(path)
        except ValueError:  # TinynetError is one
            pass
    finally:
        os.unlink(path)


@pytest.mark.parametrize("kind", sorted(READERS))
@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes_give_only_value_errors(kind, data):
    for reader in READERS[kind]:
        feed(reader, data)


@pytest.mark.parametrize("kind", sorted(READERS))
@FUZZ
@given(seed=st.integers(0, 2 ** 32 - 1), which=st.integers(0, 2))
def test_mutated_files_give_only_value_errors(kind, seed, which):
    valid = SEEDS[kind][which % len(SEEDS[kind])]
    data = mutate(valid, random.Random(seed))
    for reader in READERS[kind]:
        feed(reader, data)


def test_many_mutations_stay_in_bounded_memory():
    """The same mutations, many more, in a child whose address space is
    capped: a reader that allocated what a corrupt header or opcode asks
    for would die of MemoryError there (which is not a ValueError)."""
    n = max(300, EXAMPLES)
    code = ("import random, sys\n"
            "sys.path.insert(0, 'tests')\n"
            "import test_fuzz as t\n"
            "rng = random.Random(12345)\n"
            "for i in range(%d):\n"
            "    kind = rng.choice(sorted(t.READERS))\n"
            "    data = t.mutate(rng.choice(t.SEEDS[kind]), rng)\n"
            "    for reader in t.READERS[kind]:\n"
            "        t.feed(reader, data)\n"
            "print('ok')\n" % n)
    result = run_bounded(code, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "ok"


def compact_corpus(n=300, seed=23):
    """``n`` mutated compact files, the same on every run: the corpus that
    tests/test_board.py runs on MicroPython, to compare with CPython."""
    rng = random.Random(seed)
    return [mutate(rng.choice(SEEDS["compact"]), rng) for _ in range(n)]


def outcome(load, data):
    """What loading ``data`` with ``load`` gives, as a line to compare
    between interpreters: the classes of four inputs, or the refusal (its
    message without numbers, which interpreters print differently)."""
    import re

    try:
        model = load(data)
        return "ok %s" % model.classify([[0.0, 1.0, 0.5, 0.25], [1.0, 0.0, 0.0, 0.0],
                                          [0.5, 0.5, 0.5, 0.5], [0.0, 0.0, 0.0, 1.0]])
    except ValueError as err:  # TinynetError is one
        return "refused " + re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?|inf|nan", "#", str(err))[:60]


def test_the_compact_corpus_is_refused_or_loaded_and_never_crashes():
    outcomes = [outcome(tinynet.load, memoryview(data)) for data in compact_corpus()]
    assert all(o.startswith(("ok ", "refused <bytes>: ")) for o in outcomes)
    assert 10 < sum(o.startswith("ok") for o in outcomes) < 290  # both kinds, many of each


# === Parsers of untrusted bytes and names beyond the readers ===


@FUZZ
@given(data=st.binary(max_size=1024), prefix=st.sampled_from(
    [b"", b"\x89TNB", b"\x80", b"\xef\xbb\xbf", b"\x00\x00\x08", b"\x1f\x8b", b" \n{", b"PK"]))
def test_the_sniffer_names_a_kind_for_any_bytes(data, prefix):
    from tinynet.kinds import KINDS, kind_of_bytes

    assert kind_of_bytes(prefix + data) in KINDS
    head = (prefix + data + b"x" * 512)[:512]
    assert kind_of_bytes(head + data) == kind_of_bytes(head)  # only the head decides


SAFE_RECORD_LINE = r"(backends/)?[A-Za-z0-9_\-][A-Za-z0-9_.\-]*\.m?py"


@FUZZ
@given(data=st.binary(max_size=512) | st.text(max_size=200).map(lambda t: t.encode("utf-8")))
def test_a_library_record_never_names_a_file_outside_the_library(data):
    import re

    from tinynet.cli.library import parse_record

    names = parse_record(data + b"\n../x.py\n/etc/x.py\nbackends/../x.py\n")
    assert all(re.fullmatch(SAFE_RECORD_LINE, n) and ".." not in n.split("/") for n in names)


@FUZZ
@given(name=st.text(max_size=80) | st.from_regex(r"\.[^/]{0,20}\.tinynet-[0-9]{1,12}-[0-9a-f]{16}\.tmp",
                                                   fullmatch=True))
def test_only_exact_temporary_names_have_an_owner(name):
    import re

    from tinynet.tempfiles import owner

    pid = owner(name)
    exact = re.fullmatch(r"\..*\.tinynet-([1-9][0-9]{0,9})-[0-9a-f]{16}\.tmp", name, re.DOTALL)
    assert pid == (int(exact.group(1)) if exact else None)
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in name):
        assert owner(name.encode("utf-8")) == pid


@FUZZ
@given(text=st.text(max_size=200))
def test_escaped_text_is_well_formed_xml_and_printable_text_one_line(text):
    import xml.etree.ElementTree as ET

    from tinynet.escape import printable, xml

    element = ET.fromstring('<t a="%s">%s</t>' % (xml(text), xml(text)))
    allowed = lambda c: c in "\t\n\r" or 0x20 <= ord(c) < 0x7F or 0x9F < ord(c) < 0xD800 or (
        0xE000 <= ord(c) <= 0xFFFD or ord(c) > 0xFFFF)
    shown = "".join(c if allowed(c) else "\ufffd" for c in text)
    assert element.get("a") == shown and (element.text or "") == shown  # (CR too, by reference)
    line = printable(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF
                   or c in "\u2028\u2029\u202e" for c in line)
