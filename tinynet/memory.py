"""How much memory a network's weights take, and refusing one that cannot fit.

``DNN([784, 10**9, 10])`` would otherwise fill memory with Python floats
for minutes before failing; :func:`check_memory` refuses it at once, with
the figure.
"""

from .errors import TinynetError, grouped, size_text


def parameter_count(sizes):
    """Return the number of weights and biases of a network of layer widths ``sizes``.

    >>> parameter_count([784, 128, 10])
    101770
    """
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


#: Bytes a weight takes at least, as a float in a list, by interpreter:
#: CPython boxes each float (24 bytes) behind an 8-byte slot; PyPy stores a
#: list of floats unboxed; MicroPython keeps small floats in the slot itself
#: on many boards.  A lower bound: a network refused surely cannot fit.
LIST_FLOAT_BYTES = {"cpython": 32, "pypy": 8, "micropython": 4}


def check_memory(sizes, backend, dtype):
    """Refuse, before allocating anything, a network whose weights alone
    cannot fit in this machine's memory."""
    import sys

    n = parameter_count(sizes)
    python_float = LIST_FLOAT_BYTES.get(sys.implementation.name, 4)
    if backend == "python":
        each, how = python_float, "Python floats"
    else:
        each = 4 if "32" in str(dtype) else 8
        how = "float32" if each == 4 else "float64"
    # (the initial weights are drawn as Python floats a layer at a time)
    largest = max(a * b for a, b in zip(sizes, sizes[1:]))
    need = n * each + (0 if backend == "python" else python_float * largest)
    have = _memory_size()
    if have is not None and need > have:
        raise TinynetError(
            "DNN(%s) would need at least %s for its %s weights alone (as %s); this machine "
            "has %s of memory" % (_short(sizes), size_text(need), grouped(n), how, size_text(have)))


def _memory_size():
    """Return the bytes of memory this process may use (physical memory, or a
    lower address-space limit; the heap on MicroPython), or None if unknown."""
    try:
        import os

        size = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, AttributeError, ValueError, OSError):
        try:
            import gc

            size = gc.mem_free() + gc.mem_alloc()  # MicroPython's heap
        except (ImportError, AttributeError):
            size = None
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if soft != resource.RLIM_INFINITY and soft > 0:
            size = soft if size is None else min(size, soft)
    except (ImportError, AttributeError, ValueError, OSError):
        pass
    return size


def _short(sizes):
    text = "[%s]" % ", ".join(map(str, sizes))
    return text if len(text) <= 80 else text[:77] + "...]"
