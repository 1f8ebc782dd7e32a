"""The benchmark scripts run, on data small enough for a test: what they
measure is for a quiet machine (benchmarks/run_all.py), but a script that
no longer runs is a defect the tests can catch."""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, needs_numpy
from tinynet import datasets


@pytest.mark.skipif(shutil.which("git") is None or not os.path.exists(os.path.join(ROOT, ".git")),
                    reason="needs git and a clone")
def test_bench_revisions_compares_two_revisions(tmp_path):
    images, labels = datasets.load_sample("train")
    datasets.save_idx(tmp_path / "train-images-idx3-ubyte.gz", images[:30],
                      tmp_path / "train-labels-idx1-ubyte.gz", labels[:30])
    datasets.save_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images[:5],
                      tmp_path / "t10k-labels-idx1-ubyte.gz", labels[:5])
    env = dict(os.environ, MNIST_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "bench_revisions.py"),
                             "HEAD", "--rounds", "2", "--images", "20", "--jobs", "python"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Before and after: " in out and "-> the working tree" in out
    rows = [line for line in out.splitlines() if line.startswith("| python")]
    assert len(rows) == 2 and all("| 20 |" in row for row in rows)
    assert all(row.rstrip(" |").endswith(("faster", "slower", "level (within noise)")) for row in rows)


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("valgrind"), reason="needs valgrind")
def test_bench_revisions_counts_instructions_under_valgrind(tmp_path):
    """--instructions: one row per job with each revision's millions of
    instructions per image; HEAD against the same code gives about 1."""
    tiny_mnist(tmp_path, train=5, test=2)
    env = dict(os.environ, MNIST_DIR=str(tmp_path), BENCH_MNIST_UNCHECKED="1")
    result = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "bench_revisions.py"),
                             "HEAD", "HEAD", "--instructions", "--images", "3", "--jobs",
                             "python, train"], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "Before and after, in instructions: " in result.stdout
    [row] = [line.split(" | ") for line in result.stdout.splitlines() if line.startswith("| python")]
    old, new, ratio = float(row[2]), float(row[3]), float(row[4].rstrip(" |"))
    assert old > 0.5 and new > 0.5 and 0.98 < ratio < 1.02, row


def tiny_mnist(folder, train=200, test=50):
    images, labels = datasets.load_sample("train")
    datasets.save_idx(folder / "train-images-idx3-ubyte.gz", images[:train],
                      folder / "train-labels-idx1-ubyte.gz", labels[:train])
    datasets.save_idx(folder / "t10k-images-idx3-ubyte.gz", images[:test],
                      folder / "t10k-labels-idx1-ubyte.gz", labels[:test])


def bench_recipe(folder, *args):
    env = dict(os.environ, MNIST_DIR=str(folder), BENCH_MNIST_UNCHECKED="1")
    return subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "bench_recipe.py")]
                          + list(args), capture_output=True, text=True, env=env, timeout=300)


@needs_numpy
def test_bench_recipe_dropout_runs_a_reduced_setting(tmp_path):
    """The dropout recipe end to end on a reduced setting: a report with the
    median and range over the seeds, a row per seed and an epoch's curve per
    seed, written only where --out says (never over the recipe's page)."""
    tiny_mnist(tmp_path)
    recipe_page = os.path.join(ROOT, "docs", "benchmarks", "recipe.md")
    def page():
        if not os.path.exists(recipe_page):
            return None
        with open(recipe_page, "rb") as f:
            return f.read()

    before = page()
    out = tmp_path / "recipe.md"
    result = bench_recipe(tmp_path, "--dropout", "--seeds", "0,1", "--epochs", "1",
                          "--layers", "784,8,10", "--limit", "100", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert text.startswith("# A reduced try-out of the dropout recipe (not the recipe): ")
    assert "over 2 seeds: " in text and "100 training images" in text and "over 1 epoch," in text
    assert "--dropout --seeds 0,1 --epochs 1 --layers 784,8,10 --limit 100" in text
    assert len([line for line in text.splitlines() if line.startswith(("| 0 |", "| 1 |"))]) == 3
    result = bench_recipe(tmp_path, "--dropout", "--seeds", "0", "--epochs", "2",
                          "--layers", "784,8,10", "--limit", "100", "--patience", "0")
    assert result.returncode == 0, result.stderr
    assert ("Early stopping: the last 10% of the training images held out, patience 0"
            in result.stdout)
    assert "not written to docs/benchmarks/recipe.md: a reduced setting" in result.stdout
    assert page() == before


@needs_numpy
def test_bench_recipe_jobs_train_seeds_side_by_side_to_the_same_numbers(tmp_path):
    """--jobs 2 trains each seed in a process of its own: every seed's row
    and curve are the ones --jobs 1 gives, and each epoch's line names its seed."""
    tiny_mnist(tmp_path)
    tables = []
    for jobs in ("1", "2"):
        out = tmp_path / ("recipe-%s.md" % jobs)
        result = bench_recipe(tmp_path, "--dropout", "--seeds", "0,1", "--epochs", "2", "--layers",
                              "784,8,10", "--limit", "100", "--jobs", jobs, "--out", str(out))
        assert result.returncode == 0, result.stderr
        rows = [line.split(" | ") for line in out.read_text().splitlines() if line.startswith("| ")]
        tables.append([row[:3] if len(row) == 4 else row for row in rows])  # (not the minutes)
    assert tables[0] == tables[1] and len(tables[0]) == 6  # 2 seed rows, 2 epochs, headers
    assert "seed 1: epoch 2, loss " in result.stdout and ", test accuracy " in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--dropout", "--layers", "784,abc,10"], "argument --layers: takes sizes like"),
    (["--dropout", "--layers", "784,8,9"], "argument --layers: takes sizes like"),
    (["--dropout", "--limit", "0"], "argument --limit: takes a whole number >= 1, not '0'"),
    (["--dropout", "--seeds", "a"], "argument --seeds: takes seeds like 0,1,2, not 'a'"),
    (["--dropout", "--out", "no/such/folder/r.md"], "its folder does not exist"),
    (["--epochs", "0"], "argument --epochs: takes a whole number >= 1, not '0'"),
    (["--patience", "2"], "--patience: only with --dropout"),
    (["--jobs", "2"], "--jobs: only with --dropout"),
    (["--dropout", "--jobs", "0"], "argument --jobs: takes a whole number >= 1, not '0'"),
    (["--dropout", "--dtype", "float64"], "--dtype: the dropout recipe is float32"),
    (["--dtype", "float16"], "argument --dtype: invalid choice: 'float16'"),
])
def test_bench_recipe_refuses_bad_arguments_before_loading_mnist(tmp_path, args, message):
    """No MNIST in the folder: a script that looked for it first would say
    'skipped' and exit 0; the arguments are refused before that."""
    result = bench_recipe(tmp_path, *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr


@needs_numpy
def test_bench_recipe_says_1_epoch_not_1_epochs(tmp_path):
    tiny_mnist(tmp_path, train=50, test=20)
    result = bench_recipe(tmp_path, "--epochs", "1", "--dtype", "float64")
    assert result.returncode == 0, result.stderr
    assert "after 1 epoch\n" in result.stdout and "over 1 epoch, seed 0" in result.stdout
    assert "1 epochs" not in result.stdout


def test_bench_recipe_calls_only_the_full_dropout_recipe_the_recipe(monkeypatch):
    """Only the recipe's own network, on every image, for all its epochs,
    may write docs/benchmarks/recipe.md by default; --patience keeps it the
    recipe (early stopping on held-out training images)."""
    monkeypatch.syspath_prepend(os.path.join(ROOT, "benchmarks"))
    import argparse

    import bench_recipe

    def reduced(**changes):
        settings = dict(layers=[784, 1024, 1024, 10], limit=None, epochs=120, patience=None)
        settings.update(changes)
        return bench_recipe.is_reduced(argparse.Namespace(**settings))

    assert not reduced() and not reduced(patience=5) and not reduced(epochs=200)
    assert reduced(epochs=119) and reduced(limit=59999) and reduced(layers=[784, 1024, 10])
