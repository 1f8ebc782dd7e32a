"""Model files: saving and loading every format, by every kind of path; models
as plain data: pickle and copy go through to_dict (never code or a backend
module), and every saved form records dropout and max-norm."""

import copy
import json
import os
import pathlib
import pickle
import pickletools

import pytest

import tinynet
from tinynet import DNN, TinynetError
from tinynet.kinds import kind_of_file

from conftest import needs_numpy

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
    for name, says in (("d.csv.gz", ": it is gzip-compressed data"),
                       ("p.png", ": it is a PNG image"), ("t.txt", "")):
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
    model = trained(backend, dropout=[0.5, 0.125])
    data = model.to_dict()
    assert data["dropout"] == [0.5, 0.125] and data["max_norm"] == 2.5
    for name in ("m.pkl", "m.json"):
        path = str(tmp_path / name)
        model.save(path)
        back = tinynet.load(path, backend=backend)
        assert back.dropout == [0.5, 0.125] and back.max_norm == 2.5
        assert outputs(back) == pytest.approx(outputs(model))
    with open(str(tmp_path / "m.json")) as f:
        assert json.load(f)["dropout"] == [0.5, 0.125]
    plain = DNN([4, 6, 3], backend=backend).to_dict()
    assert plain["dropout"] == [0.0] and plain["max_norm"] is None
    del plain["dropout"], plain["max_norm"]  # a file from before dropout loads without it
    old = DNN.from_dict(plain, backend=backend)
    assert old.dropout == [0.0] and old.max_norm is None


@pytest.mark.parametrize("field,value,message", [
    ("dropout", [0.5], "dropout has 1 rates, but sizes \\[4, 6, 5, 3\\] have 2 hidden layers"),
    ("dropout", [0.5, 1.5], "dropout must be a finite number in \\[0, 1\\)"),
    ("dropout", "half", "dropout must be"),
    ("max_norm", -1.0, "max_norm must be a finite number in \\(0, inf\\)"),
    ("max_norm", [3.0], "max_norm must be"),
])
def test_bad_dropout_or_max_norm_in_a_file_is_refused_naming_it(tmp_path, field, value,
                                                                message):
    data = trained("python").to_dict()
    data[field] = value
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(TinynetError, match="^%s: %s" % (str(path).replace("\\", "\\\\"), message)):
        tinynet.load(str(path))
