"""The sdist and the wheel build, install into a clean venv with no NumPy,
import, and work.  Slow (it builds and runs pip): run by ``tox -e package``."""

import glob
import os
import subprocess
import sys
import venv

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow
pytest.importorskip("build", reason="needs the build package (pip install build)")

SMOKE = (
    "import sys, tinynet\n"
    "net = tinynet.DNN([2, 4, 2], seed=0)\n"
    "net.fit([[0, 0], [1, 1]], [0, 1], epochs=2)\n"
    "assert net.backend == 'python' and 'numpy' not in sys.modules\n"
    "print(tinynet.__version__)\n"
)


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), ROOT], check=True,
                   capture_output=True)
    return out


@pytest.mark.parametrize("pattern", ["*-py3-none-any.whl", "*.tar.gz"])
def test_distribution_installs_and_imports(dist, tmp_path, pattern):
    found = glob.glob(str(dist / pattern))
    assert len(found) == 1, os.listdir(dist)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / ("Scripts" if os.name == "nt" else "bin") / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", found[0]], check=True)
    result = subprocess.run([python, "-c", SMOKE], capture_output=True, text=True,
                            cwd=str(tmp_path))  # not the repo: import the installed copy
    assert result.returncode == 0, result.stderr
    import tinynet

    assert result.stdout.strip() == tinynet.__version__
    script = str(env_dir / ("Scripts" if os.name == "nt" else "bin") / "tinynet")
    console = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert console.returncode == 0 and console.stdout.strip() == "tinynet " + tinynet.__version__
    size = os.path.getsize(found[0])
    assert size < 2 * 1024 * 1024, "distribution is %d bytes" % size
