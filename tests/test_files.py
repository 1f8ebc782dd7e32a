"""tinynet.files (the one writer, the safe readers) and the bounded gzip reader
built on it in tinynet.datasets.sources, by class of fault."""

import gzip
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading

import pytest

from tinynet import files, tempfiles
from tinynet.datasets.sources import DataReader
from tinynet.errors import TinynetError

from conftest import ROOT

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file types")


def leftovers(directory):
    return sorted(n for n in os.listdir(directory) if n.endswith(".tmp"))


# === Writing: the ordinary case ===


def test_write_creates_the_file_with_the_content(tmp_path):
    target = tmp_path / "out.bin"
    files.write_atomically(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert leftovers(tmp_path) == []


def test_write_replaces_an_existing_file_and_takes_a_streaming_writer(tmp_path):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")

    def writer(f):
        for i in range(3):
            f.write(b"%d\n" % i)

    files.write_atomically(str(target), writer)
    assert target.read_bytes() == b"0\n1\n2\n"
    assert leftovers(tmp_path) == []


def test_a_bare_file_name_is_written_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files.write_atomically("plain.txt", b"x")
    assert (tmp_path / "plain.txt").read_bytes() == b"x"


# === Writing: never over something that is not a regular file ===


@posix_only
def test_a_symlink_to_a_device_is_refused_and_the_device_untouched(tmp_path):
    link = tmp_path / "null-link"
    link.symlink_to("/dev/null")
    with pytest.raises(TinynetError) as err:
        files.write_atomically(link, b"model")
    assert str(link) in str(err.value) and "character device" in str(err.value)
    assert os.path.islink(link) and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert leftovers(tmp_path) == []


@posix_only
def test_a_fifo_is_refused(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for call in (lambda: files.write_atomically(fifo, b"x"), lambda: files.check_writable(fifo)):
        with pytest.raises(TinynetError, match="FIFO") as err:
            call()
        assert str(fifo) in str(err.value)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_directory_is_refused(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(TinynetError, match="directory") as err:
        files.write_atomically(tmp_path / "d", b"x")
    assert str(tmp_path / "d") in str(err.value)
    assert (tmp_path / "d").is_dir()


@posix_only
def test_a_socket_is_refused(tmp_path):
    short = tempfile.mkdtemp(prefix="tn")  # AF_UNIX paths are short
    path = os.path.join(short, "s")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(path)
        with pytest.raises(TinynetError, match="socket"):
            files.write_atomically(path, b"x")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        sock.close()
        os.unlink(path)
        os.rmdir(short)


# === Writing: the temporary file ===


@posix_only
def test_a_symlink_planted_at_the_temporary_name_is_not_followed(tmp_path, monkeypatch):
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    tokens = iter(["aaaa", "bbbb"])
    monkeypatch.setattr(tempfiles, "token", lambda: next(tokens))
    planted = tmp_path / (".out.tinynet-%d-aaaa.tmp" % os.getpid())
    planted.symlink_to(victim)
    files.write_atomically(tmp_path / "out", b"new")
    assert victim.read_bytes() == b"precious"
    assert (tmp_path / "out").read_bytes() == b"new"
    assert os.path.islink(planted)  # left alone, not used


def test_temporary_names_are_unpredictable(tmp_path, monkeypatch):
    seen = []
    real = tempfiles.temp_name
    monkeypatch.setattr(tempfiles, "temp_name", lambda d, n: seen.append(real(d, n)) or seen[-1])
    for _ in range(3):
        files.write_atomically(tmp_path / "out", b"x")
    assert len(set(seen)) == 3
    assert all(os.path.dirname(s) == str(tmp_path) for s in seen)  # beside the target


@pytest.mark.parametrize("write", [lambda p: files.write_atomically(p, b"new"),
                                   files.check_writable], ids=["write", "check"])
def test_after_100_temporary_names_taken_the_error_is_eexist_naming_the_path(
        tmp_path, monkeypatch, write):
    import errno

    tries = []
    monkeypatch.setattr(tempfiles, "token", lambda: tries.append(1) or "aaaa")
    taken = tmp_path / (".out.tinynet-%d-aaaa.tmp" % os.getpid())  # a live writer's (ours)
    taken.write_bytes(b"someone else's")
    (tmp_path / "out").write_bytes(b"old")
    with pytest.raises(FileExistsError) as info:
        write(tmp_path / "out")
    assert (info.value.errno, info.value.filename) == (errno.EEXIST, str(tmp_path / "out"))
    assert info.value.strerror == "could not create a unique temporary file"
    assert len(tries) == 100
    assert (tmp_path / "out").read_bytes() == b"old"
    assert taken.read_bytes() == b"someone else's"


def test_a_name_free_at_the_100th_try_is_taken(tmp_path, monkeypatch):
    tokens = iter(["aaaa"] * 99 + ["bbbb"])
    monkeypatch.setattr(tempfiles, "token", lambda: next(tokens))
    taken = tmp_path / (".out.tinynet-%d-aaaa.tmp" % os.getpid())
    taken.write_bytes(b"someone else's")
    files.write_atomically(tmp_path / "out", b"new")
    assert (tmp_path / "out").read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path)) == [taken.name, "out"]


# === Writing: failures leave the previous file intact ===


@pytest.mark.parametrize("where", ["writer", "fsync", "replace", "interrupt"])
def test_a_failure_leaves_the_previous_file_and_no_temporary_file(tmp_path, monkeypatch, where):
    target = tmp_path / "model.pkl"
    target.write_bytes(b"previous")

    def writer(f):
        f.write(b"partial")
        if where == "writer":
            raise OSError(28, "No space left on device")
        if where == "interrupt":
            raise KeyboardInterrupt

    def broken(*args):
        raise OSError(5, "Input/output error")

    if where in ("fsync", "replace"):
        monkeypatch.setattr(os, where, broken)
    expected = KeyboardInterrupt if where == "interrupt" else OSError
    with pytest.raises(expected) as err:
        files.write_atomically(target, writer)
    monkeypatch.undo()
    assert target.read_bytes() == b"previous"
    assert leftovers(tmp_path) == []
    if expected is OSError:  # the user's path, never the temporary file's
        assert err.value.filename == str(target)
        assert ".tmp" not in str(err.value)


def test_an_error_from_the_writer_that_is_not_an_oserror_passes_through(tmp_path):
    target = tmp_path / "out"
    target.write_bytes(b"previous")

    def writer(f):
        raise ValueError("bad data")

    with pytest.raises(ValueError, match="bad data"):
        files.write_atomically(target, writer)
    assert target.read_bytes() == b"previous"


def test_a_missing_directory_is_named_by_the_users_path(tmp_path):
    target = tmp_path / "no" / "such" / "out"
    for call in (files.check_writable, lambda p: files.write_atomically(p, b"x")):
        with pytest.raises(FileNotFoundError) as err:
            call(target)
        assert err.value.filename == str(target)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_check_writable_refuses_a_read_only_directory(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(PermissionError) as err:
            files.check_writable(ro / "out")
        assert err.value.filename == str(ro / "out")
    finally:
        ro.chmod(0o700)


def test_check_writable_accepts_a_new_or_regular_file_and_leaves_nothing(tmp_path):
    files.check_writable(tmp_path / "new")
    (tmp_path / "old").write_bytes(b"keep")
    files.check_writable(tmp_path / "old")
    assert sorted(os.listdir(tmp_path)) == ["old"]
    assert (tmp_path / "old").read_bytes() == b"keep"


# === Writing: modes, without touching the process umask ===


@posix_only
def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "secret"
    target.write_bytes(b"old")
    target.chmod(0o600)
    files.write_atomically(target, b"new")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    target.chmod(0o644)
    files.write_atomically(target, b"newer")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o644


@posix_only
def test_a_new_file_gets_0o666_less_the_umask_and_the_umask_is_never_touched(
        tmp_path, monkeypatch):
    old = os.umask(0o027)
    try:
        def forbidden(*args):
            raise AssertionError("os.umask called: it changes the mode of every thread's files")

        monkeypatch.setattr(os, "umask", forbidden)
        files.write_atomically(tmp_path / "new", b"x")
        monkeypatch.undo()
    finally:
        assert os.umask(old) == 0o027
    assert stat.S_IMODE(os.stat(tmp_path / "new").st_mode) == 0o640


@posix_only
def test_files_other_threads_create_while_saving_keep_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        stop = threading.Event()
        modes = []

        def other_thread():
            i = 0
            while not stop.is_set():
                path = tmp_path / ("other%d" % i)
                with open(path, "w"):
                    pass
                modes.append(stat.S_IMODE(os.stat(path).st_mode))
                os.unlink(path)
                i += 1

        thread = threading.Thread(target=other_thread)
        thread.start()
        try:
            for i in range(200):
                files.write_atomically(tmp_path / "saved", b"x" * i)
        finally:
            stop.set()
            thread.join()
    finally:
        os.umask(old)
    assert modes and set(modes) == {0o644}


# === Reading ===


@posix_only
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_refused_before_reading(device):
    for call in (files.open_regular, lambda p: files.read_limited(p, 10 ** 12),
                 DataReader):
        with pytest.raises(TinynetError, match="character device") as err:
            call(device)
        assert device in str(err.value)


@posix_only
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def timeout(*args):
        raise AssertionError("opening a FIFO blocked")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(5)
    try:
        with pytest.raises(TinynetError, match="FIFO") as err:
            files.open_regular(fifo)
        assert str(fifo) in str(err.value)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_directory_is_refused_for_reading(tmp_path):
    with pytest.raises(TinynetError, match="directory"):
        files.open_regular(tmp_path)


def test_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        files.open_regular(tmp_path / "missing")


def test_read_limited_reads_up_to_the_cap_and_refuses_more(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert files.read_limited(path, 100) == b"x" * 100
    with pytest.raises(TinynetError, match="larger than the 99 bytes") as err:
        files.read_limited(path, 99)
    assert str(path) in str(err.value)


@pytest.mark.skipif(not os.path.isfile("/proc/self/cmdline"), reason="needs Linux's /proc")
def test_a_file_longer_than_its_size_says_is_held_to_the_cap_while_read():
    """A /proc file says it holds 0 bytes, as a file that grows after its
    size was taken would: the cap holds while reading, to the byte."""
    path = "/proc/self/cmdline"
    with open(path, "rb") as f:
        content = f.read()
    assert os.stat(path).st_size == 0 and len(content) > 10
    assert files.read_limited(path, len(content)) == content
    assert files.read_limited(path, len(content) + 1) == content
    with pytest.raises(TinynetError, match="^/proc/self/cmdline: larger than the %s bytes a "
                                           "command line may be$" % format(len(content) - 1, ",")):
        files.read_limited(path, len(content) - 1, "command line")


@pytest.mark.parametrize("size", [(1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 19])
def test_a_file_of_one_or_two_blocks_is_read_whole(tmp_path, size):
    data = bytes(k % 251 for k in range(size))
    (tmp_path / "f").write_bytes(data)
    assert files.read_limited(tmp_path / "f", size) == data


def test_a_read_of_exactly_one_byte_more_than_a_block_is_whole(tmp_path):
    from tinynet.datasets.sources import READ_BLOCK

    data = bytes(k % 251 for k in range(READ_BLOCK + 3))
    (tmp_path / "f").write_bytes(data)
    with DataReader(str(tmp_path / "f")) as f:
        assert f.read_exactly(READ_BLOCK + 1) == data[:READ_BLOCK + 1]
        assert f.read_exactly(2) == data[-2:] and f.at_end()


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_line_may_be_as_long_as_its_limit_and_no_longer(tmp_path, gzipped):
    path = tmp_path / "lines"
    data = b"12345678\n" + b"123456789\n"  # 9 bytes, then 10
    path.write_bytes(gzip.compress(data) if gzipped else data)
    with DataReader(str(path)) as f:
        assert f.readline(9) == b"12345678\n"
        with pytest.raises(TinynetError, match="^%s: a line longer than 9 bytes; refused unread$"
                           % re.escape(str(path))):
            f.readline(9)
    with DataReader(str(path)) as f:
        assert list(f.lines(10)) == [b"12345678\n", b"123456789\n"]


def test_an_empty_file_is_read_as_no_bytes(tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    assert files.read_limited(tmp_path / "empty", 0) == b""
    assert files.read_limited(tmp_path / "empty", 10) == b""


def test_data_reader_reads_plain_and_gzip_alike(tmp_path):
    (tmp_path / "a").write_bytes(b"one\ntwo\n")
    (tmp_path / "a.gz").write_bytes(gzip.compress(b"one\ntwo\n"))
    for name in ("a", "a.gz"):
        with DataReader(tmp_path / name) as f:
            assert list(f.lines(100)) == [b"one\n", b"two\n"]
            assert f.compressed == name.endswith(".gz")


def test_a_decompression_bomb_stops_at_the_cap(tmp_path):
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(gzip.compress(b"\0" * (64 << 20)))  # 64 MB in about 64 KB
    assert bomb.stat().st_size < 200_000
    with DataReader(bomb, limit=1 << 20) as f:
        with pytest.raises(TinynetError, match="once decompressed") as err:
            f.read()
        assert f.count <= (1 << 20) + 1
    assert str(bomb) in str(err.value)


def test_a_long_line_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "long.csv.gz"
    path.write_bytes(gzip.compress(b"1," * (8 << 20) + b"\n"))
    with DataReader(path) as f:
        with pytest.raises(TinynetError, match="a line longer than 1,000 bytes") as err:
            next(f.lines(1000))
    assert str(path) in str(err.value)


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_a_broken_gzip_is_an_error_naming_the_file(tmp_path, damage):
    data = gzip.compress(bytes(range(256)) * 400)
    if damage == "truncated":
        data = data[:len(data) // 2]
    else:
        data = data[:20] + bytes(b ^ 0xFF for b in data[20:60]) + data[60:]
    path = tmp_path / "broken.gz"
    path.write_bytes(data)
    with pytest.raises(TinynetError) as err:
        with DataReader(path) as f:
            f.read()
    assert str(path) in str(err.value) and "gzip" in str(err.value)


def test_read_exactly_names_what_is_missing(tmp_path):
    path = tmp_path / "short"
    path.write_bytes(b"abc")
    with DataReader(path) as f:
        with pytest.raises(TinynetError, match="ends early: pixels 10 bytes expected, 3 found"):
            f.read_exactly(10, "pixels")


def test_files_imports_without_os_features(monkeypatch, tmp_path):
    """The MicroPython path: no os.open, so a plain temporary file and rename."""
    monkeypatch.delattr(os, "open")
    target = tmp_path / "out"
    target.write_bytes(b"old")
    files.write_atomically(str(target), b"new")
    assert target.read_bytes() == b"new"
    with files.open_regular(str(target)) as f:
        assert f.read() == b"new"
    assert leftovers(tmp_path) == []
    with pytest.raises(TinynetError):
        files.open_regular(str(tmp_path))
    if sys.platform != "win32":
        with pytest.raises(TinynetError):
            files.open_regular("/dev/zero")


# === Temporary names are measured in bytes ===

LONG_NAMES = ["\U0001f600" * 61, "\u00e9" * 122, "\u65e5\u672c" * 42, "a" * 255,
              os.fsdecode(b"\xff" * 200)]


@pytest.mark.parametrize("name", LONG_NAMES, ids=lambda n: "%d-bytes-%r" % (
    len(os.fsencode(n)), n[:2]))
@pytest.mark.parametrize("as_bytes", [False, True])
def test_a_long_non_ascii_name_can_be_written(tmp_path, monkeypatch, name, as_bytes):
    """Names of up to 255 bytes are valid on Linux; the temporary name is
    cut in bytes, at a character boundary, to fit the same limit."""
    made = []
    real = tempfiles.temp_name
    monkeypatch.setattr(tempfiles, "temp_name", lambda d, n: made.append(real(d, n)) or made[-1])
    target = str(tmp_path / name)
    files.write_atomically(os.fsencode(target) if as_bytes else target, b"content")
    with open(target, "rb") as f:
        assert f.read() == b"content"
    temp = os.fsencode(os.path.basename(made[0]))
    assert len(temp) <= tempfiles.NAME_MAX and tempfiles.owner(temp) == os.getpid()
    assert isinstance(made[0], bytes) == as_bytes
    if not name.startswith(os.fsdecode(b"\xff")):  # a UTF-8 name is cut between characters
        os.fsencode(made[0]).decode("utf-8")
    assert leftovers(tmp_path) == []


def test_a_name_longer_than_255_bytes_is_refused_naming_it(tmp_path):
    target = str(tmp_path / ("\u00e9" * 128))  # 256 bytes
    with pytest.raises(OSError) as err:
        files.write_atomically(target, b"x")
    assert err.value.filename == target and ".tmp" not in str(err.value)
    assert leftovers(tmp_path) == []


# === Temporary files that killed writers left ===

KILLED_WRITER = r"""
import sys, time
from tinynet import files

def writer(f):
    f.write(b"half of it")
    f.flush()
    print("ready", flush=True)
    time.sleep(120)

files.write_atomically(sys.argv[1], writer)
"""


def start_writers(target, n):
    """Start ``n`` processes each half-way through writing ``target``."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    children = [subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)],
                                 stdout=subprocess.PIPE, env=env) for _ in range(n)]
    for child in children:
        assert child.stdout.readline() == b"ready\n"
    return children


def stop(children):
    for child in children:
        child.kill()  # SIGKILL: the writer gets no chance to clean up
        child.wait()
        child.stdout.close()


def age(path, seconds=3600):
    old = os.lstat(path).st_mtime - seconds
    os.utime(path, (old, old), follow_symlinks=False)


def dead_pid():
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def temp_of(pid, name="m.pkl"):
    return ".%s.tinynet-%d-%s.tmp" % (name, pid, "0123456789abcdef")


@posix_only
def test_temporary_files_of_killed_saves_are_removed_by_the_next_save(tmp_path):
    target = tmp_path / "m.pkl"
    target.write_bytes(b"previous")
    stop(start_writers(target, 4))
    left = leftovers(tmp_path)
    assert len(left) == 4 and target.read_bytes() == b"previous"  # killed: nothing replaced
    # Just killed: too young to tell from a writer that has not locked its file yet.
    files.write_atomically(tmp_path / "other", b"x")
    assert leftovers(tmp_path) == left
    for name in left:
        age(tmp_path / name)
    files.write_atomically(tmp_path / "other", b"y")  # any save into the folder
    assert leftovers(tmp_path) == []
    assert target.read_bytes() == b"previous" and (tmp_path / "other").read_bytes() == b"y"


@posix_only
def test_a_live_writers_temporary_file_is_never_removed(tmp_path):
    target = tmp_path / "m.pkl"
    children = start_writers(target, 1)
    try:
        (name,) = leftovers(tmp_path)
        age(tmp_path / name)  # old, but its writer is alive: kept
        files.write_atomically(tmp_path / "other", b"x")
        assert leftovers(tmp_path) == [name]
    finally:
        stop(children)


@posix_only
def test_only_tinynets_own_stale_files_are_removed(tmp_path):
    import fcntl

    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    dead = dead_pid()
    kept = {
        "m.pkl.tmp": b"another program's",
        ".m.pkl.%016x.tmp" % 7: b"an older tinynet's name",
        ".m.pkl.tinynet-%d-zzzz.tmp" % dead: b"not quite the pattern",
        ".m.pkl.tinynet-0%d-0123456789abcdef.tmp" % dead: b"not quite the pattern",
        temp_of(os.getpid(), "mine"): b"this process's own",
        temp_of(dead, "locked"): b"a writer in another pid namespace holds its lock",
    }
    for name, data in kept.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / temp_of(dead, "link")).symlink_to(victim)  # never followed, never removed
    (tmp_path / temp_of(dead, "folder")).mkdir()
    removable = tmp_path / temp_of(dead, "stale")
    removable.write_bytes(b"left by a killed save")
    if os.geteuid() == 0:  # root can make a file of someone else's
        other = tmp_path / temp_of(dead, "nobody")
        other.write_bytes(b"another user's")
        os.chown(other, 65534, 65534)
        kept[other.name] = b"another user's"
    for name in os.listdir(tmp_path):
        age(tmp_path / name)
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"]) as alive:
        try:  # a live process's, even unlocked (its writer may not have locked it yet)
            (tmp_path / temp_of(alive.pid, "alive")).write_bytes(b"alive")
            age(tmp_path / temp_of(alive.pid, "alive"))
            kept[temp_of(alive.pid, "alive")] = b"alive"
            with open(tmp_path / temp_of(dead, "locked"), "rb") as held:
                fcntl.flock(held.fileno(), fcntl.LOCK_EX)
                files.write_atomically(tmp_path / "other", b"x")
        finally:
            alive.kill()
    assert not removable.exists()  # the pass ran
    for name, data in kept.items():
        assert (tmp_path / name).read_bytes() == data, name
    assert os.path.islink(tmp_path / temp_of(dead, "link")) and victim.read_bytes() == b"precious"
    assert (tmp_path / temp_of(dead, "folder")).is_dir()


def test_the_pattern_is_read_exactly():
    good = temp_of(4242)
    assert tempfiles.owner(good) == 4242 and tempfiles.owner(good.encode()) == 4242
    for name in [good[1:], good[:-1], good.replace("4242", "0"), good.replace("4242", "-1"),
                 good.replace("4242", "\u0664\u0662"), good.replace("abcdef", "ABCDEF"),
                 good.replace("0123456789abcdef", "0123456789abcde"), ".tinynet-1-%s.tmp" % ("0" * 16),
                 good.replace("4242", "9" * 11)]:
        assert tempfiles.owner(name) is None, name
    assert tempfiles.owner(os.path.basename(tempfiles.temp_name(".", "x"))) == os.getpid()


# === What a file holds: one sniffer (tinynet.kinds) ===


def test_every_file_tinynet_writes_is_told_by_its_first_bytes(tmp_path):
    import tinynet
    from tinynet import compact, datasets, kinds, plots

    net = tinynet.DNN([784, 4, 10], seed=0, backend="python")
    X, y = datasets.load_sample("test")
    writers = {
        "m.pkl": ("pickle", lambda p: tinynet.save(net, p)),
        "m.json": ("json", lambda p: tinynet.save(net, p)),
        "m.tnb": ("compact", lambda p: tinynet.save(net, p)),
        "d.csv": ("text", lambda p: datasets.save_csv(p, X[:3], y[:3])),
        "d.csv.gz": ("gzip", lambda p: datasets.save_csv(p, X[:3], y[:3])),
        "i.idx": ("idx-images", lambda p: datasets.save_idx(p, X[:3], str(p) + "l", y[:3])),
        "w.png": ("png", lambda p: plots.weights(net).save(p)),
        "c.svg": ("text", lambda p: plots.confusion_chart([[1, 0], [0, 1]]).save(p)),
        "empty": ("empty", lambda p: files.write_atomically(p, b"")),
        "noise": ("binary", lambda p: files.write_atomically(p, bytes(range(256)))),
    }
    for name, (expected, write) in writers.items():
        write(tmp_path / name)
        assert kinds.kind_of_file(tmp_path / name) == expected, name
    assert kinds.kind_of_file(tmp_path / "i.idxl") == "idx-labels"
    assert compact.MAGIC is kinds.COMPACT_MAGIC  # one definition of the compact magic
    from tinynet.datasets.sources import content_kind, kind

    assert content_kind(tmp_path / "d.csv.gz") == "text"  # the data readers look inside
    assert [kind(tmp_path / n) for n in ("m.tnb", "m.pkl", "m.json", "d.csv.gz", "i.idx")] == [
        "model", "model", "model", "csv", "idx-images"]


@pytest.mark.parametrize("head,expected", [
    (b"", "empty"), (b"\x89TNB\x01\x00", "compact"), (b"\x80\x02}q", "pickle"),
    (b'\xef\xbb\xbf\r\n {"a": 1}', "json"), (b"[1, 2]", "text"), (b"\x1f\x8b\x08", "gzip"),
    (b"\x00\x00\x08\x03", "idx-images"), (b"\x00\x00\x08\x01", "idx-labels"),
    (b"\x00\x00\x08\x02", "idx"), (b"\x00\x00\x0d\x03", "idx"), (b"\x00\x00\x07\x03", "binary"),
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\x93NUMPY\x01\x00", "npy"), (b"PK\x03\x04", "zip"),
    (b"label,1x1\r\n7,0\r\n", "text"), ("\u00e9t\u00e9,1\n".encode() * 100, "text"),
    (("x" * 511 + "\u00e9").encode(), "text"), (b"a,b\x00c", "binary"), (b"\x1b[31m", "binary"),
    (b"\xff\xfe\x00", "binary")])
def test_kind_of_bytes_names_each_kind(head, expected):
    from tinynet.kinds import KINDS, kind_of_bytes

    assert kind_of_bytes(head) == expected and expected in KINDS


def test_every_writer_takes_a_bytes_path(tmp_path):
    import tinynet
    from tinynet import datasets, plots

    X, y = datasets.load_sample("test")
    net = tinynet.DNN([784, 4, 10], seed=0, backend="python")
    target = lambda name: os.fsencode(str(tmp_path / name))  # noqa: E731
    datasets.save_csv(target("d.csv.gz"), X[:3], y[:3])
    datasets.save_idx(target("i.idx.gz"), X[:3], target("l.idx"), y[:3])
    plots.weights(net).save(target("w.png"))
    plots.confusion_chart([[1, 0], [0, 1]]).save(target("c.svg"))
    plots.confusion_chart([[1, 0], [0, 1]]).save(target("c.png"))
    tinynet.save(net, target("m.tnb"))
    assert datasets.load_csv(target("d.csv.gz"))[1] == list(y[:3])
    assert datasets.load_idx(target("i.idx.gz"), target("l.idx"))[1] == list(y[:3])
    from tinynet.kinds import kind_of_file

    assert [kind_of_file(target(n)) for n in ("d.csv.gz", "i.idx.gz", "w.png", "c.svg", "c.png",
                                              "m.tnb")] == ["gzip", "gzip", "png", "text", "png",
                                                            "compact"]
    assert leftovers(tmp_path) == []
