"""What fit reports, what the model says of itself, and exact messages
(issue 12, the tests' own strength: survivors of mutation testing)."""

import pytest

from tinynet import DNN
from tinynet.dnn import HIDDEN, OUTPUT

from test_core_api import gradients
from tinynet import Matrix

from conftest import needs_numpy

X = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.25], [0.3, 0.3, 0.3], [0.9, 0.1, 0.0], [0.2, 0.8, 0.5]]
Y = [0, 1, 1, 0, 1]


def test_fit_reports_the_loss_and_accuracy_measured_before_each_step(backend):
    # A learning rate so small the weights hardly move: the record must equal
    # what evaluate() measures on the untrained model.
    net = DNN([3, 6, 2], activation="tanh", seed=2, learning_rate=1e-12, backend=backend)
    before = net.evaluate(X, Y)
    predicted = net.classify(X)
    assert 0 < before["accuracy"] < 1 and predicted != [0] * 5
    events = []
    record, = net.fit(X, Y, epochs=1, batch_size=2, callback=events.append)
    assert set(record) == {"epoch", "loss", "accuracy", "seconds"}
    assert record["epoch"] == 1 and record["seconds"] >= 0
    assert record["loss"] == pytest.approx(before["loss"], rel=1e-9)
    assert record["accuracy"] == before["accuracy"]
    batches = [e for e in events if e["event"] == "batch"]
    assert [(e["batch"], e["batches"], e["epoch"], e["epochs"]) for e in batches] == \
        [(1, 3, 1, 1), (2, 3, 1, 1), (3, 3, 1, 1)]
    assert batches[-1]["loss"] == pytest.approx(record["loss"], rel=1e-12)
    assert events[-1] == dict(record, event="epoch", epochs=1)


def test_fit_with_validation_and_several_epochs(backend):
    net = DNN([3, 6, 2], activation="tanh", seed=2, learning_rate=0.5, backend=backend)
    history = net.fit(X, Y, epochs=3, batch_size=5, validation_data=(X[:2], Y[:2]))
    assert [r["epoch"] for r in history] == [1, 2, 3]
    assert set(history[0]) == {"epoch", "loss", "accuracy", "seconds", "val_loss", "val_accuracy"}
    last = net.evaluate(X[:2], Y[:2])
    assert history[-1]["val_loss"] == last["loss"] and history[-1]["val_accuracy"] == last["accuracy"]
    assert history[0]["loss"] > history[-1]["loss"]
    assert net.fit(X, Y, epochs=0) == []


def test_descriptions():
    assert [repr(HIDDEN[name]()) for name in sorted(HIDDEN)] == ["ReLU()", "Sigmoid()", "Tanh()"]
    assert repr(OUTPUT["linear"]()).endswith("()")
    net = DNN([2, 3], seed=0, backend="python")
    assert repr(net) == ("DNN([2, 3], activation='relu', output='softmax', loss='cross_entropy', "
                         "optimizer='sgd', learning_rate=0.02, backend='python')")
    assert net.n_parameters == 9 and DNN([4, 3, 2]).n_parameters == 15 + 8


def test_a_loss_that_needs_probabilities_says_so():
    with pytest.raises(ValueError, match="^loss 'cross_entropy' needs outputs that are probabilities: "
                                         "use output='softmax' or 'sigmoid', not 'linear'$"):
        DNN([2, 2], output="linear", loss="cross_entropy")


def test_to_dict_keeps_the_optimizer_state_unless_told_not_to():
    net = DNN([2, 2], seed=0, backend="python", optimizer="momentum")
    net.train([1.0, 0.5], 1)
    assert "velocities" in net.to_dict()["optimizer"]["state"]
    assert "state" not in net.to_dict(optimizer_state=False)["optimizer"]


def test_gradients_without_l2_is_the_plain_mean(backend):
    # l2 defaults to none: w plays no part
    grad_w, grad_b = gradients([[5.0, -5.0]], [[1.0], [3.0]], [[0.5, -1.0], [1.5, 2.0]],
                               backend=backend)
    assert grad_w[0].tolist() == [[2.5, 2.5]] and grad_b[0].tolist() == [[1.0, 0.5]]


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


def test_classes_of_one_output_split_at_one_half(backend):
    from tinynet.metrics import classes, confusion_matrix, count_equal

    out = Matrix.from_list([[0.5], [0.4999], [0.9], [0.0]], backend=backend)
    assert classes(out) == [1, 0, 1, 0]
    assert classes(Matrix.from_list([[0.1, 0.7, 0.2]], backend=backend)) == [1]
    assert count_equal([1, 2, 3], [1, 0, 3, 9]) == 2
    m = confusion_matrix([1, 1, 0, 2], [1, 0, 0, 2], classes=3)
    assert m == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    assert len(confusion_matrix([], [])) == 10 and confusion_matrix([9], [9])[9][9] == 1


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


def test_one_sample_or_a_batch_of_one_takes_the_same_step(backend):
    # train() takes one sample with its target (a label or a row of values),
    # or a batch of rows with one target each; a batch of one is a batch.
    steps = {}
    for name, x, y in [("label", [0.2, 0.4, 0.6], 1), ("row", [0.2, 0.4, 0.6], [0.0, 1.0]),
                       ("batch of labels", [[0.2, 0.4, 0.6]], [1]),
                       ("batch of rows", [[0.2, 0.4, 0.6]], [[0.0, 1.0]]),
                       ("batch with a bare row", [[0.2, 0.4, 0.6]], [0.0, 1.0])]:
        net = DNN([3, 4, 2], seed=5, learning_rate=0.3, backend=backend)
        loss = net.train(x, y)
        steps[name] = (loss, net.get_params())
    first = steps.pop("label")
    assert first[0] > 0
    for name, got in steps.items():
        assert got[0] == pytest.approx(first[0], rel=1e-12), name
        assert got[1] == first[1], name


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
                        ([0, 1.5, 1], "1.5 at index 1"), ((2, 0, 3), "3 at index 2"),
                        ([1, "1", 0], "'1' at index 1")):
        with pytest.raises(ValueError, match=r"^label %s is not a class in 0\.\.2$" % bad):
            net.evaluate(X3, labels)
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


def test_a_matrix_of_one_chunk_is_predicted_without_a_copy(monkeypatch, backend):
    from tinynet.batching import CHUNK as _CHUNK

    net = DNN([2, 2], seed=0, backend=backend)
    seen = []
    real = net.forward
    monkeypatch.setattr(net, "forward", lambda X: seen.append(X) or real(X))
    whole = Matrix.from_list([[0.5, 0.25]] * _CHUNK, backend=backend)
    net.predict(whole)
    assert len(seen) == 1 and seen[0] is whole
    del seen[:]
    net.classify(Matrix.from_list([[0.5, 0.25]] * (_CHUNK + 1), backend=backend))
    assert [len(X) for X in seen] == [_CHUNK, 1]


def test_a_loss_that_is_not_finite_stops_training_with_the_rate():
    net = DNN([2, 2], output="linear", loss="mse", seed=0, learning_rate=0.5, backend="python")
    params = net.get_params()
    params["weights"][0][0] = [1e300, -1e300]
    net.set_params(params["weights"], params["biases"])
    with pytest.raises(ValueError, match=r"^loss became nan/inf; try a smaller learning_rate \(now 0\.5\)$"):
        net.train([1e300, 1.0], [1.0, 0.0])  # outputs of 1e600 overflow to inf


def test_an_unforeseen_error_while_loading_names_the_file_briefly(monkeypatch):
    from tinynet import TinynetError, validate

    net = DNN([2, 2], seed=0, backend="python")
    data = net.to_dict()

    def broken(data):
        raise KeyError("k" * 500)

    monkeypatch.setattr(validate, "model_dict", broken)
    with pytest.raises(TinynetError) as err:
        DNN.from_dict(data, source="m.json")
    shown = "\"'" + "k" * 195 + "..."  # the message's repr cut to 200 characters
    assert str(err.value) == "m.json: KeyError: " + shown
    with pytest.raises(KeyError):
        DNN.from_dict(data)  # no file: the error itself
