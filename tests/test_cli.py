"""The command line: every subcommand runs, on both backends, and user
mistakes get one clear line and a non-zero exit status."""

import os

import pytest

from tinynet import DNN, cli, summary
from tinynet import datasets, load
from tinynet.cli import main

from conftest import run_python
from hardening_util import cli as cli_process, one_line_error
from test_datasets_downloads import fake_mnist, mirrors, silent  # noqa: F401 (fixtures)


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
    # nothing unverified was kept: only the note that the download failed
    assert os.listdir(tmp_path / "cache") == [".download-failed"]


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
    (["train", "sample", "--layers", "700,10"], "the input layer has 700 units, but sample has "
     "784 values per image; start with 784"),
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


def _subparsers():
    parser = cli.build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices


def test_every_option_with_choices_says_its_default():
    """The class of --weights's help, which listed float32 and int8 but never
    said which one a call without it gets."""
    for name, sub in _subparsers().items():
        for action in sub._actions:
            if action.choices and action.option_strings and action.default is not None:
                text = action.help % {"default": action.default}
                assert "default: %s" % action.default in text, (name, action.option_strings)


def test_plot_help_promises_only_the_pictures_the_command_draws(tmp_path, capsys):
    """evaluate trains nothing, so its --plot draws no training curves; mnist
    and train draw them."""
    helps = {name: " ".join(next(a.help for a in sub._actions if a.dest == "plot").split())
             for name, sub in _subparsers().items() if any(a.dest == "plot" for a in sub._actions)}
    assert set(helps) == {"mnist", "train", "evaluate"}
    assert "curves" not in helps["evaluate"] and "confusion matrix" in helps["evaluate"]
    assert all("training curves" in helps[name] for name in ("mnist", "train"))
    model = tmp_path / "m.pkl"
    DNN([784, 4, 10], seed=0).save(model)
    status, out, err = run(capsys, "evaluate", model, "sample", "--plot", tmp_path / "pics", "-q")
    assert status == 0 and not [n for n in os.listdir(tmp_path / "pics") if "curves" in n]


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


# === Everything is checked before any work: a refused call changes nothing ===


def snapshot(folder):
    """Every path under ``folder`` with its content (None for a directory)."""
    found = {}
    for top, dirs, files in os.walk(folder):
        for name in dirs:
            found[os.path.relpath(os.path.join(top, name), folder)] = None
        for name in files:
            path = os.path.join(top, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, folder)] = f.read()
    return found


@pytest.fixture
def no_work(monkeypatch):
    """Make every download, load and training step fail the test if reached."""
    import tinynet
    from tinynet.cli import commands, data

    def forbidden(*args, **kwargs):
        raise AssertionError("the work started before the mistake was found")

    for module, name in ((datasets, "load_mnist"), (datasets, "load_sample"), (datasets, "fetch"),
                         (datasets, "load_csv"), (datasets, "load_idx"), (data, "full_mnist"),
                         (commands, "load_data"), (commands, "full_mnist"),
                         (tinynet.DNN, "fit"), (tinynet.DNN, "train")):
        monkeypatch.setattr(module, name, forbidden)


@pytest.fixture
def files(tmp_path):
    """A folder with a model, labelled and unlabelled CSVs, a previous
    model file and a file where a directory is wanted."""
    from tinynet import DNN

    X, y = datasets.load_sample("test")
    datasets.save_csv(tmp_path / "labelled.csv", X[:20], y[:20])
    datasets.save_csv(tmp_path / "unlabelled.csv", X[:20])
    DNN([784, 4, 10], seed=0).save(str(tmp_path / "model.pkl"))
    (tmp_path / "previous.pkl").write_bytes(b"the previous model")
    (tmp_path / "a-file").write_bytes(b"not a directory")
    (tmp_path / "empty.csv").write_bytes(b"")
    from tinynet import plots

    plots.digits(X[:1]).save(str(tmp_path / "digit.png"))
    return tmp_path


BEFORE_ANY_WORK = [  # (argv, exit status, what the error says); {} is the folder of `files`
    (["mnist", "--layers", "784,abc,10"], 2, "argument --layers: takes sizes like 784,128,10"),
    (["mnist", "--layers", "784"], 2, "takes two or more sizes"),
    (["mnist", "--layers", "784,128,9"], 1, "the output layer has 9 units, too few for the 10 "
     "classes of MNIST (the digits 0-9); end with 10"),
    (["mnist", "--layers", "700,128,10"], 1, "the input layer has 700 units, but MNIST (28x28 "
     "pixels) has 784 values per image"),
    (["mnist", "--plot", "{}/a-file"], 1, "--plot {}/a-file: not a directory"),
    (["mnist", "--plot", "{}/a/b/c"], 1, "--plot {}/a/b/c: the folder {}/a/b does not exist "
     "(tinynet creates the last folder of the path only)"),
    (["mnist", "--plot", "{}/a-file/pics"], 1, "--plot {}/a-file/pics: {}/a-file is a file, not a "
     "folder (tinynet creates"),
    (["mnist", "--out", "{}/no/m.pkl"], 1, "--out {}/no/m.pkl: the folder {}/no does not exist"),
    (["mnist", "--out", "{}"], 1, "{}: refusing to write over a directory"),
    (["mnist", "--data", "sample", "--download"], 1, "--download and --no-download are for the "
     "full MNIST"),
    (["mnist", "--no-download", "--download"], 2, "not allowed with argument"),
    (["mnist", "--test", "{}/labelled.csv"], 1, "--test goes with --data"),
    (["mnist", "--data", "{}/labelled.csv"], 1, "give --test FILE"),
    (["mnist", "--data", "{}/unlabelled.csv", "--test", "{}/labelled.csv"], 1,
     "--data {}/unlabelled.csv has no labels"),
    (["mnist", "--data", "{}/labelled.csv", "--test", "{}/unlabelled.csv"], 1,
     "--test {}/unlabelled.csv has no labels"),
    (["mnist", "--data", "{}/model.pkl"], 1, "--data {}/model.pkl is a saved model, not data"),
    (["mnist", "--data", "{}/digit.png", "--test", "{}/labelled.csv"], 1,
     "--data {}/digit.png holds a PNG image, not data (a CSV file, IDX images"),
    (["train", "{}/digit.png"], 1, "{}/digit.png holds a PNG image, not data"),
    (["evaluate", "{}/model.pkl", "{}/digit.png"], 1, "{}/digit.png holds a PNG image"),
    (["show", "{}/empty.csv"], 1, "{}/empty.csv holds nothing (empty), not data"),
    (["mnist", "--data", "{}/mnist_train.csv", "--test", "{}/labelled.csv"], 1,
     "No such file or directory. MNIST as CSV"),
    (["mnist", "--dtype", "float32", "--backend", "python"], 1, "float32"),
    (["mnist", "--learning-rate", "0"], 2, "is not a finite number > 0"),
    (["mnist", "--learning-rate", "nan"], 2, "is not a finite number > 0"),
    (["train", "{}/labelled.csv", "--plot", "{}/pics"], 1, "--plot needs --test"),
    (["train", "{}/unlabelled.csv"], 1, "{}/unlabelled.csv has no labels to train on"),
    (["train", "sample", "--labels", "{}/labelled.csv"], 1, "--labels goes with IDX images"),
    (["train", "sample", "--test", "{}/model.pkl"], 1, "--test {}/model.pkl is a saved model"),
    (["train", "sample", "--layers", "10,10"], 1, "the input layer has 10 units, but sample has "
     "784 values per image"),
    (["train", "sample", "--out", "{}/a-file/m.pkl"], 1, "--out {}/a-file/m.pkl: {}/a-file is a "
     "file, not a folder"),
    (["predict", "{}/model.pkl", "sample", "--submission", "{}/no/s.csv"], 1,
     "--submission {}/no/s.csv: the folder {}/no does not exist"),
    (["convert", "{}/labelled.csv", "{}/no/x.csv"], 1, "convert {}/no/x.csv: the folder {}/no "
     "does not exist"),
    (["evaluate", "{}/labelled.csv", "{}/model.pkl"], 1, "the first argument is data, the second "
     "a model: did you swap them? (tinynet evaluate MODEL DATA)"),
    (["predict", "sample", "{}/model.pkl"], 1, "did you swap them? (tinynet predict MODEL DATA)"),
    (["evaluate", "{}/model.pkl", "{}/unlabelled.csv"], 1, "has no labels to evaluate against"),
    (["evaluate", "{}/model.pkl", "sample", "--plot", "{}/a-file"], 1, "not a directory"),
    (["predict", "{}/model.pkl", "sample", "--submission", "{}"], 1, "refusing to write over "
     "a directory"),
    (["convert", "{}/labelled.csv", "{}/images.idx"], 1, "give a labels file"),
    (["convert", "{}/model.pkl", "{}/x.csv"], 1, "is a saved model, not data"),
    (["gradcheck", "--layers", "4,0,3"], 2, "takes two or more sizes of 1 or more"),
    (["mnist", "--dropout", "1.5"], 1, "dropout must be a finite number in [0, 1)"),
    (["mnist", "--dropout", "half"], 2, "argument --dropout: takes a rate like 0.5"),
    (["mnist", "--dropout", "0.2,0.5", "--layers", "784,64,10"], 1, "dropout has 2 rates, but "
     "sizes [784, 64, 10] have 1 hidden layer "),
    (["train", "sample", "--dropout", "0.5", "--layers", "784,10"], 1, "no hidden layer"),
    (["mnist", "--max-norm", "0"], 2, "argument --max-norm: '0' is not a finite number > 0"),
    (["mnist", "--patience", "-1"], 2, "argument --patience: -1 is less than 0"),
    (["mnist", "--input-dropout", "1"], 1, "input_dropout must be a finite number in [0, 1)"),
]


@pytest.mark.parametrize("argv,status,message", BEFORE_ANY_WORK,
                         ids=[" ".join(case[0]) for case in BEFORE_ANY_WORK])
def test_mistakes_are_refused_before_any_work_and_change_nothing(capsys, files, no_work, argv,
                                                                  status, message, monkeypatch):
    monkeypatch.setenv("TINYNET_DATA", str(files / "cache"))  # not created by a refused call
    argv = [a.replace("{}", str(files)) for a in argv] + ["--out" if argv[0] in (
        "mnist", "train") and "--out" not in argv else None]
    argv = [a for a in argv if a is not None]
    if argv[-1] == "--out":
        argv.append(str(files / "previous.pkl"))
    before = snapshot(files)
    if status == 2:
        with pytest.raises(SystemExit) as info:
            cli.main(argv)
        assert info.value.code == 2
        err = capsys.readouterr().err
    else:
        got, out, err = run(capsys, *argv)
        assert got == 1 and out == ""
    assert message.replace("{}", str(files)) in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert snapshot(files) == before  # no model written, no folder made, no cache created


def test_a_label_past_the_output_layer_is_refused_before_training(capsys, tmp_path, monkeypatch):
    import tinynet

    monkeypatch.setattr(tinynet.DNN, "fit", lambda *a, **k: pytest.fail("training started"))
    status, out, err = run(capsys, "train", "sample", "--layers", "784,8,9", "--out",
                           tmp_path / "m.pkl")
    assert status == 1 and "the output layer has 9 units, too few for the 10 classes" in err
    assert not (tmp_path / "m.pkl").exists()


def test_numpy_asked_for_without_numpy_is_refused_first_with_what_to_install(tmp_path):
    result = run_python(
        "import sys; sys.modules['numpy'] = None\n"
        "from tinynet.cli import main\n"
        "sys.exit(main(['mnist', '--backend', 'numpy', '--out', %r]))" % str(tmp_path / "m.pkl"),
        env={"TINYNET_DATA": str(tmp_path / "cache"), "TINYNET_MNIST_MIRRORS": "http://127.0.0.1:9/"})
    assert result.returncode == 1 and result.stdout == ""
    assert "pip install numpy" in result.stderr and "tinynet[" not in result.stderr
    assert os.listdir(tmp_path) == []  # nothing downloaded, nothing written


def test_plot_creates_one_new_folder_level(capsys, tmp_path):
    status, out, err = run(capsys, "mnist", "--data", "sample", "--epochs", "0", "--layers",
                           "784,4,10", "--out", tmp_path / "m.pkl", "--plot", tmp_path / "new")
    assert status == 0, err
    assert sorted(os.listdir(tmp_path / "new")) == ["confusion.svg", "misclassified.png",
                                                   "weights.png"]  # no curves for 0 epochs


# === Defaults: one set for mnist and train, all in --help ===


def value_options(parser):
    """Each subcommand's options that take a value, with their help."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                for option in sub._actions:
                    if option.option_strings and option.nargs != 0 \
                            and option.help != argparse.SUPPRESS:
                        yield name, option


def test_every_option_that_takes_a_value_states_its_default(capsys):
    parser = cli.build_parser()
    checked = 0
    for command, option in value_options(parser):
        assert "default" in (option.help or ""), (command, option.option_strings)
        checked += 1
    assert checked > 30
    commands = [name for name, _ in value_options(parser)]
    assert {"mnist", "train", "board", "gradcheck"} <= set(commands)
    for command in sorted(set(commands)):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        out = capsys.readouterr().out
        assert "None" not in out, command


def test_mnist_and_train_share_one_set_of_defaults(capsys, tmp_path, backend):
    lines = {}
    for command in (["mnist", "--data", "sample"], ["train", "sample", "--test", "sample"]):
        out_path = tmp_path / (command[0] + ".pkl")
        status, out, err = run(capsys, *command, "--epochs", "0", "--out", out_path,
                               "--backend", backend)
        assert status == 0, err
        lines[command[0]] = [line for line in out.splitlines()
                             if line.startswith(("model:", "training:"))]
    assert lines["mnist"] == lines["train"] and len(lines["mnist"]) == 2
    assert "momentum, learning rate 0.1 annealed to 0 along a cosine, l2 0.0002" in \
        lines["mnist"][1]
    assert "batches of %d" % {"numpy": 128, "python": 32}[backend] in lines["mnist"][1]
    hidden = {"numpy": 1250, "python": 64}[backend]
    a, b = load(tmp_path / "mnist.pkl"), load(tmp_path / "train.pkl")
    assert a.sizes == b.sizes == [784, hidden, 10]
    assert a.get_params()["weights"][0][:3] == b.get_params()["weights"][0][:3]  # same start


def test_one_epoch_is_said_in_the_singular(capsys, tmp_path):
    status, out, err = run(capsys, "mnist", "--data", "sample", "--epochs", "1", "--layers",
                           "784,4,10", "--out", tmp_path / "m.pkl", "--batch-size", "500")
    assert status == 0 and "training: 1 epoch, " in out and "1 epochs" not in out


def test_one_image_is_said_in_the_singular(capsys, tmp_path):
    X, y = datasets.load_sample("test")
    datasets.save_csv(tmp_path / "one.csv", X[:1], y[:1])
    datasets.save_idx(tmp_path / "two-images.idx", X[:2], tmp_path / "two-labels.idx", y[:2])
    DNN([784, 4, 10], seed=0).save(str(tmp_path / "m.pkl"))
    status, out, err = run(capsys, "evaluate", tmp_path / "m.pkl", tmp_path / "one.csv")
    assert status == 0 and "data: %s (1 image)\n" % (tmp_path / "one.csv") in out, err
    status, out, err = run(capsys, "convert", tmp_path / "one.csv", tmp_path / "one.idx",
                           tmp_path / "one-labels.idx")
    assert status == 0 and "converted %s (1 image) -> " % (tmp_path / "one.csv") in out, err
    status, out, err = run(capsys, "evaluate", tmp_path / "m.pkl", tmp_path / "two-images.idx",
                           "--labels", tmp_path / "two-labels.idx")
    assert status == 0 and "(2 images)\n" in out and "1 images" not in out, err


# === Quiet means no progress, not no result; a closed pipe ends quietly ===


def test_quiet_prints_the_result_only(capsys, tmp_path):
    model = tmp_path / "m.pkl"
    status, out, err = run(capsys, "mnist", "--data", "sample", "--epochs", "1", "--layers",
                           "784,4,10", "--out", model, "--batch-size", "500", "-q")
    assert status == 0 and err == ""
    assert out.startswith("test accuracy ") and out.count("\n") == 1
    status, out, err = run(capsys, "evaluate", model, "sample", "-q")
    assert status == 0 and out.startswith("test accuracy ") and out.count("\n") == 1
    status, out, err = run(capsys, "evaluate", model, "sample")
    assert "confusion matrix" in out and "data: " in out  # commentary without -q


@pytest.mark.parametrize("argv", [["--help"], ["mnist", "--help"], ["show", "sample"],
                                  ["predict", "MODEL", "sample"]])
def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path, argv):
    import subprocess
    import sys

    from tinynet import DNN

    DNN([784, 4, 10], seed=0).save(str(tmp_path / "m.pkl"))
    argv = [str(tmp_path / "m.pkl") if a == "MODEL" else a for a in argv]
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(__file__)))
    child = subprocess.Popen([sys.executable, "-m", "tinynet"] + argv, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
    child.stdout.close()  # like `| head` done before the command writes
    err = child.stderr.read()
    child.stderr.close()
    assert child.wait(timeout=120) == 1  # Python's status for a broken pipe
    assert err == b""  # no traceback, no "Broken pipe"


def test_show_reads_every_kind_of_model_file(capsys, tmp_path):
    from tinynet import DNN, save

    model = DNN([784, 4, 10], seed=0)
    for name in ("m.pkl", "m.json", "m.tnb"):
        save(model, str(tmp_path / name))
        status, out, err = run(capsys, "show", tmp_path / name)
        assert status == 0 and "784 -> 4 -> 10" in out, err
        assert {"m.pkl": "pickle", "m.json": "JSON", "m.tnb": "compact"}[name] in out


# === show and the data arguments tell files by their content ===


def test_show_summarises_a_compact_model_and_data_commands_refuse_models(capsys, tmp_path):
    import tinynet

    net = tinynet.DNN([784, 12, 10], seed=0, backend="python")
    for weights in ("float32", "int8"):
        path = tmp_path / ("m-%s.tnb" % weights)
        tinynet.save(net, path, format=weights)
        status, out, err = run(capsys, "show", path)
        assert status == 0, err
        assert "(compact, for boards, %s bytes)" % format(path.stat().st_size, ",") in out
        assert "784 -> 12 -> 10" in out and "9,550" in out
    net.save(tmp_path / "m.json")
    for model in ("m-int8.tnb", "m.json"):
        for argv in (["train", tmp_path / model, "--out", tmp_path / "x.pkl"],
                     ["evaluate", tmp_path / "m.json", tmp_path / model]):
            status, out, err = run(capsys, *argv)
            assert status == 1 and "%s is a saved model, not data" % (tmp_path / model) in err


# === The mnist job falls back to the sample when the cache cannot be used ===


def mnist_job(tmp_path, env):
    import subprocess
    import sys

    full = {k: v for k, v in os.environ.items()
            if k not in ("TINYNET_DATA", "XDG_CACHE_HOME", "HOME")}
    full.update(PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                TINYNET_BACKEND="python", TINYNET_MNIST_MIRRORS="http://127.0.0.1:9/")
    full.update(env)
    return subprocess.run([sys.executable, "-m", "tinynet", "mnist", "--epochs", "0", "--layers",
                           "784,4,10", "--out", str(tmp_path / "m.pkl")], env=full,
                          capture_output=True, text=True, timeout=300, cwd=str(tmp_path))


@pytest.mark.parametrize("where", ["a file", "a symlink loop", "an unwritable place",
                                   "a home that does not exist"])
def test_mnist_falls_back_to_the_sample_when_the_cache_cannot_be_used(tmp_path, where):
    env = {"HOME": str(tmp_path / "home")}
    if where == "a file":
        (tmp_path / "file").write_bytes(b"x")
        env["TINYNET_DATA"] = str(tmp_path / "file")
    elif where == "a symlink loop":
        (tmp_path / "loop").symlink_to(tmp_path / "loop")
        env["TINYNET_DATA"] = str(tmp_path / "loop")
    elif where == "an unwritable place":
        if not os.path.isdir("/proc/self"):
            pytest.skip("no /proc here")
        env["TINYNET_DATA"] = "/proc/self/tinynet"  # not writable, even by root
    else:
        env["HOME"] = str(tmp_path / "nobody")
    before = sorted(os.listdir(tmp_path))
    result = mnist_job(tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert "no MNIST cache: " in result.stdout  # says why
    assert "data: the bundled MNIST sample (5000 train, 1000 test): the cache cannot be used" \
        in result.stdout
    assert sorted(os.listdir(tmp_path)) == sorted(before + ["m.pkl"])  # no home, no cache made


def test_file_names_reach_the_terminal_escaped(capsys, tmp_path):
    name = tmp_path / "evil\x1b[2J\nname\u202e.csv"
    status, out, err = run(capsys, "show", name)  # missing: one error line
    assert status == 1 and err.count("\n") == 1 and "\x1b" not in err and "\u202e" not in err
    assert "evil\\x1b[2J\\nname\\u202e.csv" in err
    X, y = datasets.load_sample("test")
    datasets.save_csv(name, X[:2], y[:2])
    model = tmp_path / "m.pkl"
    for argv in (["show", name],
                 ["train", name, "--epochs", "0", "--layers", "784,2,10", "--out", model],
                 ["predict", "--submission", name.with_suffix(".out"), model, name]):
        status, out, err = run(capsys, *argv)
        assert status == 0, err
        assert "\x1b" not in out + err and "\u202e" not in out + err
        assert "evil\\x1b[2J\\nname" in out


def test_offline_the_first_run_waits_seconds_and_later_runs_not_at_all(capsys, monkeypatch,
                                                                       tmp_path, silent, mirrors):
    from tinynet.datasets import download

    monkeypatch.setattr(download, "CONNECT_TIMEOUT", 1)
    monkeypatch.setenv("TINYNET_DATA", str(tmp_path / "cache"))
    dropped = silent("dropped")
    monkeypatch.setenv("TINYNET_MNIST_MIRRORS", dropped)
    argv = ["mnist", "--epochs", "0", "--layers", "784,4,10", "--out", tmp_path / "m.pkl"]
    status, out, err = run(capsys, *argv)
    host = dropped.split("/")[2]
    assert status == 0, err
    assert "connecting to %s (giving up after 1 s) ..." % host in out  # shown while it waits
    assert ("download failed: could not download train-images-idx3-ubyte.gz from its mirror: "
            "%strain-images-idx3-ubyte.gz: no answer within 1 s" % dropped) in out
    assert "remembered for 1 hour" in out and "--download tries at once" in out
    assert "data: the bundled MNIST sample (5000 train, 1000 test): the download failed" in out
    # The next run asks no one: a server that counts its visitors sees none.
    server, url = mirrors("404", {})
    monkeypatch.setenv("TINYNET_MNIST_MIRRORS", url)
    status, out, err = run(capsys, *argv)
    assert status == 0 and server.hits == [] and "connecting" not in out
    assert "not downloading MNIST: a download failed " in out and "now with --download" in out
    assert "the bundled MNIST sample (5000 train, 1000 test): a download failed" in out
    # --download asks again at once
    status, out, err = run(capsys, *argv, "--download")
    assert status == 0 and server.hits and "HTTP Error 404" in out
    status, out, err = run(capsys, *argv, "--no-download")
    assert status == 0 and "no download (--no-download)" in out


@pytest.mark.parametrize("name", ["python-plain", "numpy-plain"])
def test_the_plain_backends_train_by_their_family_recipe(capsys, tmp_path, name):
    from tinynet.backends import numpy_available

    if name.startswith("numpy") and not numpy_available():
        pytest.skip("NumPy is not installed")
    status, out, err = run(capsys, "mnist", "--data", "sample", "--epochs", "0", "--backend",
                           name, "--out", tmp_path / "m.pkl")
    assert status == 0, err
    assert "batches of %d" % (128 if name.startswith("numpy") else 32) in out


# === docs/cli.md, the full reference ===

DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "cli.md")


def doc_sections():
    with open(DOCS, encoding="utf-8") as f:
        text = f.read()
    sections = {}
    for part in text.split("\n## ")[1:]:
        title, _, body = part.partition("\n")
        for name in title.replace(" and ", " ").split():
            sections[name] = body
    return text, sections


def test_the_reference_documents_every_command_and_option():
    import argparse

    text, sections = doc_sections()
    for action in cli.build_parser()._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for command, sub in action.choices.items():
            assert command in sections, "docs/cli.md has no section for %s" % command
            for option in sub._actions:
                names = [n for n in option.option_strings if n.startswith("--")]
                if not names or names[0] in ("--help", "--backend", "--quiet") \
                        or option.help == argparse.SUPPRESS:
                    continue
                assert "`%s" % names[0] in sections[command], (command, names[0])


def test_the_reference_examples_are_command_lines_tinynet_accepts():
    import shlex

    text, _ = doc_sections()
    blocks = text.split("```sh\n")[1:]
    parser = cli.build_parser()
    checked = 0
    for block in blocks:
        for line in block.split("```")[0].splitlines():
            line = line.split(" | ")[0]
            words = shlex.split(line, comments=True)
            if words[:3] != ["python", "-m", "tinynet"] or "[" in line:
                continue  # a synopsis, not an example
            parser.parse_args(words[3:])  # exits (fails the test) if tinynet would refuse it
            checked += 1
    assert checked >= 15

# === Dropout, max-norm, early stopping and regression from the command line ===


def test_dropout_max_norm_and_patience_train_and_are_saved(capsys, tmp_path, backend):
    model_path = tmp_path / "m.json"
    status, out, err = run(capsys, "mnist", "--data", "sample", "--epochs", "6", "--layers",
                           "784,16,16,10", "--dropout", "0.5,0.25", "--max-norm", "2",
                           "--input-dropout", "0.1",
                           "--patience", "1", "--learning-rate", "0.5", "--schedule",
                           "constant", "--batch-size", "100", "--out", model_path,
                           "--backend", backend)
    assert status == 0, err
    assert ", input dropout 0.1, dropout 0.5,0.25, max-norm 2, early stopping after 1 epoch " \
        "without improvement " \
        "on the last 10% of the training data" in out
    epochs = [line for line in out.splitlines() if line.startswith("epoch ")]
    assert epochs and all("  val loss " in line and "test" not in line for line in epochs)
    assert "test accuracy" in out  # the test set is scored once, at the end
    model = load(model_path)
    assert model.dropout == [0.5, 0.25] and model.max_norm == 2.0 and model.input_dropout == 0.1
    if len(epochs) < 6:
        assert "early stopping: val_loss was best in epoch" in out and "stopped after" in out


def test_a_regression_trains_and_evaluates_with_no_accuracy_shown(capsys, tmp_path, backend):
    model_path = tmp_path / "r.pkl"
    status, out, err = run(capsys, "train", "sample", "--test", "sample", "--layers", "784,8,1",
                           "--output", "linear", "--loss", "mse", "--optimizer", "adam",
                           "--epochs", "2", "--out", model_path, "--backend", backend,
                           "--plot", tmp_path / "pics")
    assert status == 0, err
    assert "accuracy" not in out and "confusion" not in out
    assert "epoch 2/2  loss " in out and "  test loss " in out
    assert "test loss " in out.splitlines()[-3] and "(mse) on 1000 samples" in out
    assert os.listdir(tmp_path / "pics") == ["curves.svg"]
    status, out, err = run(capsys, "evaluate", model_path, "sample", "--backend", backend)
    assert status == 0 and "accuracy" not in out and "(mse) on 1000 samples" in out


def test_show_model_prints_the_summary(tmp_path, capsys):
    model = DNN([784, 12, 10], optimizer="adam", seed=0, backend="python")
    model.save(tmp_path / "m.json")
    assert main(["show", str(tmp_path / "m.json"), "--backend", "python"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("model file: %s (JSON, " % (tmp_path / "m.json"))
    assert summary.text(model) in out


# Careless numbers on the command line: one line, exit status 2 (or 1 for a network too big).


def test_epochs_zero_is_honoured(tmp_path):
    out = tmp_path / "m.pkl"
    result = cli_process("train", "sample", "--epochs", "0", "--layers", "784,4,10", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "epoch 1" not in result.stdout
    import tinynet

    assert tinynet.load(out).get_params() == DNN([784, 4, 10], seed=0).get_params()


@pytest.mark.parametrize("option,value", [("--batch-size", "0"), ("--epochs", "-1"),
                                          ("--learning-rate", "nan"), ("--learning-rate", "0"),
                                          ("--l2", "inf"), ("--l2", "-1")])
def test_bad_numbers_on_the_command_line_exit_2_in_one_line(tmp_path, option, value):
    result = cli_process("train", "sample", option, value, "--out", tmp_path / "m.pkl")
    one_line_error(result, option)
    assert result.returncode == 2


def test_absurd_layers_on_the_command_line_are_one_line(tmp_path):
    result = cli_process("train", "sample", "--layers", "784,1000000000,10", "--out", tmp_path / "m.pkl")
    assert "would need at least" in one_line_error(result)
    assert result.returncode == 1
