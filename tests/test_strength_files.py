"""Files and payloads, case by case (issue 12, the tests' own strength: a CSV
starting with a BOM, payload rows that are not lists, IDX and CSV details)."""

import gzip
import json

import pytest

import tinynet
from tinynet import DNN, TinynetError, validate
from tinynet.datasets import Images, load_csv, load_idx, save_csv, save_idx

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
    with pytest.raises(ValueError, match="^2 images but 1 labels$"):
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
    with pytest.raises(TinynetError, match=r"two\.idx has 2 labels but .*x\.idx has 1 images$"):
        load_idx(tmp_path / "x.idx", tmp_path / "two.idx")
    (tmp_path / "ten.idx").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 1, 10]))
    with pytest.raises(TinynetError, match=r"ten\.idx: label 10 is outside 0\.\.9$"):
        load_idx(tmp_path / "x.idx", tmp_path / "ten.idx")


@pytest.mark.parametrize("where, value", [
    ("weights", "not a list"), ("weights", 3.0), ("weights", {"0": 1.0}), ("weights", (1.0, 2.0)),
    ("biases", "xy"), ("biases", 2.0), ("biases", None)])
def test_payload_rows_that_are_not_lists(tmp_path, where, value):
    data = DNN([2, 2], seed=0, backend="python").to_dict()
    if where == "weights":
        data["weights"][0][1] = value
    else:
        data["biases"][0] = value
    with pytest.raises(ValueError, match=r"^%s\[0\] must be 2 (rows of 2 )?numbers" % where):
        DNN.from_dict(data)
    if not isinstance(value, tuple):  # a tuple has no JSON form
        path = tmp_path / "m.json"
        path.write_text(json.dumps(data))
        with pytest.raises(TinynetError, match=r"m\.json: .*%s\[0\]" % where):
            tinynet.load(path)


def test_finite_row_refuses_what_is_not_a_list_of_finite_numbers():
    validate.finite_row([1.0, 2, -3.5, 1e308], "r")
    for row, message in [((1.0,), r"r must be a list of numbers, not \(1\.0,\)$"),
                         ("ab", "r must be a list of numbers, not 'ab'$"),
                         ([1.0, "2"], r"r holds something that is not a number \('2'\)"),
                         ([True], r"r holds something that is not a number \(True\)"),
                         ([None], r"r holds something that is not a number \(None\)"),
                         ([10 ** 400], "r holds an integer too large for a float"),
                         ([float("inf")], r"r holds a non-finite value \(inf\)"),
                         ([1.0, float("nan")], "r holds a non-finite value")]:
        with pytest.raises(ValueError, match="^" + message):
            validate.finite_row(row, "r")


def test_model_dict_checks_each_field():
    good = DNN([2, 3, 2], seed=0, backend="python").to_dict()

    def refused(message, **changes):
        data = dict(good, **changes)
        with pytest.raises(ValueError, match="^" + message):
            DNN.from_dict(data)  # validate.model_dict, then the names as the model is made

    assert type(validate.model_dict(good)).__name__ == "SGD"
    refused("not a tinynet model", format="other")
    refused("unknown format version", version=0)
    refused("unknown format version", version=True)
    refused("written by a newer tinynet .format version 2; this one reads up to 1", version=2)
    refused("sizes must be a list of at least two positive ints", sizes=[2])
    refused("sizes must be a list", sizes=(2, 3, 2))
    refused("bad model settings: unknown activation 'gelu'; expected one of: relu, sigmoid, tanh$",
            activation="gelu")
    refused("bad model settings: unknown output 'relu'; expected one of: linear, sigmoid, softmax$",
            output="relu")
    refused("bad model settings: unknown loss 'hinge'; expected one of: cross_entropy, mse$",
            loss="hinge")
    refused("dtype must be 'float64' or 'float32', not 'float16'", dtype="float16")
    refused(r"optimizer must be a dict, not \[\]$", optimizer=[])
    refused("optimizer must be one of adam, momentum, sgd, not 'rmsprop'", optimizer={"name": "rmsprop"})
    refused("optimizer 'sgd' has no setting 'momentum'", optimizer={"name": "sgd", "momentum": 0.5})
    refused("optimizer 'adam' has no setting 'decay', 'momentum'$",  # every unknown one, sorted
            optimizer={"name": "adam", "momentum": 0.5, "decay": 0.1})
    refused(r"optimizer state must be a dict, not \[\]$", optimizer={"name": "sgd", "state": []})
    data = dict(good)
    del data["loss"]
    with pytest.raises(ValueError, match="^missing key 'loss'$"):
        validate.model_dict(data)
    opt = validate.model_dict(dict(good, optimizer={"name": "momentum", "momentum": 0.5,
                                                     "learning_rate": 0.2}))
    assert opt.settings() == {"learning_rate": 0.2, "l2": 0.0, "momentum": 0.5}
    assert validate.model_dict({k: v for k, v in good.items() if k != "optimizer"}).name == "sgd"


def test_decoding_bytes_names_them_and_accepts_a_bom():
    from tinynet.serialize import decode

    with pytest.raises(TinynetError, match="^<bytes>: the file is empty, not a tinynet model$"):
        decode(b"")
    with pytest.raises(TinynetError, match="^here: not a tinynet model file "
                                           r"\(neither a pickle nor JSON\)$"):
        decode(b"[1, 2]", "here")
    assert decode(BOM + b' \n{"a": [1, 2.5]}') == {"a": [1, 2.5]}
    with pytest.raises(TinynetError, match=r"^<bytes>: not valid JSON \("):
        decode(b"{nope")
    with pytest.raises(TinynetError, match="^<bytes>: truncated: the pickle ends early$"):
        decode(b"\x80\x02]")


@pytest.mark.parametrize("raw, loaded", [
    (b"\x80\x04]\x94]q\x01a.", [[]]),  # MEMOIZE counts: BINPUT 1 follows it
    (b"\x80\x02]p0\n]p1\na.", [[]]),  # PUT with a text index, one line
    (b"\x80\x02]p0\nI7\na.", [7]),  # INT: one line too
])
def test_the_pickle_scan_follows_the_memo(raw, loaded):
    from tinynet.serialize import decode

    assert decode(raw) == loaded


def test_any_other_failure_of_the_unpickler_is_a_corrupt_pickle():
    from tinynet.serialize import decode

    with pytest.raises(TinynetError, match=r"^<bytes>: corrupt pickle \(IndexError: "):
        decode(b"\x80\x02]K\x01K\x02s.")  # SETITEM on a list: index 1 of an empty one


@pytest.mark.parametrize("raw", [b"\x80\x02cx\np9\n.", b"\x80\x02(ix\np9\n."],
                         ids=["GLOBAL", "INST"])
def test_the_pickle_scan_reads_both_lines_of_a_global(raw):
    # Its second line, "p9", read as an opcode would be a PUT beyond the memo.
    from tinynet.serialize import decode

    with pytest.raises(TinynetError, match=r"^<bytes>: refused: global 'x\.p9' is forbidden"):
        decode(raw)


@pytest.mark.parametrize("raw, index, size", [
    (b"\x80\x02]q\x00]q\x02a.", 2, 1),  # a gap in the memo
    (b"\x80\x02]q\x00K\x01K\x02K\x03]q\x07.", 7, 1),  # after other opcodes
    (b"\x80\x02]p3\n.", 3, 0),
    (b"\x80\x02]p0\n]p+1\na.", -1, 1),  # a text index that is not plain digits: no index
])
def test_the_pickle_scan_refuses_memo_gaps(raw, index, size):
    from tinynet.serialize import decode

    with pytest.raises(TinynetError, match=r"^<bytes>: corrupt pickle \(it stores object %d of %d\)$"
                       % (index, size)):
        decode(raw)


def test_a_model_file_larger_than_the_cap_is_refused_unread(tmp_path, monkeypatch):
    import tinynet.serialize

    assert tinynet.serialize.MAX_FILE_BYTES == 256 << 20
    path = tmp_path / "big.json"
    path.write_text("{" + " " * 5000 + "}")
    monkeypatch.setattr(tinynet.serialize, "MAX_FILE_BYTES", 2000)
    with pytest.raises(TinynetError, match=r"big\.json: larger than the 2,000 bytes a tinynet model "
                                           r"file may be$"):
        tinynet.serialize.read(path)


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
