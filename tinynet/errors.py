"""tinynet's one exception class."""


class TinynetError(ValueError):
    """A model file, data file or training run that tinynet cannot accept.

    It is a ValueError, so ``except ValueError`` catches it too.
    """
