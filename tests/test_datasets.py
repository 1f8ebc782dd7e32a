"""MNIST data read and written: CSV layouts and strictness (a BOM, labels or
none, errors naming file, line and column), IDX byte for byte, Images,
conversion both ways, the sample, the datasets API; IDX and CSV (plain or
gzipped) streamed with bounds, so no file can exhaust memory or escape as
anything but a TinynetError naming it.  Downloads and the cache:
test_datasets_downloads.py; the NumPy CSV reader: test_datasets_numpy_csv.py."""

import gzip
import os
import re
import struct
import subprocess
import sys

import pytest

from tinynet import DNN, TinynetError
from tinynet import datasets
from tinynet.datasets import Images, load_csv, load_idx, save_csv, save_idx

from conftest import MNIST, ROOT
from hardening_util import cli, gzip_bomb, one_line_error, run_bounded

needs_mnist = pytest.mark.skipif(not os.path.isdir(MNIST), reason="../shared/mnist is absent")

PIX = 4  # tiny 2x2 "images" keep the CSV tests readable
ROWS = [(3, [0, 255, 51, 102]), (9, [1, 2, 3, 4]), (0, [255, 255, 0, 0])]


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def csv_text(header=None, labels=True, rows=ROWS, end="\n"):
    lines = [header] if header else []
    for label, pixels in rows:
        lines.append(",".join(([str(label)] if labels else []) + [str(p) for p in pixels]))
    return end.join(lines) + end


LAYOUTS = {
    "mnist_in_csv": csv_text("label,1x1,1x2,2x1,2x2"),
    "digit_recognizer_train": csv_text("label,pixel0,pixel1,pixel2,pixel3"),
    "headerless": csv_text(),
    "crlf_bom_trailing_blanks": "\ufeff" + csv_text("label,1x1,1x2,2x1,2x2", end="\r\n") + "\r\n\r\n",
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_labelled_layouts_load(tmp_path, layout):
    X, labels = load_csv(write(tmp_path / "f.csv", LAYOUTS[layout]), pixels=PIX)
    assert labels == [3, 9, 0]
    assert len(X) == 3 and X.shape == (3, 4)
    assert X[0] == [0.0, 1.0, 0.2, 0.4]
    assert X.row_bytes(2) == bytes([255, 255, 0, 0])


@pytest.mark.parametrize("header", ["pixel0,pixel1,pixel2,pixel3", None])
def test_unlabelled_layouts_give_no_labels(tmp_path, header):
    X, labels = load_csv(write(tmp_path / "test.csv", csv_text(header, labels=False)), pixels=PIX)
    assert labels is None and len(X) == 3 and X[1] == [v / 255 for v in (1, 2, 3, 4)]


def test_gzipped_csv_loads(tmp_path):
    path = tmp_path / "f.csv.gz"
    path.write_bytes(gzip.compress(LAYOUTS["mnist_in_csv"].encode()))
    assert load_csv(path, pixels=PIX)[1] == [3, 9, 0]


def test_limit_and_progress(tmp_path):
    seen = []
    rows = [(i % 10, [i % 256] * PIX) for i in range(2500)]
    X, labels = load_csv(write(tmp_path / "f.csv", csv_text(rows=rows)), pixels=PIX,
                         callback=seen.append)
    assert seen == [1000, 2000] and len(X) == 2500
    assert len(load_csv(tmp_path / "f.csv", pixels=PIX, limit=7)[0]) == 7


BAD_CSV = [
    ("label,1x1,1x2,2x1,2x2\n3,0,255,51\n", r"f.csv:2: expected 5 values, got 4"),
    ("3,0,255,51,102\n9,1,2,3,4,5\n", r"f.csv:2: expected 5 values, got 6"),
    ("3,0,255\n", r"f.csv:1: expected 5 values per row"),
    ("3,0,255,51,102\n7\n", r"f.csv:2: expected 5 values, got 1"),
    ("label,1x1,1x2,2x1,2x2\n3,0,x7,51,102\n", r"f.csv:2: column 3 \(1x2\): pixel 'x7' is not an integer"),
    ("3,0,2.5,51,102\n", r"f.csv:1: column 3: pixel '2.5' is not an integer"),
    ("label,1x1,1x2,2x1,2x2\n3,0,255,51,102\n10,0,0,0,0\n", r"f.csv:3: column 1 \(label\): label 10 is outside 0..9"),
    ("3,0,256,51,102\n", r"f.csv:1: column 3: pixel 256 is outside 0..255"),
    ("3,0,-1,51,102\n", r"f.csv:1: column 3: pixel -1 is outside 0..255"),
    ("9,0,256,51,102\n", r"f.csv:1: column 3: pixel 256 is outside 0..255"),  # 9 is a label
    ("", r"f.csv: the file is empty"),
    ("\n\n", r"f.csv: the file is empty"),
    ("label,1x1,1x2,2x1,2x2\n", r"f.csv: has a header but no rows"),
    ("3,0,255,51,102\n\n9,1,2,3,4\n", r"f.csv:2: blank line inside the data"),
    ("3,0,255,51,102\n,,,,\n", r"f.csv:2: column 1: label '' is not an integer"),
]


@pytest.mark.parametrize("text,message", BAD_CSV)
def test_malformed_csv_names_file_line_and_column(tmp_path, text, message):
    with pytest.raises(TinynetError, match=message):
        load_csv(write(tmp_path / "f.csv", text), pixels=PIX)


def test_lenient_spellings_of_integers_are_read_exactly(tmp_path):
    text = '3, 7,+8,007,255\n"4","1","2","3","4"\n5,1,2,3,4\n'
    X, labels = load_csv(write(tmp_path / "f.csv", text), pixels=PIX)
    assert labels == [3, 4, 5] and bytes(X.pixels) == bytes([7, 8, 7, 255, 1, 2, 3, 4, 1, 2, 3, 4])


def test_an_error_deep_in_a_big_file_names_its_line(tmp_path):
    rows = [(i % 10, [i % 256] * PIX) for i in range(5000)]
    text = csv_text("label,a,b,c,d", rows=rows).replace("\n7,", "\n7,x", 1)
    with pytest.raises(TinynetError, match=r"f.csv:9: column 2 \(a\): pixel 'x7' is not an integer"):
        load_csv(write(tmp_path / "f.csv", text), pixels=PIX)


def read_pure(path, pixels=PIX):
    """What the pure backend's reader makes of ``path``: its pixels and
    labels, or its error message."""
    import tinynet

    tinynet.set_backend("python")
    try:
        X, labels = load_csv(path, pixels=pixels)
        return bytes(X.pixels), labels
    except TinynetError as err:
        return "error: %s" % err
    finally:
        tinynet.set_backend(None)


@pytest.mark.parametrize("labels", [False, True])
def test_one_value_per_row_is_read_as_itself(tmp_path, labels):
    # One field is the case where itemgetter returns it bare, not in a tuple.
    rows = [(3, [5]), (9, [7]), (0, [200])]
    got = read_pure(write(tmp_path / "f.csv", csv_text(rows=rows, labels=labels)), pixels=1)
    assert got == (bytes([5, 7, 200]), [3, 9, 0] if labels else None)


def test_a_z_in_the_file_is_refused_not_read_as_a_run_of_zeros(tmp_path):
    # The fast route spells eight "0" fields as "z": a "z" of the file's own
    # plus eight zeros would add up to a full row of 16 pixels.
    text = csv_text(rows=[(3, [1] * 16)]) + "3,z" + ",0" * 8 + "\n"
    got = read_pure(write(tmp_path / "f.csv", text), pixels=16)
    assert got == "error: %s:2: expected 17 values, got 10" % (tmp_path / "f.csv")


def test_the_fast_route_reads_what_the_csv_module_reads(tmp_path, monkeypatch):
    """Rows with runs of zeros of every length, then damaged at random: the
    fast route (split, runs of zeros, one lookup per field) gives the same
    pixels, labels or error as the careful route (the csv module, every
    line), which an empty lookup table forces."""
    import random

    from tinynet.datasets import csvfile

    rng = random.Random(29)
    alphabet = b"0z,\n\r +-\"9"
    accepted = 0
    for trial in range(300):
        rows = []
        for _ in range(4):
            pixels = []
            while len(pixels) < 24:
                pixels += [0] * rng.choice((0, 1, 7, 8, 9, 16, 17)) + [rng.randrange(256)]
            rows.append((rng.randrange(10), pixels[:24]))
        data = bytearray(csv_text("label" + ",p" * 24, rows=rows).encode())
        for _ in range(rng.choice((0, 1, 1, 2))):
            at = rng.randrange(len(data))
            byte = alphabet[rng.randrange(len(alphabet))]
            data[at:at + rng.choice((0, 1))] = bytes([byte])  # insert or replace
        path = tmp_path / ("f%d.csv" % trial)
        path.write_bytes(bytes(data))
        fast = read_pure(path, pixels=24)
        with monkeypatch.context() as m:
            m.setattr(csvfile, "_BYTE_OF_FIELD", {})
            assert read_pure(path, pixels=24) == fast, bytes(data)
        accepted += not isinstance(fast, str)
    assert 100 < accepted < 300  # both outcomes are tested


# === Images ===


def test_images_behave_like_a_sequence_of_rows():
    X = Images(bytearray(range(12)), width=4)
    assert len(X) == 3 and X.shape == (3, 4) and repr(X) == "Images(3 x 4)"
    assert X[-1] == [8 / 255, 9 / 255, 10 / 255, 11 / 255]
    assert [len(row) for row in X] == [4, 4, 4]
    assert isinstance(X[1:], Images) and X[1:].row_bytes(0) == bytes([4, 5, 6, 7])
    assert X[::2].row_bytes(1) == bytes([8, 9, 10, 11])
    assert X.byte_rows([2, 0]) == bytes([8, 9, 10, 11, 0, 1, 2, 3])
    with pytest.raises(IndexError):
        X[3]
    with pytest.raises(ValueError, match="do not make rows of 4"):
        Images(bytearray(7), width=4)


def test_models_accept_images_directly_on_every_backend(backend):
    X, labels = datasets.load_sample("test")
    X, labels = X[:200], labels[:200]
    net = DNN([784, 16, 10], seed=0, backend=backend)
    ref = DNN([784, 16, 10], seed=0, backend=backend)
    rows = [X[i] for i in range(len(X))]
    h1 = net.fit(X, labels, epochs=1, batch_size=20)
    h2 = ref.fit(rows, labels, epochs=1, batch_size=20)
    assert h1[0]["loss"] == h2[0]["loss"]  # the same batches, bit for bit
    assert net.classify(X) == ref.classify(rows)
    assert net.evaluate(X, labels) == ref.evaluate(rows, labels)
    assert net.train(X[0], labels[0]) == ref.train(rows[0], labels[0])
    assert list(net.predict(X[3])) == list(ref.predict(rows[3]))


# === IDX ===


def test_idx_round_trip_raw_and_gzipped(tmp_path):
    X, labels = Images(bytearray(i % 256 for i in range(2 * 784))), [1, 7]
    for suffix in ("", ".gz"):
        images, lab = tmp_path / ("i" + suffix), tmp_path / ("l" + suffix)
        datasets.save_idx(images, X, lab, labels)
        Y, got = load_idx(images, lab)
        assert got == labels and Y.pixels == X.pixels
        assert datasets.load(images, lab)[1] == labels  # recognised by content


@pytest.mark.parametrize("data,message", [
    (b"\x00\x00\x08\x03" + (1).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2 + bytes(10),
     "promises 784 bytes of data"),
    (b"\x00\x00\x0d\x03" + bytes(12), "not an IDX file of unsigned bytes"),
    (b"\x00\x00\x08\x01" + bytes(8), "expected 3 dimensions, the header says 1"),
    (b"\x00\x00", "too short"),
    (b"\x1f\x8b\x08\x00garbage", "corrupt gzip"),
])
def test_bad_idx_files_are_refused(tmp_path, data, message):
    (tmp_path / "bad").write_bytes(data)
    with pytest.raises(TinynetError, match=message):
        load_idx(tmp_path / "bad")


def test_idx_label_count_and_range_are_checked(tmp_path):
    X = Images(bytearray(784 * 2))
    datasets.save_idx(tmp_path / "i", X, tmp_path / "l", [1, 2, 3])
    with pytest.raises(TinynetError, match="has 3 labels but .* has 2 images"):
        load_idx(tmp_path / "i", tmp_path / "l")
    with pytest.raises(ValueError, match="label 12 at index 1 is not a class in 0..9"):
        datasets.save_idx(tmp_path / "i", X, tmp_path / "l", [1, 12])  # refused, not written
    (tmp_path / "l").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x02\x01\x0c")  # by hand
    with pytest.raises(TinynetError, match="label 12 is outside 0..9"):
        load_idx(tmp_path / "i", tmp_path / "l")


@pytest.mark.parametrize("labelled", [True, False])
def test_csv_and_idx_convert_both_ways(tmp_path, labelled):
    X, labels = datasets.load_sample("test")
    X, labels = X[:50], (labels[:50] if labelled else None)
    datasets.save_csv(tmp_path / "m.csv", X, labels)
    first = (tmp_path / "m.csv").read_text().splitlines()[0]
    assert first.startswith("label,1x1,1x2" if labelled else "pixel0,pixel1")
    Y, got = load_csv(tmp_path / "m.csv")
    assert got == labels and bytes(Y.pixels) == bytes(X.pixels)


# === The bundled sample ===


def test_sample_is_stratified_real_mnist():
    for split, per_class in (("train", 500), ("test", 100)):
        X, labels = datasets.load_sample(split)
        assert len(X) == 10 * per_class and X.width == 784
        assert [labels.count(d) for d in range(10)] == [per_class] * 10
    size = sum(os.path.getsize(os.path.join(ROOT, "tinynet", "datasets", "data", n))
               for n in os.listdir(os.path.join(ROOT, "tinynet", "datasets", "data")))
    assert size < 1.2 * 1024 * 1024


@needs_mnist
def test_sample_is_reproduced_exactly_by_its_script(tmp_path):
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "make_sample.py"), MNIST,
                    str(tmp_path)], check=True, capture_output=True)
    bundled = os.path.join(ROOT, "tinynet", "datasets", "data")
    for name in os.listdir(bundled):
        with open(os.path.join(bundled, name), "rb") as f:
            assert (tmp_path / name).read_bytes() == f.read(), name


@needs_mnist
def test_full_mnist_loads_from_idx():
    X, labels = datasets.load_mnist("test", directory=MNIST, download=False)
    assert len(X) == 10000 and labels[:3] == [7, 2, 1]
    assert len(X.pixels) == 10000 * 784  # one byte per pixel


@pytest.mark.parametrize("width, rows, cols", [(784, 28, 28), (9, 3, 3), (4, 2, 2), (5, 1, 5)])
def test_save_idx_writes_square_images_as_squares(tmp_path, width, rows, cols):
    import struct

    pixels = bytes(k % 256 for k in range(2 * width))
    datasets.save_idx(tmp_path / "i", Images(bytearray(pixels), width))
    data = (tmp_path / "i").read_bytes()
    assert struct.unpack(">HBBIII", data[:16]) == (0, 8, 3, 2, rows, cols)
    assert data[16:] == pixels


def test_images_index_and_slice_like_a_list():
    X = Images(bytearray(k % 256 for k in range(5 * 3)), 3)
    rows = [X.row_bytes(i) for i in range(5)]
    assert X.row_bytes(-5) == rows[0] and X[-5] == X[0]
    for bad in (5, -6):
        with pytest.raises(IndexError, match="^image index %d out of range for 5 images$" % bad):
            X.row_bytes(bad)
    with pytest.raises(IndexError, match="^image index 1 out of range for 1 image$"):
        X[:1].row_bytes(1)
    for part in (slice(None, None, 2), slice(1, 5, 3), slice(4, None, -1), slice(1, 4)):
        assert [X[part].row_bytes(i) for i in range(len(X[part]))] == rows[part]
    with pytest.raises(ValueError, match="^7 pixels do not make rows of 3$"):
        Images(bytearray(7), 3)


class Indexes:
    """A 1-D NumPy index array's habits (ndim, tolist, no truth value), without NumPy."""

    def __init__(self, values, ndim=1):
        self.values, self.ndim = values, ndim

    def __len__(self):
        return len(self.values)

    def __bool__(self):
        raise ValueError("The truth value of an array with more than one element is ambiguous")

    def tolist(self):
        return list(self.values)


def test_images_take_a_list_or_array_of_indexes_as_a_shuffle():
    X = Images(bytearray(k % 256 for k in range(5 * 3)), 3)
    rows = [X.row_bytes(i) for i in range(5)]
    for index, want in (([3, 0, -1, 3], [3, 0, 4, 3]), (Indexes([3, 0, -1, 3]), [3, 0, 4, 3]),
                        (range(3, -2, -3), [3, 0])):
        picked = X[index]
        assert isinstance(picked, Images) and picked.width == 3
        assert [picked.row_bytes(i) for i in range(len(picked))] == [rows[i] for i in want]
    assert len(X[[]]) == 0
    mask = [True, False, False, True, True]  # one bool per image
    assert [X[mask].row_bytes(i) for i in range(3)] == [rows[0], rows[3], rows[4]]


@pytest.mark.parametrize("index, error, message", [
    ([0, 5], IndexError, "^image index 5 out of range for 5 images$"),
    (Indexes([-6]), IndexError, "^image index -6 out of range for 5 images$"),
    ([0, 1.0], TypeError, "^image indexes must be ints, not 1.0$"),
    ([True, 1], TypeError, "^image indexes are ints or one bool per image, not a mix$"),
    ([True, False], IndexError, "^a mask of 2 bools for 5 images$"),
    (Indexes([[0]], ndim=2), TypeError, "^an Images takes a 1-D array of indexes, not 2-D$"),
    ((0, 1), TypeError, r"^an Images is indexed by an int, a slice, or a list or 1-D array of "
                        r"ints \(or of one bool per image\), not a tuple$"),
    ("01", TypeError, "not a str$"), (None, TypeError, "not a NoneType$"),
    ({0: 1}, TypeError, "not a dict$")])
def test_images_refuse_indexes_that_pick_no_images(index, error, message):
    X = Images(bytearray(15), 3)
    with pytest.raises(error, match=message):
        X[index]


def test_images_take_a_numpy_index_array():
    np = pytest.importorskip("numpy")

    X = Images(bytearray(k % 256 for k in range(5 * 3)), 3)
    order = np.random.default_rng(0).permutation(5)
    assert [X[order].row_bytes(i) for i in range(5)] == [X.row_bytes(int(i)) for i in order]
    assert X[np.arange(5) % 2 == 0].shape == (3, 3)
    assert X[np.int64(2)] == X[2]
    with pytest.raises(TypeError, match="^image indexes must be ints, not 0.5$"):
        X[np.array([0.5])]


def test_stratified_keeps_the_first_of_each_class_in_order():
    from tinynet.datasets.images import stratified

    labels = [3, 1, 3, 0, 1, 2, 4, 5, 6, 7, 8, 9, 0, 3, 9, 8, 7, 6, 5, 4, 2, 1]
    X = Images(bytearray(range(len(labels))), 1)
    kept, kept_labels = stratified(X, labels, 2)
    assert kept_labels == [3, 1, 3, 0, 1, 2, 4, 5, 6, 7, 8, 9, 0, 9, 8, 7, 6, 5, 4, 2]
    assert list(kept.pixels) == [i for i in range(len(labels)) if i not in (13, 21)]
    with pytest.raises(ValueError, match="not enough images"):
        stratified(X, labels, 3)


# --- mnist.py: the file table, finding the files, the readers' limits and messages ---


def test_mnist_sizes_are_the_idx_files_sizes():
    from tinynet.datasets import mnist

    assert sorted(mnist.SIZES) == sorted(mnist.MD5)
    for name, size in mnist.SIZES.items():
        n = 60000 if name.startswith("train") else 10000
        assert size == (16 + n * 28 * 28 if "images" in name else 8 + n)


def test_find_mnist_takes_gzipped_or_plain_files(tmp_path):
    from tinynet.datasets import mnist

    names = sorted(mnist.MD5)
    for i, name in enumerate(names):
        (tmp_path / (name if i % 2 else name[:-3])).write_bytes(b"")
    assert mnist.find_mnist(str(tmp_path)) == str(tmp_path)
    (tmp_path / names[0][:-3]).unlink()
    assert mnist.find_mnist(str(tmp_path)) is None


def test_data_readers_name_the_limit_they_refuse(tmp_path):
    from tinynet.datasets.sources import DataReader, read_data

    path = tmp_path / "ten"
    path.write_bytes(b"0123456789")
    with pytest.raises(TinynetError, match="^%s: more than the 9 bytes of content a data file "
                                           "may hold$" % re.escape(str(path))):
        read_data(str(path), 9)
    gz = tmp_path / "ten.gz"
    gz.write_bytes(gzip.compress(b"0123456789"))
    with pytest.raises(TinynetError, match="a data file may hold \\(once decompressed\\)$"):
        read_data(str(gz), 9)
    big = tmp_path / "big"
    data = bytes(k % 251 for k in range(3 << 20))  # more than one block of 1 MB
    big.write_bytes(data)
    with DataReader(str(big)) as f:
        assert f.read_exactly(len(data) - 5) == data[:-5]
        assert f.read_exactly(5) == data[-5:] and f.at_end()
    with DataReader(str(big)) as f:
        assert f.read_exactly(len(data) - 1) == data[:-1] and not f.at_end()  # reads the last
    with DataReader(str(path), 9) as f:  # a reader on its own calls it a file
        assert f.read(0) == b"" and f.read(4) == b"0123"  # read(0) reads nothing
        with pytest.raises(TinynetError, match="more than the 9 bytes of content a file may hold$"):
            f.read()


def test_kind_tells_files_by_their_first_bytes(tmp_path):
    from tinynet.datasets.sources import kind

    for name, data, expected in [("a", b"\x00\x00\x08\x03" + bytes(12), "idx-images"),
                                 ("b", b"\x00\x00\x08\x01" + bytes(4), "idx-labels"),
                                 ("c", b"\x00\x00\x08\x02" + bytes(8), "idx"),
                                 ("d.gz", gzip.compress(b"\x00\x00\x08\x03"), "idx-images"),
                                 ("e", b"\x00\x00\x08", "idx"), ("f", b"\x80\x04]", "model"),
                                 ("g", b'{"a": 1}', "model"), ("h", b"label,1x1\n", "csv")]:
        (tmp_path / name).write_bytes(data)
        assert kind(str(tmp_path / name)) == expected, name


def test_a_gzipped_idx_file_shorter_than_its_header_says_is_named(tmp_path):
    import struct

    path = tmp_path / "short-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(struct.pack(">HBBIII", 0, 8, 3, 2, 28, 28) + bytes(784)))
    with pytest.raises(TinynetError, match="^%s: the header promises 1,568 bytes of data "
                                           "\\(shape 2x28x28\\), the file has 784$"
                       % re.escape(str(path))):
        load_idx(path)


def test_a_missing_csv_says_where_mnist_csv_comes_from_and_the_way_given_works(tmp_path,
                                                                                monkeypatch):
    import shlex

    from tinynet import cli

    cache = tmp_path / "cache dir"  # a space: the command must quote it
    cache.mkdir()
    monkeypatch.setenv("TINYNET_DATA", str(cache))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as info:
        load_csv("mnist_train.csv")
    err = info.value
    assert err.errno == 2 and err.filename == "mnist_train.csv"
    assert str(err).startswith("mnist_train.csv: No such file or directory. ")
    assert "Kaggle's \"MNIST in CSV\"" in str(err) and "datasets.load_mnist()" in str(err)
    # The command it gives works once the MNIST files are in the cache (here:
    # the sample's training images, laid out as the download leaves them).
    X, y = datasets.load_sample("train")
    images, labels = datasets.FILES["train"]
    datasets.save_idx(cache / images, X[:50], cache / labels, y[:50])
    command = str(err).split("python -m tinynet convert ", 1)[1].split(" (t10k")[0]
    assert cli.main(["convert"] + shlex.split(command) + ["-q"]) == 0
    X2, y2 = load_csv("mnist_train.csv")
    assert y2 == y[:50] and bytes(X2.pixels) == bytes(X[:50].pixels)


# === The data writers refuse what their files cannot hold ===


@pytest.mark.parametrize("bad", [3.5, 10, -1, "7", None, float("nan")], ids=repr)
def test_writers_refuse_a_label_the_file_cannot_hold(tmp_path, bad):
    X, y = datasets.load_sample("test")
    labels = list(y[:5])
    labels[3] = bad
    for write in (lambda: datasets.save_csv(tmp_path / "d.csv", X[:5], labels),
                  lambda: datasets.save_idx(tmp_path / "i", X[:5], tmp_path / "l", labels)):
        with pytest.raises(ValueError, match="label %s at index 3 is not a class in 0..9"
                           % re.escape(repr(bad))):
            write()
    assert os.listdir(tmp_path) == []  # refused before anything was written
    datasets.save_csv(tmp_path / "d.csv", X[:5], [float(v) for v in y[:5]])  # int-valued: fine
    assert load_csv(tmp_path / "d.csv")[1] == list(y[:5])


# === A file that is not text is named for what it holds ===


@pytest.mark.parametrize("content, words", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(128, 256)), "a PNG image"),
    (b"PK\x03\x04" + bytes(range(128, 256)), "a zip archive"),
])
def test_load_csv_says_what_a_file_that_is_not_text_holds(tmp_path, content, words):
    from tinynet.datasets.csvfile import load_csv_strict

    path = tmp_path / "digits.csv"
    path.write_bytes(content)
    for reader in (datasets.load_csv, load_csv_strict):
        with pytest.raises(TinynetError, match="^%s holds %s, not CSV text$" % (re.escape(str(path)), words)):
            reader(path)
    path.write_bytes(b"label,1x1\n5,\xff\xfe\n")  # text with one bad line: that line is named
    with pytest.raises(TinynetError, match=r":2: not UTF-8 text"):
        load_csv_strict(path, pixels=1)


# === The readers at their bounds ===


def test_a_gzipped_idx_file_may_promise_1040_bytes_a_stored_byte_and_no_more(tmp_path):
    """Deflate expands at most about 1032 times: a header promising up to 1040
    bytes of data per byte of the gzip file is read (here found short), and one
    byte more is refused before reading."""
    import struct

    path = tmp_path / "ratio-idx3-ubyte.gz"

    def write(n):
        header = struct.pack(">HBBIII", 0, 8, 3, n, 1, 1)
        path.write_bytes(gzip.compress(header + bytes(9), mtime=0))
        return path.stat().st_size

    n = 1040 * write(1)
    while 1040 * write(n) != n:  # the file's size barely depends on n
        n = 1040 * path.stat().st_size
    stored = path.stat().st_size
    with pytest.raises(TinynetError, match="^%s: the header promises %s bytes of data \\(shape "
                                           "%dx1x1\\), the file has 9$"
                       % (re.escape(str(path)), format(n, ","), n)):
        load_idx(path)
    write(n + 1)
    assert path.stat().st_size == stored
    with pytest.raises(TinynetError, match="^%s: the header promises %s bytes of data \\(shape "
                                           "%dx1x1\\), more than a %d-byte gzip file can hold$"
                       % (re.escape(str(path)), format(n + 1, ","), n + 1, stored)):
        load_idx(path)


@pytest.mark.parametrize("ndim, cut", [(3, 15), (3, 5), (1, 7), (1, 3)])
def test_an_idx_header_cut_anywhere_is_too_short(tmp_path, ndim, cut):
    """Cut one byte short of its dimensions, or inside its magic number."""
    import struct

    header = struct.pack(">HBB" + "I" * ndim, 0, 8, ndim, *[2] * ndim)
    path = tmp_path / "cut.idx"
    path.write_bytes(header[:cut])
    with pytest.raises(TinynetError, match="^%s: too short for an IDX header$"
                       % re.escape(str(path))):
        if ndim == 3:
            load_idx(path)
        else:
            datasets.save_idx(tmp_path / "i.idx", Images(bytes(4), width=2))
            load_idx(tmp_path / "i.idx", path)


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_data_file_may_fill_its_limit_exactly(tmp_path, gzipped):
    from tinynet.datasets.sources import open_data, read_data

    path = tmp_path / "ten"
    path.write_bytes(gzip.compress(b"0123456789") if gzipped else b"0123456789")
    assert read_data(str(path), 10) == b"0123456789"
    with open_data(str(path), 10) as f:
        assert [f.readline(20)] + list(f.lines(20)) == [b"0123456789"]
    with pytest.raises(TinynetError, match="more than the 9 bytes of content"):
        read_data(str(path), 9)


def test_images_may_be_one_pixel_wide_and_no_narrower():
    assert Images(bytearray(3), width=1).shape == (3, 1)
    for width in (0, -1):
        with pytest.raises(ValueError, match="^3 pixels do not make rows of %d$" % width):
            Images(bytearray(3), width=width)


def test_images_of_size_zero_are_refused(tmp_path):
    from tinynet.datasets import Images, load_csv

    with pytest.raises(ValueError, match="rows of 0"):
        Images(bytearray(), 0)
    (tmp_path / "one.csv").write_text("1\n")
    with pytest.raises(ValueError, match="pixels must be an int >= 1"):
        load_csv(tmp_path / "one.csv", pixels=0)


# CSV and IDX details, case by case: a BOM, no labels and a limit, errors naming file, line and
# column, byte-for-byte IDX, the datasets API.


BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("header", [True, False])
def test_a_csv_starting_with_a_bom(tmp_path, header):
    lines = [b"label,a,b,c,d"] if header else []
    lines += [b"7,0,1,2,255", b"3,4,5,6,7"]
    path = tmp_path / "bom.csv"
    path.write_bytes(BOM + b"\r\n".join(lines) + b"\r\n")
    X, labels = load_csv(path, pixels=4)
    assert labels == [7, 3]  # the BOM is not part of the first label, nor a header
    assert X.pixels == bytearray([0, 1, 2, 255, 4, 5, 6, 7]) and X.width == 4


def test_a_bom_only_counts_at_the_start(tmp_path):
    path = tmp_path / "late-bom.csv"
    path.write_bytes(b"7,0,1,2,255\n" + BOM + b"3,4,5,6,7\n")
    with pytest.raises(TinynetError, match=r"late-bom\.csv:2: .*label"):
        load_csv(path, pixels=4)


def test_csv_without_labels_and_with_a_limit(tmp_path):
    path = tmp_path / "test.csv"
    path.write_bytes(b"pixel0,pixel1\n" + b"".join(b"%d,%d\n" % (i, 2 * i) for i in range(5)))
    X, labels = load_csv(path, pixels=2)
    assert labels is None and X.pixels == bytearray([0, 0, 1, 2, 2, 4, 3, 6, 4, 8])
    X, _ = load_csv(path, pixels=2, limit=2)
    assert len(X) == 2
    seen = []
    big = tmp_path / "big.csv"
    big.write_bytes(b"".join(b"1,%d\n" % (i % 256) for i in range(2500)))
    X, labels = load_csv(big, pixels=1, callback=seen.append)
    assert seen == [1000, 2000] and len(X) == 2500 and labels == [1] * 2500


def test_csv_errors_name_the_file_line_and_column(tmp_path):
    cases = {
        b"1,2,3\n1,2\n": r":2: expected 3 values, got 2",
        b"1,2,3\n1,2,x\n": r":2: column 3: pixel 'x' is not an integer",
        b"label,a,b\n12,2,3\n": r":2: column 1 \(label\): label 12 is outside 0\.\.9",
        b"1,2,3\n1,2,256\n": r":2: column 3: pixel 256 is outside 0\.\.255",
        b"1,2,3\n\n1,2,3\n": r":2: blank line inside the data",
        b"label,a,b\n": r": has a header but no rows",
        b"": r": the file is empty",
        b"1,2,3,4\n": r":1: expected 3 values per row",
    }
    for i, (content, message) in enumerate(cases.items()):
        path = tmp_path / ("bad%d.csv" % i)
        path.write_bytes(content)
        with pytest.raises(TinynetError, match=r"bad%d\.csv%s" % (i, message + ("" if "per row" in message else "$"))):
            load_csv(path, pixels=2)


def test_csv_round_trip_with_and_without_labels(tmp_path):
    X = Images(bytes(range(8)), width=4)
    save_csv(tmp_path / "a.csv", X, [1, 2])
    assert (tmp_path / "a.csv").read_text().splitlines() == ["label,1x1,1x2,2x1,2x2", "1,0,1,2,3", "2,4,5,6,7"]
    save_csv(tmp_path / "b.csv.gz", X)
    text = gzip.decompress((tmp_path / "b.csv.gz").read_bytes()).decode()
    assert text.splitlines() == ["pixel0,pixel1,pixel2,pixel3", "0,1,2,3", "4,5,6,7"]
    Y, labels = load_csv(tmp_path / "b.csv.gz", pixels=4)
    assert labels is None and Y.pixels == X.pixels
    with pytest.raises(ValueError, match="^2 images but 1 label$"):
        save_csv(tmp_path / "c.csv", X, [1])


def test_idx_files_byte_for_byte(tmp_path):
    X = Images(bytes(range(12)), width=4)  # 2x2 images
    save_idx(tmp_path / "x.idx", X, tmp_path / "y.idx", [3, 1, 9])
    assert (tmp_path / "x.idx").read_bytes() == bytes([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2]) \
        + bytes(range(12))
    assert (tmp_path / "y.idx").read_bytes() == bytes([0, 0, 8, 1, 0, 0, 0, 3, 3, 1, 9])
    Y, labels = load_idx(tmp_path / "x.idx", tmp_path / "y.idx")
    assert list(Y.pixels) == list(range(12)) and Y.width == 4 and labels == [3, 1, 9]
    assert load_idx(tmp_path / "x.idx")[1] is None
    save_idx(tmp_path / "wide.idx.gz", Images(bytes(range(6)), width=3))  # not square: 1 x 3
    raw = gzip.decompress((tmp_path / "wide.idx.gz").read_bytes())
    assert raw[4:16] == bytes([0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3])
    save_idx(tmp_path / "again.idx.gz", Images(bytes(range(6)), width=3))
    assert (tmp_path / "again.idx.gz").read_bytes() == (tmp_path / "wide.idx.gz").read_bytes()
    assert load_idx(tmp_path / "wide.idx.gz")[0].width == 3


def test_idx_errors_name_the_file(tmp_path):
    header = bytes([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2])
    cases = {
        b"\x00\x00\x08": "too short for an IDX header",
        bytes([0, 0, 9, 3]) + header[4:] + b"ab": "not an IDX file of unsigned bytes .magic 00000903.",
        bytes([0, 1, 8, 3]) + header[4:] + b"ab": "not an IDX file of unsigned bytes .magic 00010803.",
        bytes([0, 0, 8, 1, 0, 0, 0, 2]) + b"ab": "expected 3 dimensions, the header says 1",
        header[:10]: "too short for an IDX header",
        header + b"abc": "the header promises 2 bytes of data .shape 1x1x2., the file has 3",
        header + b"a": "the header promises 2 bytes.*the file has 1",
    }
    for i, (content, message) in enumerate(cases.items()):
        path = tmp_path / ("bad%d.idx" % i)
        path.write_bytes(content)
        with pytest.raises(TinynetError, match=r"bad%d\.idx: %s$" % (i, message)):
            load_idx(path)
    (tmp_path / "x.idx").write_bytes(header + b"ab")
    (tmp_path / "two.idx").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 2, 1, 2]))
    with pytest.raises(TinynetError, match=r"two\.idx has 2 labels but .*x\.idx has 1 image$"):
        load_idx(tmp_path / "x.idx", tmp_path / "two.idx")
    (tmp_path / "ten.idx").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 1, 10]))
    with pytest.raises(TinynetError, match=r"ten\.idx: label 10 is outside 0\.\.9$"):
        load_idx(tmp_path / "x.idx", tmp_path / "ten.idx")


def test_the_datasets_api_by_star_import_and_load(tmp_path):
    names = {}
    exec("from tinynet.datasets import *", names)
    assert sorted(n for n in names if not n.startswith("__")) == sorted(
        ["Images", "load", "load_csv", "load_idx", "load_mnist", "load_sample", "save_csv",
         "save_idx", "fetch", "cache_dir", "stratified"])
    from tinynet.datasets import load

    X = Images(bytes(range(8)), width=4)
    save_csv(tmp_path / "a.csv", X, [1, 2])
    with pytest.raises(ValueError, match="^a separate labels file goes with IDX images only$"):
        load(tmp_path / "a.csv", labels=tmp_path / "labels")
    digits, truth = datasets.load_sample("test")
    digits, truth = digits[:3], truth[:3]
    save_csv(tmp_path / "d.csv", digits, truth)
    save_idx(tmp_path / "x.idx", digits, tmp_path / "y.idx", truth)
    for args in ((tmp_path / "d.csv",), (str(tmp_path / "d.csv"),),  # told by their content
                 (tmp_path / "x.idx", tmp_path / "y.idx")):
        got, labels = load(*args)
        assert ([list(row) for row in got], labels) == ([list(row) for row in digits], truth)


# IDX and CSV, plain or gzipped, are streamed with bounds: no file can exhaust memory, block, or
# escape as anything but a TinynetError naming it.


def idx_header(count, rows=28, cols=28):
    return struct.pack(">HBBIII", 0, 8, 3, count, rows, cols)


def test_an_idx_gzip_bomb_stops_at_what_its_header_allows(tmp_path):
    bomb = gzip_bomb(tmp_path / "bomb-idx3-ubyte.gz", 1 << 30, head=idx_header(10))
    assert bomb.stat().st_size < 2 << 20  # a 1 GiB body in about 1 MB
    code = ("from tinynet import datasets, TinynetError\n"
            "try:\n    datasets.load_idx(%r)\nexcept TinynetError as err:\n    print(err)\n"
            % str(bomb))
    result = run_bounded(code, timeout=60)
    assert result.returncode == 0, result.stderr
    assert str(bomb) in result.stdout and "7,840" in result.stdout


def test_an_idx_header_promising_more_than_the_file_can_hold_is_refused_up_front(tmp_path):
    for name, data in (("raw-idx3", idx_header(60000) + bytes(100)),
                       ("gz-idx3.gz", gzip.compress(idx_header(10 ** 9) + bytes(100)))):
        path = tmp_path / name
        path.write_bytes(data)
        code = ("from tinynet import datasets, TinynetError\n"
                "try:\n    datasets.load_idx(%r)\nexcept TinynetError as err:\n    print(err)\n"
                % str(path))
        result = run_bounded(code, memory=200 << 20, timeout=30)
        assert result.returncode == 0, result.stderr
        assert str(path) in result.stdout


def test_an_idx_with_zero_images_or_zero_size_is_a_clear_error(tmp_path):
    for name, header in (("none", idx_header(0)), ("flat", idx_header(3, 0, 28))):
        path = tmp_path / name
        path.write_bytes(header)
        with pytest.raises(TinynetError) as err:
            datasets.load_idx(path)
        assert str(path) in str(err.value)


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_a_broken_gzip_idx_names_the_file(tmp_path, damage):
    X, y = datasets.load_sample("test")
    path = tmp_path / "images-idx3-ubyte.gz"
    datasets.save_idx(path, X[:200])
    data = path.read_bytes()
    data = data[:len(data) // 2] if damage == "truncated" else \
        data[:30] + bytes(b ^ 0x5A for b in data[30:90]) + data[90:]
    path.write_bytes(data)
    with pytest.raises(TinynetError) as err:
        datasets.load_idx(path)
    assert str(path) in str(err.value)
    one_line_error(cli("show", path), path)


def test_a_csv_with_one_endless_line_stops_within_bounded_memory(tmp_path):
    bomb = gzip_bomb(tmp_path / "line.csv.gz", 1 << 30, unit=b"0,")
    code = ("from tinynet import datasets, TinynetError\n"
            "try:\n    datasets.load_csv(%r)\nexcept TinynetError as err:\n    print(err)\n"
            % str(bomb))
    result = run_bounded(code, timeout=60)
    assert result.returncode == 0, result.stderr
    assert str(bomb) in result.stdout and ":1:" in result.stdout


def test_a_plain_csv_with_a_100_mb_line_stays_in_bounded_memory(tmp_path):
    path = tmp_path / "wide.csv"
    with open(path, "wb") as f:
        f.write(b"label," + b"1," * (50 << 20) + b"1\n")
    code = ("from tinynet import datasets, TinynetError\n"
            "try:\n    datasets.load_csv(%r)\nexcept TinynetError as err:\n    print(err)\n"
            % str(path))
    result = run_bounded(code, memory=250 << 20, timeout=60)
    assert result.returncode == 0, result.stderr
    assert str(path) in result.stdout


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_a_broken_gzip_csv_names_the_file_and_line(tmp_path, damage):
    X, y = datasets.load_sample("test")
    path = tmp_path / "data.csv.gz"
    datasets.save_csv(path, X[:300], y[:300])
    data = path.read_bytes()
    data = data[:len(data) // 2] if damage == "truncated" else \
        data[:len(data) // 2] + bytes(b ^ 0x5A for b in data[len(data) // 2:][:64]) + \
        data[len(data) // 2 + 64:]
    path.write_bytes(data)
    with pytest.raises(TinynetError) as err:
        datasets.load_csv(path)
    assert "%s:" % path in str(err.value)
    one_line_error(cli("train", path, "--epochs", "1", "--out", tmp_path / "m.pkl"), path)


@pytest.mark.parametrize("cell", ["2_5", "\u00b2", "\u0665", "\uff17", "1e2", "0x1", "0X10", " ", "+-1"])
def test_csv_cells_are_ascii_digits_only(tmp_path, cell):
    path = tmp_path / "odd.csv"
    row = ["0"] * 5
    row[3] = cell
    path.write_text("1," + ",".join(row) + "\n", encoding="utf-8")
    with pytest.raises(TinynetError) as err:
        datasets.load_csv(path, pixels=5)
    assert "%s:1:" % path in str(err.value)


def test_a_wide_images_line_may_spell_each_field_in_16_bytes(tmp_path):
    # Past 65,535 pixels the line limit is 16 bytes a field (label included),
    # not 1 MB: the longest line is read, one byte more is refused unread.
    pixels = 70000
    limit = 16 * (pixels + 1)
    pad = limit - len("3," + ",".join(["7"] * pixels) + "\n")
    for extra, readable in ((0, True), (1, False)):
        path = tmp_path / ("wide%d.csv" % extra)
        # the padding as leading zeros, spread out: the csv module caps a field's size
        zeros, more = divmod(pad + extra, pixels)
        cells = ["0" * (zeros + (i < more)) + "7" for i in range(pixels)]
        path.write_bytes(("3," + ",".join(cells) + "\n").encode("ascii"))
        assert path.stat().st_size == limit + extra
        if readable:
            X, labels = datasets.load_csv(path, pixels=pixels)
            assert labels == [3] and bytes(X.row_bytes(0)) == bytes([7] * pixels)
        else:
            with pytest.raises(TinynetError, match="%s:1: a line longer than 1,120,016 bytes"
                               % re.escape(str(path))):
                datasets.load_csv(path, pixels=pixels)


def test_csv_cells_spelled_long_are_read(tmp_path):
    # Leading zeros beyond int()'s 4300 digits, and a line of 100 KB for 5 pixels:
    # any line up to 1 MB is sane, whatever the pixel count.
    path = tmp_path / "long.csv"
    cells = ["0" * 5000, "+" + "0" * 4100 + "7", " " * 90000 + "255", "0", "00012"]
    path.write_text("3," + ",".join(cells) + "\n", encoding="ascii")
    X, labels = datasets.load_csv(path, pixels=5)
    assert labels == [3] and list(X.row_bytes(0)) == [0, 7, 255, 0, 12]


def test_csv_numbers_of_up_to_4000_significant_digits_are_numbers():
    from tinynet.datasets.csvfile import _to_int

    assert _to_int("9" * 4000) == 10 ** 4000 - 1  # then refused as out of range, by its value
    assert _to_int("-" + "0" * 300 + "9" * 4000) == 1 - 10 ** 4000
    assert _to_int("9" * 4001) is None


def test_a_header_that_names_its_pixel_columns_by_number_is_a_header(tmp_path):
    """The first line is a header when its first cell (the label's) is no
    number, whatever the others are."""
    from tinynet.datasets.csvfile import load_csv_strict

    path = tmp_path / "numbered.csv"
    path.write_text("label,0,1,2\n1,2,3,4\n2,3,7,5\n")
    for read in (load_csv, load_csv_strict):
        X, y = read(path, pixels=3)
        assert (bytes(X.pixels), y) == (bytes([2, 3, 4, 3, 7, 5]), [1, 2]), read
    path.write_text("1,2,3,x\n2,3,7,5\n")  # a first cell that is a number: data, not a header
    for read in (load_csv, load_csv_strict):
        with pytest.raises(TinynetError, match=r"^%s:1: column 4: pixel 'x' is not an integer$"
                           % re.escape(str(path))):
            read(path, pixels=3)


@pytest.mark.parametrize("length, shown", [(40, "'%s'" % ("x" * 40)),
                                           (41, "'%s'..." % ("x" * 40))])
def test_a_bad_cell_is_quoted_whole_up_to_40_characters(tmp_path, length, shown):
    path = tmp_path / "bad.csv"
    path.write_text("label,a,b,c\n1,2,3,4\n2,3,%s,5\n" % ("x" * length))
    with pytest.raises(TinynetError, match=r"^%s:3: column 3 \(b\): pixel %s is not an integer$"
                       % (re.escape(str(path)), re.escape(shown))):
        load_csv(path, pixels=3)


def test_a_download_asks_in_a_daemon_thread_named_for_tinynet(monkeypatch):
    """The request runs in a helper thread (so that a silent server can be
    given up); a daemon, so that one left asking never holds the program
    open, and named, so that a thread dump says whose it is."""
    import threading
    import urllib.request

    from tinynet.datasets.download import open_url

    seen = []

    def urlopen(url, timeout):
        here = threading.current_thread()
        seen.append((here.name, here.daemon, url, timeout))
        return "the response"

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    import types

    from tinynet.datasets import download

    monkeypatch.setattr(download, "time", types.SimpleNamespace(monotonic=lambda: 1000.0))
    events = []
    assert open_url("http://127.0.0.1:9/x", timeout=7,
                    waiting=lambda *event: events.append(event)) == "the response"
    assert seen == [("tinynet download", True, "http://127.0.0.1:9/x", 7)]
    # the wait reported as it starts and as it ends, in whole seconds since the start
    assert events == [("http://127.0.0.1:9/x", 0, False), ("http://127.0.0.1:9/x", 0, True)]


def test_why_a_mirror_failed_is_one_short_phrase():
    import io
    import socket
    import urllib.error

    from tinynet.datasets.download import NoAnswer, reason

    http = urllib.error.HTTPError("http://x/", 404, "Not Found", {}, io.BytesIO(b""))
    assert reason(http) == "HTTP Error 404: Not Found"
    http.close()
    assert reason(urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))) == \
        "[Errno 111] Connection refused"
    assert reason(socket.timeout("read timed out")) == "the transfer stalled (read timed out)"
    assert reason(socket.timeout()) == "the transfer stalled (timed out)"
    assert reason(NoAnswer("no answer within 5 s")) == "no answer within 5 s"
    assert reason(OSError()) == "OSError"


def csv_line(length, pixels=10):
    """A row of label 1 and pixels 7, exactly ``length`` bytes with its
    newline: leading zeros pad the pixels (each field under the csv
    module's 131,072)."""
    fields = ["1"] + ["7"] * pixels
    pad, k = length - len(",".join(fields) + "\n"), 1
    while pad > 0:
        fields[k] = "0" * min(pad, 131000) + fields[k]
        pad, k = pad - min(pad, 131000), k + 1
    return ",".join(fields) + "\n"


def test_a_csv_line_of_1_mib_is_read_and_one_byte_more_refused(tmp_path):
    from tinynet.datasets.csvfile import load_csv_strict

    path = tmp_path / "long.csv"
    for read in (load_csv, load_csv_strict):
        path.write_text(csv_line(1 << 20) + "2" + ",3" * 10 + "\n")
        X, y = read(path, pixels=10)
        assert (bytes(X.pixels), y) == (bytes([7] * 10 + [3] * 10), [1, 2]), read
        path.write_text(csv_line((1 << 20) + 1) + "2" + ",3" * 10 + "\n")
        with pytest.raises(TinynetError, match="^%s:1: a line longer than 1,048,576 bytes; "
                           "refused unread$" % re.escape(str(path))):
            read(path, pixels=10)


def test_a_failure_is_remembered_even_when_its_reason_cannot_be_encoded(tmp_path):
    """The reason is one line of UTF-8 in the stamp; what UTF-8 cannot hold
    (a lone surrogate, from a file name) becomes '?'."""
    from tinynet.datasets.download import recent_failure, remember_failure

    remember_failure(str(tmp_path), "no   such\nfile: bad\udcff.gz")
    ago, why = recent_failure(str(tmp_path))
    assert 0 <= ago < 60 and why == "no such file: bad?.gz"


@pytest.mark.parametrize("platform, where", [
    ("linux", ".cache/tinynet"), ("darwin", "Library/Caches/tinynet")])
def test_the_per_user_cache_is_where_each_system_keeps_caches(tmp_path, monkeypatch, platform,
                                                               where):
    """~/.cache (XDG), or ~/Library/Caches on macOS, which ignores
    XDG_CACHE_HOME; on Windows, LOCALAPPDATA."""
    monkeypatch.delenv("TINYNET_DATA", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", platform)
    assert datasets.cache_dir() == os.path.join(str(tmp_path), *where.split("/"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert datasets.cache_dir() == (os.path.join(str(tmp_path), *where.split("/"))
                                    if platform == "darwin" else str(tmp_path / "xdg" / "tinynet"))
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert datasets.cache_dir() == os.path.join(str(tmp_path / "local"), "tinynet")


def test_a_file_where_the_cache_folder_should_be_is_named_as_not_a_folder(tmp_path):
    from tinynet.datasets.mnist import prepare_cache

    (tmp_path / "cache").write_bytes(b"x")
    with pytest.raises(TinynetError, match=r"^%s: cannot keep downloads in this folder \(it is "
                       r"not a folder\)$" % re.escape(str(tmp_path / "cache"))):
        prepare_cache(str(tmp_path / "cache"))


def test_mnist_files_kept_uncompressed_are_read(tmp_path):
    """A folder may hold the IDX files gunzipped (their names without .gz)."""
    X, y = datasets.load_sample("test")
    save_idx(tmp_path / "t10k-images-idx3-ubyte", X[:5], tmp_path / "t10k-labels-idx1-ubyte", y[:5])
    got, labels = datasets.load_mnist("test", str(tmp_path), download=False, checksums=None)
    assert (bytes(got.pixels), labels) == (bytes(X[:5].pixels), list(y[:5]))


def test_a_file_of_another_name_may_hold_up_to_a_gib(tmp_path):
    """Only MNIST's own files have known sizes; another file's checksum is
    taken over all of it (up to 1 GiB)."""
    import hashlib

    from tinynet.datasets.mnist import content_md5

    data = bytes(range(256)) * 40
    (tmp_path / "mine.gz").write_bytes(gzip.compress(data, mtime=0))
    assert content_md5(str(tmp_path / "mine.gz"), "mine.gz") == hashlib.md5(data).hexdigest()


def test_a_download_cut_short_inside_its_gzip_stream_is_corrupt_gzip_data():
    """What a mirror sends is checked by its content: a gzip stream that
    ends early (EOFError inside gzip) is worded as corrupt data, as a
    damaged one is."""
    from tinynet.datasets.mnist import _md5_of_bytes

    whole = gzip.compress(bytes(1000), mtime=0)
    with pytest.raises(TinynetError, match=r"^corrupt gzip data \(Compressed file ended before"):
        _md5_of_bytes(whole[:-12], "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(TinynetError, match=r"^corrupt gzip data \("):
        _md5_of_bytes(whole[:10] + b"\xff" * 20 + whole[30:], "t10k-labels-idx1-ubyte.gz")


def test_a_model_file_given_as_data_is_refused_naming_it(tmp_path):
    path = tmp_path / "model.json"
    DNN([2, 2], seed=0, backend="python").save(path)
    for read in (datasets.load, datasets.data_kind):
        with pytest.raises(TinynetError, match="^%s: a tinynet model file, not a data file "
                           r"\(CSV or IDX\)$" % re.escape(str(path))):
            read(path)


def test_closing_a_reader_closes_its_decompressor_and_its_file(tmp_path):
    from tinynet.datasets.sources import DataReader

    path = tmp_path / "d.csv.gz"
    path.write_bytes(gzip.compress(b"1,2\n", mtime=0))
    with DataReader(path) as reader:
        inner, raw = reader._file, reader._raw
        assert reader.compressed and inner is not raw and reader.read() == b"1,2\n"
    assert inner.closed and raw.closed


def test_a_missing_file_is_told_by_the_reader_not_by_the_sniffing(tmp_path):
    """Telling CSV from IDX reads a file's first bytes; a missing file has
    none (b""), and the reader then says what is missing."""
    from tinynet.datasets.sources import head

    assert head(str(tmp_path / "missing.csv")) == b""
    with pytest.raises(FileNotFoundError, match="No such file or directory"):
        datasets.load(tmp_path / "missing.csv")
