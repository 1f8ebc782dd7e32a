"""Model files: saving and loading every format, by every kind of path."""

import os
import pathlib

import pytest

import tinynet
from tinynet import DNN, TinynetError
from tinynet.kinds import kind_of_file

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
