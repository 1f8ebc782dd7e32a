"""The training loop behind :meth:`DNN.fit`: its arguments, all checked before
any weight changes, the loop itself, and learning-rate schedules."""

import math

from .errors import TinynetError, shown
from .metrics import classes, count_equal
from .rng import clock
from . import batching


def cosine(done):
    """Anneal from 1 to 0 along half a cosine as ``done`` goes from 0 to 1."""
    return 0.5 * (1.0 + math.cos(math.pi * done))


def linear(done):
    """Anneal from 1 to 0 along a straight line."""
    return 1.0 - done


SCHEDULES = {"cosine": cosine, "linear": linear, "constant": None}


def schedule_factor(schedule):
    """Return the learning-rate factor function for fit's ``schedule``."""
    if schedule is None or callable(schedule):
        return schedule
    try:
        return SCHEDULES[schedule]
    except (KeyError, TypeError):
        raise ValueError("unknown schedule %r; expected 'cosine', 'linear', 'constant', a "
                         "function or None" % (schedule,)) from None


def _scaled(rate, factor, done):
    """The learning rate ``rate * factor``, refusing a factor from a schedule
    that is not a finite number >= 0."""
    try:
        ok = not isinstance(factor, bool) and factor >= 0 and factor - factor == 0
    except TypeError:
        ok = False
    if not ok:
        raise ValueError("the schedule gave %r at %.3g of the run; it must give finite "
                         "numbers >= 0" % (factor, done))
    return rate * factor


def check_verbose(verbose, meaning="0 (silent), 1 (a progress bar) or 2 (a line per epoch)"):
    """Return Keras's ``verbose`` as 0, 1 or 2 ("auto" is 1), or refuse it."""
    verbose = 1 if verbose == "auto" else verbose
    if not isinstance(verbose, int) or verbose not in (0, 1, 2):
        raise ValueError("verbose must be %s, not %s" % (meaning, shown(verbose)))
    return verbose


#: Run.shared before the first batch has told it (see Run.epoch).
FIRST = "the first batch's share"


def check_count(value, name, least):
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise ValueError("%s must be an int >= %d, not %r" % (name, least, value))


class Run:
    """One call of :meth:`DNN.fit`: the data and the settings, every one
    checked here, before anything changes; then :meth:`run`, the loop."""

    def __init__(self, model, X, y, epochs=1, batch_size=32, validation_data=None, shuffle=True,
                 callback=None, schedule=None, verbose=0, validation_split=0.0, callbacks=None,
                 early_stopping=None):
        from .optim import check_number

        check_count(epochs, "epochs", 0)
        check_count(batch_size, "batch_size", 1)
        if shuffle is not True and shuffle is not False:
            raise TypeError("shuffle must be True or False, not %s" % shown(shuffle))
        verbose = check_verbose(verbose)
        split = check_number(validation_split, "validation_split", 0, 1)
        if split and validation_data is not None:
            raise ValueError("give validation_data or validation_split, not both")
        self.callbacks = _checked_callbacks(callback, callbacks)
        stoppers = ()
        if callbacks or not (early_stopping is None or early_stopping is False):
            from .callbacks import EarlyStopping, early_stopping as make_early_stopping

            stopper = make_early_stopping(early_stopping)
            if stopper is not None:
                self.callbacks.append(stopper)
            stoppers = [cb for cb in self.callbacks if isinstance(cb, EarlyStopping)]
        optimizer = model.optimizer
        type(optimizer)(**optimizer.settings())  # settings changed since: checked again
        self.factor = schedule_factor(schedule)  # (its values are checked before each step,
        if self.factor is not None:  # the first here, before anything changes)
            self.first = self.factor(0.0)
            _scaled(optimizer.learning_rate, self.first, 0.0)
        self.model = model
        self.inputs, self.targets = batching.dataset(model, X, y, "fit")
        n, self.validation = self.inputs.n, None
        self.train = range(n)
        if split:
            cut = int(n * (1.0 - split))  # the last samples validate, as in Keras
            if not 0 < cut < n:
                raise ValueError("validation_split %g of %d samples leaves %s" % (
                    split, n, "no sample to train on" if cut < 1 else "no sample to validate on"))
            self.train = range(cut)
            self.validation = (self.inputs, self.targets, range(cut, n))
        elif validation_data is not None:
            self.validation = _validation(model, validation_data)
        reported = ["loss"] + (["accuracy"] if self.targets.classes else [])
        if self.validation is not None:
            reported += ["val_loss"] + (["val_accuracy"] if self.validation[1].classes else [])
        for stopper in stoppers:
            stopper.check(reported)
        if verbose:
            import sys

            from .progress import TrainingProgress

            self.callbacks.append(TrainingProgress(sys.stdout, None if verbose == 1 else False))
        self.epochs, self.batch_size, self.shuffle, self.verbose = epochs, batch_size, shuffle, verbose
        self.batches = (len(self.train) + batch_size - 1) // batch_size
        self.shared = None  # a collapse shows in how the predictions change (see advice.py)
        try:
            import warnings  # noqa: F401 (none on MicroPython: no heap is spent on advice there)
        except ImportError:
            return
        from . import advice

        if not advice.watches(model, self.targets, self.train):
            return
        # The first step's predictions tell it at no cost, unless dropout's masks
        # change them (the look after an epoch is without masks).
        if not model._keep and min(batch_size, len(self.train)) >= advice.FIRST_BATCH:
            self.shared = FIRST
        else:
            self.shared = advice.one_class_share(model, self.inputs, self.train)

    def run(self):
        """Train for every epoch (or until a callback sets
        ``model.stop_training``); return the History.  The optimizer's
        learning rate is the same afterwards as before."""
        from .results import History

        model, optimizer = self.model, self.model.optimizer
        history = History()
        history.params = {"epochs": self.epochs, "batch_size": self.batch_size,
                          "steps": self.batches}
        model.stop_training = False
        self._tell("set_model", model)
        self._tell("on_train_begin", {})
        base_rate = optimizer.learning_rate
        try:
            for epoch in range(1, self.epochs + 1):
                record = self.epoch(epoch, base_rate)
                history.append(record)
                self._advise(record, base_rate)
                event = {"event": "epoch", "epochs": self.epochs}
                event.update(record)
                for cb in self.callbacks:
                    if callable(cb):
                        cb(event)
                self._tell("on_epoch_end", epoch - 1, record)
                if model.stop_training:
                    break
        finally:
            optimizer.learning_rate = base_rate
        self._tell("on_train_end", {})
        if self.verbose:
            for cb in self.callbacks:
                text = getattr(cb, "outcome", None) and cb.outcome()
                if text:
                    print(text)
        return history

    def _tell(self, method, *args):
        """Call ``method`` of every callback that has it (Keras's protocol)."""
        for cb in self.callbacks:
            if hasattr(cb, method):
                getattr(cb, method)(*args)

    def _advise(self, record, base_rate):
        if self.shared is not None:
            from .advice import collapsed

            if collapsed(self.model, record, self.inputs, self.train, base_rate, self.shared):
                self.shared = None  # (said once a run)

    def epoch(self, epoch, base_rate):
        """Train one epoch; return its record."""
        model, inputs, targets, n = self.model, self.inputs, self.targets, len(self.train)
        started = clock()
        order = list(self.train)
        if self.shuffle:
            model._rng.shuffle(order)
        total, correct = 0.0, 0
        batch_events = [cb for cb in self.callbacks if callable(cb)]
        for batch, start in enumerate(range(0, n, self.batch_size), 1):
            index = order[start:start + self.batch_size]
            Xb, (Yb, labels) = inputs.take(index), targets.take(index)
            if self.factor is not None:
                done = ((epoch - 1) * self.batches + batch - 1) / (self.epochs * self.batches)
                factor = self.first if epoch == batch == 1 else self.factor(done)
                model.optimizer.learning_rate = _scaled(base_rate, factor, done)
            try:
                loss, out = model._step(Xb, Yb)
            except TinynetError as err:
                raise TinynetError("%s (epoch %d, batch %d)" % (err, epoch, batch)) from None
            total += loss * len(index)
            if labels is not None:
                predicted = classes(out)
                correct += count_equal(predicted, labels)
                if self.shared is FIRST:  # out came before the step: the untrained network's
                    from .advice import most_common_share

                    self.shared = most_common_share(predicted)
            for cb in batch_events:
                cb({"event": "batch", "epoch": epoch, "epochs": self.epochs, "batch": batch,
                    "batches": self.batches, "loss": total / (start + len(index))})
        if not all(p.all_finite() for p in model.weights + model.biases):
            raise TinynetError("the weights became nan or inf during epoch %d; try a smaller "
                               "learning_rate (now %g)" % (epoch, base_rate))
        record = {"epoch": epoch, "loss": total / n}
        if targets.classes:
            record["accuracy"] = correct / n
        if self.validation is not None:
            for key, value in model._score(*self.validation).items():
                record["val_" + key] = value
        record["seconds"] = clock() - started
        return record


def _checked_callbacks(callback, callbacks):
    """Return fit's ``callback`` and ``callbacks`` as one list, refusing
    anything that is neither a function nor a Keras-like callback object."""
    found = []
    if callback is not None:
        if not callable(callback):
            raise TypeError("callback must be a function of one argument (it gets a dict after "
                            "every batch and every epoch), not %s" % shown(callback))
        found.append(callback)
    if callbacks is not None:
        if not isinstance(callbacks, (list, tuple)):
            raise TypeError("callbacks must be a list, not %s" % shown(callbacks))
        for i, cb in enumerate(callbacks):
            if not callable(cb) and not any(hasattr(cb, m) for m in KERAS_METHODS):
                raise TypeError("callbacks[%d] is %s: neither a function nor an object with "
                                "%s" % (i, shown(cb), " or ".join(KERAS_METHODS)))
            found.append(cb)
    return found


#: The methods of a Keras-like callback object that fit calls (see callbacks.py).
KERAS_METHODS = ("set_model", "on_train_begin", "on_epoch_end", "on_train_end")


def _validation(model, data):
    """Return fit's ``validation_data`` as ``(inputs, targets, index)``,
    checked as the training data are."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError("validation_data must be a pair (X_val, y_val), not %s" % shown(data))
    try:
        inputs, targets = batching.dataset(model, data[0], data[1], "validation_data")
    except (TypeError, ValueError) as err:
        raise type(err)("validation_data: %s" % err) from None
    return inputs, targets, range(inputs.n)
