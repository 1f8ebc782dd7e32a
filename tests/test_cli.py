"""The command line: every subcommand runs, on both backends, and user
mistakes get one clear line and a non-zero exit status."""

import os

import pytest

from tinynet import cli
from tinynet import datasets, load

from conftest import run_python
from test_datasets import fake_mnist, mirrors  # noqa: F401 (mirrors is a fixture)


def run(capsys, *argv):
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def small_mnist(tmp_path):
    """A directory laid out like full MNIST, holding a slice of the sample."""
    directory = tmp_path / "mnist"
    directory.mkdir()
    for split, n in (("train", 600), ("test", 200)):
        X, y = datasets.load_sample(split)
        images, labels = datasets.FILES[split]
        datasets.save_idx(directory / images, X[:n], directory / labels, y[:n])
    return directory


def test_mnist_job_from_a_fresh_clone_with_no_install(tmp_path, backend):
    out = tmp_path / "m.pkl"
    result = run_python(
        "import sys; from tinynet.cli import main; sys.exit(main(sys.argv[1:]))",
        env={"TINYNET_DATA": str(tmp_path / "empty"), "TINYNET_BACKEND": backend})
    assert result.returncode == 2  # no command: usage error
    result = run_python(
        "import runpy, sys; sys.argv = ['tinynet', 'mnist', '--no-download', '--epochs', '1', "
        "'--layers', '784,16,10', '--out', %r]; runpy.run_module('tinynet', run_name='__main__')"
        % str(out), env={"TINYNET_DATA": str(tmp_path / "empty"), "TINYNET_BACKEND": backend})
    assert result.returncode == 0, result.stderr
    assert "data: the bundled MNIST sample (5000 train, 1000 test)" in result.stdout
    assert "test accuracy" in result.stdout and "confusion matrix" in result.stdout
    assert load(out).sizes == [784, 16, 10]


def test_mnist_uses_the_cache_when_it_holds_the_full_dataset(capsys, monkeypatch, small_mnist,
                                                              tmp_path, backend):
    monkeypatch.setenv("TINYNET_DATA", str(small_mnist))
    monkeypatch.setenv("TINYNET_MNIST_MIRRORS", "http://127.0.0.1:9/")  # never the internet
    for name in datasets.MD5:  # the cache's files pass the check as if they were MNIST's
        monkeypatch.setitem(datasets.MD5, name, datasets.mnist.content_md5(small_mnist / name))
    status, out, err = run(capsys, "mnist", "--epochs", "1", "--layers", "784,8,10", "--out",
                           tmp_path / "m.json", "--backend", backend)
    assert status == 0, err
    assert "full MNIST (600 train, 200 test) from %s, found via the cache" % small_mnist in out
    assert out.count("epoch 1/1") == 1  # one finished line per epoch in a log
    accuracy = float(out.split("test accuracy ")[1].split("%")[0])
    assert 0 <= accuracy <= 100
    assert load(tmp_path / "m.json").backend in ("numpy", "python")


def test_mnist_falls_back_to_the_sample_when_the_download_fails(capsys, monkeypatch, tmp_path,
                                                                mirrors):  # noqa: F811
    files, _ = fake_mnist()  # wrong checksums for the real dataset
    for split in ("train", "test"):
        for name, kind in zip(datasets.FILES[split], ("images", "labels")):
            files[name] = files["t10k-%s-idx%d-ubyte.gz" % (kind, 3 if kind == "images" else 1)]
    server, url = mirrors("ok", files)
    monkeypatch.setenv("TINYNET_MNIST_MIRRORS", url)
    monkeypatch.setenv("TINYNET_DATA", str(tmp_path / "cache"))
    status, out, err = run(capsys, "mnist", "--epochs", "1", "--layers", "784,8,10", "--out",
                           tmp_path / "m.pkl", "--batch-size", "500")
    assert status == 0, err
    assert "downloading MNIST" in out and "checksum mismatch" in out
    assert "bundled MNIST sample" in out and "the download failed" in out
    assert server.hits  # it really tried the (local) mirror
    assert os.listdir(tmp_path / "cache") == []  # nothing unverified was kept


def test_train_evaluate_predict_show(capsys, tmp_path, small_mnist, backend):
    model = tmp_path / "m.pkl"
    csv = tmp_path / "test.csv"
    X, y = datasets.load_sample("test")
    datasets.save_csv(csv, X[:100], y[:100])
    status, out, err = run(capsys, "train", small_mnist, "--test", csv, "--layers", "784,12,10",
                           "--epochs", "2", "--out", model, "--backend", backend)
    assert status == 0, err
    assert "epoch 2/2" in out and "test accuracy" in out
    status, out, err = run(capsys, "evaluate", model, csv, "--backend", backend)
    assert status == 0 and "test accuracy" in out and "confusion matrix" in out
    status, out, err = run(capsys, "predict", model, csv)
    assert status == 0 and len(out.split()) == 100 and set(out.split()) <= set("0123456789")
    unlabelled = tmp_path / "kaggle_test.csv"
    datasets.save_csv(unlabelled, X[:30])
    submission = tmp_path / "submission.csv"
    status, out, err = run(capsys, "predict", model, unlabelled, "--submission", submission)
    lines = submission.read_text().splitlines()
    assert status == 0 and lines[0] == "ImageId,Label" and len(lines) == 31
    assert lines[1].startswith("1,") and lines[30].startswith("30,")
    status, out, err = run(capsys, "show", model)
    assert status == 0 and "784 -> 12 -> 10" in out and "9,550" in out and "pickle" in out


def test_show_draws_a_digit(capsys, tmp_path):
    csv = tmp_path / "d.csv"
    X, y = datasets.load_sample("test")
    datasets.save_csv(csv, X[:3], y[:3])
    status, out, err = run(capsys, "show", csv, "--index", "2")
    lines = out.splitlines()
    assert status == 0 and "label 1" in lines[0]
    assert len(lines) == 29 and all(len(line) == 56 for line in lines[1:])
    assert "█" in out and lines[1].strip() == ""  # ink in the middle, blank border


def test_convert_round_trip(capsys, tmp_path, small_mnist):
    images, labels = datasets.FILES["test"]
    csv = tmp_path / "t.csv"
    status, out, err = run(capsys, "convert", small_mnist / images, small_mnist / labels, csv)
    assert status == 0, err
    status, out, err = run(capsys, "convert", csv, tmp_path / "i.idx", tmp_path / "l.idx")
    assert status == 0, err
    X, y = datasets.load_idx(tmp_path / "i.idx", tmp_path / "l.idx")
    X0, y0 = datasets.load_idx(small_mnist / images, small_mnist / labels)
    assert y == y0 and bytes(X.pixels) == bytes(X0.pixels)


def test_gradcheck_command(capsys, backend):
    status, out, err = run(capsys, "gradcheck", "--layers", "3,4,2", "--backend", backend)
    assert status == 0 and "ok" in out and "largest relative error" in out


@pytest.mark.parametrize("argv,message", [
    (["evaluate", "missing.pkl", "sample"], "missing.pkl: No such file or directory"),
    (["train", "nope.csv"], "nope.csv: No such file or directory"),
    (["train", "sample", "--layers", "784,x,10"], "--layers takes sizes like 784,128,10"),
    (["train", "sample", "--layers", "700,10"], "has 784 values; the network's input layer has 700"),
    (["show", "sample", "--index", "5000"], "--index 5000 is outside 0..999"),
])
def test_user_mistakes_get_one_line_and_status_1(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 1
    assert err.count("\n") == 1 and err.startswith("tinynet: error: ") and message in err
    assert "Traceback" not in err


def test_a_bad_model_file_is_one_line_too(capsys, tmp_path):
    (tmp_path / "bad.pkl").write_bytes(b"\x80\x04garbage")
    status, out, err = run(capsys, "evaluate", tmp_path / "bad.pkl", "sample")
    assert status == 1 and "bad.pkl: truncated" in err or "bad.pkl: corrupt" in err


@pytest.mark.parametrize("command", ["mnist", "train", "evaluate", "predict", "convert", "show",
                                     "gradcheck"])
def test_every_command_has_help_with_an_example(capsys, command):
    with pytest.raises(SystemExit) as info:
        cli.main([command, "--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and "example" in out and "usage: tinynet " + command in out


def test_bad_options_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["mnist", "--epochs", "many"])
    assert info.value.code == 2 and "invalid int value" in capsys.readouterr().err


def test_mnist_refuses_unlabelled_data_in_one_line(capsys, tmp_path):
    X, y = datasets.load_sample("test")
    datasets.save_csv(tmp_path / "train.csv", X[:50], y[:50])
    datasets.save_csv(tmp_path / "test.csv", X[50:80])  # Kaggle's test.csv: no labels
    status, out, err = run(capsys, "mnist", "--data", tmp_path / "train.csv", "--test",
                           tmp_path / "test.csv", "--out", tmp_path / "m.pkl")
    assert status == 1 and "test.csv has no labels" in err and err.count("\n") == 1
    status, out, err = run(capsys, "mnist", "--data", tmp_path / "train.csv")
    assert status == 1 and "give --test FILE" in err
