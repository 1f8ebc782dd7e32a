"""tinynet's one exception class, and the error for an unknown name."""


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
            "unknown %s %r; expected one of: %s" % (what, value, ", ".join(sorted(registry)))
        ) from None
