"""The one text normaliser every media type goes through, so that equal content gives equal text
(content hashes and diffs downstream depend on it)."""

from __future__ import annotations

import re
import unicodedata

# Exotic spaces (no-break, thin, narrow no-break, ideographic...) become a plain space: they are
# typography, and PDFs and HTML disagree about them for the same document.
_SPACES = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# Invisible characters that only change hashes: zero-width space/joiners' cousins, BOM, soft
# hyphen, word joiner, bidi marks (the text is stored in logical order already).
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n[ \n]*\n")


def clean_line(line: str) -> str:
    """One line: NFC, invisible characters dropped, runs of spaces collapsed, stripped."""
    line = unicodedata.normalize("NFC", line)
    line = _INVISIBLE.sub("", line)
    line = _CONTROL.sub("", line)
    return _SPACES.sub(" ", line).strip()


def normalise_text(text: str) -> str:
    """Unicode NFC, whitespace and paragraph breaks made canonical.

    - line endings become "\\n"; form feeds and vertical tabs are spaces;
    - every line is cleaned (see `clean_line`), so no trailing spaces remain;
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
