# Doctests run over the package (see setup.cfg); where NumPy is not installed
# the modules that import it (the numpy backend, the NumPy CSV reader)
# cannot even be imported, so leave them out.
from importlib.util import find_spec

# tinynet/backends/native.py is MicroPython's (machine-code kernels): it
# refuses to import anywhere else.
collect_ignore = ["tinynet/backends/native.py"]
if find_spec("numpy") is None:
    collect_ignore += ["tinynet/backends/numpy_backend.py", "tinynet/backends/numpy_fast.py",
                       "tinynet/datasets/csv_numpy.py"]
