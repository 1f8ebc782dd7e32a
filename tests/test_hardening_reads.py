"""Hardening, reading files: non-regular files are refused before reading,
model files are capped, and IDX/CSV (plain or gzipped) are streamed with
bounds, so no file can exhaust memory, block, or escape as anything but a
TinynetError naming it."""

import gzip
import re
import struct

import pytest

from tinynet import datasets
from tinynet.errors import TinynetError

from hardening_util import cli, gzip_bomb, one_line_error, run_bounded


# === Not a regular file ===


# === Model files: capped ===


def test_a_huge_model_file_is_refused_by_its_size_before_reading(tmp_path):
    path = tmp_path / "huge.pkl"
    with open(path, "wb") as f:
        f.write(b"\x80\x04")
        f.truncate(8 << 30)  # 8 GiB, sparse: nothing like a model
    code = ("import tinynet\n"
            "try:\n    tinynet.load(%r)\nexcept tinynet.TinynetError as err:\n"
            "    print(err)\n" % str(path))
    result = run_bounded(code, timeout=30)
    assert result.returncode == 0, result.stderr
    assert str(path) in result.stdout


# === IDX: the header bounds the body ===


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


# === CSV: lines bounded ===


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
