"""What ``fit`` and ``evaluate`` return: plain data that also answers the
way Keras users reach for it.

``fit`` returns a :class:`History`: the list of one record (a dict) per
epoch that it always was, which also offers Keras's ``history.history``
(a dict of lists) and ``history.epoch``.  ``evaluate`` returns
:class:`Scores`: the dict it always was (``{"loss": ..., "accuracy":
...}``), which unpacks as ``loss, accuracy = model.evaluate(X, y)``.
"""


class History(list):
    """The records of a :meth:`DNN.fit` run, one dict per epoch, in order:
    a list (index it, loop over it, compare it with a list, save it as
    JSON), with Keras's views of the same numbers.

    >>> h = History([{"epoch": 1, "loss": 0.5, "accuracy": 0.8},
    ...              {"epoch": 2, "loss": 0.25, "accuracy": 0.9}])
    >>> h[-1]["loss"], h.history["loss"], h.epoch
    (0.25, [0.5, 0.25], [1, 2])
    """

    #: What fit was asked for: epochs, batch_size and the batches (steps) per epoch.
    params = None

    @property
    def history(self):
        """Each score as a list over the epochs: ``{"loss": [...],
        "accuracy": [...], "val_loss": [...], ...}`` (Keras's form; the
        epoch numbers are :attr:`epoch`)."""
        keys = []
        for record in self:
            keys.extend(k for k in record if k != "epoch" and k not in keys)
        return {k: [record.get(k) for record in self] for k in keys}

    @property
    def epoch(self):
        """The epochs' numbers, counted from 1 as the records and the
        progress lines count them (Keras counts from 0)."""
        return [record["epoch"] for record in self]


class Scores(dict):
    """What :meth:`DNN.evaluate` returns: the dict ``{"loss": ...,
    "accuracy": ...}`` (a regression has no accuracy).  Iterating it gives
    its *values*, loss first, so it unpacks as Keras's ``evaluate`` list
    does: ``loss, accuracy = model.evaluate(X, y)`` (for a regression,
    ``(loss,) = model.evaluate(X, y)``, or ``model.evaluate(X, y)["loss"]``).
    Everything else is a dict's: ``scores["accuracy"]``, ``scores.items()``,
    ``dict(scores)``, JSON.

    >>> scores = Scores(loss=0.25, accuracy=0.875)
    >>> loss, accuracy = scores
    >>> loss, accuracy, scores["accuracy"], sorted(scores.keys())
    (0.25, 0.875, 0.875, ['accuracy', 'loss'])
    """

    def __iter__(self):
        order = ["loss"] + sorted(k for k in self.keys() if k != "loss")
        return iter([self[k] for k in order if k in self])
