"""Sampled mutation testing of tinynet's core modules (the `mutation` tox env).

    python tools/mutate.py [--per-module N] [--seed S] [--jobs J] [--timeout T]
                           [--modules PATTERN ...] [--list] [--json FILE]

Each core module's source is parsed, and every place a small, typical bug can
be planted is listed (a "site"): an arithmetic operator swapped (``+`` for
``-``, ``*`` for ``/``, ...), a comparison turned (``<`` for ``<=``, ``==``
for ``!=``, ``in`` for ``not in``, ``is`` for ``is not``), ``and`` for
``or``, a ``not`` or a unary minus dropped, a number changed by one,
``True``/``False`` swapped, a string literal changed (docstrings and
f-strings are left alone).  From each module's sites a fixed sample (seeded,
``--per-module`` of them) is drawn; each sampled mutant is written into a
private copy of the repository and the whole fast suite (every test file and
every module's doctests, those that exercise the module first) runs against
it with ``-x`` in a forked child.  A mutant is
*killed* when a test fails or errors (or the run exceeds the timeout), and
*survives* when every test passes.  The kill rate per module is printed, and
every survivor with its line, so a person can judge whether it is equivalent
(no test could ever tell it from the original) or a missing test.

Why not mutmut: mutmut 3 mutates every function of every module (thousands of
mutants, no sampling) and rewrites the package with trampolines that change
line counts and function identities, which this suite checks; this runner is
small, samples, and uses only the standard library and pytest.  Lines marked
``# pragma: no mutate`` are skipped.
"""

import argparse
import ast
import fnmatch
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CORE = ["tinynet/%s.py" % m for m in (
    "matrix", "activations", "losses", "optim", "dnn", "training", "batching",
    "metrics", "validate", "serialize", "rng", "gradcheck", "files", "memory", "summary",
    "errors", "compact", "__init__")] + \
    ["tinynet/backends/%s.py" % m for m in (
        "__init__", "python_backend", "python_fast", "packed", "numpy_backend")] + \
    ["tinynet/datasets/%s.py" % m for m in (
        "__init__", "csvfile", "idxfile", "images", "mnist", "sources")]

CORE_TESTS = ["tests/test_core_api.py", "tests/test_dnn.py", "tests/test_backends.py",
              "tests/test_cross_backend.py", "tests/test_gradcheck.py",
              "tests/test_serialize.py", "tests/test_datasets.py"]
FIRST = {"datasets": "tests/test_datasets.py", "serialize": "tests/test_serialize.py",
         "validate": "tests/test_serialize.py", "backends": "tests/test_backends.py",
         "gradcheck": "tests/test_gradcheck.py", "files": "tests/test_files.py",
         "compact": "tests/test_compact.py", "packed": "tests/test_compact.py",
         "summary": "tests/test_summary.py", "batching": "tests/test_datasets.py"}

BINOPS = {ast.Add: ("+", "-"), ast.Sub: ("-", "+"), ast.Mult: ("*", "/"),
          ast.Div: ("/", "*"), ast.FloorDiv: ("//", "/"), ast.Mod: ("%", "/"),
          ast.Pow: ("**", "*"), ast.BitAnd: ("&", "|"), ast.BitOr: ("|", "&"),
          ast.BitXor: ("^", "&"), ast.LShift: ("<<", ">>"), ast.RShift: (">>", "<<")}
CMPOPS = {ast.Lt: ("<", "<="), ast.LtE: ("<=", "<"), ast.Gt: (">", ">="),
          ast.GtE: (">=", ">"), ast.Eq: ("==", "!="), ast.NotEq: ("!=", "=="),
          ast.In: ("in", "not in"), ast.NotIn: ("not in", "in"),
          ast.Is: ("is", "is not"), ast.IsNot: ("is not", "is")}


def _offsets(source):
    """Byte offset of the start of each line (ast positions are UTF-8 bytes)."""
    starts, pos = [0], 0
    for line in source.splitlines(keepends=True):
        pos += len(line)
        starts.append(pos)
    return starts


def _between(data, start, end, symbol):
    """The byte span of ``symbol`` in data[start:end] when nothing but
    whitespace and brackets surrounds it there; else None."""
    gap = data[start:end]
    words = gap.replace(b"(", b" ").replace(b")", b" ").replace(b"\\", b" ").split()
    if b" ".join(words) != symbol.encode():
        return None
    at = gap.index(symbol.split()[0].encode())
    stop = at + len(symbol.split()[0])
    if " " in symbol:  # "not in", "is not": up to the end of the second word
        second = symbol.split()[1].encode()
        stop = gap.index(second, stop) + len(second)
    return start + at, start + stop


def sites(path):
    """Every mutant of one file: (line, description, start, end, replacement)
    with byte offsets into the file's bytes."""
    data = open(path, "rb").read()
    source = data.decode("utf-8")
    tree = ast.parse(source)
    starts = _offsets(data)
    skip_lines = {i + 1 for i, line in enumerate(source.splitlines())
                  if "pragma: no mutate" in line}
    pos = lambda line, col: starts[line - 1] + col
    start_of = lambda n: pos(n.lineno, n.col_offset)
    end_of = lambda n: pos(n.end_lineno, n.end_col_offset)
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(n) for n in ast.walk(node))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # docstrings and bare strings
    found = []

    def add(node, what, span, new):
        if span is not None and node.lineno not in skip_lines:
            found.append((node.lineno, what, span[0], span[1], new))

    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
            old, new = BINOPS[type(node.op)]
            add(node, "%s -> %s" % (old, new),
                _between(data, end_of(node.left), start_of(node.right), old), new)
        elif isinstance(node, ast.AugAssign) and type(node.op) in BINOPS:
            old, new = BINOPS[type(node.op)]
            add(node, "%s= -> %s=" % (old, new),
                _between(data, end_of(node.target), start_of(node.value), old + "="), new + "=")
        elif isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                old, new = CMPOPS[type(op)]
                add(node, "%s -> %s" % (old, new),
                    _between(data, end_of(left), start_of(right), old), new)
                left = right
        elif isinstance(node, ast.BoolOp):
            old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
            for a, b in zip(node.values, node.values[1:]):
                add(node, "%s -> %s" % (old, new), _between(data, end_of(a), start_of(b), old), new)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            symbol = "not" if isinstance(node.op, ast.Not) else "-"
            begin = start_of(node)
            if data[begin:begin + len(symbol)] == symbol.encode():
                add(node, "drop %s" % symbol, (begin, start_of(node.operand)),
                    "" if symbol == "-" else " ")
        elif isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool):
                new = repr(not v)
            elif isinstance(v, (int, float)):
                new = repr(v + 1 if v + 1 != v else v * 2)  # 2.0**53 + 1 == 2.0**53
            elif isinstance(v, str):
                new = repr("XX" + v + "XX")
            elif isinstance(v, bytes):
                new = repr(b"XX" + v + b"XX")
            else:
                continue
            add(node, "%s -> %s" % (_short(data[start_of(node):end_of(node)].decode()), _short(new)),
                (start_of(node), end_of(node)), new)
    result = []
    for line, what, a, b, new in sorted(set(found)):
        mutated = data[:a] + new.encode() + data[b:]
        try:
            compile(mutated, path, "exec")
        except SyntaxError:
            continue
        result.append({"line": line, "what": what, "start": a, "end": b, "new": new})
    return result


def _short(text, width=40):
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


SOURCES = {}  # module path -> its bytes when the plan was made


def plan(modules, per_module, seed):
    """The sampled mutants: {module: [site, ...]} and the number of sites."""
    chosen, totals = {}, {}
    for module in modules:
        SOURCES[module] = open(os.path.join(ROOT, module), "rb").read()
        every = sites(os.path.join(ROOT, module))
        totals[module] = len(every)
        rng = random.Random("%s:%s" % (seed, module))
        chosen[module] = sorted(rng.sample(every, min(per_module, len(every))),
                                key=lambda s: (s["line"], s["start"]))
    return chosen, totals


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
    first = [path for key, path in FIRST.items() if key in module]
    strength = sorted("tests/" + f for f in os.listdir(os.path.join(root, "tests"))
                      if f.startswith("test_strength_") and f.endswith(".py"))
    hardening = sorted("tests/" + f for f in os.listdir(os.path.join(root, "tests"))
                       if f.startswith(("test_hardening_", "test_files", "test_fuzz"))
                       and f.endswith(".py"))
    ordered = strength + first + [t for t in CORE_TESTS if t not in first] + \
        [t for t in hardening if t not in first] + [module]
    rest = _files(root, "tests", lambda n: n.startswith("test_") and n.endswith(".py")) + \
        _files(root, "tinynet", lambda n: n.endswith(".py"))
    return ordered + [t for t in rest if t not in ordered]


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
        return pid
    try:
        os.setpgid(0, 0)
        target = os.path.join(copy, module)
        original = SOURCES[module]
        if site is not None:
            original = original[:site["start"]] + site["new"].encode() + original[site["end"]:]
        with open(target, "wb") as f:
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
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.time() > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(pid, 0)
            return "timeout"
        time.sleep(0.05)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-module", type=int, default=15)
    parser.add_argument("--seed", default="2026")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=0,
                        help="seconds per mutant (default: 4x the clean run, at least 30)")
    parser.add_argument("--modules", nargs="*", default=["*"],
                        help="shell patterns over tinynet/... paths")
    parser.add_argument("--list", action="store_true", help="list the sampled mutants and stop")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--verbose", action="store_true", help="print every mutant's outcome")
    parser.add_argument("--survivors-of", metavar="JSON",
                        help="run again only the mutants that survived in this earlier --json "
                             "result (after adding tests), on unchanged sources")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    modules = [m for m in CORE if any(fnmatch.fnmatch(m, p) or p in m for p in args.modules)]
    chosen, totals = plan(modules, args.per_module, args.seed)
    if args.survivors_of:
        with open(args.survivors_of) as f:
            earlier = json.load(f)["results"]
        for module in modules:
            keys = {(s["start"], s["end"], s["new"]) for s in sites(os.path.join(ROOT, module))}
            again = [s for s in earlier.get(module, []) if not s["killed"]]
            for s in again:
                if (s["start"], s["end"], s["new"]) not in keys:
                    sys.exit("%s changed since %s: run the full sample" % (module, args.survivors_of))
            chosen[module] = [{k: s[k] for k in ("line", "what", "start", "end", "new")}
                              for s in again]
        modules = [m for m in modules if chosen[m]]
        if not modules:
            print("no survivors to run again")
            return 0
    if args.list:
        for module in modules:
            for s in chosen[module]:
                print("%s:%d  %s" % (module, s["line"], s["what"]))
        return 0
    import pytest  # noqa: F401  (loaded once, before forking)
    try:
        import numpy  # noqa: F401
    except ImportError:
        pass
    assert "tinynet" not in sys.modules
    work = tempfile.mkdtemp(prefix="tinynet-mutation-")
    copies = []
    for j in range(max(1, args.jobs)):
        copies.append(os.path.join(work, str(j)))
        os.makedirs(copies[-1])
        copy_tree(copies[-1])
    try:
        began = time.time()
        code = 0 if args.timeout and args.survivors_of else \
            wait(start(copies[0], modules[0], None), time.time() + 600)
        clean = time.time() - began
        if code != 0:
            print("the tests fail without any mutant (exit %s): fix that first" % code)
            start_verbose = start(copies[0], modules[0], None, verbose=True)
            wait(start_verbose, time.time() + 600)
            return 2
        timeout = args.timeout or max(30.0, 4 * clean)
        print("clean run %.1fs; timeout %.0fs per mutant; seed %s; up to %d per module"
              % (clean, timeout, args.seed, args.per_module), flush=True)
        queue = [(m, s) for m in modules for s in chosen[m]]
        total = len(queue)
        errors = 0
        results = {m: [] for m in modules}
        running = {}
        free = list(copies)
        began = time.time()
        while queue or running:
            while queue and free:
                module, site = queue.pop(0)
                copy = free.pop()
                running[start(copy, module, site)] = (copy, module, site, time.time() + timeout)
            for pid in list(running):
                copy, module, site, deadline = running[pid]
                done, status = os.waitpid(pid, os.WNOHANG)
                if not done and time.time() <= deadline:
                    continue
                outcome = wait(pid, deadline) if not done else os.waitstatus_to_exitcode(status)
                del running[pid]
                free.append(copy)
                # restore the file in this copy for the next mutant
                with open(os.path.join(copy, module), "wb") as f:
                    f.write(SOURCES[module])
                # pytest exits 1 when a test failed and 2 when collection
                # failed (a mutant that breaks an import); a timeout or a
                # crash also kills.  3 (internal error), 4 (usage error) and
                # 5 (no tests ran) are the runner's fault: counted apart.
                killed = outcome not in (0, 3, 4, 5)
                if outcome in (3, 4, 5):
                    errors += 1
                    print("  ERROR (pytest exit %s) %s:%d  %s" % (outcome, module, site["line"],
                                                                site["what"]), flush=True)
                site = dict(site, outcome=outcome, killed=killed)
                results[module].append(site)
                done_count = sum(len(r) for r in results.values())
                if not killed:
                    print("  survived %s:%d  %s" % (module, site["line"], site["what"]), flush=True)
                elif args.verbose:
                    print("  killed   %s:%d  %s  (%s)" % (module, site["line"], site["what"],
                                                        outcome), flush=True)
                if done_count % 25 == 0:
                    print("[%d/%d mutants, %.0f s]" % (done_count, total, time.time() - began),
                          flush=True)
            time.sleep(0.02)
        print("\n%-36s %6s %6s %7s %6s" % ("module", "sites", "tried", "killed", "rate"))
        all_tried = all_killed = 0
        for module in modules:
            tried = sum(r["outcome"] not in (3, 4, 5) for r in results[module])
            killed = sum(r["killed"] for r in results[module])
            all_tried += tried
            all_killed += killed
            print("%-36s %6d %6d %7d %5.0f%%" % (module, totals[module], tried, killed,
                                                100.0 * killed / tried if tried else 100.0))
        print("%-36s %6d %6d %7d %5.0f%%  (%.0f s)" % (
            "all", sum(totals.values()), all_tried, all_killed,
            100.0 * all_killed / all_tried if all_tried else 100.0, time.time() - began))
        if errors:
            print("%d mutants could not be tested (pytest exit 3, 4 or 5): left out above" % errors)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"seed": args.seed, "per_module": args.per_module, "totals": totals,
                           "results": results}, f, indent=1, default=str)
        return 1 if errors else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
