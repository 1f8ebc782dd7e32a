"""Hardening, writing files: every writer in the package (models, CSV and IDX
from convert, submissions, pictures) goes through tinynet.files, so each
refuses what is not a regular file, never follows a planted symlink, and
leaves the previous file intact on any failure."""

import os
import stat

import pytest

import tinynet
from tinynet import DNN, TinynetError, datasets

from hardening_util import cli, leftovers, one_line_error

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file types")


def small_model():
    net = DNN([4, 3, 2], seed=0, backend="python")
    net.fit([[0, 1, 0, 1], [1, 0, 1, 0]], [0, 1], epochs=1)
    return net


def small_images():
    X, y = datasets.load_sample("test")
    return X[:20], y[:20]


def png_writer():
    try:
        from tinynet.plots import png
    except ImportError:  # before the layout
        from tinynet import png
    return lambda path: png.write_png(path, 2, 2, bytes(12))


WRITERS = {
    "model pickle": lambda path: tinynet.save(small_model(), path),
    "model json": lambda path: tinynet.save(small_model(), path, format="json"),
    "csv": lambda path: datasets.save_csv(path, *small_images()),
    "csv.gz": lambda path: datasets.save_csv(str(path) + ".gz", *small_images()),
    "idx": lambda path: datasets.save_idx(path, small_images()[0]),
    "png": lambda path: png_writer()(path),
}


def special_files(tmp_path):
    """Yield (description, path) for targets that are not regular files."""
    link = tmp_path / "devnull-link"
    link.symlink_to("/dev/null")
    yield "a symlink to /dev/null", link
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    yield "a FIFO", fifo
    folder = tmp_path / "folder"
    folder.mkdir()
    yield "a directory", folder


@posix_only
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_writer_refuses_what_is_not_a_regular_file(tmp_path, writer):
    for what, path in special_files(tmp_path):
        if writer == "csv.gz":
            os.rename(path, str(path) + ".gz")
            path = type(path)(str(path) + ".gz")
        before = os.lstat(path)
        with pytest.raises(TinynetError) as err:
            WRITERS[writer](path if writer != "csv.gz" else str(path)[:-3])
        assert str(path) in str(err.value), what
        after = os.lstat(path)
        assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode), what
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_writer_leaves_the_previous_file_when_the_disk_fails(tmp_path, monkeypatch,
                                                                    writer):
    path = tmp_path / "out"
    real = path if writer != "csv.gz" else tmp_path / "out.gz"
    real.write_bytes(b"previous")

    def broken(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError) as err:
        WRITERS[writer](path)
    assert err.value.filename == str(real)  # the user's path, never the temporary file
    monkeypatch.undo()
    assert real.read_bytes() == b"previous"
    assert leftovers(tmp_path) == []


def test_a_csv_write_failing_half_way_leaves_the_previous_file(tmp_path):
    X, y = small_images()
    y = list(y)
    y[10] = "not a label"  # save_csv fails at row 10, after writing rows 0-9
    path = tmp_path / "out.csv"
    path.write_bytes(b"previous")
    with pytest.raises((TypeError, ValueError)):
        datasets.save_csv(path, X, y)
    assert path.read_bytes() == b"previous"
    assert leftovers(tmp_path) == []


@posix_only
def test_writers_never_change_the_umask(tmp_path, monkeypatch):
    def forbidden(*args):
        raise AssertionError("os.umask changes every thread's file modes")

    monkeypatch.setattr(os, "umask", forbidden)
    for name, write in sorted(WRITERS.items()):
        write(tmp_path / ("new-" + name.replace(" ", "-")))


@posix_only
def test_a_saved_model_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "m.pkl"
    path.write_bytes(b"old")
    path.chmod(0o600)
    tinynet.save(small_model(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tinynet.load(path).sizes == [4, 3, 2]


# === The command line ===


@posix_only
def test_submission_never_follows_a_symlink_planted_beside_it(tmp_path):
    model = tmp_path / "m.pkl"
    tinynet.save(DNN([784, 4, 10], seed=0, backend="python"), model)
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    for name in ("sub.csv.tmp", ".sub.csv.tmp", "sub.csv.part"):  # the names a writer might guess
        (tmp_path / name).symlink_to(victim)
    result = cli("predict", model, "sample", "--submission", tmp_path / "sub.csv")
    assert result.returncode == 0, result.stderr
    assert victim.read_bytes() == b"precious"
    assert (tmp_path / "sub.csv").read_text().startswith("ImageId,Label\n")


@posix_only
def test_submission_to_a_device_is_refused_in_one_line(tmp_path):
    model = tmp_path / "m.pkl"
    tinynet.save(DNN([784, 4, 10], seed=0, backend="python"), model)
    link = tmp_path / "null"
    link.symlink_to("/dev/null")
    one_line_error(cli("predict", model, "sample", "--submission", link), link)
    assert os.path.islink(link)


def test_convert_failing_leaves_the_previous_file(tmp_path):
    dest = tmp_path / "out.csv"
    dest.write_bytes(b"previous")
    # an IDX source whose labels file does not match: convert fails after opening dest
    images, labels = tmp_path / "im.idx", tmp_path / "lb.idx"
    datasets.save_idx(images, small_images()[0], labels, small_images()[1])
    labels.write_bytes(labels.read_bytes()[:-3])
    result = cli("convert", images, labels, dest)
    one_line_error(result, labels)
    assert dest.read_bytes() == b"previous"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", [
    ["train", "sample", "--epochs", "1", "--layers", "784,4,10"],
    ["mnist", "--data", "sample", "--epochs", "1", "--layers", "784,4,10"]])
@pytest.mark.parametrize("where", ["missing-dir", "directory", "fifo"])
def test_out_is_checked_before_training(tmp_path, command, where):
    out = {"missing-dir": tmp_path / "no" / "m.pkl", "directory": tmp_path,
           "fifo": tmp_path / "fifo"}[where]
    if where == "fifo":
        if os.name != "posix":
            pytest.skip("POSIX FIFO")
        os.mkfifo(out)
    result = cli(*command, "--out", out)
    one_line_error(result, out)
    assert "epoch" not in result.stdout.lower()  # refused before any training
