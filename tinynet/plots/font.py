"""The pixel font of the PNG pictures: 3 pixels wide, 7 rows high.

Rows 0-4 hold the digits, the capitals and the tall strokes of b d f h k l
t; rows 1-4 the body of the small letters; rows 5-6 the tails of g j p q
y (and the comma), which hang below the line as in print, so that "g" is
never read as "9".  Each glyph below is drawn as its rows, ``#`` for ink,
top row first; rows left out at the bottom are blank.  Text advances 4
pixels a character (a column of space between glyphs).

A character with no glyph is drawn as :data:`MISSING`, a solid block, so a
gap in the font shows instead of passing for a space.
"""

WIDTH, HEIGHT, ADVANCE = 3, 7, 4

_GLYPHS = """
0 ### #.# #.# #.# ###    1 .#. ##. .#. .#. ###    2 ### ..# ### #.. ###
3 ### ..# ### ..# ###    4 #.# #.# ### ..# ..#    5 ### #.. ### ..# ###
6 ### #.. ### #.# ###    7 ### ..# .#. .#. .#.    8 ### #.# ### #.# ###
9 ### #.# ### ..# ###
a ... ##. .## #.# ###    b #.. #.. ##. #.# ##.    c ... .## #.. #.. .##
d ..# ..# .## #.# .##    e ... .## ### #.. .##    f .## #.. ### #.. #..
g ... .## #.# #.# .## ..# ##.                      h #.. #.. ### #.# #.#
i .#. ... .#. .#. .#.    j ..# ... ..# ..# ..# #.# .#.
k #.. #.. #.# ##. #.#    l ##. .#. .#. .#. .##    m ... ### ### #.# #.#
n ... ##. #.# #.# #.#    o ... .#. #.# #.# .#.    p ... ##. #.# #.# ##. #.. #..
q ... .## #.# #.# .## ..# ..#                      r ... .## #.. #.. #..
s ... .## ##. .## ##.    t .#. ### .#. .#. .##    u ... #.# #.# #.# ###
v ... #.# #.# .#. .#.    w ... #.# #.# ### #.#    x ... #.# .#. .#. #.#
y ... #.# #.# #.# .## ..# ##.                      z ... ### .## ##. ###
A .#. #.# ### #.# #.#    B ##. #.# ##. #.# ##.    C .## #.. #.. #.. .##
D ##. #.# #.# #.# ##.    E ### #.. ##. #.. ###    F ### #.. ##. #.. #..
G .## #.. #.# #.# .##    H #.# #.# ### #.# #.#    I ### .#. .#. .#. ###
J ..# ..# ..# #.# .#.    K #.# ##. #.. ##. #.#    L #.. #.. #.. #.. ###
M ### ### #.# #.# #.#    N ##. #.# #.# #.# #.#    O .#. #.# #.# #.# .#.
P ##. #.# ##. #.. #..    Q .#. #.# #.# ##. .##    R ##. #.# ##. #.# #.#
S .## #.. .#. ..# ##.    T ### .#. .#. .#. .#.    U #.# #.# #.# #.# .#.
V #.# #.# #.# .#. .#.    W #.# #.# #.# ### #.#    X #.# #.# .#. #.# #.#
Y #.# #.# .#. .#. .#.    Z ### ..# .#. #.. ###
. ... ... ... ... .#.    , ... ... ... .#. .#. #..    : ... .#. ... .#. ...
% #.# ..# .#. #.. #.#    - ... ... ### ... ...    + ... .#. ### .#. ...
/ ..# ..# .#. #.. #..    ( .#. #.. #.. #.. .#.    ) .#. ..# ..# ..# .#.
= ... ### ... ### ...    ' .#. .#. ... ... ...    _ ... ... ... ... ###
! .#. .#. .#. ... .#.    ? ### ..# .## ... .#.
"""

#: What a character with no glyph is drawn as.
MISSING = ("###",) * 5 + ("...",) * 2


def _parse(text):
    glyphs = {" ": ("...",) * HEIGHT}
    for line in text.strip().splitlines():
        words = line.split()
        char, rows = None, []
        for word in words + [None]:
            if word is None or len(word) == 1:  # a new glyph starts (or the line ends)
                if char is not None:
                    glyphs[char] = tuple(rows + ["..."] * (HEIGHT - len(rows)))
                char, rows = word, []
            else:
                rows.append(word)
    return glyphs


#: Each character's rows, ``#`` for ink: all HEIGHT rows, top first.
GLYPHS = _parse(_GLYPHS)


def glyph(char):
    """Return the rows of ``char`` (:data:`MISSING` if the font lacks it)."""
    return GLYPHS.get(char, MISSING)


def ink(char):
    """Return the (column, row) of every inked pixel of ``char``."""
    return [(c, r) for r, row in enumerate(glyph(char)) for c, mark in enumerate(row)
            if mark == "#"]


def text_width(text, scale=1):
    """The width in pixels of ``text`` drawn at ``scale``."""
    return ADVANCE * scale * len(text)
