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
    return {
        "model": [pickle.dumps(payload, protocol=p) for p in (2, 4)] + [json.dumps(payload).encode()],
        "idx": [idx, labels, gzip.compress(idx, mtime=0)],
        "csv": [csv, gzip.compress(csv, mtime=0)],
        "safetensors": [safetensors], "onnx": [onnx],
    }


SEEDS = _seeds()


def read_model(path):
    tinynet.load(path, backend="python")


def read_idx(path):
    datasets.load_idx(path)


def read_csv(path):
    datasets.load_csv(path)


def read_any(path):
    datasets.load(path)


def read_interop(path):
    interop.load(path, backend="python")


READERS = {"model": [read_model], "idx": [read_idx, read_any], "csv": [read_csv, read_any],
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
