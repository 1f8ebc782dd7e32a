"""Peak memory (RSS) of training the tutorial's network on full MNIST.

    python benchmarks/bench_memory.py [--pure-samples 2000]

Each run is a fresh process that loads the full MNIST (as tinynet.Images:
one byte per pixel) and trains DNN([784, 1250, 10]): one full epoch with the
NumPy backend, and ``--pure-samples`` images with the pure-Python backend
(a full epoch there takes a long time; memory does not grow with it).
"""

import argparse
import subprocess
import sys

from common import PEAK_MB, ROOT, load_mnist_or_exit, machine, mnist_dir, report, table

CHILD = PEAK_MB + """
import sys
sys.path.insert(0, %r)
from tinynet import DNN, datasets
X, y = datasets.load_mnist("train", %r, download=False)
net = DNN([784, 1250, 10], seed=0, backend=%r)
n = %d
net.fit(X[:n], y[:n], epochs=1, batch_size=128)
print(peak_mb())
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pure-samples", type=int, default=2000)
    args = parser.parse_args()
    load_mnist_or_exit()
    directory = mnist_dir()
    rows = []
    for backend, n in (("numpy", 60000), ("python", args.pure_samples)):
        out = subprocess.run([sys.executable, "-c", CHILD % (ROOT, directory, backend, n)],
                             capture_output=True, text=True)
        peak = out.stdout.strip() if out.returncode == 0 else "failed: " + out.stderr[-200:]
        rows.append([backend, "%d" % n, "%.0f" % float(peak) if out.returncode == 0 else peak])
    lines = machine() + ["", "peak RSS of loading full MNIST and training [784, 1250, 10] "
                         "(993,760 parameters), batch 128", "",
                         table(["backend", "images trained", "peak RSS MB"], rows)]
    report("Memory", lines)


if __name__ == "__main__":
    main()
