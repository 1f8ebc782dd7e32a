"""The backend contract: every backend defines the same functions, and each
gives the values worked out by hand here."""

import math
import sys

import pytest

import tinynet
from tinynet import Matrix
from tinynet.backends import REQUIRED, get_backend, python_backend, python_fast
from tinynet.dnn import EPS, CrossEntropy, ReLU, Sigmoid, Softmax, SquaredError, Tanh

from conftest import EVERY_BACKEND, INSTALLED, needs_numpy, run_python


def ops_for(name):
    return get_backend(name)


def as_lists(ops, x):
    return ops.tolist(x) if not isinstance(x, float) else x


@pytest.mark.parametrize("name", EVERY_BACKEND)
def test_backend_defines_every_required_function(name):
    ops = ops_for(name)
    missing = [f for f in REQUIRED if not hasattr(ops, f)]
    assert missing == []
    assert ops.name == name


def close(a, b, tol=1e-12):
    if isinstance(a, (int, float)):
        return math.isclose(a, b, rel_tol=tol, abs_tol=tol)
    return len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))


A = [[1.0, 2.0], [3.0, 4.0]]
B = [[0.5, -1.0, 2.0], [1.5, 0.0, -2.0]]
ROW = [[10.0, 20.0]]


def test_products(any_backend):
    ops = get_backend(any_backend)
    a, b = ops.asarray(A), ops.asarray(B)
    # [1 2] . columns of B: 1*0.5 + 2*1.5 = 3.5, -1, 2 - 4 = -2
    assert ops.tolist(ops.matmul(a, b)) == [[3.5, -1.0, -2.0], [7.5, -3.0, -2.0]]
    assert ops.tolist(ops.matmul_t(a, a)) == [[5.0, 11.0], [11.0, 25.0]]
    assert ops.tolist(ops.transpose(b)) == [[0.5, 1.5], [-1.0, 0.0], [2.0, -2.0]]
    with pytest.raises(ValueError, match="not aligned"):
        ops.matmul(b, b)
    with pytest.raises(ValueError, match="not aligned"):
        ops.matmul_t(a, b)


def test_matmul_skips_zeros_without_changing_the_result(any_backend):
    ops = get_backend(any_backend)
    sparse = [[0.0] * 7 + [2.0] + [0.0] * 12]          # 1 non-zero in 20
    dense = [[float(i * 3 + j) for j in range(3)] for i in range(20)]
    assert ops.tolist(ops.matmul(ops.asarray(sparse), ops.asarray(dense))) == [[42.0, 44.0, 46.0]]
    zero = [[0.0] * 20]
    assert ops.tolist(ops.matmul(ops.asarray(zero), ops.asarray(dense))) == [[0.0, 0.0, 0.0]]


def test_add_outer_matches_the_dense_product(any_backend):
    ops = get_backend(any_backend)
    a = [[0.0, 2.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 3.0, 0.0]]
    d = [[1.0, -1.0], [0.5, 2.0]]
    for rows in (a[:1], a):  # one sparse sample (the fused path) and a batch
        w = ops.zeros(5, 2)
        deltas = d[:len(rows)]
        ops.add_outer_(w, ops.asarray(rows), ops.asarray(deltas), 0.5)
        expected = [[0.5 * sum(r[k] * e[j] for r, e in zip(rows, deltas)) for j in range(2)]
                    for k in range(5)]
        assert ops.tolist(w) == expected
    with pytest.raises(ValueError, match="do not fit"):
        ops.add_outer_(ops.zeros(4, 2), ops.asarray(a), ops.asarray(d), 1.0)


def test_products_skip_columns_that_are_zero_in_every_row(backend):
    # A batch whose first and last columns are all zeros, as a batch of MNIST
    # images is down its border pixels.  Both backends skip those zeros, so
    # the infs in the rows of b they would meet never make a 0 * inf = nan,
    # and the weight update leaves those rows as they were.
    ops = get_backend(backend)
    inf = math.inf
    a = [[0.0, 1.0, 0.0, 2.0, 0.0], [0.0, 0.0, 3.0, 0.0, 0.0]]
    b = [[inf, inf, inf]] + [[float(3 * i + j) for j in range(3)] for i in range(1, 4)] \
        + [[-inf, 1.0, 2.0]]
    assert ops.tolist(ops.matmul(ops.asarray(a), ops.asarray(b))) == [
        [3.0 + 2 * 9.0, 4.0 + 2 * 10.0, 5.0 + 2 * 11.0], [18.0, 21.0, 24.0]]
    d = [[1.0, 0.0, -1.0], [4.0, 2.0, 2.0]]
    w = ops.asarray(b)
    ops.add_outer_(w, ops.asarray(a), ops.asarray(d), 0.5)
    assert ops.tolist(w) == [b[0], [3.5, 4.0, 4.5], [12.0, 10.0, 11.0], [10.0, 10.0, 10.0], b[4]]
    zero = ops.zeros(2, 5)
    assert ops.tolist(ops.matmul(zero, ops.asarray(b))) == [[0.0] * 3] * 2
    ops.add_outer_(w, zero, ops.asarray(d), 0.5)
    assert ops.tolist(w) == [b[0], [3.5, 4.0, 4.5], [12.0, 10.0, 11.0], [10.0, 10.0, 10.0], b[4]]


def test_products_skip_inner_columns_that_are_zero_in_every_row(backend):
    # Columns 0, 4 and 8 are zero in both rows, as the pixels at the ends of
    # each row of pixels are in a batch of MNIST images: the rows of b that
    # they meet (inf and nan here) take no part, inside the span too.
    ops = get_backend(backend)
    inf, nan = math.inf, math.nan
    a = [[0.0, 1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0],
         [0.0, 0.0, 3.0, 4.0, 0.0, 0.0, 5.0, 6.0, 0.0]]
    b = [[inf, 1.0], [1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [nan, -inf], [7.0, 8.0], [9.0, 10.0],
         [11.0, 12.0], [-inf, inf]]
    assert ops.tolist(ops.matmul(ops.asarray(a), ops.asarray(b))) == [[15.0, 18.0], [140.0, 158.0]]
    w = ops.asarray(b)
    ops.add_outer_(w, ops.asarray(a), ops.asarray([[1.0, 2.0], [0.5, 0.0]]), 2.0)
    got = ops.tolist(w)
    assert got[1:4] + got[5:8] == [[3.0, 6.0], [6.0, 4.0], [9.0, 6.0], [11.0, 16.0], [14.0, 10.0],
                                   [17.0, 12.0]]
    assert got[0] == b[0] and got[8] == b[8] and math.isnan(got[4][0]) and got[4][1] == -inf


def test_elementwise_with_broadcasting(any_backend):
    ops = get_backend(any_backend)
    a, row = ops.asarray(A), ops.asarray(ROW)
    assert ops.tolist(ops.add(a, row)) == [[11.0, 22.0], [13.0, 24.0]]
    assert ops.tolist(ops.subtract(a, 1.0)) == [[0.0, 1.0], [2.0, 3.0]]
    assert ops.tolist(ops.multiply(a, a)) == [[1.0, 4.0], [9.0, 16.0]]
    assert ops.tolist(ops.divide(a, 2.0)) == [[0.5, 1.0], [1.5, 2.0]]
    assert ops.tolist(ops.subtract(1.0, a)) == [[0.0, -1.0], [-2.0, -3.0]]  # a scalar first
    assert ops.tolist(ops.divide(a, ops.asarray([[2.0], [4.0]]))) == [[0.5, 1.0], [0.75, 1.0]]
    assert ops.tolist(ops.maximum(a, 2.5)) == [[2.5, 2.5], [3.0, 4.0]]
    assert ops.tolist(ops.greater(a, 2.0)) == [[0.0, 0.0], [1.0, 1.0]]
    assert ops.tolist(ops.sqrt(ops.asarray([[4.0, 0.25]]))) == [[2.0, 0.5]]
    assert close(ops.tolist(ops.exp(a))[1], [math.exp(3.0), math.exp(4.0)])
    assert close(ops.tolist(ops.log(a))[0], [0.0, math.log(2.0)])
    assert close(ops.tolist(ops.tanh(a))[0], [math.tanh(1.0), math.tanh(2.0)])
    for bad in (ops.asarray(B), ops.asarray([[1.0, 2.0, 3.0]]), ops.asarray([[1.0], [2.0], [3.0]])):
        with pytest.raises(ValueError, match="do not broadcast"):
            ops.add(a, bad)
    # nan stays nan through maximum, as the loss's clipping relies on
    assert math.isnan(ops.tolist(ops.maximum(ops.asarray([[math.nan]]), 0.0))[0][0])


def test_reductions(any_backend):
    ops = get_backend(any_backend)
    a = ops.asarray(A)
    assert ops.reduce_sum(a) == 10.0 and isinstance(ops.reduce_sum(a), float)
    assert ops.tolist(ops.reduce_sum(a, 0)) == [[4.0, 6.0]]
    assert ops.tolist(ops.reduce_sum(a, 1)) == [[3.0], [7.0]]
    assert ops.reduce_max(a) == 4.0
    assert ops.tolist(ops.reduce_max(a, 0)) == [[3.0, 4.0]]
    assert ops.argmax(ops.asarray([[0.1, 0.7, 0.7], [0.9, 0.0, 0.1]])) == [1, 0]  # first on ties
    assert ops.all_finite(a)
    assert not ops.all_finite(ops.asarray([[1.0, math.inf]]))
    assert not ops.all_finite(ops.asarray([[math.nan, 1.0]]))


def test_activations_at_hand_values(any_backend):
    z = Matrix.from_list([[0.0, 2.0, -2.0]], backend=any_backend)
    s = 1 / (1 + math.exp(-2.0))
    assert close(Sigmoid().forward(z).tolist()[0], [0.5, s, 1 - s])
    assert close(Tanh().forward(z).tolist()[0], [0.0, math.tanh(2.0), -math.tanh(2.0)])
    assert ReLU().forward(z).tolist() == [[0.0, 2.0, 0.0]]
    e = [1.0, math.exp(2.0), math.exp(-2.0)]
    assert close(Softmax().forward(z).tolist()[0], [v / sum(e) for v in e])
    a = Matrix.from_list([[0.25, 0.5, 0.0]], backend=any_backend)
    d = Matrix.from_list([[2.0, 2.0, 2.0]], backend=any_backend)
    assert close(Sigmoid().backward(a, d).tolist()[0], [2 * 0.25 * 0.75, 0.5, 0.0])
    assert close(Tanh().backward(a, d).tolist()[0], [2 * (1 - 0.0625), 1.5, 2.0])
    assert ReLU().backward(a, d).tolist() == [[2.0, 2.0, 0.0]]
    assert ReLU().derivative(a).tolist() == [[1.0, 1.0, 0.0]]
    # softmax Jacobian applied to d: a * (d - <d, a>) = a * (2 - 1.5)
    assert close(Softmax().backward(a, d).tolist()[0], [0.125, 0.25, 0.0])


def test_activations_never_overflow(any_backend):
    z = Matrix.from_list([[1000.0, -1000.0, 1e308, -1e308]], backend=any_backend)
    with z.quiet():
        assert Sigmoid().forward(z).tolist() == [[1.0, 0.0, 1.0, 0.0]]
        assert close(Softmax().forward(z).tolist()[0], [0.0, 0.0, 1.0, 0.0])
    ops = get_backend(any_backend)
    assert ops.tolist(ops.exp(ops.asarray([[1000.0, -1000.0, 709.0]]))) == [
        [math.inf, 0.0, math.exp(709.0)]]
    assert ops.tolist(ops.log(ops.asarray([[0.0, 1.0]]))) == [[-math.inf, 0.0]]
    assert math.isnan(ops.tolist(ops.log(ops.asarray([[-1.0]])))[0][0])


def test_losses_at_hand_values(any_backend):
    a = Matrix.from_list([[0.25, 0.75]], backend=any_backend)
    y = Matrix.from_list([[0.0, 1.0]], backend=any_backend)
    assert close(SquaredError().value(a, y, Softmax()), 0.5 * (0.0625 + 0.0625))
    assert close(CrossEntropy().value(a, y, Softmax()), -math.log(0.75))
    assert close(CrossEntropy().value(a, y, Sigmoid()), -2 * math.log(0.75))
    # log(0) is never taken: probabilities are clipped at EPS
    zero = Matrix.from_list([[1.0, 0.0]], backend=any_backend)
    assert close(CrossEntropy().value(zero, y, Softmax()), -math.log(EPS))
    assert math.isfinite(CrossEntropy().value(zero, y, Sigmoid()))


def test_in_place_updates(any_backend):
    ops = get_backend(any_backend)
    a = ops.asarray(A)
    assert ops.add_(a, ops.asarray(A), 0.5) is a
    assert ops.tolist(a) == [[1.5, 3.0], [4.5, 6.0]]
    assert ops.tolist(ops.scale_(a, 2.0)) == [[3.0, 6.0], [9.0, 12.0]]
    assert ops.tolist(ops.add_(a, ops.asarray([[1.0, -1.0]]))) == [[4.0, 5.0], [10.0, 11.0]]
    with pytest.raises(ValueError, match="do not broadcast"):
        ops.add_(a, ops.asarray([[1.0], [2.0]]))


def test_conversions(any_backend):
    ops = get_backend(any_backend)
    assert ops.tolist(ops.from_bytes(bytes([0, 255, 51, 102]), 2, 2)) == [[0.0, 1.0], [0.2, 0.4]]
    assert ops.tolist(ops.copy(ops.asarray(A))) == A
    assert ops.tolist(ops.take(ops.asarray(A), [1, 1, 0])) == [A[1], A[1], A[0]]
    assert ops.tolist(ops.vstack([ops.asarray(A), ops.asarray(ROW)])) == A + ROW
    assert tuple(ops.shape(ops.zeros(2, 3))) == (2, 3)
    with pytest.raises(ValueError):
        ops.asarray([[1.0, 2.0], [3.0]])
    # from_bytes reads the first m x n bytes, and refuses fewer on every backend
    assert ops.tolist(ops.from_bytes(bytes([0, 255, 51, 102, 7]), 1, 3)) == [[0.0, 1.0, 0.2]]
    with pytest.raises(ValueError):
        ops.from_bytes(bytes([1, 2, 3]), 2, 2)


def test_python_backends_are_float64_only():
    for ops in (python_backend, python_fast):
        with pytest.raises(ValueError, match="float64 only"):
            ops.check_dtype("float32")
        with pytest.raises(ValueError, match="float64 only"):
            ops.asarray([[1.0]], "float32")


@needs_numpy
def test_numpy_backend_keeps_float32():
    ops = get_backend("numpy")
    a = ops.asarray(A, "float32")
    for result in (ops.matmul(a, a), ops.exp(a), ops.softmax(a), ops.add(a, 1.0),
                   ops.greater(a, 1.0), ops.maximum(a, 0.0)):
        assert result.dtype.name == "float32"
    with pytest.raises(ValueError, match="float64"):
        ops.check_dtype("int8")


# === Selecting a backend ===


def test_unknown_backend_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown backend 'torch'; expected one of: numpy, python, "
                       "numpy-plain, python-plain$"):
        get_backend("torch")
    with pytest.raises(ValueError, match="unknown backend"):
        tinynet.set_backend("jax")


def test_selection_order(monkeypatch):
    monkeypatch.setenv("TINYNET_BACKEND", "python")
    assert get_backend().name == "python"
    try:
        tinynet.set_backend("python")
        monkeypatch.setenv("TINYNET_BACKEND", "numpy")
        assert get_backend().name == "python"  # set_backend beats the variable
        assert tinynet.DNN([2, 2]).backend == "python"
    finally:
        tinynet.set_backend(None)
    monkeypatch.setenv("TINYNET_BACKEND", "bogus")
    with pytest.raises(ValueError, match="unknown backend 'bogus'"):
        get_backend()
    assert get_backend("python").name == "python"  # an argument beats everything


def test_auto_selection_prefers_numpy_when_installed(monkeypatch):
    monkeypatch.delenv("TINYNET_BACKEND", raising=False)
    expected = "numpy" if "numpy" in INSTALLED else "python"
    assert get_backend().name == expected


def test_import_never_imports_numpy_with_the_python_backend():
    code = (
        "import sys, tinynet\n"
        "net = tinynet.DNN([4, 3, 2], seed=0)\n"
        "net.train([0.0, 0.5, 1.0, 0.0], 1)\n"
        "net.fit([[0.0, 1.0, 0.0, 1.0]] * 4, [0, 1, 0, 1], epochs=2, batch_size=2)\n"
        "print(net.backend, net.classify([1.0, 0.0, 0.0, 0.0]) in (0, 1))\n"
        "print('numpy' in sys.modules)\n"
    )
    result = run_python(code, env={"TINYNET_BACKEND": "python"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["python", "True", "False"]


def test_asking_for_numpy_without_it_says_how_to_install():
    # Block NumPy in a fresh interpreter, whether or not it is installed.
    code = (
        "import sys; sys.modules['numpy'] = None\n"
        "import tinynet\n"
        "print(tinynet.DNN([2, 2]).backend)\n"
        "try:\n"
        "    tinynet.DNN([2, 2], backend='numpy')\n"
        "except ImportError as e:\n"
        "    print('ImportError:', e)\n"
    )
    result = run_python(code, env={"TINYNET_BACKEND": ""})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "python"  # auto-selection falls back silently
    # what works: NumPy itself, or tinynet's extra from a clone; never a bare
    # "tinynet" name, which on PyPI is an unrelated project
    assert "pip install numpy" in lines[1] and "pip install '.[numpy]'" in lines[1]
    assert "tinynet[" not in lines[1]


@pytest.mark.parametrize("density", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("batch", [1, 6, 40])
def test_fast_kernels_equal_the_plain_definitions(monkeypatch, density, batch):
    """python_fast replaces python_backend's matmul, matmul_t and add_outer_;
    every kernel (C idioms, PyPy's loops, 3.12+'s dot products over the
    batch) must agree with the plain definitions, whichever interpreter runs
    this."""
    import random

    rng = random.Random(batch)
    # Inputs of exactly 1.0 too (a white MNIST pixel), which a kernel must
    # not mistake for the zeros it skips.
    a = [[rng.choice((rng.random(), 1.0)) if rng.random() < density else 0.0
          for _ in range(20)] for _ in range(batch)]
    b = [[rng.uniform(-1, 1) for _ in range(7)] for _ in range(20)]
    d = [[rng.uniform(-1, 1) for _ in range(7)] for _ in range(batch)]
    w0 = [[rng.uniform(-1, 1) for _ in range(7)] for _ in range(20)]
    plain = python_backend
    want_product = plain.matmul(a, b)
    want_back = plain.matmul_t(d, [row[:] for row in b])
    want_update = plain.add_outer_([row[:] for row in w0], a, d, -0.1)
    for loops in (False, True):
        monkeypatch.setattr(python_fast, "LOOPS", loops)
        got = [python_fast.matmul(a, b), python_fast.matmul_t(d, b),
               python_fast.add_outer_([row[:] for row in w0], a, d, -0.1)]
        for x, y in zip(got, [want_product, want_back, want_update]):
            assert len(x) == len(y)
            assert all(close(r, s) for r, s in zip(x, y))
    if python_fast._sumprod is not None:  # the 3.12+ kernel, whatever the batch
        got = python_fast._add_outer_dots([row[:] for row in w0], a, d, -0.1)
        assert all(close(r, s) for r, s in zip(got, want_update))


def test_the_fast_kernels_refuse_what_the_definitions_refuse():
    for ops in (python_fast, python_backend):
        with pytest.raises(ValueError, match="matmul: shapes"):
            ops.matmul([[1.0, 2.0]], [[1.0, 2.0]])
        with pytest.raises(ValueError, match=r"^matmul_t: shapes \(1, 2\) and "):
            ops.matmul_t([[1.0, 2.0]], [[1.0, 2.0, 3.0]])
        with pytest.raises(ValueError, match="add_outer_: shapes"):
            ops.add_outer_([[0.0]], [[1.0, 2.0]], [[1.0]], 1.0)


def test_each_fast_backend_replaces_only_what_it_must():
    """Everything a fast module does not replace is its plain module's own
    function: the plain code is the code that runs."""
    pairs = [(python_fast, python_backend)]
    if "numpy" in INSTALLED:
        from tinynet.backends import numpy_backend, numpy_fast

        pairs.append((numpy_fast, numpy_backend))
    replaced = {python_fast: {"name", "asarray", "from_bytes", "matmul", "matmul_t", "add_outer_"}}
    for fast, plain in pairs:
        own = {f for f in REQUIRED if getattr(fast, f) is not getattr(plain, f)}
        assert own == replaced.get(fast, {"name", "matmul", "add_outer_"})
        assert fast.__name__.endswith("_fast") and plain.name == fast.name + "-plain"


@pytest.mark.parametrize("stand_in", [None, "module without a spec"])
def test_numpy_blocked_or_replaced_is_not_available(monkeypatch, stand_in):
    import types

    from tinynet.backends import numpy_available

    # None blocks the import; a bare module makes find_spec raise ValueError
    monkeypatch.setitem(sys.modules, "numpy", stand_in and types.ModuleType("numpy"))
    assert numpy_available() is False
