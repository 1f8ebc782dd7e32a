"""Backpropagation through dropout's masks, (2') and (BP2'), against finite
differences of the loss with the same masks held fixed."""

import random

import pytest

from tinynet import DNN, Matrix
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
@pytest.mark.parametrize("rates", [0.5, [0.25, 0.6], [0.0, 0.3]])
def test_backprop_through_dropout_masks_matches_finite_differences(backend, activation, rates):
    model = DNN([3, 5, 4, 2], activation=activation, dropout=rates, seed=4, backend=backend)
    rng = random.Random(3)
    params = model.get_params()  # biases off zero, so that no ReLU input sits on its kink
    model.set_params(params["weights"], [[rng.uniform(-0.5, 0.5) for _ in b]
                                         for b in params["biases"]])
    X = Matrix.from_list([[rng.uniform(-1, 1) for _ in range(3)] for _ in range(6)], backend)
    Y = Matrix.from_list([[1.0, 0.0] if rng.random() < 0.5 else [0.0, 1.0] for _ in range(6)],
                         backend)
    M = dropout_masks(model, 6)
    assert (M[0] is None) == (rates == [0.0, 0.3]) and M[1] is not None
    dropped = sum(row.count(0.0) for m in M if m is not None for row in m.tolist())
    assert dropped > 0  # the masks do drop units here
    pairs = list(numeric_and_backprop(model, X, Y, M))
    assert len(pairs) == model.n_parameters
    for numeric, analytic in pairs:
        assert abs(numeric - analytic) <= 1e-6 * max(1.0, abs(numeric), abs(analytic))
    unmasked = list(numeric_and_backprop(model, X, Y, None))
    assert max(abs(a - b) for (_, a), (_, b) in zip(pairs, unmasked)) > 1e-3  # masks matter
