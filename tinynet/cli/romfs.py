"""ROMFS images: files a MicroPython board reads in place, from flash.

MicroPython's ``vfs.VfsRom`` mounts a read-only filesystem that is one block
of memory: a ROMFS partition of the board's flash (written by ``mpremote
romfs deploy IMAGE``, mounted at ``/rom`` on boot), or any bytes object, such
as one frozen into the firmware.  A file opened there supports the buffer
protocol: ``memoryview(f)`` is the file's bytes where they lie, so
``tinynet.load`` computes with the weights in flash and copies none to the
heap.  This module writes such images for ``python -m tinynet board``.

The format (MicroPython's ``extmod/vfs_rom.c``; this is our own writer): a
record is a varuint kind, a varuint length and that many bytes of payload;
a varuint is big-endian, 7 bits a byte, the high bit set on all but the
last (and may be padded with leading 0x80 bytes).  The image is one record of
kind 0x14a6b1 (encoded ``d2 cd 31``) holding a file record (kind 5: the
name's length, the name, then a data record of kind 2) per file.  Here the
files sit in the image's root, and each file's data starts at a multiple of
:data:`ALIGN` bytes from the image's start, so that an image placed at an
aligned address gives aligned numbers.

>>> data = image({"a.txt": b"hello"})
>>> data[:3], len(data) % 2, data.index(b"hello") % ALIGN
(b'\\xd2\\xcd1', 0, 0)
"""

FILESYSTEM = 0x14A6B1
FILE, DATA, PADDING = 5, 2, 1
#: File data starts at a multiple of this many bytes from the image's start.
ALIGN = 8


def varuint(n, width=0):
    """Encode ``n``, padded with 0x80 bytes to at least ``width`` bytes."""
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.insert(0, 0x80 | (n & 0x7F))
        n >>= 7
    return bytes([0x80] * (width - len(out)) + out)


def image(files):
    """Return a ROMFS image (bytes) holding ``files``, {name: bytes}, in its
    root, each file's data aligned to :data:`ALIGN` bytes."""
    for name in files:
        if not name or "/" in name or not name.isascii() or name in (".", ".."):
            raise ValueError("a ROMFS file name must be plain ASCII without '/': %r" % name)
    width = 1  # of the filesystem record's length: the files' offsets follow from it
    while True:
        body = b""
        for name in sorted(files):
            body += _file_record(name, bytes(files[name]), 3 + width + len(body))
        if (3 + width + len(body)) % 2:  # the image must take an even number of bytes:
            body += varuint(PADDING) + varuint(1) + b"\0"  # a padding record of 3 bytes
        if len(varuint(len(body))) <= width:
            return varuint(FILESYSTEM) + varuint(len(body), width) + body
        width += 1


def _file_record(name, data, at):
    """The file record of ``name`` starting at offset ``at``, its data
    aligned (by padding the data record's length with 0x80 bytes)."""
    for pad in range(ALIGN):
        length = varuint(len(data), len(varuint(len(data))) + pad)
        payload = varuint(len(name)) + name.encode() + varuint(DATA) + length + data
        record = varuint(FILE) + varuint(len(payload)) + payload
        if (at + len(record) - len(data)) % ALIGN == 0:
            return record
    raise AssertionError("unreachable: ALIGN paddings cover every offset")
