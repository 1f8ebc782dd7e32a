"""The parts of tools/mutate.py, the project's mutation runner: ``sites``
(where a bug can be planted), ``runner`` (copies of the tree, forked pytest
runs) and ``report`` (the per-module table and the pragma audit)."""
