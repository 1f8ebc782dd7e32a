"""Opening data files: gzipped or not, and telling their formats apart.

Every reader in tinynet.datasets and the command line goes through these.
A file's kind is told by the core's one sniffer (:mod:`tinynet.kinds`), here
on its content once decompressed.  Files are opened by :class:`DataReader`:
only regular files, streamed (a gzip is decompressed as it is read, never
whole), with read failures reported as a TinynetError naming the file.
"""

from ..errors import TinynetError, grouped
from ..files import file_size, fspath, open_regular
from ..kinds import HEAD, MODELS, kind_of_bytes

#: The longest line iterating over a DataReader gives (lines() takes any).
LINE_LIMIT = 1 << 20

#: Bytes read at a time where no limit asks for fewer.
READ_BLOCK = 1048576  # pragma: no mutate (a speed choice: any block size reads the same)


def open_data(path, limit=None, what="data file"):
    """Return a :class:`DataReader` for ``path``: its
    content, decompressed if it is gzipped (by its first two bytes, not its
    name), at most ``limit`` bytes of it."""
    return DataReader(path, limit, what)


def read_data(path, limit=None, what="data file"):
    """Return the (decompressed) content of ``path``, refusing more than
    ``limit`` bytes of it as soon as the excess shows."""
    with DataReader(path, limit, what) as f:
        return f.read()


def head(path, n=4):
    """Return the first ``n`` bytes of the (decompressed) content of
    ``path``, or b"" if they cannot be read.  Reads only those bytes (and a
    gzip block at most): a file is never read whole to be sniffed.  A path
    that is not a regular file is refused (TinynetError)."""
    try:
        f = DataReader(path)
    except OSError:  # missing, unreadable: the reader proper will say so
        return b""
    with f:
        try:
            return f.read(n)
        except TinynetError:  # a corrupt gzip: the reader proper will say so
            return b""


def content_kind(path):
    """Return the kind (see :mod:`tinynet.kinds`) of what ``path`` holds
    once decompressed: a gzipped IDX file is "idx-images", not "gzip"."""
    return kind_of_bytes(head(path, HEAD))


def kind(path):
    """Return what ``path`` holds, by its content: "idx-images", "idx-labels",
    "idx" (another IDX shape), "model" (a tinynet model file: compact, a
    pickle or JSON), or "csv" for anything else."""
    found = content_kind(path)
    if found.startswith("idx"):
        return found
    return "model" if found in MODELS else "csv"


def data_kind(path):
    """Return :func:`kind` of ``path``, refusing a model file (TinynetError):
    a model given where data is expected would otherwise be read as CSV."""
    found = kind(path)
    if found == "model":
        raise TinynetError("%s: a tinynet model file, not a data file (CSV or IDX)" % (path,))
    return found


class DataReader:
    """A regular file opened for reading, decompressed on the fly if it
    starts with the gzip magic bytes, that hands out at most ``limit`` bytes
    of content (None: no cap) and turns every read failure (a truncated or
    corrupt gzip stream, an I/O error) into a :class:`TinynetError` naming
    the file.

    Sniffing reads two bytes and seeks back: nothing is read twice or whole.
    """

    def __init__(self, path, limit=None, what="file"):
        self.path = fspath(path)
        self.limit = limit
        self.what = what
        self.count = 0  # bytes of content handed out so far
        self.line = None  # the number of the line lines() is reading
        self._raw = open_regular(self.path)
        self.size = file_size(self._raw)  # bytes on disk (compressed or not)
        try:
            self.compressed = kind_of_bytes(self._raw.read(2)) == "gzip"
            self._raw.seek(0)
            if self.compressed:
                import gzip

                self._file = gzip.GzipFile(fileobj=self._raw, mode="rb")
            else:
                self._file = self._raw
        except BaseException:
            self._raw.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            if self._file is not self._raw:
                self._file.close()
        finally:
            self._raw.close()

    def _where(self):
        """The file, and the line being read when lines() is reading."""
        return self.path if self.line is None else "%s:%d" % (self.path, self.line)

    def _fail(self, err):
        kind = "corrupt gzip data" if self.compressed else "read error"
        detail = str(err) or type(err).__name__
        return TinynetError("%s: %s after %s bytes of content (%s)"
                            % (self._where(), kind, grouped(self.count), detail))

    def _checked(self, call, *args):
        import zlib

        try:
            return call(*args)
        except (EOFError, OSError, zlib.error) as err:
            raise self._fail(err) from None

    def _count(self, data):
        self.count += len(data)
        if self.limit is not None and self.count > self.limit:
            raise TinynetError("%s: more than the %s bytes of content a %s may hold%s"
                               % (self._where(), grouped(self.limit), self.what,
                                  " (once decompressed)" if self.compressed else ""))
        return data

    def read(self, n=-1):
        """Return up to ``n`` bytes (all the rest if ``n`` < 0, still capped)."""
        if n is None or n < 0:
            if self.limit is None:
                return self._count(self._checked(self._file.read))
            n = self.limit - self.count + 1
        return self._count(self._checked(self._file.read, n))

    def read_exactly(self, n, what="data"):
        """Return exactly ``n`` bytes, or raise naming the file if it ends early."""
        chunks, left = [], n
        while left > 0:
            block = self.read(min(left, READ_BLOCK))
            if not block:
                raise TinynetError("%s: ends early: %s %s bytes expected, %s found"
                                   % (self.path, what, grouped(n), grouped(n - left)))
            chunks.append(block)
            left -= len(block)
        return b"".join(chunks)

    def at_end(self):
        """True if no content is left (reads one more byte to tell)."""
        return not self._checked(self._file.read, 1)

    def readline(self, limit):
        """Return the next line, or b"" at the end; a line longer than
        ``limit`` bytes is refused without reading it whole."""
        # One byte past the limit is enough to see a line exceed it (more says the same).
        line = self._checked(self._file.readline, limit + 1)
        if len(line) > limit:
            raise TinynetError("%s: a line longer than %s bytes; refused unread"
                               % (self._where(), grouped(limit)))
        return self._count(line)

    def __iter__(self):
        """Iterate over lines of at most :data:`LINE_LIMIT` bytes each."""
        return self.lines(LINE_LIMIT)

    def lines(self, limit):
        """Yield the lines, each at most ``limit`` bytes (see readline);
        errors name the line as ``path:number``."""
        self.line = 0
        while True:
            self.line += 1
            line = self.readline(limit)
            if not line:
                self.line = None
                return
            yield line
