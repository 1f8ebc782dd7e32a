"""Matrix, operation by operation, on every installed backend (issue 12, the
tests' own strength: reflected operators, exp, max, zeros, repr ...)."""

import math

import pytest

from tinynet import Matrix

from conftest import INSTALLED


def M(rows, backend):
    return Matrix.from_list(rows, backend=backend)


def test_every_operator_and_its_reflection(backend):
    m = M([[1.0, -2.0], [0.5, 4.0]], backend)
    assert (m + 1).tolist() == (1 + m).tolist() == [[2.0, -1.0], [1.5, 5.0]]
    assert (m - 1).tolist() == [[0.0, -3.0], [-0.5, 3.0]]
    assert (1 - m).tolist() == [[0.0, 3.0], [0.5, -3.0]]
    assert (3 - m).tolist() == [[2.0, 5.0], [2.5, -1.0]]
    assert (m * 2).tolist() == (2 * m).tolist() == [[2.0, -4.0], [1.0, 8.0]]
    assert (m / 2).tolist() == [[0.5, -1.0], [0.25, 2.0]]
    assert (-m).tolist() == [[-1.0, 2.0], [-0.5, -4.0]]
    assert (m + m).tolist() == (2 * m).tolist() and (m - m).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert (m * m).tolist() == [[1.0, 4.0], [0.25, 16.0]]
    assert (m / m).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    row = M([[10.0, 20.0]], backend)  # a 1 x n row broadcasts over the rows
    assert (m + row).tolist() == [[11.0, 18.0], [10.5, 24.0]]
    assert m.tolist() == [[1.0, -2.0], [0.5, 4.0]]  # none of it changed m


def test_operators_refuse_what_is_not_a_number_or_matrix(backend):
    m = M([[1.0]], backend)
    for bad in ("1", None, [1.0]):
        with pytest.raises(TypeError, match="^expected a Matrix or a number, not %s$"
                           % type(bad).__name__):
            m + bad
        with pytest.raises(TypeError):
            bad - m
        with pytest.raises(TypeError):
            m * bad
    with pytest.raises(TypeError):
        m @ 2.0
    with pytest.raises(TypeError):
        2.0 @ m


def test_backends_do_not_mix():
    if len(INSTALLED) < 2:
        pytest.skip("one backend installed")
    a, b = M([[1.0]], "python"), M([[1.0]], "numpy")
    with pytest.raises(ValueError, match="^cannot mix backends 'python' and 'numpy'$"):
        a + b
    with pytest.raises(ValueError, match="^cannot mix backends 'numpy' and 'python'$"):
        b @ a


def test_products(backend):
    a = M([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], backend)
    b = M([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]], backend)
    assert (a @ b).tolist() == [[5.0, 2.0, 0.0], [11.0, 4.0, -1.0], [17.0, 6.0, -2.0]]
    assert a.matmul_t(b.T).tolist() == (a @ b).tolist()
    assert a.T.tolist() == [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]] and a.T.shape == (2, 3)


def test_elementwise_functions_against_math(backend):
    xs = [[-2.0, 0.0, 0.5], [1.0, 3.0, -0.25]]
    m = M(xs, backend)
    checks = {
        "exp": (math.exp, ()),
        "tanh": (math.tanh, ()),
        "maximum": (lambda x: max(x, 0.0), (0.0,)),
        "greater": (lambda x: float(x > 0.5), (0.5,)),
    }
    for name, (f, args) in checks.items():
        got = getattr(m, name)(*args).tolist()
        assert got == [[pytest.approx(f(x), rel=1e-12, abs=1e-300) for x in r] for r in xs], name
    positive = M([[1.0, math.e, 0.5]], backend)
    assert positive.log().tolist() == [[0.0, pytest.approx(1.0), pytest.approx(math.log(0.5))]]
    assert positive.sqrt().tolist() == [[1.0, pytest.approx(math.sqrt(math.e)), math.sqrt(0.5)]]
    s = m.softmax().tolist()
    for r, x in zip(s, xs):
        total = sum(math.exp(v) for v in x)
        assert r == [pytest.approx(math.exp(v) / total) for v in x]


def test_reductions(backend):
    m = M([[1.0, -7.0, 3.0], [4.0, 2.0, -6.0]], backend)
    assert m.sum() == -3.0 and isinstance(m.sum(), float)
    assert m.sum(axis=0).tolist() == [[5.0, -5.0, -3.0]]
    assert m.sum(axis=1).tolist() == [[-3.0], [0.0]]
    assert m.max() == 4.0 and isinstance(m.max(), float)
    assert m.max(axis=0).tolist() == [[4.0, 2.0, 3.0]]
    assert m.max(axis=1).tolist() == [[3.0], [4.0]]
    negative = M([[-3.0, -1.0], [-2.0, -5.0]], backend)  # a max that starts from 0 fails here
    assert negative.max() == -1.0 and negative.max(axis=1).tolist() == [[-1.0], [-2.0]]
    assert negative.max(axis=0).tolist() == [[-2.0, -1.0]]
    assert m.argmax() == [2, 0] and negative.argmax() == [1, 0]
    assert m.all_finite() and not M([[1.0, math.inf]], backend).all_finite()
    assert not M([[math.nan, 1.0]], backend).all_finite()


def test_construction_and_description(backend):
    z = Matrix.zeros(2, 3, backend=backend)
    assert z.tolist() == [[0.0] * 3] * 2 and z.shape == (2, 3) and len(z) == 2
    assert z.backend == backend and z.dtype == "float64"
    assert repr(z) == "Matrix(2x3, backend=%r)" % backend
    like = M([[1.0, 2.0]], backend).zeros_like()
    assert like.tolist() == [[0.0, 0.0]] and like.backend == backend
    assert Matrix.from_bytes(b"\x00\xff\x33\x66", 2, 2, backend=backend).tolist() == \
        [[0.0, 1.0], [0.2, 0.4]]
    m = M([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], backend)
    assert m.take([2, 0]).tolist() == [[5.0, 6.0], [1.0, 2.0]]
    assert Matrix.vstack([m.take([1]), m.take([0])]).tolist() == [[3.0, 4.0], [1.0, 2.0]]
    c = m.copy()
    c.scale_(0.0)
    assert m.tolist()[0] == [1.0, 2.0] and c.tolist()[0] == [0.0, 0.0]
    native = m.native()
    assert (native.tolist() if hasattr(native, "tolist") else native) == m.tolist()


def test_in_place_updates(backend):
    m = M([[1.0, 2.0]], backend)
    assert m.add_(M([[1.0, 1.0]], backend), -0.5) is m and m.tolist() == [[0.5, 1.5]]
    assert m.add_(M([[1.0, 1.0]], backend)).tolist() == [[1.5, 2.5]]  # alpha defaults to 1
    assert m.scale_(2.0) is m and m.tolist() == [[3.0, 5.0]]
    w = Matrix.zeros(2, 2, backend=backend)
    a = M([[1.0, 0.0], [2.0, 3.0]], backend)
    d = M([[1.0, -1.0], [0.5, 2.0]], backend)
    w.add_outer_(a, d, 0.5)  # 0.5 * a.T @ d
    assert w.tolist() == [[1.0, 1.5], [0.75, 3.0]]


def test_shape_errors_say_what_did_not_fit(backend):
    a, b = M([[1.0, 2.0], [3.0, 4.0]], backend), M([[1.0, 2.0, 3.0]], backend)
    with pytest.raises(ValueError, match=r"^add: shapes \(2, 2\) and \(1, 3\) do not broadcast$"):
        a + b
    with pytest.raises(ValueError, match=r"^multiply: shapes \(2, 2\) and \(1, 3\) do not broadcast$"):
        a * b
    with pytest.raises(ValueError, match=r"^subtract: shapes \(2, 2\) and \(1, 3\) do not broadcast$"):
        a - b
    with pytest.raises(ValueError, match=r"^divide: shapes \(2, 2\) and \(1, 3\) do not broadcast$"):
        a / b
    with pytest.raises(ValueError, match=r"^matmul: shapes \(2, 2\) and \(1, 3\) are not aligned$"):
        a @ b
    with pytest.raises(ValueError, match=r"^matmul_t: shapes \(2, 2\) and \(1, 3\)\.T are not aligned$"):
        a.matmul_t(b)
    with pytest.raises(ValueError, match=r"^add_: shapes \(2, 2\) and \(1, 3\) do not broadcast$"):
        a.add_(b)


def test_add_with_a_factor_of_two_and_of_one(backend):
    a = M([[1.0, 2.0]], backend)
    a.add_(M([[1.0, 1.0]], backend), 2.0)
    assert a.tolist() == [[3.0, 4.0]]
    a.add_(M([[1.0, 1.0]], backend), 1.0)
    assert a.tolist() == [[4.0, 5.0]]
    rows = M([[0.0, 0.0], [1.0, 1.0]], backend)
    rows.add_(M([[1.0, 2.0]], backend), 2.0)  # a row broadcast over both
    assert rows.tolist() == [[2.0, 4.0], [3.0, 5.0]]


def test_reflected_subtraction_is_not_negated_subtraction(backend):
    m = Matrix.from_list([[1.0, 0.25]], backend=backend)
    assert (1 - m).tolist() == [[0.0, 0.75]]
    assert (m - 1).tolist() == [[0.0, -0.75]]
    assert (2 * m + 1).tolist() == [[3.0, 1.5]]
    assert (m * 2 - 1 + m / 4).tolist() == [[1.25, -0.4375]]


def test_momentum_refuses_shapes_that_do_not_fit(any_backend):
    def zeros(m, n):
        return Matrix.zeros(m, n, any_backend)

    w, v = zeros(4, 3), zeros(4, 3)
    with pytest.raises(ValueError, match="shapes"):
        w.momentum_(v, zeros(2, 5), zeros(2, 3), 0.1, 0.9)
    with pytest.raises(ValueError, match="velocity|shapes"):
        w.momentum_(zeros(3, 4), zeros(2, 4), zeros(2, 3), 0.1, 0.9)


def test_matrix_momentum_without_decay_is_plain_momentum(any_backend):
    backend = any_backend
    # velocity = mu * velocity + alpha * a.T @ d, then w += velocity: worked by hand
    w = Matrix.from_list([[1.0, 2.0]], backend)
    v = Matrix.from_list([[0.5, -0.5]], backend)
    a, d = Matrix.from_list([[2.0]], backend), Matrix.from_list([[1.0, 3.0]], backend)
    assert w.momentum_(v, a, d, 0.1, 0.9) is w
    assert v.tolist()[0] == pytest.approx([0.65, 0.15], abs=1e-15)
    assert w.tolist()[0] == pytest.approx([1.65, 2.15], abs=1e-15)
