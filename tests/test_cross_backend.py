"""Same seed, same data, same settings: both backends give the same numbers
(to float64 rounding; summation order and exp differ in the last bits)."""

import math
import random

import pytest

from tinynet import DNN

pytest.importorskip("numpy")


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


def test_same_seed_gives_identical_initial_weights():
    py, np_ = pair([12, 10, 3])
    assert py.get_params() == np_.get_params()  # bit for bit


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
