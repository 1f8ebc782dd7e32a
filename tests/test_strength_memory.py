"""The memory estimate, figure by figure (issue 12, the tests' own strength)."""

import sys

import pytest

from tinynet.errors import size_text
from tinynet import DNN, TinynetError, memory
from tinynet.errors import grouped

from conftest import needs_numpy

# [10, 20, 5]: 10*20 + 20 + 20*5 + 5 = 325 parameters, the largest layer 200 weights.
SIZES = [10, 20, 5]
FLOAT = memory.LIST_FLOAT_BYTES.get(sys.implementation.name, 4)


def test_the_bytes_a_python_float_takes():
    assert memory.LIST_FLOAT_BYTES == {"cpython": 32, "pypy": 8, "micropython": 4}


def test_a_network_that_cannot_fit_is_refused_with_the_figures(monkeypatch):
    need = 325 * FLOAT
    monkeypatch.setattr(memory, "_memory_size", lambda: need - 1)
    with pytest.raises(TinynetError, match=r"^DNN\(\[10, 20, 5\]\) would need at least %s for its 325 "
                       r"weights alone \(as Python floats\); this machine has %s of memory$"
                       % (size_text(need).replace(".", r"\."), size_text(need - 1).replace(".", r"\."))):
        DNN(SIZES, backend="python")
    monkeypatch.setattr(memory, "_memory_size", lambda: need)  # exactly enough
    DNN(SIZES, backend="python")
    monkeypatch.setattr(memory, "_memory_size", lambda: None)  # unknown: never refused
    memory.check_memory([10 ** 6, 10 ** 6], "python", None)


@needs_numpy
@pytest.mark.parametrize("dtype, each", [("float64", 8), ("float32", 4)])
def test_numpy_needs_its_dtype_plus_one_layer_of_python_floats(monkeypatch, dtype, each):
    need = 325 * each + FLOAT * 200
    monkeypatch.setattr(memory, "_memory_size", lambda: need - 1)
    with pytest.raises(TinynetError, match=r"weights alone \(as %s\)" % dtype):
        DNN(SIZES, backend="numpy", dtype=dtype)
    monkeypatch.setattr(memory, "_memory_size", lambda: need)
    DNN(SIZES, backend="numpy", dtype=dtype)


def test_sizes_and_bytes_are_shown_briefly():
    cases = {0: "0 bytes", 1023: "1023 bytes", 1024: "1.0 KiB", 1536: "1.5 KiB",
             1024 ** 2 - 52: "1023.9 KiB", 1024 ** 2 - 51: "1.0 MiB", 1024 ** 2: "1.0 MiB",
             7 * 1024 ** 3: "7.0 GiB", 1024 ** 4 - 1: "1.0 TiB", 3 * 1024 ** 5: "3072.0 TiB"}
    for n, text in cases.items():
        assert size_text(n) == text
    assert memory._short([784, 30, 10]) == "[784, 30, 10]"
    long = memory._short(list(range(1000, 1100)))
    assert len(long) == 81 and long.endswith(", 1012...]") and long.startswith("[1000, 1001,")
    exact = [1] * 25 + [123]  # "[1, 1, ..., 12345]" is exactly 80 characters
    assert len(memory._short(exact)) == 80 and memory._short(exact).endswith(", 123]")
    assert [grouped(n) for n in (0, 999, 1000, 325, 1234567, -1234)] == \
        ["0", "999", "1,000", "325", "1,234,567", "-1,234"]


def test_the_memory_size_is_the_smaller_of_memory_and_the_address_space_limit(monkeypatch):
    import os
    import resource

    monkeypatch.setattr(os, "sysconf", lambda name: {"SC_PHYS_PAGES": 1000, "SC_PAGE_SIZE": 4096}[name])
    monkeypatch.setattr(resource, "getrlimit", lambda which: (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    assert memory._memory_size() == 4096000
    monkeypatch.setattr(resource, "getrlimit", lambda which: (123456, resource.RLIM_INFINITY))
    assert memory._memory_size() == 123456
    monkeypatch.setattr(resource, "getrlimit", lambda which: (10 ** 9, resource.RLIM_INFINITY))
    assert memory._memory_size() == 4096000
    monkeypatch.setattr(resource, "getrlimit", lambda which: (0, resource.RLIM_INFINITY))
    assert memory._memory_size() == 4096000

    def no_sysconf(name):
        raise ValueError(name)

    monkeypatch.setattr(os, "sysconf", no_sysconf)
    assert memory._memory_size() is None
    monkeypatch.setattr(resource, "getrlimit", lambda which: (5000, resource.RLIM_INFINITY))
    assert memory._memory_size() == 5000
