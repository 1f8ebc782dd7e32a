"""The momentum step: numpy_fast's fused kernel gives the same numbers as
the plain definition (Matrix.momentum_'s passes), and every backend's step
equals one taken from DNN.gradients."""

import math
import random

import pytest

from tinynet import DNN, Matrix
from tinynet.backends import get_backend

from conftest import INSTALLED, needs_numpy


def batch(rows, cols, density, seed, edge_zeros=0, every=0):
    """Random rows; the first and last ``edge_zeros`` columns, and every
    ``every``-th one, zero in every row (as pixels at an image's border, and
    at the ends of its rows of pixels, are in a batch of MNIST images)."""
    rng = random.Random(seed)
    out = [[rng.uniform(-1, 1) if rng.random() < density else 0.0 for _ in range(cols)]
           for _ in range(rows)]
    for row in out:
        row[:edge_zeros] = [0.0] * edge_zeros
        if edge_zeros:
            row[-edge_zeros:] = [0.0] * edge_zeros
        if every:
            row[::every] = [0.0] * len(row[::every])
    return out


def plain_momentum(ops, w, v, a, d, alpha, mu, decay):
    """The definition: four separate in-place operations."""
    ops.scale_(v, mu)
    ops.add_outer_(v, a, d, alpha)
    if decay:
        ops.add_(v, w, decay)
    return ops.add_(w, v)


CASES = [  # rows of a, its columns (w's rows), w's columns, density, edge zeros, every
    (8, 20, 6, 0.5, 3, 0),
    (8, 20, 6, 1.0, 0, 0),
    (1, 30, 5, 0.2, 0, 0),  # one mostly-zero sample: the sparse-row path
    (1, 30, 5, 0.9, 0, 0),
    (5, 12, 4, 0.0, 0, 0),  # all zero: the gradient adds nothing
    (3, 9, 300, 0.7, 2, 0),  # wide rows: a block is a row or two
    (6, 40, 5, 1.0, 2, 3),  # a zero column in three: runs of two rows, across blocks
    (6, 40, 5, 1.0, 1, 13),  # a few zero columns inside: the span, zeros and all
]


@needs_numpy
@pytest.mark.parametrize("decay", [0.0, -1e-3])
@pytest.mark.parametrize("case", CASES)
def test_fused_momentum_equals_its_definition_bit_for_bit(case, decay, monkeypatch):
    ops = get_backend("numpy")
    n, n_in, n_out, density, edges, every = case
    # small blocks, so blocks cut through the gradient's rows
    monkeypatch.setattr(ops, "BLOCK_BYTES", 3 * n_out * 8)
    for dtype in (None, "float32"):
        w0 = ops.asarray(batch(n_in, n_out, 1.0, 1), dtype)
        v0 = ops.asarray(batch(n_in, n_out, 1.0, 2), dtype)
        w1, v1, w2, v2 = (ops.copy(x) for x in (w0, v0, w0, v0))
        for step in range(3):
            a = ops.asarray(batch(n, n_in, density, 10 + step, edges, every), dtype)
            d = ops.asarray(batch(n, n_out, 1.0, 20 + step), dtype)
            assert ops.momentum_(w1, v1, a, d, -0.05, 0.9, decay) is w1
            plain_momentum(ops, w2, v2, a, d, -0.05, 0.9, decay)
        assert ops.tolist(w1) == ops.tolist(w2) and ops.tolist(v1) == ops.tolist(v2)
        assert ops.tolist(w1) != ops.tolist(w0)


def test_momentum_refuses_shapes_that_do_not_fit(any_backend):
    def zeros(m, n):
        return Matrix.zeros(m, n, any_backend)

    w, v = zeros(4, 3), zeros(4, 3)
    with pytest.raises(ValueError, match="shapes"):
        w.momentum_(v, zeros(2, 5), zeros(2, 3), 0.1, 0.9)
    with pytest.raises(ValueError, match="velocity|shapes"):
        w.momentum_(zeros(3, 4), zeros(2, 4), zeros(2, 3), 0.1, 0.9)


def test_both_backends_agree():
    pytest.importorskip("numpy")
    results = []
    for backend in ("python", "numpy"):
        ops = get_backend(backend)
        w, v = Matrix.from_list(batch(12, 5, 1.0, 1), backend), Matrix.from_list(batch(12, 5, 1.0, 2), backend)
        for step in range(4):
            a = Matrix.from_list(batch(6, 12, 0.5, step, 2), backend)
            d = Matrix.from_list(batch(6, 5, 1.0, 9 + step), backend)
            w.momentum_(v, a, d, -0.1, 0.9, -0.001)
        results.append(w.tolist() + v.tolist())
    for p, q in zip(*results):
        assert all(math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12) for x, y in zip(p, q))


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


def test_matrix_momentum_without_decay_is_plain_momentum(any_backend):
    backend = any_backend
    # velocity = mu * velocity + alpha * a.T @ d, then w += velocity: worked by hand
    w = Matrix.from_list([[1.0, 2.0]], backend)
    v = Matrix.from_list([[0.5, -0.5]], backend)
    a, d = Matrix.from_list([[2.0]], backend), Matrix.from_list([[1.0, 3.0]], backend)
    assert w.momentum_(v, a, d, 0.1, 0.9) is w
    assert v.tolist()[0] == pytest.approx([0.65, 0.15], abs=1e-15)
    assert w.tolist()[0] == pytest.approx([1.65, 2.15], abs=1e-15)
