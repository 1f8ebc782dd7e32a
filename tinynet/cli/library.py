"""The library folder that ``board`` writes, ``DIR/lib/tinynet``: built
beside, swapped in, and only tinynet's own files ever removed.

The new library is written whole into ``lib/.tinynet-build-PID-TOKEN``
(every file flushed to disk), then swapped in by two renames: the old
folder to ``lib/.tinynet-old-PID-TOKEN``, the new one to ``lib/tinynet``.
A failure while building (a compiler error, a full disk, Ctrl-C) leaves
``lib/tinynet`` as it was.  Files of the user's own in the old folder are
then moved into the new one, and what is left of the old one, tinynet's
files only, is removed.

Which files are tinynet's: those named in the old folder's record
(:data:`RECORD`, a list that each library carries of the files tinynet
wrote into it) and any module of the core, as ``.py`` or ``.mpy`` (a stale
``dnn.py`` would be imported before a new ``dnn.mpy``).  Anything else (your
``config.json``, a module of your own, a folder) is kept.

A run killed between the steps leaves a ``.tinynet-build-`` or
``.tinynet-old-`` folder in ``lib``; the next run, once no process with its
PID is running, puts it right: an old library comes back if ``lib/tinynet``
is missing, a user's files are moved into ``lib/tinynet``, and tinynet's own
leftovers are removed.  Run one ``board`` command at a time per folder.
"""

import os

from ..errors import TinynetError
from ..tempfiles import running, token

#: The list of the files tinynet wrote into a library folder, kept in it.
RECORD = ".tinynet-files"
_BUILD, _OLD = ".tinynet-build-", ".tinynet-old-"
_MAX_RECORD = 1 << 16
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


def parse_record(data):
    """Return the set of library paths that the record ``data`` (bytes)
    names: ``NAME.py``/``NAME.mpy`` or ``backends/`` and such a name, each
    of plain characters.  Anything else in it (a ``..``, an absolute path,
    a line of garbage) is ignored: a record never names a file outside the
    library, nor one that is not a module.

    >>> sorted(parse_record(b"dnn.py\\nbackends/packed.mpy\\n../../x.py\\n/etc/passwd\\nnotes.txt"))
    ['backends/packed.mpy', 'dnn.py']
    """
    found = set()
    for line in data.decode("ascii", "replace").splitlines():
        folder, _, name = line.strip().rpartition("/")
        if (folder in ("", "backends") and name.endswith((".py", ".mpy")) and len(name) <= 100
                and not name.startswith(".") and set(name) <= _NAME_CHARS):
            found.add(line.strip())
    return found


def _record_of(folder):
    """The paths the record in ``folder`` names (none if it has no record)."""
    from ..files import read_limited

    try:
        return parse_record(read_limited(os.path.join(folder, RECORD), _MAX_RECORD, "record"))
    except (OSError, TinynetError):
        return set()


def _ours(folder, core):
    """The paths in ``folder`` (a library) that tinynet wrote: its record's,
    and every core module's under either suffix."""
    stems = {p.rsplit(".", 1)[0] for p in core}
    return _record_of(folder) | {s + ext for s in stems for ext in (".py", ".mpy")} | {RECORD}


def _is_dir(path):
    return os.path.isdir(path) and not os.path.islink(path)


def _write_new(path, data):
    with open(path, "xb") as f:  # exclusive: never through something planted there
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _build(folder, files):
    """Write ``files`` ([(path, bytes)]) and their record into ``folder``."""
    os.mkdir(folder)
    os.mkdir(os.path.join(folder, "backends"))
    record = "".join(p + "\n" for p, _ in files).encode("ascii")
    _write_new(os.path.join(folder, RECORD), record)  # first: a half-built folder has it too
    for relative, data in files:
        _write_new(os.path.join(folder, relative), data)
    for sub in (os.path.join(folder, "backends"), folder):
        _fsync_dir(sub)


def _carry(old, new, ours):
    """Move the user's entries (anything not in ``ours``) from the library
    folder ``old`` into ``new``; return the paths that could not be moved."""
    stuck = []
    for sub in ("", "backends"):
        source = os.path.join(old, sub)
        if not _is_dir(source):
            continue
        for name in sorted(os.listdir(source)):
            relative = sub + "/" + name if sub else name
            if relative in ours or (relative == "backends" and _is_dir(os.path.join(old, name))):
                continue
            target = os.path.join(new, relative)
            if os.path.lexists(target):
                stuck.append(relative)
                continue
            try:
                os.rename(os.path.join(source, name), target)
            except OSError:
                stuck.append(relative)
    return stuck


def _retire(folder, ours):
    """Remove tinynet's files from ``folder``, then the folder if that
    empties it; return True if it is gone."""
    for relative in ours:
        path = os.path.join(folder, relative)
        if os.path.lexists(path) and not _is_dir(path):
            os.unlink(path)
    try:
        if _is_dir(os.path.join(folder, "backends")):
            os.rmdir(os.path.join(folder, "backends"))
        os.rmdir(folder)
    except OSError:  # something else is in it: kept
        return False
    return True


def _pid_of(name, prefix):
    """The PID in a leftover folder's name, or None if it is not one."""
    if not name.startswith(prefix):
        return None
    pid, _, mark = name[len(prefix):].partition("-")
    if pid.isdigit() and pid.isascii() and len(mark) == 16 and pid[0] != "0" and len(pid) < 11:
        return int(pid)
    return None


def recover(lib, core):
    """Put right what a killed ``board`` run left in ``lib`` (see the module's
    docstring); return the leftover folders that had to be kept."""
    target = os.path.join(lib, "tinynet")
    kept = []
    for name in sorted(os.listdir(lib)):
        path = os.path.join(lib, name)
        pid = _pid_of(name, _OLD)
        building = pid is None
        if building:
            pid = _pid_of(name, _BUILD)
        if pid is None or pid == os.getpid() or running(os, pid) or not _is_dir(path):
            continue
        if not building and not os.path.lexists(target):
            os.rename(path, target)  # the swap stopped half-way: the old library comes back
            continue
        if not building:
            kept.extend(os.path.join(name, p) for p in _carry(path, target, _ours(path, core)))
        if not _retire(path, _ours(path, core)):
            kept.append(name)
    return kept


def install(lib, files):
    """Make ``lib``/tinynet hold exactly ``files`` ([(path relative to the
    library folder, bytes)]) besides the user's own files; return the paths
    (relative to ``lib``) of what was kept from earlier runs that could not
    be put right."""
    os.makedirs(lib, exist_ok=True)
    target = os.path.join(lib, "tinynet")
    if os.path.islink(target) or (os.path.lexists(target) and not os.path.isdir(target)):
        raise TinynetError("%s is not a folder tinynet can replace (a symlink or a file); "
                           "move it away first" % target)
    core = [p for p, _ in files]
    kept = recover(lib, core)
    suffix = "%d-%s" % (os.getpid(), token())
    staging = os.path.join(lib, _BUILD + suffix)
    try:
        _build(staging, files)
    except BaseException:
        _retire(staging, set(core) | {RECORD})
        raise
    if not os.path.lexists(target):
        os.rename(staging, target)
        _fsync_dir(lib)
        return kept
    old = os.path.join(lib, _OLD + suffix)
    ours = _ours(target, core)
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)
        _retire(staging, set(core) | {RECORD})
        raise
    _fsync_dir(lib)
    stuck = _carry(old, target, ours)
    if not _retire(old, ours):
        kept.append(os.path.basename(old))
    return kept + [os.path.join("tinynet", p) for p in stuck]
