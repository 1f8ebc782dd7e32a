"""The DNN: a hand-worked step, learning, the tutorial API, and bad input;
dropout and max-norm; how it describes itself (repr, summary(), the
notebook's HTML, sizes and error texts); its random generator; and the memory
estimate that refuses a network that cannot fit."""

import array
import math
import random
import sys
from html.parser import HTMLParser

import pytest

from tinynet import DNN, Matrix, TinynetError, memory, rng, summary
from tinynet.dnn import HIDDEN, OUTPUT
from tinynet.errors import choice, grouped, shown, size_text

from conftest import needs_numpy
from hardening_util import run_bounded


def hand_network(backend, **kwargs):
    net = DNN([2, 2, 1], activation="relu", output="linear", loss="mse",
              learning_rate=0.1, backend=backend, **kwargs)
    net.set_params(weights=[[[0.1, 0.2], [0.3, 0.4]], [[0.5], [-0.25]]],
                   biases=[[0.05, -0.05], [0.1]])
    return net


def test_one_sgd_step_by_hand(backend):
    net = hand_network(backend)
    # Forward, x = [1, 2]:
    #   z1 = x @ W1 + b1 = [0.1 + 0.6 + 0.05, 0.2 + 0.8 - 0.05] = [0.75, 0.95]
    #   a1 = relu(z1) = [0.75, 0.95]
    #   a2 = a1 @ W2 + b2 = 0.375 - 0.2375 + 0.1 = 0.2375   (linear output)
    #   loss = 0.5 * (0.2375 - 1)^2 = 0.290703125
    loss = net.train([1.0, 2.0], [1.0])
    assert loss == pytest.approx(0.290703125, abs=1e-12)
    # Backward: delta2 = a2 - y = -0.7625 (linear output + squared error)
    #   grad W2 = a1.T @ delta2 = [[-0.571875], [-0.724375]];  grad b2 = -0.7625
    #   delta1 = (delta2 @ W2.T) * relu'(z1) = [-0.38125, 0.190625]
    #   grad W1 = x.T @ delta1 = [[-0.38125, 0.190625], [-0.7625, 0.38125]]
    # Step, learning rate 0.1: each parameter moves by -0.1 * its gradient.
    params = net.get_params()
    expected_w = [[[0.138125, 0.1809375], [0.37625, 0.361875]], [[0.5571875], [-0.1775625]]]
    expected_b = [[0.088125, -0.0690625], [0.17625]]
    for got, want in zip(params["weights"], expected_w):
        assert got == [pytest.approx(row, abs=1e-12) for row in want]
    for got, want in zip(params["biases"], expected_b):
        assert got == pytest.approx(want, abs=1e-12)


def test_weight_decay_shrinks_weights_by_hand(backend):
    net = hand_network(backend, l2=0.5)
    net.train([0.0, 0.0], [0.35])  # zero input: the data gradient of W1 is 0
    # W1 only decays: W -= 0.1 * 0.5 * W, i.e. W *= 0.95
    assert net.get_params()["weights"][0] == [pytest.approx([0.095, 0.19]),
                                              pytest.approx([0.285, 0.38])]


XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]]
XOR_Y = [0, 1, 1, 0]


@pytest.mark.parametrize("optimizer,rate,epochs", [("sgd", 0.5, 300), ("momentum", 0.1, 150),
                                                   ("adam", 0.05, 150)])
def test_learns_xor(backend, optimizer, rate, epochs):
    net = DNN([2, 8, 2], activation="tanh", optimizer=optimizer, learning_rate=rate,
              seed=3, backend=backend)
    history = net.fit(XOR_X, XOR_Y, epochs=epochs, batch_size=4)
    assert history[-1]["loss"] < history[0]["loss"] / 5
    assert net.classify(XOR_X) == XOR_Y
    assert net.evaluate(XOR_X, XOR_Y)["accuracy"] == 1.0


def test_learns_xor_with_one_sigmoid_output(backend):
    net = DNN([2, 4, 1], activation="tanh", output="sigmoid", loss="mse", learning_rate=0.5,
              seed=1, backend=backend)
    for _ in range(2000):
        for x, y in zip(XOR_X, XOR_Y):
            net.train(x, [y])
    assert net.classify(XOR_X) == XOR_Y
    assert net.evaluate(XOR_X, [[0.0], [1.0], [1.0], [0.0]])["accuracy"] == 1.0


def test_tutorial_api_accepts_every_sample_form(backend):
    forms = [[0.0, 0.5, 1.0], (0.0, 0.5, 1.0), array.array("d", [0.0, 0.5, 1.0]),
             Matrix.from_list([[0.0, 0.5, 1.0]], backend=backend)]
    losses = []
    for x in forms:
        net = DNN([3, 4, 2], seed=7, backend=backend)
        losses.append((net.train(x, [0.0, 1.0]), net.train(x, 1)))
        out = net.predict(x)
        if not isinstance(x, Matrix):
            assert len(out) == 2
            assert max(range(2), key=lambda i: out[i]) == net.classify(x)
    assert all(isinstance(a, float) for pair in losses for a in pair)
    assert losses.count(losses[0]) == len(losses)  # every form trains identically
    # one-hot [0, 1] and the label 1 are the same target
    assert losses[0][0] != losses[0][1]  # (the second step starts from new weights)
    net_a, net_b = DNN([3, 4, 2], seed=7, backend=backend), DNN([3, 4, 2], seed=7, backend=backend)
    assert net_a.train(forms[0], [0.0, 1.0]) == net_b.train(forms[0], 1)


@needs_numpy
def test_tutorial_api_with_numpy_inputs(backend):
    import numpy as np

    x = np.array([0.0, 0.5, 1.0])
    net, ref = DNN([3, 4, 2], seed=7, backend=backend), DNN([3, 4, 2], seed=7, backend=backend)
    assert net.train(x, np.array([0.0, 1.0])) == ref.train([0.0, 0.5, 1.0], 1)
    assert net.train(x, np.int64(1)) == ref.train([0.0, 0.5, 1.0], 1)
    out = net.predict(x)
    assert int(np.argmax(out)) == net.classify(x)
    batch = net.predict(np.array([[0.0, 0.5, 1.0], [1.0, 0.0, 0.0]]))
    assert len(batch) == 2 and len(batch[0]) == 2


def test_predict_on_a_batch_gives_one_row_per_sample(backend):
    net = DNN([3, 4, 2], seed=2, backend=backend)
    rows = [[0.1, 0.2, 0.3], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]]
    batch = net.predict(rows)
    assert len(batch) == 3
    for row, out in zip(rows, batch):
        assert list(out) == pytest.approx(list(net.predict(row)), abs=1e-15)
        assert sum(out) == pytest.approx(1.0)  # softmax rows are distributions


def test_large_batches_are_predicted_in_chunks(backend):
    net = DNN([2, 3, 3], seed=2, backend=backend)
    rows = [[i / 3000, 1 - i / 3000] for i in range(3000)]
    out = net.predict(rows)
    assert len(out) == 3000
    assert list(out[2999]) == pytest.approx(list(net.predict(rows[2999])), abs=1e-15)
    assert net.classify(rows)[2999] == net.classify(rows[2999])


def test_fit_records_history_and_validation(backend):
    net = DNN([2, 8, 2], activation="tanh", learning_rate=0.3, seed=0, backend=backend)
    events = []
    history = net.fit(XOR_X * 4, XOR_Y * 4, epochs=3, batch_size=5,
                      validation_data=(XOR_X, XOR_Y), callback=events.append)
    assert [h["epoch"] for h in history] == [1, 2, 3]
    for h in history:
        assert set(h) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds"}
        assert 0 <= h["accuracy"] <= 1 and h["loss"] > 0
    # 16 samples in batches of 5: 4 batch events then 1 epoch event, per epoch
    kinds = [e["event"] for e in events]
    assert kinds == (["batch"] * 4 + ["epoch"]) * 3
    assert events[3]["batch"] == events[3]["batches"] == 4
    assert events[4]["loss"] == history[0]["loss"]


def test_same_seed_same_model_and_the_global_rng_untouched(backend):
    state = random.getstate()
    a = DNN([3, 5, 2], seed=11, backend=backend)
    b = DNN([3, 5, 2], seed=11, backend=backend)
    ha = a.fit([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 1, 1], epochs=3, batch_size=1)
    hb = b.fit([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 1, 1], epochs=3, batch_size=1)
    assert a.get_params() == b.get_params()
    assert [h["loss"] for h in ha] == [h["loss"] for h in hb]
    assert DNN([3, 5, 2], seed=12, backend=backend).get_params() != a.get_params()
    assert random.getstate() == state


def test_initialisation_scale_follows_the_activation(backend):
    # He for ReLU: |w| <= sqrt(6 / fan_in); Glorot otherwise: sqrt(6 / (in + out))
    relu = DNN([100, 50, 10], activation="relu", seed=0, backend=backend).get_params()
    tanh = DNN([100, 50, 10], activation="tanh", seed=0, backend=backend).get_params()
    biggest = [max(abs(v) for row in w for v in row) for w in (relu["weights"][0], tanh["weights"][0])]
    assert math.sqrt(6 / 150) * 0.95 < biggest[0] <= math.sqrt(6 / 100)
    assert math.sqrt(6 / 150) * 0.95 < biggest[1] <= math.sqrt(6 / 150)
    assert relu["biases"][0] == [0.0] * 50


def test_divergence_stops_with_a_clear_error(backend):
    net = DNN([2, 8, 1], activation="relu", output="linear", loss="mse", learning_rate=1e6,
              seed=0, backend=backend)
    X = [[10.0, 20.0], [30.0, -40.0]] * 4
    with pytest.raises(TinynetError, match=r"loss became nan/inf.*learning_rate.*epoch \d+"):
        net.fit(X, [[1.0], [2.0]] * 4, epochs=50, batch_size=2)
    with pytest.raises(ValueError):  # TinynetError is a ValueError
        for _ in range(100):
            net.train([10.0, 20.0], [1.0])


@pytest.mark.parametrize("kwargs,message", [
    ({"sizes": [784]}, "at least an input and an output"),
    ({"sizes": [784, 0, 10]}, "positive ints"),
    ({"sizes": [784, 2.5, 10]}, "positive ints"),
    ({"sizes": 784}, "list of layer widths"),
    ({"activation": "swish"}, "unknown activation 'swish'; expected one of: relu, sigmoid, tanh"),
    ({"activation": ["relu"]}, "unknown activation a list of 1 items; expected one of: relu, "
                               "sigmoid, tanh"),  # unhashable: no registry key at all
    ({"sizes": [2, True]}, r"^layer sizes must be positive ints, got True in \[2, True\]$"),
    ({"sizes": object()}, r"^sizes must be a list of layer widths, like \[784, 30, 10\], not a "
                          r"object$"),  # no length: its kind alone
    ({"output": "relu"}, "unknown output 'relu'"),
    ({"loss": "hinge"}, "unknown loss 'hinge'"),
    ({"optimizer": "rmsprop"}, "unknown optimizer 'rmsprop'"),
    ({"output": "linear"}, "cross_entropy' needs outputs that are probabilities"),
    ({"learning_rate": 0}, r"learning_rate must be a finite number in \(0, inf\), not 0"),
    ({"l2": -1}, "l2 must be"),
    ({"backend": "cuda"}, "unknown backend 'cuda'"),
    ({"seed": "x"}, "seed must be an int"),
])
def test_bad_constructor_arguments_name_the_value(kwargs, message):
    args = {"sizes": [4, 3, 2]}
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=message):
        DNN(args.pop("sizes"), **args)


def test_bad_data_names_the_shapes(backend):
    net = DNN([3, 4, 2], backend=backend)
    with pytest.raises(ValueError, match="x has 2 values; the network's input layer has 3"):
        net.train([0.0, 1.0], 1)
    with pytest.raises(ValueError, match="row 1 of X has 4 values"):
        net.predict([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="X has 2 rows but y has 3 targets"):
        net.fit([[0.0, 1.0, 2.0]] * 2, [0, 1, 1])
    with pytest.raises(ValueError, match="label 2 at index 1 is not a class in 0..1"):
        net.fit([[0.0, 1.0, 2.0]] * 2, [0, 2])
    with pytest.raises(ValueError, match="label 0.5 at index 0"):
        net.train([0.0, 1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="target 0 has 3 values; the network has 2 outputs"):
        net.train([0.0, 1.0, 2.0], [0.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="batch_size must be an int >= 1"):
        net.fit([[0.0, 1.0, 2.0]], [0], batch_size=0)
    with pytest.raises(ValueError, match="epochs must be an int >= 0"):
        net.fit([[0.0, 1.0, 2.0]], [0], epochs=-1)
    with pytest.raises(TypeError, match="not an int$"):
        net.predict(5)
    with pytest.raises(TypeError, match="y must be int class labels in 0..1 or rows of target "
                                        "values, not 'cat'"):
        net.train([0.0, 1.0, 2.0], "cat")


def test_set_params_checks_shapes(backend):
    net = DNN([3, 4, 2], backend=backend)
    params = net.get_params()
    params["weights"][1] = params["weights"][1][:-1]
    with pytest.raises(ValueError, match=r"weights\[1\] must be 4 rows of 2 numbers"):
        net.set_params(**params)
    with pytest.raises(ValueError, match="weights must be a list of 2 matrices"):
        net.set_params(weights=[], biases=[])


@needs_numpy
def test_float32_trains_close_to_float64():
    kwargs = dict(activation="tanh", learning_rate=0.3, seed=0, backend="numpy")
    a, b = DNN([2, 8, 2], dtype="float32", **kwargs), DNN([2, 8, 2], **kwargs)
    ha = a.fit(XOR_X, XOR_Y, epochs=20, batch_size=2)
    hb = b.fit(XOR_X, XOR_Y, epochs=20, batch_size=2)
    assert a.weights[0].data.dtype.name == "float32"
    assert ha[-1]["loss"] == pytest.approx(hb[-1]["loss"], rel=1e-4)


def test_learning_rate_schedules(backend):
    import math as m

    X, y = XOR_X * 2, XOR_Y * 2  # 8 samples: 4 batches of 2 per epoch
    for schedule, factor in (("cosine", lambda t: 0.5 * (1 + m.cos(m.pi * t))),
                             ("linear", lambda t: 1 - t), (lambda t: 0.5 ** t, lambda t: 0.5 ** t),
                             (None, lambda t: 1.0)):
        net = DNN([2, 4, 2], learning_rate=0.4, seed=0, backend=backend)
        seen = []
        net.fit(X, y, epochs=2, batch_size=2, schedule=schedule,
                callback=lambda e: e["event"] == "batch" and seen.append(net.learning_rate))
        assert seen == pytest.approx([0.4 * factor(k / 8) for k in range(8)])
        assert net.learning_rate == 0.4  # restored after the run
    with pytest.raises(ValueError, match="unknown schedule 'step'"):
        DNN([2, 2], backend=backend).fit(X, y, schedule="step")


# --- dropout and max-norm ---


def dropout_data(n=48, seed=0):
    rng = random.Random(seed)
    X = [[rng.random() for _ in range(6)] for _ in range(n)]
    return X, [int(row[0] + row[1] > row[2] + row[3]) + (row[4] > 0.7) for row in X]


def test_dropout_masks_drop_at_the_rate_and_scale_the_kept_units(backend):
    from tinynet.regularize import dropout_masks

    model = DNN([300, 200, 100, 2], dropout=[0.5, 0.2], input_dropout=0.25, seed=0,
                backend=backend)
    inputs, first, second = dropout_masks(model, 50)
    assert inputs.shape == (50, 300) and first.shape == (50, 200) and second.shape == (50, 100)
    assert dropout_masks(DNN([3, 4, 2], dropout=0.5, backend=backend), 2)[0] is None
    for mask, kept in ((inputs, 192), (first, 128), (second, 205)):  # 0.2 keeps 205 of 256
        values = [v for row in mask.tolist() for v in row]
        assert set(values) == {0.0, 256.0 / kept}
        share = values.count(0.0) / len(values)
        assert abs(share - (1 - kept / 256.0)) < 0.02
        assert abs(sum(values) / len(values) - 1.0) < 0.03  # inverted: the mean is kept
    again = DNN([300, 200, 100, 2], dropout=[0.5, 0.2], input_dropout=0.25, seed=0,
                backend=backend)
    assert dropout_masks(again, 50)[1].tolist() == first.tolist()  # the seed fixes them


def test_without_getrandbits_each_byte_is_kept_below_keep_of_256():
    """MicroPython's generator has random() only: a value r keeps its unit
    when int(r * 256) < keep, as a random byte below keep does."""
    from tinynet.regularize import random_bytes

    class Plain:
        def __init__(self, values):
            self.values = iter(values)

        def random(self):
            return next(self.values)

    values = [0.0, 0.49, 127.99 / 256, 0.5, 0.999, 0.25]
    assert random_bytes(Plain(values), 6, 128) == bytes([255, 255, 255, 0, 0, 255])
    assert random_bytes(Plain(values), 6, 1) == bytes([255, 0, 0, 0, 0, 0])


@needs_numpy
def test_dropout_trains_to_the_same_numbers_on_both_backends():
    X, y = dropout_data()
    results = []
    for backend in ("numpy", "python", "numpy-plain", "python-plain"):
        model = DNN([6, 16, 12, 3], dropout=[0.5, 0.25], input_dropout=0.2, max_norm=1.5,
                    optimizer="momentum", learning_rate=0.1, seed=7, backend=backend)
        history = model.fit(X, y, epochs=3, batch_size=8)
        results.append(([r["loss"] for r in history], model.get_params()))
    losses, params = results[0]
    for other_losses, other_params in results[1:]:
        assert other_losses == [pytest.approx(v, rel=1e-9) for v in losses]
        for a, b in zip(params["weights"] + params["biases"],
                        other_params["weights"] + other_params["biases"]):
            for ra, rb in zip(a if isinstance(a[0], list) else [a], b if isinstance(b[0], list)
                              else [b]):
                assert rb == [pytest.approx(v, rel=1e-9, abs=1e-12) for v in ra]


def test_dropout_changes_training_but_never_prediction(backend):
    X, y = dropout_data()
    plain = DNN([6, 16, 3], seed=1, backend=backend)
    zero = DNN([6, 16, 3], dropout=0.0, seed=1, backend=backend)
    dropped = DNN([6, 16, 3], dropout=0.5, input_dropout=0.2, seed=1, backend=backend)
    def out(model):
        return [[float(v) for v in row] for row in model.predict(X)]

    assert out(plain) == out(zero) == out(dropped)  # the same initial weights
    plain.fit(X, y, epochs=2)
    zero.fit(X, y, epochs=2)
    assert plain.get_params() == zero.get_params()  # rate 0 is no dropout, to the bit
    dropped.fit(X, y, epochs=2)
    assert dropped.get_params() != plain.get_params()
    rng_state = dropped._rng.getstate()
    outputs = out(dropped)
    for _ in range(3):  # no mask at prediction: the same outputs, and no random draw
        assert out(dropped) == outputs
        assert dropped.classify(X) == dropped.classify(X)
        assert dropped.evaluate(X, y) == dropped.evaluate(X, y)
    assert dropped._rng.getstate() == rng_state
    by_hand = DNN([6, 16, 3], seed=1, backend=backend)
    by_hand.set_params(**dropped.get_params())
    assert out(by_hand) == outputs
    check = tinynet_gradient_check(dropped, X[:4], y[:4])
    assert check.max_error < 1e-6  # the gradient check runs without dropout


def tinynet_gradient_check(model, X, y):
    from tinynet import gradient_check

    return gradient_check(model, X, y)


def test_max_norm_caps_each_hidden_units_incoming_weights(backend):
    X, y = dropout_data()
    model = DNN([6, 16, 12, 3], max_norm=0.8, optimizer="momentum", learning_rate=0.5, seed=2,
                backend=backend)
    free = DNN([6, 16, 12, 3], optimizer="momentum", learning_rate=0.5, seed=2, backend=backend)
    model.fit(X, y, epochs=3, batch_size=4)
    free.fit(X, y, epochs=3, batch_size=4)

    def norms(weights):
        return [math.sqrt(sum(row[j] ** 2 for row in weights)) for j in range(len(weights[0]))]

    capped, uncapped = model.get_params()["weights"], free.get_params()["weights"]
    for layer in (0, 1):
        assert max(norms(capped[layer])) <= 0.8 + 1e-9
        assert max(norms(capped[layer])) > 0.79 and max(norms(uncapped[layer])) > 0.8
    assert max(norms(capped[2])) > 0.8  # the output layer is not capped
    # By hand: x = [1, 1] gives a = [0.5, 0.5, 7] and output 8; the target
    # 1000 makes every delta -992, so SGD (0.02) adds 19.84 to every weight.
    single = DNN([2, 3, 1], output="linear", loss="mse", max_norm=30.0, backend=backend, seed=0)
    single.set_params([[[0.5, 0.0, 3.0], [0.0, 0.5, 4.0]], [[1.0], [1.0], [1.0]]], [[0.0] * 3, [0.0]])
    single.train([1.0, 1.0], [1000.0])
    W = single.get_params()["weights"][0]
    assert [W[0][0], W[1][0]] == [pytest.approx(20.34), pytest.approx(19.84)]  # 28.4: free
    long = math.hypot(22.84, 23.84)  # 33.0: shortened to 30, its direction kept
    assert [W[0][2], W[1][2]] == [pytest.approx(22.84 * 30 / long), pytest.approx(23.84 * 30 / long)]


@pytest.mark.parametrize("kwargs,error,message", [
    (dict(dropout=1.0), ValueError, r"dropout must be a finite number in \[0, 1\)"),
    (dict(dropout=-0.1), ValueError, "dropout must be"),
    (dict(dropout="0.5"), ValueError, "dropout must be"),
    (dict(dropout=0.001), ValueError, "dropout 0.001 is too close to 0: rates are used in steps "
     "of 1/256"),
    (dict(dropout=0.999), ValueError, "too close to 1"),
    (dict(dropout=[0.5]), ValueError, "dropout has 1 rates, but sizes \\[3, 4, 4, 2\\] have 2 "
     "hidden layers"),
    (dict(dropout=[0.5, 2]), ValueError, "dropout must be"),
    (dict(max_norm=0), ValueError, r"max_norm must be a finite number in \(0, inf\)"),
    (dict(max_norm=float("inf")), ValueError, "max_norm must be"),
    (dict(max_norm="3"), ValueError, "max_norm must be"),
    (dict(input_dropout=1.0), ValueError, r"input_dropout must be a finite number in \[0, 1\)"),
    (dict(input_dropout=0.0001), ValueError, "input_dropout 0.0001 is too close to 0"),
    (dict(input_dropout=None), ValueError, "input_dropout must be"),
])
def test_bad_dropout_and_max_norm_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        DNN([3, 4, 4, 2], backend="python", **kwargs)


def test_dropout_needs_a_hidden_layer_and_is_shown():
    with pytest.raises(ValueError, match=r"sizes \[3, 2\] have no hidden layer"):
        DNN([3, 2], dropout=0.5, backend="python")
    DNN([3, 2], dropout=0.0, backend="python")
    assert DNN([3, 2], input_dropout=0.2, backend="python").input_dropout == 0.2
    model = DNN([3, 4, 4, 2], dropout=0.5, max_norm=3, backend="python")
    assert model.dropout == [0.5, 0.5] and model.max_norm == 3.0
    assert "dropout=0.5, max_norm=3.0" in repr(model)
    assert "dropout=[0.5, 0.2]" in repr(DNN([3, 4, 4, 2], dropout=(0.5, 0.2), backend="python"))
    assert "dropout" not in repr(DNN([3, 4, 2], backend="python"))
    lines = []
    model.summary(print_fn=lines.append)
    assert "\nDropout: hidden layers 0.5, 0.5 (in training)\nMax-norm: 3 (" in lines[0]
    assert "Dropout: hidden layers 0.5, 0.5" in model._repr_html_()
    DNN([3, 4, 2], backend="python").summary(print_fn=lines.append)
    assert "Dropout" not in lines[1] and "Max-norm" not in lines[1]
    with_inputs = DNN([3, 4, 4, 2], input_dropout=0.2, dropout=0.5, backend="python")
    with_inputs.summary(print_fn=lines.append)
    assert "Dropout: inputs 0.2, hidden layers 0.5, 0.5 (in training)" in lines[-1]
    assert "input_dropout=0.2" in repr(with_inputs)


@needs_numpy
def test_numpy_targets_are_taken_as_plain_numbers(backend):
    """A 1-D NumPy array of targets becomes a list of Python numbers first:
    errors show ``5``, not ``np.int64(5)``, and the results are a list's, to
    the bit and the type (a regression's losses are floats)."""
    import numpy as np

    net = DNN([2, 4, 3], seed=1, backend=backend)
    X3 = [[0.0, 0.5], [1.0, 0.0], [0.3, 0.3]]
    for dtype in ("int64", "int32", "uint8", "float64"):
        with pytest.raises(ValueError, match=r"^label 5 at index 2 is not a class in 0\.\.2$"):
            net.evaluate(X3, np.array([2, 0, 5], dtype=dtype))
    with pytest.raises(ValueError, match=r"^label 0\.5 at index 1 is not a class in 0\.\.2$"):
        net.fit(X3, np.array([2.0, 0.5, 1.0]))
    assert net.evaluate(X3, np.array([2, 0, 1])) == net.evaluate(X3, [2, 0, 1])
    a, b = (DNN([2, 3, 1], output="linear", loss="mse", seed=2, backend=backend)
            for _ in range(2))
    history = a.fit(X3, np.array([0.5, -1.0, 2.0]), epochs=2, batch_size=2)
    losses = [epoch["loss"] for epoch in history]
    assert losses == [e["loss"] for e in b.fit(X3, [0.5, -1.0, 2.0], epochs=2, batch_size=2)]
    assert [type(loss) for loss in losses] == [float, float]
    assert a.get_params() == b.get_params()


def test_one_output_defaults_to_a_sigmoid_and_learns(backend):
    X, y = [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]
    net = DNN([2, 8, 1], activation="tanh", learning_rate=0.5, seed=3, backend=backend)
    assert net.output_activation.name == "sigmoid"
    net.fit(X, y, epochs=800, batch_size=4)
    outputs = [net.predict(x)[0] for x in X]
    assert len(set(outputs)) == 4  # never a constant
    assert net.classify(X) == y
    with pytest.raises(ValueError, match=r"^a softmax over one output is always 1\.0, so it cannot "
                                         r"learn: use output='sigmoid'"):
        DNN([2, 8, 1], output="softmax")


X = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.25], [0.3, 0.3, 0.3], [0.9, 0.1, 0.0], [0.2, 0.8, 0.5]]


def test_descriptions():
    assert [repr(HIDDEN[name]()) for name in sorted(HIDDEN)] == ["ReLU()", "Sigmoid()", "Tanh()"]
    assert repr(OUTPUT["linear"]()).endswith("()")
    net = DNN([2, 3], seed=0, backend="python")
    assert repr(net) == ("DNN([2, 3], activation='relu', output='softmax', loss='cross_entropy', "
                         "optimizer='sgd', learning_rate=0.02, seed=0, backend='python')")
    assert net.n_parameters == 9 and DNN([4, 3, 2]).n_parameters == 15 + 8


def test_a_loss_that_needs_probabilities_says_so():
    with pytest.raises(ValueError, match="^loss 'cross_entropy' needs outputs that are probabilities: "
                                         "use output='softmax' or 'sigmoid', not 'linear'$"):
        DNN([2, 2], output="linear", loss="cross_entropy")


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


# The model's random generator: splitmix64 where MicroPython has no random module.


# SplitMix64 seeded with 0: the first outputs of the reference C implementation.
REFERENCE = [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_splitmix64_matches_the_reference_outputs():
    g = rng.SplitMix64(0)
    assert [g.random() for _ in REFERENCE] == [(z >> 11) / 2.0 ** 53 for z in REFERENCE]
    assert rng.SplitMix64(-1).state == 2 ** 64 - 1 and rng.SplitMix64(2 ** 64 + 3).state == 3
    values = [rng.SplitMix64(s).random() for s in range(200)]
    assert all(0.0 <= v < 1.0 for v in values) and len(set(values)) == 200


def test_splitmix64_shuffles_by_fisher_yates():
    # i = 2: j = int(0.883 * 3) = 2, no swap; i = 1: j = int(0.431 * 2) = 0, swap.
    items = [0, 1, 2]
    rng.SplitMix64(0).shuffle(items)
    assert items == [1, 0, 2]
    many = list(range(50))
    rng.SplitMix64(7).shuffle(many)
    assert sorted(many) == list(range(50)) and many != list(range(50))
    again = list(range(50))
    rng.SplitMix64(7).shuffle(again)
    assert again == many
    first = []
    for seed in range(40):  # every position can move: the first item ends anywhere
        order = list(range(4))
        rng.SplitMix64(seed).shuffle(order)
        first.append(order[0])
    assert set(first) == {0, 1, 2, 3}


def test_make_rng_without_random_uses_splitmix64(monkeypatch):
    monkeypatch.setattr(rng, "Random", None)
    g = rng.make_rng(0)
    assert isinstance(g, rng.SplitMix64) and g.random() == (REFERENCE[0] >> 11) / 2.0 ** 53
    monkeypatch.setattr(rng, "clock", lambda: 1.5)
    assert rng.make_rng(None).state == 1500000
    net = DNN([2, 3, 2], seed=0, backend="python")  # a model on MicroPython's generator
    assert net.get_params() == DNN([2, 3, 2], seed=0, backend="python").get_params()


def test_make_rng_refuses_what_is_not_a_seed():
    for bad in ("1", 1.0, True, [1]):
        with pytest.raises(TypeError, match="^seed must be an int or None, not %s$"
                           % __import__("re").escape(repr(bad))):
            rng.make_rng(bad)
    assert rng.make_rng(3).random() == rng.make_rng(3).random()


# The memory estimate, figure by figure: a network that cannot fit is refused at once.


# [10, 20, 5]: 10*20 + 20 + 20*5 + 5 = 325 parameters, the largest layer 200 weights.
SIZES = [10, 20, 5]
FLOAT = memory.LIST_FLOAT_BYTES.get(sys.implementation.name, 4)


def test_the_bytes_a_python_float_takes():
    assert memory.LIST_FLOAT_BYTES == {"cpython": 32, "pypy": 8, "micropython": 4}


def test_a_network_that_cannot_fit_is_refused_with_the_figures(monkeypatch):
    need = 325 * FLOAT
    monkeypatch.setattr(memory, "_memory_size", lambda: need - 1)
    with pytest.raises(TinynetError, match=r"^DNN\(\[10, 20, 5\]\) would need at least %s for its 325 "
                       r"weights alone \(as Python floats\); this machine has %s of memory$"
                       % (size_text(need).replace(".", r"\."), size_text(need - 1).replace(".", r"\."))):
        DNN(SIZES, backend="python")
    monkeypatch.setattr(memory, "_memory_size", lambda: need)  # exactly enough
    DNN(SIZES, backend="python")
    monkeypatch.setattr(memory, "_memory_size", lambda: None)  # unknown: never refused
    memory.check_memory([10 ** 6, 10 ** 6], "python", None)


@needs_numpy
@pytest.mark.parametrize("dtype, each", [("float64", 8), ("float32", 4)])
def test_numpy_needs_its_dtype_plus_one_layer_of_python_floats(monkeypatch, dtype, each):
    need = 325 * each + FLOAT * 200
    monkeypatch.setattr(memory, "_memory_size", lambda: need - 1)
    with pytest.raises(TinynetError, match=r"weights alone \(as %s\)" % dtype):
        DNN(SIZES, backend="numpy", dtype=dtype)
    monkeypatch.setattr(memory, "_memory_size", lambda: need)
    DNN(SIZES, backend="numpy", dtype=dtype)


def test_sizes_and_bytes_are_shown_briefly():
    cases = {0: "0 bytes", 1023: "1023 bytes", 1024: "1.0 KiB", 1536: "1.5 KiB",
             1024 ** 2 - 52: "1023.9 KiB", 1024 ** 2 - 51: "1.0 MiB", 1024 ** 2: "1.0 MiB",
             7 * 1024 ** 3: "7.0 GiB", 1024 ** 4 - 1: "1.0 TiB", 3 * 1024 ** 5: "3072.0 TiB"}
    for n, text in cases.items():
        assert size_text(n) == text
    assert memory._short([784, 30, 10]) == "[784, 30, 10]"
    long = memory._short(list(range(1000, 1100)))
    assert len(long) == 81 and long.endswith(", 1012...]") and long.startswith("[1000, 1001,")
    exact = [1] * 25 + [123]  # "[1, 1, ..., 12345]" is exactly 80 characters
    assert len(memory._short(exact)) == 80 and memory._short(exact).endswith(", 123]")
    assert [grouped(n) for n in (0, 999, 1000, 325, 1234567, -1234)] == \
        ["0", "999", "1,000", "325", "1,234,567", "-1,234"]


def test_the_memory_size_is_the_smaller_of_memory_and_the_address_space_limit(monkeypatch):
    import os
    import resource

    monkeypatch.setattr(os, "sysconf", lambda name: {"SC_PHYS_PAGES": 1000, "SC_PAGE_SIZE": 4096}[name])
    monkeypatch.setattr(resource, "getrlimit", lambda which: (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    assert memory._memory_size() == 4096000
    monkeypatch.setattr(resource, "getrlimit", lambda which: (123456, resource.RLIM_INFINITY))
    assert memory._memory_size() == 123456
    monkeypatch.setattr(resource, "getrlimit", lambda which: (10 ** 9, resource.RLIM_INFINITY))
    assert memory._memory_size() == 4096000
    monkeypatch.setattr(resource, "getrlimit", lambda which: (0, resource.RLIM_INFINITY))
    assert memory._memory_size() == 4096000

    def no_sysconf(name):
        raise ValueError(name)

    monkeypatch.setattr(os, "sysconf", no_sysconf)
    assert memory._memory_size() is None
    monkeypatch.setattr(resource, "getrlimit", lambda which: (5000, resource.RLIM_INFINITY))
    assert memory._memory_size() == 5000
    monkeypatch.setattr(os, "sysconf", lambda name: {"SC_PHYS_PAGES": 1000, "SC_PAGE_SIZE": 4096}[name])
    for error in (ValueError, OSError, AttributeError):  # a limit that cannot be read is left out

        def unreadable(which, error=error):
            raise error("no limit")

        monkeypatch.setattr(resource, "getrlimit", unreadable)
        assert memory._memory_size() == 4096000


# model.summary(), the table show MODEL prints, and the notebook's HTML.


def table_rows(text):
    """The rows between the two ===== rules, split into columns."""
    lines = text.splitlines()
    rules = [i for i, line in enumerate(lines) if line and set(line) == {"="}]
    assert len(rules) == 2, text
    return [line.split() for line in lines[rules[0] + 1:rules[1]]]


def test_summary_lists_layers_shapes_parameters_and_settings():
    model = DNN([784, 128, 64, 10], activation="tanh", optimizer="momentum",
                learning_rate=0.05, l2=1e-4, seed=0, backend="python")
    printed = []
    assert model.summary(print_fn=printed.append) is None
    text, = printed
    assert text == summary.text(model)
    assert table_rows(text) == [
        ["input", "(None,", "784)", "0", "-"],
        ["dense_1", "(None,", "128)", "100,480", "tanh"],
        ["dense_2", "(None,", "64)", "8,256", "tanh"],
        ["dense_3", "(None,", "10)", "650", "softmax"],
    ]
    assert "Layer" in text and "Output shape" in text and "Param #" in text
    assert "Total params: 109,386 (854.6 KiB as float64)" in text
    assert "Loss: cross_entropy" in text
    assert "Optimizer: momentum (" in text
    for setting in ("learning_rate=0.05", "l2=0.0001", "momentum=0.9"):
        assert setting in text
    assert text.splitlines()[-1] == "Backend: python, float64"
    assert text.splitlines()[0] == "Model: DNN, layers 784 -> 128 -> 64 -> 10"


@needs_numpy
def test_summary_counts_4_bytes_a_float32_parameter():
    text = summary.text(DNN([2, 3, 2], seed=0, backend="numpy", dtype="float32"))
    assert "\nTotal params: 17 (68 bytes as float32)\n" in text
    assert text.splitlines()[-1] == "Backend: numpy, float32"


def test_the_columns_line_up():
    text = summary.text(DNN([3, 1000, 2], optimizer="adam", seed=0, backend="python"))
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("Layer"))
    ends = {line.index("#") + 1 for line in lines if line.startswith("Layer")}
    for line in lines:
        if line.startswith(("input", "dense_")):
            numbers = line.split()[3]
            assert line.index(numbers) + len(numbers) in ends, (header, line)
    assert "beta1=0.9" in text and "beta2=0.999" in text


def test_summary_prints_by_default(capsys):
    DNN([2, 3, 2], seed=0, backend="python").summary()
    assert "Total params: 17 " in capsys.readouterr().out


@pytest.mark.parametrize("n, text", [(0, "0"), (999, "999"), (1000, "1,000"),
                                     (993760, "993,760"), (1234567, "1,234,567"),
                                     (-4200, "-4,200")])
def test_thousands(n, text):
    assert summary.thousands(n) == text


def test_html_for_notebooks_is_a_table_of_the_layers():
    model = DNN([4, 5, 3], seed=0, backend="python")

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.cells, self.open = [], []

        def handle_starttag(self, tag, attrs):
            self.open.append(tag)

        def handle_endtag(self, tag):
            assert self.open and self.open[-1] == tag or tag == "br"
            if self.open and self.open[-1] == tag:
                self.open.pop()

        def handle_startendtag(self, tag, attrs):
            pass

        def handle_data(self, data):
            if self.open and self.open[-1] == "td":
                self.cells.append(data)

    parser = Cells()
    parser.feed(model._repr_html_().replace("<br>", "<br/>"))
    assert parser.open == []
    assert parser.cells == ["input", "(None, 4)", "0", "dense_1", "(None, 5)", "25", "relu",
                            "dense_2", "(None, 3)", "18", "softmax"]


# How values, sizes and tables are shown: errors.shown at its limits, the summary's byte sizes,
# rules and HTML escaping.


def test_shown_at_its_limits():
    assert shown(10 ** 60 - 1) == "9" * 60 and shown(-10 ** 60 + 1) == "-" + "9" * 56 + "..."
    assert shown(10 ** 60) == shown(-10 ** 60) == "an int of more than 60 digits"
    assert shown("x" * 100) == "'" + "x" * 56 + "..." and len(shown("y" * 58)) == 60
    assert shown([1] * 20) == repr([1] * 20) and shown(list(range(20)), 100) == repr(list(range(20)))
    assert shown(list(range(21))) == "a list of 21 items"
    assert shown([2 ** 64 - 1, -2 ** 64 + 1]) == "[18446744073709551615, -18446744073709551615]"
    assert shown([2 ** 64]) == "a list of 1 items" and shown((-2 ** 64,)) == "a tuple of 1 items"
    assert shown(["a", "b"]) == "a list of 2 items" and shown((1.5, True)) == "(1.5, True)"
    assert shown(3 + 4j) == "a complex" and shown(None) == "None" and shown({1: 2}) == "a dict of 1 items"


def test_an_unknown_name_lists_the_choices_sorted():
    registry = {"b": 1, "a": 2, "c": 3}
    assert choice(registry, "a", "thing") == 2
    for bad, text in (("z", "'z'"), ([1], "[1]")):
        try:
            choice(registry, bad, "thing")
        except ValueError as err:
            assert str(err) == "unknown thing %s; expected one of: a, b, c" % text
        else:
            raise AssertionError("accepted %r" % (bad,))


def test_summary_byte_sizes():
    text = summary.text(DNN([2, 3, 2], seed=0, backend="python"))
    assert "Total params: 17 (136 bytes as float64)" in text.splitlines()
    text = summary.text(DNN([784, 128, 10], seed=0, backend="python"))
    assert "Total params: 101,770 (795.1 KiB as float64)" in text.splitlines()


def test_the_summary_rules_are_as_wide_as_the_table():
    for sizes in ([2, 3, 2], [784, 1000, 10]):
        lines = summary.text(DNN(sizes, seed=0, backend="python")).splitlines()
        rules = [line for line in lines if set(line) in ({"_"}, {"="})]
        table = [line for line in lines if line.startswith(("Layer", "input", "dense_"))]
        assert len(rules) == 3 and {len(r) for r in rules} == {max(len(t) for t in table)}


def test_html_escapes_what_it_shows():
    from tinynet.escape import xml  # what summary.html escapes with

    assert xml("<a & b>") == "&lt;a &amp; b&gt;"
    assert xml([1, 2]) == "[1, 2]"


def test_an_absurd_network_is_refused_at_once_with_the_figure():
    result = run_bounded(
        "from tinynet import DNN, TinynetError\n"
        "for sizes in ([784, 10**9, 10], [10**6, 10**6], [2] + [10**5] * 3 + [2]):\n"
        "    try:\n        DNN(sizes)\n    except TinynetError as err:\n        print(err)\n",
        timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all("would need at least" in line for line in lines)
    assert "795,000,000,010 weights" in lines[0] and "TiB" in lines[0]


def test_the_input_mask_multiplies_the_inputs(backend):
    """(2') for the inputs: A[0] is X times its mask, entry by entry, so a
    dropped input is a zero and a kept one is scaled up; the layers after
    see exactly the masked inputs."""
    from tinynet import Matrix
    from tinynet.regularize import dropout_masks

    model = DNN([6, 5, 3], dropout=0.0, input_dropout=0.5, seed=1, backend=backend)
    X = Matrix.from_list([[0.5, -1.0, 2.0, 0.25, 1.5, -0.75]] * 4, backend)
    M = dropout_masks(model, 4)
    A = model.forward(X, M)
    masked = [[x * m for x, m in zip(r, q)] for r, q in zip(X.tolist(), M[0].tolist())]
    assert A[0].tolist() == masked
    assert 0.0 in [v for row in masked for v in row]
    plain = model.forward(Matrix.from_list(masked, backend), [None] + list(M[1:]))
    assert A[-1].tolist() == plain[-1].tolist()


def test_a_model_made_without_an_optimizer_makes_plain_sgd_on_first_use():
    """A model built from parameters alone (as a compact file is loaded)
    has no optimizer until asked: then plain SGD at its default rate, kept."""
    model = DNN._from_parameters([2, 2], "relu", "softmax", "cross_entropy",
                                 [[[0.5, -0.5], [0.25, 1.0]]], [[0.0, 0.1]], "python")
    first = model.optimizer
    assert (first.name, model.learning_rate) == ("sgd", 0.02) and model.optimizer is first


@needs_numpy
def test_an_empty_numpy_batch_predicts_nothing():
    """No rows in, no rows out (and no warning about unscaled pixels asked
    of zero rows), for floats and for bytes."""
    import numpy

    net = DNN([2, 3], seed=0, backend="numpy")
    for dtype in ("float64", "uint8"):
        empty = numpy.zeros((0, 2), dtype=dtype)
        assert net.predict(empty).shape == (0, 3) and net.classify(empty) == []


# === Settings assigned after a model is made act as the constructor's ===

#: (setting, a value DNN() takes, the DNN() arguments that make the same model)
ASSIGNED = [
    ("activation", "tanh", {"activation": "tanh"}),
    ("output", "sigmoid", {"output": "sigmoid"}),
    ("loss", "mse", {"loss": "mse"}),
    ("optimizer", "adam", {"optimizer": "adam"}),
    ("learning_rate", 0.05, {"learning_rate": 0.05}),
    ("l2", 1e-3, {"l2": 1e-3}),
    ("dropout", 0.5, {"dropout": 0.5}),
    ("dropout", [0.5, 0.25], {"dropout": [0.5, 0.25]}),
    ("input_dropout", 0.25, {"input_dropout": 0.25}),
    ("max_norm", 2, {"max_norm": 2.0}),
]


def _settings(model):
    data = model.to_dict(optimizer_state=False)
    return {k: v for k, v in data.items() if k not in ("weights", "biases")}


@pytest.mark.parametrize("name,value,kwargs", ASSIGNED)
def test_an_assigned_setting_gives_the_model_the_constructor_would(tmp_path, name, value, kwargs):
    """The class of ``m.optimizer = "adam"`` stored as a str, after which
    repr, fit, save and summary failed: every setting takes DNN()'s form."""
    model = DNN([4, 3, 3, 2], seed=0, backend="python")
    made = DNN([4, 3, 3, 2], seed=0, backend="python", **kwargs)
    made.set_params(**model.get_params())  # (the initial weights' scale follows the activation)
    setattr(model, name, value)
    assert repr(model) == repr(made) and _settings(model) == _settings(made)
    X, y = [[0.1, 0.9, 0.0, 0.5], [0.7, 0.2, 0.4, 0.0]] * 4, [0, 1] * 4
    assert model.predict(X) == made.predict(X)
    losses = [m.fit(X, y, epochs=2, verbose=0).history["loss"] for m in (model, made)]
    assert losses[0] == losses[1]
    assert model.predict(X) == made.predict(X) and model.train(X[0], 1) == made.train(X[0], 1)
    summary.text(model)
    model.save(tmp_path / "m.json")
    assert _settings(tinynet_load(tmp_path / "m.json")) == _settings(model)


def tinynet_load(path):
    from tinynet import load

    return load(path, backend="python")


@pytest.mark.parametrize("name,value,message", [
    ("activation", "leaky_relu", "unknown activation 'leaky_relu'; expected one of: relu, "),
    ("activation", lambda z: z, "unknown activation a function"),
    ("output", "softmax", "a softmax over one output"),
    ("output", "linear", "loss 'cross_entropy' needs outputs that are probabilities: use output="
     "'softmax' or 'sigmoid', not 'linear'; assign model.loss first, then model.output"),
    ("loss", "hinge", "unknown loss 'hinge'"),
    ("optimizer", "rmsprop", "unknown optimizer 'rmsprop'; expected one of: adam, momentum, sgd"),
    ("optimizer", 0.1, "unknown optimizer 0.1"),
    ("learning_rate", -1, "learning_rate must be a finite number in (0, inf), not -1"),
    ("learning_rate", "0.1", "learning_rate must be a finite number"),
    ("l2", float("nan"), "l2 must be a finite number in [0, inf)"),
    ("momentum", 0.5, "momentum goes with optimizer='momentum'; this model's optimizer is 'sgd'"),
    ("dropout", 1.0, "dropout must be a finite number in [0, 1), not 1.0"),
    ("dropout", [0.5, 0.5], "dropout has 2 rates, but sizes [4, 3, 1] have 1 hidden layer"),
    ("input_dropout", -0.1, "input_dropout must be a finite number in [0, 1)"),
    ("max_norm", 0, "max_norm must be a finite number in (0, inf), not 0"),
])
def test_a_bad_assigned_setting_is_refused_and_changes_nothing(name, value, message):
    model = DNN([4, 3, 1], seed=0, backend="python", dropout=0.25)
    before, text = _settings(model), repr(model)
    with pytest.raises((ValueError, TypeError, AttributeError)) as err:
        setattr(model, name, value)
    assert message in str(err.value)
    assert _settings(model) == before and repr(model) == text
    model.fit([[0.1, 0.9, 0.0, 0.5]] * 2, [0, 1], verbose=0)  # and it still trains


def test_a_dropped_list_of_rates_cannot_be_changed_in_place_unseen():
    """``dropout`` reads as a new list: changing it changes nothing, so it
    cannot desynchronise the masks; assigning is the way."""
    model = DNN([4, 3, 2], seed=0, backend="python")
    model.dropout[0] = 0.5
    assert model.dropout == [0.0] and model._keep is None
    model.dropout = [0.5]
    assert model.dropout == [0.5] and model._keep is not None


def test_momentum_and_learning_rate_assigned_keep_the_optimizers_state():
    model = DNN([4, 3, 2], seed=0, backend="python", optimizer="momentum")
    model.fit([[0.1, 0.9, 0.0, 0.5]] * 4, [0, 1, 0, 1], verbose=0)
    optimizer, velocities = model.optimizer, model.optimizer.velocities
    model.learning_rate, model.momentum = 0.5, 0.25
    assert model.optimizer is optimizer and optimizer.velocities is velocities
    assert (optimizer.learning_rate, optimizer.momentum) == (0.5, 0.25) == (
        model.learning_rate, model.momentum)


def test_an_assigned_activation_reaches_the_one_sample_path(tmp_path):
    """A compact model on the python backend predicts one sample in buffers
    it keeps: they are remade for a new activation or output."""
    from tinynet import load

    DNN([4, 3, 2], seed=0, backend="python").save(tmp_path / "m.tnb")
    packed, x = load(tmp_path / "m.tnb", backend="python"), [0.2, 0.4, 0.1, 0.9]
    plain = DNN.from_dict(packed.to_dict(), backend="python")
    packed.predict(x)  # the buffers are made here
    for name, value in (("activation", "sigmoid"), ("output", "sigmoid")):
        setattr(packed, name, value)
        setattr(plain, name, value)
        assert packed.predict(x) == pytest.approx(plain.predict(x), abs=1e-12)


# === repr is the call that builds the same settings ===

REPRS = [
    dict(),
    dict(optimizer="momentum", l2=1e-3, momentum=0.5, seed=1),
    dict(optimizer="adam", learning_rate=0.01, dropout=[0.5, 0.25], input_dropout=0.1,
         max_norm=3.0, activation="tanh"),
    dict(output="sigmoid", loss="mse", seed=0),
    dict(optimizer="sgd", learning_rate=0.1, l2=0.5, dropout=0.2),
]


@pytest.mark.parametrize("kwargs", REPRS + [dict(dtype="float32", backend="numpy", seed=3)])
def test_evaluating_the_repr_builds_the_same_settings(kwargs):
    """The class of a repr that left l2, momentum and dtype out."""
    from tinynet.optim import Adam, Momentum  # noqa: F401 (the names a repr may use)

    if kwargs.get("backend") == "numpy":
        pytest.importorskip("numpy")
    kwargs = dict({"backend": "python"}, **kwargs)
    model = DNN([4, 3, 3, 2], **kwargs)
    again = eval(repr(model))
    assert repr(again) == repr(model) and _settings(again) == _settings(model)
    assert again.seed == model.seed and again.backend == model.backend
    for name, value in kwargs.items():
        assert "%s=%r" % (name, value) in repr(model) or name == "optimizer" or value in (0, None)


def test_a_repr_shows_an_optimizer_with_settings_dnn_does_not_take_as_that_object():
    from tinynet.optim import Adam

    model = DNN([4, 3, 2], optimizer=Adam(beta1=0.8, l2=0.01), backend="python")
    assert "optimizer=Adam(beta1=0.8, beta2=0.999, eps=1e-08, l2=0.01, learning_rate=0.001)" \
        in repr(model)
    assert _settings(eval(repr(model))) == _settings(model)


# === forward takes a Matrix; data goes to predict ===


@pytest.mark.parametrize("data", [[[0.0] * 4], (0.0,) * 4, "abcd", None])
def test_forward_given_data_says_to_call_predict(data):
    model = DNN([4, 3, 2], seed=0, backend="python")
    with pytest.raises(TypeError, match=r"^forward takes a Matrix \(a batch, one sample per row\), "
                       r"not .*: give data .* to predict\(X\) for the outputs or classify\(X\)"):
        model.forward(data)
    assert model.forward(Matrix.from_list([[0.0] * 4], "python"))[-1].shape == (1, 2)


@needs_numpy
def test_forward_given_an_array_or_a_dataset_says_to_call_predict():
    import numpy as np

    from tinynet import datasets

    model = DNN([784, 3, 10], seed=0)
    X, _ = datasets.load_sample("test")
    for data in (np.zeros((2, 784)), X[:2]):
        with pytest.raises(TypeError, match="^forward takes a Matrix"):
            model.forward(data)


# === scikit-learn's and Keras's names: what they mean here ===


def test_get_params_and_set_params_are_the_weights_and_say_so_to_a_scikit_learn_call():
    """scikit-learn's clone calls get_params(deep=False), GridSearch calls
    set_params(learning_rate=...): both are refused, saying what to do."""
    model = DNN([4, 3, 2], seed=0, backend="python")
    params = model.get_params()
    assert sorted(params) == ["biases", "weights"] and len(params["weights"][0]) == 4
    for deep in (True, False):
        with pytest.raises(TypeError, match=r"^get_params\(\) takes no deep: it returns the "
                           r"weights and biases, not scikit-learn's settings"):
            model.get_params(deep=deep)
    for call in (lambda: model.set_params(learning_rate=0.1),
                 lambda: model.set_params(params["weights"]),
                 lambda: model.set_params(params["weights"], params["biases"], l2=0.1)):
        with pytest.raises(TypeError, match=r"^set_params\(weights, biases\) replaces the weights "
                           r"and biases \(got .*\); a setting is assigned instead, e\.g\. "
                           r"model\.learning_rate = 0\.1"):
            call()
    assert model.get_params() == params and model.learning_rate == 0.02


def test_get_weights_is_kerass_order_and_set_weights_takes_it_back():
    model, other = DNN([4, 3, 2], seed=0, backend="python"), DNN([4, 3, 2], seed=1, backend="python")
    weights = model.get_weights()
    params = model.get_params()
    assert weights == [params["weights"][0], params["biases"][0], params["weights"][1],
                       params["biases"][1]]
    assert [(len(w), len(w[0]) if isinstance(w[0], list) else None) for w in weights] == [
        (4, 3), (3, None), (3, 2), (2, None)]  # Keras's Dense: kernel n_in x n_out, then bias
    other.set_weights(weights)
    assert other.get_params() == params
    for bad in (weights[:3], weights[:2] + [weights[3], weights[2]], "w"):
        with pytest.raises(ValueError):
            other.set_weights(bad)
        assert other.get_params() == params


@needs_numpy
def test_set_weights_takes_numpy_arrays_as_a_keras_model_gives_them():
    import numpy as np

    model, other = DNN([4, 3, 2], seed=0), DNN([4, 3, 2], seed=1)
    other.set_weights([np.asarray(w, dtype=np.float32) for w in model.get_weights()])
    assert all(np.allclose(a, b, atol=1e-7) for a, b in zip(other.get_weights(),
                                                           model.get_weights()))


def test_score_is_the_accuracy_and_predict_proba_the_probabilities():
    X = [[0.1, 0.9, 0.0, 0.5], [0.7, 0.2, 0.4, 0.0], [0.3, 0.3, 0.9, 0.1]]
    y = [0, 1, 1]
    model = DNN([4, 3, 2], seed=0, backend="python")
    assert model.score(X, y) == model.evaluate(X, y)["accuracy"] == pytest.approx(
        sum(c == t for c, t in zip(model.classify(X), y)) / 3)
    assert model.predict_proba(X) == model.predict(X)
    binary = DNN([4, 3, 1], seed=0, backend="python")
    assert binary.predict_proba(X) == binary.predict(X)  # one column: p of class 1
    regression = DNN([4, 3, 1], output="linear", loss="mse", seed=0, backend="python")
    with pytest.raises(ValueError, match=r"^score is the accuracy, and a regression \(output "
                       r"'linear'\) has none: use model.evaluate\(X, y\)\['loss'\]$"):
        regression.score(X, [0.5, 0.1, 0.2])
    with pytest.raises(ValueError, match="^predict_proba needs outputs that are probabilities"):
        regression.predict_proba(X)


def test_count_params_is_the_one_parameter_count():
    for sizes in ([4, 3, 2], [784, 30, 10], [2, 1]):
        model = DNN(sizes, seed=0, backend="python")
        assert model.count_params() == model.n_parameters == sum(
            len(p) * (len(p[0]) if isinstance(p[0], list) else 1) for p in model.get_weights())
