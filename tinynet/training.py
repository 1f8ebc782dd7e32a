"""The training loop behind :meth:`DNN.fit`, and learning-rate schedules."""

import math

from .errors import TinynetError
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


def check_count(value, name, least):
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise ValueError("%s must be an int >= %d, not %r" % (name, least, value))


class Run:
    """One call of :meth:`DNN.fit`: the data, the settings, and the loop."""

    def __init__(self, model, X, y, epochs, batch_size, validation_data, shuffle, callback,
                 schedule):
        check_count(epochs, "epochs", 0)
        check_count(batch_size, "batch_size", 1)
        optimizer = model.optimizer
        type(optimizer)(**optimizer.settings())  # settings changed since: checked again
        self.model = model
        self.inputs, self.targets = batching.dataset(model, X, y, "fit")
        self.epochs, self.batch_size = epochs, batch_size
        self.validation_data, self.shuffle, self.callback = validation_data, shuffle, callback
        self.factor = schedule_factor(schedule)
        self.batches = (self.inputs.n + batch_size - 1) // batch_size

    def run(self):
        """Train for every epoch; return one record per epoch.  The
        optimizer's learning rate is the same afterwards as before."""
        optimizer = self.model.optimizer
        base_rate = optimizer.learning_rate
        try:
            return [self.epoch(epoch, base_rate) for epoch in range(1, self.epochs + 1)]
        finally:
            optimizer.learning_rate = base_rate

    def epoch(self, epoch, base_rate):
        """Train one epoch; return its record."""
        model, inputs, targets, n = self.model, self.inputs, self.targets, self.inputs.n
        started = clock()
        order = list(range(n))
        if self.shuffle:
            model._rng.shuffle(order)
        total, correct = 0.0, 0
        for batch, start in enumerate(range(0, n, self.batch_size), 1):
            index = order[start:start + self.batch_size]
            Xb, (Yb, labels) = inputs.take(index), targets.take(index)
            if self.factor is not None:
                done = ((epoch - 1) * self.batches + batch - 1) / (self.epochs * self.batches)
                model.optimizer.learning_rate = _scaled(base_rate, self.factor(done), done)
            try:
                loss, out = model._step(Xb, Yb)
            except TinynetError as err:
                raise TinynetError("%s (epoch %d, batch %d)" % (err, epoch, batch)) from None
            total += loss * len(index)
            if labels is not None:
                correct += count_equal(classes(out), labels)
            if self.callback is not None:
                self.callback({"event": "batch", "epoch": epoch, "epochs": self.epochs,
                               "batch": batch, "batches": self.batches,
                               "loss": total / (start + len(index))})
        if not all(p.all_finite() for p in model.weights + model.biases):
            raise TinynetError("the weights became nan or inf during epoch %d; try a smaller "
                               "learning_rate (now %g)" % (epoch, base_rate))
        record = {"epoch": epoch, "loss": total / n}
        if targets.classes:
            record["accuracy"] = correct / n
        if self.validation_data is not None:
            for key, value in model.evaluate(*self.validation_data).items():
                record["val_" + key] = value
        record["seconds"] = clock() - started
        if self.callback is not None:
            event = {"event": "epoch", "epochs": self.epochs}
            event.update(record)
            self.callback(event)
        return record
