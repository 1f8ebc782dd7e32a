"""What a file holds, told from its first bytes: the one place tinynet sniffs.

:func:`kind_of_bytes` names the kind of content that starts with some bytes;
:func:`kind_of_file` reads the first :data:`HEAD` bytes of a file and asks
it.  ``tinynet.load`` uses it to choose a model loader, the model loaders
to say what a file is when it is not a model, ``tinynet.datasets`` (on the
decompressed content of a gzip) to choose a data reader, and the command
line to tell models from data.  Names are told by content, never by a
file's name.

The kinds:

============== =============================================================
``compact``    a compact model (``.tnb``, see ``compact.py``)
``pickle``     a pickle of protocol 2 or later (a tinynet model file)
``json``       a JSON object (``{`` after a UTF-8 BOM and white space)
``gzip``       gzip-compressed data
``idx-images`` an IDX file of unsigned bytes and 3 dimensions (MNIST images)
``idx-labels`` an IDX file of unsigned bytes and 1 dimension (MNIST labels)
``idx``        another IDX file (other dimensions or element type)
``png``        a PNG image
``npy``        a NumPy ``.npy`` array
``zip``        a zip archive (also NumPy's ``.npz``)
``text``       UTF-8 text without control characters (a CSV file, say)
``binary``     anything else
``empty``      no bytes at all
============== =============================================================

>>> kind_of_bytes(b"\\x80\\x04\\x95"), kind_of_bytes(b'\\xef\\xbb\\xbf {"sizes": [2]}')
('pickle', 'json')
>>> kind_of_bytes(b"label,1x1,1x2\\n5,0,0\\n"), kind_of_bytes(b"\\x00\\x00\\x08\\x03")
('text', 'idx-images')
"""

from .files import open_regular

#: How many bytes :func:`kind_of_file` reads to tell a file's kind.
HEAD = 512
#: The first bytes of a compact model file (``compact.py`` imports it from
#: here: the sniffer must not import the loader, which imports the network).
COMPACT_MAGIC = b"\x89TNB"
GZIP_MAGIC = b"\x1f\x8b"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: An IDX file starts with two zero bytes, its element type, and its number
#: of dimensions; tinynet reads unsigned bytes (0x08) only.
IDX_TYPES = (0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E)
_MAGICS = ((COMPACT_MAGIC, "compact"), (GZIP_MAGIC, "gzip"), (PNG_MAGIC, "png"),
           (b"\x93NUMPY", "npy"), (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"))
_BOM = b"\xef\xbb\xbf"
_WHITE = b" \t\r\n"
# Control characters that text (CSV, JSON) may hold: tab, newline, CR, form feed.
_TEXT_CONTROLS = (9, 10, 12, 13)

#: Every kind :func:`kind_of_bytes` gives.
KINDS = ("compact", "pickle", "json", "gzip", "idx-images", "idx-labels", "idx", "png", "npy",
         "zip", "text", "binary", "empty")
#: The kinds that ``tinynet.load`` reads.
MODELS = ("compact", "pickle", "json")


def kind_of_bytes(head):
    """Return the kind (one of :data:`KINDS`) of content that starts with
    the bytes ``head``; only its first :data:`HEAD` bytes are looked at."""
    head = bytes(head[:HEAD])
    if not head:
        return "empty"
    for magic, kind in _MAGICS:
        if head[:len(magic)] == magic:
            return kind
    if head[:1] == b"\x80":  # every pickle since protocol 2 starts so
        return "pickle"
    if head[:2] == b"\x00\x00" and (len(head) == 2 or head[2] in IDX_TYPES):
        if head[2:3] != b"\x08":
            return "idx"
        return {b"\x03": "idx-images", b"\x01": "idx-labels"}.get(head[3:4], "idx")
    text = head[3:] if head[:3] == _BOM else head
    if text.lstrip(_WHITE)[:1] == b"{":
        return "json"
    return "text" if _is_text(text) else "binary"


def _is_text(data):
    """Whether ``data`` (the first bytes of a file) is UTF-8 text without
    control characters; a character cut short at the end is allowed."""
    if any(b < 32 and b not in _TEXT_CONTROLS or b == 127 for b in data):
        return False
    for cut in range(4):  # the head may end inside a character of up to 4 bytes
        try:
            (data[:len(data) - cut] if cut else data).decode("utf-8")
            return True
        except UnicodeError:
            pass
    return False


def kind_of_file(path):
    """Return the kind of the regular file ``path`` by its first bytes (not
    decompressed: a gzipped file is "gzip").  A missing file raises
    FileNotFoundError, and what is not a regular file a TinynetError naming
    it, as every reader does."""
    with open_regular(path) as f:
        return kind_of_bytes(f.read(HEAD))


def as_buffer(source):
    """Return ``source`` as a memoryview when it holds a model's bytes rather
    than naming a file, else None (a path: str, ``os.PathLike``, or bytes).

    A buffer is anything ``memoryview`` takes: ``bytearray``, ``memoryview``,
    ``mmap``, a file on a ROMFS mount (its memoryview is the flash), and
    ``bytes`` that start as a model does, or that no path could be (with a
    NUL byte, or longer than 4096 bytes); other bytes are a path, as
    everywhere in tinynet.  A binary file that is not a buffer is read whole.
    """
    if isinstance(source, str) or hasattr(source, "__fspath__"):
        return None
    if isinstance(source, bytes) and len(source) <= 4096 and b"\0" not in source \
            and kind_of_bytes(source) not in MODELS:
        return None
    try:
        return memoryview(source)
    except TypeError:
        if not hasattr(source, "read"):
            return None  # (the caller's path handling says what is wrong)
    data = source.read()
    if isinstance(data, str):
        raise TypeError("a model is read from a binary file: open it with mode 'rb'")
    return memoryview(data)


def json_depth(text):
    """Return how deeply the JSON text ``text``'s arrays and objects nest
    (strings skipped), told without parsing it: a parser's recursion is
    exhausted by a document nested thousands deep (a RuntimeError on
    MicroPython, which has no RecursionError).

    >>> json_depth('{"sizes": [2, 3], "name": "[[["}'), json_depth("[" * 5000)
    (2, 5000)
    """
    depth = deepest = 0
    quoted = escaped = False
    for c in text:
        if quoted:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif c in "]}":
            depth -= 1
    return deepest
