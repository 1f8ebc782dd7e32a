# Doctests run over the package (see setup.cfg); where NumPy is not installed
# the numpy backend module cannot even be imported, so leave it out.
from importlib.util import find_spec

collect_ignore = []
if find_spec("numpy") is None:
    collect_ignore.append("tinynet/backends/numpy_backend.py")
