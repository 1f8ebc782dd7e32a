"""The optimizers (SGD, momentum, Adam): steps worked by hand, fused steps
equal to the textbook ones, L2 and the other settings, their checks, their
state and settings kept through saving, and float32 kept through their state."""

import math
import random

import pytest

import tinynet
from tinynet import DNN, Matrix, batching
from tinynet.optim import Adam, Momentum, SGD, check_number, make_optimizer

from conftest import INSTALLED, batch, needs_numpy



@pytest.mark.parametrize("backend", INSTALLED)
@pytest.mark.parametrize("l2", [0.0, 0.01])
def test_training_steps_equal_steps_from_the_gradients(backend, l2):
    """What Momentum.step does in place is v = mu v - lr (dL/dW + l2 W),
    W += v, with the gradient DNN.gradients computes (and gradient_check
    checks)."""
    lr, mu = 0.1, 0.9
    X = batch(10, 8, 0.6, 5, 1)
    y = [i % 3 for i in range(10)]
    net = DNN([8, 7, 3], optimizer="momentum", learning_rate=lr, momentum=mu, l2=l2, seed=3,
              backend=backend)
    ref = DNN([8, 7, 3], seed=3, l2=l2, backend=backend)
    Xm = Matrix.from_list(X, backend)
    Ym = Matrix.from_list([[1.0 if j == label else 0.0 for j in range(3)] for label in y], backend)
    params = ref.get_params()
    weights, biases = params["weights"], [[b] for b in params["biases"]]
    vw = [[[0.0] * len(w[0]) for _ in w] for w in weights]
    vb = [[[0.0] * len(b[0])] for b in biases]
    for _ in range(3):
        ref.set_params(weights, [b[0] for b in biases])
        _, grad_w, grad_b = ref.gradients(Xm, Ym)
        for i in range(len(weights)):
            for v, p, g in ((vw[i], weights[i], grad_w[i].tolist()),
                            (vb[i], biases[i], grad_b[i].tolist())):
                for r in range(len(p)):
                    v[r] = [mu * x - lr * gx for x, gx in zip(v[r], g[r])]
                    p[r] = [x + dx for x, dx in zip(p[r], v[r])]
        net.train(X, y)
    got = net.get_params()
    for want, have in zip(weights + [b[0] for b in biases],
                          got["weights"] + got["biases"]):
        flat_want = [x for row in want for x in (row if isinstance(row, list) else [row])]
        flat_have = [x for row in have for x in (row if isinstance(row, list) else [row])]
        assert all(math.isclose(p, q, rel_tol=1e-9, abs_tol=1e-12)
                   for p, q in zip(flat_want, flat_have))


def labelled_batch(backend, n=6, width=5, classes=3, seed=0, sparse=True):
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
    X, y = labelled_batch(backend)
    fused = DNN([5, 4, 3], seed=1, backend=backend, optimizer=make())
    plain = DNN([5, 4, 3], seed=1, backend=backend, optimizer=make())
    before, velocities = fused.get_params(), {}
    for _ in range(3):  # several steps, so momentum's velocity matters
        fused.train(X, y)
        textbook_step(plain, X, y, velocities)
    assert not close_params(before, fused.get_params(), tol=1e-3)  # it did move
    assert close_params(fused.get_params(), plain.get_params())


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


X = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.25], [0.3, 0.3, 0.3], [0.9, 0.1, 0.0]]
Y = [0, 1, 1, 0]


def one_weight(backend, optimizer, w=1.0):
    """A 1-input, 1-output linear unit with MSE: out = w x + b, delta = out - y."""
    net = DNN([1, 1], output="linear", loss="mse", backend=backend, optimizer=optimizer)
    net.set_params([[[w]]], [[0.0]])
    return net


def test_momentum_with_l2_on_a_batch_worked_by_hand(backend):
    net = DNN([1, 1], output="linear", loss="mse", backend=backend, optimizer="momentum",
              learning_rate=0.5, momentum=0.3, l2=0.1)
    net.set_params([[[1.0]]], [[0.0]])
    assert net.optimizer.settings() == {"learning_rate": 0.5, "l2": 0.1, "momentum": 0.3}
    batch, targets = [[1.0], [2.0]], [[0.0], [0.0]]
    net.train(batch, targets)
    # out = [1, 2] = delta; g_w = (1 + 4) / 2 + 0.1 * 1 = 2.6, g_b = 1.5
    # v_w = -0.5 * 2.6 = -1.3, v_b = -0.75
    p = net.get_params()
    assert p["weights"][0][0][0] == pytest.approx(-0.3, abs=1e-12)
    assert p["biases"][0][0] == pytest.approx(-0.75, abs=1e-12)
    net.train(batch, targets)
    # out = [-1.05, -1.35]; g_w = (-1.05 - 2.7) / 2 + 0.1 * -0.3 = -1.905, g_b = -1.2
    # v_w = 0.3 * -1.3 + 0.5 * 1.905 = 0.5625; v_b = 0.3 * -0.75 + 0.6 = 0.375
    p = net.get_params()
    assert p["weights"][0][0][0] == pytest.approx(-0.3 + 0.5625, abs=1e-12)
    assert p["biases"][0][0] == pytest.approx(-0.75 + 0.375, abs=1e-12)
    (vw, vb), = net.optimizer.state()["velocities"]
    assert vw == [[pytest.approx(0.5625, abs=1e-12)]] and vb == [[pytest.approx(0.375, abs=1e-12)]]


def test_a_non_default_momentum_changes_training(backend):
    def run(**kw):
        net = DNN([3, 4, 2], activation="tanh", seed=2, backend=backend, optimizer="momentum", **kw)
        net.fit(X, Y, epochs=2, batch_size=2, shuffle=False)
        return net

    default, slow = run(), run(momentum=0.2)
    assert default.optimizer.momentum == 0.9 and slow.optimizer.momentum == 0.2
    obj = DNN([3, 4, 2], activation="tanh", seed=2, backend=backend, optimizer=Momentum(momentum=0.2))
    obj.fit(X, Y, epochs=2, batch_size=2, shuffle=False)
    assert obj.get_params() == slow.get_params() != default.get_params()


def test_two_adam_steps_with_l2_worked_by_hand(backend):
    net = one_weight(backend, Adam(learning_rate=0.1, l2=0.5, beta1=0.5, beta2=0.75, eps=1e-8), w=2.0)
    eps = 1e-8
    net.train([1.0], [0.0])
    # g_w = 2 + 0.5 * 2 = 3, g_b = 2; m = g/2, v = g^2/4; step size 0.1 sqrt(1-.75)/(1-.5) = 0.1
    mw, vw, mb, vb = 1.5, 2.25, 1.0, 1.0
    w = 2.0 - 0.1 * mw / (math.sqrt(vw) + eps)
    b = 0.0 - 0.1 * mb / (math.sqrt(vb) + eps)
    p = net.get_params()
    assert p["weights"][0][0][0] == pytest.approx(w, abs=1e-12)
    assert p["biases"][0][0] == pytest.approx(b, abs=1e-12)
    net.train([1.0], [0.0])
    out = w + b
    gw, gb = out + 0.5 * w, out
    mw, vw = 0.5 * mw + 0.5 * gw, 0.75 * vw + 0.25 * gw * gw
    mb, vb = 0.5 * mb + 0.5 * gb, 0.75 * vb + 0.25 * gb * gb
    lr = 0.1 * math.sqrt(1 - 0.75 ** 2) / (1 - 0.5 ** 2)
    p = net.get_params()
    assert p["weights"][0][0][0] == pytest.approx(w - lr * mw / (math.sqrt(vw) + eps), abs=1e-12)
    assert p["biases"][0][0] == pytest.approx(b - lr * mb / (math.sqrt(vb) + eps), abs=1e-12)
    state = net.optimizer.state()
    assert state["t"] == 2
    (m_w, v_w, m_b, v_b), = state["moments"]
    assert m_w == [[pytest.approx(mw)]] and v_w == [[pytest.approx(vw)]]
    assert m_b == [[pytest.approx(mb)]] and v_b == [[pytest.approx(vb)]]


def test_adam_eps_matters_where_the_gradient_is_tiny(backend):
    net = one_weight(backend, Adam(learning_rate=0.1, eps=1.0), w=0.0)
    net.set_params([[[0.0]]], [[1e-3]])  # out = 1e-3: a tiny gradient on b only
    net.train([1.0], [0.0])
    # m = 0.1 g, v = 0.001 g^2; the corrections are folded into the step size
    # (the paper's efficient form), so eps adds to the uncorrected sqrt(v).
    g = 1e-3
    step = 0.1 * math.sqrt(1 - 0.999) / (1 - 0.9) * (0.1 * g) / (math.sqrt(0.001) * g + 1.0)
    assert net.get_params()["biases"][0][0] == pytest.approx(g - step, rel=1e-12)
    assert step < 1e-5  # eps = 1 damped it: without eps the step would be 0.1


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_l2_shrinks_the_weights_for_every_optimizer(backend, optimizer):
    def norm(l2):
        net = DNN([3, 4, 2], activation="tanh", seed=3, backend=backend, optimizer=optimizer,
                  learning_rate=0.05, l2=l2)
        net.fit(X, Y, epochs=20, batch_size=4, shuffle=False)
        return sum(v * v for layer in net.get_params()["weights"] for row in layer for v in row)

    assert norm(0.5) < 0.9 * norm(0.0)


@pytest.mark.parametrize("name", ["m.json", "m.pkl"])
@pytest.mark.parametrize("optimizer, settings", [
    ("sgd", {"learning_rate": 0.123, "l2": 0.0045}),
    ("momentum", {"learning_rate": 0.0321, "l2": 0.002, "momentum": 0.45}),
    ("adam", {"learning_rate": 0.0077, "l2": 0.003}),
])
def test_a_loaded_model_keeps_its_settings(tmp_path, backend, name, optimizer, settings):
    net = DNN([3, 4, 2], activation="tanh", seed=11, backend=backend, optimizer=optimizer, **settings)
    net.fit(X, Y, epochs=2, batch_size=3)
    net.save(tmp_path / name)
    loaded = tinynet.load(tmp_path / name, backend=backend)
    assert loaded.optimizer.name == optimizer
    assert loaded.learning_rate == settings["learning_rate"]
    for key, value in settings.items():
        assert loaded.optimizer.settings()[key] == value
    for x, y in zip(X, Y):  # and it trains on with them, step for step
        assert loaded.train(x, y) == pytest.approx(net.train(x, y), rel=1e-12)


def test_optimizers_describe_themselves():
    assert repr(SGD(0.5, l2=0.25)) == "SGD(l2=0.25, learning_rate=0.5)"
    assert repr(Momentum(0.5, momentum=0.25)) == "Momentum(l2=0.0, learning_rate=0.5, momentum=0.25)"
    assert SGD().learning_rate == 0.02 and Momentum().learning_rate == 0.01
    assert Adam().settings() == {"learning_rate": 0.001, "l2": 0.0, "beta1": 0.9,
                                 "beta2": 0.999, "eps": 1e-8}
    assert Momentum().momentum == 0.9
    assert SGD().state() == {} and Momentum().state() == {} and Adam().state() == {"t": 0}
    assert type(make_optimizer("momentum", 0.1, 0.0, 0.5)) is Momentum


def test_check_number_bounds():
    assert check_number(0, "x", 0) == 0.0 and type(check_number(1, "x")) is float
    assert check_number(1.0, "x", 0, 1, high_open=False) == 1.0
    with pytest.raises(ValueError, match=r"^x must be a finite number in \(0, inf\), not 0$"):
        check_number(0, "x", 0, low_open=True)
    with pytest.raises(ValueError, match=r"^x must be a finite number in \[0, 1\), not 1$"):
        check_number(1, "x", 0, 1)
    with pytest.raises(ValueError, match=r"^x must be a finite number in \[-inf, 2\], not 3$"):
        check_number(3, "x", None, 2, high_open=False)
    with pytest.raises(ValueError, match=r"^x must be a finite number in \[-inf, inf\), not an int of more than 60 digits$"):
        check_number(10 ** 400, "x")


def test_optimizer_state_is_refused_when_malformed(backend):
    net = DNN([2, 3, 2], seed=0, backend=backend, optimizer="momentum")
    w, b = net.weights, net.biases
    good = [[x.tolist(), y.tolist()] for x, y in zip(w, b)]
    net.optimizer.load_state({"velocities": good}, w, b)
    assert net.optimizer.state() == {"velocities": good}
    with pytest.raises(ValueError, match="^velocities must be a list of 2 layers$"):
        net.optimizer.load_state({"velocities": good[:1]}, w, b)
    with pytest.raises(ValueError, match="^each layer of velocities must hold 2 matrices$"):
        net.optimizer.load_state({"velocities": [good[0][:1], good[1]]}, w, b)
    bad = [[good[0][0][:1], good[0][1]], good[1]]
    with pytest.raises(ValueError, match=r"^velocities\[0\]\[0\] must be 2 rows of 3 numbers, as its parameter is, not a list of 1 items$"):
        net.optimizer.load_state({"velocities": bad}, w, b)
    nan = [[good[0][0], [[math.nan] * 3]], good[1]]
    with pytest.raises(ValueError, match=r"^velocities\[0\]\[1\] holds a non-finite value$"):
        net.optimizer.load_state({"velocities": nan}, w, b)
    with pytest.raises(ValueError, match="^sgd keeps no state, got a, b$"):
        SGD().load_state({"b": 1, "a": 2}, w, b)
    adam = Adam()
    for t in (-1, 1.5, True, 1 << 62):
        with pytest.raises(ValueError, match="^t must be a step count, not "):
            adam.load_state({"t": t}, w, b)
    adam.load_state({"t": (1 << 62) - 1}, w, b)
    assert adam.t == (1 << 62) - 1 and adam.moments is None
    adam.load_state({"t": 0}, w, b)  # an Adam saved before its first step
    assert adam.t == 0
    with pytest.raises(ValueError, match="^each layer of velocities must hold 2 matrices$"):
        net.optimizer.load_state({"velocities": [good[0] + [good[0][1]], good[1]]}, w, b)


def test_adam_refuses_a_negative_second_moment_and_takes_negative_first_ones(backend):
    """Of each layer's four moments (weights' first and second, biases' first
    and second), only the second ones are squares: a negative one is a
    corrupt file, a negative first one is not."""
    net = DNN([2, 3, 2], seed=0, backend=backend, optimizer="adam")
    w, b = net.weights, net.biases
    moments = [[x.tolist(), x.tolist(), y.tolist(), y.tolist()] for x, y in zip(w, b)]
    for k in range(4):
        bad = [[[[abs(v) for v in row] for row in m] for m in four] for four in moments]
        bad[0][k][0][0] = -0.5
        if k % 2:
            with pytest.raises(ValueError, match=r"^moments\[0\]\[%d\] holds a negative value, "
                                                 "but a second moment is never negative$" % k):
                net.optimizer.load_state({"t": 1, "moments": bad}, w, b)
        else:
            net.optimizer.load_state({"t": 1, "moments": bad}, w, b)
            assert net.optimizer.state()["moments"][0][k][0][0] == -0.5


def test_an_optimizer_made_by_name_has_no_l2_unless_given():
    assert make_optimizer("sgd").settings() == {"learning_rate": 0.02, "l2": 0.0}
    assert make_optimizer("adam", 0.5).l2 == 0.0
    assert make_optimizer("momentum", l2=0.25).l2 == 0.25


@needs_numpy
def test_float32_stays_float32_through_images_one_hot_and_optimizer_state(tmp_path):
    from tinynet.datasets import Images

    images = Images(bytes(range(0, 240, 5)) * 2, width=4)  # 24 images of 4 pixels
    labels = [i % 3 for i in range(len(images))]
    for optimizer in ("sgd", "momentum", "adam"):
        net = DNN([4, 5, 3], seed=1, backend="numpy", dtype="float32", optimizer=optimizer)
        data, targets = batching.dataset(net, images, labels)
        Xb = data.take(range(3))
        Yb, got = targets.take(range(3))
        assert (Xb.dtype, Yb.dtype) == ("float32", "float32")
        assert Xb.tolist()[1] == pytest.approx([v / 255 for v in images.pixels[4:8]], rel=1e-6)
        assert Yb.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]] and got == [0, 1, 2]
        onehot = [[1.0 if j == k else 0.0 for j in range(3)] for k in labels]
        net.fit(images, onehot, epochs=2, batch_size=5)
        assert {w.dtype for w in net.weights + net.biases} == {"float32"}
        assert all(w.native().dtype.name == "float32" for w in net.weights + net.biases)
        state = net.optimizer
        for m in [x for pair in (getattr(state, "velocities", None) or []) for x in pair] + \
                [x for four in (getattr(state, "moments", None) or []) for x in four]:
            assert m.dtype == "float32"
        out = net.predict(images)
        assert out.dtype.name == "float32"
        net.save(tmp_path / "m.json")
        loaded = tinynet.load(tmp_path / "m.json", backend="numpy")
        assert loaded.dtype == "float32" and loaded.weights[0].dtype == "float32"
        for m in [x for pair in (getattr(loaded.optimizer, "velocities", None) or []) for x in pair] + \
                [x for four in (getattr(loaded.optimizer, "moments", None) or []) for x in four]:
            assert m.dtype == "float32"
        assert loaded.train(images[:5], labels[:5]) == pytest.approx(net.train(images[:5], labels[:5]))


def test_matrix_sizes_of_optimizer_state_follow_the_parameters(backend):
    net = DNN([3, 4, 2], seed=0, backend=backend, optimizer="adam")
    net.train(X, Y)
    shapes = [[m.shape for m in four] for four in net.optimizer.moments]
    assert shapes == [[(3, 4), (3, 4), (1, 4), (1, 4)], [(4, 2), (4, 2), (1, 2), (1, 2)]]
    assert isinstance(net.optimizer.moments[0][0], Matrix)


def test_optimizer_state_values_must_be_numbers(backend):
    net = DNN([2, 3, 2], seed=0, backend=backend, optimizer="momentum")
    w, b = net.weights, net.biases
    ints = [[[[1, 2, 3], [0, -1, 2]], [[0, 0, 1]]], [[[1, 2]] * 3, [[0, 1]]]]
    net.optimizer.load_state({"velocities": ints}, w, b)  # ints are numbers
    assert net.optimizer.state()["velocities"][0][0] == [[1.0, 2.0, 3.0], [0.0, -1.0, 2.0]]
    for bad in (True, "1", None, 1 << 1000):
        rows = [[[[1.0, 2.0, 3.0], [0.0, bad, 2.0]], [[0.0, 0.0, 1.0]]], ints[1]]
        with pytest.raises(ValueError, match=r"^velocities\[0\]\[0\] row 1 holds something that is not a number$"):
            net.optimizer.load_state({"velocities": rows}, w, b)


def test_settings_go_to_the_optimizer_object_not_to_dnn():
    for kwargs in ({"learning_rate": 0.2}, {"l2": 0.1}, {"momentum": 0.5}):
        with pytest.raises(ValueError, match="^give learning_rate, l2 and momentum to the optimizer object"):
            DNN([2, 2], optimizer=Momentum(0.1), **kwargs)
    assert DNN([2, 2], optimizer=Momentum(0.1), l2=0.0).optimizer.learning_rate == 0.1


# Settings that are not finite numbers or out of range: refused by the constructors and by fit.


BAD_NUMBERS = [math.nan, math.inf, -math.inf, "0.1", None, True, [0.1], 10 ** 400]


@pytest.mark.parametrize("value", BAD_NUMBERS, ids=repr)
@pytest.mark.parametrize("setting,optimizer", [("learning_rate", "sgd"), ("l2", "sgd"),
                                               ("l2", "adam"), ("momentum", "momentum")])
def test_constructors_refuse_settings_that_are_not_finite_numbers(setting, optimizer, value):
    if value is None and setting in ("learning_rate", "momentum"):
        pytest.skip("None asks for the optimizer's default")
    with pytest.raises(ValueError, match=setting) as err:
        DNN([3, 2], optimizer=optimizer, backend="python", **{setting: value})
    assert not isinstance(err.value, (ZeroDivisionError, OverflowError))


@pytest.mark.parametrize("setting,value", [("learning_rate", 0), ("learning_rate", -1),
                                           ("l2", -0.1), ("momentum", 1.0), ("momentum", -0.5)])
def test_constructors_refuse_settings_out_of_range(setting, value):
    with pytest.raises(ValueError, match=setting):
        DNN([3, 2], optimizer="momentum", backend="python", **{setting: value})


@pytest.mark.parametrize("setting", ["learning_rate", "l2", "momentum"])
def test_fit_checks_settings_changed_after_construction(setting):
    net = DNN([3, 2], optimizer="momentum", seed=0, backend="python")
    before = net.get_params()
    setattr(net.optimizer, setting, math.nan)
    with pytest.raises(ValueError, match=setting):
        net.fit(X, Y, epochs=1)
    assert net.get_params() == before  # refused before any step
