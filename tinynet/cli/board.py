"""What goes onto a board: the core of tinynet, by rule.

The core is every module at the top of the ``tinynet`` package and in
``tinynet/backends`` except the NumPy backend; the desktop subpackages
(``datasets``, ``cli``, ``plots``) and ``__main__`` stay behind.  A test
checks that the core never imports them.
"""

import os

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DESKTOP = ("__main__.py", "backends/numpy_backend.py")


def core_files(package=PACKAGE):
    """Return the core's source files, relative to the package directory
    (``/``-separated), sorted."""
    found = []
    for folder in ("", "backends/"):
        for name in sorted(os.listdir(os.path.join(package, folder or "."))):
            relative = folder + name
            if name.endswith(".py") and relative not in DESKTOP:
                found.append(relative)
    return found
