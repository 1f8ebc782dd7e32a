"""The small modules, checked against independent values (issue 12, the tests'
own strength): the MicroPython generator, the clock, the gradient check's
report."""

import time

import pytest

from tinynet import DNN, gradient_check, rng
from tinynet.gradcheck import GradientCheck

# SplitMix64 seeded with 0: the first outputs of the reference C implementation.
REFERENCE = [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_splitmix64_matches_the_reference_outputs():
    g = rng.SplitMix64(0)
    assert [g.random() for _ in REFERENCE] == [(z >> 11) / 2.0 ** 53 for z in REFERENCE]
    assert rng.SplitMix64(-1).state == 2 ** 64 - 1 and rng.SplitMix64(2 ** 64 + 3).state == 3
    values = [rng.SplitMix64(s).random() for s in range(200)]
    assert all(0.0 <= v < 1.0 for v in values) and len(set(values)) == 200


def test_splitmix64_shuffles_by_fisher_yates():
    # i = 2: j = int(0.883 * 3) = 2, no swap; i = 1: j = int(0.431 * 2) = 0, swap.
    items = [0, 1, 2]
    rng.SplitMix64(0).shuffle(items)
    assert items == [1, 0, 2]
    many = list(range(50))
    rng.SplitMix64(7).shuffle(many)
    assert sorted(many) == list(range(50)) and many != list(range(50))
    again = list(range(50))
    rng.SplitMix64(7).shuffle(again)
    assert again == many
    first = []
    for seed in range(40):  # every position can move: the first item ends anywhere
        order = list(range(4))
        rng.SplitMix64(seed).shuffle(order)
        first.append(order[0])
    assert set(first) == {0, 1, 2, 3}


def test_make_rng_without_random_uses_splitmix64(monkeypatch):
    monkeypatch.setattr(rng, "Random", None)
    g = rng.make_rng(0)
    assert isinstance(g, rng.SplitMix64) and g.random() == (REFERENCE[0] >> 11) / 2.0 ** 53
    monkeypatch.setattr(rng, "clock", lambda: 1.5)
    assert rng.make_rng(None).state == 1500000
    net = DNN([2, 3, 2], seed=0, backend="python")  # a model on MicroPython's generator
    assert net.get_params() == DNN([2, 3, 2], seed=0, backend="python").get_params()


def test_make_rng_refuses_what_is_not_a_seed():
    for bad in ("1", 1.0, True, [1]):
        with pytest.raises(TypeError, match="^seed must be an int or None, not %s$"
                           % __import__("re").escape(repr(bad))):
            rng.make_rng(bad)
    assert rng.make_rng(3).random() == rng.make_rng(3).random()


def test_clock_is_the_performance_counter():
    before = time.perf_counter()
    now = rng.clock()
    assert before <= now <= time.perf_counter()


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
