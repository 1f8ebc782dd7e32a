"""The CSV reader NumPy gives agrees with the strict one: the same values
from every file the strict reader accepts, the same error from every file it
refuses; and the reader is chosen by NumPy being installed, not by the backend."""

import gzip

import pytest

import tinynet
from tinynet import TinynetError
from tinynet.datasets import load_csv
from tinynet.datasets.csvfile import load_csv_strict

from conftest import needs_numpy, run_python

PIX = 4
GOOD_ROWS = "3,0,255,51,102\n9,1,2,3,4\n0,255,255,0,0\n7,10,99,100,200\n"

# Files both readers accept; "fast" says whether the NumPy reader takes them
# itself (True) or hands them to the strict reader (False).
GOOD = [
    ("label,1x1,1x2,2x1,2x2\n" + GOOD_ROWS, True),
    ("label,pixel0,pixel1,pixel2,pixel3\n" + GOOD_ROWS, True),
    (GOOD_ROWS, True),
    (GOOD_ROWS.rstrip("\n"), True),  # no line end after the last row
    ("\ufefflabel,a,b,c,d\r\n" + GOOD_ROWS.replace("\n", "\r\n") + "\r\n\r\n", True),
    ("\ufeff" + GOOD_ROWS, True),
    (GOOD_ROWS + "\n\n\n", True),
    ("pixel0,pixel1,pixel2,pixel3\n0,1,2,3\n255,254,0,9\n", True),  # no labels
    ("0,1,2,3\n255,254,0,9\n", True),
    ("3,0,25,51,10\n9,1,2,3,4\n", True),  # no field of three digits
    ("3,0,2,5,1\n9,1,2,3,4\n", True),  # nor of two
    ('"label","a","b","c","d"\n' + GOOD_ROWS, True),  # the header goes through the csv module
    ("3, 7,+8,007,255\n" + GOOD_ROWS, False),
    (GOOD_ROWS + '"4","1","2","3","4"\n', False),
    (GOOD_ROWS + "5,1,2,3,04\n", False),
    (GOOD_ROWS + "5,1,2,3,0004\n", False),
    ("5,1,2,3,4\r\r\n" + GOOD_ROWS, False),
    (GOOD_ROWS + "5,1,2,3,4\r\r\n", True),  # the last line: rstrip(b"\r\n"), as strictly
    (GOOD_ROWS + "   \n", False),  # a blank line at the end, spaces only
]

# Files the strict reader refuses: one of each kind of mistake, at the start,
# in the middle and on the last line.
BAD = [
    "label,a,b,c,d\n3,0,255,51\n",
    GOOD_ROWS + "9,1,2,3,4,5\n",
    GOOD_ROWS + "9,1,2,3,4,\n",
    GOOD_ROWS + ",1,2,3,4\n",
    GOOD_ROWS + "9,1,,3,4\n",
    GOOD_ROWS + "9,1,2,3\n9,1,2,3,4,5\n",  # the right number of commas in all
    "3,0,255\n",
    "label,a,b,c,d\n3,0,x7,51,102\n",
    "3,0,2.5,51,102\n",
    GOOD_ROWS + "10,0,0,0,0\n",
    GOOD_ROWS + "1,0,0,0,256\n",
    GOOD_ROWS + "1,0,0,0,999\n",
    GOOD_ROWS + "1,0,0,0,1000\n",
    GOOD_ROWS + "1,0,0,0,1" + "0" * 255 + "7\n",  # 257 digits: a length of 258 bytes is 2 mod 256
    "3,0,-1,51,102\n",
    "",
    "\n\n",
    "label,a,b,c,d\n",
    "label,a,b,c,d\n\n\n",
    "\n" + GOOD_ROWS,
    "3,0,255,51,102\n\n9,1,2,3,4\n",
    "3,0,255,51,102\n,,,,\n",
    GOOD_ROWS + "1,2,3,4,5\r6,7,8,9,1\n",  # a lone carriage return
    GOOD_ROWS + "1,2,3,4,5\x00\n",
    GOOD_ROWS + "1,2,3,\xe9,5\n",
    GOOD_ROWS + '1,2,3,"4,5\n',
    GOOD_ROWS.replace("\n", ";"),
    GOOD_ROWS + "5,1_0,2,3,4\n",  # int() would read 10
]


def read(path, reader, **kwargs):
    """Return what load_csv gives (``reader`` "numpy": the NumPy route when
    NumPy is installed) or the strict reader alone ("python"): the pixels
    and labels, or the error's message."""
    load = load_csv if reader == "numpy" else load_csv_strict
    try:
        X, labels = load(path, pixels=PIX, **kwargs)
        return bytes(X.pixels), X.width, labels
    except TinynetError as err:
        return "error: %s" % err


def write(tmp_path, text, name="f.csv"):
    path = tmp_path / name
    data = text.encode("utf-8") if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


@needs_numpy
@pytest.mark.parametrize("name", ["f.csv", "f.csv.gz"])
@pytest.mark.parametrize("text,fast", GOOD)
def test_good_files_read_the_same(tmp_path, text, fast, name):
    from tinynet.datasets.csvfile import _load_with_numpy

    path = write(tmp_path, text, name)
    strict = read(path, "python")
    assert not isinstance(strict, str), strict
    assert read(path, "numpy") == strict
    assert (_load_with_numpy(str(path), PIX, None, None) is not None) == fast


@needs_numpy
@pytest.mark.parametrize("text", BAD)
def test_bad_files_fail_with_the_same_message(tmp_path, text):
    path = write(tmp_path, text.encode("latin-1"))
    strict = read(path, "python")
    assert strict.startswith("error: %s" % path), strict
    assert read(path, "numpy") == strict


@needs_numpy
def test_blocks_limit_and_progress_agree(tmp_path, monkeypatch):
    from tinynet.datasets import csv_numpy

    monkeypatch.setattr(csv_numpy, "BLOCK", 1000)  # many blocks, lines cut across them
    rows = "".join("%d,%d,%d,%d,%d\n" % (i % 10, i % 256, (7 * i) % 256, 0, 255)
                   for i in range(3500))
    path = write(tmp_path, "label,a,b,c,d\r\n" + rows.replace("\n", "\r\n"))
    for limit in (None, 1, 999, 1000, 2345, 3500, 9999):
        seen = {}
        for backend in ("python", "numpy"):
            seen[backend] = []
            assert read(path, backend, limit=limit, callback=seen[backend].append) \
                == read(path, "python", limit=limit)
        assert seen["numpy"] == seen["python"]
    from tinynet.datasets.csvfile import _load_with_numpy

    assert _load_with_numpy(str(path), PIX, 1000, None) is not None


@needs_numpy
def test_an_error_deep_in_a_big_file_names_its_line(tmp_path, monkeypatch):
    from tinynet.datasets import csv_numpy

    monkeypatch.setattr(csv_numpy, "BLOCK", 4096)
    rows = ["%d,%d,1,2,3" % (i % 10, i % 256) for i in range(5000)]
    rows[4321] = "1,2,3,4,300"
    path = write(tmp_path, "\n".join(rows) + "\n")
    assert read(path, "numpy") == read(path, "python") == \
        "error: %s:4322: column 5: pixel 300 is outside 0..255" % path
    # after the bad line, the limit stops both readers first
    assert read(path, "numpy", limit=4321) == read(path, "python", limit=4321)


@pytest.mark.parametrize("hide", ["import sys; sys.modules['numpy'] = None"])
def test_the_pure_backend_reads_csv_without_numpy(tmp_path, hide):
    path = write(tmp_path, "label,a,b,c,d\n" + GOOD_ROWS)
    code = ("%s\nimport sys\nfrom tinynet.datasets import load_csv\n"
            "X, labels = load_csv(%r, pixels=4)\n"
            "print(type(X.pixels).__name__, len(X), labels, sys.modules.get('numpy') is not None)"
            % (hide, str(path)))
    done = run_python(code, env={"TINYNET_BACKEND": ""})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["bytearray", "4", "[3,", "9,", "0,", "7]", "False"]


@needs_numpy
def test_random_damage_is_read_or_refused_alike(tmp_path, monkeypatch):
    """Bytes changed, added or removed at random in a good file: whatever the
    strict reader makes of the result, the NumPy route makes the same."""
    import random

    from tinynet.datasets import csv_numpy

    monkeypatch.setattr(csv_numpy, "BLOCK", 64)  # blocks of a few lines
    rng = random.Random(15)
    good = ("label,a,b,c,d\n" + GOOD_ROWS * 3).encode()
    alphabet = b"0123456789,\n\r -+\"x\t\x00"
    fast = 0
    for trial in range(300):
        data = bytearray(good)
        for _ in range(rng.choice((1, 1, 2, 3))):
            at = rng.randrange(len(data))
            edit = rng.choice(("set", "insert", "delete"))
            if edit == "delete":
                del data[at]
            else:
                byte = alphabet[rng.randrange(len(alphabet))]
                if edit == "set":
                    data[at] = byte
                else:
                    data.insert(at, byte)
        path = write(tmp_path, bytes(data), "f%d.csv" % trial)
        strict = read(path, "python")
        assert read(path, "numpy") == strict, bytes(data)
        fast += not isinstance(strict, str)
    assert fast > 30  # some damage leaves a file both accept (a digit for a digit)


@needs_numpy
@pytest.mark.parametrize("backend", ["python", "numpy"])
def test_the_reader_is_chosen_by_numpy_being_installed_not_by_the_backend(tmp_path, monkeypatch,
                                                                           backend):
    from tinynet.datasets import csv_numpy

    calls = []
    real = csv_numpy.read_rows
    monkeypatch.setattr(csv_numpy, "read_rows", lambda *a, **k: calls.append(1) or real(*a, **k))
    path = write(tmp_path, "label,a,b,c,d\n" + GOOD_ROWS)
    tinynet.set_backend(backend)
    try:
        X, labels = load_csv(path, pixels=PIX)
    finally:
        tinynet.set_backend(None)
    assert calls == [1] and labels == [3, 9, 0, 7]
    assert type(X.pixels) is bytearray  # bytes for either backend, never an array
