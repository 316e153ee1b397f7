"""United Nations document symbols: grammar, normalisation and file-name mapping.

A UN symbol is a sequence of components separated by ``/``: an organ or body series first
(``A``, ``S``, ``E``, ``ST``, ``CD``, ``NPT``, ``TPNW``, ``CCW``...), then subsidiary bodies
(``C.1``, ``AC.292``, ``CONF.236``), a session (``80``, ``ES-11``, ``S-10``), a document type
(``L.35``, ``RES``, ``PV.12``, ``INF``, ``WP.2``, ``DEC.5``) and suffixes (``Rev.1``, ``Corr.1``,
``Add.1``, ``Amend.1``). Resolutions of the early sessions carry a Roman session number
(``A/RES/2758(XXVI)``) and Security Council resolutions a year (``S/RES/2231 (2015)``).

The canonical key produced by :func:`normalise_symbol` is what every other module stores and
compares, so it must be stable: uppercase series letters, canonical case for the few mixed-case
suffix words, no spaces, parts of a resolution (``A/RES/80/236 A-B``) dropped because they are
published as one document.
"""

from __future__ import annotations

import re

__all__ = [
    "KNOWN_ORGANS",
    "filename_to_symbol",
    "is_symbol",
    "normalise_symbol",
    "series_of",
    "symbol_to_filename",
]

# First components accepted as the start of a UN symbol. An allow-list (rather than "any
# capitalised word") is what keeps "Arabic/Chinese", "USA/Tajikistan" or "and/or" out; the list
# covers the principal organs and the treaty bodies and conferences a disarmament watcher meets.
KNOWN_ORGANS: frozenset[str] = frozenset(
    {
        "A",
        "S",
        "E",
        "ST",
        "T",
        "TD",
        "DP",
        "SG",
        "GA",
        "SC",
        "CD",
        "DC",
        "NPT",
        "TPNW",
        "CCW",
        "BWC",
        "APLC",
        "ATT",
        "CTBT",
        "UNIDIR",
        "UNODA",
        "ODA",
        "UNEP",
        "UNW",
        "HRI",
        "CCPR",
        "CERD",
        "CEDAW",
        "CRC",
        "CAT",
        "CRPD",
        "CMW",
        "ICCD",
        "FCCC",
    }
)

# Suffix words whose canonical spelling is mixed case (everything else is uppercased).
_MIXED_CASE = {
    "REV": "Rev",
    "CORR": "Corr",
    "ADD": "Add",
    "AMEND": "Amend",
    "SUB": "Sub",
    "MISC": "Misc",
    "SUMMARY": "Summary",
}

# One component after normalisation: letters/digits with inner dots or hyphens, optionally a
# parenthesised year or Roman session glued on (``2231(2015)``, ``2758(XXVI)``).
_COMPONENT_RE = re.compile(r"[A-Z0-9]+(?:[.\-][A-Z0-9]+)*(?:\((?:\d{4}|[IVXL]+)\))?", re.I)
_WORD_NUM_RE = re.compile(r"^([A-Za-z]+)((?:[.\-].*)?)$")
# Parts of a resolution written after a space: "A/RES/80/236 A-B", "A/RES/46/36 L".
_PARTS_RE = re.compile(r"\s+[A-Z](?:\s*(?:-|,|and|to)\s*[A-Z])*\s*$")
# Parts glued to the number of a modern resolution: "A/RES/46/36L" (same document as 46/36).
_GLUED_PART_RE = re.compile(r"^(\d+)[A-Z]$")
# Bodies that are not documents by themselves ("A/C.4" is the Fourth Committee).
_BODY_ONLY_RE = re.compile(r"^(?:C|AC|CONF|GGE|CN|SUB|WG)\.\d+$", re.I)
# Hyphen look-alikes that PDF and HTML text put in symbols ("A/RES/ES‑10/27" with U+2011, the
# non-breaking hyphen of UN word processing; U+2010, U+2012, the en dash U+2013 and the minus
# U+2212): a symbol only ever contains the plain hyphen, so they all become "-".
HYPHENS = "\u2010\u2011\u2012\u2013\u2212"
_HYPHEN_RE = re.compile(f"[{HYPHENS}]")
# The United Nations Environment Assembly writes "Res"/"Dec" in mixed case (UNEP/EA.5/Res.14).
_UNEA_SESSION_RE = re.compile(r"^EA\.\d+$")
_UNEA_TYPE_RE = re.compile(r"^(RES|DEC)\.(\d+)$")
_LANG_SUFFIX_RE = re.compile(r"-(?:[A-Z]{2})(?:-[A-Za-z0-9]+)*$")
_FILE_EXT_RE = re.compile(r"\.(?:pdf|txt|html?|docx?|xml|json|zip)$", re.I)


def _canon_component(comp: str) -> str:
    """Canonical case of one component: ``rev.1`` -> ``Rev.1``, ``l.35`` -> ``L.35``."""
    m = _WORD_NUM_RE.match(comp)
    if m:
        word, rest = m.groups()
        canon = _MIXED_CASE.get(word.upper(), word.upper())
        return canon + rest.upper()
    return comp.upper()


def normalise_symbol(s: str) -> str | None:
    """Canonical key of a UN symbol, or None if ``s`` is not a plausible symbol.

    >>> normalise_symbol("a/c.1/80/l.35/rev.1")
    'A/C.1/80/L.35/Rev.1'
    >>> normalise_symbol("S/RES/2231 (2015)")
    'S/RES/2231(2015)'
    """
    if not s:
        return None
    s = _HYPHEN_RE.sub("-", s).strip().rstrip(".,;:")
    s = _PARTS_RE.sub("", s) if "/RES/" in s.upper() else s
    # Spaces never belong to a symbol; PDF text puts them around "/" and before "(2015)".
    s = re.sub(r"\s+", "", s)
    comps = s.split("/")
    if len(comps) < 2 or any(not c for c in comps):
        return None
    if comps[0].upper() not in KNOWN_ORGANS:
        return None
    if any(not _COMPONENT_RE.fullmatch(c) for c in comps):
        return None
    out = [comps[0].upper()] + [_canon_component(c) for c in comps[1:]]
    last = out[-1]
    if not any(ch.isdigit() for ch in last) or _BODY_ONLY_RE.match(last):
        return None
    if "RES" in out[:-1]:
        # "A/RES/46/36L" is part L of resolution 46/36, one document with the others.
        g = _GLUED_PART_RE.match(last)
        if g and len(out) >= 4:
            out[-1] = g.group(1)
    if out[0] == "UNEP" and len(out) == 3 and _UNEA_SESSION_RE.match(out[1]):
        t = _UNEA_TYPE_RE.match(out[2])
        if t:
            out[2] = f"{t.group(1).title()}.{t.group(2)}"
    return "/".join(out)


def is_symbol(s: str) -> bool:
    """True if ``s`` is (after normalisation) a plausible UN symbol."""
    return normalise_symbol(s) is not None


def symbol_to_filename(symbol: str) -> str:
    """File-name stem used by the corpus and the Digital Library: ``/`` becomes ``_``."""
    key = normalise_symbol(symbol) or symbol.strip()
    return key.replace("/", "_")


def filename_to_symbol(name: str) -> str | None:
    """Symbol of a corpus file name: ``A_C.1_80_L.1.pdf`` -> ``A/C.1/80/L.1``.

    A language tag after a hyphen (``A_RES_77_247-ES.pdf``, ``..-RU-scan.pdf``) is dropped.
    """
    stem = name.rsplit("/", 1)[-1]
    stem = _FILE_EXT_RE.sub("", stem)
    stem = _LANG_SUFFIX_RE.sub("", stem)
    return normalise_symbol(stem.replace("_", "/"))


def series_of(symbol: str) -> str | None:
    """The series a symbol belongs to: ``A/C.1/80/L.1`` -> ``A/C.1/80/L``.

    Revision, corrigendum and addendum suffixes are dropped first (a revision belongs to the
    series of the document it revises); then a numbered type (``L.1``) keeps its letters and a
    plain number is dropped (``A/RES/79/16`` -> ``A/RES/79``).
    """
    key = normalise_symbol(symbol)
    if key is None:
        return None
    comps = key.split("/")
    while len(comps) > 2 and re.match(r"^(?:Rev|Corr|Add|Amend)\.\d+$", comps[-1]):
        comps.pop()
    last = comps[-1]
    m = re.match(r"^([A-Za-z]+)\.\d+$", last)
    if m:
        comps[-1] = m.group(1)
    else:
        comps.pop()
    return "/".join(comps)
