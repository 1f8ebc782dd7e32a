"""fit and evaluate as Keras users reach for them: the History, the Scores,
verbose and the progress bar, validation_split, callbacks and early stopping;
every argument refused before any weight changes; regression with one number
per sample; what fit reports, the seed and the default batch size; training
that overflows or diverges stops with the loss error."""

import io
import json
import math
import pickle
import random
import sys
import time

import pytest

from conftest import needs_numpy
import tinynet
from tinynet import DNN, Matrix, TinynetError, rng
from tinynet.callbacks import EarlyStopping
from tinynet.cli.progress import Progress, TrainingProgress
from tinynet.results import History, Scores


def blobs(n=60, classes=3, width=4, seed=0):
    """``n`` samples of ``classes`` separable clusters in 0..1."""
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        c = i % classes
        X.append([min(1.0, max(0.0, (c + 1) / (classes + 1) + rng.uniform(-0.1, 0.1)))
                  for _ in range(width)])
        y.append(c)
    return X, y


def state(model):
    """Everything a training call may change: parameters, optimizer state
    (to_dict holds both) and the generator that shuffles and drops out."""
    return model.to_dict(), model._rng.getstate()


def trained(backend, optimizer="momentum", **kw):
    X, y = blobs()
    model = DNN([4, 5, 3], optimizer=optimizer, seed=0, backend=backend, **kw)
    model.fit(X, y, epochs=1, batch_size=8)  # so that the optimizer has state to keep
    return model


# --- History and Scores ---


def test_history_is_the_list_of_records_it_was_and_keras_history_too(backend):
    X, y = blobs()
    model = DNN([4, 5, 3], seed=0, backend=backend)
    history = model.fit(X, y, epochs=3, batch_size=8, validation_data=(X[:9], y[:9]))
    assert isinstance(history, list) and len(history) == 3
    assert [r["epoch"] for r in history] == [1, 2, 3] == history.epoch
    assert history == [dict(r) for r in history] and list(history) == history[:]
    assert history[-1] is history[2] and history[0]["loss"] == history.history["loss"][0]
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"}
    assert history.history["val_accuracy"] == [r["val_accuracy"] for r in history]
    assert history.params == {"epochs": 3, "batch_size": 8, "steps": 8}
    assert json.loads(json.dumps(history)) == [dict(r) for r in history]
    assert pickle.loads(pickle.dumps(history)) == history
    assert History().history == {} and History().epoch == []


def test_evaluate_is_a_dict_that_unpacks_as_loss_and_accuracy(backend):
    X, y = blobs()
    model = trained(backend)
    scores = model.evaluate(X, y)
    loss, accuracy = scores
    assert (loss, accuracy) == (scores["loss"], scores["accuracy"])
    assert isinstance(scores, dict) and scores == {"loss": loss, "accuracy": accuracy}
    assert dict(scores) == {"loss": loss, "accuracy": accuracy} == {**scores}
    assert sorted(scores.keys()) == ["accuracy", "loss"] and len(scores) == 2
    assert json.loads(json.dumps(scores)) == {"loss": loss, "accuracy": accuracy}
    assert 0 <= accuracy <= 1 and loss > 0


def test_scores_put_the_loss_first_whatever_the_order_made():
    scores = Scores(accuracy=0.5, loss=2.0)
    assert list(scores) == [2.0, 0.5] and list(Scores(loss=1.0)) == [1.0]


# --- regression: one number per sample, and no accuracy anywhere ---


def line(n=40, seed=1):
    rng = random.Random(seed)
    X = [[rng.random(), rng.random()] for _ in range(n)]
    return X, [0.3 * a - 0.5 * b + 0.1 for a, b in X]


def test_a_regression_fits_and_evaluates_with_one_number_per_sample(backend, capsys):
    X, y = line()
    model = DNN([2, 8, 1], output="linear", loss="mse", optimizer="adam", learning_rate=0.03,
                seed=0, backend=backend)
    first = model.evaluate(X, y)["loss"]
    history = model.fit(X, y, epochs=30, batch_size=8, validation_split=0.25, verbose=2)
    scores = model.evaluate(X, y)
    assert list(scores) == [scores["loss"]] and scores["loss"] < first / 100
    (loss,) = scores
    with pytest.raises(ValueError, match="not enough values to unpack"):
        loss, accuracy = scores
    assert set(history.history) == {"loss", "val_loss", "seconds"}
    assert all("accuracy" not in r for r in history)
    out = capsys.readouterr().out
    assert out.count("\n") == 30 and "accuracy" not in out and "val loss" in out
    assert abs(model.predict([0.5, 0.5])[0] - (0.15 - 0.25 + 0.1)) < 0.1


# --- verbose ---


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_verbose_0_prints_nothing_and_2_a_line_per_epoch(backend, capsys):
    X, y = blobs()
    DNN([4, 5, 3], seed=0, backend=backend).fit(X, y, epochs=2)
    assert capsys.readouterr() == ("", "")
    DNN([4, 5, 3], seed=0, backend=backend).fit(X, y, epochs=3, verbose=2,
                                                validation_data=(X, y))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3  loss ")
    assert "  accuracy " in lines[0] and "  val loss " in lines[0] and "  val accuracy " in lines[0]


def test_verbose_1_draws_a_bar_on_a_terminal_and_lines_elsewhere(monkeypatch, capsys):
    X, y = blobs()
    DNN([4, 5, 3], seed=0, backend="python").fit(X, y, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "\r" not in out and len(out.splitlines()) == 2
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    DNN([4, 5, 3], seed=0, backend="python").fit(X, y, epochs=2, verbose=1)
    text = terminal.getvalue()
    assert text.count("\n") == 2 and "\r" in text and "batch/s" in text
    DNN([4, 5, 3], seed=0, backend="python").fit(X, y, epochs=1, verbose="auto")
    assert terminal.getvalue().count("\n") == 3


# --- validation_split ---


def test_evaluate_and_predict_take_kerass_verbose(backend, capsys):
    """``evaluate(X, y, verbose=2)`` and ``predict(X, verbose=0)``, as
    Keras's tutorials write them: evaluate prints its scores on one line
    when asked (no accuracy for a regression), predict prints nothing, and
    both refuse a verbose Keras would not take, before any work."""
    X, y = blobs()
    model = trained(backend)
    quiet = model.evaluate(X, y)
    assert capsys.readouterr() == ("", "")
    for verbose in (1, 2, "auto", True):
        assert model.evaluate(X, y, verbose=verbose) == quiet
        assert capsys.readouterr().out == "loss %.4f  accuracy %.2f%%\n" % (
            quiet["loss"], 100 * quiet["accuracy"])
    assert model.evaluate(X, y, verbose=0) == quiet and capsys.readouterr() == ("", "")
    for verbose in (0, 1, 2, "auto"):
        assert [list(r) for r in model.predict(X[:3], verbose=verbose)] == \
            [list(r) for r in model.predict(X[:3])]
    assert list(model.predict(X[0], verbose=1)) == list(model.predict(X[0]))
    assert capsys.readouterr() == ("", "")
    Xr, yr = line()
    regression = DNN([2, 3, 1], output="linear", loss="mse", seed=0, backend=backend)
    regression.evaluate(Xr, yr, verbose=2)
    assert capsys.readouterr().out == "loss %.4f\n" % regression.evaluate(Xr, yr)["loss"]
    before = state(model)
    for verbose in (3, -1, "yes", None, 1.0):
        with pytest.raises(ValueError, match=r"^verbose must be 0 \(silent\), 1 or 2 \(the "
                                             r"scores on a line\), not "):
            model.evaluate(X, y, verbose=verbose)
        with pytest.raises(ValueError, match=r"^verbose must be 0, 1, 2 or 'auto' \(predict "
                                             r"prints nothing either way\), not "):
            model.predict(X, verbose=verbose)
    assert state(model) == before and capsys.readouterr() == ("", "")


def test_validation_split_holds_out_the_last_fraction(backend):
    X, y = blobs(40)
    a = DNN([4, 5, 3], seed=3, backend=backend)
    b = DNN([4, 5, 3], seed=3, backend=backend)
    split = a.fit(X, y, epochs=2, batch_size=4, validation_split=0.25)
    given = b.fit(X[:30], y[:30], epochs=2, batch_size=4, validation_data=(X[30:], y[30:]))
    for r, s in zip(split, given):
        r.pop("seconds"), s.pop("seconds")
    assert split == given and a.get_params() == b.get_params()
    assert split.params["steps"] == 8


# --- every argument refused before anything changes ---


def bad_fit_calls(X, y):
    wide = [row + [0.5] for row in X]
    return [
        (dict(validation_data=(wide[:5], y[:5])), ValueError, "validation_data: row 0 of X has 5"),
        (dict(validation_data=(X[:5], [0, 1, 2, 3, 0])), ValueError,
         "validation_data: label 3 at index 3 is not a class in 0..2"),
        (dict(validation_data=(X[:5], y[:4])), ValueError, "validation_data: X has 5 rows but y"),
        (dict(validation_data=(X[:5], y[:5], None)), TypeError, "must be a pair"),
        (dict(validation_data=X), TypeError, "must be a pair"),
        (dict(validation_data=([], [])), ValueError, "validation_data needs at least one"),
        (dict(callback=5), TypeError, r"^callback must be a function of one argument \(it gets "
         r"a dict after every batch and every epoch\), not 5$"),
        (dict(callback="print"), TypeError, "callback must be a function"),
        (dict(callbacks=[print, 5]), TypeError, r"callbacks\[1\] is 5"),
        (dict(callbacks=print), TypeError, "callbacks must be a list"),
        (dict(epochs=-1), ValueError, "epochs must be an int >= 0"),
        (dict(epochs=2.0), ValueError, "epochs must be an int"),
        (dict(batch_size=0), ValueError, "batch_size must be an int >= 1"),
        (dict(batch_size=True), ValueError, "batch_size must be an int >= 1"),
        (dict(schedule="warm"), ValueError, "unknown schedule 'warm'"),
        (dict(schedule=lambda done: -1.0), ValueError, "the schedule gave -1.0 at 0"),
        (dict(shuffle="yes"), TypeError, "shuffle must be True or False"),
        (dict(shuffle=None), TypeError, "shuffle must be True or False"),
        (dict(verbose=3), ValueError, "verbose must be 0"),
        (dict(verbose="2"), ValueError, "verbose must be 0"),
        (dict(verbose=1.0), ValueError, "verbose must be 0"),
        (dict(validation_split=1.0), ValueError, r"validation_split must be a finite number in"),
        (dict(validation_split=-0.1), ValueError, "validation_split must be"),
        (dict(validation_split="0.1"), ValueError, "validation_split must be"),
        (dict(validation_split=1e-17), ValueError, "leaves no sample to validate on"),
        (dict(validation_split=0.999), ValueError, "leaves no sample to train on"),
        (dict(validation_split=0.2, validation_data=(X, y)), ValueError,
         "^give validation_data or validation_split, not both$"),
        (dict(early_stopping="yes"), TypeError, "early_stopping must be"),
        (dict(early_stopping=-1), ValueError, "patience must be an int >= 0"),
        (dict(early_stopping=3), ValueError, "monitors 'val_loss', which this fit does not "
         "report: it reports loss, accuracy \\(give validation_data or validation_split"),
        (dict(callbacks=[EarlyStopping(monitor="val_acc")], validation_split=0.2), ValueError,
         "monitors 'val_acc'.*reports loss, accuracy, val_loss, val_accuracy$"),
    ]


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_a_refused_fit_changes_nothing(backend, optimizer):
    X, y = blobs()
    model = trained(backend, optimizer)
    calls = []
    for kwargs, error, message in bad_fit_calls(X, y):
        before = state(model)
        settings = dict(epochs=2, batch_size=8, callbacks=[calls.append])
        settings.update(kwargs)
        with pytest.raises(error, match=message):
            model.fit(X, y, **settings)
        assert state(model) == before, kwargs
    assert calls == [] and model.learning_rate == model.optimizer.settings()["learning_rate"]


def test_a_refused_train_or_set_params_changes_nothing(backend):
    model = trained(backend)
    before = state(model)
    params = model.get_params()
    for x, y in (([0.1, 0.2, 0.3], 0), ([0.1, 0.2, 0.3, 0.4], 3), ([0.1, 0.2, 0.3, math.nan], 0),
                 ([[0.1] * 4, [0.2] * 4], [0])):
        with pytest.raises(ValueError):
            model.train(x, y)
        assert state(model) == before
    bad = model.get_params()
    bad["weights"][1][4][2] = math.inf
    with pytest.raises(ValueError, match=r"weights\[1\] row 4 holds a non-finite value"):
        model.set_params(bad["weights"], bad["biases"])
    with pytest.raises(ValueError, match=r"biases\[0\] must be 5 numbers"):
        model.set_params(params["weights"], [[0.0] * 4, [0.0] * 3])
    assert state(model) == before


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_a_refused_optimizer_state_changes_nothing(backend, optimizer):
    model = trained(backend, optimizer)
    saved = model.optimizer.state()
    before = state(model)
    key = "velocities" if optimizer == "momentum" else "moments"
    bad = json.loads(json.dumps(saved))
    bad[key][1][0][2][0] = math.nan  # the last layer's first matrix, row 2
    with pytest.raises(ValueError, match="holds a non-finite value"):
        model.optimizer.load_state(bad, model.weights, model.biases)
    bad = json.loads(json.dumps(saved))
    bad[key] = bad[key][:1]
    with pytest.raises(ValueError, match="must be a list of 2 layers"):
        model.optimizer.load_state(bad, model.weights, model.biases)
    if optimizer == "adam":
        with pytest.raises(ValueError, match="t must be a step count"):
            model.optimizer.load_state(dict(saved, t=-1), model.weights, model.biases)
    assert state(model) == before


# --- callbacks and early stopping ---


def test_callback_and_callbacks_get_every_event_and_keras_objects_their_methods(backend):
    X, y = blobs()
    seen, calls = [], []

    class KerasLike:
        def set_model(self, model):
            calls.append(("set_model", model))

        def on_train_begin(self, logs=None):
            calls.append(("begin",))

        def on_epoch_end(self, epoch, logs=None):
            calls.append(("epoch", epoch, logs["epoch"], sorted(logs)))
            if epoch == 1:
                model.stop_training = True  # Keras's way to stop

        def on_train_end(self, logs=None):
            calls.append(("end",))

    model = DNN([4, 5, 3], seed=0, backend=backend)
    history = model.fit(X, y, epochs=5, batch_size=30, callback=seen.append,
                        callbacks=[KerasLike(), (lambda event: seen.append(event["event"]))])
    assert len(history) == 2 and calls[0] == ("set_model", model) and calls[1] == ("begin",)
    assert calls[2:] == [("epoch", 0, 1, ["accuracy", "epoch", "loss", "seconds"]),
                         ("epoch", 1, 2, ["accuracy", "epoch", "loss", "seconds"]), ("end",)]
    events = [e for e in seen if isinstance(e, dict)]
    assert [e["event"] for e in events] == ["batch", "batch", "epoch"] * 2
    assert [e for e in seen if isinstance(e, str)] == ["batch", "batch", "epoch"] * 2
    assert model.fit(X, y, epochs=2).epoch == [1, 2]  # stop_training is reset by the next fit


@pytest.mark.parametrize("method", ["set_model", "on_train_begin", "on_epoch_end",
                                    "on_train_end"])
def test_an_object_with_any_one_keras_method_is_a_callback(method):
    X, y = blobs()
    called = []
    only = type("Only", (), {method: lambda self, *args, **kwargs: called.append(method)})
    DNN([4, 5, 3], seed=0, backend="python").fit(X, y, epochs=2, callbacks=[only()])
    assert called == [method] * (2 if method == "on_epoch_end" else 1)
    with pytest.raises(TypeError, match=r"^callbacks\[0\] is 3: neither a function nor an object "
                       "with set_model or on_train_begin or on_epoch_end or on_train_end$"):
        DNN([4, 5, 3], seed=0, backend="python").fit(X, y, callbacks=[3])


def weights_by_epoch(model):
    """A callback recording the model's parameters after every epoch."""
    kept = {}

    def record(event):
        if event["event"] == "epoch":
            kept[event["epoch"]] = model.get_params()
    return kept, record


@pytest.mark.parametrize("patience", [0, 2])
def test_early_stopping_stops_after_patience_and_restores_the_best_epoch(backend, patience):
    X, y = blobs()
    flipped = [(c + 1) % 3 for c in y]  # the better it learns y, the worse on these
    model = DNN([4, 5, 3], optimizer="momentum", learning_rate=0.2, seed=0, backend=backend)
    kept, record = weights_by_epoch(model)
    stopper = EarlyStopping(patience=patience)
    history = model.fit(X, y, epochs=20, batch_size=8, validation_data=(X, flipped),
                        callback=record, callbacks=[stopper])
    losses = history.history["val_loss"]
    best = losses.index(min(losses)) + 1
    assert len(history) == best + max(patience, 1) < 20
    assert all(v >= min(losses) for v in losses[best:])
    assert stopper.best_epoch == best and stopper.stopped_epoch == len(history)
    assert stopper.restored and model.get_params() == kept[best] != kept[len(history)]
    assert model.evaluate(X, flipped)["loss"] == pytest.approx(min(losses), rel=1e-12)


def test_early_stopping_restores_the_best_weights_when_the_epochs_run_out(backend, capsys):
    X, y = blobs()
    flipped = [(c + 1) % 3 for c in y]
    model = DNN([4, 5, 3], optimizer="momentum", learning_rate=0.2, seed=0, backend=backend)
    kept, record = weights_by_epoch(model)
    history = model.fit(X, y, epochs=4, batch_size=8, validation_data=(X, flipped),
                        callback=record, early_stopping=EarlyStopping(patience=10), verbose=2)
    losses = history.history["val_loss"]
    best = losses.index(min(losses)) + 1
    assert len(history) == 4 and best < 4 and model.get_params() == kept[best]
    assert capsys.readouterr().out.splitlines()[-1] == (
        "early stopping: val_loss was best in epoch %d (%.4f); restored epoch %d's weights"
        % (best, min(losses), best))


def test_early_stopping_that_keeps_improving_keeps_the_last_weights(backend):
    X, y = blobs()
    model = DNN([4, 5, 3], optimizer="momentum", learning_rate=0.2, seed=0, backend=backend)
    stopper = EarlyStopping(monitor="val_accuracy", patience=0, restore_best_weights=True,
                            min_delta=-0.0)
    history = model.fit(X, y, epochs=3, batch_size=8, validation_split=0.2, callbacks=[stopper])
    assert len(history) == 3 or stopper.stopped_epoch
    with_patience = DNN([4, 5, 3], optimizer="momentum", learning_rate=0.2, seed=0,
                        backend=backend)
    history = with_patience.fit(X, y, epochs=4, batch_size=8, validation_data=(X, y),
                                early_stopping=True)
    losses = history.history["val_loss"]
    assert losses == sorted(losses, reverse=True) and len(history) == 4  # it improved throughout


def test_early_stopping_min_delta_and_modes(backend):
    X, y = blobs()
    model = DNN([4, 5, 3], seed=0, backend=backend)
    history = model.fit(X, y, epochs=10, validation_data=(X, y),
                        early_stopping=EarlyStopping(min_delta=100.0, patience=2))
    assert len(history) == 3  # no later epoch gains 100 on the first
    stopper = EarlyStopping(monitor="loss", mode="max", patience=1)
    history = DNN([4, 5, 3], seed=0, backend=backend).fit(X, y, epochs=10, callbacks=[stopper])
    assert len(history) == 2 and stopper.best_epoch == 1  # a falling loss never "improves" in max
    assert stopper.outcome() == (
        "early stopping: loss was best in epoch 1 (%.4f); stopped after epoch 2, 1 without "
        "improvement; restored epoch 1's weights" % history.history["loss"][0])


def test_early_stopping_settings_are_checked():
    for kwargs, error, message in [
            (dict(patience=1.5), ValueError, "patience must be an int >= 0, not 1.5"),
            (dict(patience=-1), ValueError, "patience must be an int >= 0, not -1"),
            (dict(mode="up"), ValueError, "mode must be one of auto, min, max, not 'up'"),
            (dict(monitor=3), TypeError, "monitor must be the name of a score, like 'val_loss', "
                                         "not 3"),
            (dict(min_delta=math.nan), ValueError, "min_delta must be a finite number in [0, "
                                                   "inf), not nan"),
            (dict(min_delta=-0.5), ValueError, "min_delta must be a finite number in [0, inf), "
                                               "not -0.5"),
            (dict(restore_best_weights="yes"), TypeError, "restore_best_weights must be True or "
                                                          "False, not 'yes'")]:
        with pytest.raises(error) as caught:
            EarlyStopping(**kwargs)
        assert str(caught.value) == message
    for mode in ("auto", "min", "max"):
        assert EarlyStopping(mode=mode, patience=0, min_delta=0).mode == mode
    assert EarlyStopping().model is None  # set by fit, as Keras does
    assert "patience=3" in repr(EarlyStopping(patience=3))


def test_early_stopping_monitors_only_what_the_run_reports():
    X, y = line()
    model = DNN([2, 4, 1], output="linear", loss="mse", seed=0, backend="python")
    with pytest.raises(ValueError, match="monitors 'val_accuracy', which this fit does not report: "
                       "it reports loss, val_loss$"):
        model.fit(X, y, validation_split=0.2, early_stopping=EarlyStopping("val_accuracy"))
    assert len(model.fit(X, y, epochs=2, callbacks=[EarlyStopping("loss", patience=5)])) == 2


# --- warnings that say what to do ---


def prototypes(n=300, classes=10, seed=0):
    """Balanced classes whose random network's predictions vary."""
    rng = random.Random(seed)
    y = [i % classes for i in range(n)]
    return [[rng.random() * 0.5 + (0.5 if j % classes == c else 0.0) for j in range(2 * classes)]
            for c in y], y


@pytest.mark.parametrize("settings,rate", [(dict(learning_rate=10), "10, is likely too large "
                                            "for sgd \\(its default is 0.02\\)"),
                                           (dict(optimizer="adam", learning_rate=50),
                                            "50, is likely too large for adam")])
@pytest.mark.parametrize("batch, before", [(16, "70"), (32, "72")])
def test_training_that_collapses_to_chance_warns_naming_the_learning_rate(backend, settings,
                                                                        rate, batch, before):
    """Told before training by PROBE rows (a batch of 16) or by the first
    batch's own predictions (32: 23 of them one class)."""
    X, y = prototypes()
    model = DNN([20, 32, 10], seed=0, backend=backend, **settings)
    with pytest.warns(UserWarning, match="training collapsed to chance in epoch 1: .* one class "
                      "for 100%% of the samples \\(%s%% before training\\). The learning rate, "
                      % before + rate) as caught:
        model.fit(X, y, epochs=3, batch_size=batch)
    assert len(caught) == 1 and caught[0].filename == __file__  # once, at the caller's line


def test_slow_or_healthy_training_is_not_taken_for_a_collapse(backend):
    X, y = prototypes()
    for settings in (dict(learning_rate=1e-6), dict(), dict(learning_rate=1)):
        DNN([20, 32, 10], seed=0, backend=backend, **settings).fit(X, y, epochs=2, batch_size=16)
    few_x, few_y = prototypes(90)  # too few samples to judge
    DNN([20, 32, 10], seed=0, backend=backend, learning_rate=10).fit(few_x, few_y, epochs=2)


def pixels(n=12, seed=0):
    rng = random.Random(seed)
    return [[rng.randrange(256) if j % 3 else 0 for j in range(16)] for _ in range(n)]


UNSCALED = "X holds whole numbers from 0 up to [0-9]+, which look like pixels that were not " \
    "scaled: .* Divide them by 255 first"


def test_unscaled_pixels_warn_in_fit_train_predict_and_evaluate(backend):
    X = pixels()
    y = [i % 2 for i in range(len(X))]
    model = DNN([16, 4, 2], seed=0, backend=backend)
    for call in (lambda: model.fit(X, y), lambda: model.train(X[0], 1),
                 lambda: model.predict(X[:2]), lambda: model.evaluate(X, y),
                 lambda: model.classify([float(v) for v in X[0]])):
        with pytest.warns(UserWarning, match=UNSCALED) as caught:
            call()
        assert len(caught) == 1 and caught[0].filename == __file__


def test_train_looks_for_unscaled_pixels_in_the_first_256_rows_it_is_given(backend):
    """One sample at a time, the first 256 rows a model trains on are looked
    at (as fit looks at the first 256 of its data); later ones cost nothing."""
    import warnings

    scaled = [[v / 255.0 for v in row] for row in pixels(256)]
    for seen, warned in ((255, True), (256, False)):
        model = DNN([16, 4, 2], seed=0, backend=backend)
        for x in scaled[:seen]:
            model.train(x, 1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.train([float(v) for v in pixels(1)[0]], 1)
        assert len(caught) == warned, seen
    model = DNN([16, 4, 2], seed=0, backend=backend)
    model.train(scaled, [1] * len(scaled))  # a batch of 256 counts them all
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.train([float(v) for v in pixels(1)[0]], 1)
    assert not caught


@needs_numpy
def test_unscaled_numpy_arrays_warn_uint8_int_and_whole_floats():
    import numpy as np

    X = np.array(pixels(), dtype=np.uint8)
    y = [i % 2 for i in range(len(X))]
    for data in (X, X.astype(np.int64), X.astype(np.float32), X.astype(np.float64)):
        for backend in ("numpy", "python"):
            with pytest.warns(UserWarning, match=UNSCALED):
                DNN([16, 4, 2], seed=0, backend=backend).fit(data, y)
    for fine in (X / 255.0, X.astype(np.float32) + 0.5, (X > 100).astype(np.uint8),
                 X // 16, X.astype(np.int64) - 128, X.astype(np.int64) * 4):
        DNN([16, 4, 2], seed=0, backend="numpy").fit(fine, y)


def test_what_is_not_unscaled_pixels_is_not_warned_about(backend):
    X = pixels()
    y = [i % 2 for i in range(len(X))]
    for fine in ([[v / 255.0 for v in row] for row in X],  # scaled
                 [[v % 2 for v in row] for row in X],  # binary
                 [[v // 16 for v in row] for row in X],  # small counts (up to 15)
                 [[v - 128 for v in row] for row in X],  # negative values: features, not pixels
                 [[v + 0.5 for v in row] for row in X],  # not whole numbers
                 [[v * 4 for v in row] for row in X]):  # beyond 255
        DNN([16, 4, 2], seed=0, backend=backend).fit(fine, y)
        DNN([16, 4, 2], seed=0, backend=backend).predict(fine)
    regression = DNN([16, 4, 1], output="linear", loss="mse", seed=0, backend=backend)
    regression.fit(X, [float(sum(row)) / 4000 for row in X])  # raw features on purpose
    regression.predict(X)


# The seed and the default batch size.


X = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.25], [0.3, 0.3, 0.3], [0.9, 0.1, 0.0]]
Y = [0, 1, 1, 0]


def test_the_seed_fixes_the_weights_and_the_shuffling(backend):
    def run(seed):
        net = DNN([3, 4, 2], seed=seed, backend=backend)
        first = net.get_params()
        net.fit(X * 3, Y * 3, epochs=2, batch_size=1)
        return first, net.get_params()

    assert run(5) == run(5)
    assert run(5)[0] != run(6)[0]
    # same start, different shuffles: only the order differs, so the ends differ
    a = DNN([3, 4, 2], seed=5, backend=backend)
    b = DNN([3, 4, 2], seed=5, backend=backend)
    b._rng = tinynet.rng.make_rng(99)
    a.fit(X * 3, Y * 3, epochs=1, batch_size=1)
    b.fit(X * 3, Y * 3, epochs=1, batch_size=1)
    assert a.get_params() != b.get_params()


def test_fit_takes_batches_of_32_by_default(backend):
    net = DNN([3, 2], seed=0, backend=backend)
    events = []
    net.fit(X * 8 + X[:1], Y * 8 + Y[:1], callback=events.append)  # 33 samples
    assert [e["batch"] for e in events if e["event"] == "batch"] == [1, 2]


# What fit reports, and one sample or a batch of one.


X5 = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.25], [0.3, 0.3, 0.3], [0.9, 0.1, 0.0], [0.2, 0.8, 0.5]]
Y5 = [0, 1, 1, 0, 1]


def test_fit_reports_the_loss_and_accuracy_measured_before_each_step(backend):
    # A learning rate so small the weights hardly move: the record must equal
    # what evaluate() measures on the untrained model.
    net = DNN([3, 6, 2], activation="tanh", seed=2, learning_rate=1e-12, backend=backend)
    before = net.evaluate(X5, Y5)
    predicted = net.classify(X5)
    assert 0 < before["accuracy"] < 1 and predicted != [0] * 5
    events = []
    record, = net.fit(X5, Y5, epochs=1, batch_size=2, callback=events.append)
    assert set(record) == {"epoch", "loss", "accuracy", "seconds"}
    assert record["epoch"] == 1 and record["seconds"] >= 0
    assert record["loss"] == pytest.approx(before["loss"], rel=1e-9)
    assert record["accuracy"] == before["accuracy"]
    batches = [e for e in events if e["event"] == "batch"]
    assert [(e["batch"], e["batches"], e["epoch"], e["epochs"]) for e in batches] == \
        [(1, 3, 1, 1), (2, 3, 1, 1), (3, 3, 1, 1)]
    assert batches[-1]["loss"] == pytest.approx(record["loss"], rel=1e-12)
    assert events[-1] == dict(record, event="epoch", epochs=1)


def test_fit_with_validation_and_several_epochs(backend):
    net = DNN([3, 6, 2], activation="tanh", seed=2, learning_rate=0.5, backend=backend)
    history = net.fit(X5, Y5, epochs=3, batch_size=5, validation_data=(X5[:2], Y5[:2]))
    assert [r["epoch"] for r in history] == [1, 2, 3]
    assert set(history[0]) == {"epoch", "loss", "accuracy", "seconds", "val_loss", "val_accuracy"}
    last = net.evaluate(X5[:2], Y5[:2])
    assert history[-1]["val_loss"] == last["loss"] and history[-1]["val_accuracy"] == last["accuracy"]
    assert history[0]["loss"] > history[-1]["loss"]
    assert net.fit(X5, Y5, epochs=0) == []


def test_classes_of_one_output_split_at_one_half(backend):
    from tinynet.metrics import classes, confusion_matrix, count_equal

    out = Matrix.from_list([[0.5], [0.4999], [0.9], [0.0]], backend=backend)
    assert classes(out) == [1, 0, 1, 0]
    assert classes(Matrix.from_list([[0.1, 0.7, 0.2]], backend=backend)) == [1]
    assert count_equal([1, 2, 3], [1, 0, 3, 9]) == 2
    m = confusion_matrix([1, 1, 0, 2], [1, 0, 0, 2], classes=3)
    assert m == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    assert len(confusion_matrix([], [])) == 10 and confusion_matrix([9], [9])[9][9] == 1


def test_one_sample_or_a_batch_of_one_takes_the_same_step(backend):
    # train() takes one sample with its target (a label or a row of values),
    # or a batch of rows with one target each; a batch of one is a batch.
    steps = {}
    for name, x, y in [("label", [0.2, 0.4, 0.6], 1), ("row", [0.2, 0.4, 0.6], [0.0, 1.0]),
                       ("batch of labels", [[0.2, 0.4, 0.6]], [1]),
                       ("batch of rows", [[0.2, 0.4, 0.6]], [[0.0, 1.0]]),
                       ("batch with a bare row", [[0.2, 0.4, 0.6]], [0.0, 1.0])]:
        net = DNN([3, 4, 2], seed=5, learning_rate=0.3, backend=backend)
        loss = net.train(x, y)
        steps[name] = (loss, net.get_params())
    first = steps.pop("label")
    assert first[0] > 0
    for name, got in steps.items():
        assert got[0] == pytest.approx(first[0], rel=1e-12), name
        assert got[1] == first[1], name


def test_a_loss_that_is_not_finite_stops_training_with_the_rate():
    net = DNN([2, 2], output="linear", loss="mse", seed=0, learning_rate=0.5, backend="python")
    params = net.get_params()
    params["weights"][0][0] = [1e300, -1e300]
    net.set_params(params["weights"], params["biases"])
    with pytest.raises(ValueError, match=r"^loss became nan/inf; try a smaller learning_rate \(now 0\.5\)$"):
        net.train([1e300, 1.0], [1.0, 0.0])  # outputs of 1e600 overflow to inf


def test_clock_is_the_performance_counter():
    before = time.perf_counter()
    now = rng.clock()
    assert before <= now <= time.perf_counter()


# Overflow: training stops with the loss error on every backend; prediction gives the same inf
# and nan on both.


def test_a_step_that_leaves_weights_non_finite_stops_training(backend):
    # One batch, one step: the loss of that batch is finite, the weights after it are not.
    net = DNN([3, 2], output="linear", loss="mse", learning_rate=1e308, seed=0, backend=backend)
    with pytest.raises(TinynetError, match="nan or inf") as err:
        net.fit([[1e3, 1e3, 1e3]] * 4, [[1e3, -1e3]] * 4, epochs=1, batch_size=4)
    assert "learning_rate" in str(err.value)


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


# The progress bar: redrawn in place on a terminal, one line per job in a log.


def test_a_terminal_gets_a_bar_redrawn_in_place():
    out = Terminal()
    bar = Progress(4, "epoch 1/2", "batch", out)
    assert bar.live
    for done in range(1, 5):
        bar.drawn = 0.0  # pretend 0.1 s passed, so every update redraws
        bar.update(done, "loss 0.5")
    bar.finish("epoch 1/2 done")
    text = out.getvalue()
    assert text.count("\r") == 5 and text.endswith("\repoch 1/2 done\x1b[K\n")
    assert "[" + "#" * 24 + "] 100%  4/4" in text and "batch/s" in text and "loss 0.5" in text
    assert "<0:00" in text  # elapsed < ETA
    assert text.count("\n") == 1


def test_a_log_gets_only_the_finished_lines():
    out = io.StringIO()  # not a terminal
    model = DNN([2, 3, 2], seed=0, backend="python")
    model.fit([[0, 1], [1, 0]] * 4, [1, 0] * 4, epochs=3, batch_size=2,
              callback=TrainingProgress(out))
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and "\r" not in out.getvalue()
    assert lines[0].startswith("epoch 1/3  loss ") and "accuracy" in lines[0]
    assert lines[2].startswith("epoch 3/3")


def test_the_bar_reports_rate_and_time_left():
    bar = Progress(10, "x", "it", io.StringIO(), live=False)
    bar.started -= 2.0  # two seconds in
    line = bar.line(5)
    assert "[############............]  50%  5/10" in line
    assert "2 it/s" in line or "3 it/s" in line
    assert "0:02<0:02" in line


class Clock:
    """A clock the test sets (tinynet.progress reads rng.clock)."""

    def __init__(self, now=0.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    import tinynet.progress

    fake = Clock()
    monkeypatch.setattr(tinynet.progress, "clock", fake)
    return fake


def test_the_bar_shows_time_as_minutes_and_seconds_then_hours(clock):
    bar = Progress(10, "x", "it", io.StringIO(), live=False)
    for elapsed, shown in [(59.9, "0:59<"), (61, "1:01<"), (3599, "59:59<"), (3725, "1:02:05<")]:
        clock.now = elapsed
        assert "  %s" % shown in bar.line(5)


def test_the_bar_stops_at_100_percent_and_counts_past_its_total(clock):
    bar = Progress(10, "x", "it", io.StringIO(), live=False)
    clock.now = 4.0
    assert bar.line(12) == "x  [" + "#" * 24 + "] 100%  12/10  3 it/s  0:04<0:00"


def test_a_slow_job_still_has_a_time_left(clock):
    """Under one step a second (0.5 here), the time left is still worked out."""
    bar = Progress(10, "x", "it", io.StringIO(), live=False)
    clock.now = 4.0
    assert bar.line(2).endswith("  2/10  0 it/s  0:04<0:16")


def test_a_job_of_unknown_length_shows_its_count(clock):
    bar = Progress(0, "reading", "rows", io.StringIO(), live=False)
    clock.now = 2.0
    assert bar.line(3000) == "reading  3000  1,500 rows/s  0:02"


def test_a_terminal_bar_is_redrawn_at_most_ten_times_a_second(clock):
    out = Terminal()
    bar = Progress(100, "x", "it", out)
    drawn = []
    for now in (0.05, 0.12, 0.2, 0.25, 0.4):
        clock.now = now
        bar.update(int(now * 100))
        drawn.append(out.getvalue().count("\r"))
    assert drawn == [0, 1, 1, 2, 3]
    clock.now = 0.41
    bar.update(100)  # the last step is always drawn
    assert out.getvalue().count("\r") == 4


def test_an_epochs_line_ends_with_its_seconds():
    out = io.StringIO()
    TrainingProgress(out)({"event": "epoch", "epoch": 2, "epochs": 3, "loss": 0.25,
                           "accuracy": 0.5, "val_loss": 0.125, "seconds": 1.25})
    assert out.getvalue() == "epoch 2/3  loss 0.2500  accuracy 50.00%  val loss 0.1250  1.2s\n"


def test_verbose_auto_is_a_progress_bar():
    from tinynet.training import check_verbose

    assert [check_verbose(v) for v in ("auto", 0, 1, 2)] == [1, 0, 1, 2]


def test_scores_iterate_loss_first_then_every_other_score_by_name():
    scores = Scores(val_loss=0.5, loss=0.25, accuracy=0.75, top5=1.0)
    assert list(scores) == [0.25, 0.75, 1.0, 0.5]


# --- training where time is a firmware's: only counters that wrap around ---
# A MicroPython firmware's time module has ticks_ms, ticks_us and ticks_diff
# but neither time() nor perf_counter(). fit times each epoch and the pure
# generator seeds itself from the clock, so both use the counters, and never
# subtract two readings of a counter directly (tests/test_board.py runs fit on
# the firmware itself).

X4 = [[0.0, 0.5, 1.0], [1.0, 0.0, 0.25], [0.3, 0.3, 0.3], [0.9, 0.1, 0.0]]
Y4 = [0, 1, 1, 0]


class FirmwareTime:
    """A firmware's ``time``: ``ticks_ms`` advances ``step`` ms a reading
    and wraps around at 2**30, as on a 32-bit port."""

    PERIOD = 1 << 30

    def __init__(self, start, step):
        self.now, self.step = start, step

    def ticks_ms(self):
        self.now = (self.now + self.step) % self.PERIOD
        return self.now

    def ticks_us(self):
        return (self.now * 1000 + 7) % self.PERIOD

    def ticks_diff(self, new, old):
        half = self.PERIOD // 2
        return (new - old + half) % self.PERIOD - half


@pytest.fixture
def firmware_time(monkeypatch):
    def use(start, step=10):
        fake = FirmwareTime(start, step)
        monkeypatch.setattr(rng, "time", fake)
        monkeypatch.setattr(rng, "_ticks", [None, 0])
        return fake
    return use


def test_fit_times_epochs_with_the_ticks_across_the_wrap(firmware_time, backend):
    # Each epoch reads the clock twice, 10 ms apart (at 2**30 - 25, -15;
    # -5, then 5; 15, 25); the counter wraps during the second epoch, where a
    # plain subtraction would give about -12 days.
    fake = firmware_time(FirmwareTime.PERIOD - 35)
    history = DNN([3, 4, 2], seed=0, backend=backend).fit(X4, Y4, epochs=3, batch_size=2)
    assert [r["seconds"] for r in history] == [pytest.approx(0.01)] * 3
    assert fake.now == 25  # it did wrap, and only the clock read it


def test_the_clock_counts_seconds_from_milliseconds(firmware_time):
    firmware_time(1000, step=250)
    first = rng.clock()
    assert [rng.clock() - first for _ in range(3)] == [0.25, 0.5, 0.75]


def test_the_clock_prefers_perf_counter_then_time(monkeypatch):
    class Desktop(FirmwareTime):
        def time(self):
            return 12.5

    monkeypatch.setattr(rng, "time", Desktop(0, 1))
    assert rng.clock() == 12.5
    Desktop.perf_counter = lambda self: 3.25
    assert rng.clock() == 3.25


def test_without_any_clock_intervals_are_zero(monkeypatch):
    monkeypatch.setattr(rng, "time", None)
    assert rng.clock() == 0.0


def test_the_pure_generator_seeds_itself_from_the_ticks(firmware_time, monkeypatch):
    # Without random.Random (MicroPython), SplitMix64 is seeded from the
    # microsecond counter; a seed given explicitly is used as it is.
    monkeypatch.setattr(rng, "Random", None)
    fake = firmware_time(5000)
    first = rng.make_rng()
    assert isinstance(first, rng.SplitMix64) and first.state == 5000 * 1000 + 7
    fake.ticks_ms()
    assert rng.make_rng().state == 5010 * 1000 + 7
    assert rng.make_rng(3).state == 3


def test_the_pure_generator_seeds_itself_from_a_clock_where_there_is_one(monkeypatch):
    """A port with ``time.time()`` (or perf_counter) and ticks: the clock's
    microseconds seed it, not the counter's."""
    class Port(FirmwareTime):
        def time(self):
            return 12.5

    monkeypatch.setattr(rng, "Random", None)
    monkeypatch.setattr(rng, "time", Port(5000, 10))
    assert rng.make_rng().state == 12500000


def test_the_confusion_matrix_counts_each_true_class_by_its_prediction():
    """matrix[true][predicted], every cell from zero: what the CLI's report
    and the confusion chart show."""
    from tinynet.metrics import confusion_matrix

    assert confusion_matrix([0, 2, 2, 1, 2], [0, 1, 2, 1, 2], classes=3) == [
        [1, 0, 0], [0, 1, 1], [0, 0, 2]]
    assert confusion_matrix([], [], classes=2) == [[0, 0], [0, 0]]
    ten = confusion_matrix([3], [9])
    assert len(ten) == 10 and all(len(row) == 10 for row in ten)
    assert sum(map(sum, ten)) == 1 and ten[9][3] == 1


def test_a_collapse_is_judged_on_100_samples_and_10_a_class_not_fewer():
    """FEWEST (100) and ten samples a class are bounds: at them a collapse is
    told, one sample short it is not looked for."""
    from tinynet import batching
    from tinynet.advice import watches

    for classes, bound in ((2, 100), (10, 100), (11, 110), (12, 120)):
        model = DNN([3, classes], seed=0, backend="python")
        X = [[0.1, 0.2, 0.3]] * bound
        _, targets = batching.dataset(model, X, [i % classes for i in range(bound)])
        assert watches(model, targets, list(range(bound))), (classes, bound)
        assert not watches(model, targets, list(range(bound - 1))), (classes, bound)
    regression = DNN([3, 2], output="linear", loss="mse", seed=0, backend="python")
    _, targets = batching.dataset(regression, X, [[0.0, 1.0]] * len(X))
    assert not watches(regression, targets, list(range(len(X))))


def test_a_collapse_is_judged_by_the_first_256_training_rows():
    """advice.PROBE rows are looked at: 255 of one class and one of another
    among them is a share of 255/256, whatever follows."""
    from tinynet import batching
    from tinynet.advice import one_class_share

    model = DNN([1, 2], seed=0, backend="python")
    model.set_params([[[1.0, -1.0]]], [[0.0, 0.0]])  # x > 0: class 0; x < 0: class 1
    X = [[1.0]] * 255 + [[-1.0]] * 45
    inputs, _ = batching.dataset(model, X, [0] * len(X))
    assert one_class_share(model, inputs, list(range(len(X)))) == 255 / 256
    assert one_class_share(model, inputs, list(range(255))) == 1.0
    assert one_class_share(model, inputs, list(range(299, 253, -1))) == 45 / 46


@pytest.mark.parametrize("top, warned", [(31, False), (32, True), (255, True), (256, False)])
def test_unscaled_pixels_are_whole_numbers_up_to_32_to_255(backend, top, warned):
    """advice.BRIGHT and 255 are bounds, for lists and NumPy arrays alike."""
    import warnings

    X = pixels()
    X = [[min(v, top) for v in row] for row in X]
    X[0][1] = top
    y = [i % 2 for i in range(len(X))]
    forms = [X]
    try:
        import numpy as np

        forms += [np.array(X, dtype="float64"), np.array(X, dtype="int64")]
    except ImportError:
        pass
    for data in forms:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            DNN([16, 4, 2], seed=0, backend=backend).predict(data)
        assert len(caught) == warned, (type(data), top)
        if warned:
            assert "from 0 up to %d, which look like pixels" % top in str(caught[0].message)


def test_the_first_256_rows_of_lists_tell_whether_a_pixel_is_bright(backend):
    """Rows given as lists: a largest input of 32 or more in the first 256
    rows is looked into (all rows then bound it by 255); darker first rows
    are not, so a bright row after them goes unwarned."""
    import warnings

    dark = [[float(v % 32) for v in row] for row in pixels(256)]
    for later, warned in ((200.0, False), (300.0, False)):
        X = dark + [[later] * 16]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            DNN([16, 4, 2], seed=0, backend=backend).predict(X)
        assert len(caught) == warned, later
    bright = [[float(v) for v in row] for row in pixels(256)]
    for later, warned in ((200.0, True), (300.0, False)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            DNN([16, 4, 2], seed=0, backend=backend).predict(bright + [[later] * 16])
        assert len(caught) == warned, later


def test_the_largest_input_is_shown_as_it_is(backend):
    """Only the first 256 rows are checked for whole numbers: a larger
    fractional number later is shown as it is, not cut to a whole one."""
    import warnings

    X = [[float(min(v, 200)) for v in row] for row in pixels(300)]
    X[280][1] = 250.5
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        DNN([16, 4, 2], seed=0, backend=backend).predict(X)
    assert [str(w.message).split(",")[0] for w in caught] == [
        "X holds whole numbers from 0 up to 250.5"]


def test_a_warning_without_frames_to_walk_points_at_tinynet(monkeypatch):
    """Where frames cannot be walked, the warning points at tinynet's own
    line (stacklevel 1), not inside the warnings module."""
    import sys
    import warnings

    from tinynet import advice

    monkeypatch.delattr(sys, "_getframe")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        advice.warn("look")
    assert [(str(w.message), w.filename) for w in caught] == [("look", advice.__file__)]


def test_under_dropout_the_share_before_training_is_told_without_masks(backend):
    """A network that puts every sample in one class before training (its
    bias says so) is not taken for a collapse with dropout on either: the
    share before training is looked at without dropout's masks, as after."""
    X, y = prototypes()
    model = DNN([20, 32, 10], seed=0, backend=backend, learning_rate=1e-6, dropout=0.5,
                input_dropout=0.2)
    params = model.get_params()
    params["biases"][-1][0] = 1.5  # class 0 for every sample unmasked, 91% under masks
    model.set_params(params["weights"], params["biases"])
    assert model.classify(X).count(0) == len(X)
    history = model.fit(X, y, epochs=1, batch_size=128)  # filterwarnings=error: no warning
    assert history.history["accuracy"][-1] < 0.15


def test_unscaled_rows_in_a_deque_are_looked_at_too(backend):
    import collections
    import warnings

    X = collections.deque([[float(v) for v in row] for row in pixels(300)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        DNN([16, 4, 2], seed=0, backend=backend).predict(X)
    assert len(caught) == 1 and "look like pixels" in str(caught[0].message)


def test_a_deque_of_rows_is_judged_by_its_first_256_rows_as_a_list_is(backend):
    """A deque cannot be sliced: its first 256 rows are taken by iterating,
    and they alone tell whether an input is bright and whether the inputs
    are whole numbers, as for a list (255 bounds every row)."""
    import collections
    import warnings

    dark = [[float(v % 32) for v in row] for row in pixels(256)]
    bright = [[float(v) for v in row] for row in pixels(256)]
    for first, later, warned in ((dark, 200.0, False), (bright, 200.5, True),
                                 (bright, 300.0, False)):
        rows = first + [[later] * 16]
        for X in (rows, collections.deque(rows)):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                DNN([16, 4, 2], seed=0, backend=backend).predict(X)
            assert len(caught) == warned, (type(X), later)


@needs_numpy
def test_a_numpy_array_is_judged_by_its_first_256_rows_without_iterating_it():
    """A float array's first 256 rows tell whether its inputs are whole
    numbers, taken as a slice: the array is never iterated in Python."""
    import warnings

    import numpy as np

    class NotIterable(np.ndarray):
        def __iter__(self):
            raise AssertionError("a NumPy array was iterated in Python")

    X = np.array(pixels(300), dtype="float64")
    X[280, 1] = 0.5  # after the first 256 rows: not looked at
    for backend in ("numpy", "python"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            DNN([16, 4, 2], seed=0, backend=backend).predict(X.view(NotIterable))
        assert len(caught) == 1 and "look like pixels" in str(caught[0].message), backend


def test_a_first_batch_of_32_tells_the_share_before_training_without_a_pass_of_its_own(
        backend, monkeypatch):
    """advice.FIRST_BATCH is a bound: from 32 samples a batch, the first
    step's predictions give the share before training; with 31, PROBE rows
    take one forward pass more than the steps."""
    X, y = prototypes(124)
    for batch, extra in ((31, 1), (32, 0)):
        model = DNN([20, 32, 10], seed=0, backend=backend, optimizer="adam", learning_rate=0.05)
        calls = []
        forward = model.forward
        monkeypatch.setattr(model, "forward", lambda *a: calls.append(1) or forward(*a))
        history = model.fit(X, y, epochs=1, batch_size=batch)
        assert history.history["accuracy"][0] > 0.15  # (not at chance, or it would look again)
        assert len(calls) == 4 + extra, batch


@pytest.mark.parametrize("batch", [16, 32])
def test_one_class_predicted_is_no_collapse_when_it_was_so_before_or_the_fit_learns(backend,
                                                                                   batch):
    """A collapse needs all of: a loss at chance, an accuracy near 1/K and one
    class predicted where before training the predictions varied.  One class
    already predicted before training, or a fit that learns (a main class of
    97%), is not warned about (filterwarnings=error fails on any warning)."""
    X, y = prototypes()
    model = DNN([20, 32, 10], seed=0, backend=backend, learning_rate=1e-6)
    params = model.get_params()
    params["biases"][-1][0] = 50.0  # class 0 for every sample, before and after
    model.set_params(params["weights"], params["biases"])
    history = model.fit(X, y, epochs=2, batch_size=batch)
    assert history.history["accuracy"][-1] == pytest.approx(0.1)
    assert history.history["loss"][-1] > math.log(10)
    main = [0 if i % 33 else 1 + i % 9 for i in range(len(X))]  # 97% class 0
    learner = DNN([20, 32, 10], seed=0, backend=backend)
    history = learner.fit(X, main, epochs=2, batch_size=batch)
    assert history.history["loss"][-1] < 0.9 * math.log(10)
    assert learner.classify(X).count(0) >= 0.95 * len(X)


def test_a_collapse_at_the_default_rate_or_below_points_at_the_inputs():
    """At a learning rate no larger than the optimizer's default, the rate is
    not blamed: the warning asks for scaled inputs or a smaller rate."""
    import warnings

    from tinynet import batching
    from tinynet.advice import collapsed

    model = DNN([1, 2], seed=0, backend="python")
    model.set_params([[[0.0, 0.0]]], [[5.0, 0.0]])  # class 0 for every sample
    X = [[i / 120.0] for i in range(120)]
    inputs, _ = batching.dataset(model, X, [i % 2 for i in range(120)])
    record = {"epoch": 3, "loss": math.log(2), "accuracy": 0.5}
    for rate in (0.02, 0.001):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert collapsed(model, record, inputs, list(range(120)), rate, 0.5) is True
        message = str(caught[0].message)
        assert message.startswith("training collapsed to chance in epoch 3: loss 0.693 ")
        assert message.endswith("(50%% before training). Check that the inputs are scaled to "
                                "about 0..1 (pixels divided by 255), or try a learning rate "
                                "smaller than %g." % rate)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert collapsed(model, record, inputs, list(range(120)), 0.021, 0.5) is True
    assert "The learning rate, 0.021, is likely too large for sgd" in str(caught[0].message)


def test_one_samples_target_row_may_hold_ints(backend):
    """For one sample, [0, 1] is its row of targets, as [0.0, 1.0] is (and
    as its label 1 is, for a softmax output)."""
    losses = [DNN([2, 2], seed=0, backend=backend).train([0.5, 0.25], target)
              for target in ([0, 1], [0.0, 1.0], 1)]
    assert losses[0] == losses[1] == losses[2]


@needs_numpy
def test_a_numpy_row_of_bytes_is_one_sample_summed_without_overflow(backend):
    """A 1-D uint8 array is one sample, checked as an array: its bytes are
    never summed as uint8 scalars, which would overflow past 255 (a
    RuntimeWarning, an error here)."""
    import numpy

    row = numpy.full(10, 30, dtype=numpy.uint8)  # sums to 300; 30 is below the pixel warning
    net = DNN([10, 3], seed=0, backend=backend)
    assert list(net.predict(row)) == list(net.predict([[30.0] * 10])[0])
    assert net.train(row, 1) == DNN([10, 3], seed=0, backend=backend).train([30.0] * 10, 1)


def test_a_collapse_after_epochs_that_did_not_collapse_is_still_warned(backend):
    """An epoch that is not at chance leaves the look on: a fit that learns in
    epoch 1 and collapses in epoch 2 (its rate raised 100 times) is warned
    about, in epoch 2."""
    import warnings

    X, y = prototypes()
    model = DNN([20, 32, 10], seed=0, backend=backend, learning_rate=0.5)

    def raise_rate(event):
        if event["event"] == "epoch" and event["epoch"] == 1:
            model.optimizer.learning_rate = 50.0

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(X, y, epochs=3, batch_size=16, callbacks=[raise_rate])
    assert history.history["accuracy"][0] >= 0.15  # (epoch 1 learned: not at chance)
    assert [str(w.message)[:40] for w in caught] == ["training collapsed to chance in epoch 2:"]


def test_a_collapse_is_one_class_for_95_percent_of_the_samples_or_more():
    """advice.ONE_CLASS is a bound: 95 of 100 samples predicted as one class
    is a collapse, 94 is not."""
    import warnings

    from tinynet import batching
    from tinynet.advice import collapsed

    model = DNN([1, 2], seed=0, backend="python")
    model.set_params([[[0.0, 10.0]]], [[5.0, 0.0]])  # class 1 for an input of 1.0, else 0
    record = {"epoch": 2, "loss": math.log(2), "accuracy": 0.5}
    for others, warned in ((5, True), (6, False)):
        X = [[1.0]] * others + [[0.0]] * (100 - others)
        inputs, _ = batching.dataset(model, X, [i % 2 for i in range(100)])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert collapsed(model, record, inputs, list(range(100)), 0.02, 0.5) is warned
        assert len(caught) == warned, others
        if warned:
            assert "one class for 95% of the samples" in str(caught[0].message)


def test_a_linear_output_of_several_units_is_scored_as_classes(backend):
    """Only a single linear output is a regression: with two or more, the
    targets (labels or rows) are classes and fit and evaluate report an
    accuracy."""
    X = [[0.1, 0.9, 0.3], [0.8, 0.2, 0.1], [0.2, 0.7, 0.9], [0.9, 0.1, 0.5]]
    model = DNN([3, 2], output="linear", loss="mse", seed=0, backend=backend)
    rows = [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]
    assert model.evaluate(X, [1, 0, 1, 0]) == model.evaluate(X, rows)
    assert sorted(model.evaluate(X, rows).keys()) == ["accuracy", "loss"]
    assert "accuracy" in model.fit(X, [1, 0, 1, 0]).history
    single = DNN([3, 1], output="linear", loss="mse", seed=0, backend=backend)
    assert list(single.evaluate(X, [0.5, 1.0, 1.5, 2.0]).keys()) == ["loss"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "1.0", None])
def test_a_regressions_targets_must_be_finite_numbers(backend, bad):
    """One number per sample (a single linear output) is checked as rows
    of targets are: the first bad one is named."""
    X = [[0.1, 0.9, 0.3], [0.8, 0.2, 0.1], [0.2, 0.7, 0.9], [0.9, 0.1, 0.5]]
    model = DNN([3, 1], output="linear", loss="mse", seed=0, backend=backend)
    before = model.get_params()
    for call in (model.fit, model.evaluate):
        with pytest.raises(ValueError, match="^row 2 of y holds .* at column 0; targets must be "
                                             "finite numbers$"):
            call(X, [0.5, 1.0, bad, 2.0])
    assert model.get_params() == before


def test_no_samples_is_refused_naming_the_call(backend):
    model = DNN([3, 2], seed=0, backend=backend)
    for call, name in ((model.evaluate, "evaluate"), (model.fit, "fit")):
        with pytest.raises(TinynetError, match="^%s needs at least one sample; X is empty$"
                           % name):
            call([], [])
