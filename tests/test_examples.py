"""Every example runs, with small settings, so none can rot."""

import importlib.util
import os
import subprocess
import sys

import pytest

from conftest import ROOT

EXAMPLES = os.path.join(ROOT, "examples")


def run_example(name, *args, cwd=None):
    result = subprocess.run([sys.executable, os.path.join(EXAMPLES, name)] + [str(a) for a in args],
                            capture_output=True, text=True, cwd=cwd or ROOT, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_every_example_has_a_test():
    tested = {"tutorial.py", "digit_recognizer.py", "xor.py", "backprop_study.py", "save_load.py",
              "micropython/train_on_laptop.py", "micropython/predict_on_board.py",
              "from_pytorch.py"}
    found = {os.path.relpath(os.path.join(d, f), EXAMPLES)
             for d, _, files in os.walk(EXAMPLES) for f in files if f.endswith(".py")}
    assert found == tested


def test_tutorial(tmp_path):
    out = run_example("tutorial.py", "--limit", "1000", "--hidden", "16")
    assert "trained on 1000 images" in out
    accuracy = float(out.split("test accuracy: ")[1].split("%")[0])
    assert accuracy > 70  # 1000 images, one pass: far above chance (10%)


def test_digit_recognizer(tmp_path):
    out = run_example("digit_recognizer.py", "--epochs", "1", "--hidden", "16", "--out",
                      tmp_path / "submission.csv")
    lines = (tmp_path / "submission.csv").read_text().splitlines()
    assert lines[0] == "ImageId,Label" and len(lines) == 1001 and lines[1000].startswith("1000,")
    assert "held-out accuracy" in out


def test_xor():
    out = run_example("xor.py", "--epochs", "300")
    assert "[0, 0] -> 0" in out and "[0, 1] -> 1" in out and "[1, 1] -> 0" in out


def test_backprop_study():
    out = run_example("backprop_study.py")
    assert "delta 2" in out and "delta 1" in out
    error = float(out.split("largest relative error ")[1].split()[0])
    assert error < 1e-6
    losses = [float(line.split("loss ")[1]) for line in out.splitlines() if "  step " in line]
    assert len(losses) == 5 and losses == sorted(losses, reverse=True)


def test_save_load(tmp_path):
    out = run_example("save_load.py", "--dir", tmp_path, "--epochs", "1")
    assert "same predictions: True" in out and "same predictions: False" not in out
    assert (tmp_path / "digits.pkl").exists() and (tmp_path / "digits.json").exists()


def test_micropython_workflow_on_cpython(tmp_path):
    board = tmp_path / "board"
    out = run_example(os.path.join("micropython", "train_on_laptop.py"), "--out", board,
                      "--epochs", "1", "--digits", "20")
    assert "digits-int8.tnb" in out and "heap to hold it once loaded" in out
    assert sorted(os.listdir(board)) == ["digits-images.idx", "digits-int8.tnb",
                                         "digits-labels.idx", "lib"]
    out = run_example(os.path.join("micropython", "predict_on_board.py"), cwd=board)
    assert "of 20 right" in out and "ms per digit" in out


@pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in ("torch", "safetensors")),
                    reason="needs PyTorch and safetensors (tox -e interop installs them)")
def test_from_pytorch(tmp_path):
    out = run_example("from_pytorch.py", "--out", tmp_path / "board", "--train", "1000",
                      "--epochs", "2")
    assert "PyTorch epoch 2/2" in out and "tinynet imported it: DNN([784, 32, 10]" in out
    same, total = map(int, out.split("same class for ")[1].split(" test digits")[0].split(" of "))
    assert same == total == 1000
    assert sorted(os.listdir(tmp_path / "board")) == ["digits-float32.tnb", "digits.pkl",
                                                       "digits.safetensors", "lib"]
