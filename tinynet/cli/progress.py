"""A progress bar for long jobs, written with the standard library only.

On a terminal it redraws one line in place (at most ten times a second):

    epoch 2/10 [###########.........]  55%  258/469  1,024 batch/s  0:03<0:02  loss 0.1123

When the output is not a terminal (a CI log, a pipe) it draws nothing while
running, so logs get only the finished line of each job.  The library never
prints by itself: the command line makes these from ``fit``'s callback.
"""

import sys
import time


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
        self.started = time.perf_counter()
        self.drawn = 0.0
        self.done = 0
        self.info = ""

    def line(self, done=None, info=None):
        """Return the text of the bar at ``done`` steps."""
        done = self.done if done is None else done
        info = self.info if info is None else info
        elapsed = time.perf_counter() - self.started
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
        now = time.perf_counter()
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
    one summary line when each epoch ends."""

    def __init__(self, stream=None, live=None):
        self.stream, self.live = stream, live
        self.bar = None

    def __call__(self, event):
        if event["event"] == "batch":
            if self.bar is None:
                self.bar = Progress(event["batches"], "epoch %d/%d" % (event["epoch"], event["epochs"]),
                                    "batch", self.stream, self.live)
            self.bar.update(event["batch"], "loss %.4f" % event["loss"])
            return
        text = "epoch %d/%d  loss %.4f  accuracy %.2f%%" % (
            event["epoch"], event["epochs"], event["loss"], 100 * event["accuracy"])
        if "val_accuracy" in event:
            text += "  test loss %.4f  test accuracy %.2f%%" % (event["val_loss"],
                                                                100 * event["val_accuracy"])
        text += "  %.1fs" % event["seconds"]
        bar = self.bar or Progress(0, stream=self.stream, live=self.live)
        bar.finish(text)
        self.bar = None
