"""The full MNIST: where it is cached, how it is downloaded and checked, and the
small sample bundled with tinynet."""

import os

from ..errors import TinynetError
from .idxfile import load_idx

#: The MNIST files, by split: images, then labels.
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
#: The MD5 of each file's content once decompressed (the raw IDX bytes), as
#: the raw files' published checksums give it.  Downloads and cached files
#: are checked by what they hold, not by their compressed bytes, so a copy
#: compressed again (``../shared/mnist``) passes and one changed label fails.
MD5 = {
    "train-images-idx3-ubyte.gz": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte.gz": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637",
}
#: The size of each file's content once decompressed: no download or
#: decompression reads past it (plus a gzip's own overhead).
SIZES = {
    "train-images-idx3-ubyte.gz": 16 + 60000 * 784,
    "train-labels-idx1-ubyte.gz": 8 + 60000,
    "t10k-images-idx3-ubyte.gz": 16 + 10000 * 784,
    "t10k-labels-idx1-ubyte.gz": 8 + 10000,
}
#: Tried in order: the mirrors torchvision uses.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)


def cache_dir():
    """Return where downloads are kept: ``$TINYNET_DATA``, else the per-user
    cache (``$XDG_CACHE_HOME/tinynet`` or ``~/.cache/tinynet``; on Windows
    ``%LOCALAPPDATA%\\tinynet``; on macOS ``~/Library/Caches/tinynet``).

    The per-user cache needs a home folder that exists: with none (HOME
    unset and no password entry, or HOME naming a missing folder, as for
    ``nobody`` in many containers) this raises TinynetError, and tinynet
    never creates a home folder.  ``$TINYNET_DATA`` is taken as given."""
    if os.environ.get("TINYNET_DATA"):
        return os.environ["TINYNET_DATA"]
    import sys

    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return os.path.join(os.environ["LOCALAPPDATA"], "tinynet")
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg) and sys.platform != "darwin":  # a relative one is invalid
        return os.path.join(xdg, "tinynet")
    home = os.path.expanduser("~")
    if home.startswith("~") or not os.path.isdir(home):
        raise TinynetError("no per-user cache: the home folder %s does not exist; set "
                           "TINYNET_DATA to a folder for MNIST" % (
                               "(HOME is not set)" if home.startswith("~") else home))
    parts = ("Library", "Caches") if sys.platform == "darwin" else (".cache",)
    return os.path.join(home, *parts + ("tinynet",))


def prepare_cache(directory):
    """Make sure downloads can be kept in ``directory`` (created if
    missing): raise TinynetError saying why not (a file is there, a symlink
    loop, no permission...) before anything is downloaded."""
    from ..files import check_writable

    if os.path.lexists(directory) and not os.path.isdir(directory):
        try:
            os.stat(directory)
            reason = "it is not a folder"
        except OSError as err:  # a symlink loop, or a link to nothing
            reason = "it is a symlink that leads nowhere: %s" % err.strerror
        raise TinynetError("%s: cannot keep downloads in this folder (%s)" % (directory, reason))
    try:
        os.makedirs(directory, exist_ok=True)
        check_writable(os.path.join(directory, FILES["test"][1]))
    except (OSError, TinynetError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise TinynetError("%s: cannot keep downloads in this folder (%s)"
                           % (directory, reason)) from None


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
               checksums=MD5, waiting=None):
    """Return ``(X, labels)`` for the full MNIST ``split`` ("train": 60,000
    images, "test": 10,000).

    Looks in ``directory`` (default: :func:`cache_dir`).  Each file found
    there is checked first: the MD5 of its content must be the one in
    ``checksums`` (MNIST's by default), checked once and remembered beside
    the file until its size or modification time changes.  A file that is
    missing or fails the check is downloaded again if ``download`` is true
    (see :func:`fetch`; ``callback(name, done, total)`` reports progress,
    ``waiting(url, seconds, done)`` the wait for a mirror to answer),
    else a missing one raises FileNotFoundError and a bad one TinynetError.
    ``checksums=None`` skips the checks, for IDX files of your own.
    """
    if split not in FILES:
        raise ValueError("split must be 'train' or 'test', not %r" % (split,))
    directory = directory or cache_dir()
    images, labels = FILES[split]
    for name in (images, labels):
        path = _idx_path(directory, name)
        if os.path.exists(path):
            if checksums is None:
                continue
            try:
                verify(path, name, checksums)
                continue
            except TinynetError:
                if not download:
                    raise
        if download:
            fetch(name, directory, mirrors, callback, checksums=checksums or MD5,
                  waiting=waiting)
    return load_idx(_idx_path(directory, images), _idx_path(directory, labels))


def _expected_md5(name, checksums):
    expected = (checksums or {}).get(name)
    # 32 hex digits: it is written into the stamp file beside the data
    if (not isinstance(expected, str) or len(expected) != 32
            or not all(c in "0123456789abcdefABCDEF" for c in expected)):
        raise TinynetError("no MD5 known for %s: tinynet uses only files it can check" % name)
    return expected.lower()


def _content_limit(name):
    """The most bytes of content ``name`` may have: MNIST's size, else 1 GiB."""
    return SIZES.get(name, 1 << 30)


def content_md5(path, name=None):
    """Return the MD5 (hex) of the content of ``path``, decompressed if it
    is gzipped, reading at most what the file ``name`` may hold."""
    import hashlib

    from .sources import open_data

    digest = hashlib.md5()
    with open_data(path, _content_limit(name), "copy of " + str(name)) as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                return digest.hexdigest()
            digest.update(block)


def _stamp_path(path):
    directory, base = os.path.split(path)
    return os.path.join(directory, "." + base + ".md5")


def verify(path, name, checksums=MD5):
    """Check that the content of the MNIST file ``name`` at ``path`` has
    the MD5 ``checksums`` gives, or raise TinynetError naming the file.
    The result is remembered beside it (``.NAME.md5``, keyed on the file's
    size and modification time), so an unchanged file is read once."""
    from ..files import read_limited, write_atomically

    expected = _expected_md5(name, checksums)
    st = os.stat(path)
    stamp = "%d %d %s\n" % (st.st_size, st.st_mtime_ns, expected)
    try:
        if read_limited(_stamp_path(path), 200).decode("ascii", "replace") == stamp:
            return
    except (OSError, TinynetError):
        pass
    got = content_md5(path, name)
    if got != expected:
        raise TinynetError("%s: checksum mismatch: its content has MD5 %s, MNIST's %s has %s; "
                           "the file is damaged or not MNIST's (delete it to download it again)"
                           % (path, got, name, expected))
    if _writable(os.path.dirname(path) or "."):
        try:
            write_atomically(_stamp_path(path), stamp.encode("ascii"))
        except (OSError, TinynetError):
            pass  # checked again next time


def _writable(directory):
    """Whether to leave a stamp in ``directory``: not if its mode says it is
    read-only (root could write there all the same; it should not)."""
    try:
        return bool(os.stat(directory).st_mode & 0o222) and os.access(directory, os.W_OK)
    except OSError:
        return False


def fetch(name, directory, mirrors=None, callback=None, timeout=30, checksums=MD5,
          connect_timeout=None, waiting=None):
    """Download the MNIST file ``name`` into ``directory``; return its path.

    The check cannot be skipped: a file with no MD5 in ``checksums`` is not
    downloaded at all.  Each mirror (http or https) is tried in turn, and
    given up if it has not answered within ``connect_timeout`` seconds
    (default 5: see :func:`tinynet.datasets.download.open_url`, which calls
    ``waiting`` meanwhile) or stalls for ``timeout`` seconds later on; a
    download stops as soon as it exceeds what the file can hold (with a
    Content-Length saying more, before it starts), and is kept only if the
    MD5 of its content, decompressed, is the expected one: then it replaces
    ``directory/name`` in one step (see :func:`tinynet.files.write_atomically`),
    so a failed, endless, truncated or wrong download leaves nothing behind.
    """
    from ..files import write_atomically
    from .download import open_url, reason

    expected = _expected_md5(name, checksums)
    limit = _download_limit(name)
    prepare_cache(directory)
    target = os.path.join(directory, name)
    failures = []
    for mirror in mirrors or mirror_urls():
        url = mirror + name
        try:
            if not url.lower().startswith(("http://", "https://")):
                raise TinynetError("not an http or https URL")
            with open_url(url, connect_timeout, timeout, waiting) as response:
                data = _receive(response, name, limit, callback)
            got = _md5_of_bytes(data, name)
            if got != expected:
                raise TinynetError("checksum mismatch (content MD5 %s, expected %s)"
                                   % (got, expected))
            write_atomically(target, data)
            try:
                verify(target, name, {name: expected})  # remembers the check
            except TinynetError:
                pass
            return target
        except Exception as err:  # any failure: this mirror is out, try the next
            failures.append("%s: %s" % (url, reason(err)))
    raise TinynetError("could not download %s from %s: %s" % (
        name, "its mirror" if len(failures) == 1 else "any of its %d mirrors" % len(failures),
        "; ".join(failures)))


def _download_limit(name):
    """The most bytes a download of ``name`` may take: its content, plus
    what gzip adds to data it cannot compress."""
    size = _content_limit(name)
    return size + size // 500 + 4096


def _receive(response, name, limit, callback):
    """Return the body of ``response``, refusing more than ``limit`` bytes."""
    length = response.headers.get("Content-Length")
    total = int(length) if length and length.strip().isdigit() else 0
    if total > limit:
        raise TinynetError("the server announces %s bytes; %s cannot be more than %s"
                           % (format(total, ","), name, format(limit, ",")))
    chunks, done = [], 0
    while True:
        block = response.read(min(1 << 16, limit + 1 - done))
        if not block:
            break
        chunks.append(block)
        done += len(block)
        if done > limit:
            raise TinynetError("stopped after %s bytes: %s cannot be more than %s"
                               % (format(done, ","), name, format(limit, ",")))
        if callback is not None:
            callback(name, done, total)
    return b"".join(chunks)


def _md5_of_bytes(data, name):
    """Return the MD5 of ``data``'s content, decompressed if it is gzipped."""
    import gzip
    import hashlib
    import io
    import zlib

    from ..kinds import kind_of_bytes
    from .sources import READ_BLOCK

    if kind_of_bytes(data[:2]) != "gzip":
        return hashlib.md5(data).hexdigest()
    digest, left = hashlib.md5(), _content_limit(name)
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as f:
            while True:
                # At most one byte past the limit, which is enough to see it
                # exceeded: any more reads the same.
                block = f.read(min(READ_BLOCK, left + 1))
                if not block:
                    return digest.hexdigest()
                left -= len(block)
                if left < 0:
                    raise TinynetError("more content than %s can hold" % name)
                digest.update(block)
    except (EOFError, OSError, zlib.error) as err:
        raise TinynetError("corrupt gzip data (%s)" % err) from None


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
