"""Shared helpers for the benchmarks: the machine, MNIST, timing, reporting.

Every benchmark measures tinynet and its reference in the same run,
interleaved, in at least three rounds, and reports the ratio
tinynet / reference of each round: its median and its range (the lowest
and the highest round).  The machine's speed cancels out of a ratio, but
not its noise: a shared two-core virtual machine moves the same ratio by
20-30% from one run to the next, so a claim of "faster" needs the whole
range below 1 (:func:`verdict`).
"""

import os
import platform
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from tinynet import datasets  # noqa: E402


def threads():
    """Return the number of threads the references may use: $BENCH_THREADS
    if set (run_all.py --threads, which also limits NumPy's BLAS), else every
    core."""
    return int(os.environ.get("BENCH_THREADS") or os.cpu_count() or 1)


def mnist_dir():
    """Return a directory holding the full MNIST, or None."""
    for candidate in (os.environ.get("MNIST_DIR"), os.path.join(os.path.dirname(ROOT), "shared", "mnist"),
                      datasets.cache_dir()):
        if candidate and datasets.find_mnist(candidate):
            return candidate
    return None


def load_mnist_or_exit():
    directory = mnist_dir()
    if directory is None:
        print("skipped: full MNIST not found (set MNIST_DIR, or run python -m tinynet mnist "
              "once to download it into the cache)")
        sys.exit(0)
    # $BENCH_MNIST_UNCHECKED=1 takes IDX files that are not MNIST's own (the
    # tests' few images); otherwise every file's MD5 must be MNIST's.
    checksums = None if os.environ.get("BENCH_MNIST_UNCHECKED") == "1" else datasets.MD5
    train = datasets.load_mnist("train", directory, download=False, checksums=checksums)
    test = datasets.load_mnist("test", directory, download=False, checksums=checksums)
    return train, test


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas():
    """Return the BLAS library and kernel NumPy uses, if threadpoolctl can tell."""
    try:
        import numpy  # noqa: F401
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (install threadpoolctl to see)"
    infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join("%s %s (%s, %d threads)" % (i.get("internal_api"), i.get("version"),
                                                i.get("architecture"), i.get("num_threads"))
                     for i in infos) or "none found"


def machine():
    """Return a description of this machine and software, for the report."""
    lines = ["date: %s; load average over the last 1, 5, 15 minutes: %s"
             % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), load_average()),
             "cpu: %s, %d cores" % (cpu_name(), os.cpu_count() or 0),
             "python: %s %s" % (platform.python_implementation(), platform.python_version())]
    try:
        import numpy

        lines.append("numpy: %s; BLAS: %s" % (numpy.__version__, blas()))
    except ImportError:
        lines.append("numpy: not installed")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if os.environ.get(name):
            lines.append("%s=%s" % (name, os.environ[name]))
    return lines


#: Code for a child process to print its own peak memory in MB.  VmHWM
#: belongs to the process's address space, which exec() replaces, while
#: ru_maxrss would count the parent's memory from before the exec.
PEAK_MB = ("def peak_mb():\n"
           "    try:\n"
           "        for line in open('/proc/self/status'):\n"
           "            if line.startswith('VmHWM:'):\n"
           "                return int(line.split()[1]) / 1024\n"
           "    except OSError:\n"
           "        pass\n"
           "    import resource\n"
           "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n")


def find_interpreter(name):
    """Return the path of interpreter ``name`` (e.g. python3.13), looking
    past pyenv's shims to the versions pyenv has installed."""
    import glob
    import shutil

    found = shutil.which(name)
    if found and "shims" not in found:
        return found
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    minor = name.replace("python", "")
    candidates = sorted(glob.glob(os.path.join(root, "versions", minor + ".*", "bin", name)))
    return candidates[-1] if candidates else None


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def interleaved(runs, repeats):
    """Run each ``name: function`` in ``runs`` once per round, ``repeats``
    rounds, alternating; return ``{name: [seconds, ...]}``."""
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, function in runs.items():
            times[name].append(timed(function)[0])
    return times


def median(values):
    return statistics.median(values)


def round_ratios(times, name, reference):
    """Return the ratio ``name`` / ``reference`` of each round of
    :func:`interleaved`'s ``times``."""
    return [a / b for a, b in zip(times[name], times[reference])]


def spread(values, digits=2):
    """Return "median (lowest-highest)" of ``values``, e.g. "0.88 (0.84-0.93)"."""
    f = "%%.%df" % digits
    return (f + " (" + f + "-" + f + ")") % (median(values), min(values), max(values))


def verdict(ratios):
    """Return what ratios of tinynet's time to a reference's support:
    "faster" only if every round was below 1, "slower" if every round was
    above 1, else "level (within noise)"."""
    if max(ratios) < 1:
        return "faster"
    if min(ratios) > 1:
        return "slower"
    return "level (within noise)"


def load_average():
    """Return the load averages (1, 5 and 15 minutes) as text, or "unknown"."""
    try:
        return "%.2f, %.2f, %.2f" % os.getloadavg()
    except (AttributeError, OSError):
        return "unknown"


def table(header, rows):
    """Return a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def report(title, lines):
    """Print a result section, and append it to $BENCH_REPORT if set."""
    text = "### %s\n\n%s\n" % (title, "\n".join(lines))
    print(text, flush=True)
    path = os.environ.get("BENCH_REPORT")
    if path:
        with open(path, "a") as f:
            f.write(text + "\n")
