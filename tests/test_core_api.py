"""The redesign's promises: one gradient path, fused steps equal to the plain
ones, optimizers as objects with settings, the model's own saved form, and a
single output that learns."""

import math
import random
import re

import pytest

import tinynet
from tinynet import batching
from tinynet import DNN, Matrix
from tinynet.optim import SGD, Adam, Momentum


def batch(backend, n=6, width=5, classes=3, seed=0, sparse=True):
    rng = random.Random(seed)
    X = [[(rng.random() if not sparse or rng.random() < 0.4 else 0.0) for _ in range(width)]
         for _ in range(n)]
    y = [rng.randrange(classes) for _ in range(n)]
    return X, y


def close_params(a, b, tol=1e-12):
    flat = lambda p: [x for layer in p["weights"] for row in layer for x in row] + \
        [x for layer in p["biases"] for x in layer]
    return all(abs(x - y) <= tol * max(1.0, abs(x)) for x, y in zip(flat(a), flat(b)))


def textbook_step(model, X, y, velocities):
    """The update written from the gradients by the formulas, with nothing
    fused: W -= lr * dW (SGD), or v = mu * v - lr * dW; W += v (momentum)."""
    Xm, Ym = batching.pair(model, X, y)
    _, A, deltas = model.backprop(Xm, Ym)
    dW, db = model.parameter_gradients(A, deltas)
    opt = model.optimizer
    for i, (p, g) in enumerate(zip(model.weights + model.biases, dW + db)):
        if isinstance(opt, Momentum):
            velocities[i] = velocities.get(i, 0 * g) * opt.momentum - opt.learning_rate * g
            p.add_(velocities[i])
        else:
            p.add_(g, -opt.learning_rate)


@pytest.mark.parametrize("make", [lambda: SGD(0.1, l2=0.01),
                                  lambda: Momentum(0.1, l2=0.01, momentum=0.8)])
def test_the_fused_step_equals_the_textbook_step(backend, make):
    X, y = batch(backend)
    fused = DNN([5, 4, 3], seed=1, backend=backend, optimizer=make())
    plain = DNN([5, 4, 3], seed=1, backend=backend, optimizer=make())
    before, velocities = fused.get_params(), {}
    for _ in range(3):  # several steps, so momentum's velocity matters
        fused.train(X, y)
        textbook_step(plain, X, y, velocities)
    assert not close_params(before, fused.get_params(), tol=1e-3)  # it did move
    assert close_params(fused.get_params(), plain.get_params())


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


def test_a_momentum_step_worked_by_hand(backend):
    net = DNN([1, 1], output="linear", loss="mse", backend=backend,
              optimizer=Momentum(learning_rate=0.5, momentum=0.5))
    net.set_params([[[1.0]]], [[0.0]])
    net.train([1.0], [0.0])  # out 1, delta 1: grad w = 1, grad b = 1
    assert net.get_params() == {"weights": [[[0.5]]], "biases": [[-0.5]]}  # v = -0.5
    net.train([1.0], [0.0])  # out 0, delta 0: v = 0.5 * -0.5
    assert net.get_params() == {"weights": [[[0.25]]], "biases": [[-0.75]]}


def test_an_adam_step_with_l2_worked_by_hand(backend):
    net = DNN([1, 1], output="linear", loss="mse", backend=backend,
              optimizer=Adam(learning_rate=0.1, l2=0.5, beta1=0.5, beta2=0.75, eps=1e-300))
    net.set_params([[[2.0]]], [[0.0]])
    net.train([1.0], [0.0])  # out 2: grad w = 2 + 0.5 * 2 = 3, grad b = 2
    # m = 0.5 g, v = 0.25 g^2; corrected: m/(1-0.5) = g, v/(1-0.75) = g^2:
    # the first step is -lr * g / |g| = -0.1 for both.
    params = net.get_params()
    assert params["weights"][0][0][0] == pytest.approx(1.9, abs=1e-12)
    assert params["biases"][0][0] == pytest.approx(-0.1, abs=1e-12)


def test_optimizer_objects_and_their_settings_survive_saving(tmp_path, backend):
    net = DNN([3, 4, 2], seed=0, backend=backend,
              optimizer=Adam(learning_rate=0.003, l2=0.001, beta1=0.8, beta2=0.99, eps=1e-7))
    net.fit([[0.1, 0.2, 0.3]] * 4, [0, 1, 0, 1], epochs=1, batch_size=2)
    for name in ("m.pkl", "m.json"):
        net.save(tmp_path / name)
        loaded = tinynet.load(tmp_path / name, backend=backend)
        assert loaded.optimizer.settings() == net.optimizer.settings() == {
            "learning_rate": 0.003, "l2": 0.001, "beta1": 0.8, "beta2": 0.99, "eps": 1e-7}
        assert loaded.optimizer.t == net.optimizer.t == 2


def test_momentum_settings_survive_saving(tmp_path, backend):
    net = DNN([3, 2], optimizer="momentum", learning_rate=0.07, momentum=0.6, l2=0.002,
              seed=5, backend=backend)
    loaded = DNN.from_dict(net.to_dict(), backend=backend)
    assert loaded.optimizer.settings() == {"learning_rate": 0.07, "l2": 0.002, "momentum": 0.6}
    assert loaded.get_params() == net.get_params()


def test_to_dict_is_plain_data_and_from_dict_checks_it(backend):
    net = DNN([2, 3, 2], seed=0, backend=backend)
    data = net.to_dict()

    def plain(v):
        if isinstance(v, dict):
            return all(isinstance(k, str) and plain(x) for k, x in v.items())
        if isinstance(v, list):
            return all(plain(x) for x in v)
        return type(v) in (str, int, float, bool) or v is None

    assert plain(data) and data["format"] == "tinynet" and data["version"] == 1
    data["weights"][0][1][2] = math.nan
    with pytest.raises(ValueError, match=r"weights\[0\] row 1 holds a non-finite value"):
        DNN.from_dict(data)
    with pytest.raises(tinynet.TinynetError, match=r"^here: weights\[0\] row 1"):
        DNN.from_dict(data, source="here")


def test_optimizers_and_dnn_refuse_settings_that_make_no_sense():
    for bad in (math.nan, math.inf, -0.1, "0.1", True, 10 ** 400):
        with pytest.raises(ValueError, match="learning_rate must be a finite number"):
            DNN([2, 2], learning_rate=bad)
        with pytest.raises(ValueError, match="l2 must be a finite number"):
            DNN([2, 2], l2=bad if bad != -0.1 else -1)
    for bad in (1.0, -0.5, math.nan, "0.9"):
        with pytest.raises(ValueError, match="momentum must be a finite number in \\[0, 1\\)"):
            DNN([2, 2], optimizer="momentum", momentum=bad)
    with pytest.raises(ValueError, match="momentum goes with optimizer='momentum'"):
        DNN([2, 2], optimizer="adam", momentum=0.5)
    with pytest.raises(ValueError, match="give learning_rate, l2 and momentum to the optimizer"):
        DNN([2, 2], optimizer=SGD(0.1), learning_rate=0.2)
    with pytest.raises(ValueError, match="beta2 must be"):
        Adam(beta2=1.0)


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


def test_reflected_subtraction_is_not_negated_subtraction(backend):
    m = Matrix.from_list([[1.0, 0.25]], backend=backend)
    assert (1 - m).tolist() == [[0.0, 0.75]]
    assert (m - 1).tolist() == [[0.0, -0.75]]
    assert (2 * m + 1).tolist() == [[3.0, 1.5]]
    assert (m * 2 - 1 + m / 4).tolist() == [[1.25, -0.4375]]


def test_the_version_is_a_release_number():
    # setup.cfg takes it from here (attr:), and packaging needs a PEP 440 version
    assert re.fullmatch(r"\d+\.\d+\.\d+", tinynet.__version__)
