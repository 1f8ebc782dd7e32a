"""The backends: every backend defines the same functions and gives the
values worked out by hand here; selection and dtypes; every kernel path on
this interpreter (the fast kernels equal the plain definitions, NumPy's
column skipping and fused momentum equal their formulas); and both backends
give the same numbers for the same seed, data and settings."""

import builtins
import importlib.util
import math
import random
import sys

import pytest

import tinynet
from tinynet import DNN, Matrix
from tinynet.backends import REQUIRED, get_backend, python_backend, python_fast
from tinynet.dnn import EPS, CrossEntropy, ReLU, Sigmoid, Softmax, SquaredError, Tanh

from conftest import EVERY_BACKEND, INSTALLED, batch, needs_numpy, run_python


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


@pytest.mark.parametrize("loops", [False, True])
def test_fast_in_place_updates_equal_the_plain_definitions_bit_for_bit(monkeypatch, loops):
    """add_ (momentum's pass over every weight) gives the plain definition's
    floats exactly: the same operations, in C."""
    monkeypatch.setattr(python_fast, "LOOPS", loops)
    rng = random.Random(3)
    a = [[rng.uniform(-1, 1) for _ in range(6)] for _ in range(4)]
    b = [[rng.uniform(-1, 1) for _ in range(6)] for _ in range(4)]
    row = [b[0]]
    for alpha in (1.0, -0.37, 2):
        for other in (b, row):  # the same shape, and a 1 x n row added to every row
            want = python_backend.add_([r[:] for r in a], other, alpha)
            got = python_fast.add_([r[:] for r in a], other, alpha)
            assert got == want and all(type(v) is float for r in got for v in r)
    target = [r[:] for r in a]
    assert python_fast.add_(target, b, 0.5) is target and python_fast.add_([], [], 0.5) == []


def test_the_fast_kernels_refuse_what_the_definitions_refuse():
    for ops in (python_fast, python_backend):
        for b in ([[1.0, 2.0, 3.0]], [[1.0, 2.0]] * 3, [[1.0]] * 2):  # wider, taller, narrower
            with pytest.raises(ValueError, match="add_: shapes"):
                ops.add_([[0.0, 0.0], [0.0, 0.0]], b)
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
    replaced = {python_fast: {"name", "asarray", "from_bytes", "matmul", "matmul_t", "add_outer_",
                              "add_"}}
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


def M(rows, backend):
    return Matrix.from_list(rows, backend=backend)


def test_the_python_backend_computes_in_float64_only():
    for ok in (None, "float64", "double", float):
        python_backend.check_dtype(ok)
        assert python_fast.asarray([[1]], ok) == [[1.0]]
    with pytest.raises(ValueError, match="^the python backends compute in float64 only, not 'float32'$"):
        python_backend.check_dtype("float32")


@needs_numpy
def test_numpy_products_keep_the_columns_in_use():
    import numpy as np
    from tinynet.backends import numpy_fast as numpy_backend

    runs = numpy_backend._runs
    assert runs(np.array([0, 1, 2, 5, 6])) == [(0, 3), (5, 7)]
    assert runs(np.array([4])) == [(4, 5)] and runs(np.array([], dtype=np.intp)) == []
    assert runs(np.array([1, 3, 4, 5, 9])) == [(1, 2), (3, 6), (9, 10)]

    def kept(row):  # the columns kept of a batch of two rows with these zeros
        a = np.array([row, row], dtype=float)
        found = numpy_backend._kept(a)
        return found.tolist() if isinstance(found, np.ndarray) else found

    assert kept([1, 0, 1]) == slice(None)  # edge columns non-zero: all, unchecked
    assert kept([0, 0, 0, 0]) == slice(0, 0)
    assert kept([0, 1, 1, 0]) == slice(1, 3)  # the span, a view
    # One zero column in a span of 20 (5%) keeps the span; one in 10 (10%,
    # GATHER_SHARE) and more leave them out.
    assert kept([0] + [1] * 9 + [0] + [1] * 10 + [0]) == slice(1, 21)
    assert kept([0] + [1] * 4 + [0] + [1] * 5 + [0]) == [1, 2, 3, 4, 6, 7, 8, 9, 10]
    assert kept([0, 1, 0, 0, 1, 0]) == [1, 4]


@needs_numpy
def test_numpy_momentum_equals_the_formula_with_gaps_across_blocks(monkeypatch):
    import numpy as np
    from tinynet.backends import numpy_fast as numpy_backend

    monkeypatch.setattr(numpy_backend, "BLOCK_BYTES", 3 * 4 * 8)  # blocks of 3 rows
    rng = np.random.default_rng(5)
    zero = np.zeros(30, bool)
    zero[[0, 1, 4, 5, 6, 9, 13, 14, 17, 20, 21, 22, 23, 27, 29]] = True  # runs of 1 to 3
    for decay in (0.0, -0.01):
        w, v = rng.uniform(-1, 1, (30, 4)), rng.uniform(-1, 1, (30, 4))
        a, d = rng.uniform(0.1, 1, (5, 30)) * ~zero, rng.uniform(-1, 1, (5, 4))
        v_want = 0.9 * v - 0.1 * a.T @ d + decay * w
        w_want = w + v_want
        numpy_backend.momentum_(w, v, a, d, -0.1, 0.9, decay)
        assert np.allclose(v, v_want, rtol=0, atol=1e-14)
        assert np.allclose(w, w_want, rtol=0, atol=1e-14)


@needs_numpy
def test_numpy_products_skip_zero_edge_columns_exactly():
    import numpy as np
    from tinynet.backends import numpy_fast as numpy_backend

    rng = np.random.default_rng(3)
    b = rng.uniform(-1, 1, (6, 4))
    for pattern in ([0, 1, 1, 1, 1, 0], [1, 0, 0, 0, 0, 1], [0, 0, 1, 0, 0, 0], [0] * 6, [1] * 6):
        a = rng.uniform(0.1, 1, (3, 6)) * np.array(pattern, dtype=float)
        assert np.allclose(numpy_backend.matmul(a, b), a @ b, rtol=0, atol=1e-12)
        w = rng.uniform(-1, 1, (6, 4))
        d = rng.uniform(-1, 1, (3, 4))
        want = w + 0.5 * a.T @ d
        assert np.allclose(numpy_backend.add_outer_(w, a, d, 0.5), want, rtol=0, atol=1e-12)
        one = a[:1]
        w = rng.uniform(-1, 1, (6, 4))
        want = w - 2.0 * one.T @ d[:1]
        assert np.allclose(numpy_backend.add_outer_(w, one, d[:1], -2.0), want, rtol=0, atol=1e-12)
    assert numpy_backend.from_bytes(b"\x00\xff\x33", 1, 3, None).tolist() == [[0.0, 1.0, 0.2]]


def _kernels_data(seed, batch, density=0.4):
    rng = random.Random(seed)
    a = [[rng.random() if rng.random() < density else 0.0 for _ in range(9)] for _ in range(batch)]
    b = [[rng.uniform(-1, 1) for _ in range(5)] for _ in range(9)]
    d = [[rng.uniform(-1, 1) for _ in range(5)] for _ in range(batch)]
    w = [[rng.uniform(-1, 1) for _ in range(5)] for _ in range(9)]
    return a, b, d, w


def close_rows(x, y):
    return all(abs(p - q) <= 1e-12 for r, s in zip(x, y) for p, q in zip(r, s)) and len(x) == len(y)


@pytest.mark.parametrize("batch", [1, 5, 20])
def test_every_kernel_path_on_this_interpreter(monkeypatch, batch):
    """The 3.12+ dot products and the PyPy loops run here too (with a
    sumprod written in Python where math has none): all equal the plain
    definitions."""
    plain = python_backend
    a, b, d, w = _kernels_data(batch, batch)
    a[0] = [0.0] * 9  # a row of zeros
    want = [plain.matmul(a, b), plain.matmul_t(d, b),
            plain.add_outer_([r[:] for r in w], a, d, -0.3)]
    assert close_rows(python_fast._add_outer_dots([r[:] for r in w], a, d, -0.3), want[2])
    sumprod = lambda x, y: sum(p * q for p, q in zip(x, y))  # noqa: E731
    monkeypatch.setattr(python_fast, "_sumprod", sumprod)
    monkeypatch.setattr(python_fast, "dot", sumprod)
    for loops in (False, True):
        monkeypatch.setattr(python_fast, "LOOPS", loops)
        got = [python_fast.matmul(a, b), python_fast.matmul_t(d, b),
               python_fast.add_outer_([r[:] for r in w], a, d, -0.3)]
        for x, y in zip(got, want):
            assert close_rows(x, y)
    assert python_fast.matmul([], b) == [] and python_fast.shape([]) == (0, 0)


def test_the_kernels_without_itertools_or_operator():
    """MicroPython firmware may have neither module: the fallbacks agree."""
    real_import = builtins.__import__

    def no_helpers(name, *args, **kwargs):
        if name in ("itertools", "operator"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    spec = importlib.util.spec_from_file_location("tinynet.backends.fast_without_helpers", python_fast.__file__)
    module = importlib.util.module_from_spec(spec)
    builtins.__import__ = no_helpers
    try:
        spec.loader.exec_module(module)
    finally:
        builtins.__import__ = real_import
    assert module.compress is not python_fast.compress and module.repeat is not python_fast.repeat
    assert module.compress("abcd", [1, 0, 1, 0]) == ["a", "c"]
    endless = module.repeat(7)
    assert [next(endless) for _ in range(5)] == [7] * 5
    assert module._plus(2, 3) == 5 and module._times(2, 3) == 6
    plain = python_backend
    a, b, d, w = _kernels_data(1, 6)
    assert close_rows(module.matmul(a, b), plain.matmul(a, b))
    assert close_rows(module.add_outer_([r[:] for r in w], a, d, 0.5),
                 plain.add_outer_([r[:] for r in w], a, d, 0.5))
    assert module.dot([1.0, 2.0], [3.0, 4.0]) == 11.0


def test_the_fast_kernels_are_the_ones_in_use():
    assert python_fast.LOOPS is (__import__("sys").implementation.name in ("pypy", "micropython"))
    assert Matrix.from_list([[1.0]], backend="python").ops is python_fast
    assert Matrix.from_list([[1.0]], backend="python-plain").ops is python_backend
    assert python_backend.dot([1.0, 2.0], [3.0, 4.0]) == 11.0
    import math

    if hasattr(math, "sumprod"):  # 3.12+: the dot products run in one C call
        assert python_fast.dot is math.sumprod and python_fast._sumprod is math.sumprod
    else:
        assert python_fast._sumprod is None and python_fast.dot([1.0, 2.0], [3.0, 4.0]) == 11.0


def test_backends_agree_on_the_same_numbers():
    if len(INSTALLED) < 2:
        pytest.skip("one backend installed")
    a, b, d, w = _kernels_data(9, 4, density=0.6)
    results = []
    for backend in INSTALLED:
        A, B, D, W = (M(x, backend) for x in (a, b, d, w))
        results.append([(A @ B).tolist(), D.matmul_t(B).tolist(), W.add_outer_(A, D, 0.25).tolist(),
                        A.sum(axis=0).tolist(), A.max(axis=1).tolist(), (A @ B).softmax().tolist()])
    for x, y in zip(*results):
        assert close_rows(x, y)


def test_the_micropython_floats_helper(monkeypatch):
    """floats() as MicroPython defines it (one allocation at the final size)
    gives what the CPython one gives."""
    import sys
    import types

    spec = importlib.util.spec_from_file_location("tinynet.backends.fast_on_micropython", python_fast.__file__)
    module = importlib.util.module_from_spec(spec)
    fake = dict(vars(sys.implementation), name="micropython")
    monkeypatch.setattr(sys, "implementation", types.SimpleNamespace(**fake))
    spec.loader.exec_module(module)
    monkeypatch.undo()
    assert module._ON_BOARD is True and module.LOOPS is True and python_fast._ON_BOARD is False
    for row in ([1, 2.5, True, -3], (), range(4)):
        got = module._floats(row)
        assert got == python_fast._floats(row) == [float(v) for v in row]
        assert all(type(v) is float for v in got)
    assert module.asarray([[1, 2.5], [True, -3]]) == python_fast.asarray([[1, 2.5], [True, -3]])


def test_kernel_shape_errors_say_what_did_not_fit():
    with pytest.raises(ValueError, match=r"^add_outer_: shapes \(2, 3\) \+= \(4, 2\)\.T @ \(4, 2\) do not fit$"):
        python_fast.add_outer_([[0.0] * 3] * 2, [[1.0, 1.0]] * 4, [[1.0, 1.0]] * 4, 1.0)
    with pytest.raises(ValueError, match=r"^add_outer_: shapes \(2, 2\) \+= \(1, 2\)\.T @ \(2, 2\) do not fit$"):
        python_fast.add_outer_([[0.0] * 2] * 2, [[1.0, 1.0]], [[1.0, 1.0]] * 2, 1.0)
    with pytest.raises(ValueError, match=r"^matmul_t: shapes \(1, 2\) and \(1, 3\)\.T are not aligned$"):
        python_fast.matmul_t([[1.0, 2.0]], [[1.0, 2.0, 3.0]])
    assert python_fast.matmul_t([[1.0, 2.0], [0.0, 1.0]], [[3.0, 4.0]]) == [[11.0], [4.0]]
    assert python_fast.matmul_t([], [[3.0]]) == [] and python_fast.matmul_t([[1.0]], []) == [[]]
    # one inner dimension, and none
    assert python_fast.matmul([[2.0], [0.0]], [[1.0, 3.0]]) == [[2.0, 6.0], [0.0, 0.0]]
    assert python_fast.matmul([[]], []) == [[]]


def test_numpy_available_says_whether_numpy_imports(monkeypatch):
    import sys

    from tinynet import backends

    try:
        import numpy  # noqa: F401
        importable = True
    except ImportError:
        importable = False
    assert backends.numpy_available() is importable
    monkeypatch.setitem(sys.modules, "numpy", None)  # blocked: find_spec raises ValueError
    assert backends.numpy_available() is False


def test_resolve_names_the_backend_and_its_dtype():
    from tinynet.backends import resolve

    assert resolve("python") == ("python", "float64") == resolve("python", float)
    if "numpy" in INSTALLED:
        import numpy as np

        for dtype, name in ((None, "float64"), ("double", "float64"), ("single", "float32"),
                            (np.float32, "float32"), (np.dtype("float64"), "float64")):
            assert resolve("numpy", dtype) == ("numpy", name)


# Same seed, same data, same settings: both backends give the same numbers (to float64 rounding;
# summation order and exp differ in the last bits).


def assert_close(a, b, tol=1e-9):
    if isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_close(x, y, tol)
    else:
        assert math.isclose(a, b, rel_tol=tol, abs_tol=tol), (a, b)


def data(n=40, n_in=12, n_out=3, seed=0):
    rng = random.Random(seed)
    # about half zeros, like an image, so the sparse paths are exercised
    X = [[rng.random() if rng.random() < 0.5 else 0.0 for _ in range(n_in)] for _ in range(n)]
    y = [rng.randrange(n_out) for _ in range(n)]
    return X, y


SETTINGS = [
    dict(),
    dict(activation="sigmoid", output="sigmoid", loss="mse", learning_rate=0.5),
    dict(activation="tanh", output="softmax", loss="mse", optimizer="momentum", l2=0.001),
    dict(activation="relu", optimizer="adam", l2=0.01),
]


def pair(sizes, **kwargs):
    return (DNN(sizes, seed=42, backend="python", **kwargs),
            DNN(sizes, seed=42, backend="numpy", **kwargs))


@needs_numpy
def test_same_seed_gives_identical_initial_weights():
    py, np_ = pair([12, 10, 3])
    assert py.get_params() == np_.get_params()  # bit for bit


@needs_numpy
@pytest.mark.parametrize("kwargs", SETTINGS)
def test_single_sample_training_agrees(kwargs):
    X, y = data()
    py, np_ = pair([12, 10, 8, 3], **kwargs)
    for x, label in zip(X, y):
        assert_close(py.train(x, label), np_.train(x, label))
    assert_close(py.get_params()["weights"], np_.get_params()["weights"])
    assert_close(py.get_params()["biases"], np_.get_params()["biases"])
    assert py.classify(X) == np_.classify(X)
    assert_close([list(r) for r in py.predict(X)], np_.predict(X).tolist())


# Batches of 8 and 32 take different add_outer_ kernels on Python 3.12+.
@needs_numpy
@pytest.mark.parametrize("batch_size", [8, 32])
@pytest.mark.parametrize("kwargs", SETTINGS)
def test_mini_batch_training_agrees(kwargs, batch_size):
    X, y = data(n=80)
    py, np_ = pair([12, 10, 3], **kwargs)
    hp = py.fit(X, y, epochs=5, batch_size=batch_size, validation_data=(X[:10], y[:10]))
    hn = np_.fit(X, y, epochs=5, batch_size=batch_size, validation_data=(X[:10], y[:10]))
    for a, b in zip(hp, hn):
        assert_close(a["loss"], b["loss"])
        assert a["accuracy"] == b["accuracy"] and a["val_accuracy"] == b["val_accuracy"]
    assert_close(py.get_params()["weights"], np_.get_params()["weights"])
    assert py.classify(X) == np_.classify(X)


# The momentum step: numpy_fast's fused kernel gives the same numbers as the plain definition
# (Matrix.momentum_'s passes).



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
            given = (decay,) if decay else ()  # 0.0: the default, no decay
            assert ops.momentum_(w1, v1, a, d, -0.05, 0.9, *given) is w1
            plain_momentum(ops, w2, v2, a, d, -0.05, 0.9, decay)
        assert ops.tolist(w1) == ops.tolist(w2) and ops.tolist(v1) == ops.tolist(v2)
        assert ops.tolist(w1) != ops.tolist(w0)


def test_both_backends_agree():
    pytest.importorskip("numpy")
    results = []
    for backend in ("python", "numpy"):
        w, v = Matrix.from_list(batch(12, 5, 1.0, 1), backend), Matrix.from_list(batch(12, 5, 1.0, 2), backend)
        for step in range(4):
            a = Matrix.from_list(batch(6, 12, 0.5, step, 2), backend)
            d = Matrix.from_list(batch(6, 5, 1.0, 9 + step), backend)
            w.momentum_(v, a, d, -0.1, 0.9, -0.001)
        results.append(w.tolist() + v.tolist())
    for p, q in zip(*results):
        assert all(math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12) for x, y in zip(p, q))


# === Packed models: one sample in the model's own buffers (issue 23) ===


def _packed_model(weights, hidden="relu", output="softmax", sizes=(6, 5, 4, 3), seed=2):
    from tinynet.compact_save import to_bytes

    net = tinynet.DNN(list(sizes), activation=hidden, output=output, seed=seed, backend="python",
                      loss="mse" if output == "linear" else "cross_entropy")
    params = net.get_params()  # biases that are not zero, as a trained model's
    params["biases"] = [[0.25 * (j + 1) * (-1) ** j for j in range(len(b))]
                        for b in params["biases"]]
    net.set_params(**params)
    return tinynet.load(to_bytes(net, weights), backend="python"), net


SAMPLES = [[0.0, 0.5, -1.25, 0.0, 2.0, 0.125], [1e-3, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0] * 6,
           [3.0, -2.0, 1.0, 0.75, -0.5, 0.25],
           [-400.0, 300.0, -250.0, 500.0, -300.0, 350.0]]  # sigmoid's exp near overflow


@pytest.mark.parametrize("weights", ["float32", "int8"])
@pytest.mark.parametrize("hidden,output", [("relu", "softmax"), ("tanh", "sigmoid"),
                                           ("sigmoid", "linear")])
def test_one_sample_in_place_gives_the_general_paths_numbers_bit_for_bit(weights, hidden, output):
    """predict and classify of one sample take the buffers (backends/inplace.py);
    a batch of the same rows takes dnn.forward on Matrices: the same floats."""
    model, _ = _packed_model(weights, hidden, output)
    batch = model.predict(SAMPLES)
    for x, row in zip(SAMPLES, batch):
        assert model.predict(x) == row and model.predict(tuple(x)) == row
        assert model.classify(x) == model.classify([x])[0]
    assert type(model._one_sample).__name__ == "OneSample"  # (it was the path taken)
    for x in SAMPLES:  # scaled on the way in, as the general path scales
        assert model.predict(x, scale=0.5) == model.predict([x], scale=0.5)[0]


def test_the_buffers_are_made_once_and_remade_for_new_weights():
    model, net = _packed_model("int8")
    model.predict(SAMPLES[0])
    one = model._one_sample
    first = one.outs[-1]
    out = model.predict(SAMPLES[3])
    assert model._one_sample is one and one.outs[-1] is first and first == out
    model.set_params(**net.get_params())  # lists now: the general path
    assert model.predict(SAMPLES[0]) == net.predict(SAMPLES[0])


@pytest.mark.parametrize("weights", ["float32", "int8"])
def test_raw_bytes_with_a_scale_are_the_scaled_inputs(weights):
    """8-bit inputs (pixels) with scale=1/255 give what the general path
    gives for the same numbers times 1/255, bit for bit."""
    from array import array

    model, _ = _packed_model(weights, sizes=(6, 8, 3))
    for raw in (bytes([0, 17, 255, 0, 3, 128]), bytes(6), bytes([255] * 6)):
        expected = model.predict([list(raw)], scale=1 / 255)[0]
        for given in (raw, bytearray(raw), array("B", raw), list(raw)):
            if getattr(model, "_one_sample", None) is not None:  # not the numbers before
                model._one_sample.outs[-1][:] = [math.nan] * 3
            assert model.predict(given, scale=1 / 255) == expected
            assert model._one_sample.outs[-1] == expected  # computed in the buffers
            assert model.classify(given, scale=1 / 255) == model.classify([list(raw)],
                                                                          scale=1 / 255)[0]


def test_what_the_buffers_cannot_take_goes_the_general_way():
    model, _ = _packed_model("float32")
    with pytest.raises(ValueError, match="has 5 values; the network's input layer has 6"):
        model.predict([0.0] * 5)
    with pytest.raises(ValueError, match="has 7 values; the network's input layer has 6"):
        model.predict([0.0] * 7)
    with pytest.raises(ValueError, match="x holds a NoneType at column 5; inputs must be finite"):
        model.predict([1.0] * 5 + [None])
    with pytest.raises(ValueError, match="x holds nan at column 0"):
        model.predict([float("nan")] + [0.0] * 5)
    with pytest.warns(UserWarning, match="look like pixels that were not scaled"):
        model.classify([0, 40, 255, 0, 3, 128])
    assert model.predict([SAMPLES[0], SAMPLES[1]]) == [model.predict(SAMPLES[0]),
                                                       model.predict(SAMPLES[1])]


def test_required_names_exactly_what_the_core_asks_of_a_backend():
    """REQUIRED (what every backend must define) is the set of functions
    Matrix and backends.resolve call on a backend module: one left out of it
    would go unchecked, one too many would be dead weight."""
    import ast
    import os

    from tinynet import backends, matrix

    asked = set()
    for module in (matrix, backends):
        with open(os.path.splitext(module.__file__)[0] + ".py") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in ("_binary", "_unary", "_reduction", "_in_place"):
                asked.add(node.args[0].value)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, (ast.Name,
                                                                            ast.Attribute)):
                owner = node.value.attr if isinstance(node.value, ast.Attribute) else node.value.id
                if owner in ("ops", "backend"):
                    asked.add(node.attr)
    assert asked - {"momentum_"} == set(REQUIRED)  # momentum_: an optional fused kernel
    assert len(REQUIRED) == len(set(REQUIRED))


@pytest.mark.parametrize("w_shape, a_rows, d_rows", [
    ((3, 3), 4, 4), ((2, 4), 4, 4), ((1, 3), 4, 4), ((2, 2), 4, 4), ((2, 3), 4, 5), ((2, 3), 5, 4)])
def test_add_outer_refuses_shapes_that_do_not_fit_naming_them(any_backend, w_shape, a_rows,
                                                              d_rows):
    """w += a.T @ d needs w of a's columns by d's columns, and a and d of as
    many rows: a w larger or smaller on either side is refused, unchanged."""
    ops = get_backend(any_backend)
    w = ops.asarray([[0.5] * w_shape[1] for _ in range(w_shape[0])])
    a, d = ops.asarray([[1.0, 2.0]] * a_rows), ops.asarray([[1.0, 0.0, 2.0]] * d_rows)
    with pytest.raises(ValueError, match=r"^add_outer_: shapes \(%d, %d\) \+= \(%d, 2\)\.T @ "
                       r"\(%d, 3\) do not fit$" % (w_shape + (a_rows, d_rows))):
        ops.add_outer_(w, a, d, 1.0)
    assert ops.tolist(w) == [[0.5] * w_shape[1]] * w_shape[0]


def test_ragged_rows_are_refused_by_every_backend(any_backend):
    ops = get_backend(any_backend)
    with pytest.raises(ValueError, match="^(rows must all have the same length|row 1 has 1 "
                                         "values, row 0 has 2)"):
        ops.asarray([[1.0, 2.0], [3.0]])


@needs_numpy
@pytest.mark.parametrize("name", ["numpy", "numpy-plain"])
def test_a_value_numpy_cannot_read_is_not_quoted_whole(name):
    """NumPy's message quotes the value (a row of 5000 bytes): cut short."""
    ops = get_backend(name)
    with pytest.raises(ValueError, match="^rows must all have the same length \\(could not "
                                         "convert string to float: .*\\.\\.\\.\\)$") as caught:
        ops.asarray([[b"\xff" * 5000, 1.0]])
    assert len(str(caught.value)) < 300, str(caught.value)[:300]


@pytest.mark.parametrize("name, module", [("numpy", "numpy_fast"), ("numpy-plain", "numpy_backend")])
def test_a_numpy_backend_without_numpy_says_how_to_install_it(monkeypatch, name, module):
    import tinynet.backends as backends

    monkeypatch.setitem(sys.modules, "numpy", None)  # NumPy not installed
    monkeypatch.delitem(sys.modules, "tinynet.backends." + module, raising=False)
    monkeypatch.delattr(backends, module, raising=False)
    with pytest.raises(ImportError, match=r"^the %s backend needs NumPy, which is not installed: "
                       r"pip install numpy .*or use backend='python'$" % name):
        get_backend(name)


@pytest.mark.skipif(importlib.util.find_spec("numpy") is None, reason="NumPy is not installed")
def test_a_numpy_backend_that_fails_to_import_with_numpy_there_shows_the_real_error(monkeypatch):
    """With NumPy installed, a failure to import the backend is not taken
    for a missing NumPy: its own ImportError goes through."""
    import tinynet.backends as backends

    monkeypatch.setitem(sys.modules, "tinynet.backends.numpy_fast", None)  # a broken install
    monkeypatch.delattr(backends, "numpy_fast", raising=False)
    with pytest.raises(ImportError) as err:
        get_backend("numpy")
    assert "needs NumPy" not in str(err.value) and "numpy_fast" in str(err.value)


@pytest.mark.parametrize("op", ["add", "subtract", "multiply", "divide"])
def test_elementwise_operands_broadcast_as_a_row_or_a_column_only(any_backend, op):
    """b may have a's shape, be a number, a 1 x n row or an m x 1 column of
    a 2 x 3 a; every other shape is refused by every backend, NumPy's wider
    broadcasting (a 1 x 1, a row of a's height, nothing wide) included."""
    ops = get_backend(any_backend)
    a = ops.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    f = {"add": lambda x, y: x + y, "subtract": lambda x, y: x - y,
         "multiply": lambda x, y: x * y, "divide": lambda x, y: x / y}[op]
    for rows, stretched in (([[2.0, 4.0, 8.0]], [[2.0, 4.0, 8.0]] * 2),
                            ([[2.0], [4.0]], [[2.0] * 3, [4.0] * 3])):
        got = ops.tolist(getattr(ops, op)(a, ops.asarray(rows)))
        assert got == [[f(x, y) for x, y in zip(r, s)] for r, s in zip(ops.tolist(a), stretched)]
    for rows in ([[1.0, 2.0]], [[1.0, 2.0, 3.0]] * 3, [[], []], [[1.0]], [[1.0]] * 3,
                 [[1.0, 2.0]] * 2):
        b = ops.asarray(rows)
        with pytest.raises(ValueError, match=r"^%s: shapes \(2, 3\) and \(%d, %d\) do not "
                           r"broadcast$" % (op, len(rows), len(rows[0]))):
            getattr(ops, op)(a, b)


@needs_numpy
def test_fused_momentum_refuses_a_velocity_of_another_shape():
    ops = get_backend("numpy")
    w, v = ops.zeros(3, 2), ops.zeros(2, 3)
    a, d = ops.asarray([[1.0, 2.0, 3.0]]), ops.asarray([[1.0, 1.0]])
    with pytest.raises(ValueError, match=r"^momentum_: velocity \(2, 3\) and weights \(3, 2\) "
                                         r"differ$"):
        ops.momentum_(w, v, a, d, -0.1, 0.9)
    assert ops.tolist(w) == [[0.0, 0.0]] * 3


def test_exp_overflows_to_inf_exactly_past_the_largest_finite_power(any_backend):
    """e**709.782712893384 is the largest finite double power; beyond it every
    backend gives inf (math.exp alone would raise OverflowError)."""
    ops = get_backend(any_backend)
    top = 709.782712893384
    got = ops.tolist(ops.exp(ops.asarray([[top, 709.79, 710.5, 1000.0]])))[0]
    assert got[0] == math.exp(top) < math.inf
    assert got[1:] == [math.inf] * 3


@pytest.mark.parametrize("a", [[[1.0, 2.0, 3.0]], [[1.0]], [[0.0, 0.0, 0.0]] * 2])
def test_matmul_refuses_rows_one_wider_or_narrower_than_the_matrix_is_tall(any_backend, a):
    ops = get_backend(any_backend)
    with pytest.raises(ValueError, match=r"^matmul: shapes \(%d, %d\) and \(2, 2\) are not "
                                         r"aligned$" % (len(a), len(a[0]))):
        ops.matmul(ops.asarray(a), ops.asarray([[1.0, 2.0], [3.0, 4.0]]))


@needs_numpy
@pytest.mark.parametrize("name", ["numpy", "numpy-plain"])
def test_numpy_data_that_is_not_two_dimensional_is_refused(name):
    ops = get_backend(name)
    for rows, n in (([1.0, 2.0], 1), ([[[1.0]]], 3)):
        with pytest.raises(ValueError, match=r"^expected 2-D data, got %d dimension\(s\)$" % n):
            ops.asarray(rows)


def test_a_packed_matrix_refuses_blocks_that_do_not_add_up_to_its_rows():
    from array import array

    from tinynet.backends.packed import Packed

    two = Packed(2, 3, [array("f", [1.0] * 3), array("f", [2.0] * 3)], counts=[1, 1])
    assert two.row_into([1.0, 1.0], [0.0] * 3) == [3.0, 3.0, 3.0]
    with pytest.raises(ValueError, match="^packed 2x3 matrix: 9 values and no scales do not fit$"):
        Packed(2, 3, [array("f", [1.0] * 6), array("f", [2.0] * 3)], counts=[2, 1])


def test_a_uctypes_array_counts_its_floats_by_its_size(monkeypatch):
    """MicroPython: a uctypes array of float32s has no len(); its size in
    bytes / 4 is how many it holds."""
    import types

    from tinynet.backends.packed import _count

    class Floats:  # no __len__
        size = 24

    uctypes = types.ModuleType("uctypes")
    uctypes.sizeof = lambda values: values.size
    monkeypatch.setitem(sys.modules, "uctypes", uctypes)
    assert _count(Floats()) == 6 and _count(b"12345678") == 8


@pytest.mark.parametrize("module", ["python_backend", "inplace"])
def test_on_a_single_precision_port_exp_stops_where_float32_overflows(module):
    """Where floats are float32 (float("1e300") is inf: MicroPython on most
    boards), the sigmoid's exp is cut at ln of the largest float32, not of
    the largest double.  Pretended here: the module's source run with a
    float() that overflows as a float32 does."""
    import math
    import os

    from tinynet import backends

    def float32_float(text):
        value = float(text)
        return math.inf if abs(value) > 3.4028234663852886e38 else value

    path = os.path.join(os.path.dirname(backends.__file__), module + ".py")
    with open(path) as f:
        source = f.read()
    single = {"__name__": "tinynet.backends._single", "__package__": "tinynet.backends",
              "float": float32_float}
    exec(compile(source, path, "exec"), single)
    double = getattr(importlib.import_module("tinynet.backends." + module), "_EXP_MAX")
    assert double == pytest.approx(math.log(sys.float_info.max))
    assert single["_EXP_MAX"] == pytest.approx(math.log(3.4028234663852886e38), abs=1e-5)
