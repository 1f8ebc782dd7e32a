"""The progress bar: redrawn in place on a terminal, one line per job in a log."""

import io

from tinynet import DNN
from tinynet.cli.progress import Progress, TrainingProgress


class Terminal(io.StringIO):
    def isatty(self):
        return True


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
