"""The full MNIST: where it is cached, how it is downloaded and checked, and the
small sample bundled with tinynet."""

import os

from ..errors import TinynetError
from .idxfile import load_idx

#: The MNIST files and their published MD5 checksums, as torchvision has them.
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
#: Tried in order: the mirrors torchvision uses.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)


def cache_dir():
    """Return where downloads are kept: ``$TINYNET_DATA``, else the per-user
    cache (``$XDG_CACHE_HOME/tinynet`` or ``~/.cache/tinynet``; on Windows
    ``%LOCALAPPDATA%\\tinynet``; on macOS ``~/Library/Caches/tinynet``)."""
    if os.environ.get("TINYNET_DATA"):
        return os.environ["TINYNET_DATA"]
    import sys

    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = os.environ["LOCALAPPDATA"]
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "tinynet")


def find_mnist(directory):
    """Return the directory if it holds the four MNIST IDX files (gzipped or
    not), else None."""
    for name in MD5:
        if not any(os.path.isfile(os.path.join(directory, n)) for n in (name, name[:-3])):
            return None
    return directory


def _idx_path(directory, name):
    path = os.path.join(directory, name)
    return path if os.path.isfile(path) else path[:-3]


def mirror_urls():
    """Return the download mirrors: ``$TINYNET_MNIST_MIRRORS`` (URLs separated
    by spaces) if set, else :data:`MIRRORS`."""
    urls = os.environ.get("TINYNET_MNIST_MIRRORS", "").split()
    return tuple(u if u.endswith("/") else u + "/" for u in urls) or MIRRORS


def load_mnist(split="train", directory=None, download=True, mirrors=None, callback=None,
               checksums=MD5):
    """Return ``(X, labels)`` for the full MNIST ``split`` ("train": 60,000
    images, "test": 10,000).

    Looks in ``directory`` (default: :func:`cache_dir`) and, if the files
    are missing and ``download`` is true, fetches them from ``mirrors``
    (default: :func:`mirror_urls`) in order, checking each file's published MD5.  ``callback(name, done,
    total)`` reports download progress.
    """
    if split not in FILES:
        raise ValueError("split must be 'train' or 'test', not %r" % (split,))
    directory = directory or cache_dir()
    images, labels = FILES[split]
    if download:
        for name in (images, labels):
            if not os.path.isfile(_idx_path(directory, name)):
                fetch(name, directory, mirrors, callback, checksums=checksums)
    return load_idx(_idx_path(directory, images), _idx_path(directory, labels))


def fetch(name, directory, mirrors=None, callback=None, timeout=30, checksums=MD5):
    """Download the MNIST file ``name`` into ``directory``; return its path.

    Each mirror is tried in turn, and the file must have the MD5 that
    ``checksums`` gives (the published ones by default).  The file is written to a temporary file
    and renamed into place only once its MD5 matches, so a failed, truncated
    or wrong download never leaves a file behind.
    """
    import hashlib
    import tempfile
    import urllib.request

    os.makedirs(directory, exist_ok=True)
    target = os.path.join(directory, name)
    failures = []
    for mirror in mirrors or mirror_urls():
        url = mirror + name
        fd, tmp = tempfile.mkstemp(prefix="." + name + ".", suffix=".part", dir=directory)
        try:
            digest = hashlib.md5()
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
                total = int(response.headers.get("Content-Length") or 0)
                done = 0
                while True:
                    block = response.read(1 << 16)
                    if not block:
                        break
                    out.write(block)
                    digest.update(block)
                    done += len(block)
                    if callback is not None:
                        callback(name, done, total)
            if digest.hexdigest() != checksums[name]:
                raise ValueError("checksum mismatch (got MD5 %s, expected %s)"
                                 % (digest.hexdigest(), checksums[name]))
            os.replace(tmp, target)
            return target
        except Exception as err:  # any failure: this mirror is out, try the next
            failures.append("%s: %s" % (url, err))
            try:
                os.unlink(tmp)
            except OSError:
                pass
    raise TinynetError("could not download %s:\n  %s" % (name, "\n  ".join(failures)))


# === The sample shipped inside the package ===


def _sample_path(name):
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", name)


def load_sample(split="train"):
    """Return ``(X, labels)`` from the small MNIST sample bundled with
    tinynet: "train" has 500 images of each digit (5,000) and "test" 100 of
    each (1,000), all real MNIST digits (see ``tools/make_sample.py``)."""
    if split not in FILES:
        raise ValueError("split must be 'train' or 'test', not %r" % (split,))
    images, labels = ("sample-%s" % n for n in FILES[split])
    return load_idx(_sample_path(images), _sample_path(labels))
