"""The backends' own checks and every kernel path, whatever this interpreter
is (issue 12, the tests' own strength)."""

import builtins
import importlib.util
import random

import pytest

from tinynet import Matrix
from tinynet.backends import python_backend, python_fast

from conftest import INSTALLED, needs_numpy


def M(rows, backend):
    return Matrix.from_list(rows, backend=backend)


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


def close(x, y):
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
    assert close(python_fast._add_outer_dots([r[:] for r in w], a, d, -0.3), want[2])
    sumprod = lambda x, y: sum(p * q for p, q in zip(x, y))  # noqa: E731
    monkeypatch.setattr(python_fast, "_sumprod", sumprod)
    monkeypatch.setattr(python_fast, "dot", sumprod)
    for loops in (False, True):
        monkeypatch.setattr(python_fast, "LOOPS", loops)
        got = [python_fast.matmul(a, b), python_fast.matmul_t(d, b),
               python_fast.add_outer_([r[:] for r in w], a, d, -0.3)]
        for x, y in zip(got, want):
            assert close(x, y)
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
    assert close(module.matmul(a, b), plain.matmul(a, b))
    assert close(module.add_outer_([r[:] for r in w], a, d, 0.5),
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
        assert close(x, y)


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
