"""Reading files safely (tinynet.files and the bounded gzip reader built on it
in tinynet.datasets.sources): devices, FIFOs, directories and sockets refused
before reading, without blocking; reads capped and asked for what the file
holds; plain and gzip alike, bombs and long lines stopped; and the one
sniffer (tinynet.kinds) that tells what a file holds from its first bytes."""

import errno
import gzip
import os
import re
import signal
import struct

import pytest

import tinynet
from tinynet import datasets, files
from tinynet.datasets.sources import DataReader
from tinynet.errors import TinynetError

from hardening_util import cli, gzip_bomb, one_line_error, run_bounded


posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file types")


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


# What a file holds: one sniffer (tinynet.kinds).


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


# Reading, corner by corner: MicroPython's reader, blocking, several blocks, what a read asks for.


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


# Every reader refuses devices, FIFOs and directories without reading (in a child with a deadline
# and a memory cap), the command line in one line; sniffing reads only the first bytes.


READERS = {
    "load": lambda p: tinynet.load(p),
    "load_idx": lambda p: datasets.load_idx(p),
    "load_csv": lambda p: datasets.load_csv(p),
    "datasets.load": lambda p: datasets.load(p),
}


@posix_only
@pytest.mark.parametrize("reader", sorted(READERS))
def test_devices_fifos_and_directories_are_refused_without_reading(tmp_path, reader):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    # Run in a child with a deadline and a memory cap: /dev/zero read whole, or a FIFO
    # opened for reading, would exhaust one or block the other.
    code = ("import tinynet\nfrom tinynet import datasets, TinynetError\n"
            "for path in ('/dev/zero', %r, %r):\n"
            "    try:\n"
            "        (%s)(path)\n"
            "    except TinynetError as err:\n"
            "        assert path in str(err), err\n"
            "        print('refused', path)\n"
            % (str(fifo), str(tmp_path), _source(reader)))
    result = run_bounded(code, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("refused") == 3


def _source(reader):
    return {"load": "tinynet.load", "load_idx": "datasets.load_idx",
            "load_csv": "datasets.load_csv", "datasets.load": "datasets.load"}[reader]


@posix_only
@pytest.mark.parametrize("command", [["show"], ["evaluate", "MODEL"], ["predict", "MODEL"],
                                     ["train"], ["convert"]])
def test_the_cli_refuses_a_fifo_in_one_line(tmp_path, command):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    model = tmp_path / "m.pkl"
    tinynet.save(tinynet.DNN([784, 4, 10], seed=0, backend="python"), model)
    args = [model if a == "MODEL" else a for a in command] + [fifo]
    if command == ["convert"]:
        args.append(tmp_path / "out.csv")
    one_line_error(cli(*args, timeout=30), fifo)


def idx_header(count, rows=28, cols=28):
    return struct.pack(">HBBIII", 0, 8, 3, count, rows, cols)


def test_sniffing_reads_only_the_first_bytes(tmp_path, monkeypatch):
    """datasets.load and the CLI tell IDX from CSV by a few bytes, not by
    decompressing the whole file: a bomb behind an IDX header is stopped by
    the header, and a CSV bomb by its line bound, both within memory."""
    bomb = gzip_bomb(tmp_path / "anything.gz", 1 << 30, head=idx_header(1))
    code = ("from tinynet import datasets, TinynetError\n"
            "try:\n    datasets.load(%r)\nexcept TinynetError as err:\n    print(err)\n"
            % str(bomb))
    result = run_bounded(code, timeout=60)
    assert result.returncode == 0, result.stderr
    assert str(bomb) in result.stdout
