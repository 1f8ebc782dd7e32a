"""Backpropagation against central finite differences, for every
activation x output x loss combination, on every installed backend."""

import random

import pytest

from tinynet import DNN, gradient_check

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
