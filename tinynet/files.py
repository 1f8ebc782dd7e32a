"""The one writer and the safe readers behind every file tinynet touches.

Writing: :func:`write_atomically` builds the new content in a temporary file
beside the target and renames it over the target in one step, so readers see
the old file or the new one, never a mix, and the previous file survives any
failure.  It refuses a target that is not a regular file (``/dev/null``, a
FIFO, a socket, a directory), creates its temporary file exclusively under an
unpredictable name (never through a symlink planted there), gives the new
file the mode of the file it replaces (else 0o666 less the umask, applied by
the kernel: the process umask is never changed), and names the user's path
in every error, never the temporary file.  Temporary names are measured in
bytes, so a target name of up to 255 bytes can be written; after a save,
the temporary files that killed writers left in the folder are removed
(``tempfiles.py`` says how that is made safe).  :func:`check_writable` asks the
same questions before a long computation, so a run is not thrown away at
the end for a bad output path.

Reading: :func:`open_regular` opens only a regular file (``O_NONBLOCK``, so
a FIFO cannot block the open, then ``fstat``), and :func:`read_limited`
reads such a file up to a byte cap.  (``tinynet.datasets.sources`` builds
its bounded, streaming gzip reader on :func:`open_regular`.)

This module is part of the core and imports on MicroPython, where ``os``
has no ``open``/``replace``/``fsync``: there the writer falls back to a
plain write of a temporary file and a rename, the reader to a ``stat``
check before ``open``.
"""

from .errors import TinynetError, grouped

_S_IFMT = 0o170000
# What is refused is named by its kind (a regular file never is).
_KINDS = {0o040000: "a directory", 0o020000: "a character device", 0o060000: "a block device",
          0o010000: "a FIFO (named pipe)", 0o140000: "a socket", 0o120000: "a symbolic link"}
_REGULAR = 0o100000

# Flags only some systems have, OR-ed in where they exist: O_BINARY (Windows
# only: no newline translation) and O_NOFOLLOW (POSIX O_EXCL refuses a
# symlink already; this is for file systems that do not honour O_EXCL, such
# as old NFS).  No test on Linux could tell either name from a misspelling.
# (Python makes every descriptor it opens non-inheritable: no O_CLOEXEC.)
_BINARY = "O_BINARY"  # pragma: no mutate (Windows only)
_WRITE_EXTRA = ("O_NOFOLLOW", _BINARY)  # pragma: no mutate (only for a file system lax on O_EXCL)
_READ_EXTRA = ("O_NONBLOCK", _BINARY)


def fspath(path):
    """Return ``path`` (a str, bytes or os.PathLike) as the OS wants it."""
    try:
        from os import fspath as _fspath
    except ImportError:  # MicroPython
        return path if isinstance(path, (str, bytes)) else str(path)
    return _fspath(path)


def has_suffix(path, suffix):
    """Return whether ``path`` (str, bytes or os.PathLike) ends with the str
    ``suffix``, ignoring case.

    >>> has_suffix(b"M.JSON", ".json"), has_suffix("m.tnb", ".json")
    (True, False)
    """
    path = fspath(path)
    if isinstance(path, bytes):
        suffix = suffix.encode()
    return path.lower().endswith(suffix)


def _kind(mode):
    return _KINDS.get(mode & _S_IFMT, "not a regular file")


def _mode_of(st):
    return st[0] if isinstance(st, tuple) else st.st_mode


def _stat(path):
    """Return os.stat(path) (following symlinks), or None if nothing is there
    (nor can be: a path through a file)."""
    import os

    try:
        return os.stat(path)
    except OSError as err:
        if err.args and err.args[0] in (2, 20):  # ENOENT, ENOTDIR (a file on the way)
            return None
        raise


def _refuse_special(path, st, doing):
    mode = _mode_of(st)
    if mode & _S_IFMT != _REGULAR:
        raise TinynetError("%s: refusing to %s %s; give the path of a regular file"
                           % (path, doing, _kind(mode)))


def _split(path):
    """Return (directory, name) of ``path``: '.' for a bare file name."""
    sep = "/" if isinstance(path, str) else b"/"
    try:
        import os

        directory, name = os.path.split(path)
    except (ImportError, AttributeError):  # MicroPython has no os.path
        i = path.rfind(sep)
        directory, name = (path[:i] or path[:1], path[i + 1:]) if i >= 0 else (path[:0], path)
    if not directory:
        directory = "." if isinstance(path, str) else b"."
    return directory, name


def _renamed(err, path):
    """Return ``err`` (an OSError) retold about ``path``, hiding the temp name."""
    if not isinstance(err, OSError) or getattr(err, "errno", None) is None:
        return err
    new = type(err)(err.errno, err.strerror or str(err), path)
    return new


def _creating(err, path):
    """Return ``err``, an OSError from creating a file beside ``path``,
    retold about ``path``, and naming its folder when that does not exist."""
    code = getattr(err, "errno", None)
    if code not in (2, 20):  # ENOENT, ENOTDIR (the same numbers on every system tinynet runs on)
        return _renamed(err, path)
    why = "does not exist" if code == 2 else "is not a folder (a file stands in its path)"
    return type(err)(code, "the folder %s %s" % (_split(path)[0], why), path)


def _flags(os, flags, extra):
    for name in extra:
        flags |= getattr(os, name, 0)
    return flags


def _create_temp(os, path):
    """Create a fresh, locked temporary file beside ``path``; return (fd, name)."""
    from . import tempfiles  # (only writers need it: a board that only loads never does)

    directory, name = _split(path)
    flags = _flags(os, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _WRITE_EXTRA)
    return tempfiles.create(os, directory, name, flags)


def check_writable(path):
    """Raise unless ``write_atomically(path, ...)`` can succeed as far as can
    be told now: ``path`` is not a directory, device, FIFO or socket, and a
    file can be created in its directory.  Call it before long work whose
    result goes to ``path``.  Errors are :class:`TinynetError` or OSError
    naming ``path``."""
    import os

    path = fspath(path)
    st = _stat(path)
    if st is not None:
        _refuse_special(path, st, "write over")
    if not hasattr(os, "open"):  # MicroPython: nothing more to ask cheaply
        return
    try:
        fd, tmp = _create_temp(os, path)
    except OSError as err:
        raise _creating(err, path) from None
    os.close(fd)
    os.unlink(tmp)


def write_atomically(path, data):
    """Replace the file at ``path`` by ``data`` in one step.

    ``data`` is bytes, or a callable that writes the content to the binary
    file object it is given (for streaming writers: CSV, PNG, gzip).  The
    previous file at ``path`` is intact if anything fails, including an
    exception raised by ``data`` itself; that exception passes through, and
    OSErrors name ``path``, not the temporary file.
    """
    import os

    path = fspath(path)
    st = _stat(path)
    if st is not None:
        _refuse_special(path, st, "write over")
    if not hasattr(os, "open"):
        return _write_simple(os, path, data)
    try:
        fd, tmp = _create_temp(os, path)
    except OSError as err:
        raise _creating(err, path) from None
    try:
        try:
            f = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            raise
        with f:
            if st is not None:  # keep the mode of the file being replaced
                mode = st.st_mode & 0o777
                if hasattr(os, "fchmod"):
                    os.fchmod(f.fileno(), mode)
                else:
                    os.chmod(tmp, mode)
            if callable(data):
                data(f)
            else:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)  # atomic: readers see the old file or the new
    except BaseException as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(err, OSError) and getattr(err, "filename", None) in (tmp, None):
            raise _renamed(err, path) from None
        raise
    _sync_directory(os, path)
    from .tempfiles import remove_stale

    remove_stale(_split(path)[0])  # what killed writers left here


def _sync_directory(os, path):
    """Make the rename itself durable (POSIX; a no-op elsewhere)."""
    if os.name != "posix":  # (Windows cannot open a folder this way)
        return
    try:
        fd = os.open(_split(path)[0], os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the data is written
    finally:
        os.close(fd)


def _write_simple(os, path, data):
    """The MicroPython writer: a temporary file, then a rename."""
    from .tempfiles import temp_name

    directory, name = _split(path)
    tmp = temp_name(directory, name)
    try:
        with open(tmp, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data)
        os.rename(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise


# === Reading ===


def open_regular(path):
    """Open ``path`` for reading in binary mode if it is a regular file.

    A missing file raises FileNotFoundError; a directory, device (such as
    ``/dev/zero``), FIFO or socket raises :class:`TinynetError` naming the
    path.  The open never blocks: a FIFO is opened non-blocking, then
    refused.
    """
    import os

    path = fspath(path)
    if not hasattr(os, "open"):  # MicroPython: stat first, then open
        st = os.stat(path)
        _refuse_special(path, st, "read")
        return open(path, "rb")
    flags = _flags(os, os.O_RDONLY, _READ_EXTRA)
    try:
        fd = os.open(path, flags)
    except OSError as err:  # (not "except IsADirectoryError": MicroPython lacks the name)
        if err.errno != 21:  # EISDIR
            raise
        raise TinynetError("%s: refusing to read a directory; give the path of a regular file"
                           % (path,)) from None
    try:
        _refuse_special(path, os.fstat(fd), "read")
        if hasattr(os, "O_NONBLOCK"):  # POSIX, so os.set_blocking exists too
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def file_size(f):
    """Return the size in bytes of the open regular file ``f``."""
    import os

    try:
        return os.fstat(f.fileno()).st_size
    except (AttributeError, OSError):
        return None


def read_limited(path, limit, what="file"):
    """Return the bytes of the regular file ``path``, refusing (with a
    :class:`TinynetError` naming the path) one larger than ``limit`` bytes,
    by its size before reading and by what it yields while reading (a file
    that grows).  Reads in blocks of what the file holds, never a buffer of
    ``limit`` bytes (MicroPython allocates what read(n) asks for)."""
    path = fspath(path)
    with open_regular(path) as f:
        size = file_size(f)
        if size is None:
            try:
                import os

                size = os.stat(path)[6]  # MicroPython: no fstat
            except (OSError, TypeError, IndexError):
                size = None
        if size is not None and size > limit:
            raise _too_big(path, what, limit)
        chunks, total = [], 0
        block = 1 << 20 if size is None else min(size + 1, 1 << 20)
        while total <= limit:
            data = f.read(min(block, limit + 1 - total))
            if not data:
                break
            chunks.append(data)
            total += len(data)
    if total > limit:
        raise _too_big(path, what, limit)
    return chunks.pop() if len(chunks) == 1 else b"".join(chunks)  # (one chunk: no copy)


def _too_big(path, what, limit):
    return TinynetError("%s: larger than the %s bytes a %s may be" % (path, grouped(limit), what))
