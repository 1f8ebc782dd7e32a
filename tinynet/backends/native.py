"""One sample's layer products in machine code, on MicroPython boards.

MicroPython compiles a function marked ``@micropython.viper`` or
``@micropython.native`` to the machine code of the board (where the port has
the emitter: the ARM, Xtensa, RISC-V and x86 ports do) instead of bytecode.
``backends/inplace.py`` uses this module, when it imports, for the products
of one sample (``classify(x)``, ``predict(x)``) through a compact model; where
it does not import (CPython, PyPy, a port without the emitter, a ``.mpy``
compiled for another architecture), the plain loops of ``packed.py`` run.
It imports only on MicroPython: nothing here is CPython code.

* int8 weights, in integers (viper): the weight in row ``k``, column ``j``
  is ``s[k] * (q - 128)``, so ``out[j] = sum(c[k] * (q[k, j] - 128))`` with
  ``c[k] = x[k] * s[k]``.  Each ``c[k]`` becomes a whole number of
  ``2 * bits`` bits, ``c[k] * 2**F`` for an ``F`` chosen from the layer's
  largest possible ``c``, split into a high and a low half of ``bits`` bits;
  the products are summed exactly, in two 32-bit sums per output, and the
  floats come back once per output.  28 bits per ``c`` (a float32 has 24):
  the outputs are the plain loops' to about a float32's rounding, not bit
  for bit (tests/test_board.py holds them to the same classes for every
  digit).  Raw pixels (``bytes``, ``bytearray``, ``array('B')``) go in as
  they are: ``x[k] * s[k]`` is taken from the float32 bits of ``s[k]``
  without making a float.
* float32 weights (native): the plain loop, compiled to machine code.

A compiler without the architecture (``mpy-cross`` without ``-march``)
cannot compile this module: ``python -m tinynet board`` compiles it only
with ``--arch``, and its ``--freeze`` manifest freezes it only where the
port names one (the ARM, ESP32 and RISC-V ports do).
"""

import sys

if sys.implementation.name != "micropython":
    raise ImportError("machine-code kernels are for MicroPython")

import math

import micropython
from array import array


@micropython.viper
def _int8_pixels(x: ptr8, first: int, count: int, s: ptr32, q: ptr8, n: int,
                 hi: ptr32, lo: ptr32, bits: int, f: int):
    """Add rows ``first`` to ``first + count`` of ``x @ W`` into ``hi``,
    ``lo`` (``W``: ``count`` rows of ``n`` bytes in ``q``, scales ``s``;
    ``x``: bytes); ``c = x[k] * s[k] * 2**f`` from ``s[k]``'s bits."""
    mask = (1 << bits) - 1
    start = 0
    k = 0
    while k < count:
        xk = x[first + k]
        if xk:
            word = uint(s[first + k])
            e = int((word >> 23) & 0xFF)
            shift = 150 - e - f  # s = m * 2**(e - 150), m the 24-bit mantissa
            if e and shift >= 0 and shift < 32:
                c = int((uint(xk) * ((word & 0x7FFFFF) | 0x800000)) >> uint(shift))
                h = c >> bits
                l = c & mask
                j = 0
                while j < n:
                    w = q[start + j] - 128
                    hi[j] += h * w
                    lo[j] += l * w
                    j += 1
        start += n
        k += 1


@micropython.viper
def _int8_row(q: ptr8, start: int, n: int, hi: ptr32, lo: ptr32, h: int, l: int):
    """Add ``(h * 2**bits + l) * (q[start:start + n] - 128)`` into ``hi``, ``lo``."""
    j = 0
    while j < n:
        w = q[start + j] - 128
        hi[j] += h * w
        lo[j] += l * w
        j += 1


@micropython.native
def _float32(x, blocks, counts, out, scale):
    # (packed._times_float32, compiled to machine code)
    n = len(out)
    for j in range(n):
        out[j] = 0.0
    k = 0
    for b in range(len(blocks)):
        w, start = blocks[b], 0
        for _ in range(counts[b]):
            v = x[k]
            if v:
                if scale != 1.0:
                    v = v * scale
                for j in range(n):
                    out[j] += v * w[start + j]
            start += n
            k += 1


def _bits(rows):
    """The bits of each half of ``c``: at most 14, and few enough that
    ``rows`` products of a half and a weight (-127..127) fit 31 bits."""
    bits = 14
    while bits and ((1 << bits) + 1) * 127 * rows >= 1 << 31:
        bits -= 1
    return bits


class Layers:
    """The machine-code products of one model (see the module doc): work
    buffers made once, and per weight matrix its bits and largest scale."""

    def __init__(self, weights):
        n = max(w.cols for w in weights)
        self.hi, self.lo = array("i", range(n)), array("i", range(n))
        self.bits, self.top = [], []
        for w in weights:
            bits = _bits(w.rows) if w.scales is not None else 0
            self.bits.append(bits if bits >= 8 else 0)
            self.top.append(max(w.scales[k] for k in range(w.rows)) if self.bits[-1] else 0.0)

    def layer(self, l, w, x, scale, out, bias):
        """Set ``out`` to ``(x * scale) @ w + bias`` (the layer ``l``'s
        weights ``w``); return False, changing nothing, where this does
        not apply (the plain loops then do it)."""
        if w.scales is None:
            _float32(x, w.blocks, w.counts, out, scale)
            for j in range(len(out)):
                out[j] = out[j] + 1.0 * bias[j]
            return True
        bits = self.bits[l]
        if not bits:
            return False
        hi, lo, n = self.hi, self.lo, w.cols
        for j in range(n):
            hi[j] = 0
            lo[j] = 0
        pixels = isinstance(x, (bytes, bytearray)) or getattr(x, "typecode", "") == "B"
        big = 255 if pixels else max(max(x), -min(x))
        f = 2 * bits - math.frexp(big * self.top[l])[1] if big and self.top[l] else 0
        if f and pixels:
            first = 0
            for b in range(len(w.blocks)):
                _int8_pixels(x, first, w.counts[b], w.scales, w.blocks[b], n, hi, lo, bits, f)
                first += w.counts[b]
        elif f:
            s, mask, times = w.scales, (1 << bits) - 1, math.ldexp(1.0, f)
            k = 0
            for b in range(len(w.blocks)):
                q, start = w.blocks[b], 0
                for _ in range(w.counts[b]):
                    v = x[k]
                    if v:
                        c = int(v * times * s[k])
                        _int8_row(q, start, n, hi, lo, c >> bits, c & mask)
                    start += n
                    k += 1
        high, low = math.ldexp(scale, bits - f), math.ldexp(scale, -f)
        for j in range(n):
            out[j] = (hi[j] * high + lo[j] * low) + bias[j]
        return True
