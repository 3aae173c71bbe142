"""Measure the advance widths `playbook/glyphwidths.py` holds, in a real Chromium.

Run from the repository (with the Noto fonts of .ci/run installed):

    .venv/bin/python tests/measure_glyphs.py > playbook/glyphwidths.py

The figures depend on the fonts installed: after a font update, run it again and
run tests/test_unicode_browser.py.

Each spacing character (a letter, digit, spacing vowel sign, punctuation or symbol)
of the blocks below is drawn with the diagrams' font stack at 100 px and measured
with getBBox; a spacing vowel sign after its script's first letter, less that letter
(alone, a font draws it on a dotted circle). Widths are rounded up to 0.05 em.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import chromium  # noqa: E402

BLOCKS = [
    (0x00C0, 0x024F, "Latin-1 letters, Latin Extended-A and -B"),
    (0x0370, 0x03FF, "Greek"),
    (0x0400, 0x052F, "Cyrillic"),
    (0x0530, 0x058F, "Armenian"),
    (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"),
    (0x0700, 0x074F, "Syriac"),
    (0x0780, 0x07BF, "Thaana"),
    (0x07C0, 0x07FF, "NKo"),
    (0x0900, 0x0DFF, "Devanagari to Sinhala"),
    (0x0E00, 0x0EFF, "Thai, Lao"),
    (0x0F00, 0x0FFF, "Tibetan"),
    (0x1000, 0x109F, "Myanmar"),
    (0x10A0, 0x10FF, "Georgian"),
    (0x1200, 0x139F, "Ethiopic"),
    (0x13A0, 0x13FF, "Cherokee"),
    (0x1780, 0x17FF, "Khmer"),
    (0x1800, 0x18AF, "Mongolian"),
    (0x2D30, 0x2D7F, "Tifinagh"),
    (0xA980, 0xA9DF, "Javanese"),
    (0x2010, 0x205E, "General Punctuation (‰, ‱, ⁂)"),
    (0x2100, 0x21FF, "Letterlike Symbols, Number Forms, Arrows (™, ⅷ, →)"),
    (0x2E00, 0x2E5D, "Supplemental Punctuation (⸻)"),
    (0xFB00, 0xFDFF, "Alphabetic and Arabic Presentation Forms (ﬃ, ﷺ, ﷽)"),
    (0xFE70, 0xFEFC, "Arabic Presentation Forms-B"),
]
SPACING = ("L", "N", "P", "S", "Mc")
FONT = "Helvetica,Arial,sans-serif"


def spacing(char: str) -> bool:
    category = unicodedata.category(char)
    return category == "Mc" or category[0] in SPACING


def main() -> None:
    texts: list[str] = []
    for start, end, _ in BLOCKS:
        for code in range(start, end + 1):
            char = chr(code)
            if spacing(char):
                # A vowel sign after the first letter of its own script (its 128 code points).
                script = range(max(start, code & ~0x7F), min(end, code | 0x7F) + 1)
                base = next((chr(c) for c in script if unicodedata.category(chr(c)) == "Lo"), "")
                mark = unicodedata.category(char) == "Mc" and base
                texts += [base + char, base] if mark else [char, ""]
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' width='3000' height='200'>"
        f"<text id='t' x='10' y='100' font-family='{FONT}' font-size='100'></text></svg>"
    )
    with chromium() as browser:
        page = browser.new_page()
        page.set_content(svg)
        page.evaluate("document.fonts.ready")
        widths = page.evaluate(
            """(texts) => { const t = document.getElementById('t');
               return texts.map(s => { t.textContent = s; return s ? t.getBBox().width / 100 : 0; }); }""",
            texts,
        )
    measured = iter(zip(widths[::2], widths[1::2], strict=True))
    print('"""Advance widths of the letters, digits, spacing vowel signs, punctuation and')
    print("symbols of the scripts the diagrams draw from Noto fonts (and of the Latin, Greek")
    print("and Cyrillic letters Liberation Sans draws), in twentieths of an em, rounded up;")
    print("measured in Chromium by tests/measure_glyphs.py, which wrote this file.")
    print("")
    print("Each block is a string, one character per code point from its first: the width")
    print("is ord(c) - 48; ' ' where a character takes no width of its own (a mark) or was")
    print('not measured."""')
    print("")
    print("BLOCKS: dict[int, str] = {")
    for start, end, name in BLOCKS:
        row = []
        for code in range(start, end + 1):
            if not spacing(chr(code)):
                row.append(" ")
                continue
            whole, base = next(measured)
            twentieths = max(1, -int(-round((whole - base) * 20, 6) // 1))
            row.append(chr(48 + min(twentieths, 78)))
        print(f"    # {name}")
        text = "".join(row).replace("\\", "\\\\")  # as ruff format writes it
        print(f'    0x{start:04X}: "{text}",')
    print("}")


if __name__ == "__main__":
    main()
