"""Running the fast suite against mutants: private copies of the tree, one
forked pytest per mutant, ``jobs`` at a time."""

import os
import shutil
import signal
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

#: The fastest test files that exercise a module: every entry whose key is
#: part of the module's path adds its files.  Names the suite has had and
#: will have (it is being regrouped by behaviour): those that exist are run.
SUBSETS = [
    ("tinynet/datasets/", ["tests/test_datasets.py", "tests/test_datasets_numpy_csv.py"]),
    ("datasets/sources.py", ["tests/test_files_reading.py", "tests/test_datasets_downloads.py"]),
    ("tinynet/sources.py", ["tests/test_model_files_compact.py", "tests/test_files_reading.py",
                            "tests/test_model_files.py"]),
    ("/compact_save.py", ["tests/test_model_files_compact.py", "tests/test_model_files.py"]),
    ("/download.py", ["tests/test_datasets_downloads.py"]),
    ("/mnist.py", ["tests/test_datasets_downloads.py"]),
    ("tinynet/interop/", ["tests/test_interop.py", "tests/test_fuzz.py"]),
    ("tinynet/backends/", ["tests/test_backends.py", "tests/test_matrix.py"]),
    ("/matrix.py", ["tests/test_matrix.py", "tests/test_backends.py", "tests/test_dnn.py"]),
    ("/packed.py", ["tests/test_model_files_compact.py",
                    "tests/test_model_files.py"]),
    ("/serialize.py", ["tests/test_model_files.py", "tests/test_model_files_hostile.py"]),
    ("/validate.py", ["tests/test_model_files.py", "tests/test_model_files_hostile.py",
                      "tests/test_dnn.py"]),
    ("/kinds.py", ["tests/test_model_files.py", "tests/test_files_reading.py",
                   "tests/test_datasets.py"]),
    ("/compact.py", ["tests/test_model_files.py", "tests/test_model_files_compact.py"]),
    ("/files.py", ["tests/test_files.py", "tests/test_files_reading.py"]),
    ("/tempfiles.py", ["tests/test_files.py"]),
    ("/escape.py", ["tests/test_files.py", "tests/test_fuzz.py", "tests/test_dnn.py"]),
    ("/errors.py", ["tests/test_dnn.py", "tests/test_files.py", "tests/test_model_files.py",
                    "tests/test_datasets.py"]),
    ("/gradcheck.py", ["tests/test_backprop.py"]),
    ("/summary.py", ["tests/test_dnn.py", "tests/test_model_files.py"]),
    ("/memory.py", ["tests/test_dnn.py"]),
    ("/optim.py", ["tests/test_optimizers.py", "tests/test_training.py", "tests/test_dnn.py"]),
    ("/batching.py", ["tests/test_dnn.py", "tests/test_training_inputs.py",
                      "tests/test_training.py", "tests/test_datasets.py"]),
    ("/conversions.py", ["tests/test_training_inputs.py", "tests/test_dnn.py",
                         "tests/test_datasets.py"]),
    ("/progress.py", ["tests/test_training.py"]),
    ("/rng.py", ["tests/test_dnn.py", "tests/test_training.py", "tests/test_backends.py"]),
    ("/advice.py", ["tests/test_training.py", "tests/test_dnn.py"]),
    ("/callbacks.py", ["tests/test_training.py"]),
    ("/results.py", ["tests/test_training.py", "tests/test_dnn.py"]),
    ("/metrics.py", ["tests/test_training.py", "tests/test_dnn.py"]),
    ("/training.py", ["tests/test_training.py", "tests/test_training_inputs.py",
                      "tests/test_dnn.py"]),
    ("/regularize.py", ["tests/test_dnn.py", "tests/test_training.py", "tests/test_backprop.py"]),
    ("/dnn.py", ["tests/test_dnn.py", "tests/test_backprop.py", "tests/test_training.py"]),
    ("/settings.py", ["tests/test_dnn.py", "tests/test_optimizers.py", "tests/test_cli.py"]),
    ("/model.py", ["tests/test_dnn.py", "tests/test_training.py", "tests/test_model_files.py",
                   "tests/test_backends.py"]),
    ("tinynet/__init__.py", ["tests/test_dnn.py", "tests/test_model_files.py",
                             "tests/test_model_files_compact.py",
                             "tests/test_model_files_hostile.py"]),
]
#: Run every mutant against the whole fast suite, not its module's subset.
WHOLE = [False]
SOURCES = {}  # module path -> its bytes when the plan was made
CHILDREN = set()  # the pids (and process groups) of the children running


def _files(root, top, keep):
    found = []
    for folder, dirs, names in os.walk(os.path.join(root, top)):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "node_modules"))
        found += [os.path.relpath(os.path.join(folder, n), root).replace(os.sep, "/")
                  for n in sorted(names) if keep(n)]
    return found


def subset(module, root=ROOT):
    """The fastest test files that exercise ``module``, then its own doctests."""
    listed = [path for key, paths in SUBSETS if key in module for path in paths]
    return [t for t in dict.fromkeys(listed) if os.path.exists(os.path.join(root, t))] + [module]


def tests_for(module, root):
    """The tests a mutant of ``module`` runs against: its subset (above), or
    with WHOLE the whole fast suite, its subset first (what ``testpaths``
    collects: every test file and every module's doctests)."""
    ordered = subset(module, root)
    if not WHOLE[0]:
        return ordered
    rest = _files(root, "tests", lambda n: n.startswith("test_") and n.endswith(".py")) + \
        _files(root, "tinynet", lambda n: n.endswith(".py"))
    return list(dict.fromkeys(ordered + rest))


def copy_tree(dest):
    """The whole working tree but git's and the caches' files (the README
    test reads tox.ini and benchmarks/, for instance)."""
    skipped = (".git", ".tox", "__pycache__", "build", "dist", ".pytest_cache", "node_modules",
               ".mypy_cache", ".hypothesis")
    ignore = shutil.ignore_patterns("*.pyc", "*.egg-info", *skipped)
    for name in sorted(os.listdir(ROOT)):
        if name in skipped or name.endswith(".egg-info"):
            continue
        if os.path.isdir(os.path.join(ROOT, name)):
            shutil.copytree(os.path.join(ROOT, name), os.path.join(dest, name), ignore=ignore)
        else:
            shutil.copy2(os.path.join(ROOT, name), os.path.join(dest, name))


def start(copy, module, site, verbose=False, tests=None):
    """Fork a child that runs the tests (``module``'s, or ``tests``) against
    one mutant of ``module`` (or none when site is None); return its pid."""
    pid = os.fork()
    if pid:
        CHILDREN.add(pid)
        return pid
    try:
        os.setpgid(0, 0)
        original = SOURCES[module]
        if site is not None:
            original = original[:site["start"]] + site["new"].encode() + original[site["end"]:]
        with open(os.path.join(copy, module), "wb") as f:
            f.write(original)
        os.chdir(copy)
        sys.path.insert(0, copy)
        sys.dont_write_bytecode = True
        if not verbose:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
        import pytest
        code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-m",
                            "not slow and not micropython", "-W", "error"]
                           + (tests or tests_for(module, copy)))
        os._exit(int(code))
    except BaseException:
        os._exit(99)


def wait(pid, deadline):
    """The exit code of the child ``pid``, or "timeout" (it is killed) once
    ``deadline`` passes."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            CHILDREN.discard(pid)
            return os.waitstatus_to_exitcode(status)
        if time.time() > deadline:
            stop(pid)
            return "timeout"
        time.sleep(0.05)


def stop(pid):
    """Kill the child ``pid`` and everything it started, and reap it."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    CHILDREN.discard(pid)


def clean_run(copy, module, tests=None, verbose=False):
    """Run the tests (``module``'s, or ``tests``) without a mutant: (exit
    code, seconds)."""
    began = time.time()
    code = wait(start(copy, module, None, verbose, tests), time.time() + 600)
    return code, time.time() - began


def run_all(queue, copies, timeout, report, skip=None):
    """Run every (module, site) of ``queue``, one per copy at a time, but
    those ``skip(module, site)`` says to skip when their turn comes, each
    within ``timeout`` seconds (or ``timeout[module]``); call
    ``report(module, site)`` with each site completed by ``outcome`` (the
    exit code, or "timeout") and ``killed``.  pytest exits 1 when a test
    failed and 2 when collection failed (a mutant that breaks an import); a
    timeout or a crash also kills.  4 (a usage error) kills too: the clean
    run passed with the same arguments, so it is a conftest.py that could
    not import the mutant (tinynet itself broken).  3 (internal error) and
    5 (no tests ran) are the runner's fault: ``killed`` is None."""
    queue, running, free = list(queue), {}, list(copies)
    while queue or running:
        while queue and free:
            module, site = queue.pop(0)
            if skip is not None and skip(module, site):
                continue
            copy = free.pop()
            limit = timeout[module] if isinstance(timeout, dict) else timeout
            running[start(copy, module, site)] = (copy, module, site, time.time() + limit)
        for pid in list(running):
            copy, module, site, deadline = running[pid]
            done, status = os.waitpid(pid, os.WNOHANG)
            if not done and time.time() <= deadline:
                continue
            CHILDREN.discard(pid)
            outcome = wait(pid, deadline) if not done else os.waitstatus_to_exitcode(status)
            del running[pid]
            free.append(copy)
            with open(os.path.join(copy, module), "wb") as f:  # the original, for the next
                f.write(SOURCES[module])
            killed = None if outcome in (3, 5) else outcome != 0
            report(module, dict(site, outcome=outcome, killed=killed))
        time.sleep(0.02)
