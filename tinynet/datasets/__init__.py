"""MNIST: loading CSV and IDX files, converting, downloading, and a bundled sample.

This subpackage is for the desktop: the core of tinynet never imports it.

Images are kept as bytes, one per pixel (0-255), in an :class:`Images`
sequence: 60,000 MNIST digits take 47 MB this way, against about 1.5 GB as
Python lists of floats.  Pixels become floats in [0, 1] (divided by 255)
only when a row or a training batch is used.

>>> X, labels = load_sample("test")
>>> len(X), len(X[0]), labels[:5]
(1000, 784, [7, 2, 1, 0, 4])
>>> max(X[0])
1.0
"""

import os

from .csvfile import load_csv, save_csv
from .idxfile import load_idx, save_idx
from .images import PIXELS, Images, stratified
from .mnist import (FILES, MD5, MIRRORS, cache_dir, fetch, find_mnist, load_mnist, load_sample,
                    mirror_urls)
from .sources import data_kind, kind


def load(path, labels=None):
    """Load images from a CSV or IDX file, choosing by the file's content
    (a model file is refused)."""
    path = os.fspath(path)
    if data_kind(path).startswith("idx"):
        return load_idx(path, labels)
    if labels is not None:
        raise ValueError("a separate labels file goes with IDX images only")
    return load_csv(path)


__all__ = ["Images", "load", "load_csv", "load_idx", "load_mnist", "load_sample", "save_csv",
           "save_idx", "fetch", "cache_dir", "stratified"]
