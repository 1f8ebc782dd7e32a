"""What fit, train, evaluate, predict and classify accept as data and
settings, and how they refuse the rest: empty or non-finite data named by row
and column, wrong widths, labels and targets out of range, schedules and
counts, all checked before any work (and without a Python loop per value)."""

import math
import re

import pytest

from tinynet import DNN, Matrix, TinynetError

from conftest import needs_numpy


X = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.25], [0.3, 0.3, 0.3], [0.9, 0.1, 0.0], [0.2, 0.8, 0.5]]
Y = [0, 1, 1, 0, 1]


def test_empty_inputs_are_refused_not_crashed_on(backend):
    net = DNN([3, 2], seed=0, backend=backend)
    for f in (net.predict, net.classify):
        with pytest.raises(ValueError):
            f([])


@needs_numpy
def test_an_empty_numpy_row_is_one_sample_of_the_wrong_width():
    import numpy as np

    net = DNN([3, 2], seed=0, backend="numpy")
    with pytest.raises(ValueError, match="^x has 0 values; the network's input layer has 3$"):
        net.predict(np.zeros(0))
    assert net.predict(np.zeros((0, 3))).shape == (0, 2)


def test_inputs_take_rows_in_the_order_asked(backend):
    from tinynet.batching import Inputs

    X = Matrix.from_list([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], backend=backend)
    data = Inputs(X, DNN([2, 2], backend=backend))
    assert data.take(range(3)) is X  # the whole matrix in order: no copy
    assert data.take([2, 1, 0]).tolist() == [[5.0, 6.0], [3.0, 4.0], [1.0, 2.0]]
    assert data.take(range(1, 3)).tolist() == [[3.0, 4.0], [5.0, 6.0]]
    assert data.take([0]).tolist() == [[1.0, 2.0]]
    assert data.take(range(2, -1, -1)).tolist() == [[5.0, 6.0], [3.0, 4.0], [1.0, 2.0]]
    assert data.take(range(0, 3, 2)).tolist() == [[1.0, 2.0], [5.0, 6.0]]
    # training on a Matrix shuffles it with its targets
    net = DNN([2, 2], seed=1, backend=backend, learning_rate=0.5)
    twin = DNN([2, 2], seed=1, backend=backend, learning_rate=0.5)
    net.fit(X, [0, 1, 1], epochs=2, batch_size=1)
    twin.fit(X.tolist(), [0, 1, 1], epochs=2, batch_size=1)
    assert net.get_params() == twin.get_params()


def test_schedules_and_counts_are_checked_with_exact_messages(backend):
    from tinynet.training import cosine, linear

    assert (cosine(0.0), cosine(0.5), cosine(1.0)) == (1.0, pytest.approx(0.5), 0.0)
    assert (linear(0.0), linear(0.25), linear(1.0)) == (1.0, 0.75, 0.0)
    net = DNN([3, 2], seed=0, backend=backend, learning_rate=0.1)
    for bad in (-1.0, float("nan"), float("inf"), True, "x", None):
        with pytest.raises(ValueError, match=r"^the schedule gave %s at 0 of the run; it must give "
                           r"finite numbers >= 0$" % __import__("re").escape(repr(bad))):
            net.fit(X, Y, epochs=1, batch_size=5, schedule=lambda done, bad=bad: bad)
    assert net.learning_rate == 0.1
    rates = []
    net.fit(X, Y, epochs=2, batch_size=5, schedule=lambda done: rates.append(done) or 0.0)
    assert rates == [0.0, 0.5] and net.learning_rate == 0.1
    with pytest.raises(ValueError, match=r"^unknown schedule 'cos'; expected 'cosine', 'linear', "
                       r"'constant', a function or None$"):
        net.fit(X, Y, schedule="cos")
    with pytest.raises(ValueError, match=r"^epochs must be an int >= 0, not -1$"):
        net.fit(X, Y, epochs=-1)
    with pytest.raises(ValueError, match=r"^batch_size must be an int >= 1, not 0$"):
        net.fit(X, Y, batch_size=0)
    with pytest.raises(ValueError, match=r"^batch_size must be an int >= 1, not True$"):
        net.fit(X, Y, batch_size=True)


def test_non_finite_data_is_named_by_row_and_column(backend):
    net = DNN([3, 2], seed=0, backend=backend)
    nan = float("nan")
    with pytest.raises(ValueError, match="^x holds nan at column 1; inputs must be finite numbers$"):
        net.predict([1.0, nan, 0.0])
    with pytest.raises(ValueError, match="^row 1 of X holds inf at column 2; inputs must be finite numbers$"):
        net.predict([[1.0, 0.0, 0.0], [1.0, 0.0, float("inf")]])
    with pytest.raises(ValueError, match="^row 0 of y holds inf at column 0; targets must be finite numbers$"):
        net.fit([[1.0, 2.0, 3.0]], [[float("inf"), 0.0]])
    with pytest.raises(ValueError, match="^row 0 of X holds a str at column 0; inputs must be finite numbers$"):
        net.predict([["a", 0.0, 0.0], [0.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="^X has 2 rows but y has 0 targets$"):
        net.train([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]], [])


@needs_numpy
def test_non_finite_numpy_rows_are_found_in_any_block():
    import numpy as np

    net = DNN([3, 2], seed=0, backend="numpy")
    X = np.zeros((5000, 3))
    X[4500, 2] = np.nan
    with pytest.raises(ValueError, match="^row 4500 of X holds nan at column 2; inputs must be finite numbers$"):
        net.predict(X)
    with pytest.raises(ValueError, match="^X holds <U1 values, not numbers$"):
        net.predict(np.array([["a", "b", "c"]]))


def test_softmax_targets_must_be_distributions():
    net = DNN([2, 2], seed=0, backend="python")
    with pytest.raises(ValueError, match=r"^target row 0 sums to 0\.5; with output='softmax' and "
                       r"loss='cross_entropy' each target row must be >= 0 and sum to 1 \(or give int labels\)$"):
        net.train([1.0, 0.0], [0.5, 0.0])
    with pytest.raises(ValueError, match=r"^target row 0 sums to 1 and has a negative value; "):
        net.train([1.0, 0.0], [1.5, -0.5])


def test_one_output_takes_a_label_or_a_row_of_one_value(backend):
    def step(x, y):
        net = DNN([2, 3, 1], output="sigmoid", seed=4, learning_rate=0.5, backend=backend)
        return net.train(x, y), net.get_params()

    x = [0.5, -0.5]
    label = step(x, 1)
    assert label[0] > 0 and step(x, [1.0]) == label and step([x], [1]) == label
    assert step([x], [[1.0]]) == label
    row = step(x, [0.75])  # a target value, not a label
    assert row != label and step([x], [[0.75]]) == row
    with pytest.raises(ValueError, match=r"^label 0\.75 at index 0 is not a class in 0\.\.1$"):
        step([x], [0.75])  # a batch: a list of labels


def test_labels_are_ints_in_range_found_by_index(backend):
    net = DNN([3, 4, 3], seed=1, backend=backend)
    X3 = X[:3]
    for labels, bad in (([2, 0, 5], "5 at index 2"), ([0, 2, -1], "-1 at index 2"),
                        ([0, 1.5, 1], "1.5 at index 1"), ((2, 0, 3), "3 at index 2")):
        with pytest.raises(ValueError, match=r"^label %s is not a class in 0\.\.2$" % bad):
            net.evaluate(X3, labels)
    with pytest.raises(ValueError, match=r"^label '1' at index 1 is not a class in 0\.\.2 but a str"):
        net.evaluate(X3, [1, "1", 0])  # (a string: test_string_labels_are_refused_naming_...)
    # whole floats, in a list or a tuple, are the same labels as ints
    ints = net.evaluate(X3, [2, 0, 1])
    assert net.evaluate(X3, [2.0, 0.0, 1.0]) == ints == net.evaluate(X3, (2, 0, 1))
    net.fit(X3, [2.0, 0.0, 1.0], epochs=1, batch_size=3)


def test_finite_data_is_checked_without_a_python_loop_per_value(monkeypatch):
    from tinynet import batching

    calls = []
    real = batching._is_number
    monkeypatch.setattr(batching, "_is_number", lambda v: calls.append(v) or real(v))
    batching.check_finite_rows([[0.0, 1.0, -2.5], [1e300, 3, 7]], "X")
    assert calls == []  # the sum of each row was finite: no value looked at
    # a sum that overflows: each value is looked at, and all are finite
    batching.check_finite_rows([[1e308, 1e308]], "X")
    assert calls == [1e308, 1e308]


@needs_numpy
def test_finite_numpy_data_is_checked_in_blocks_not_rows(monkeypatch):
    import numpy as np
    from tinynet import batching

    looked = []
    monkeypatch.setattr(batching, "check_finite_rows", lambda *args: looked.append(args))
    net = DNN([2, 2], backend="numpy")
    batching.Inputs(np.ones((3, 2)), net)
    assert looked == []
    X = np.ones((3, 2))
    X[2, 1] = np.inf
    batching.Inputs(X, net)
    assert len(looked) == 1 and looked[0][1:] == ("X", 0) and looked[0][0][2] == [1.0, float("inf")]


# Careless data: every mistake is a clear error naming the row, raised before any work is wasted.


X4 = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.25], [0.3, 0.3, 0.3], [0.9, 0.1, 0.0]]
Y4 = [0, 1, 1, 0]


def test_a_schedule_giving_nan_is_refused():
    net = DNN([3, 2], seed=0, backend="python")
    with pytest.raises(ValueError, match="schedule"):
        net.fit(X4, Y4, epochs=1, schedule=lambda done: math.nan)
    assert net.learning_rate == 0.02  # restored


@pytest.mark.parametrize("call", ["fit", "evaluate"])
def test_empty_data_is_a_clear_error(call, backend):
    net = DNN([3, 2], seed=0, backend=backend)
    with pytest.raises(TinynetError, match="empty"):
        getattr(net, call)([], [])


@pytest.mark.parametrize("bad", [math.nan, math.inf, "7"], ids=repr)
@pytest.mark.parametrize("call", ["fit", "evaluate", "predict", "train"])
def test_a_bad_input_value_is_named_by_its_row(backend, call, bad):
    rows = [list(r) for r in X4]
    rows[2][1] = bad
    net = DNN([3, 2], seed=0, backend=backend)
    before = net.get_params()
    args = {"fit": (rows, Y4), "evaluate": (rows, Y4), "predict": (rows,), "train": (rows, Y4)}
    with pytest.raises(ValueError, match="row 2 of X") as err:
        getattr(net, call)(*args[call])
    assert "learning_rate" not in str(err.value)
    assert net.get_params() == before


@needs_numpy
def test_a_nan_in_a_numpy_array_is_named_by_its_row():
    import numpy as np

    A = np.array(X4 * 3000)
    A[9001, 2] = np.nan
    with pytest.raises(ValueError, match="row 9001 of X"):
        DNN([3, 2], seed=0, backend="numpy").fit(A, Y4 * 3000)


def test_huge_but_finite_inputs_are_not_mistaken_for_infinity():
    net = DNN([2, 2], output="linear", loss="mse", seed=0, backend="python")
    net.predict([[1e308, 1e308]])  # their sum overflows; each is finite


@pytest.mark.parametrize("target", [[math.nan, 1.0], [math.inf, 0.0]], ids=repr)
def test_a_non_finite_target_is_named_by_its_row(target):
    net = DNN([3, 2], output="sigmoid", loss="mse", seed=0, backend="python")
    y = [[0.0, 1.0]] * 4
    y[3] = target
    with pytest.raises(ValueError, match="row 3 of y"):
        net.fit(X4, y)


@pytest.mark.parametrize("row", [[0.5, 0.2], [2.0, -1.0], [0.0, 0.0]], ids=repr)
def test_softmax_cross_entropy_refuses_targets_that_are_not_distributions(backend, row):
    net = DNN([3, 2], seed=0, backend=backend)
    y = [[1.0, 0.0]] * 4
    y[1] = row
    with pytest.raises(ValueError, match="target row 1"):
        net.fit(X4, y)
    with pytest.raises(ValueError, match="target row 1"):
        net.evaluate(X4, y)
    net.fit(X4, [[0.25, 0.75]] * 4)  # a soft target that is a distribution is fine
    DNN([3, 2], output="sigmoid", loss="mse", backend=backend).fit(X4, [row] * 4)  # mse: any


@pytest.mark.parametrize("other", ["numpy", "python"])
def test_a_matrix_of_another_backend_is_taken_as_its_rows(backend, other):
    """A Matrix made by one backend, given to a model of another, is read as
    its rows: the same outputs and training as the lists, in the model's own
    backend."""
    if "numpy" in (backend, other):
        pytest.importorskip("numpy")
    rows = [[0.1, 0.2], [0.3, 0.4], [0.9, 0.0]]
    X = Matrix.from_list(rows, backend=other)
    net = DNN([2, 3, 2], seed=0, backend=backend)
    assert [list(map(float, r)) for r in net.predict(X)] == \
        [list(map(float, r)) for r in net.predict(rows)]
    twin = DNN([2, 3, 2], seed=0, backend=backend)
    net.fit(X, [0, 1, 1], epochs=2, batch_size=2, shuffle=False)
    twin.fit(rows, [0, 1, 1], epochs=2, batch_size=2, shuffle=False)
    assert net.get_params() == twin.get_params()


@needs_numpy
def test_inputs_of_three_dimensions_are_refused_naming_them(backend):
    import numpy as np

    net = DNN([4, 3, 2], seed=0, backend=backend)
    for call in (lambda X: net.predict(X), lambda X: net.fit(X, [0, 1])):
        with pytest.raises(ValueError, match=r"^inputs must be 1-D \(one sample\) or 2-D, not 3-D$"):
            call(np.zeros((2, 2, 2)))


def test_no_target_for_one_sample_says_so(backend):
    net = DNN([2, 3], seed=0, backend=backend)
    for x in ([0.1, 0.2], [[0.1, 0.2]]):
        for y in ([], ()):
            with pytest.raises(ValueError, match="^X has 1 row but y has 0 targets$"):
                net.train(x, y)


@needs_numpy
def test_valid_numpy_labels_take_the_one_pass_check(monkeypatch, backend):
    """A 1-D NumPy array of labels becomes a list of ints first, so valid
    labels pass the one-pass check; the label-by-label check (labels()) is
    for finding the bad one."""
    import numpy as np

    from tinynet import batching

    def label_by_label(*args, **kwargs):
        raise AssertionError("the label-by-label check ran")

    net = DNN([2, 3], seed=0, backend=backend)
    X = [[0.0, 0.5], [1.0, 0.0], [0.3, 0.3]]
    before = net.evaluate(X, [2, 0, 1])
    monkeypatch.setattr(batching, "labels", label_by_label)
    for dtype in ("int64", "int32", "uint8"):
        assert net.evaluate(X, np.array([2, 0, 1], dtype=dtype)) == before


@pytest.mark.parametrize("y, shown", [("0101", "'0101'"), (b"0101", "a bytes of 4 items"),
                                      (5, "5"), (None, "None"), (2.5, "2.5")])
def test_targets_that_are_no_sequence_of_labels_or_rows_are_refused_naming_them(backend, y,
                                                                                 shown):
    net = DNN([2, 3], seed=0, backend=backend)
    X = [[0.1, 0.2]] * 4
    for call in (lambda: net.fit(X, y), lambda: net.evaluate(X, y)):
        with pytest.raises(TypeError, match="^y must be int class labels in 0..2 or rows of "
                                            "target values, not %s$" % re.escape(shown)):
            call()


def test_an_empty_sample_says_what_to_give(backend):
    net = DNN([2, 3], seed=0, backend=backend)
    for call in (net.predict, net.classify, lambda x: net.train(x, 1)):
        for x in ([], ()):
            with pytest.raises(ValueError, match=r"^x is empty: give one sample \(2 numbers\) or "
                                                 r"a batch of them$"):
                call(x)


@pytest.mark.parametrize("y, shown, at", [([0.0, math.inf], "inf", 1), ([0.0, -math.inf], "-inf", 1),
                                          ([math.nan, 1.0], "nan", 0)])
def test_labels_that_are_not_finite_are_refused_naming_them(backend, y, shown, at):
    net = DNN([2, 3], seed=0, backend=backend)
    with pytest.raises(ValueError, match="^label %s at index %d is not a class in 0..2$"
                                         % (shown, at)):
        net.evaluate([[0.1, 0.2]] * 2, y)


# --- What other libraries hand over: pandas, torch, bytes, columns of labels ---
#
# Stand-ins with the habits that broke the NumPy path (an object with .shape
# and .ndim that is no NumPy array): a frame indexed by column and by label,
# a tensor whose dtype has no .kind.  Each offers __array__, as pandas and
# torch do; the real libraries are tested at the end, where installed.

class Frame:
    """A DataFrame's habits: X[0] is a column (KeyError here), the index
    starts anywhere, it has keys(); numpy.asarray gives its values."""

    def __init__(self, rows, start=100):
        import numpy as np

        self.values, self.index = np.asarray(rows), range(start, start + len(rows))
        self.shape, self.ndim = self.values.shape, self.values.ndim

    def __len__(self):
        return len(self.values)

    def __getitem__(self, key):
        raise KeyError(key)

    def keys(self):
        return ["c%d" % j for j in range(self.shape[1])]

    def __array__(self, dtype=None, copy=None):
        return self.values if dtype is None else self.values.astype(dtype)


class Series(Frame):
    """A Series: label-indexed (s[0] fails for an index starting at 100),
    no reshape."""


class Tensor:
    """A torch tensor on the CPU: .dtype is no NumPy dtype (no .kind)."""

    dtype = object()

    def __init__(self, rows):
        import numpy as np

        self.values = np.asarray(rows, dtype="float32")
        self.shape, self.ndim = self.values.shape, self.values.ndim

    def __len__(self):
        return len(self.values)

    def __getitem__(self, i):
        return Tensor(self.values[i])

    def reshape(self, *shape):
        return Tensor(self.values.reshape(*shape))

    def __array__(self, dtype=None, copy=None):
        return self.values if dtype is None else self.values.astype(dtype)


# (values a float32 holds exactly, as a tensor's are)
ROWS = [[0.0, 0.5, 1.0, 0.25], [1.0, 0.0, 0.25, 0.75], [0.375, 0.125, 0.5, 0.0625],
        [0.875, 0.125, 0.0, 0.5]]
LABELS = [0, 1, 2, 1]


@needs_numpy
@pytest.mark.parametrize("wrap", [Frame, Tensor], ids=["frame", "tensor"])
def test_array_likes_are_read_by_position_as_their_arrays(backend, wrap):
    net = DNN([4, 5, 3], seed=0, backend=backend)
    assert net.classify(wrap(ROWS)) == net.classify(ROWS)
    halves = [[v / 2 for v in row] for row in ROWS]
    assert net.classify(wrap(ROWS), scale=0.5) == net.classify(halves)
    assert net.evaluate(wrap(ROWS), LABELS) == net.evaluate(ROWS, LABELS)
    for one in (wrap(ROWS[1]), Series(ROWS[1])):  # a 1-D one is one sample
        assert net.classify(one) == net.classify(ROWS[1])
    twin = DNN([4, 5, 3], seed=0, backend=backend)
    net.fit(wrap(ROWS), Series(LABELS), epochs=2, batch_size=2, shuffle=False)
    twin.fit(ROWS, LABELS, epochs=2, batch_size=2, shuffle=False)
    net.train(wrap(ROWS[0]), 2)
    twin.train(ROWS[0], 2)
    assert net.get_params() == twin.get_params()


@needs_numpy
def test_targets_given_as_a_frame_are_its_rows(backend):
    import numpy as np

    net = DNN([4, 5, 3], seed=0, backend=backend)
    onehot = np.eye(3)[LABELS]
    assert net.evaluate(ROWS, Frame(onehot)) == net.evaluate(ROWS, LABELS)
    assert net.evaluate(Frame(ROWS), Tensor(onehot)) == net.evaluate(ROWS, LABELS)


@pytest.mark.parametrize("column", [lambda y: [[v] for v in y],
                                    lambda y: __import__("numpy").array(y).reshape(-1, 1),
                                    lambda y: Frame([[v] for v in y])],
                         ids=["lists", "numpy", "frame"])
def test_a_column_of_labels_is_one_label_per_sample_with_a_warning(backend, column):
    try:
        y = column(LABELS)
    except ImportError:
        pytest.skip("NumPy is not installed")
    net = DNN([4, 5, 3], seed=0, backend=backend)
    twin = DNN([4, 5, 3], seed=0, backend=backend)
    message = r"^y is a column \(4 rows of one value\) for a network of 3 outputs: .*y\.ravel\(\)"
    with pytest.warns(UserWarning, match=message):
        assert net.evaluate(ROWS, y) == twin.evaluate(ROWS, LABELS)
    with pytest.warns(UserWarning, match=message):
        net.fit(ROWS, y, epochs=1, batch_size=2, shuffle=False)
    twin.fit(ROWS, LABELS, epochs=1, batch_size=2, shuffle=False)
    assert net.get_params() == twin.get_params()


def test_a_column_that_is_no_labels_is_refused_as_before(backend):
    net = DNN([4, 5, 3], seed=0, backend=backend)
    with pytest.raises(ValueError, match="^target 0 has 1 values; the network has 3 outputs$"):
        net.fit(ROWS, [[0.5], [1.0], [2.0], [0.0]])  # not whole numbers: no labels
    with pytest.raises(ValueError, match="^target 2 has 2 values; the network has 3 outputs$"):
        net.fit(ROWS, [[0, 1, 0], [1, 0, 0], [1, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match=r"^label 3 at index 1 is not a class in 0..2$"):
        net.fit(ROWS, [[0], [3], [1], [1]])  # whole numbers: labels, checked as labels
    one = DNN([4, 5, 1], output="sigmoid", seed=0, backend=backend)  # one output: a row each
    assert one.evaluate(ROWS, [[0], [1], [1], [0]]) == one.evaluate(ROWS, [0, 1, 1, 0])


@pytest.mark.parametrize("call", ["fit", "evaluate", "train"])
@pytest.mark.parametrize("y, bad, at", [(["0", "1", "2", "1"], "'0'", 0),
                                        ([0, 1, "cat", 1], "'cat'", 2),
                                        ([["0"], ["1"], ["2"], ["1"]], "'0'", 0)])
def test_string_labels_are_refused_naming_the_first(backend, call, y, bad, at):
    net = DNN([4, 5, 3], seed=0, backend=backend)
    message = (r"^label %s at index %d is not a class in 0\.\.2 but a str: labels must be int "
               r"class numbers \(turn names or digit strings into ints first\)$" % (bad, at))
    before = net.get_params()
    with pytest.raises(ValueError, match=message):
        getattr(net, call)(ROWS, y)
    assert net.get_params() == before


def test_a_string_label_for_one_sample_is_refused(backend):
    net = DNN([4, 5, 3], seed=0, backend=backend)
    with pytest.raises(TypeError, match=r"^y must be int class labels in 0\.\.2 or rows of "
                                        r"target values, not '1'$"):
        net.train(ROWS[0], "1")
    regression = DNN([4, 5, 1], output="linear", loss="mse", seed=0, backend=backend)
    with pytest.raises(ValueError, match=r"^target 0 is a str \('1.5'\); a regression's "
                                         r"targets are numbers$"):
        regression.fit(ROWS, ["1.5", "2", "0", "1"])


@needs_numpy
def test_numpy_string_labels_are_refused_naming_the_first(backend):
    import numpy as np

    net = DNN([4, 5, 3], seed=0, backend=backend)
    for y in (np.array(["2", "1", "0", "1"]), np.array(["2", "1", "0", "1"]).reshape(-1, 1)):
        with pytest.raises(ValueError, match=r"^label '2' at index 0 is not a class in "
                                             r"0\.\.2 but a str: "):
            net.fit(ROWS, y)


@pytest.mark.parametrize("x, kind", [({"a": 1}, "dict"), ({0: [0.0] * 4}, "dict"),
                                     ({1.0, 2.0, 3.0, 4.0}, "set"), ("abcd", "str"),
                                     (None, "NoneType"), (3.5, "float"),
                                     ((v for v in ROWS), "generator")])
def test_what_is_no_sequence_of_numbers_or_rows_is_refused_naming_its_type(backend, x, kind):
    net = DNN([4, 5, 3], seed=0, backend=backend)
    message = (r"^%%s must be a sequence of numbers \(one sample\) or of rows \(a list, tuple, "
               r"NumPy array, pandas DataFrame\.\.\.\), not an? %s$" % kind)
    for call in (net.predict, net.classify, lambda x: net.train(x, 1),
                 lambda x: net.predict(x, scale=0.5)):
        with pytest.raises(TypeError, match=message % "x"):
            call(x)
    for call in (lambda X: net.fit(X, LABELS), lambda X: net.evaluate(X, LABELS)):
        with pytest.raises(TypeError, match=message % "X"):
            call(x)


@pytest.mark.parametrize("y", [{0: 1, 1: 0, 2: 1, 3: 2}, {0, 1, 2, 3}], ids=["dict", "set"])
def test_targets_that_are_a_mapping_or_a_set_are_refused(backend, y):
    net = DNN([4, 5, 3], seed=0, backend=backend)
    with pytest.raises(TypeError, match=r"^y must be int class labels in 0\.\.2 or rows of "
                                        r"target values, not a (dict|set) of 4 items$"):
        net.fit(ROWS, y)


def test_an_array_like_without_numpy_says_numpy_is_missing(monkeypatch):
    import sys

    class Foreign:
        def __array__(self, dtype=None, copy=None):
            raise AssertionError("not called without NumPy")

    monkeypatch.setitem(sys.modules, "numpy", None)  # (import numpy raises ImportError)
    net = DNN([4, 5, 3], seed=0, backend="python")
    with pytest.raises(TypeError, match=r"^x is a Foreign, which converts only to a NumPy "
                                        r"array, and NumPy is not installed: give lists"):
        net.predict(Foreign())


@needs_numpy
def test_an_array_like_that_will_not_convert_is_refused_naming_it(backend):
    class OnTheGpu:
        def __array__(self, dtype=None, copy=None):
            raise TypeError("can't convert cuda:0 device type tensor to numpy. " + "x" * 500)

    net = DNN([4, 5, 3], seed=0, backend=backend)
    with pytest.raises(TypeError, match=r"^X \(an OnTheGpu\) could not be made a NumPy array: "
                                        r"can't convert cuda:0 .*x\.\.\.$") as caught:
        net.fit(OnTheGpu(), LABELS)
    assert len(str(caught.value)) < 300


def test_bytes_are_one_row_of_pixel_values_on_every_backend(backend):
    net = DNN([4, 5, 3], seed=0, backend=backend)
    pixels = bytes([0, 7, 30, 2])  # (dark: no unscaled-pixel warning)
    values = [0.0, 7.0, 30.0, 2.0]
    assert net.classify(pixels) == net.classify(bytearray(pixels)) == net.classify(values)
    assert net.classify([pixels, bytearray(pixels)]) == net.classify([values, values])
    assert net.predict(bytes(4), scale=1 / 255) is not None
    twin = DNN([4, 5, 3], seed=0, backend=backend)
    net.fit([pixels, bytes(4)], [1, 2], epochs=1, batch_size=2)
    twin.fit([values, [0.0] * 4], [1, 2], epochs=1, batch_size=2)
    net.train(pixels, 0)
    twin.train(values, 0)
    assert net.get_params() == twin.get_params()


def test_bright_bytes_are_warned_about_as_unscaled_on_every_backend(backend):
    net = DNN([4, 5, 3], seed=0, backend=backend)
    for x in (bytes([0, 255, 128, 3]), [bytes([0, 255, 128, 3])] * 2):
        with pytest.warns(UserWarning, match="^X holds whole numbers from 0 up to 255, which "
                                             "look like pixels that were not scaled"):
            net.classify(x)


def test_bytes_of_the_wrong_width_are_named_by_their_count_not_shown(backend):
    net = DNN([784, 5, 10], seed=0, backend=backend)
    with pytest.raises(ValueError, match="^x has 783 values; the network's input layer has 784$"):
        net.classify(bytes(783))


# The real libraries, where installed (not in the tox envs: these skip there).

def test_a_pandas_frame_and_series_are_read_by_position(backend):
    pd = pytest.importorskip("pandas")

    frame = pd.DataFrame(ROWS, columns=list("abcd"), index=[7, 3, 9, 1])
    labels = pd.Series(LABELS, index=[7, 3, 9, 1])
    net = DNN([4, 5, 3], seed=0, backend=backend)
    assert net.classify(frame) == net.classify(ROWS)
    assert net.classify(frame.iloc[1]) == net.classify(ROWS[1])
    assert net.evaluate(frame, labels) == net.evaluate(ROWS, LABELS)
    assert net.evaluate(frame, pd.get_dummies(labels).astype(float)) == net.evaluate(ROWS, LABELS)
    with pytest.warns(UserWarning, match="^y is a column"):
        assert net.evaluate(frame, labels.to_frame()) == net.evaluate(ROWS, LABELS)
    net.fit(frame, labels.astype("category"), epochs=1)


def test_torch_tensors_are_read_as_their_arrays(backend):
    torch = pytest.importorskip("torch")

    net = DNN([4, 5, 3], seed=0, backend=backend)
    assert net.classify(torch.tensor(ROWS)) == net.classify(ROWS)
    assert net.classify(torch.tensor(ROWS[2])) == net.classify(ROWS[2])
    assert net.evaluate(torch.tensor(ROWS), torch.tensor(LABELS)) == pytest.approx(
        net.evaluate(ROWS, LABELS))
    with pytest.raises(TypeError, match=r"^X \(a Tensor\) could not be made a NumPy array: .*"
                                        r"requires grad"):
        net.fit(torch.zeros(4, 4, requires_grad=True), LABELS)
