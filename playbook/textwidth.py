"""How wide text is drawn: display columns for wrapping, ems for sizing boxes.

Counting characters measures a Japanese name at half its width and a joined
emoji (👩‍🔧, three code points) at three times its. Here text is measured by
grapheme cluster (UAX #29) and East Asian Width (UAX #11), through `wcwidth`:
a wide or full-width character or an emoji is two columns, a combining mark or
a joiner none.

For the box around a label, `em_width` estimates how wide the diagrams' font
(Helvetica, Arial or their metric twin Liberation Sans, with Noto fonts for
other scripts) draws a line, in ems. The figures were measured with getBBox in
Chromium (tests/test_unicode_browser.py measures them again on every run):
Latin letters use Helvetica's own advance widths, a CJK character is 1 em, a
Noto Color Emoji glyph 1.26 em, symbols such as ★ up to 0.84 em (we allow 0.9).
Letters of other scripts differ too much for one figure (Hebrew 0.55 em, Tamil
and Malayalam about 1, `ஊ` 1.54, Cyrillic `Ж` 0.9): each spacing character of
those scripts (and their spacing vowel signs, which wcwidth counts as no column)
has its own width in `playbook.glyphwidths`, measured in Chromium; a letter of a
script not measured there is allowed 0.62 em. `graphviz_em` is
Graphviz's own guess at the same line, which it sizes boxes and makes room for
arrow labels by: Times-Roman's widths, whatever font is named, so even plain
English is drawn wider than Graphviz reckons it.
"""

from __future__ import annotations

import bisect
import functools
import textwrap
import unicodedata

import wcwidth

from playbook import glyphwidths

# Advance widths of the printable ASCII characters in Adobe's Helvetica AFM, in
# thousandths of an em (Arial and Liberation Sans share them), from ' ' to '~'.
_HELVETICA = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip
# What Graphviz reckons instead when it has no font to measure with (the bundled
# Graphviz, always; `dot` built without cairo): Times-Roman's advance widths for ASCII,
# whatever font the graph names, in thousandths of an em, from ' ' to '~' (measured
# from the bundled Graphviz 16.1, 50 of each character at 100 pt) ...
_TIMES = (
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278,
    500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
    921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
    556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
    333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
    500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
)  # fmt: skip
GRAPHVIZ_BYTE_EM = 0.25
"""... and a quarter em for each UTF-8 byte of any other character: 'ü' half an em,
'書' three quarters (it is drawn a whole em), '🎉' one, a zero-width joiner three quarters."""
WIDE_EM = 1.0
"""A CJK ideograph, kana, Hangul syllable or full-width form: one em."""
EMOJI_EM = 1.3
"""An emoji, however many code points make it (Noto Color Emoji draws 1.26 em)."""
NARROW_EM = 0.62
"""A letter of a script `playbook.glyphwidths` has not measured, per column."""
SYMBOL_EM = 0.9
"""A narrow symbol such as ★ or →, drawn from a fallback font (DejaVu's ★ is 0.84 em)."""


def graphemes(text: str) -> list[str]:
    """The user-perceived characters of text: 'é' (e and a combining accent) is one,
    and so is '👩\u200d🔧'; a cut between two of them never breaks a character."""
    return list(wcwidth.iter_graphemes(text))


def columns(text: str) -> int:
    """Display width in columns: wide characters and emoji 2, combining marks 0."""
    if text.isascii() and text.isprintable():
        return len(text)
    return max(0, int(wcwidth.width(text)))


@functools.lru_cache(maxsize=8192)
def _grapheme_em(cluster: str) -> float:
    if len(cluster) == 1 and " " <= cluster <= "~":
        return _HELVETICA[ord(cluster) - 32] / 1000
    cells = columns(cluster)
    if cells <= 0:
        return 0.0
    first = cluster[0]
    if _measured(first) is not None and "\ufe0f" not in cluster:  # not drawn as emoji
        # Every spacing character of the cluster: a Tamil letter and its vowel sign
        # (which wcwidth counts as a column, or none).
        return sum(_measured(char) or 0.0 for char in cluster)
    category = unicodedata.category(first)
    if cells >= 2:
        emoji = category in ("So", "Sk") or "\ufe0f" in cluster
        return EMOJI_EM if emoji else WIDE_EM * cells / 2
    base = unicodedata.normalize("NFD", first)[0]
    if " " <= base <= "~":  # an accented Latin letter: its base letter's width
        return _HELVETICA[ord(base) - 32] / 1000
    if category[0] == "S":
        return SYMBOL_EM
    return NARROW_EM * cells


_BLOCK_STARTS = sorted(glyphwidths.BLOCKS)


def _measured(char: str) -> float | None:
    """The width `playbook.glyphwidths` measured for one character, in ems, or None."""
    code = ord(char)
    at = bisect.bisect_right(_BLOCK_STARTS, code) - 1
    if at < 0:
        return None
    row = glyphwidths.BLOCKS[_BLOCK_STARTS[at]]
    offset = code - _BLOCK_STARTS[at]
    if offset >= len(row) or row[offset] == " ":
        return None
    return (ord(row[offset]) - 48) / 20


def em_width(line: str) -> float:
    """A line's estimated drawn width in ems of the diagrams' font (see the module)."""
    if line.isascii() and line.isprintable():
        return sum(_HELVETICA[ord(char) - 32] for char in line) / 1000
    return sum(_grapheme_em(g) for g in graphemes(line))


def graphviz_em(line: str) -> float:
    """A line's width in ems as Graphviz reckons it when it has no font (see _TIMES):
    narrower than `em_width` for most text (Times is narrower than Helvetica), so a
    label's box or room has to be given to Graphviz, not left to its guess."""
    ems = 0.0
    for char in line:
        if " " <= char <= "~":
            ems += _TIMES[ord(char) - 32] / 1000
        else:
            ems += GRAPHVIZ_BYTE_EM * len(char.encode("utf-8", "surrogatepass"))
    return ems


def shortfall(line: str) -> float:
    """How many ems more a line is drawn than Graphviz reckons it (0 when it is not)."""
    return max(0.0, em_width(line) - graphviz_em(line))


def shorten(text: str, limit: int) -> str:
    """Text cut to at most `limit` columns, with '…', never inside a grapheme."""
    if columns(text) <= limit:
        return text
    kept: list[str] = []
    used = 1  # the ellipsis
    for cluster in graphemes(text):
        used += columns(cluster)
        if used > limit:
            break
        kept.append(cluster)
    return "".join(kept).rstrip() + "…"


# Characters a line should not start with (Japanese kinsoku shori, JIS X 4051): closing
# brackets and punctuation, small kana, the prolonged sound mark; they stay on the line before.
_NO_LINE_START = set(
    "、。，．・：；？！ー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ」』）】〕〉》’”"
)


def wrap(text: str, width: int) -> list[str]:
    """Text as lines of at most `width` columns, broken at spaces, else between
    graphemes (so CJK text, which has no spaces, wraps too). A closing mark or small
    kana never starts a line: wcwidth (0.9.5 on) takes the character before it along
    to the next line; one it lets through (its list and JIS X 4051's differ a little)
    is moved back to the end of the line before."""
    if text.isascii():  # one column a character: the standard library's wrap, six times faster
        return textwrap.wrap(text, width, break_on_hyphens=False) or [""]
    lines = wcwidth.wrap(text, width, break_on_hyphens=False) or [""]
    for i in range(1, len(lines)):
        while lines[i] and lines[i][0] in _NO_LINE_START:
            lines[i - 1] += lines[i][0]
            lines[i] = lines[i][1:]
    return [line for line in lines if line] or [""]
