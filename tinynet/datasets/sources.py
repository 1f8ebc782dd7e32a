"""Opening data files: gzipped or not, and telling their formats apart.

Every reader in tinynet.datasets and the command line goes through these,
so a file's kind is decided in one place, from its content.
"""

import gzip

from ..errors import TinynetError

GZIP_MAGIC = b"\x1f\x8b"
IDX_MAGIC = b"\x00\x00\x08"  # unsigned bytes; the fourth byte counts dimensions


def open_data(path):
    """Return a binary file object for ``path``, decompressing it if it is
    gzipped (by its first two bytes, not its name)."""
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == GZIP_MAGIC else open(path, "rb")


def read_data(path):
    """Return the whole (decompressed) content of ``path``."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as err:
            raise TinynetError("%s: corrupt gzip data (%s)" % (path, err)) from None
    return data


def head(path, n=4):
    """Return the first ``n`` bytes of the (decompressed) content of
    ``path``, or b"" if it cannot be read."""
    try:
        with open_data(path) as f:
            return f.read(n)
    except (OSError, EOFError):
        return b""


def kind(path):
    """Return what ``path`` holds, by its content: "idx-images", "idx-labels",
    "idx" (another IDX shape), "model" (a pickle or JSON object: a
    tinynet model file), or "csv" for anything else."""
    start = head(path, 4)
    if start[:3] == IDX_MAGIC:
        return {3: "idx-images", 1: "idx-labels"}.get(start[3:4] and start[3], "idx")
    if start[:1] in (b"\x80", b"{"):
        return "model"
    return "csv"
