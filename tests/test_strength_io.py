"""files.py's helpers, one by one, including the forms MicroPython gives
(issue 12, the tests' own strength)."""

import errno
import os

import pytest

from tinynet import TinynetError, files


@pytest.mark.parametrize("mode, kind", [
    (0o100644, None), (0o040755, "a directory"), (0o020666, "a character device"),
    (0o060660, "a block device"), (0o010644, "a FIFO (named pipe)"), (0o140755, "a socket"),
    (0o120777, "a symbolic link"), (0o000644, "not a regular file")])
def test_every_kind_of_file_is_named(mode, kind):
    for st in (os.stat_result((mode,) + (0,) * 9), (mode,) + (0,) * 9):  # CPython, MicroPython
        if kind is None:
            files._refuse_special("p", st, "write over")
        else:
            with pytest.raises(TinynetError, match="^p: refusing to write over %s; give the path "
                               "of a regular file$" % kind.replace("(", r"\(").replace(")", r"\)")):
                files._refuse_special("p", st, "write over")


def test_stat_says_none_only_for_a_missing_file(tmp_path, monkeypatch):
    assert files._stat(tmp_path / "missing") is None
    assert files._stat(tmp_path).st_mode & 0o170000 == 0o040000

    def micropython_stat(path):  # MicroPython: OSError(2) with no errno attribute set
        raise OSError(2)

    monkeypatch.setattr(os, "stat", micropython_stat)
    assert files._stat("x") is None

    def denied(path):
        raise PermissionError(errno.EACCES, "denied")

    monkeypatch.setattr(os, "stat", denied)
    with pytest.raises(PermissionError):
        files._stat("x")


def test_errors_are_retold_about_the_users_path():
    err = files._renamed(FileNotFoundError(errno.ENOENT, "No such file", "/d/.m.json.1234.tmp"), "m.json")
    assert type(err) is FileNotFoundError and err.filename == "m.json"
    assert err.errno == errno.ENOENT and err.strerror == "No such file"
    bare = OSError("no errno")
    assert files._renamed(bare, "m.json") is bare
    other = ValueError("x")
    assert files._renamed(other, "m.json") is other
    quiet = files._renamed(OSError(errno.EIO, ""), "m.json")
    assert quiet.strerror and quiet.filename == "m.json"


def test_temporary_names_and_splitting():
    assert files._split("model.json") == (".", "model.json")
    assert files._split(b"model.json") == (b".", b"model.json")
    assert files._split("/a/b/model.json") == ("/a/b", "model.json")
    from tinynet.tempfiles import NAME_MAX, temp_name

    name = temp_name("/a", "m.json")
    tail = ".tinynet-%d-" % os.getpid()
    assert name.startswith("/a/.m.json" + tail) and name.endswith(".tmp")
    assert len(name) == len("/a/.m.json" + tail) + 16 + 4
    assert temp_name("/a", "m.json") != name
    long = temp_name(".", "x" * 300)  # cut to fit the 255 bytes of a name
    assert len(long) == len("./") + NAME_MAX and long.startswith("./." + "x" * 200)
    assert temp_name(b"/a", b"m").startswith(b"/a/.m" + tail.encode())
    assert files.fspath(__import__("pathlib").Path("a/b")) == "a/b"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_what_is_not_a_regular_file_is_refused_by_name(tmp_path):
    import tinynet

    net = tinynet.DNN([2, 2], seed=0, backend="python")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    tail = "; give the path of a regular file$"
    with pytest.raises(TinynetError, match=r"pipe: refusing to write over a FIFO \(named pipe\)" + tail):
        net.save(fifo)
    with pytest.raises(TinynetError, match=r"pipe: refusing to read a FIFO \(named pipe\)" + tail):
        tinynet.load(fifo)
    with pytest.raises(TinynetError, match=r"%s: refusing to read a directory" % tmp_path.name + tail):
        tinynet.load(tmp_path)
    with pytest.raises(TinynetError, match=r"%s: refusing to write over a directory" % tmp_path.name + tail):
        net.save(tmp_path)
