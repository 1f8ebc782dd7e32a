"""Writing files safely (tinynet.files, the one writer): by class of fault -
never over what is not a regular file, never through a planted symlink, the
previous file intact on any failure, modes kept without touching the umask,
temporary names (unpredictable, measured in bytes) and the temporary files
killed writers left; every writer of the package goes through it; and
files.py's helpers corner by corner, including the forms MicroPython gives."""

import errno
import os
import socket
import stat
import subprocess
import sys
import tempfile
import threading

import pytest

import tinynet
from tinynet import DNN, datasets, files, tempfiles
from tinynet.errors import TinynetError

from conftest import ROOT
from hardening_util import cli, leftovers as parts_left, one_line_error

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


# === MicroPython: no os.open ===


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


@posix_only
def test_a_file_whose_pid_cannot_be_looked_up_is_kept(tmp_path):
    """A pid of ten digits is beyond what os.kill takes (OverflowError):
    whether its writer lives cannot be told, so its file stays."""
    name = temp_of(9999999999)
    (tmp_path / name).write_bytes(b"whose?")
    age(tmp_path / name)
    assert tempfiles.remove_stale(str(tmp_path)) == []
    assert leftovers(tmp_path) == [name]


@posix_only
def test_a_file_replaced_between_its_look_and_its_opening_is_kept(tmp_path):
    """The stale file is examined by name, then opened: if what is opened is
    another file (another inode), nothing is removed."""
    import fcntl
    import time

    name = temp_of(dead_pid())
    (tmp_path / name).write_bytes(b"stale")
    age(tmp_path / name)

    class Replaced:
        def __getattr__(self, attr):
            return getattr(os, attr)

        def fstat(self, fd):
            st = os.fstat(fd)
            return os.stat_result((st.st_mode, st.st_ino + 1) + tuple(st)[2:])

    directory = os.open(str(tmp_path), os.O_RDONLY)
    try:
        assert tempfiles._remove_if_stale(Replaced(), fcntl, directory, name, time.time()) is False
        assert leftovers(tmp_path) == [name]
        assert tempfiles._remove_if_stale(os, fcntl, directory, name, time.time()) is True
        assert leftovers(tmp_path) == []
    finally:
        os.close(directory)


def test_the_pattern_is_read_exactly():
    good = temp_of(4242)
    assert tempfiles.owner(good) == 4242 and tempfiles.owner(good.encode()) == 4242
    for name in [good[1:], good[:-1], good.replace("4242", "0"), good.replace("4242", "-1"),
                 good.replace("4242", "\u0664\u0662"), good.replace("abcdef", "ABCDEF"),
                 good.replace("0123456789abcdef", "0123456789abcde"), ".tinynet-1-%s.tmp" % ("0" * 16),
                 good.replace("4242", "9" * 11)]:
        assert tempfiles.owner(name) is None, name
    assert tempfiles.owner(os.path.basename(tempfiles.temp_name(".", "x"))) == os.getpid()


# === Every writer takes a bytes path ===


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


# tinynet.files corner by corner: every kind of file named in a refusal, the errors it passes
# through or retells, the durable rename, the path MicroPython takes.


KINDS = [(stat.S_IFDIR, "a directory"), (stat.S_IFCHR, "a character device"),
         (stat.S_IFBLK, "a block device"), (stat.S_IFIFO, "a FIFO (named pipe)"),
         (stat.S_IFSOCK, "a socket"), (stat.S_IFLNK, "a symbolic link"),
         (0, "not a regular file")]


@pytest.mark.parametrize("kind, name", KINDS)
def test_every_kind_of_file_is_named_in_the_refusal(kind, name):
    # MicroPython's os.stat gives a plain tuple, CPython's a stat_result
    for st in ((kind | 0o644, 0, 0), os.stat_result((kind | 0o644,) + (0,) * 9)):
        with pytest.raises(TinynetError, match=r"^some/path: refusing to read %s; give the path of "
                           r"a regular file$" % name.replace("(", r"\(").replace(")", r"\)")):
            files._refuse_special("some/path", st, "read")
    files._refuse_special("some/path", (stat.S_IFREG | 0o600, 1, 2), "read")  # a regular file


def test_a_directory_is_named_as_one(tmp_path):
    for call, doing in ((files.check_writable, "write over"), (files.open_regular, "read")):
        with pytest.raises(TinynetError) as err:
            call(tmp_path)
        assert str(err.value) == "%s: refusing to %s a directory; give the path of a regular file" \
            % (tmp_path, doing)


def test_a_missing_directory_is_told_by_its_folder_and_the_users_path(tmp_path):
    target = tmp_path / "no" / "out"
    for call in (files.check_writable, lambda p: files.write_atomically(p, b"x")):
        with pytest.raises(FileNotFoundError) as err:
            call(target)
        assert str(err.value) == "[Errno 2] the folder %s does not exist: '%s'" % (
            tmp_path / "no", target)
    (tmp_path / "file").write_bytes(b"")
    for target in (tmp_path / "file" / "out", tmp_path / "file" / "deeper" / "out"):
        with pytest.raises(NotADirectoryError) as err:
            files.write_atomically(target, b"x")
        assert str(err.value) == "[Errno 20] the folder %s is not a folder (a file stands in " \
            "its path): '%s'" % (target.parent, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@posix_only
def test_a_path_that_cannot_be_looked_at_is_not_taken_for_a_missing_one(tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)  # stat fails with ELOOP, not ENOENT
    with pytest.raises(OSError) as err:
        files.check_writable(loop)
    assert err.value.errno == errno.ELOOP
    assert files._stat(tmp_path / "missing") is None


def test_an_oserror_about_another_file_passes_through_untold(tmp_path):
    target = tmp_path / "out"
    target.write_bytes(b"previous")
    other = str(tmp_path / "elsewhere" / "input")

    def writer(f):
        f.write(b"half")
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", other)

    with pytest.raises(FileNotFoundError) as err:
        files.write_atomically(target, writer)
    assert err.value.filename == other
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_the_rename_is_made_durable_by_syncing_the_directory(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.fstat(fd)) or real(fd))
    files.write_atomically(tmp_path / "out", b"x")
    assert len(synced) == 2 and stat.S_ISREG(synced[0].st_mode)  # the data, then the folder
    assert stat.S_ISDIR(synced[1].st_mode) and synced[1].st_ino == os.stat(tmp_path).st_ino


def test_the_micropython_path_split(monkeypatch):
    monkeypatch.delattr(os, "path")  # MicroPython has no os.path
    try:
        got = [files._split(p) for p in ("a/b/c", "c", "/c", b"x/y", b"y")]
    finally:
        monkeypatch.undo()
    assert got == [("a/b", "c"), (".", "c"), ("/", "c"), (b"x", b"y"), (b".", b"y")]


def test_an_oserror_without_an_errno_passes_through_as_it_is(tmp_path):
    raised = OSError("the disk went away")

    def writer(f):
        raise raised

    with pytest.raises(OSError) as err:
        files.write_atomically(tmp_path / "out", writer)
    assert err.value is raised and not (tmp_path / "out").exists()


def test_temporary_names_without_urandom(monkeypatch):
    from tinynet import tempfiles

    assert len(tempfiles.token()) == 16 and int(tempfiles.token(), 16) >= 0  # 64 random bits
    def missing(n):
        raise NotImplementedError("no urandom on this port")

    monkeypatch.setattr(os, "urandom", missing)
    tokens = [tempfiles.token() for _ in range(30)]
    assert all(len(t) == 16 and int(t, 16) >= 0 for t in tokens) and len(set(tokens)) == 30


# files.py's helpers one by one, including the forms MicroPython gives.


@pytest.mark.parametrize("mode, kind", [
    (0o100644, None), (0o040755, "a directory"), (0o020666, "a character device"),
    (0o060660, "a block device"), (0o010644, "a FIFO (named pipe)"), (0o140755, "a socket"),
    (0o120777, "a symbolic link"), (0o000644, "not a regular file")])
def test_every_kind_of_file_is_named(mode, kind):
    for st in (os.stat_result((mode,) + (0,) * 9), (mode,) + (0,) * 9):  # CPython, MicroPython
        if kind is None:
            files._refuse_special("p", st, "write over")
        else:
            with pytest.raises(TinynetError, match="^p: refusing to write over %s; give the path "
                               "of a regular file$" % kind.replace("(", r"\(").replace(")", r"\)")):
                files._refuse_special("p", st, "write over")


def test_stat_says_none_only_for_a_missing_file(tmp_path, monkeypatch):
    assert files._stat(tmp_path / "missing") is None
    assert files._stat(tmp_path).st_mode & 0o170000 == 0o040000

    def micropython_stat(path):  # MicroPython: OSError(2) with no errno attribute set
        raise OSError(2)

    monkeypatch.setattr(os, "stat", micropython_stat)
    assert files._stat("x") is None

    def denied(path):
        raise PermissionError(errno.EACCES, "denied")

    monkeypatch.setattr(os, "stat", denied)
    with pytest.raises(PermissionError):
        files._stat("x")


def test_errors_are_retold_about_the_users_path():
    err = files._renamed(FileNotFoundError(errno.ENOENT, "No such file", "/d/.m.json.1234.tmp"), "m.json")
    assert type(err) is FileNotFoundError and err.filename == "m.json"
    assert err.errno == errno.ENOENT and err.strerror == "No such file"
    bare = OSError("no errno")
    assert files._renamed(bare, "m.json") is bare
    other = ValueError("x")
    assert files._renamed(other, "m.json") is other
    quiet = files._renamed(OSError(errno.EIO, ""), "m.json")
    assert quiet.strerror and quiet.filename == "m.json"


def test_temporary_names_and_splitting():
    assert files._split("model.json") == (".", "model.json")
    assert files._split(b"model.json") == (b".", b"model.json")
    assert files._split("/a/b/model.json") == ("/a/b", "model.json")
    from tinynet.tempfiles import NAME_MAX, temp_name

    name = temp_name("/a", "m.json")
    tail = ".tinynet-%d-" % os.getpid()
    assert name.startswith("/a/.m.json" + tail) and name.endswith(".tmp")
    assert len(name) == len("/a/.m.json" + tail) + 16 + 4
    assert temp_name("/a", "m.json") != name
    long = temp_name(".", "x" * 300)  # cut to fit the 255 bytes of a name
    assert len(long) == len("./") + NAME_MAX and long.startswith("./." + "x" * 200)
    assert temp_name(b"/a", b"m").startswith(b"/a/.m" + tail.encode())
    assert files.fspath(__import__("pathlib").Path("a/b")) == "a/b"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_what_is_not_a_regular_file_is_refused_by_name(tmp_path):
    import tinynet

    net = tinynet.DNN([2, 2], seed=0, backend="python")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    tail = "; give the path of a regular file$"
    with pytest.raises(TinynetError, match=r"pipe: refusing to write over a FIFO \(named pipe\)" + tail):
        net.save(fifo)
    with pytest.raises(TinynetError, match=r"pipe: refusing to read a FIFO \(named pipe\)" + tail):
        tinynet.load(fifo)
    with pytest.raises(TinynetError, match=r"%s: refusing to read a directory" % tmp_path.name + tail):
        tinynet.load(tmp_path)
    with pytest.raises(TinynetError, match=r"%s: refusing to write over a directory" % tmp_path.name + tail):
        net.save(tmp_path)


# Every writer in the package (models, CSV and IDX from convert, submissions, pictures, the
# command line's --out) goes through tinynet.files: each refuses what is not a regular file,
# never follows a planted symlink, and leaves the previous file intact on any failure.


def small_model():
    net = DNN([4, 3, 2], seed=0, backend="python")
    net.fit([[0, 1, 0, 1], [1, 0, 1, 0]], [0, 1], epochs=1)
    return net


def small_images():
    X, y = datasets.load_sample("test")
    return X[:20], y[:20]


def png_writer():
    try:
        from tinynet.plots import png
    except ImportError:  # before the layout
        from tinynet import png
    return lambda path: png.write_png(path, 2, 2, bytes(12))


WRITERS = {
    "model pickle": lambda path: tinynet.save(small_model(), path),
    "model json": lambda path: tinynet.save(small_model(), path, format="json"),
    "csv": lambda path: datasets.save_csv(path, *small_images()),
    "csv.gz": lambda path: datasets.save_csv(str(path) + ".gz", *small_images()),
    "idx": lambda path: datasets.save_idx(path, small_images()[0]),
    "png": lambda path: png_writer()(path),
}


def special_files(tmp_path):
    """Yield (description, path) for targets that are not regular files."""
    link = tmp_path / "devnull-link"
    link.symlink_to("/dev/null")
    yield "a symlink to /dev/null", link
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    yield "a FIFO", fifo
    folder = tmp_path / "folder"
    folder.mkdir()
    yield "a directory", folder


@posix_only
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_writer_refuses_what_is_not_a_regular_file(tmp_path, writer):
    for what, path in special_files(tmp_path):
        if writer == "csv.gz":
            os.rename(path, str(path) + ".gz")
            path = type(path)(str(path) + ".gz")
        before = os.lstat(path)
        with pytest.raises(TinynetError) as err:
            WRITERS[writer](path if writer != "csv.gz" else str(path)[:-3])
        assert str(path) in str(err.value), what
        after = os.lstat(path)
        assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode), what
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert parts_left(tmp_path) == []


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_writer_leaves_the_previous_file_when_the_disk_fails(tmp_path, monkeypatch,
                                                                    writer):
    path = tmp_path / "out"
    real = path if writer != "csv.gz" else tmp_path / "out.gz"
    real.write_bytes(b"previous")

    def broken(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError) as err:
        WRITERS[writer](path)
    assert err.value.filename == str(real)  # the user's path, never the temporary file
    monkeypatch.undo()
    assert real.read_bytes() == b"previous"
    assert parts_left(tmp_path) == []


def test_a_csv_write_failing_half_way_leaves_the_previous_file(tmp_path):
    X, y = small_images()
    y = list(y)
    y[10] = "not a label"  # save_csv fails at row 10, after writing rows 0-9
    path = tmp_path / "out.csv"
    path.write_bytes(b"previous")
    with pytest.raises((TypeError, ValueError)):
        datasets.save_csv(path, X, y)
    assert path.read_bytes() == b"previous"
    assert parts_left(tmp_path) == []


@posix_only
def test_writers_never_change_the_umask(tmp_path, monkeypatch):
    def forbidden(*args):
        raise AssertionError("os.umask changes every thread's file modes")

    monkeypatch.setattr(os, "umask", forbidden)
    for name, write in sorted(WRITERS.items()):
        write(tmp_path / ("new-" + name.replace(" ", "-")))


@posix_only
def test_a_saved_model_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "m.pkl"
    path.write_bytes(b"old")
    path.chmod(0o600)
    tinynet.save(small_model(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tinynet.load(path).sizes == [4, 3, 2]


@posix_only
def test_submission_never_follows_a_symlink_planted_beside_it(tmp_path):
    model = tmp_path / "m.pkl"
    tinynet.save(DNN([784, 4, 10], seed=0, backend="python"), model)
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    for name in ("sub.csv.tmp", ".sub.csv.tmp", "sub.csv.part"):  # the names a writer might guess
        (tmp_path / name).symlink_to(victim)
    result = cli("predict", model, "sample", "--submission", tmp_path / "sub.csv")
    assert result.returncode == 0, result.stderr
    assert victim.read_bytes() == b"precious"
    assert (tmp_path / "sub.csv").read_text().startswith("ImageId,Label\n")


@posix_only
def test_submission_to_a_device_is_refused_in_one_line(tmp_path):
    model = tmp_path / "m.pkl"
    tinynet.save(DNN([784, 4, 10], seed=0, backend="python"), model)
    link = tmp_path / "null"
    link.symlink_to("/dev/null")
    one_line_error(cli("predict", model, "sample", "--submission", link), link)
    assert os.path.islink(link)


def test_convert_failing_leaves_the_previous_file(tmp_path):
    dest = tmp_path / "out.csv"
    dest.write_bytes(b"previous")
    # an IDX source whose labels file does not match: convert fails after opening dest
    images, labels = tmp_path / "im.idx", tmp_path / "lb.idx"
    datasets.save_idx(images, small_images()[0], labels, small_images()[1])
    labels.write_bytes(labels.read_bytes()[:-3])
    result = cli("convert", images, labels, dest)
    one_line_error(result, labels)
    assert dest.read_bytes() == b"previous"
    assert parts_left(tmp_path) == []


@pytest.mark.parametrize("command", [
    ["train", "sample", "--epochs", "1", "--layers", "784,4,10"],
    ["mnist", "--data", "sample", "--epochs", "1", "--layers", "784,4,10"]])
@pytest.mark.parametrize("where", ["missing-dir", "directory", "fifo"])
def test_out_is_checked_before_training(tmp_path, command, where):
    out = {"missing-dir": tmp_path / "no" / "m.pkl", "directory": tmp_path,
           "fifo": tmp_path / "fifo"}[where]
    if where == "fifo":
        if os.name != "posix":
            pytest.skip("POSIX FIFO")
        os.mkfifo(out)
    result = cli(*command, "--out", out)
    one_line_error(result, out)
    assert "epoch" not in result.stdout.lower()  # refused before any training


def test_every_escape_of_xml_and_printable_at_its_bounds():
    """Each named entity and short escape, and the edges of the characters
    replaced or escaped (0x1f/0x20, 0x7e/0x7f, 0x9f/0xa0, U+FFFE/U+FFFF,
    line and paragraph separators, bidi controls, surrogates)."""
    from tinynet.escape import printable, xml

    assert xml("&<>\"'\t\n\r") == "&amp;&lt;&gt;&quot;&#39;&#9;&#10;&#13;"
    assert xml("\x1f \x7e\x7f\x9f\xa0\ufffe\uffff\ufffd") == \
        "\ufffd ~\ufffd\ufffd\xa0\ufffd\ufffd\ufffd"
    assert xml("\ud7ff\ud800\udfff\ue000") == "\ud7ff\ufffd\ufffd\ue000"  # surrogates
    assert printable("\t\n\r") == "\\t\\n\\r"
    assert printable("\x1f \x7e\x7f\x9f\xa0") == "\\x1f ~\\x7f\\x9f\xa0"
    assert printable("\u2028\u2029\u202e\u2066\u2069\u200e\ud800\udfff\u2027\u206a") == \
        "\\u2028\\u2029\\u202e\\u2066\\u2069\\u200e\\ud800\\udfff\u2027\u206a"
    bidi = [0x200E, 0x200F] + list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))
    for c in bidi + [0x2028, 0x2029, 0xD800, 0xDBFF, 0xDC00, 0xDFFF]:
        assert printable(chr(c)) == "\\u%04x" % c
    for c in (0x200D, 0x2010, 0x2027, 0x202F, 0x2065, 0x206A, 0xD7FF, 0xE000):
        assert printable(chr(c)) == chr(c)
