"""Randomness and time: one private generator per model, and a clock.

The global generators are never seeded or used, so a model's weights and
shuffling depend on its seed alone, on every backend and interpreter.
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
        seed = int(clock() * 1e6)
    return SplitMix64(seed)


def clock():
    """Return a time in seconds for measuring intervals."""
    return getattr(time, "perf_counter", time.time)()
