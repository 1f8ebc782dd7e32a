"""A progress bar for long jobs, written with the standard library only.

On a terminal it redraws one line in place (at most ten times a second):

    epoch 2/10 [###########.........]  55%  258/469  1,024 batch/s  0:03<0:02  loss 0.1123

When the output is not a terminal (a CI log, a pipe) it draws nothing while
running, so logs get only the finished line of each job.  The library
prints only when asked: ``fit(..., verbose=1)`` (a bar on a terminal) or
``verbose=2`` (a line per epoch) draw with :class:`TrainingProgress`, and
the command line does the same through ``fit``'s callback.  Imported only
then (a board never needs it).
"""

import sys

from .rng import clock


def _clock(seconds):
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return "%d:%02d:%02d" % (h, m, s) if h else "%d:%02d" % (m, s)


class Progress:
    """Progress through ``total`` steps of a job called ``label``."""

    def __init__(self, total, label="", unit="it", stream=None, live=None, width=24):
        self.total, self.label, self.unit, self.width = total, label, unit, width
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.live = live if live is not None else bool(isatty and isatty())
        self.started = clock()
        self.drawn = 0.0
        self.done = 0
        self.info = ""

    def line(self, done=None, info=None):
        """Return the text of the bar at ``done`` steps."""
        done = self.done if done is None else done
        info = self.info if info is None else info
        elapsed = clock() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        parts = [self.label] if self.label else []
        if self.total:
            fraction = min(done / self.total, 1.0)
            filled = int(fraction * self.width)
            parts.append("[%s%s] %3d%%" % ("#" * filled, "." * (self.width - filled),
                                           round(100 * fraction)))
            parts.append("%d/%d" % (done, self.total))
            left = (self.total - done) / rate if rate > 0 else 0.0
            timing = "%s<%s" % (_clock(elapsed), _clock(left))
        else:
            parts.append("%d" % done)
            timing = _clock(elapsed)
        parts.append("{:,.0f} {}/s".format(rate, self.unit))
        parts.append(timing)
        if info:
            parts.append(info)
        return "  ".join(parts)

    def update(self, done, info=""):
        """Record ``done`` steps and, on a terminal, redraw if it is time."""
        self.done, self.info = done, info
        now = clock()
        if self.live and (now - self.drawn >= 0.1 or done >= self.total):
            self.drawn = now
            self.stream.write("\r" + self.line() + "\x1b[K")
            self.stream.flush()

    def finish(self, text=None):
        """End the bar with ``text`` (or its last state) on a line of its own."""
        text = self.line() if text is None else text
        self.stream.write(("\r" + text + "\x1b[K\n") if self.live else text + "\n")
        self.stream.flush()


class TrainingProgress:
    """A callback for :meth:`DNN.fit` that draws a bar per epoch and prints
    one summary line when each epoch ends (the validation scores called
    ``validation``: "val", or "test" where the command line passes the test
    set); a regression (no accuracy) shows its losses only."""

    def __init__(self, stream=None, live=None, validation="val"):
        self.stream, self.live, self.validation = stream, live, validation
        self.bar = None

    def __call__(self, event):
        if event["event"] == "batch":
            if self.bar is None:
                self.bar = Progress(event["batches"], "epoch %d/%d" % (event["epoch"], event["epochs"]),
                                    "batch", self.stream, self.live)
            self.bar.update(event["batch"], "loss %.4f" % event["loss"])
            return
        if event["event"] != "epoch":
            return
        text = "epoch %d/%d  %s" % (event["epoch"], event["epochs"], scores_text(event))
        if "val_loss" in event:
            text += "  " + scores_text(event, "val_", self.validation + " ")
        text += "  %.1fs" % event["seconds"]
        bar = self.bar or Progress(0, stream=self.stream, live=self.live)
        bar.finish(text)
        self.bar = None


def scores_text(scores, key="", name=""):
    """``"loss 0.1234  accuracy 96.50%"`` for a record's scores (those whose
    keys start with ``key``, named with ``name`` before each); no accuracy
    for a regression."""
    text = "%sloss %.4f" % (name, scores[key + "loss"])
    if key + "accuracy" in scores:
        text += "  %saccuracy %.2f%%" % (name, 100 * scores[key + "accuracy"])
    return text
