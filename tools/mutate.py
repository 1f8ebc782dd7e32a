"""Sampled mutation testing of tinynet's core and file readers (the `mutation` tox env).

    python tools/mutate.py [--per-module N] [--seed S] [--jobs J] [--timeout T]
                           [--modules PATTERN ...] [--whole] [--confirm] [--list]
                           [--json FILE] [--report FILE] [--survivors-of JSON]
                           [--audit-pragmas]

Each module's source is parsed, and every place a small, typical bug can be
planted is listed (a "site"; tools/mutation/sites.py lists the kinds: an
operator or comparison swapped, a constant changed, a table entry left out,
an exception's argument made None, a statement made ``pass``, a return made
``return None``).  From each module's sites a sample of ``--per-module`` is
drawn with a generator seeded by ``--seed`` and the module's path, so the
same seed and sources always draw the same sample.  Each sampled mutant is
written into a private copy of the repository and its module's tests (the
fastest test files that exercise it, runner.SUBSETS, and its doctests; with
``--whole`` the whole fast suite) run against it with ``-x`` in a forked
child, after one clean run of those tests; ``--confirm`` runs each survivor
again against the whole fast suite.  A mutant is
*killed* when a test fails or errors (or the run exceeds the timeout), and
*survives* when every test passes.  A survivor is a missing test, or a
mutant no test could tell from the original: a person judges, and records
the second kind with its reason in tools/mutation/equivalent.json, which
the table counts apart.  ``--report FILE`` writes the table as Markdown
(with the date, sample size and tool) between the markers of FILE, e.g.
docs/mutation.md.

Lines marked ``# pragma: no mutate (reason)`` are skipped: the pragma claims
every mutant of the line is equivalent.  ``--audit-pragmas`` checks that
claim: it runs every mutant of exactly those lines and reports, per line,
whether all survive (the claim holds) or some are killed (the pragma is
wrong and must go), and any pragma without its reason.

Why not mutmut: mutmut 3 mutates every function of every module (thousands
of mutants, no sampling) and rewrites the package with trampolines that
change line counts and function identities, which this suite checks; this
runner is small, samples, and uses only the standard library and pytest.
"""

import argparse
import fnmatch
import glob
import hashlib
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mutation import report, runner  # noqa: E402
from mutation.sites import pragma_lines, sites  # noqa: E402

ROOT = runner.ROOT
#: The kinds of mutant in the order the pragma audit tries them: most often killed first.
LIKELY = ["statement", "return", "raise", "table", "boolean", "comparison", "operator", "constant"]


def modules_of(patterns):
    """The core (top-level modules and backends), the file readers
    (datasets/) and the readers of foreign model files (interop/, which parse
    untrusted ONNX and safetensors bytes), matching any of the shell
    ``patterns`` (or containing one)."""
    found = []
    for folder in ("tinynet", "tinynet/backends", "tinynet/datasets", "tinynet/interop"):
        found += sorted(os.path.relpath(p, ROOT).replace(os.sep, "/")
                        for p in glob.glob(os.path.join(ROOT, folder, "*.py")))
    found = [m for m in found if m != "tinynet/__main__.py"]  # the CLI: desktop, not core
    # MicroPython's machine code: it does not import here, and its tests run on
    # MicroPython (tests/test_board.py), where no mutant is run
    found = [m for m in found if m != "tinynet/backends/native.py"]
    return [m for m in found if any(fnmatch.fnmatch(m, p) or p in m for p in patterns)]


def plan(modules, per_module, seed):
    """The sampled mutants, {module: [site, ...]}, and each module's number of sites."""
    chosen, totals = {}, {}
    for module in modules:
        every = sites(os.path.join(ROOT, module))
        totals[module] = len(every)
        rng = random.Random("%s:%s" % (seed, module))
        chosen[module] = sorted(rng.sample(every, min(per_module, len(every))),
                                key=lambda s: (s["start"], s["end"], s["new"]))
    return chosen, totals


def marked(modules):
    """Every mutant of the lines marked ``# pragma: no mutate``."""
    chosen = {}
    for module in modules:
        lines = pragma_lines(runner.SOURCES[module].decode())
        if lines:
            chosen[module] = sites(os.path.join(ROOT, module), lines)
    return chosen


def _digest(module):
    return hashlib.sha256(runner.SOURCES[module]).hexdigest()


def survivors_of(path, modules, per_module, seed, resume=False):
    """The survivors of an earlier --json result, and with ``resume`` the
    sampled mutants it did not reach (a run stopped early); a module changed
    since is sampled afresh, its earlier results dropped.  Return (chosen,
    the fresh modules)."""
    with open(path) as f:
        data = json.load(f)
    earlier, digests = data["results"], data.get("sources", {})
    chosen, fresh = {}, []
    for module in modules:
        before = earlier.get(module, [])
        again = [s for s in before if s["killed"] is False]
        keys = {(s["start"], s["end"], s["new"]) for s in sites(os.path.join(ROOT, module))}
        planned = plan([module], per_module, seed)[0][module]
        if digests.get(module, _digest(module)) != _digest(module) or any(
                (s["start"], s["end"], s["new"]) not in keys for s in again):
            print("%s changed since %s: sampled afresh" % (module, path))
            fresh.append(module)
            chosen[module] = planned
            continue
        tried = {(s["start"], s["end"], s["new"]) for s in before}
        chosen[module] = [{k: v for k, v in s.items() if k not in ("outcome", "killed")}
                          for s in again] + \
            [s for s in planned if resume and (s["start"], s["end"], s["new"]) not in tried]
    return chosen, fresh


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-module", type=int, default=20, metavar="N",
                        help="mutants sampled from each module (default 20)")
    parser.add_argument("--seed", default="2026", help="the sample's seed (default 2026)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=0,
                        help="seconds per mutant (default: 4x its tests' clean run, at least 30)")
    parser.add_argument("--modules", nargs="*", default=["*"],
                        help="shell patterns over tinynet/... paths")
    parser.add_argument("--whole", action="store_true",
                        help="run each mutant against the whole fast suite (slow), not its "
                             "module's tests (tools/mutation/runner.py: SUBSETS)")
    parser.add_argument("--confirm", action="store_true",
                        help="run the survivors again against the whole fast suite")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--report", metavar="FILE",
                        help="write the per-module table as Markdown to FILE (between its "
                             "mutation markers if it has them), e.g. docs/mutation.md")
    parser.add_argument("--equivalent", default=report.EQUIVALENT, metavar="JSON",
                        help="the survivors judged equivalent (default %(default)s)")
    parser.add_argument("--verbose", action="store_true", help="print every mutant's outcome")
    parser.add_argument("--survivors-of", metavar="JSON",
                        help="run again the mutants that survived in this earlier --json result "
                             "(after adding tests); a module changed since is sampled afresh")
    parser.add_argument("--resume", action="store_true",
                        help="with --survivors-of: also run the sampled mutants it did not reach "
                             "(a run stopped early)")
    parser.add_argument("--audit-pragmas", action="store_true",
                        help="run every mutant of the lines marked '# pragma: no mutate' and "
                             "report per line whether all survive, as the pragma claims")
    return parser.parse_args(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    modules = modules_of(args.modules)
    for module in modules:
        with open(os.path.join(ROOT, module), "rb") as f:
            runner.SOURCES[module] = f.read()
    chosen, totals = plan(modules, args.per_module, args.seed)
    if args.audit_pragmas:
        chosen = marked(modules)
    elif args.survivors_of:
        chosen, args.fresh = survivors_of(args.survivors_of, modules, args.per_module,
                                          args.seed, args.resume)
    modules = [m for m in modules if chosen.get(m)]
    if args.list or not modules:
        for module in modules:
            for s in chosen[module]:
                print("%s:%d  %s: %s" % (module, s["line"], s["kind"], s["mutant"]))
        print("%d mutants" % sum(len(chosen[m]) for m in modules))
        return 0
    import pytest  # noqa: F401  (loaded once, before forking)
    try:
        import numpy  # noqa: F401
    except ImportError:
        pass
    assert "tinynet" not in sys.modules
    # Stopped (Ctrl-C, kill): the children are killed and the copies removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = tempfile.mkdtemp(prefix="tinynet-mutation-")
    copies = [os.path.join(work, str(j)) for j in range(max(1, args.jobs))]
    for copy in copies:
        os.makedirs(copy)
        runner.copy_tree(copy)
    try:
        return _run(args, argv, modules, chosen, totals, copies)
    finally:
        for pid in list(runner.CHILDREN):
            runner.stop(pid)
        shutil.rmtree(work, ignore_errors=True)


def _clean_runs(args, modules, copy):
    """Run the modules' tests without a mutant, each set of test files once
    and every module's doctests together: {module: timeout}, or None when
    some fail (they must pass first)."""
    if args.timeout and args.survivors_of:
        return {m: args.timeout for m in modules}
    files = {m: tuple(runner.tests_for(m, copy)[:-1]) for m in modules}
    seconds = {}
    for tests in [()] + sorted(set(files.values())):
        if tests in seconds:
            continue
        run = list(tests) or list(modules)  # () stands for the doctests
        code, seconds[tests] = runner.clean_run(copy, modules[0], run)
        if code != 0 and not (code == 5 and not tests):  # 5: no doctests at all
            print("these tests fail without any mutant (exit %s): fix that first\n  %s"
                  % (code, " ".join(run)))
            runner.clean_run(copy, modules[0], run, verbose=True)
            return None
        print("clean run %.1fs: %s" % (seconds[tests], " ".join(tests) or "the doctests"),
              flush=True)
    return {m: args.timeout or max(30.0, 4 * (seconds[files[m]] + seconds[()]))
            for m in modules}


def _with(kept, results, patterns):
    """``results`` and the ``kept`` earlier ones, module by module, in the
    modules' order."""
    return {m: kept.get(m, []) + results.get(m, []) for m in modules_of(patterns)
            if kept.get(m) or results.get(m)}


def _save(args, totals, results):
    """Write the results so far to the --json file, if asked."""
    if args.json:
        done = {m: r for m, r in results.items() if r}
        with open(args.json + ".tmp", "w") as f:
            json.dump({"seed": args.seed, "per_module": args.per_module, "totals": totals,
                       "sources": {m: _digest(m) for m in done}, "results": done},
                      f, indent=1, default=str)
        os.replace(args.json + ".tmp", args.json)


def _run(args, argv, modules, chosen, totals, copies):
    runner.WHOLE[0] = args.whole
    timeout = _clean_runs(args, modules, copies[0])
    if timeout is None:
        return 2
    queue = [(m, s) for m in modules for s in chosen[m]]
    skip = None
    if args.audit_pragmas:  # a line is settled by its first killed mutant: try likely ones first
        queue.sort(key=lambda q: (modules.index(q[0]), q[1]["line"], LIKELY.index(q[1]["kind"])))
        skip = lambda module, site: any(  # noqa: E731
            r["killed"] and r["line"] == site["line"] for r in results[module])
    print("seed %s; %d mutants, each against %s" % (
        args.seed, len(queue), "the whole fast suite" if args.whole else "its module's tests"),
        flush=True)
    results = {m: [] for m in modules}
    kept = {}  # with --survivors-of: the earlier run's other mutants, counted as they were
    if args.survivors_of:
        with open(args.survivors_of) as f:
            for module, done_ in json.load(f)["results"].items():
                if module not in args.fresh:
                    kept[module] = [r for r in done_ if r["killed"] is not False]
    began = time.time()

    def done(module, site):
        results[module].append(site)
        where = "%s:%d  %s: %s" % (module, site["line"], site["kind"], site["mutant"])
        if site["killed"] is None:
            print("  ERROR (pytest exit %s) %s" % (site["outcome"], where), flush=True)
        elif not site["killed"] or args.verbose or args.audit_pragmas:
            print("  %s %s" % ("killed  " if site["killed"] else "survived", where), flush=True)
        count = sum(len(r) for r in results.values())
        if count % 5 == 0:  # so a run stopped early has its results so far
            _save(args, totals, _with(kept, results, args.modules))
        if count % 25 == 0:
            print("[%d/%d mutants, %.0f s]" % (count, len(queue), time.time() - began), flush=True)

    runner.run_all(queue, copies, timeout, done, skip)
    if args.confirm and not args.whole:  # the survivors, against the whole suite
        again = [(m, r) for m in modules for r in results[m] if r["killed"] is False]
        print("%d survivors, against the whole fast suite" % len(again), flush=True)
        runner.WHOLE[0] = True
        for module, site in again:
            results[module].remove(site)
        runner.run_all([(m, {k: v for k, v in r.items() if k not in ("outcome", "killed")})
                        for m, r in again], copies, args.timeout or 1800, done)
    results = _with(kept, results, args.modules)
    for module in results:
        results[module].sort(key=lambda s: (s["start"], s["end"], s["new"]))
    errors = sum(r["killed"] is None for done_ in results.values() for r in done_)
    _save(args, totals, results)
    if args.audit_pragmas:
        print()
        return 1 if report.audit(results, runner.SOURCES) else 0
    equivalent = report.load_equivalent(args.equivalent)
    report.print_table(results, totals, equivalent, time.time() - began)
    if errors:
        print("%d mutants could not be tested (pytest exit 3 or 5): left out above" % errors)
    if args.report:
        command = " ".join(["python tools/mutate.py"] + [a for a in argv])
        report.write_markdown(args.report, report.markdown(
            results, totals, equivalent, command, args.per_module, args.seed,
            "the whole fast suite" if args.whole else
            "its module's tests (`SUBSETS` in `tools/mutation/runner.py`; the module's own "
            "doctests too)" + (", and each survivor then against the whole fast suite"
                               if args.confirm else "")))
        print("table written to %s" % args.report)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
