"""Randomness and time: one private generator per model, and a clock.

The global generators are never seeded or used, so a model's weights and
shuffling depend on its seed alone, on every backend and interpreter.

The clock works where ``time`` has neither ``perf_counter`` nor ``time``: a
MicroPython firmware's ``time`` has only counters that wrap around
(``ticks_ms``, ``ticks_us``) and ``ticks_diff`` to subtract them.
"""

try:
    import time
except ImportError:  # pragma: no cover
    time = None

try:
    from random import Random
except ImportError:  # MicroPython has only the module-level generator
    Random = None


class SplitMix64:
    """A tiny, exact 64-bit generator (Steele, Lea and Flood's SplitMix64),
    used where the random module has no Random class (MicroPython)."""

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed & self.MASK

    def random(self):
        """Return the next float in [0, 1)."""
        self.state = z = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return ((z ^ (z >> 31)) >> 11) / 9007199254740992.0

    def shuffle(self, items):
        """Shuffle the list ``items`` in place (Fisher-Yates)."""
        for i in range(len(items) - 1, 0, -1):
            j = int(self.random() * (i + 1))
            items[i], items[j] = items[j], items[i]


def make_rng(seed=None):
    """Return a private generator with ``random()`` and ``shuffle()``; the
    global generators are never seeded or used.  Shuffling with it gives the
    same order on every backend for the same seed."""
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise TypeError("seed must be an int or None, not %r" % (seed,))
    if Random is not None:
        return Random(seed)
    if seed is None:
        seed = _microseconds()
    return SplitMix64(seed)


def _microseconds():
    """Return the time in microseconds, for seeding (only that it varies
    matters): from the clock, or where that counts from its own first
    reading (a firmware's ticks), from the microsecond counter itself."""
    if hasattr(time, "ticks_us") and not (hasattr(time, "perf_counter")
                                          or hasattr(time, "time")):
        return time.ticks_us()
    return int(clock() * 1e6)


def clock():
    """Return a time in seconds for measuring intervals: only the difference
    of two readings means anything."""
    if hasattr(time, "perf_counter"):
        return time.perf_counter()
    if hasattr(time, "time"):
        return time.time()
    if hasattr(time, "ticks_ms"):
        return _ticks_clock()
    return 0.0  # no clock at all: every interval takes no time


#: The last ``ticks_ms()`` read and the milliseconds counted up to it.
_ticks = [None, 0]


def _ticks_clock():
    """Count seconds with ``ticks_ms``.  The counter wraps around (every
    2**30 ms on a 32-bit port, about 12 days), so it is never subtracted
    directly: each reading adds ``ticks_diff`` since the last one, which is
    right as long as two readings are less than half a period apart."""
    now = time.ticks_ms()
    if _ticks[0] is not None:
        _ticks[1] += time.ticks_diff(now, _ticks[0])
    _ticks[0] = now
    return _ticks[1] / 1000.0
