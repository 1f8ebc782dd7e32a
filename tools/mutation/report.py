"""What a run found: the per-module table (printed, and as Markdown for the
development docs), the survivors a person judged equivalent, and the audit
of the ``# pragma: no mutate`` lines."""

import json
import os
import platform
import re
import subprocess
import sys
import time

from .runner import ROOT

START, END = "<!-- mutation:start -->", "<!-- mutation:end -->"
EQUIVALENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "equivalent.json")
REASON = re.compile(r"pragma: no mutate \((.+)\)")


def load_equivalent(path=EQUIVALENT):
    """{(module, code, mutant): reason} for the survivors judged equivalent:
    a mutant no test could tell from the original.  Keyed by the line's text
    before and after the change, so an entry follows its line when others move."""
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return {(e["module"], e["code"], e["mutant"]): e["reason"] for e in json.load(f)}


def tally(results, equivalent):
    """Per module: (tried, killed, survived, equivalent), leaving out the
    mutants the runner could not test."""
    rows = {}
    for module, done in results.items():
        tried = [r for r in done if r["killed"] is not None]
        eq = sum(not r["killed"] and (module, r["code"], r["mutant"]) in equivalent for r in tried)
        killed = sum(bool(r["killed"]) for r in tried)
        rows[module] = (len(tried), killed, len(tried) - killed - eq, eq)
    return rows


def rate(killed, tried, eq):
    return "%.1f%%" % (100.0 * killed / (tried - eq)) if tried > eq else "-"


def print_table(results, totals, equivalent, seconds):
    rows = tally(results, equivalent)
    print("\n%-34s %6s %6s %7s %8s %6s %7s" % ("module", "sites", "tried", "killed", "survived",
                                               "equiv", "rate"))
    sums = [0, 0, 0, 0]
    for module, row in rows.items():
        sums = [a + b for a, b in zip(sums, row)]
        print("%-34s %6d %6d %7d %8d %6d %7s" % ((module, totals[module]) + row
                                                 + (rate(row[1], row[0], row[3]),)))
    print("%-34s %6d %6d %7d %8d %6d %7s  (%.0f s)" % (("all", sum(totals.values())) + tuple(sums)
                                                       + (rate(sums[1], sums[0], sums[3]), seconds)))


def _versions():
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    try:
        import numpy
        numpy_version = "NumPy " + numpy.__version__
    except ImportError:
        numpy_version = "no NumPy"
    return "%s %s, %s%s" % (platform.python_implementation(), platform.python_version(),
                            numpy_version, ", commit " + commit if commit else "")


def markdown(results, totals, equivalent, command, per_module, seed, against):
    """The table for docs/mutation.md, between its markers."""
    rows = tally(results, equivalent)
    lines = [START, "", "Run on %s: `%s` (tools/mutate.py; %s). Seed %s, up to %d mutants per "
             "module drawn from its sites; each runs against %s and is killed when a test fails "
             "or it times out. The rate leaves out the survivors judged equivalent "
             "(`tools/mutation/equivalent.json`, each with its reason)."
             % (time.strftime("%Y-%m-%d"), command, _versions(), seed, per_module, against), "",
             "| module | sites | sampled | killed | survived | equivalent | killed, of the rest |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    sums = [0, 0, 0, 0]
    for module, (tried, killed, survived, eq) in rows.items():
        sums = [a + b for a, b in zip(sums, (tried, killed, survived, eq))]
        lines.append("| `%s` | %d | %d | %d | %d | %d | %s |" % (
            module, totals[module], tried, killed, survived, eq, rate(killed, tried, eq)))
    lines.append("| all | %d | %d | %d | %d | %d | %s |" % (
        (sum(totals.values()),) + tuple(sums) + (rate(sums[1], sums[0], sums[3]),)))
    survivors = [(m, r) for m, done in results.items() for r in done if r["killed"] is False]
    if survivors:
        lines += ["", "Survivors:", ""]
        for module, r in survivors:
            why = equivalent.get((module, r["code"], r["mutant"]))
            lines.append("- `%s:%d` %s: `%s`%s" % (module, r["line"], r["kind"], r["mutant"],
                                                    " (equivalent: %s)" % why if why else ""))
    return "\n".join(lines + ["", END])


def write_markdown(path, text):
    """Replace the part of ``path`` between the markers with ``text``, or
    write a new file holding it."""
    old = open(path).read() if os.path.exists(path) else ""
    if START in old and END in old:
        new = old[:old.index(START)] + text + old[old.index(END) + len(END):]
    else:
        new = (old.rstrip() + "\n\n" if old else "# Mutation testing\n\n") + text + "\n"
    with open(path, "w") as f:
        f.write(new)


def audit(results, sources):
    """Print, per ``# pragma: no mutate`` line, whether every mutant of it
    survived (equivalent, as the pragma claims) or some were killed (the
    pragma is wrong), and every pragma without its reason in parentheses.
    Return the number of problems."""
    problems = 0
    for module, source in sources.items():
        marked = [(i + 1, line) for i, line in enumerate(source.decode().splitlines())
                  if "pragma: no mutate" in line]
        for number, line in marked:
            done = [r for r in results.get(module, []) if r["line"] == number]
            killed = [r for r in done if r["killed"]]
            unsure = [r for r in done if r["killed"] is None]
            reason = REASON.search(line)
            if not done:
                verdict = "NO MUTANTS: the pragma marks nothing"
            elif killed:
                verdict = "KILLED after %d tried (the rest not run): the pragma is wrong" \
                    % len(done)
            elif unsure:
                verdict = "%d of %d could not be tested" % (len(unsure), len(done))
            else:
                verdict = "equivalent: all %d survive" % len(done)
            if not reason:
                verdict += "; NO REASON in parentheses"
            problems += bool(killed or unsure or not done or not reason)
            print("%s:%d  %s\n    %s" % (module, number, verdict, line.strip()))
            for r in killed:
                print("      killed by %s (exit %s): %s" % (r["what"], r["outcome"], r["mutant"]))
    sys.stdout.flush()
    return problems
