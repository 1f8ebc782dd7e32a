"""One sample's layer products in machine code, on MicroPython boards.

MicroPython compiles a function marked ``@micropython.viper`` or
``@micropython.native`` to the machine code of the board (where the port has
the emitter: the ARM, Xtensa, RISC-V and x86 ports do) instead of bytecode.
``backends/inplace.py`` uses this module, when it imports, for the products
of one sample (``classify(x)``, ``predict(x)``) through a compact model; where
it does not import (CPython, PyPy, a port without the emitter, a ``.mpy``
compiled for another architecture), the plain loops of ``packed.py`` run.
It imports only on MicroPython: nothing here is CPython code.

Both kinds of weights are computed in integers (viper: machine words, no
float objects), read where they lie (``ptr8``/``ptr32`` on the flash):

* int8 weights: the weight in row ``k``, column ``j`` is ``s[k] * (q -
  128)``, so ``out[j] = sum(c[k] * (q[k, j] - 128))`` with ``c[k] = x[k] *
  s[k]``.  Each ``c[k]`` becomes a whole number of ``2 * bits`` bits (28 for
  a 784-wide layer), ``c[k] * 2**f`` for an ``f`` chosen from the layer's
  largest possible ``c``, split into a high and a low half.  Raw pixels
  (``bytes``, ``bytearray``, ``array('B')``) go in as they are: ``x[k] *
  s[k]`` is taken from the float32 bits of ``s[k]``, without a float.
* float32 weights: each weight becomes a whole number of 24 bits, ``v =
  weight * 2**(150 - top)`` for ``top`` from the layer's largest exponent
  (its mantissa shifted right, from its bits), split in halves; a pixel
  multiplies the halves, a float input's ``c`` is split in halves too (24
  bits each for a layer up to about 100 inputs wide, 20 for 784).

The products are summed exactly, in two or three 32-bit sums per output
(the halves' bits are chosen so that no sum can overflow), and the floats
come back once per output.  The outputs are the plain loops' to about a
float32's rounding, not bit for bit (tests/test_board.py: within 1e-5,
and the same class for every digit).

A compiler without the architecture (``mpy-cross`` without ``-march``)
cannot compile this module: ``python -m tinynet board`` compiles it only
with ``--arch`` (else it copies the source, which the board compiles when
importing it), and its ``--freeze`` manifest freezes it only where the port
names one (the ARM, ESP32 and RISC-V ports do).
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


@micropython.viper
def _top(w: ptr32, count: int) -> int:
    """The largest exponent (bits 23-30) of the ``count`` float32 numbers ``w``."""
    top = 0
    i = 0
    while i < count:
        e = int((uint(w[i]) >> 23) & 0xFF)
        if e > top:
            top = e
        i += 1
    return top


@micropython.viper
def _float32_pixels(x: ptr8, first: int, count: int, w: ptr32, n: int,
                    hi: ptr32, lo: ptr32, bits: int, top: int):
    """Add rows ``first`` to ``first + count`` of ``x @ W`` into ``hi``,
    ``lo`` (``x``: bytes; ``W``: ``count`` rows of ``n`` float32 numbers in
    ``w``, each taken as the whole number ``v = weight * 2**(150 - top)``,
    its mantissa shifted right by ``top - exponent``, split in halves)."""
    mask = (1 << bits) - 1
    start = 0
    k = 0
    while k < count:
        xk = int(x[first + k])
        if xk:
            j = 0
            while j < n:
                word = uint(w[start + j])
                e = int((word >> 23) & 0xFF)
                shift = top - e
                if e and shift < 24:
                    v = int((word & 0x7FFFFF) | 0x800000) >> shift
                    if word >> 31:
                        v = -v
                    hi[j] += xk * (v >> bits)
                    lo[j] += xk * (v & mask)
                j += 1
        start += n
        k += 1


@micropython.viper
def _float32_row(w: ptr32, start: int, n: int, a: ptr32, b: ptr32, d: ptr32, bits: int,
                 top: int, ch: int, cl: int):
    """Add ``(ch * 2**bits + cl) * v`` for the row of ``n`` float32 numbers at
    ``w[start:]`` (``v`` as in _float32_pixels, in halves ``h``, ``l``):
    ``ch * h`` into ``a``, ``ch * l + cl * h`` into ``b``, ``cl * l`` into ``d``."""
    mask = (1 << bits) - 1
    j = 0
    while j < n:
        word = uint(w[start + j])
        e = int((word >> 23) & 0xFF)
        shift = top - e
        if e and shift < 24:
            v = int((word & 0x7FFFFF) | 0x800000) >> shift
            if word >> 31:
                v = -v
            h = v >> bits
            l = v & mask
            a[j] += ch * h
            b[j] += ch * l + cl * h
            d[j] += cl * l
        j += 1


@micropython.viper
def _byte(hold: ptr32, wide: int, offset: int) -> int:
    """The byte at ``offset`` in the object that ``hold``'s first item is
    (its address: one word, or two of 32 bits where ``wide``)."""
    address = uint(hold[0])
    if wide:
        address = address | (uint(hold[1]) << 32)
    return int(ptr8(address)[offset])


def _layout():
    """Where :func:`typecode` finds an array's typecode: whether an address
    is 64 bits, and the offset of the typecode in the object (after the
    pointer to its type); None where ``array('O')`` (an array of objects,
    held as their addresses: MicroPython's own extension) is missing or
    that offset does not read back the typecodes of test arrays."""
    try:
        hold = array("O", [None])
    except (ValueError, TypeError):
        return None
    word = len(bytes(hold))
    for code in "Bbf":
        hold[0] = array(code)
        if _byte(hold, int(word == 8), word) != ord(code):
            return None
    return int(word == 8), word


_LAYOUT = _layout()


def typecode(x, hold):
    """The typecode of the ``array`` ``x`` as a number (``ord``; MicroPython's
    arrays have no ``.typecode``), read from the object through ``hold`` (an
    ``array('O')`` of one item) without allocating; 0 for anything else, or
    where :func:`_layout` found no way."""
    if _LAYOUT is None or type(x) is not array:
        return 0
    hold[0] = x
    code = _byte(hold, _LAYOUT[0], _LAYOUT[1])
    hold[0] = None
    return code


def _bits(rows, kind):
    """The bits of each half of a number split in two (8 to 14, else 0):
    as many as keep ``rows`` products, by ``kind``, within 31 bits."""
    for bits in range(14 if kind == "int8" else 12, 7, -1):
        half = 1 << bits
        if kind == "int8":  # halves of c times a weight, -127..127
            most = (half + 1) * 127
        elif kind == "pixels":  # a pixel, 0..255, times halves of a weight
            most = 255 * (half + 1)
        else:  # halves of c times halves of a weight, two products summed
            most = 2 * (half + 1) * (half + 1)
        if most * rows < 1 << 31:
            return bits
    return 0


class Layers:
    """The machine-code products of one model (see the module doc): work
    buffers made once, and per weight matrix what the kernels need: the
    bits of a half for raw pixels and for floats, and the largest scale
    (int8) or the largest exponent (float32)."""

    def __init__(self, weights):
        n = max(w.cols for w in weights)
        self.a, self.b, self.d = array("i", range(n)), array("i", range(n)), array("i", range(n))
        self.bits, self.top = [], []
        self.hold = None if _LAYOUT is None else array("O", [None])  # (typecode's, per model)
        for w in weights:
            if w.scales is not None:
                bits = _bits(w.rows, "int8")
                self.bits.append((bits, bits))
                self.top.append(max(w.scales[k] for k in range(w.rows)))
            else:
                self.bits.append((_bits(w.rows, "pixels"), _bits(w.rows, "floats")))
                self.top.append(max(_top(w.blocks[b], w.counts[b] * w.cols)
                                    for b in range(len(w.blocks))))

    def whole(self, x):
        """Whether ``x`` is an ``array`` of whole numbers (for inplace.py)."""
        return typecode(x, self.hold) in b"bBhHiIlL"

    def layer(self, l, w, x, scale, out, bias):
        """Set ``out`` to ``(x * scale) @ w + bias`` (the layer ``l``'s
        weights ``w``); return False, changing nothing, where this does
        not apply (the plain loops then do it)."""
        pixels = isinstance(x, (bytes, bytearray)) or (
            type(x) is array and typecode(x, self.hold) == 66)  # (66: array('B'))
        bits = self.bits[l][0 if pixels else 1]
        if not bits:
            return False
        a, b, d, n = self.a, self.b, self.d, w.cols
        three = not pixels and w.scales is None  # (halves times halves: a is used)
        for j in range(n):
            b[j] = d[j] = 0
            if three:
                a[j] = 0
        big = 255 if pixels else max(max(x), -min(x))
        if w.scales is not None:
            f = self._int8(w, x, pixels, big * self.top[l], bits)
        else:
            f = self._float32(w, x, pixels, big, bits, self.top[l] + 24 - 2 * bits)
        # out = (a * 2**(2 * bits) + b * 2**bits + d) * 2**-f * scale + bias
        middle, low = math.ldexp(scale, bits - f), math.ldexp(scale, -f)
        if three:
            high = math.ldexp(scale, 2 * bits - f)
            for j in range(n):
                out[j] = (a[j] * high + b[j] * middle + d[j] * low) + bias[j]
        else:
            for j in range(n):
                out[j] = (b[j] * middle + d[j] * low) + bias[j]
        return True

    def _int8(self, w, x, pixels, most, bits):
        """Sum ``c[k] * 2**f * (q - 128)`` into b (halves of c times 2**bits)
        and d; return ``f`` (chosen so that ``most``, the largest ``c``,
        takes ``2 * bits`` bits)."""
        if not most:
            return 0  # (every c is 0)
        f = 2 * bits - math.frexp(most)[1]
        b, d, n = self.b, self.d, w.cols
        if pixels:  # c = x[k] * s[k], from the bits of s[k]
            first = 0
            for block in range(len(w.blocks)):
                _int8_pixels(x, first, w.counts[block], w.scales, w.blocks[block], n, b, d,
                             bits, f)
                first += w.counts[block]
            return f
        s, mask, times = w.scales, (1 << bits) - 1, math.ldexp(1.0, f)
        # locals, not the module's names, in the loop: a builtin such as int
        # is looked for in the module's dict first, every slot of it when
        # the table is full (8,000 instructions a digit on MPS2_AN385)
        whole, row = int, _int8_row
        k = 0
        for block in range(len(w.blocks)):
            q, start = w.blocks[block], 0
            for _ in range(w.counts[block]):
                v = x[k]
                if v:
                    c = whole(v * times * s[k])
                    row(q, start, n, b, d, c >> bits, c & mask)
                start += n
                k += 1
        return f

    def _float32(self, w, x, pixels, big, bits, top):
        """Sum ``x[k] * v`` (``v``: the weight as a whole number, ``weight *
        2**(150 - top)``) into b and d (a pixel times v's halves) or
        ``c[k] * v`` into a, b and d (``c = x * 2**f``, halves times halves);
        return the power of two the sums are of the products (``f + 150 -
        top``)."""
        a, b, d, n = self.a, self.b, self.d, w.cols
        k = 0
        if pixels:
            for block in range(len(w.blocks)):
                _float32_pixels(x, k, w.counts[block], w.blocks[block], n, b, d, bits, top)
                k += w.counts[block]
            return 150 - top
        if not big:
            return 0
        f = 2 * bits - math.frexp(big)[1]
        mask, times = (1 << bits) - 1, math.ldexp(1.0, f)
        whole, row = int, _float32_row  # (locals: see _int8)
        for block in range(len(w.blocks)):
            q, start = w.blocks[block], 0
            for _ in range(w.counts[block]):
                v = x[k]
                if v:
                    c = whole(v * times)
                    row(q, start, n, a, b, d, bits, top, c >> bits, c & mask)
                start += n
                k += 1
        return f + 150 - top
