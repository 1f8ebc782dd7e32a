"""Loading the full mnist_train.csv: tinynet.datasets.load_csv vs pandas.

    python benchmarks/bench_loader.py [--repeats 3]

Writes mnist_train.csv (60,000 rows) from the IDX files into a temporary
folder, then times, alternately, load_csv and pandas.read_csv followed by the
tutorial's /255 conversion, each in a fresh process so that peak memory
(RSS) is measured too.  Needs pandas for the reference (skipped without it).
"""

import argparse
import os
import subprocess
import sys
import tempfile

from common import PEAK_MB, ROOT, load_mnist_or_exit, machine, median, report, table

from tinynet import datasets

CHILD = {
    "tinynet": "from tinynet import datasets\nX, y = datasets.load_csv(%r)\nassert len(X) == 60000",
    "pandas": "import pandas\nd = pandas.read_csv(%r)\nX = d.values[:, 1:] / 255.0\nassert len(X) == 60000",
}
MEASURE = (PEAK_MB + "import sys, time\nsys.path.insert(0, %r)\nstart = time.perf_counter()\n%s\n"
           "print(time.perf_counter() - start, peak_mb())")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    (X, y), _ = load_mnist_or_exit()
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "mnist_train.csv")
    datasets.save_csv(path, X, y)
    try:
        import pandas  # noqa: F401
        names = ["tinynet", "pandas"]
    except ImportError:
        names = ["tinynet"]
    results = {name: [] for name in names}
    for _ in range(args.repeats):
        for name in names:
            code = MEASURE % (ROOT, CHILD[name] % path)
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout.split()
            results[name].append((float(out[0]), float(out[1])))
    size_mb = os.path.getsize(path) / 1e6
    os.remove(path)
    rows = []
    for name in names:
        seconds = median([r[0] for r in results[name]])
        peak = max(r[1] for r in results[name])
        ratio = seconds / median([r[0] for r in results["tinynet"]])
        rows.append([name, "%.2f" % seconds, "%.0f" % peak, "%.2f" % (1 / ratio)])
    lines = machine() + ["", "mnist_train.csv, 60,000 rows x 785 columns (%.0f MB); median of %d "
                         "runs, each in a fresh process" % (size_mb, args.repeats), "",
                         table(["loader", "seconds", "peak RSS MB", "tinynet / it (time)"], rows)]
    report("Loading mnist_train.csv", lines)


if __name__ == "__main__":
    main()
