"""examples/notebook.ipynb is committed with its outputs, so that its charts
show where the repository is browsed; and those outputs are what a fresh run
gives, in kind (the SVG and PNG pictures, the model's HTML table, the text),
not byte for byte.

The committed outputs are checked everywhere (plain JSON).  Running the
notebook in a real Jupyter kernel needs the notebook tools: the notebook
tox env installs them; elsewhere that test skips.  To refresh the outputs
after changing the notebook or the pictures, run it and save it (Jupyter's
"Restart and run all", or ``jupyter nbconvert --to notebook --execute
--inplace examples/notebook.ipynb``), keeping the file under MAX_BYTES.
"""

import base64
import json
import os
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT

NOTEBOOK = os.path.join(ROOT, "examples", "notebook.ipynb")
MAX_BYTES = 300 * 1000
#: The last line of a cell -> the kind of output it must show.
PICTURES = {
    "plots.curves(history)": "image/svg+xml",
    "plots.confusion(model, X_test, y_test)": "image/svg+xml",
    "[predicted[i] for i in wrong])": "image/png",
    "plots.weights(model)": "image/png",
    "model": "text/html",
}


def last_line(source):
    source = "".join(source) if isinstance(source, list) else source
    return source.rstrip().split("\n")[-1].split("#")[0].strip()


def kinds(outputs):
    """What a cell shows: its outputs' types and MIME types, and the first
    word of each printed stream."""
    found = []
    for output in outputs:
        data = output.get("data", {})
        text = output.get("text", "")
        text = "".join(text) if isinstance(text, list) else text
        found.append((output["output_type"], tuple(sorted(data)),
                      text.split(" ", 1)[0] if text else ""))
    return found


def committed():
    with open(NOTEBOOK, encoding="utf-8") as f:
        return json.load(f)


def test_the_committed_notebook_shows_its_pictures():
    assert os.path.getsize(NOTEBOOK) < MAX_BYTES
    cells = [c for c in committed()["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1))  # run in order
    shown = {}
    for cell in cells:
        assert cell["outputs"], "".join(cell["source"])
        for output in cell["outputs"]:
            assert output["output_type"] != "error", output
        shown[last_line(cell["source"])] = cell["outputs"]
    for line, mime in PICTURES.items():
        data = [o["data"][mime] for o in shown[line] if mime in o.get("data", {})]
        assert data, (line, mime)
        content = "".join(data[0]) if isinstance(data[0], list) else data[0]
        if mime == "image/svg+xml":
            assert ET.fromstring(content).tag == "{http://www.w3.org/2000/svg}svg"
        elif mime == "image/png":
            assert base64.b64decode(content)[:8] == b"\x89PNG\r\n\x1a\n"
        else:
            assert "<table" in content
    summary = [o for o in shown["model.summary()"] if o["output_type"] == "stream"]
    assert "".join(summary[0]["text"]).startswith("Model: DNN")


def test_a_fresh_run_shows_the_same_kinds_of_output(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    fresh = [kinds(c.outputs) for c in nb.cells if c.cell_type == "code"]
    saved = [kinds(c["outputs"]) for c in committed()["cells"] if c["cell_type"] == "code"]
    assert fresh == saved
    assert os.listdir(tmp_path) == []  # the notebook saves into a folder it removes
