"""Before and after: the same training jobs on two git revisions of tinynet.

    python benchmarks/bench_revisions.py OLD [NEW] [--rounds 5] [--instructions]

OLD and NEW are anything ``git`` names (a commit, a tag, ``main~3``); NEW
defaults to the working tree as it is.  Each revision's ``tinynet/`` is
exported into a temporary folder (``git archive``), and every job runs in a
fresh process, alternating OLD and NEW round by round, so the machine's
drift falls on both alike.  The report gives each job's seconds and the
ratio NEW / OLD of each round: its median and range, and a verdict
("faster" or "slower" only when every round agrees).

``--instructions`` counts instead of timing: each job runs under Valgrind's
callgrind (``apt-get install valgrind``), once with its training and once
without, and the difference is the training's instructions, the same from one
run to the next to a fraction of a percent however busy the machine is.
Valgrind runs some 50 times slower, so the jobs train on fewer images, and a
count is not a time (a cache miss costs no instruction); but on a shared
machine whose timings move by 20-30% between runs, it tells a 3% change apart.

The jobs are the ones a change to the core could slow down: an epoch slice
of the tutorial's ``[784, 1250, 10]`` with momentum SGD on the NumPy backend
in float32 and float64, single-sample ``train`` calls as the tutorial makes
them, and the pure-Python backend training ``[784, 32, 10]`` in batches and
one sample at a time.  Full MNIST is needed (see common.mnist_dir); without
it the script says so and exits 0.
"""

import argparse
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

from common import ROOT, machine, mnist_dir, report, spread, table, verdict

#: The child's program: load n images of MNIST, build the network the job
#: names, time the training (none if a fifth argument says "0"), print the seconds.
CHILD = r'''
import gzip, os, sys, time
sys.path.insert(0, sys.argv[1])
train = sys.argv[5:] != ["0"]
from tinynet import DNN
job, folder, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
with gzip.open(os.path.join(folder, "train-images-idx3-ubyte.gz")) as f:
    raw = f.read()[16:16 + 784 * n]
with gzip.open(os.path.join(folder, "train-labels-idx1-ubyte.gz")) as f:
    labels = list(f.read()[8:8 + n])
backend, dtype, hidden, batch = JOBS[job]
rows = [[b / 255.0 for b in raw[784 * i:784 * (i + 1)]] for i in range(n)]
if backend == "numpy":
    import numpy
    X = numpy.array(rows, dtype=dtype)
else:
    X = rows
net = DNN([784, hidden, 10], optimizer="momentum" if batch else "sgd", learning_rate=0.05,
          seed=0, backend=backend, **({"dtype": dtype} if backend == "numpy" else {}))
start = time.perf_counter()
if not train:
    pass
elif batch:
    net.fit(X, labels, epochs=1, batch_size=batch, shuffle=False)
else:
    for x, label in zip(X, labels):
        net.train(x, label)
print(time.perf_counter() - start)
'''

#: job: (backend, dtype, hidden units, batch size or 0 for train() per sample), images
JOBS = {
    "numpy float32, fit, batch 128": (("numpy", "float32", 1250, 128), 12000),
    "numpy float64, fit, batch 128": (("numpy", "float64", 1250, 128), 12000),
    "numpy float64, train() per sample": (("numpy", "float64", 1250, 0), 3000),
    "python, fit, batch 32": (("python", "float64", 32, 32), 3000),
    "python, train() per sample": (("python", "float64", 32, 0), 1000),
}


def export(revision, into):
    """Write ``revision``'s tinynet/ into the folder ``into``; return its
    short hash and subject."""
    data = subprocess.run(["git", "-C", ROOT, "archive", "--format=tar", revision, "tinynet"],
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into)
    return subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h %s", revision],
                          check=True, capture_output=True, text=True).stdout.strip()[:72]


#: Images per job with --instructions (under Valgrind).
COUNTED = {"numpy float32, fit, batch 128": 1280, "numpy float64, fit, batch 128": 1280,
           "numpy float64, train() per sample": 100, "python, fit, batch 32": 960,
           "python, train() per sample": 600}


def run(path, job, folder, n, train=True, under=()):
    """Run ``job`` on ``n`` images with the tinynet in ``path`` (training
    them, or not); return its seconds, or under Valgrind its instructions."""
    spec = JOBS[job][0]
    program = "JOBS = {%r: %r}\n" % (job, spec) + CHILD
    command = list(under) + [sys.executable, "-c", program, path, job, folder, str(n)]
    env = dict(os.environ, PYTHONHASHSEED="0")  # (the same dict orders: the same count)
    if under:  # one BLAS thread: a waiting thread's spinning would be counted too
        env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    result = subprocess.run(command + ([] if train else ["0"]), capture_output=True, text=True,
                            env=env)
    if result.returncode:
        raise SystemExit("%s failed on %s:\n%s" % (job, path, result.stderr[-2000:]))
    if not under:
        return float(result.stdout.split()[-1])
    for line in result.stderr.splitlines():  # callgrind's "==pid== Collected : N"
        if "Collected :" in line:
            return int(line.split(":")[-1])
    raise SystemExit("no instruction count from valgrind:\n%s" % result.stderr[-2000:])


def instructions(path, job, folder, n):
    """The instructions that ``job``'s training on ``n`` images takes with ``path``."""
    under = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + os.devnull]
    return run(path, job, folder, n, True, under) - run(path, job, folder, n, False, under)


def count_both(jobs, paths, folder, images):
    """Count every job on both revisions, two at a time (a count does not
    mind a busy machine); return {(job, "old" or "new"): instructions}."""
    import concurrent.futures

    for path in set(paths.values()):  # (compiled first: no run counts the compiler)
        subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(path, "tinynet")],
                       check=True)
    keys = [(job, label) for job in jobs for label in ("old", "new")]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        counts = pool.map(lambda key: instructions(paths[key[1]], key[0], folder, images(key[0])),
                          keys)
        return dict(zip(keys, counts))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", help="the revision before (e.g. a commit hash)")
    parser.add_argument("new", nargs="?", help="the revision after (default: the working tree)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each job once per revision")
    parser.add_argument("--jobs", help="only the jobs whose names contain this text")
    parser.add_argument("--images", type=int, help="images per job (default: each job's own)")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions under Valgrind instead of timing (one round)")
    args = parser.parse_args(argv)
    if args.instructions and not shutil.which("valgrind"):
        print("skipped: --instructions needs valgrind (apt-get install valgrind)")
        return 0
    folder = mnist_dir()
    if folder is None or not os.path.isfile(os.path.join(folder, "train-images-idx3-ubyte.gz")):
        print("skipped: the full MNIST (gzipped IDX) was not found; set MNIST_DIR")
        return 0
    try:
        import numpy  # noqa: F401
        have_numpy = True
    except ImportError:
        have_numpy = False
    jobs = [j for j in JOBS if (not args.jobs or args.jobs in j)
            and (have_numpy or not j.startswith("numpy"))]
    temp = tempfile.mkdtemp(prefix="tinynet-revisions-")
    try:
        paths, names = {}, {}
        for label, revision in (("old", args.old), ("new", args.new)):
            if revision is None:
                paths[label], names[label] = ROOT, "the working tree"
            else:
                paths[label] = os.path.join(temp, label)
                names[label] = export(revision, paths[label])
        def images(job):
            if args.images:
                return args.images
            return COUNTED[job] if args.instructions else JOBS[job][1]

        if args.instructions:
            counts = count_both(jobs, paths, folder, images)
            rows = [[job, images(job), "%.2f" % (counts[job, "old"] / 1e6 / images(job)),
                     "%.2f" % (counts[job, "new"] / 1e6 / images(job)),
                     "%.3f" % (counts[job, "new"] / counts[job, "old"])] for job in jobs]
            report("Before and after, in instructions: %s -> %s" % (names["old"], names["new"]),
                   machine() + ["", "each job's training counted by Valgrind's callgrind (a run "
                                "with it less a run without), PYTHONHASHSEED=0: millions of "
                                "instructions per image, and NEW / OLD", "",
                                table(["job", "images", "old M/image", "new M/image",
                                       "new / old"], rows)])
            return 0

        times = {(job, label): [] for job in jobs for label in ("old", "new")}
        for _ in range(args.rounds):
            for job in jobs:
                for label in ("old", "new"):
                    times[job, label].append(run(paths[label], job, folder, images(job)))
        rows = []
        for job in jobs:
            ratios = [b / a for a, b in zip(times[job, "old"], times[job, "new"])]
            rows.append([job, images(job), spread(times[job, "old"]), spread(times[job, "new"]),
                         spread(ratios), verdict(ratios)])
        report("Before and after: %s -> %s" % (names["old"], names["new"]), machine() + [
            "", "each job in a fresh process, %d rounds, OLD and NEW alternating; seconds "
            "median (lowest-highest), and NEW / OLD round by round" % args.rounds, "",
            table(["job", "images", "old s", "new s", "new / old", "verdict"], rows)])
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
