"""The benchmark scripts run, on data small enough for a test: what they
measure is for a quiet machine (benchmarks/run_all.py), but a script that
no longer runs is a defect the tests can catch."""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
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

