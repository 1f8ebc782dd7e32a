"""Hostile or broken model files: every failure while loading is a
TinynetError naming the file (no RecursionError, OverflowError,
AttributeError...); a corpus of hostile pickles that never run; every bad
file and every truncation of a real one refused with one clear error;
optimizer state and settings checked like the weights; the pickle scan (its
memo, both lines of a global); the size cap applied before reading; and
legal extremes (1e308) round-trip."""

import json
import math
import pickle

import pytest

import tinynet
from tinynet import DNN, TinynetError

from hardening_util import run_bounded

X = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.25], [0.3, 0.3, 0.3], [0.9, 0.1, 0.0]]
Y = [0, 1, 1, 0]


def trained_payload(optimizer):
    """The plain data of a small model trained with ``optimizer`` (its state
    non-trivial), as a saved JSON file holds it."""
    import os
    import tempfile

    net = DNN([3, 4, 2], optimizer=optimizer, seed=3, backend="python")
    net.fit(X, Y, epochs=2, batch_size=2)
    directory = tempfile.mkdtemp()
    path = os.path.join(directory, "m.json")
    try:
        net.save(path)
        with open(path) as f:
            return json.load(f)
    finally:
        os.unlink(path)
        os.rmdir(directory)


def edit(payload, where, value):
    """Return a copy of ``payload`` with the item at the key path ``where`` set
    to ``value`` (or deleted, for the value DELETE)."""
    payload = json.loads(json.dumps(payload))
    node = payload
    for key in where[:-1]:
        node = node[key]
    if value is DELETE:
        del node[where[-1]]
    else:
        node[where[-1]] = value
    return payload


DELETE = object()

# (optimizer, key path, value): each a file that must be refused
BROKEN = [
    ("sgd", ("optimizer", "learning_rate"), math.inf),
    ("sgd", ("optimizer", "learning_rate"), -0.1),
    ("sgd", ("optimizer", "learning_rate"), "fast"),
    ("sgd", ("optimizer", "l2"), math.nan),
    ("sgd", ("optimizer", "l2"), -1.0),
    ("sgd", ("optimizer", "name"), "rmsprop"),
    ("sgd", ("optimizer",), "sgd"),
    ("sgd", ("optimizer", "state"), "not a dict"),
    ("sgd", ("optimizer", "state"), [1, 2]),
    ("momentum", ("optimizer", "momentum"), "0.9"),
    ("momentum", ("optimizer", "momentum"), 1.5),
    ("momentum", ("optimizer", "momentum"), math.nan),
    ("momentum", ("optimizer", "state", "velocities"), []),
    ("momentum", ("optimizer", "state", "velocities"), "none"),
    ("momentum", ("optimizer", "state", "velocities", 0), [[[0.0]], [[0.0]]]),
    ("momentum", ("optimizer", "state", "velocities", 0, 0, 0, 0), math.nan),
    ("momentum", ("optimizer", "state", "velocities", 1, 1, 0, 0), math.inf),
    ("momentum", ("optimizer", "state", "velocities", 0, 0, 0, 0), "x"),
    ("momentum", ("optimizer", "state", "velocities", 0, 0, 0), 5),
    ("adam", ("optimizer", "state", "t"), math.inf),
    ("adam", ("optimizer", "state", "t"), -3),
    ("adam", ("optimizer", "state", "t"), "12"),
    ("adam", ("optimizer", "state", "t"), 1.5),
    ("adam", ("optimizer", "state", "t"), 10 ** 400),
    ("adam", ("optimizer", "state", "moments"), [[]]),
    ("adam", ("optimizer", "state", "moments", 0), "m"),
    ("adam", ("optimizer", "state", "moments", 0, 1, 0, 0), -1.0),  # a second moment < 0
    ("adam", ("optimizer", "state", "moments", 0, 3, 0, 0), -1.0),  # a bias's, too
    ("adam", ("optimizer", "state", "moments", 1, 3, 0, 0), math.nan),
    ("adam", ("optimizer", "state", "moments", 0, 0), [[0.0] * 4] * 2),
    ("sgd", ("weights", 0, 0, 0), 10 ** 400),
    ("sgd", ("weights", 0, 0, 0), True),
    ("sgd", ("weights", 0, 0, 0), None),
    ("sgd", ("biases", 1), {"a": 1}),
    ("sgd", ("sizes", 0), 10 ** 400),
    ("sgd", ("sizes",), "3,4,2"),
    ("sgd", ("activation",), ["relu"]),
    ("sgd", ("dtype",), {"x": 1}),
    ("sgd", ("version",), 10 ** 400),
    ("sgd", ("version",), math.nan),
]


def ids(case):
    return "%s-%s-%s" % (case[0], ".".join(map(str, case[1])), str(case[2])[:12])


@pytest.mark.parametrize("fmt", ["json", "pickle"])
@pytest.mark.parametrize("optimizer,where,value", BROKEN, ids=[ids(c) for c in BROKEN])
def test_a_broken_file_is_one_tinynet_error_naming_it(tmp_path, optimizer, where, value, fmt):
    payload = edit(trained_payload(optimizer), where, value)
    path = tmp_path / ("bad." + fmt)
    if fmt == "json":
        path.write_text(json.dumps(payload))  # (nan and inf as JSON's NaN/Infinity)
    else:
        path.write_bytes(pickle.dumps(payload, protocol=4))
    with pytest.raises(TinynetError) as err:
        tinynet.load(path)
    assert str(err.value).startswith(str(path) + ":"), err.value
    assert err.value.__class__ is TinynetError


def test_valid_files_of_every_optimizer_still_load_and_resume(tmp_path):
    for optimizer in ("sgd", "momentum", "adam"):
        path = tmp_path / (optimizer + ".json")
        path.write_text(json.dumps(trained_payload(optimizer)))
        net = tinynet.load(path)
        net.fit(X, Y, epochs=1, batch_size=2)


# === Structure: depth, types ===


def nested_pickle(depth, key="sizes"):
    """A protocol-2 pickle of a valid model dict whose ``key`` holds lists
    nested ``depth`` deep, written opcode by opcode (pickle.dumps itself
    would hit the recursion limit)."""
    payload = trained_payload("sgd")
    del payload[key]
    head = pickle.dumps(payload, protocol=2)
    assert head.endswith(b".")
    name = key.encode()
    value = b"]" * depth + b"a" * (depth - 1)  # EMPTY_LIST depth times, APPEND each inward
    return head[:-1] + b"X" + len(name).to_bytes(4, "little") + name + value + b"s."


@pytest.mark.parametrize("key", ["sizes", "weights", "biases", "optimizer"])
def test_deeply_nested_values_are_refused_not_a_recursion_error(tmp_path, key):
    path = tmp_path / "deep.pkl"
    path.write_bytes(nested_pickle(200000, key))
    with pytest.raises(TinynetError) as err:
        tinynet.load(path)
    assert str(path) in str(err.value) and len(str(err.value)) < 1000


def test_deeply_nested_json_is_refused(tmp_path):
    path = tmp_path / "deep.json"
    text = json.dumps(trained_payload("sgd"))
    path.write_text(text[:-1] + ', "extra": ' + "[" * 200000 + "]" * 200000 + "}")
    with pytest.raises(TinynetError) as err:
        tinynet.load(path)
    assert str(path) in str(err.value)


def test_error_messages_stay_short_whatever_the_file_holds(tmp_path):
    payload = edit(trained_payload("sgd"), ("sizes",), ["x" * 10 ** 6, 2])
    path = tmp_path / "long.pkl"
    path.write_bytes(pickle.dumps(payload))
    with pytest.raises(TinynetError) as err:
        tinynet.load(path)
    assert len(str(err.value)) < 1000


# === Legal extremes round-trip ===


@pytest.mark.parametrize("fmt", ["pkl", "json"])
def test_weights_of_1e308_round_trip(tmp_path, backend, fmt):
    net = DNN([3, 2], output="linear", loss="mse", seed=0, backend=backend)
    params = net.get_params()
    params["weights"][0] = [[1e308, 1e308], [1e308, -1e308], [-1e308, 5e-324]]
    net.set_params(params["weights"], params["biases"])
    path = tmp_path / ("big." + fmt)
    net.save(path)
    assert tinynet.load(path, backend=backend).get_params() == net.get_params()


def test_a_refused_load_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "bad.pkl"
    data = pickle.dumps(edit(trained_payload("adam"), ("optimizer", "state", "t"), math.inf))
    path.write_bytes(data)
    with pytest.raises(TinynetError):
        tinynet.load(path)
    assert path.read_bytes() == data


# === Memory: what the unpickler or the checks would build ===


def test_a_memo_index_bomb_is_refused_in_bounded_memory(tmp_path):
    # LONG_BINPUT 2**31-1: CPython's unpickler would grow its memo to that size.
    path = tmp_path / "memo.pkl"
    path.write_bytes(b"\x80\x02]r\xff\xff\xff\x7f.")
    result = run_bounded("import tinynet\ntry:\n    tinynet.load(%r)\n"
                         "except tinynet.TinynetError as err:\n    print(err)\n" % str(path))
    assert result.returncode == 0, result.stderr
    assert str(path) in result.stdout and "corrupt pickle" in result.stdout


def test_shared_references_cannot_claim_a_network_bigger_than_the_file(tmp_path):
    """A pickle may repeat one row by reference: 10**6 rows of 10**6 weights
    in a few megabytes.  Refused by its size, before any check walks it."""
    row = [0.0] * 1000
    payload = trained_payload("sgd")
    payload.update(sizes=[1000, 1000], weights=[[row] * 1000], biases=[row])
    path = tmp_path / "shared.pkl"
    path.write_bytes(pickle.dumps(payload, protocol=4))
    assert path.stat().st_size < 20000  # a million weights in a few kilobytes
    with pytest.raises(TinynetError, match="cannot hold the 1001000 parameters"):
        tinynet.load(path)
