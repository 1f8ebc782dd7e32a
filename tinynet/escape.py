"""Text that tinynet writes into files it generates, or onto a terminal: one
rule, and one function per output language.

The rule: a generated file holds whatever text it is given (a title, a class
label, a folder's name) only in a form that its language reads back as that
text and nothing more.  What the language cannot hold is replaced, never
passed through:

- :func:`xml` for SVG and HTML.  XML 1.0 forbids most control characters
  even as character references (``&#27;`` is ill-formed), and a browser or
  Jupyter then shows nothing: those, the C1 controls and lone surrogates
  become U+FFFD (the replacement character); ``& < > " '`` and tab, line
  feed and carriage return become references, so an attribute keeps them.
- :func:`printable` for a line a person reads: a terminal, or a comment in a
  Python file such as a firmware manifest, where a line break would end the
  comment and start code.  Control characters, line and paragraph
  separators, lone surrogates (bytes of a name that are not UTF-8) and the
  bidirectional overrides that make code display other than it runs become
  escapes as Python writes them (``\\n``, ``\\x1b``, ``\\udcff``).
- Python source: a string goes in as ``repr(text)``, which Python reads back
  as exactly that string.
- CSV and PNG files hold numbers only; their writers refuse anything else.

This module is part of the core (``summary.html`` uses it) and runs on
MicroPython: it tests code points, not ``str.isprintable``.

>>> xml('a <b> & "c"')
'a &lt;b&gt; &amp; &quot;c&quot;'
>>> xml("\\x1b[31m\\x00") == "\\ufffd[31m\\ufffd"
True
>>> printable('lib\\n__import__("os")')
'lib\\\\n__import__("os")'
"""

_XML_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
              "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# Bidirectional marks, embeddings, overrides and isolates ("Trojan source").
_BIDI = (0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
         0x2066, 0x2067, 0x2068, 0x2069)


def _unprintable(c):
    """True for a code point a terminal or a one-line comment must not get
    as it is: C0 and C1 controls, DEL, separators, surrogates, bidi marks."""
    return (c < 0x20 or 0x7F <= c <= 0x9F or c in (0x2028, 0x2029) or 0xD800 <= c <= 0xDFFF
            or c in _BIDI)


def xml(text):
    """Return ``text`` (any value, as ``str``) ready to stand inside an XML
    or HTML element or a quoted attribute value."""
    text = str(text)
    out = []
    for ch in text:
        named = _XML_NAMED.get(ch)
        if named is not None:
            out.append(named)
            continue
        c = ord(ch)
        if c < 0x20 or 0x7F <= c <= 0x9F or 0xD800 <= c <= 0xDFFF or c in (0xFFFE, 0xFFFF):
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def printable(text):
    """Return ``text`` (any value, as ``str``) on one line, with every
    character a terminal or a comment must not get as it is written as a
    Python escape (a backslash stays a backslash: paths keep their look)."""
    text = str(text)
    out = []
    for ch in text:
        c = ord(ch)
        if not _unprintable(c):
            out.append(ch)
        elif ch in _SHORT:
            out.append(_SHORT[ch])
        elif c < 0x100:
            out.append("\\x%02x" % c)
        else:
            out.append("\\u%04x" % c)
    return "".join(out)
