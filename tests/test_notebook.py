"""examples/notebook.ipynb, executed in a real Jupyter kernel: every cell runs
and Jupyter gets the pictures inline (SVG charts, PNG pictures, the model's
HTML table).  Runs in the notebook tox env, the only one that installs the
notebook tools; elsewhere it skips."""

import json
import os

import pytest

from conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = os.path.join(ROOT, "examples", "notebook.ipynb")


def test_the_committed_notebook_has_no_outputs():
    with open(NOTEBOOK, encoding="utf-8") as f:
        cells = json.load(f)["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["source"]


def test_the_notebook_runs_and_shows_its_pictures_inline(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    shown = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            kinds = set()
            for output in cell.outputs:
                assert output.output_type != "error", output
                kinds.update(output.get("data", {}))
                if output.output_type == "stream":
                    kinds.add("stream:" + output.text.split("\n", 1)[0])
            shown[cell.source.split("\n")[-1].split("#")[0].strip()] = kinds
    assert "image/svg+xml" in shown["plots.curves(history)"]
    assert "image/svg+xml" in shown["plots.confusion(model, X_test, y_test)"]
    assert "image/png" in shown["plots.weights(model)"]
    assert "image/png" in shown["[predicted[i] for i in wrong])"]
    assert "text/html" in shown["model"]
    assert any(k.startswith("stream:Model: DNN") for k in shown["model.summary()"])
    assert (tmp_path / "curves.svg").read_text().startswith("<svg")
