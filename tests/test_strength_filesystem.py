"""tinynet.files corner by corner: every kind of file named in a refusal, the
errors it passes through or retells, the mode of what it opens, and the
path MicroPython takes (issue 12, the tests' own strength)."""

import errno
import os
import stat

import pytest

from tinynet import files
from tinynet.errors import TinynetError

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file types")

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


def test_the_micropython_reader_names_what_it_refuses(monkeypatch, tmp_path):
    monkeypatch.delattr(os, "open")
    with pytest.raises(TinynetError) as err:
        files.open_regular(str(tmp_path))
    assert str(err.value) == "%s: refusing to read a directory; give the path of a regular file" \
        % tmp_path


@posix_only
def test_a_file_opened_for_reading_blocks_as_usual(tmp_path):
    (tmp_path / "f").write_bytes(b"data")
    with files.open_regular(tmp_path / "f") as f:
        assert os.get_blocking(f.fileno()) is True  # the O_NONBLOCK of the open is undone
        assert f.read() == b"data"


def test_a_missing_directory_is_told_with_the_system_message_and_the_users_path(tmp_path):
    target = tmp_path / "no" / "out"
    for call in (files.check_writable, lambda p: files.write_atomically(p, b"x")):
        with pytest.raises(FileNotFoundError) as err:
            call(target)
        assert str(err.value) == "[Errno 2] %s: '%s'" % (os.strerror(errno.ENOENT), target)


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


def test_a_directory_the_system_refuses_to_open_is_named(monkeypatch, tmp_path):
    def is_a_directory(path, flags, *mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", path)  # as Windows does

    monkeypatch.setattr(os, "open", is_a_directory)
    with pytest.raises(TinynetError) as err:
        files.open_regular(tmp_path)
    assert str(err.value) == "%s: refusing to read a directory; give the path of a regular file" \
        % tmp_path


def test_a_file_of_several_blocks_is_read_whole(tmp_path):
    data = bytes(range(256)) * (3 * 4096 + 7)  # over 3 MB: four reads of 1 MB at most
    (tmp_path / "big").write_bytes(data)
    assert files.read_limited(tmp_path / "big", len(data)) == data


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


class Recording:
    """A file that records how much each read asks for."""

    def __init__(self, f, asked):
        self.f, self.asked = f, asked

    def read(self, n):
        self.asked.append(n)
        return self.f.read(n)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()


@pytest.mark.parametrize("fstat", [True, False])
def test_reads_ask_for_what_the_file_holds_never_the_cap(monkeypatch, tmp_path, fstat):
    """MicroPython allocates what read(n) asks for: without fstat, the size
    comes from stat; without either, reads go a megabyte at a time."""
    real_open = files.open_regular
    asked = []
    monkeypatch.setattr(files, "open_regular", lambda p: Recording(real_open(p), asked))
    if not fstat:
        monkeypatch.setattr(files, "file_size", lambda f: None)
    (tmp_path / "small").write_bytes(b"abc")
    assert files.read_limited(tmp_path / "small", 10 ** 9) == b"abc"
    assert asked[0] == 4  # its size and one more, to see the end
    del asked[:]
    with pytest.raises(TinynetError, match="larger than the 2 bytes"):
        files.read_limited(tmp_path / "small", 2)
    assert asked == []  # refused by its size, unread
    data = b"x" * ((3 << 20) + 5)
    (tmp_path / "big").write_bytes(data)
    assert files.read_limited(tmp_path / "big", 10 ** 9) == data
    assert max(asked) == 1 << 20
    if not fstat:
        def no_stat(path, *args, **kwargs):
            raise OSError(errno.ENOSYS, "no stat")

        monkeypatch.setattr(os, "stat", no_stat)
        del asked[:]
        assert files.read_limited(tmp_path / "small", 10 ** 9) == b"abc"
        assert asked[0] == 1 << 20
