"""tinynet's one exception class, the error for an unknown name, and how any
value or count is shown in an error message."""


class TinynetError(ValueError):
    """A model file, data file or training run that tinynet cannot accept.

    It is a ValueError, so ``except ValueError`` catches it too.
    """


def choice(registry, value, what):
    """Return ``registry[value]``, or raise a ValueError listing the choices."""
    try:
        return registry[value]
    except (KeyError, TypeError):
        raise ValueError(
            "unknown %s %s; expected one of: %s" % (what, shown(value), ", ".join(sorted(registry)))
        ) from None


_BIG = 1 << 64
_HUGE = 10 ** 60  # (MicroPython's ints have no bit_length)


def shown(value, limit=60):
    """Return ``value`` for an error message: its repr when that is short and
    safe, else what it is ("a list of 3000 items").  Values from files may
    be nested a million deep or a gigabyte long; their repr would raise a
    RecursionError or flood the message, so it is never taken whole.

    >>> shown([784, 30, 10]), shown("x" * 100, 10), shown([[1]] * 3)
    ('[784, 30, 10]', "'xxxxxx...", 'a list of 3 items')
    """
    kind = type(value)
    if kind is int and not -_HUGE < value < _HUGE:
        return "an int of more than 60 digits"
    if kind in (list, tuple) and len(value) <= 20 and all(
            type(v) in (int, float, bool) and (type(v) is not int or -_BIG < v < _BIG)
            for v in value):
        text = repr(value)
    elif kind in (int, float, bool, str, type(None)):
        text = repr(value)
    else:
        try:
            return "a %s of %d items" % (kind.__name__, len(value))
        except TypeError:
            return "a %s" % kind.__name__
    return text if len(text) <= limit else text[:limit - 3] + "..."


def grouped(n):
    """Return the int ``n`` with thousands separated by commas (MicroPython
    has no ``format(n, ",")``).

    >>> grouped(101770), grouped(-1234567)
    ('101,770', '-1,234,567')
    """
    s = str(abs(n))
    out = ""
    while len(s) > 3:
        out = "," + s[-3:] + out
        s = s[:-3]
    return ("-" if n < 0 else "") + s + out


def plural(n, word):
    """Return ``n`` and ``word``, with an s unless ``n`` is 1.

    >>> plural(1, "image"), plural(60000, "image")
    ('1 image', '60,000 images')
    """
    return "%s %s%s" % (grouped(n), word, "" if n == 1 else "s")


def size_text(n):
    """Return a number of bytes for people to read, in powers of 1024.

    >>> size_text(512), size_text(101770 * 8), size_text(1024 ** 2 - 1), size_text(3 << 40)
    ('512 bytes', '795.1 KiB', '1.0 MiB', '3.0 TiB')
    """
    if n < 1024:
        return "%d bytes" % n
    value = n / 1024.0
    for unit in ("KiB", "MiB", "GiB"):
        if round(value, 1) < 1024:
            return "%.1f %s" % (value, unit)
        value /= 1024.0
    return "%.1f TiB" % value
