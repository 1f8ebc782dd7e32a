"""Backpropagation: the weight and bias gradients worked by hand; every
activation x output x loss combination against central finite differences,
on every installed backend; through dropout's masks, (2') and (BP2'), with
the masks held fixed; and the gradient check's own report."""

import random

import pytest

from tinynet import DNN, gradient_check, Matrix
from tinynet.gradcheck import GradientCheck
from tinynet.regularize import dropout_masks


def numeric_and_backprop(model, X, Y, M, h=1e-6):
    """Yield ``(numeric, analytic)`` for every weight and bias of ``model``
    on the batch, with the masks ``M`` fixed."""
    n = len(X)

    def loss():
        out = model.forward(X, M)[-1]
        return model.loss.value(out, Y, model.output_activation) / n

    A = model.forward(X, M)
    dW, db = model.parameter_gradients(A, model.backward(A, Y, M))
    for params, grads in ((model.weights, dW), (model.biases, db)):
        for layer, (param, grad) in enumerate(zip(params, grads)):
            rows, analytic = param.tolist(), grad.tolist()
            for i, row in enumerate(rows):
                for j, value in enumerate(row):
                    row[j] = value + h
                    params[layer] = Matrix.from_list(rows, model.backend)
                    plus = loss()
                    row[j] = value - h
                    params[layer] = Matrix.from_list(rows, model.backend)
                    minus = loss()
                    row[j] = value
                    yield (plus - minus) / (2 * h), analytic[i][j]
            params[layer] = param


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("rates,inputs", [(0.5, 0.0), ([0.25, 0.6], 0.3), ([0.0, 0.3], 0.5)])
def test_backprop_through_dropout_masks_matches_finite_differences(backend, activation, rates,
                                                                   inputs):
    model = DNN([3, 5, 4, 2], activation=activation, dropout=rates, input_dropout=inputs,
                seed=4, backend=backend)
    rng = random.Random(3)
    params = model.get_params()  # biases off zero, so that no ReLU input sits on its kink
    model.set_params(params["weights"], [[rng.uniform(-0.5, 0.5) for _ in b]
                                         for b in params["biases"]])
    X = Matrix.from_list([[rng.uniform(-1, 1) for _ in range(3)] for _ in range(6)], backend)
    Y = Matrix.from_list([[1.0, 0.0] if rng.random() < 0.5 else [0.0, 1.0] for _ in range(6)],
                         backend)
    M = dropout_masks(model, 6)
    assert (M[0] is None) == (inputs == 0.0) and (M[1] is None) == (rates == [0.0, 0.3])
    assert M[2] is not None
    dropped = sum(row.count(0.0) for m in M if m is not None for row in m.tolist())
    assert dropped > 0  # the masks do drop units here
    pairs = list(numeric_and_backprop(model, X, Y, M))
    assert len(pairs) == model.n_parameters
    for numeric, analytic in pairs:
        assert abs(numeric - analytic) <= 1e-6 * max(1.0, abs(numeric), abs(analytic))
    unmasked = list(numeric_and_backprop(model, X, Y, None))
    assert max(abs(a - b) for (_, a), (_, b) in zip(pairs, unmasked)) > 1e-3  # masks matter


# Backpropagation against central finite differences, for every activation x output x loss
# combination, on every installed backend.


HIDDEN = ["sigmoid", "tanh", "relu"]


OUTPUTS = ["sigmoid", "softmax", "linear"]


LOSSES = ["mse", "cross_entropy"]


def batch(n_in, n_out, output, seed=5):
    rng = random.Random(seed)
    X = [[rng.uniform(-1, 1) for _ in range(n_in)] for _ in range(5)]
    if output == "linear":
        Y = [[rng.uniform(-2, 2) for _ in range(n_out)] for _ in range(5)]
    elif output == "sigmoid":
        Y = [[float(rng.random() < 0.5) for _ in range(n_out)] for _ in range(5)]
    else:
        Y = [rng.randrange(n_out) for _ in range(5)]
    return X, Y


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_backprop_matches_finite_differences(backend, hidden, output, loss):
    if output == "linear" and loss == "cross_entropy":
        with pytest.raises(ValueError, match="probabilities"):
            DNN([3, 4, 2], activation=hidden, output=output, loss=loss, backend=backend)
        return
    net = DNN([3, 4, 4, 2], activation=hidden, output=output, loss=loss, l2=0.01, seed=1,
              backend=backend)
    # Non-zero biases: with all-zero biases a sample whose ReLUs are all off
    # puts the next pre-activation exactly on ReLU's kink, where the
    # derivative does not exist and the two estimates rightly differ.
    rng = random.Random(2)
    params = net.get_params()
    net.set_params(params["weights"], [[rng.uniform(-0.5, 0.5) for _ in b] for b in params["biases"]])
    X, Y = batch(3, 2, output)
    check = gradient_check(net, X, Y)
    assert len(check.entries) == net.n_parameters
    assert check.max_error < 1e-6, check


def test_gradient_check_catches_a_wrong_derivative(backend, monkeypatch):
    # A check that cannot fail proves nothing: break tanh's derivative.
    net = DNN([3, 4, 2], activation="tanh", seed=1, backend=backend)
    X, Y = batch(3, 2, "softmax")
    assert gradient_check(net, X, Y).max_error < 1e-6
    monkeypatch.setattr(type(net.activation), "derivative", lambda self, a: a)
    assert gradient_check(net, X, Y).max_error > 1e-3


def test_gradient_check_leaves_the_model_unchanged(backend):
    net = DNN([3, 4, 2], seed=1, backend=backend)
    before = net.get_params()
    gradient_check(net, *batch(3, 2, "softmax"))
    assert net.get_params() == before


# The weight and bias gradients, worked by hand.


def gradients(w, a, d, l2=0.0, backend="python"):
    """parameter_gradients of a one-layer network with weights ``w``, for
    the layer input ``a`` and error ``d``."""
    net = DNN([len(w), len(w[0])], output="linear", loss="mse", l2=l2, backend=backend)
    net.set_params([w], [[0.0] * len(w[0])])
    A = [Matrix.from_list(a, backend=backend), None]
    return net.parameter_gradients(A, [Matrix.from_list(d, backend=backend)])


def test_gradients_is_the_formula_by_hand(backend):
    # two samples, one input
    grad_w, grad_b = gradients([[1.0, 2.0]], [[1.0], [3.0]], [[0.5, -1.0], [1.5, 2.0]], 0.1,
                               backend)
    # a.T @ d / 2 = [[(0.5 + 4.5) / 2, (-1 + 6) / 2]] = [[2.5, 2.5]]; + 0.1 * w
    assert grad_w[0].tolist() == [[pytest.approx(2.6), pytest.approx(2.7)]]
    assert grad_b[0].tolist() == [[1.0, 0.5]]


def test_gradients_without_l2_is_the_plain_mean(backend):
    # l2 defaults to none: w plays no part
    grad_w, grad_b = gradients([[5.0, -5.0]], [[1.0], [3.0]], [[0.5, -1.0], [1.5, 2.0]],
                               backend=backend)
    assert grad_w[0].tolist() == [[2.5, 2.5]] and grad_b[0].tolist() == [[1.0, 0.5]]


# The gradient check's report.


def test_the_gradient_check_report():
    empty = GradientCheck([])
    assert repr(empty) == "GradientCheck(no parameters)" and empty.max_error == 0.0
    check = GradientCheck([("weights[0]", 0, 1, 1.0, 1.5, 0.25), ("biases[1]", 0, 2, 2.0, 2.0, 0.0),
                           ("weights[1]", 3, 4, 0.5, 0.75, 0.5)])
    assert [e[0] for e in check.entries] == ["weights[1]", "weights[0]", "biases[1]"]
    assert check.max_error == 0.5
    assert repr(check) == "GradientCheck(max_error=0.5 at weights[1][3][4]: numeric 0.5, backprop 0.75)"


def test_gradient_check_entries_by_hand():
    # One linear unit, MSE: L = 0.5 (w x + b - y)^2 averaged; at w = 2, b = 0,
    # x = 1, y = 0 the gradients are 2 (w) and 2 (b).
    net = DNN([1, 1], output="linear", loss="mse", backend="python")
    net.set_params([[[2.0]]], [[0.0]])
    check = gradient_check(net, [[1.0]], [[0.0]])
    entries = sorted(check.entries)
    assert [e[:3] for e in entries] == [("biases[0]", 0, 0), ("weights[0]", 0, 0)]
    for name, i, j, numeric, analytic, error in entries:
        assert analytic == 2.0 and numeric == pytest.approx(2.0, abs=1e-8)
        assert error == abs(numeric - analytic) / max(numeric, 2.0)  # relative above 1
    big = DNN([1, 1], output="linear", loss="mse", backend="python")
    big.set_params([[[0.25]]], [[0.0]])
    small = gradient_check(big, [[1.0]], [[0.0]])
    for name, i, j, numeric, analytic, error in small.entries:  # |gradient| < 1: error is absolute
        assert analytic == 0.25 and error == abs(numeric - analytic)
    coarse = gradient_check(net, [[1.0]], [[0.0]], h=0.5)
    assert coarse.max_error < 1e-12  # the loss is quadratic: central differences are exact
