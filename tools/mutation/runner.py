"""Running the fast suite against mutants: private copies of the tree, one
forked pytest per mutant, ``jobs`` at a time."""

import os
import shutil
import signal
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

#: The test files that exercise a module first (keys are parts of its path).
FIRST = {"datasets": ["tests/test_datasets.py", "tests/test_datasets_numpy_csv.py"],
         "sources": ["tests/test_files_reading.py", "tests/test_datasets_downloads.py"],
         "mnist": ["tests/test_datasets_downloads.py"],
         "serialize": ["tests/test_model_files.py", "tests/test_model_files_hostile.py"],
         "validate": ["tests/test_model_files.py", "tests/test_model_files_hostile.py"],
         "backends": ["tests/test_backends.py", "tests/test_matrix.py"],
         "gradcheck": ["tests/test_backprop.py"],
         "files": ["tests/test_files.py", "tests/test_files_reading.py"],
         "compact": ["tests/test_model_files.py", "tests/test_model_files_compact.py"],
         "packed": ["tests/test_model_files_compact.py"], "summary": ["tests/test_dnn.py"],
         "optim": ["tests/test_optimizers.py"], "matrix": ["tests/test_matrix.py"],
         "batching": ["tests/test_dnn.py", "tests/test_training_inputs.py", "tests/test_datasets.py"]}
CORE_TESTS = ["tests/test_dnn.py", "tests/test_backends.py", "tests/test_matrix.py",
              "tests/test_backprop.py", "tests/test_optimizers.py", "tests/test_training_inputs.py",
              "tests/test_model_files.py", "tests/test_model_files_hostile.py",
              "tests/test_datasets.py"]
SOURCES = {}  # module path -> its bytes when the plan was made
CHILDREN = set()  # the pids (and process groups) of the children running


def _files(root, top, keep):
    found = []
    for folder, dirs, names in os.walk(os.path.join(root, top)):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "node_modules"))
        found += [os.path.relpath(os.path.join(folder, n), root).replace(os.sep, "/")
                  for n in sorted(names) if keep(n)]
    return found


def tests_for(module, root):
    """The whole fast suite, in the order most likely to fail first for a
    mutant of ``module``: the files that exercise it, its own doctests, then
    every other test file and every other module's doctests (what
    ``testpaths`` collects), so a survivor has passed all of it."""
    first = [path for key, paths in FIRST.items() if key in module for path in paths]
    listed = sorted("tests/" + f for f in os.listdir(os.path.join(root, "tests"))
                    if f.endswith(".py") and f.startswith(("test_files", "test_fuzz")))
    ordered = list(first)
    ordered += [t for t in CORE_TESTS + listed if t not in ordered] + [module]
    rest = _files(root, "tests", lambda n: n.startswith("test_") and n.endswith(".py")) + \
        _files(root, "tinynet", lambda n: n.endswith(".py"))
    ordered = [t for t in ordered if os.path.exists(os.path.join(root, t))]
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


def start(copy, module, site, verbose=False):
    """Fork a child that runs the tests against one mutant (or none when
    site is None); return its pid."""
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
                            "not slow and not micropython", "-W", "error"] + tests_for(module, copy))
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


def clean_run(copy, module):
    """Run the suite without a mutant: (exit code, seconds)."""
    began = time.time()
    code = wait(start(copy, module, None), time.time() + 600)
    return code, time.time() - began


def run_all(queue, copies, timeout, report, skip=None):
    """Run every (module, site) of ``queue``, one per copy at a time, but
    those ``skip(module, site)`` says to skip when their turn comes; call
    ``report(module, site)`` with each site completed by ``outcome`` (the
    exit code, or "timeout") and ``killed``.  pytest exits 1 when a test
    failed and 2 when collection failed (a mutant that breaks an import); a
    timeout or a crash also kills.  3 (internal error), 4 (usage error) and
    5 (no tests ran) are the runner's fault: ``killed`` is None."""
    queue, running, free = list(queue), {}, list(copies)
    while queue or running:
        while queue and free:
            module, site = queue.pop(0)
            if skip is not None and skip(module, site):
                continue
            copy = free.pop()
            running[start(copy, module, site)] = (copy, module, site, time.time() + timeout)
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
            killed = None if outcome in (3, 4, 5) else outcome != 0
            report(module, dict(site, outcome=outcome, killed=killed))
        time.sleep(0.02)
