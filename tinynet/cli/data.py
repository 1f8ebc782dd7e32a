"""Data arguments on the command line: "sample", a directory of MNIST IDX
files, a CSV or IDX file; and the download of the full MNIST, with progress
bars."""

import os
import sys

from .. import datasets
from ..errors import TinynetError
from ..escape import printable
from .checks import labels_beside
from .report import say


def load_data(spec, split="train", labels=None, quiet=True):
    """Return ``(X, labels, description)`` for a data argument: "sample", a
    directory of MNIST IDX files, a CSV file, or an IDX images file (its
    labels file found beside it, or given).  Unless ``quiet``, reading a CSV
    shows a progress bar."""
    if spec == "sample":
        X, y = datasets.load_sample(split)
        return X, y, "the bundled MNIST sample (%s, %s)" % (split, images(len(X)))
    if os.path.isdir(spec):
        if not datasets.find_mnist(spec):
            raise TinynetError("%s: no MNIST IDX files (%s) in this directory"
                               % (spec, ", ".join(sorted(datasets.MD5))))
        # files of the user's own: used as they are, not checked against MNIST's MD5s
        X, y = datasets.load_mnist(split, spec, download=False, checksums=None)
        return X, y, "MNIST %s from %s (%s)" % (split, printable(spec), images(len(X)))
    is_idx = datasets.kind(spec).startswith("idx")
    if is_idx and labels is None:
        labels = labels_beside(spec)
    if is_idx:
        X, y = datasets.load(spec, labels)
    else:
        from .progress import Progress

        bar = None if quiet else Progress(0, "reading " + printable(os.path.basename(spec)), "rows",
                                          sys.stdout)
        X, y = datasets.load_csv(spec, callback=bar and (lambda rows: bar.update(rows)))
        if bar is not None:
            bar.update(len(X))
            if bar.live:
                bar.finish()
    return X, y, "%s (%s%s)" % (printable(spec), images(len(X)),
                                "" if y is not None else ", no labels")


def images(n):
    """``"1 image"``, ``"5000 images"``."""
    return "%d image%s" % (n, "" if n == 1 else "s")


def full_mnist(args):
    """Return ``((Xtr, ytr), (Xte, yte), how)`` for the mnist job: the full
    dataset from the cache (its files checked against MNIST's MD5s), with
    what is missing or fails the check downloaded into it; or
    ``(None, None, why not)``.  A cache folder that cannot be used (none, a
    file, a symlink loop, no permission) is a reason, never an error: the
    caller falls back to the bundled sample.

    A failed download is remembered in the cache for an hour
    (:mod:`tinynet.datasets.download`): until then the job does not try
    again, and says so, unless ``--download`` asks it to."""
    from ..datasets import download
    from .progress import Progress

    fetching = not args.no_download
    try:
        cache = datasets.cache_dir()
        cached = datasets.find_mnist(cache)
        if not cached and fetching:
            datasets.mnist.prepare_cache(cache)
    except TinynetError as err:
        say(args, "no MNIST cache: %s" % err)
        return None, None, "the cache cannot be used"
    if not cached and not fetching:
        return None, None, "no download (--no-download)"
    failed = None if args.download else download.recent_failure(cache)
    if failed and fetching:
        ago, why = failed
        fetching = False
        say(args, "not downloading MNIST: a download failed %s ago (%s); the next try is in "
            "%s, or now with --download" % (download.minutes(ago), printable(why),
                                            download.minutes(download.REMEMBER - ago)))
        if not cached:
            return None, None, "a download failed %s ago" % download.minutes(ago)
    bars = {}

    def progress(name, done, total):
        if name not in bars:
            if cached and not bars:
                say(args, "downloading again what failed its check, into %s ..."
                    % printable(cache))
            bars[name] = Progress(total, name, "B", sys.stdout)
        bars[name].update(done)

    if not cached:
        say(args, "downloading MNIST into %s ..." % printable(cache))
    quiet = args.quiet
    try:
        splits = [datasets.load_mnist(split, cache, download=fetching,
                                      callback=None if quiet else progress,
                                      waiting=None if quiet else _waiting())
                  for split in ("train", "test")]
    except (TinynetError, OSError) as err:
        if isinstance(err, OSError):
            err = "%s: %s" % (err.filename, err.strerror or err)
        if fetching:
            download.remember_failure(cache, err)
        say(args, "%s: %s" % ("the cache failed its check" if cached else "download failed",
                              "; ".join(line.strip() for line in str(err).splitlines())))
        if fetching:
            say(args, "(remembered for %s: until then mnist uses the bundled sample without "
                "trying; --download tries at once)" % download.minutes(download.REMEMBER))
        return None, None, "the cache failed its check" if cached else "the download failed"
    finally:
        for bar in bars.values():
            if bar.live:
                bar.finish()
    if bars:
        download.forget_failure(cache)
    return splits[0], splits[1], "the cache" if cached and not bars else "a download"


def _waiting(stream=None):
    """A ``waiting`` hook for load_mnist: one line per mirror asked; on a
    terminal it counts the seconds in place until the mirror answers."""
    from urllib.parse import urlsplit

    from ..datasets.download import CONNECT_TIMEOUT

    stream = stream or sys.stdout
    live = bool(getattr(stream, "isatty", None) and stream.isatty())

    def waiting(url, seconds, done):
        text = "connecting to %s (giving up after %d s) ..." % (urlsplit(url).netloc or url,
                                                                CONNECT_TIMEOUT)
        if live:
            stream.write("\r%s %s\x1b[K%s" % (text, "%d s" % seconds if seconds else "",
                                              "\n" if done else ""))
        elif seconds == 0 and not done:
            stream.write(text + "\n")
        stream.flush()

    return waiting
