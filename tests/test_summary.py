"""model.summary(), the table `show MODEL` prints, and the notebook's HTML."""

from html.parser import HTMLParser

import pytest

from tinynet import DNN, summary
from tinynet.cli import main


def table_rows(text):
    """The rows between the two ===== rules, split into columns."""
    lines = text.splitlines()
    rules = [i for i, line in enumerate(lines) if line and set(line) == {"="}]
    assert len(rules) == 2, text
    return [line.split() for line in lines[rules[0] + 1:rules[1]]]


def test_summary_lists_layers_shapes_parameters_and_settings():
    model = DNN([784, 128, 64, 10], activation="tanh", optimizer="momentum",
                learning_rate=0.05, l2=1e-4, seed=0, backend="python")
    printed = []
    assert model.summary(print_fn=printed.append) is None
    text, = printed
    assert text == summary.text(model)
    assert table_rows(text) == [
        ["input", "(None,", "784)", "0", "-"],
        ["dense_1", "(None,", "128)", "100,480", "tanh"],
        ["dense_2", "(None,", "64)", "8,256", "tanh"],
        ["dense_3", "(None,", "10)", "650", "softmax"],
    ]
    assert "Layer" in text and "Output shape" in text and "Param #" in text
    assert "Total params: 109,386 (854.6 KiB as float64)" in text
    assert "Loss: cross_entropy" in text
    assert "Optimizer: momentum (" in text
    for setting in ("learning_rate=0.05", "l2=0.0001", "momentum=0.9"):
        assert setting in text
    assert "Backend: python, float64" in text
    assert text.splitlines()[0] == "Model: DNN, layers 784 -> 128 -> 64 -> 10"


def test_the_columns_line_up():
    text = summary.text(DNN([3, 1000, 2], optimizer="adam", seed=0, backend="python"))
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("Layer"))
    ends = {line.index("#") + 1 for line in lines if line.startswith("Layer")}
    for line in lines:
        if line.startswith(("input", "dense_")):
            numbers = line.split()[3]
            assert line.index(numbers) + len(numbers) in ends, (header, line)
    assert "beta1=0.9" in text and "beta2=0.999" in text


def test_summary_prints_by_default(capsys):
    DNN([2, 3, 2], seed=0, backend="python").summary()
    assert "Total params: 17 " in capsys.readouterr().out


@pytest.mark.parametrize("n, text", [(0, "0"), (999, "999"), (1000, "1,000"),
                                     (993760, "993,760"), (1234567, "1,234,567"),
                                     (-4200, "-4,200")])
def test_thousands(n, text):
    assert summary.thousands(n) == text


def test_html_for_notebooks_is_a_table_of_the_layers():
    model = DNN([4, 5, 3], seed=0, backend="python")

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.cells, self.open = [], []

        def handle_starttag(self, tag, attrs):
            self.open.append(tag)

        def handle_endtag(self, tag):
            assert self.open and self.open[-1] == tag or tag == "br"
            if self.open and self.open[-1] == tag:
                self.open.pop()

        def handle_startendtag(self, tag, attrs):
            pass

        def handle_data(self, data):
            if self.open and self.open[-1] == "td":
                self.cells.append(data)

    parser = Cells()
    parser.feed(model._repr_html_().replace("<br>", "<br/>"))
    assert parser.open == []
    assert parser.cells == ["input", "(None, 4)", "0", "dense_1", "(None, 5)", "25", "relu",
                            "dense_2", "(None, 3)", "18", "softmax"]


def test_show_model_prints_the_summary(tmp_path, capsys):
    model = DNN([784, 12, 10], optimizer="adam", seed=0, backend="python")
    model.save(tmp_path / "m.json")
    assert main(["show", str(tmp_path / "m.json"), "--backend", "python"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("model file: %s (JSON, " % (tmp_path / "m.json"))
    assert summary.text(model) in out
