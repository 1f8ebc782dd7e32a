"""Saving and loading: round trips, a hostile-file corpus, bad files, atomic saves."""

import json
import os
import pickle
import pickletools
import signal
import subprocess
import sys

import pytest

import tinynet
import tinynet.serialize
from tinynet import DNN, TinynetError, load

from conftest import INSTALLED, ROOT, needs_numpy

X = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.25], [0.3, 0.3, 0.3], [0.9, 0.1, 0.0]]
Y = [0, 1, 1, 0]


def trained(backend, **kwargs):
    net = DNN([3, 5, 2], seed=4, backend=backend, **kwargs)
    net.fit(X, Y, epochs=3, batch_size=2)
    return net


@pytest.mark.parametrize("name", ["model.pkl", "model.json", "model.tinynet"])
def test_round_trip_gives_identical_predictions(backend, tmp_path, name):
    net = trained(backend, optimizer="adam")
    path = tmp_path / name
    net.save(path)
    for target in INSTALLED:
        loaded = load(path, backend=target)
        assert loaded.backend == target
        assert loaded.get_params() == net.get_params()  # exact: floats round-trip
        assert [list(r) for r in loaded.predict(X)] == [list(r) for r in net.predict(X)]
        assert (loaded.sizes, loaded.activation.name, loaded.optimizer.name, loaded.learning_rate) == \
            (net.sizes, net.activation.name, "adam", net.learning_rate)


def test_format_is_recognised_from_content_not_extension(tmp_path):
    net = trained("python")
    json_path, pickle_path = tmp_path / "a.bin", tmp_path / "b.json.bak"
    tinynet.save(net, json_path, format="json")
    tinynet.save(net, pickle_path)
    assert json_path.read_bytes()[:1] == b"{"
    assert pickle_path.read_bytes()[:1] == b"\x80"
    assert load(json_path).get_params() == load(pickle_path).get_params() == net.get_params()


def test_the_saved_payload_is_plain_data(tmp_path):
    net = trained("python", optimizer="momentum")
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
    net.fit(X, Y, epochs=3, batch_size=3)
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
    for x, y in zip(X, Y):
        loss = a.train(x, y)
        assert b.train(x, y) == loss
        bare.train(x, y)
    assert a.get_params() == b.get_params()
    # Without its state a model resumes differently, except plain SGD, which has none.
    assert (bare.get_params() == a.get_params()) == (optimizer == "sgd")


def test_optimizer_state_can_be_left_out(tmp_path):
    net = trained("python", optimizer="adam")
    tinynet.save(net, tmp_path / "small.json", optimizer_state=False)
    tinynet.save(net, tmp_path / "full.json")
    small = json.loads((tmp_path / "small.json").read_text())
    full = json.loads((tmp_path / "full.json").read_text())
    assert "state" not in small["optimizer"] and len(full["optimizer"]["state"]["moments"]) == 2
    assert load(tmp_path / "small.json").get_params() == net.get_params()


@needs_numpy
def test_float32_models_keep_their_dtype_with_numpy(tmp_path):
    net = trained("numpy", dtype="float32")
    net.save(tmp_path / "m.pkl")
    assert load(tmp_path / "m.pkl", backend="numpy").weights[0].data.dtype.name == "float32"
    assert load(tmp_path / "m.pkl", backend="python").classify(X) == net.classify(X)


# === A hostile-file corpus: none may run anything ===


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


# === Every bad file gets one clear error naming the file ===


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


def test_saving_refuses_non_finite_weights_and_unknown_formats(tmp_path):
    net = DNN([2, 2], backend="python")
    with pytest.raises(ValueError, match="format must be"):
        net.save(tmp_path / "m", format="yaml")
    net.weights[0] = net.weights[0] * float("nan")
    with pytest.raises(TinynetError, match="not all finite"):
        net.save(tmp_path / "m.pkl")
    assert os.listdir(tmp_path) == []


# === Atomic saves ===


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
