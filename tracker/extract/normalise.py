"""The one text normaliser every media type goes through, so that equal content gives equal text
(content hashes and diffs downstream depend on it)."""

from __future__ import annotations

import re
import unicodedata

# Exotic spaces (no-break, thin, narrow no-break, ideographic...) become a plain space: they are
# typography, and PDFs and HTML disagree about them for the same document.
_SPACES = re.compile(r"[ \f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# A tab separates table cells (see extract/tables.py): kept, one per gap, without spaces around.
_TABS = re.compile(r" *\t[ \t]*")
# Hyphens that only differ in typography (non-breaking U+2011, U+2010, figure dash U+2012, small
# and full-width hyphen-minus in Latin text) become "-": "Non‑Proliferation" and
# "Non-Proliferation" are one word, and "ES‑10/27" one symbol. The raw file keeps what it had.
_HYPHENS = re.compile(r"[\u2010\u2011\u2012\ufe63]")
# Invisible characters that only change hashes: zero-width space/joiners' cousins, BOM, soft
# hyphen, word joiner, bidi marks (the text is stored in logical order already).
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n[ \n]*\n")


def clean_line(line: str) -> str:
    """One line: NFC, invisible characters dropped, runs of spaces collapsed, stripped."""
    if line.isascii() and line.isprintable():  # most lines: nothing to map but spaces
        return (_SPACES.sub(" ", line) if "  " in line else line).strip()
    line = unicodedata.normalize("NFC", line)
    line = _INVISIBLE.sub("", line)
    line = _HYPHENS.sub("-", _CONTROL.sub("", line))
    line = _SPACES.sub(" ", line)
    if "\t" in line:
        line = _TABS.sub("\t", line)
    return line.strip()


def normalise_text(text: str) -> str:
    """Unicode NFC, whitespace and paragraph breaks made canonical.

    - line endings become "\\n"; form feeds and vertical tabs are spaces;
    - every line is cleaned (see `clean_line`), so no trailing spaces remain; typographic hyphens
      become "-"; a tab (between table cells) is kept;
    - one or more blank lines become exactly one: paragraphs are separated by exactly "\\n\\n";
    - a single "\\n" inside a paragraph is kept: plain text carries no layout to say whether it is
      a wrapped line or a deliberate break, and guessing would be worse than keeping it.
      (PDF and HTML extraction reflow lines themselves, so their paragraphs are single lines.)
    Idempotent: normalise_text(normalise_text(t)) == normalise_text(t).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x85", "\n")
    lines = [clean_line(line) for line in text.split("\n")]
    text = "\n".join(lines)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip("\n ")
