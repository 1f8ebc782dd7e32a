"""Data arguments on the command line: "sample", a directory of MNIST IDX
files, a CSV or IDX file; and the download of the full MNIST, with progress
bars."""

import os
import sys

from .. import datasets
from ..errors import TinynetError
from .report import say


def _labels_beside(images_path):
    """The labels file that goes with an IDX images file, by MNIST's naming."""
    directory, name = os.path.split(images_path)
    for a, b in (("images-idx3", "labels-idx1"), ("images", "labels")):
        if a in name:
            candidate = os.path.join(directory, name.replace(a, b))
            if os.path.exists(candidate):
                return candidate
    return None


def load_data(spec, split="train", labels=None, quiet=True):
    """Return ``(X, labels, description)`` for a data argument: "sample", a
    directory of MNIST IDX files, a CSV file, or an IDX images file (its
    labels file found beside it, or given).  Unless ``quiet``, reading a CSV
    shows a progress bar."""
    if spec == "sample":
        X, y = datasets.load_sample(split)
        return X, y, "the bundled MNIST sample (%s, %d images)" % (split, len(X))
    if os.path.isdir(spec):
        if not datasets.find_mnist(spec):
            raise TinynetError("%s: no MNIST IDX files (%s) in this directory"
                               % (spec, ", ".join(sorted(datasets.MD5))))
        X, y = datasets.load_mnist(split, spec, download=False)
        return X, y, "MNIST %s from %s (%d images)" % (split, spec, len(X))
    is_idx = datasets.kind(spec).startswith("idx")
    if is_idx and labels is None:
        labels = _labels_beside(spec)
    if is_idx:
        X, y = datasets.load(spec, labels)
    else:
        from .progress import Progress

        bar = None if quiet else Progress(0, "reading " + os.path.basename(spec), "rows", sys.stdout)
        X, y = datasets.load_csv(spec, callback=bar and (lambda rows: bar.update(rows)))
        if bar is not None:
            bar.update(len(X))
            if bar.live:
                bar.finish()
    return X, y, "%s (%d images%s)" % (spec, len(X), "" if y is not None else ", no labels")


def full_mnist(args):
    """Find the full dataset for the mnist job: cache, else download."""
    cache = datasets.cache_dir()
    if datasets.find_mnist(cache):
        return cache, "the cache"
    if args.no_download:
        return None, "no download (--no-download)"
    say(args, "downloading MNIST into %s ..." % cache)
    from .progress import Progress

    bars = {}

    def progress(name, done, total):
        if name not in bars:
            bars[name] = Progress(total, name, "B", sys.stdout)
        bars[name].update(done)

    try:
        for name in datasets.MD5:
            datasets.fetch(name, cache, timeout=20, callback=None if args.quiet else progress)
            if name in bars and bars[name].live:
                bars[name].finish()
    except TinynetError as err:
        say(args, "download failed: %s" % err)
        return None, "the download failed"
    return cache, "a download"
