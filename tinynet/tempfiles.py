"""The temporary files of the one writer (files.py): their names, their
creation, and the removal of those that killed writers left behind.

A temporary file sits beside its target, so the final rename stays on one
file system, and is named ``.NAME.tinynet-PID-TOKEN.tmp``: NAME is the
target's name, cut (in bytes, at a character boundary) so the whole name
stays within the 255 bytes a file name may take; PID is the writing
process; TOKEN is 16 random hex digits, so the name cannot be guessed.

Each one is created exclusively (never through a symlink planted there)
and locked (``flock``) by its writer while it lives.  A writer that dies
(SIGKILL, power loss) leaves it behind; the next save into the same folder
removes it, and only such a file, when every one of these holds:

- its name has exactly that pattern (so no other program's file);
- it is a regular file, not a symlink, owned by this user;
- no process with its PID is running (``kill(pid, 0)`` finds none; this
  process is running, so its own files are kept);
- it has not been modified for :data:`STALE_AFTER` seconds;
- it can be locked: the kernel releases a dead writer's lock, and a live
  writer in another PID namespace (a container sharing the folder) still
  holds its own.

It is opened without following links and checked to be the file that was
examined before it is removed.  Anything that cannot be told (no ``fcntl``,
as on Windows and MicroPython; a lock the file system does not support; a
permission error) keeps the file: cleaning is best effort and never fails
a save.
"""

#: The longest file name, in bytes, that common file systems allow.
NAME_MAX = 255
#: A leftover younger than this (seconds since its last change) is kept: its
#: writer may have just created it and not yet locked it.
STALE_AFTER = 10
_TAG = ".tinynet-"


def token():
    try:
        from os import urandom

        raw = urandom(8)
    except (ImportError, NotImplementedError, OSError):  # some MicroPython ports
        import random

        raw = bytes(random.getrandbits(8) for _ in range(8))
    return "".join("%02x" % b for b in raw)


def _pid():
    try:
        from os import getpid
    except ImportError:  # MicroPython
        return 0
    return getpid()


def _to_bytes(name):
    if isinstance(name, bytes):
        return name
    try:
        from os import fsencode
    except ImportError:  # MicroPython: names are UTF-8
        return name.encode("utf-8")
    return fsencode(name)


def _to_str(raw):
    try:
        from os import fsdecode
    except ImportError:
        return raw.decode("utf-8")
    return fsdecode(raw)


def cut(raw, room):
    """Return the bytes ``raw`` cut to at most ``room`` bytes, never inside
    a UTF-8 character.

    >>> cut("é1".encode(), 1), cut("é1".encode(), 2), cut(b"abc", 9)
    (b'', b'\\xc3\\xa9', b'abc')
    """
    if len(raw) <= room:
        return raw
    while room > 0 and raw[room] & 0xC0 == 0x80:  # a continuation byte: back off
        room -= 1
    return raw[:room]


def temp_name(directory, name):
    """Return a new temporary path in ``directory`` for the target ``name``
    (both str, or both bytes; the result is the same type)."""
    tail = ("%s%d-%s.tmp" % (_TAG, _pid(), token())).encode()
    raw = b"." + cut(_to_bytes(name), NAME_MAX - 1 - len(tail)) + tail
    if isinstance(directory, bytes):
        return directory + b"/" + raw
    return directory + "/" + _to_str(raw)


def create(os, directory, name, flags):
    """Create a fresh temporary file for ``name`` in ``directory`` with the
    os.open ``flags`` (which include O_CREAT and O_EXCL); lock it; return
    (fd, path)."""
    for _ in range(100):
        tmp = temp_name(directory, name)
        try:
            # Mode 0o666: the kernel takes the umask off, as for any new file.
            fd = os.open(tmp, flags, 0o666)
        except OSError as err:  # (not "except FileExistsError": MicroPython lacks the name)
            if err.errno != 17:  # EEXIST
                raise
            continue
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (ImportError, OSError):
            pass  # no locks here: a cleaner cannot lock either, and keeps the file
        return fd, tmp
    raise OSError(17, "could not create a unique temporary file", directory)


def owner(name):
    """Return the PID in the temporary-file name ``name`` (str or bytes), or
    None if ``name`` is not exactly a name :func:`temp_name` makes.

    >>> owner(".m.pkl.tinynet-4242-0123456789abcdef.tmp"), owner(".m.pkl.4242.tmp")
    (4242, None)
    """
    if isinstance(name, bytes):
        name = name.decode("latin-1")  # only the ASCII tail is read
    if not (name.startswith(".") and name.endswith(".tmp")):
        return None
    at = name.rfind(_TAG, 0, len(name) - 4)
    if at < 1:
        return None
    pid, _, mark = name[at + len(_TAG):-4].partition("-")
    if not (0 < len(pid) <= 10 and all(c in "0123456789" for c in pid) and pid[0] != "0"
            and len(mark) == 16 and all(c in "0123456789abcdef" for c in mark)):
        return None
    return int(pid)


def running(os, pid):
    """Whether a process ``pid`` may be running (True when it cannot be told)."""
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, the pid is only looked up
    except OSError as err:
        return err.errno != 3  # ESRCH: no such process (EPERM: someone else's, running)
    except (OverflowError, ValueError):
        return True
    return True


def remove_stale(directory, now=None):
    """Remove the temporary files that dead writers left in ``directory``
    (see the module's docstring for what is removed); return their names."""
    import os
    import time

    try:
        import fcntl
    except ImportError:  # Windows, MicroPython: whether a writer lives cannot be told
        return []
    if not (hasattr(os, "geteuid") and os.name == "posix"
            and {os.open, os.stat, os.unlink} <= os.supports_dir_fd
            and os.listdir in os.supports_fd):
        return []
    now = time.time() if now is None else now
    try:
        dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return []
    removed = []
    try:
        for name in os.listdir(dir_fd):
            pid = owner(name)
            if pid is None or running(os, pid):  # (this process is running too)
                continue
            try:
                if _remove_if_stale(os, fcntl, dir_fd, name, now):
                    removed.append(name)
            except OSError:
                pass  # gone already, or not ours to tell: kept
    finally:
        os.close(dir_fd)
    return removed


def _remove_if_stale(os, fcntl, dir_fd, name, now):
    import stat

    st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid()
            or now - st.st_mtime < STALE_AFTER):
        return False
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(name, flags | getattr(os, "O_NOCTTY", 0), dir_fd=dir_fd)
    try:
        again = os.fstat(fd)
        if (again.st_dev, again.st_ino) != (st.st_dev, st.st_ino):
            return False  # replaced since it was examined
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises while a live writer holds it
        os.unlink(name, dir_fd=dir_fd)
        return True
    finally:
        os.close(fd)
