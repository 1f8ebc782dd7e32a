"""Every code block in README.md, run, so the README cannot drift from the code.

How each block is run, by its fence's language:

- ``python``: executed in a fresh namespace, in a fresh temporary directory
  that holds small CSV files cut from the bundled sample (``mnist_train.csv``,
  300 labelled rows; ``mnist_test.csv``, 100; ``test.csv``, 50 unlabelled
  rows, Kaggle's layout).  Tracebacks name README.md and its line numbers.
- ``sh``/``bash``/``shell``/``console``: one command a line (``#`` comments and
  ``\\`` continuations allowed), in such a directory:
  ``python -m tinynet ...`` and ``tinynet ...`` run through the command line
  in-process and must exit 0; ``python SCRIPT.py ...`` runs a repository
  script in a subprocess (one under ``benchmarks/`` is only checked to
  exist: benchmarks need the full MNIST and minutes, and ``tox -e bench``
  runs them); ``pip install ...`` is checked, not run (a
  requirement naming tinynet must be a path or a URL, since the name on PyPI
  belongs to an unrelated project, and its extras must exist in setup.cfg);
  ``tox -e ENV`` is checked, not run (ENV must exist in tox.ini); ``tox``,
  ``pytest``, ``git``, ``cd``, ``mpremote``, ``npm``, ``node`` and
  ``bash .ci/run`` are the tools around the project and are not run.  Any
  other command fails the test until its block is marked.
- any other language (``text``, ``json``, none): output or data, not run.

Markers: HTML comment lines right above a block's opening fence (GitHub
shows nothing of them), one or more of::

    <!-- readme-test: skip REASON -->         do not run this block (say why)
    <!-- readme-test: env NAME=VALUE ... -->  set environment variables while it runs
    <!-- readme-test: args ARG ... -->        shell: append these arguments to every
                                              tinynet command or script (argparse
                                              takes the last value given), e.g.
                                              --epochs 1 --data sample
    <!-- readme-test: replace OLD => NEW -->  python: replace the text OLD (which must
                                              occur) by NEW before running, e.g.
                                              epochs=10 => epochs=1
    <!-- readme-test: continue -->            python: run in the namespace left by the
                                              previous python block (the blocks before
                                              it in the chain run first)

A block too slow for CI is run with smaller settings through ``args`` or
``replace``, not skipped, wherever possible.
"""

import configparser
import os
import re
import shlex
import subprocess
import sys
import traceback

import pytest

from conftest import ROOT
from tinynet import datasets

README = os.path.join(ROOT, "README.md")
SHELL = ("sh", "bash", "shell", "console")
MARKER = re.compile(r"^\s*<!--\s*readme-test:\s*(\w+)\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)")
NOT_RUN = {"tox", "pytest", "git", "cd", "mpremote", "npm", "node", "bash"}


class Block:
    def __init__(self, line, language, code, markers, path=README):
        self.line, self.language, self.code, self.markers = line, language, code, markers
        self.path = path
        self.previous = None  # the block a "continue" block continues

    def marker(self, name):
        return [value for key, value in self.markers if key == name]

    def __repr__(self):
        return "%s:%d (%s)" % (os.path.basename(self.path), self.line,
                               self.language or "no language")


def parse_readme(path=README):
    """Return the README's code blocks, in order; ``line`` is the 1-based
    line of the first line of code."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks, i = [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence, language = match.group(1), match.group(2), match.group(3).lower()
        markers, k = [], i - 1
        while k >= 0 and (MARKER.match(lines[k]) or not lines[k].strip()):
            found = MARKER.match(lines[k])
            if found:
                markers.insert(0, (found.group(1), found.group(2)))
            k -= 1
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith(fence[0] * len(fence)):
            end += 1
        if end == len(lines):
            raise AssertionError("README.md:%d: a code fence is never closed" % (i + 1))
        code = [line[len(indent):] if line.startswith(indent) else line.lstrip()
                for line in lines[i + 1:end]]
        blocks.append(Block(i + 2, language, "\n".join(code), markers, path))
        i = end + 1
    last_python = None
    for block in blocks:
        if block.language == "python":
            if block.marker("continue"):
                block.previous = last_python
            last_python = block
    return blocks


BLOCKS = parse_readme()
RUN = [b for b in BLOCKS if b.language == "python" or b.language in SHELL]


def test_the_readme_has_code_blocks_and_every_marker_is_known():
    assert len(RUN) >= 5, "found only %s" % RUN
    known = {"skip", "env", "args", "replace", "continue"}
    for block in BLOCKS:
        for key, value in block.markers:
            assert key in known, "%r: unknown marker readme-test: %s" % (block, key)
            if key == "skip":
                assert value, "%r: say why the block is skipped: readme-test: skip REASON" % block
            if key == "replace":
                assert "=>" in value, "%r: replace needs OLD => NEW" % block
        if block.marker("continue"):
            assert block.previous is not None, "%r: continue, but no python block before" % block


def test_every_picture_the_readme_shows_exists():
    with open(README, encoding="utf-8") as f:
        text = f.read()
    links = re.findall(r"!\[[^\]]*\]\(([^)\s]+)", text) + re.findall(r'<img[^>]*src="([^"]+)"', text)
    local = [link for link in links if "://" not in link]
    assert local, "the README shows no pictures"
    for link in local:
        assert os.path.isfile(os.path.join(ROOT, link)), "README.md links to missing %s" % link


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    X, y = datasets.load_sample("train")
    Xt, yt = datasets.load_sample("test")
    datasets.save_csv(tmp_path / "mnist_train.csv", X[:300], y[:300])
    datasets.save_csv(tmp_path / "mnist_test.csv", Xt[:100], yt[:100])
    datasets.save_csv(tmp_path / "test.csv", Xt[:50])
    (tmp_path / "docs").mkdir()  # as in a clone: the commands write into docs/images
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TINYNET_DATA", str(tmp_path / "cache"))  # never the user's cache
    return tmp_path


def _apply_env(block, monkeypatch):
    for value in block.marker("env"):
        for item in shlex.split(value):
            name, _, setting = item.partition("=")
            monkeypatch.setenv(name, setting)


def _python_source(block):
    code = block.code
    for value in block.marker("replace"):
        old, _, new = (part.strip() for part in value.partition("=>"))
        assert old in code, "%r: 'replace %s => ...' but the block no longer has %r" % (
            block, old, old)
        code = code.replace(old, new)
    return code


def run_python_block(block, monkeypatch):
    chain = []
    b = block
    while b is not None:
        chain.insert(0, b)
        b = b.previous
    namespace = {"__name__": "__main__"}
    for b in chain:
        _apply_env(b, monkeypatch)
        code = _python_source(b)
        # Padded with blank lines so a traceback's line numbers are README.md's.
        compiled = compile("\n" * (b.line - 1) + code, b.path, "exec")
        try:
            exec(compiled, namespace)
        except Exception:
            pytest.fail("%r failed:\n%s" % (b, traceback.format_exc()), pytrace=False)


def _repo_extras():
    config = configparser.ConfigParser()
    config.read(os.path.join(ROOT, "setup.cfg"))
    return set(config["options.extras_require"]) if config.has_section(
        "options.extras_require") else set()


def check_pip(block, where, words):
    args = words[words.index("install") + 1:] if "install" in words else []
    requirements = [a for a in args if not a.startswith("-")]
    assert requirements, "%s: pip with nothing to install: %s" % (where, " ".join(words))
    for req in requirements:
        name, _, url = (part.strip() for part in req.partition("@"))
        base = re.split(r"[\[<>=!~ ]", name, maxsplit=1)[0]
        extras = re.findall(r"\[([^\]]*)\]", name)
        local = base in (".", "..") or base.startswith(("./", "/", "../")) or bool(url)
        if base.lower() == "tinynet" and not url:
            pytest.fail("%s: %r installs the unrelated project that holds the name 'tinynet' on "
                        "PyPI; install from a clone (pip install .) or the repository URL"
                        % (where, req), pytrace=False)
        if local:
            if url:
                assert url.startswith(("git+", "https://", "file:")), "%s: odd URL %r" % (where, url)
            for extra in ",".join(extras).split(","):
                if extra.strip():
                    assert extra.strip() in _repo_extras(), (
                        "%s: extra [%s] is not in setup.cfg's extras_require (%s)"
                        % (where, extra, ", ".join(sorted(_repo_extras()))))


def _tox_envs():
    config = configparser.ConfigParser(interpolation=None)
    config.read(os.path.join(ROOT, "tox.ini"))
    envs = {s.split(":", 1)[1] for s in config.sections() if s.startswith("testenv:")}

    def expand(pattern):
        match = re.search(r"\{([^{}]*)\}", pattern)
        if not match:
            return [pattern]
        out = []
        for choice in match.group(1).split(","):
            out.extend(expand(pattern[:match.start()] + choice.strip() + pattern[match.end():]))
        return out

    for line in config.get("tox", "env_list", fallback="").split():
        envs.update(expand(line))
    return envs


def check_tox(block, where, words):
    if "-e" in words:
        for env in words[words.index("-e") + 1].split(","):
            assert env in _tox_envs(), "%s: tox env %r is not in tox.ini (%s)" % (
                where, env, ", ".join(sorted(_tox_envs())))


def shell_commands(block):
    """``(line, words)`` for each command of a shell block."""
    lines = block.code.split("\n")
    i = 0
    while i < len(lines):
        start, text = block.line + i, lines[i]
        while text.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text.rstrip()[:-1] + " " + lines[i]
        i += 1
        text = re.sub(r"^\s*\$\s+", "", text)  # a "$ " prompt
        words = shlex.split(text, comments=True)
        if words:
            yield start, words


def run_shell_block(block, monkeypatch, capsys):
    from tinynet.cli import main

    _apply_env(block, monkeypatch)
    extra = [w for value in block.marker("args") for w in shlex.split(value)]
    for line, words in shell_commands(block):
        where = "README.md:%d: `%s`" % (line, " ".join(words))
        python = words[0] in ("python", "python3") or re.match(r"python3\.\d+$", words[0])
        module = words[2] if python and len(words) > 2 and words[1] == "-m" else None
        if words[0] == "tinynet" or module == "tinynet":
            argv = words[1:] if words[0] == "tinynet" else words[3:]
            status = main(argv + extra)
            out, err = capsys.readouterr()
            assert status == 0, "%s exited %d:\n%s%s" % (where, status, out[-3000:], err)
        elif words[0] == "pip" or module == "pip":
            check_pip(block, where, words)
        elif words[0] == "tox" or module == "tox":
            check_tox(block, where, words)
        elif words[0] in NOT_RUN or module in ("pytest", "mypy"):
            continue
        elif python and len(words) > 1 and words[1].endswith(".py"):
            script = os.path.join(ROOT, words[1])
            assert os.path.isfile(script), "%s: no such script in the repository" % where
            if words[1].replace(os.sep, "/").startswith("benchmarks/"):
                continue  # checked, not run: benchmarks need the full MNIST and minutes
            env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
            result = subprocess.run([sys.executable, script] + words[2:] + extra, env=env,
                                    capture_output=True, text=True, timeout=900)
            assert result.returncode == 0, "%s exited %d:\n%s%s" % (
                where, result.returncode, result.stdout[-3000:], result.stderr[-3000:])
        else:
            pytest.fail("%s: the README test does not know how to run %r; mark its block "
                        "(see tests/test_readme.py)" % (where, words[0]), pytrace=False)


@pytest.mark.parametrize("block", RUN, ids=lambda b: "line%d-%s" % (b.line, b.language))
def test_readme_block(block, workdir, monkeypatch, capsys):
    reasons = block.marker("skip")
    if reasons:
        pytest.skip("%r: %s" % (block, reasons[0]))
    if block.language == "python":
        run_python_block(block, monkeypatch)
    else:
        run_shell_block(block, monkeypatch, capsys)


def test_the_checks_catch_a_wrong_install_line_and_an_unknown_tox_env():
    block = Block(7, "sh", "pip install tinynet\ntox -e nosuchenv\npip install '.[nosuch]'", [])
    commands = list(shell_commands(block))
    assert [line for line, _ in commands] == [7, 8, 9]
    with pytest.raises(pytest.fail.Exception, match="README.md:7.*unrelated project"):
        check_pip(block, "README.md:7", commands[0][1])
    with pytest.raises(AssertionError, match="'nosuchenv' is not in tox.ini"):
        check_tox(block, "README.md:8", commands[1][1])
    with pytest.raises(AssertionError, match=r"extra \[nosuch\]"):
        check_pip(block, "README.md:9", commands[2][1])
    for good in ('pip install .', 'pip install ".[numpy]"', "pip install -e .",
                 'pip install "tinynet[numpy] @ git+https://example.org/you/tinynet"', "pip install tox"):
        check_pip(block, "x", shlex.split(good))
    assert {"py311-numpy", "pypy3-pure", "package"} <= _tox_envs()


def test_a_failing_block_is_reported_with_its_readme_line(tmp_path, monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text("# t\n\n<!-- readme-test: replace 2 => 0 -->\n```python\nx = 1\ny = x / 2\n```\n")
    block, = parse_readme(str(readme))
    assert block.line == 5 and block.marker("replace") == ["2 => 0"]
    with pytest.raises(pytest.fail.Exception, match=r'(?s)README.md:5 \(python\).*line 6.*ZeroDivision'):
        run_python_block(block, monkeypatch)
