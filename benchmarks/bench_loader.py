"""Loading the full mnist_train.csv: tinynet.datasets.load_csv vs pandas.

    python benchmarks/bench_loader.py [--repeats 3]

Writes mnist_train.csv (60,000 rows) from the IDX files into a temporary
folder, then times, in turn in each round, load_csv with NumPy installed
(its bulk reader, whichever backend computes), load_csv without NumPy (the
standard library's reader: NumPy is blocked in that process) and
pandas.read_csv followed by the tutorial's /255
conversion, each in a fresh process (imports included) so that peak memory
(RSS) is measured too.  Needs pandas for the reference (skipped without it).
"""

import argparse
import os
import subprocess
import sys
import tempfile

from common import PEAK_MB, ROOT, load_mnist_or_exit, machine, report, spread, table, verdict

from tinynet import datasets

LOAD = "from tinynet import datasets\nX, y = datasets.load_csv(%r)\nassert len(X) == 60000"
CHILD = {  # name: (code, TINYNET_BACKEND); the reader follows NumPy's presence, not the backend
    "tinynet, NumPy installed": (LOAD, "numpy"),
    "tinynet, without NumPy": ("import sys\nsys.modules['numpy'] = None\n" + LOAD, "python"),
    "pandas": ("import pandas\nd = pandas.read_csv(%r)\nX = d.values[:, 1:] / 255.0\n"
               "assert len(X) == 60000", ""),
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
    names = list(CHILD)
    try:
        import pandas  # noqa: F401
    except ImportError:
        names.remove("pandas")
    results = {name: [] for name in names}
    for _ in range(args.repeats):
        for name in names:
            code, backend = CHILD[name]
            out = subprocess.run([sys.executable, "-c", MEASURE % (ROOT, code % path)],
                                 capture_output=True, text=True, check=True,
                                 env=dict(os.environ, TINYNET_BACKEND=backend)).stdout.split()
            results[name].append((float(out[0]), float(out[1])))
    size_mb = os.path.getsize(path) / 1e6
    os.remove(path)
    rows = []
    for name in names:
        seconds = [r[0] for r in results[name]]
        row = [name, spread(seconds), "%.0f" % max(r[1] for r in results[name])]
        if "pandas" in results and name != "pandas":
            ratios = [a / b for a, b in zip(seconds, [r[0] for r in results["pandas"]])]
            row += [spread(ratios), verdict(ratios)]
        else:
            row += ["", ""]
        rows.append(row)
    lines = machine() + ["", "mnist_train.csv, 60,000 rows x 785 columns (%.0f MB); %d rounds, "
                         "each loader once per round in a fresh process; the ratio is the "
                         "loader's time / pandas's, round by round: median (lowest-highest)"
                         % (size_mb, args.repeats), "",
                         table(["loader", "seconds, median (range)", "peak RSS MB",
                                "time / pandas", "verdict"], rows)]
    report("Loading mnist_train.csv", lines)


if __name__ == "__main__":
    main()
