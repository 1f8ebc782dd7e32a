"""Hardening, careless input to the API and the command line: every mistake is
a clear error naming what is wrong, raised before any work is wasted, never
a ZeroDivisionError, a silent default or a traceback."""

import math

import pytest

from tinynet import DNN, Matrix, TinynetError

from conftest import needs_numpy
from hardening_util import cli, one_line_error, run_bounded

X = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.25], [0.3, 0.3, 0.3], [0.9, 0.1, 0.0]]
Y = [0, 1, 1, 0]

BAD_NUMBERS = [math.nan, math.inf, -math.inf, "0.1", None, True, [0.1], 10 ** 400]


# === Optimizer settings ===


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


def test_a_schedule_giving_nan_is_refused():
    net = DNN([3, 2], seed=0, backend="python")
    with pytest.raises(ValueError, match="schedule"):
        net.fit(X, Y, epochs=1, schedule=lambda done: math.nan)
    assert net.learning_rate == 0.02  # restored


# === Empty data ===


@pytest.mark.parametrize("call", ["fit", "evaluate"])
def test_empty_data_is_a_clear_error(call, backend):
    net = DNN([3, 2], seed=0, backend=backend)
    with pytest.raises(TinynetError, match="empty"):
        getattr(net, call)([], [])


def test_images_of_size_zero_are_refused(tmp_path):
    from tinynet.datasets import Images, load_csv

    with pytest.raises(ValueError, match="rows of 0"):
        Images(bytearray(), 0)
    (tmp_path / "one.csv").write_text("1\n")
    with pytest.raises(ValueError, match="pixels must be an int >= 1"):
        load_csv(tmp_path / "one.csv", pixels=0)


# === Non-finite numbers ===


@pytest.mark.parametrize("bad", [math.nan, math.inf, "7"], ids=repr)
@pytest.mark.parametrize("call", ["fit", "evaluate", "predict", "train"])
def test_a_bad_input_value_is_named_by_its_row(backend, call, bad):
    rows = [list(r) for r in X]
    rows[2][1] = bad
    net = DNN([3, 2], seed=0, backend=backend)
    before = net.get_params()
    args = {"fit": (rows, Y), "evaluate": (rows, Y), "predict": (rows,), "train": (rows, Y)}
    with pytest.raises(ValueError, match="row 2 of X") as err:
        getattr(net, call)(*args[call])
    assert "learning_rate" not in str(err.value)
    assert net.get_params() == before


@needs_numpy
def test_a_nan_in_a_numpy_array_is_named_by_its_row():
    import numpy as np

    A = np.array(X * 3000)
    A[9001, 2] = np.nan
    with pytest.raises(ValueError, match="row 9001 of X"):
        DNN([3, 2], seed=0, backend="numpy").fit(A, Y * 3000)


def test_huge_but_finite_inputs_are_not_mistaken_for_infinity():
    net = DNN([2, 2], output="linear", loss="mse", seed=0, backend="python")
    net.predict([[1e308, 1e308]])  # their sum overflows; each is finite


@pytest.mark.parametrize("target", [[math.nan, 1.0], [math.inf, 0.0]], ids=repr)
def test_a_non_finite_target_is_named_by_its_row(target):
    net = DNN([3, 2], output="sigmoid", loss="mse", seed=0, backend="python")
    y = [[0.0, 1.0]] * 4
    y[3] = target
    with pytest.raises(ValueError, match="row 3 of y"):
        net.fit(X, y)


def test_a_step_that_leaves_weights_non_finite_stops_training(backend):
    # One batch, one step: the loss of that batch is finite, the weights after it are not.
    net = DNN([3, 2], output="linear", loss="mse", learning_rate=1e308, seed=0, backend=backend)
    with pytest.raises(TinynetError, match="nan or inf") as err:
        net.fit([[1e3, 1e3, 1e3]] * 4, [[1e3, -1e3]] * 4, epochs=1, batch_size=4)
    assert "learning_rate" in str(err.value)


# === Overflow inside the network ===
# Huge but finite weights overflow in the products.  Every backend computes on
# quietly to inf or nan (no NumPy RuntimeWarning: setup.cfg makes warnings
# errors here), and training stops with the TinynetError about the loss.

OVERFLOWING = [("relu", "softmax", "cross_entropy"), ("relu", "linear", "mse"),
               ("tanh", "linear", "mse")]


def _huge(backend, activation, output, loss, optimizer="sgd"):
    net = DNN([3, 4, 2], activation=activation, output=output, loss=loss, optimizer=optimizer,
              l2=0.1, seed=0, backend=backend)  # l2: the objective squares the weights
    params = net.get_params()
    weights = [[[1e300 * (-1) ** (r + c) for c in range(len(row))] for r, row in enumerate(w)]
               for w in params["weights"]]
    net.set_params(weights, params["biases"])
    return net


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("activation,output,loss", OVERFLOWING)
def test_overflow_in_training_is_the_loss_error_on_every_backend(backend, activation, output,
                                                                 loss, optimizer):
    net = _huge(backend, activation, output, loss, optimizer)
    before = net.get_params()
    with pytest.raises(TinynetError, match=r"^loss became nan/inf; try a smaller learning_rate"):
        net.train(X[0], Y[0])
    assert net.get_params() == before  # stopped before the step
    with pytest.raises(TinynetError, match=r"^loss became nan/inf.*\(epoch 1, batch 1\)$"):
        net.fit(X, Y, epochs=1, batch_size=2)
    assert net.get_params() == before
    with pytest.raises(TinynetError, match=r"^loss became nan/inf"):
        net.gradients(Matrix.from_list(X, backend), Matrix.from_list([[1.0, 0.0]] * 4, backend))


@needs_numpy
@pytest.mark.parametrize("activation,output,loss", OVERFLOWING)
def test_overflow_in_prediction_gives_the_same_inf_and_nan_on_both_backends(activation, output,
                                                                              loss):
    seen = []
    for backend in ("python", "numpy"):
        net = _huge(backend, activation, output, loss)
        objective = net.objective(Matrix.from_list(X, backend),
                                  Matrix.from_list([[1.0, 0.0]] * 4, backend))
        seen.append(([str(float(v)) for v in net.predict(X[0])],
                     [[str(float(v)) for v in row] for row in net.predict(X)],
                     net.classify(X), str(net.evaluate(X, Y)["loss"]), str(objective)))
    assert seen[0] == seen[1]
    assert seen[0][3] in ("nan", "inf")  # it did overflow: the loss is not finite


# === Targets that are not what the loss assumes ===


@pytest.mark.parametrize("row", [[0.5, 0.2], [2.0, -1.0], [0.0, 0.0]], ids=repr)
def test_softmax_cross_entropy_refuses_targets_that_are_not_distributions(backend, row):
    net = DNN([3, 2], seed=0, backend=backend)
    y = [[1.0, 0.0]] * 4
    y[1] = row
    with pytest.raises(ValueError, match="target row 1"):
        net.fit(X, y)
    with pytest.raises(ValueError, match="target row 1"):
        net.evaluate(X, y)
    net.fit(X, [[0.25, 0.75]] * 4)  # a soft target that is a distribution is fine
    DNN([3, 2], output="sigmoid", loss="mse", backend=backend).fit(X, [row] * 4)  # mse: any


# === Absurd sizes ===


def test_an_absurd_network_is_refused_at_once_with_the_figure():
    result = run_bounded(
        "from tinynet import DNN, TinynetError\n"
        "for sizes in ([784, 10**9, 10], [10**6, 10**6], [2] + [10**5] * 3 + [2]):\n"
        "    try:\n        DNN(sizes)\n    except TinynetError as err:\n        print(err)\n",
        timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all("would need at least" in line for line in lines)
    assert "795,000,000,010 weights" in lines[0] and "TiB" in lines[0]


# === The command line ===


def test_epochs_zero_is_honoured(tmp_path):
    out = tmp_path / "m.pkl"
    result = cli("train", "sample", "--epochs", "0", "--layers", "784,4,10", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "epoch 1" not in result.stdout
    import tinynet

    assert tinynet.load(out).get_params() == DNN([784, 4, 10], seed=0).get_params()


@pytest.mark.parametrize("option,value", [("--batch-size", "0"), ("--epochs", "-1"),
                                          ("--learning-rate", "nan"), ("--learning-rate", "0"),
                                          ("--l2", "inf"), ("--l2", "-1")])
def test_bad_numbers_on_the_command_line_exit_2_in_one_line(tmp_path, option, value):
    result = cli("train", "sample", option, value, "--out", tmp_path / "m.pkl")
    one_line_error(result, option)
    assert result.returncode == 2


def test_absurd_layers_on_the_command_line_are_one_line(tmp_path):
    result = cli("train", "sample", "--layers", "784,1000000000,10", "--out", tmp_path / "m.pkl")
    assert "would need at least" in one_line_error(result)
    assert result.returncode == 1
