"""The progress bar, which lives in the core (tinynet/progress.py) so that
``fit(..., verbose=1)`` draws the same one as the command line."""

from ..progress import Progress, TrainingProgress, scores_text  # noqa: F401
