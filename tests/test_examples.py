"""Every example runs, with small settings, so none can rot; and none leaves
anything behind, in the temporary directory or where it is run."""

import importlib.util
import os
import subprocess
import sys

import pytest

from conftest import ROOT, needs_numpy

EXAMPLES = os.path.join(ROOT, "examples")


@pytest.fixture
def run_example(tmp_path):
    """Run an example in a folder of its own, with a temporary directory of
    its own ($TMPDIR); return its output, after checking that it exited
    0 and left nothing in either but the files ``kept`` names."""
    temp, here = tmp_path / "tmp", tmp_path / "cwd"
    temp.mkdir()
    here.mkdir()

    def run(name, *args, cwd=None, kept=()):
        cwd = cwd or here
        before = set(os.listdir(cwd))
        env = dict(os.environ, TMPDIR=str(temp), TEMP=str(temp), TMP=str(temp))
        result = subprocess.run([sys.executable, os.path.join(EXAMPLES, name)]
                                + [str(a) for a in args], capture_output=True, text=True,
                                cwd=cwd, env=env, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        assert os.listdir(temp) == [], "left in the temporary directory"
        assert set(os.listdir(cwd)) - before == set(kept), "left where it ran"
        return result.stdout

    run.cwd = here
    return run


def test_every_example_has_a_test():
    tested = {"tutorial.py", "digit_recognizer.py", "xor.py", "backprop_study.py", "save_load.py",
              "micropython/train_on_laptop.py", "micropython/predict_on_board.py",
              "from_pytorch.py"}
    found = {os.path.relpath(os.path.join(d, f), EXAMPLES)
             for d, _, files in os.walk(EXAMPLES) for f in files if f.endswith(".py")}
    assert found == tested


def test_tutorial(run_example):
    out = run_example("tutorial.py", "--limit", "1000", "--hidden", "16")
    assert "trained on 1000 images" in out and "data: no CSV files given" in out
    accuracy = float(out.split("test accuracy: ")[1].split("%")[0])
    assert accuracy > 70  # 1000 images, one pass: far above chance (10%)
    assert "expected with these settings" not in out  # not the defaults


@needs_numpy
def test_tutorial_on_the_sample_scores_what_it_says(run_example):
    out = run_example("tutorial.py", "--backend", "numpy")  # the defaults: [784, 1250, 10]
    said = out.split("expected with these settings: about ")[1].split("%")[0]
    assert out.split("test accuracy: ")[1].startswith(said + "0% ")  # 90.7 -> "90.70% (907"


def test_tutorial_reads_csv_files_given(run_example, tmp_path):
    from tinynet import datasets

    X, y = datasets.load_sample("test")
    datasets.save_csv(tmp_path / "a.csv", X[:300], y[:300])
    datasets.save_csv(tmp_path / "b.csv", X[300:400], y[300:400])
    out = run_example("tutorial.py", tmp_path / "a.csv", tmp_path / "b.csv", "--hidden", "8")
    assert "trained on 300 images" in out and "of 100)" in out
    assert "no CSV files given" not in out


def test_digit_recognizer_keeps_nothing_of_a_demo(run_example):
    out = run_example("digit_recognizer.py", "--epochs", "1", "--hidden", "16")
    assert "wrote 1000 predictions" in out and "held-out accuracy" in out


def test_digit_recognizer_writes_the_submission_asked_for(run_example):
    out = run_example("digit_recognizer.py", "--epochs", "1", "--hidden", "16", "--out",
                      "submission.csv", kept={"submission.csv"})
    with open(os.path.join(run_example.cwd, "submission.csv")) as f:
        lines = f.read().splitlines()
    assert lines[0] == "ImageId,Label" and len(lines) == 1001 and lines[1000].startswith("1000,")
    assert "held-out accuracy" in out


def test_xor(run_example):
    out = run_example("xor.py", "--epochs", "300")
    assert "[0, 0] -> 0" in out and "[0, 1] -> 1" in out and "[1, 1] -> 0" in out
    assert "after 300 epochs" in out


def test_backprop_study(run_example):
    out = run_example("backprop_study.py")
    assert "delta 2" in out and "delta 1" in out
    error = float(out.split("largest relative error ")[1].split()[0])
    assert error < 1e-6
    losses = [float(line.split("loss ")[1]) for line in out.splitlines() if "  step " in line]
    assert len(losses) == 5 and losses == sorted(losses, reverse=True)


def test_save_load(run_example, tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    out = run_example("save_load.py", "--dir", folder, "--epochs", "1")
    assert "same predictions: True" in out and "same predictions: False" not in out
    assert sorted(os.listdir(folder)) == ["digits.json", "digits.pkl"]
    out = run_example("save_load.py", "--epochs", "1")  # into a temporary folder, removed
    assert "same predictions: True" in out


def test_micropython_workflow_on_cpython(run_example):
    out = run_example(os.path.join("micropython", "train_on_laptop.py"), "--out", "board",
                      "--epochs", "1", "--digits", "20", kept={"board"})
    board = os.path.join(run_example.cwd, "board")
    assert "digits-int8.tnb" in out and "heap to hold it once loaded" in out
    assert sorted(os.listdir(board)) == ["digits-images.idx", "digits-int8.tnb",
                                         "digits-labels.idx", "lib"]
    out = run_example(os.path.join("micropython", "predict_on_board.py"), cwd=board)
    assert "of 20 right" in out and "ms per digit" in out


@pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in ("torch", "safetensors")),
                    reason="needs PyTorch and safetensors (tox -e interop installs them)")
def test_from_pytorch(run_example, tmp_path):
    out = run_example("from_pytorch.py", "--out", tmp_path / "board", "--train", "1000",
                      "--epochs", "2")
    assert "PyTorch epoch 2/2" in out and "tinynet imported it: DNN([784, 32, 10]" in out
    same, total = map(int, out.split("same class for ")[1].split(" test digits")[0].split(" of "))
    assert same == total == 1000
    assert sorted(os.listdir(tmp_path / "board")) == ["digits-float32.tnb", "digits.pkl",
                                                       "digits.safetensors", "lib"]
