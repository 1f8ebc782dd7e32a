"""Hostile or broken model files: every failure while loading is a
TinynetError naming the file (no RecursionError, OverflowError,
AttributeError...); a corpus of hostile pickles that never run; every bad
file and every truncation of a real one refused with one clear error;
optimizer state and settings checked like the weights; the pickle scan (its
memo, both lines of a global); the size cap applied before reading; and
legal extremes (1e308) round-trip."""

import json
import math
import os
import pickle

import pytest

import tinynet
import tinynet.serialize
from tinynet import DNN, TinynetError, load, validate

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


# A hostile-file corpus (none may run anything), and every bad file gets one clear error naming
# the file.


class Payload:
    """Pickles as a call to ``func(*args)``: what an attacker would send."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def hostile_files(marker):
    touch = "open(%r, 'w').write('ran')" % str(marker)
    shell = "touch %s" % marker
    import subprocess as sp

    corpus = {
        "os_system": Payload(os.system, (shell,)),
        "eval": Payload(eval, (touch,)),
        "exec": Payload(exec, (touch,)),
        "subprocess": Payload(sp.call, (["touch", str(marker)],)),
        "getattr_chain": Payload(getattr, (Payload(__import__, ("builtins",)), "exec")),
        "nested_in_a_model": {"format": "tinynet", "version": 1, "sizes": [1, 1],
                              "activation": "relu", "output": "softmax", "loss": "mse",
                              "weights": [[[Payload(eval, (touch,))]]], "biases": [[0.0]]},
    }
    files = {"%s_protocol%d" % (name, p): pickle.dumps(obj, protocol=p)
             for name, obj in corpus.items() for p in (2, 4)}
    # A classic hand-written protocol-0 pickle: cos\nsystem\n(S'...'\ntR.
    files["protocol0_os_system"] = b"cos\nsystem\n(S'%s'\ntR." % shell.encode()
    files["builtins_getattr_exec"] = (
        b"\x80\x04cbuiltins\ngetattr\n(cbuiltins\n__dict__\nS'exec'\ntR(S'%s'\ntR."
        % touch.encode())
    try:
        import numpy as np

        files["numpy_object_array"] = pickle.dumps(np.array([Payload(eval, (touch,))], dtype=object))
        files["numpy_float_array"] = pickle.dumps(np.zeros(3))
    except ImportError:
        pass
    return files


def test_hostile_pickles_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "marker"
    files = hostile_files(marker)
    assert len(files) >= 13
    for name, data in files.items():
        path = tmp_path / (name + ".pkl")
        path.write_bytes(data)
        # (tinynet writes protocol 4; a protocol-0 text pickle is not even unpickled)
        expected = "neither a pickle nor JSON" if "protocol0" in name else "refused: global '[\\w.]+' is forbidden"
        with pytest.raises(TinynetError, match=expected) as info:
            load(path)
        assert str(path) in str(info.value), name
        assert not marker.exists(), "the payload of %s ran" % name


def good_payload():
    return DNN([2, 3, 2], seed=0, backend="python").to_dict()


def mutated(**changes):
    payload = good_payload()
    for key, value in changes.items():
        if value is None:
            del payload[key]
        else:
            payload[key] = value
    return payload


BAD = [
    (b"", "the file is empty"),
    (b"\x80\x04\x95\x10\x00\x00\x00", "truncated|corrupt"),
    (b"hello world", "neither a pickle nor JSON"),
    (b"{not json", "not valid JSON"),
    (b"[" * 100000 + b"]" * 100000, "neither a pickle nor JSON"),
    (b"{" + b'"a":[' * 100000 + b"]" * 100000 + b"}", "not valid JSON|not a tinynet model"),
    (json.dumps([1, 2, 3]).encode(), "not a tinynet model"),
    (pickle.dumps({"format": "keras"}), "not a tinynet model"),
    (pickle.dumps(mutated(version=99)), r"newer tinynet \(format version 99"),
    (pickle.dumps(mutated(version="1")), "unknown format version '1'"),
    (pickle.dumps(mutated(weights=None)), "missing key 'weights'"),
    (pickle.dumps(mutated(sizes=[2, -3, 2])), "sizes must be a list of at least two positive"),
    (pickle.dumps(mutated(activation="swish")), "bad model settings: unknown activation 'swish'"),
    (pickle.dumps(mutated(biases=[[0.0] * 3])), "biases must be a list of 2 rows"),
    (pickle.dumps(mutated(weights=[[[0.0] * 3] * 2, [[0.0] * 2] * 2])), r"weights\[1\] must be 3 rows of 2"),
    (pickle.dumps(mutated(biases=[[0.0] * 3, [0.0, "x"]])), r"biases\[1\] row 0 holds something that is not a number"),
    (json.dumps(mutated(biases=[[0.0] * 3, [0.0, float("nan")]])).encode(), "non-finite"),
    (pickle.dumps(mutated(weights=[[[0.0, float("inf"), 0.0]] * 2, [[0.0] * 2] * 3])), "non-finite"),
    (pickle.dumps(mutated(sizes=[100000, 100000])), "cannot hold the 10000100000 parameters"),
    (pickle.dumps(mutated(dtype="int8")), "dtype must be"),
]


@pytest.mark.parametrize("data,message", BAD)
def test_bad_files_raise_one_clear_error(tmp_path, data, message):
    path = tmp_path / "bad.model"
    path.write_bytes(data)
    with pytest.raises(TinynetError, match=message) as info:
        load(path)
    assert str(info.value).startswith(str(path) + ": ")


def test_every_truncation_of_a_real_file_is_refused(tmp_path):
    tinynet.save(DNN([2, 3, 2], seed=0, backend="python"), tmp_path / "m.pkl")
    data = (tmp_path / "m.pkl").read_bytes()
    for cut in range(0, len(data) - 1, 7):
        (tmp_path / "cut.pkl").write_bytes(data[:cut])
        with pytest.raises(TinynetError):
            load(tmp_path / "cut.pkl")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.pkl")


def test_a_huge_model_file_is_refused_by_its_size_before_reading(tmp_path):
    path = tmp_path / "huge.pkl"
    with open(path, "wb") as f:
        f.write(b"\x80\x04")
        f.truncate(8 << 30)  # 8 GiB, sparse: nothing like a model
    code = ("import tinynet\n"
            "try:\n    tinynet.load(%r)\nexcept tinynet.TinynetError as err:\n"
            "    print(err)\n" % str(path))
    result = run_bounded(code, timeout=30)
    assert result.returncode == 0, result.stderr
    assert str(path) in result.stdout


# Payloads, case by case: rows that are not lists, each field of the model dict, text decoding,
# the pickle scan's memo and globals, the size cap.


BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("where, value", [
    ("weights", "not a list"), ("weights", 3.0), ("weights", {"0": 1.0}), ("weights", (1.0, 2.0)),
    ("biases", "xy"), ("biases", 2.0), ("biases", None)])
def test_payload_rows_that_are_not_lists(tmp_path, where, value):
    data = DNN([2, 2], seed=0, backend="python").to_dict()
    if where == "weights":
        data["weights"][0][1] = value
    else:
        data["biases"][0] = value
    with pytest.raises(ValueError, match=r"^%s\[0\] must be 2 (rows of 2 )?numbers" % where):
        DNN.from_dict(data)
    if not isinstance(value, tuple):  # a tuple has no JSON form
        path = tmp_path / "m.json"
        path.write_text(json.dumps(data))
        with pytest.raises(TinynetError, match=r"m\.json: .*%s\[0\]" % where):
            tinynet.load(path)


def test_finite_row_refuses_what_is_not_a_list_of_finite_numbers():
    validate.finite_row([1.0, 2, -3.5, 1e308], "r")
    for row, message in [((1.0,), r"r must be a list of numbers, not \(1\.0,\)$"),
                         ("ab", "r must be a list of numbers, not 'ab'$"),
                         ([1.0, "2"], r"r holds something that is not a number \('2'\)"),
                         ([True], r"r holds something that is not a number \(True\)"),
                         ([None], r"r holds something that is not a number \(None\)"),
                         ([10 ** 400], "r holds an integer too large for a float"),
                         ([float("inf")], r"r holds a non-finite value \(inf\)"),
                         ([1.0, float("nan")], "r holds a non-finite value")]:
        with pytest.raises(ValueError, match="^" + message):
            validate.finite_row(row, "r")


def test_model_dict_checks_each_field():
    good = DNN([2, 3, 2], seed=0, backend="python").to_dict()

    def refused(message, **changes):
        data = dict(good, **changes)
        with pytest.raises(ValueError, match="^" + message):
            DNN.from_dict(data)  # validate.model_dict, then the names as the model is made

    assert type(validate.model_dict(good)).__name__ == "SGD"
    refused("not a tinynet model", format="other")
    refused("unknown format version", version=0)
    refused("unknown format version", version=True)
    refused("written by a newer tinynet .format version 2; this one reads up to 1", version=2)
    refused("sizes must be a list of at least two positive ints", sizes=[2])
    refused("sizes must be a list", sizes=(2, 3, 2))
    refused(r"bad model settings: activation must be a name, not 3$", activation=3)
    refused(r"bad model settings: output must be a name, not None$", output=None)
    refused(r"bad model settings: loss must be a name, not \[1\]$", loss=[1])
    refused(r"biases must be a list of 2 rows for sizes \[2, 3, 2\]$", biases=[[0.0] * 3])
    refused(r"weights must be a list of 2 matrices for sizes \[2, 3, 2\]$", weights=[[]])
    refused("bad model settings: unknown activation 'gelu'; expected one of: relu, sigmoid, tanh$",
            activation="gelu")
    refused("bad model settings: unknown output 'relu'; expected one of: linear, sigmoid, softmax$",
            output="relu")
    refused("bad model settings: unknown loss 'hinge'; expected one of: cross_entropy, mse$",
            loss="hinge")
    refused("dtype must be 'float64' or 'float32', not 'float16'", dtype="float16")
    refused(r"optimizer must be a dict, not \[\]$", optimizer=[])
    refused("optimizer must be one of adam, momentum, sgd, not 'rmsprop'", optimizer={"name": "rmsprop"})
    refused("optimizer 'sgd' has no setting 'momentum'", optimizer={"name": "sgd", "momentum": 0.5})
    refused("optimizer 'adam' has no setting 'decay', 'momentum'$",  # every unknown one, sorted
            optimizer={"name": "adam", "momentum": 0.5, "decay": 0.1})
    refused(r"optimizer state must be a dict, not \[\]$", optimizer={"name": "sgd", "state": []})
    for key in ("sizes", "activation", "output", "loss", "weights", "biases"):
        data = dict(good)
        del data[key]
        with pytest.raises(ValueError, match="^missing key '%s'$" % key):
            validate.model_dict(data)
    opt = validate.model_dict(dict(good, optimizer={"name": "momentum", "momentum": 0.5,
                                                     "learning_rate": 0.2}))
    assert opt.settings() == {"learning_rate": 0.2, "l2": 0.0, "momentum": 0.5}
    assert validate.model_dict({k: v for k, v in good.items() if k != "optimizer"}).name == "sgd"


def test_decoding_bytes_names_them_and_accepts_a_bom():
    from tinynet.serialize import decode

    with pytest.raises(TinynetError, match="^<bytes>: the file is empty, not a tinynet model$"):
        decode(b"")
    with pytest.raises(TinynetError, match="^here: not a tinynet model file "
                                           r"\(neither a pickle nor JSON\)$"):
        decode(b"[1, 2]", "here")
    assert decode(BOM + b' \n{"a": [1, 2.5]}') == {"a": [1, 2.5]}
    with pytest.raises(TinynetError, match=r"^<bytes>: not valid JSON \("):
        decode(b"{nope")
    with pytest.raises(TinynetError, match="^<bytes>: truncated: the pickle ends early$"):
        decode(b"\x80\x02]")


@pytest.mark.parametrize("raw, loaded", [
    (b"\x80\x04]\x94]q\x01a.", [[]]),  # MEMOIZE counts: BINPUT 1 follows it
    (b"\x80\x02]p0\n]p1\na.", [[]]),  # PUT with a text index, one line
    (b"\x80\x02]p0\nI7\na.", [7]),  # INT: one line too
])
def test_the_pickle_scan_follows_the_memo(raw, loaded):
    from tinynet.serialize import decode

    assert decode(raw) == loaded


def test_any_other_failure_of_the_unpickler_is_a_corrupt_pickle():
    from tinynet.serialize import decode

    with pytest.raises(TinynetError, match=r"^<bytes>: corrupt pickle \(IndexError: "):
        decode(b"\x80\x02]K\x01K\x02s.")  # SETITEM on a list: index 1 of an empty one


@pytest.mark.parametrize("raw", [b"\x80\x02cx\np9\n.", b"\x80\x02(ix\np9\n."],
                         ids=["GLOBAL", "INST"])
def test_the_pickle_scan_reads_both_lines_of_a_global(raw):
    # Its second line, "p9", read as an opcode would be a PUT beyond the memo.
    from tinynet.serialize import decode

    with pytest.raises(TinynetError, match=r"^<bytes>: refused: global 'x\.p9' is forbidden"):
        decode(raw)


@pytest.mark.parametrize("raw, index, size", [
    (b"\x80\x02]q\x00]q\x02a.", 2, 1),  # a gap in the memo
    (b"\x80\x02]q\x00K\x01K\x02K\x03]q\x07.", 7, 1),  # after other opcodes
    (b"\x80\x02]p3\n.", 3, 0),
    (b"\x80\x02]p0\n]p+1\na.", -1, 1),  # a text index that is not plain digits: no index
])
def test_the_pickle_scan_refuses_memo_gaps(raw, index, size):
    from tinynet.serialize import decode

    with pytest.raises(TinynetError, match=r"^<bytes>: corrupt pickle \(it stores object %d of %d\)$"
                       % (index, size)):
        decode(raw)


def test_a_model_file_larger_than_the_cap_is_refused_unread(tmp_path, monkeypatch):
    import tinynet.serialize

    assert tinynet.serialize.MAX_FILE_BYTES == 256 << 20
    path = tmp_path / "big.json"
    path.write_text("{" + " " * 5000 + "}")
    monkeypatch.setattr(tinynet.serialize, "MAX_FILE_BYTES", 2000)
    with pytest.raises(TinynetError, match=r"big\.json: larger than the 2,000 bytes a tinynet model "
                                           r"file may be$"):
        tinynet.serialize.read(path)
