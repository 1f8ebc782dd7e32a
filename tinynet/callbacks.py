"""Early stopping, a Keras-like callback for :meth:`DNN.fit`.

``fit`` calls the callbacks it is given (``callback=`` one, ``callbacks=``
a list) with a dict after every batch and every epoch.  An object may
instead (or as well) have Keras's methods, which fit calls when it has
them: ``set_model(model)`` and ``on_train_begin(logs)`` before the first
epoch, ``on_epoch_end(epoch, logs)`` after each (``epoch`` counted from 0,
as Keras counts; ``logs`` the epoch's record) and ``on_train_end(logs)``
at the end.  Setting ``model.stop_training = True`` ends training after
the current epoch, as in Keras.
"""

from .errors import shown

_MODES = ("auto", "min", "max")


class EarlyStopping:
    """Stop training when ``monitor`` ("val_loss" by default; or "loss",
    "accuracy", "val_accuracy") has not improved by more than ``min_delta``
    for ``patience`` epochs in a row, and (``restore_best_weights``, True by
    default, unlike Keras) give the model back the weights of its best epoch,
    whether training stopped early or ran all its epochs.  ``mode`` "auto"
    minimises losses and maximises accuracies.

    After fit, :attr:`best_epoch` (counted from 1, as the records count),
    :attr:`best` and :attr:`stopped_epoch` (None if it ran to the end) say
    what happened.
    """

    def __init__(self, monitor="val_loss", patience=0, min_delta=0.0, mode="auto",
                 restore_best_weights=True):
        from .optim import check_number

        if not isinstance(monitor, str):
            raise TypeError("monitor must be the name of a score, like 'val_loss', not %s"
                            % shown(monitor))
        if not isinstance(patience, int) or isinstance(patience, bool) or patience < 0:
            raise ValueError("patience must be an int >= 0, not %s" % shown(patience))
        if mode not in _MODES:
            raise ValueError("mode must be one of %s, not %s" % (", ".join(_MODES), shown(mode)))
        if restore_best_weights not in (True, False):
            raise TypeError("restore_best_weights must be True or False, not %s"
                            % shown(restore_best_weights))
        self.monitor, self.patience, self.mode = monitor, patience, mode
        self.min_delta = check_number(min_delta, "min_delta", 0)
        self.restore_best_weights = restore_best_weights
        self.model = None
        self.on_train_begin()

    def __repr__(self):
        return "EarlyStopping(monitor=%r, patience=%r, min_delta=%r, mode=%r, " \
            "restore_best_weights=%r)" % (self.monitor, self.patience, self.min_delta, self.mode,
                                          self.restore_best_weights)

    def check(self, reported):
        """Refuse, before training, a monitor that the run does not report
        (``reported``: the scores its records will hold)."""
        if self.monitor not in reported:
            hint = " (give validation_data or validation_split, or monitor 'loss')" \
                if self.monitor.startswith("val_") and "val_loss" not in reported else ""
            raise ValueError("early stopping monitors %r, which this fit does not report: it "
                             "reports %s%s" % (self.monitor, ", ".join(reported), hint))

    def _lower_is_better(self):
        if self.mode == "auto":
            return "acc" not in self.monitor
        return self.mode == "min"

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None):
        self.best = self.best_epoch = self.stopped_epoch = None
        self.wait, self._weights, self.restored = 0, None, False

    def on_epoch_end(self, epoch, logs):
        value = logs[self.monitor]
        if self.best is None or (value < self.best - self.min_delta if self._lower_is_better()
                                 else value > self.best + self.min_delta):
            self.best, self.best_epoch, self.wait = value, epoch + 1, 0
            if self.restore_best_weights:
                self._weights = [p.copy() for p in self.model.weights + self.model.biases]
            return
        self.wait += 1
        if self.wait >= max(self.patience, 1):
            self.stopped_epoch = epoch + 1
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        """Give the model its best epoch's weights (if it has not them now)."""
        if self._weights is not None and self.wait:
            n = len(self.model.weights)
            self.model.weights, self.model.biases = self._weights[:n], self._weights[n:]
            self.restored = True
        self._weights = None  # (a copy of the network held no longer than needed)

    def outcome(self):
        """What happened, in a line (None if training ran to the end with
        its last epoch the best): what fit's ``verbose`` prints."""
        if not (self.stopped_epoch or self.restored):
            return None
        text = "early stopping: %s was best in epoch %d (%.4f)" % (
            self.monitor, self.best_epoch, self.best)
        if self.stopped_epoch:
            text += "; stopped after epoch %d, %d without improvement" % (
                self.stopped_epoch, self.wait)
        if self.restored:
            text += "; restored epoch %d's weights" % self.best_epoch
        return text


def early_stopping(value):
    """Return the EarlyStopping that fit's ``early_stopping`` asks for: an
    EarlyStopping, True (the defaults), an int (the patience), or None/False
    (none)."""
    if value is None or value is False:
        return None
    if value is True:
        return EarlyStopping()
    if isinstance(value, EarlyStopping):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return EarlyStopping(patience=value)
    raise TypeError("early_stopping must be an EarlyStopping, True, a patience (an int >= 0) or "
                    "None, not %s" % shown(value))
