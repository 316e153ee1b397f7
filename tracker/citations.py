"""Citations of other UN documents found in a document's text and links.

Three kinds of reference are recognised, in the six official languages:

* links to the UN document system (``undocs.org/en/A/RES/76/53``, the legacy
  ``undocs.org/Home/Mobile?FinalSymbol=...`` and ``undocs.org/pdf?symbol=...`` forms,
  ``documents.un.org/api/symbol/access?s=...`` and ``symbol-explorer?s=...`` with a
  percent-encoded symbol, ``www.un.org/en/ga/search/view_doc.asp?symbol=...``,
  ``daccess-ods.un.org/...&DS=...``), written in the text or given as the document's link
  targets (``extract_citations(text, links=extraction.links)``, HTML ``<a href>``). A link
  target is matched with the next occurrence of its key in the text (most likely its own
  link text), so it is not counted twice; one the text does not cite is a citation of kind
  "link" with ``raw`` and ``context`` the href and ``start`` = ``len(text)`` (after every
  citation read from the text: the text does not say where the link was);
* full symbols in running text (``A/C.1/80/L.35/Rev.1``, ``S/RES/2231 (2015)``,
  ``A/57/759-S/2003/332`` gives two keys, ``A/60/88 and Corr.2`` gives ``A/60/88/Corr.2`` too);
* resolutions and decisions cited without a series ("resolutions 76/53 and 77/54",
  "résolution 76/53", "резолюции 76/53", "القرار 76/53", "第76/53号决议", "decision 73/546").

Keys (decided here, used by the rest of the project):

* a General Assembly resolution is ``A/RES/{session}/{n}`` (``A/RES/ES-11/4``, ``A/RES/S-10/2``);
  before 1976 ``A/RES/{n}({ROMAN})``; parts are dropped (``36/87 A and B``, ``46/36 L`` and
  ``A/RES/80/236 A-B`` are the documents ``A/RES/36/87``, ``A/RES/46/36``, ``A/RES/80/236``),
  because the parts are published in one document. The Assembly numbered its sessions in Roman
  figures up to the thirtieth (1975), so there is never an ``A/RES/{n}/{m}`` (nor a
  ``decision:{n}/{m}``) with a session below 31, nor an ``A/RES/{n}({ROMAN})`` after XXX; and
  no session has adopted 400 resolutions, so a larger number is a footnote mark glued to the
  real one (``59/3009`` is ``A/RES/59/300``);
* a General Assembly decision has no symbol: ``decision:73/546`` (numbered 301-699);
* a number with a year, ``1540 (2004)``, is a Security Council resolution ``S/RES/1540(2004)``;
* a resolution or decision of another body is never keyed ``A/RES``. The body is the one named
  just before the trigger word ("Human Rights Council resolution 51/22", "the Environment
  Assembly at its resumed fifth session, in resolution 5/14", "Indian Ocean Tuna Commission,
  resolutions 12/07"), or just after the list ("resolution 6/14 of 1 March 2024 of the United
  Nations Environment Assembly", "résolution 5/14 de l'Assemblée des Nations Unies pour
  l'environnement", "resolution 10/7 ..., entitled “...”, by the Conference of the Parties"), or
  named earlier in the same sentence for a further list of the same kind, or with the same
  number elsewhere in the document. Where the body has a series, the key is the real symbol:
  Human Rights Council ``A/HRC/RES/51/22`` and ``A/HRC/DEC/18/120``; Economic and Social Council
  ``E/RES/2011/33`` and ``E/DEC/2005/232``; Commission on Human Rights ``E/CN.4/RES/1998/72``;
  United Nations Environment Assembly ``UNEP/EA.5/Res.14`` (its decisions:
  ``decision:UNEA:5/2``). A body in the list of ``_BODY_NAMES`` without a series of its own gets a
  reference that cannot be taken for a symbol: ``resolution:{BODY}:{number}`` or
  ``decision:{BODY}:{number}``, the number as written (``resolution:IOTC:12/07``,
  ``resolution:CCPCJ:26/3``, ``decision:CBD-COP:15/4``, ``resolution:FAO:3/2023``). A body the
  list does not know ("Parliamentary Assembly", "Conference of the Parties to the Convention"
  without its name) or a resolution printed inside a cited document ("CBD/COP/15/17, decision
  15/4") gives no key;
* ``(Part I)`` after a symbol is not part of the key (``NPT/CONF.1995/32 (Part I)/Corr.2`` is
  ``NPT/CONF.1995/32/Corr.2``).

Not citations: the document's own symbol, page furniture (the symbol header repeated on each
page, job numbers ``25-16208 (E)``, barcodes ``*2516208*``, page numbers ``5/9``), footnote
marks (``[2]``, as the text extractor writes them, or digits glued to a number), dates and
fractions, and resolutions of organizations with symbols of their own (IAEA ``GC(69)/RES/15``,
"International Telecommunication Union resolution 186", "decision 1 of the Sixth Review
Conference").

Hyphen look-alikes (U+2010, U+2011, U+2012, U+2212, and U+2013 in ``ES–10``) read as "-", so
``ES‑10/27`` is ``A/RES/ES-10/27``; ``Citation.start`` and ``raw`` still point into the text as
given.

Everything is done with module-level compiled regular expressions scanned once over the text
(plus bounded look-arounds and look-ups by bisection), so the cost is linear in the text length
(bench/bench_citations_linear.py measures it).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from tracker.symbols import HYPHENS, KNOWN_ORGANS, normalise_symbol

__all__ = ["Citation", "cited_keys", "extract_citations"]


@dataclass(frozen=True)
class Citation:
    key: str  # normalised cited key: "A/RES/76/53", or "decision:73/546" for GA decisions
    kind: str  # "link" | "symbol" | "resolution" | "decision"
    raw: str  # the matched text as it appeared
    context: str  # the sentence around it (<= ~300 chars, whitespace collapsed)
    start: int  # offset in text


# --------------------------------------------------------------------------------------------
# Symbols

_ORG = "(?:" + "|".join(sorted(KNOWN_ORGANS, key=len, reverse=True)) + ")"
# A "/" may be followed by spaces and a line break: PDF text breaks lines after "/"
# ("A/C.1/80/\nL.35"; a text cleaner may even turn that into a paragraph break, so two are
# allowed) and old OCR puts spaces after it ("A/ 4084", "A/ C.4/ 406").
_SLASH = r"/(?:[ \t]*\r?\n){0,2}[ \t]*"
# One component. A dot only follows a letter (L.35, CONF.236, Rev.1), so a sentence full stop or
# a footnote number after "A/79/88." is not swallowed; a comma between a letter and a digit is
# an OCR dot (A/C,4/L,624); a hyphen continues the component (ES-11) unless another symbol starts
# after it (the joint symbol A/57/759-S/2003/332).
_COMP = r"[A-Za-z0-9]+(?:(?:(?<=[A-Za-z])[.,](?=[A-Za-z0-9])|-(?!" + _ORG + r"/))[A-Za-z0-9]+)*"
# Year or Roman session of a resolution ("S/RES/2231 (2015)", "A/RES/2758(XXVI)"); "(Part I)".
_PAREN_NUM = r"(?:[ \t]?\((?:1[89]\d\d|20\d\d|[IVXL]+)\))"
_PART = (
    r"(?:[ \t]*\n?[ \t]*\((?:Parts?|Vol\.|Vols\.)[ \t][IVX]+(?:[ \t](?:and|et|y|to)[ \t][IVX]+)?\))"
)
_SYMBOL_RE = re.compile(
    r"(?<![\w/.\\])"
    + _ORG
    + r"(?:"
    + _SLASH
    + _COMP
    + r")+"
    + _PAREN_NUM
    + r"?(?:"
    + _PART
    + r"(?:/"
    + _COMP
    + r")*)?"
    # Parts of a resolution: "A/RES/80/236 A-B" (only kept in raw; the key drops them).
    + r"(?:(?<=\d)[ \t][A-Z](?:[ \t]?(?:-|and|to)[ \t]?[A-Z])?(?![\w/]))?"
)
_OCR_COMMA_RE = re.compile(r"(?<=[A-Za-z]),(?=\d)")
_PART_STRIP_RE = re.compile(r"\s*\((?:Parts?|Vols?\.)[^)]*\)")
_LINK_PART_RE = re.compile(r"\s*\((?:Parts?|Vols?\.)[^)]*\)", re.I)
# "A/60/88 and Corr.2", "A/C.4/L.624 et Add.1", "A/4084 et Add. l à 4" (OCR "l" for 1).
_SUFFIX_TAIL_RE = re.compile(
    r"\s*+(?:,|and|et|y|и)\s*+(Add|Corr|Rev|Amend)\.[ \t]?([0-9]+|l)"
    r"(?:[ \t]*(?:à|to|a|-|–|по)[ \t]*([0-9]+))?"
)

# --------------------------------------------------------------------------------------------
# Links

_LANG = r"(?:en|fr|es|ru|zh|ch|ar)"
# URL characters that may carry a symbol; a URL never contains spaces, but PDF text breaks long
# links after "/" (handled by allowing a newline right after a slash).
_URLSYM = r"(?:[A-Za-z0-9.()%\-]|/(?:[ \t]*\r?\n[ \t]*)?)+"
_LINK_RE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:"
    r"undocs\.org/(?:Home/Mobile\?FinalSymbol=(?P<s1>[^&\s]+)"
    r"|pdf\?symbol=(?:[a-z]{2}/)?(?P<s2>" + _URLSYM + r")"
    r"|(?:" + _LANG + r"/)?(?P<s3>" + _URLSYM + r"))"
    r"|documents\.un\.org/api/symbol/access\?s=(?P<s4>[^&\s]+)"
    r"|documents\.un\.org/symbol-explorer\?s=(?P<s5>[^&\s]+)"
    r"|un\.org/[a-z]{2}/ga/search/view_doc\.asp\?symbol=(?P<s6>[^&\s]+)"
    r"|daccess-ods\.un\.org/[^\s]*?[?&]DS=(?P<s7>[^&\s]+)"
    # UNODA's document library names files after the symbol: .../CCW-GGE.1-2024-WP.3.pdf.
    # Such links break across lines (with spaces) in PDF text; the path is bounded in length.
    r"|docs-library\.unoda\.org/(?:[^\s/]+(?:\s{1,3}[^\s/]+){0,4}/){1,4}(?P<dl>"
    # Only the hyphenated form mirrors the symbol; underscore names ("CCW_GGE1_2023_WP.4_US_
    # Rev2") insert country codes and versions, so they are not trusted.
    r"(?:CCW|BWC|APLC|TPNW|NPT|ATT)-(?:[A-Za-z0-9.()]|-[ \t]*(?:\n[ \t]*)?){3,60}?)"
    r"(?:_English|_E)?\.pdf"
    r")",
    re.I,
)

# --------------------------------------------------------------------------------------------
# Resolutions and decisions without a series

# Trigger words. "resolution"/"decision" in English, French, Spanish, Russian (any case ending),
# Arabic (with the article, dual/plural and attached pronouns: القرار، القرارين، قرارها،
# المقرر، مقرراتها). Arabic "قرار" also hides in "استقرار" (stability), which is harmless because
# it is never followed by a resolution number.
_TRIGGER_RE = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<res>[Rr]esolutions?|[Rr][ée]solutions?|[Rr]esoluci[oó]n(?:es)?|[Рр]езолюци[а-я]*"
    r"|[\u0600-\u06ff]*قرار[\u0600-\u06ff]*)"
    r"|(?P<dec>[Dd]ecisions?|[Dd][ée]cisions?|[Dd]ecisi[oó]n(?:es)?|[Рр]ешени[а-я]*"
    r"|[\u0600-\u06ff]*مقرر[\u0600-\u06ff]*)"
    r")(?![\w-])"
)
# An Arabic organ name may stand between the trigger and the number: "قرار مجلس الأمن 1540".
_AR_ORGAN_RE = re.compile(
    r"\s+(?P<org>مجلس الأمن|مجلس حقوق الإنسان|الجمعية العامة|المجلس الاقتصادي والاجتماعي"
    r"|جمعية الأمم المتحدة للبيئة)"
)
_AR_ORGANS = {
    "مجلس الأمن": "SC",
    "مجلس حقوق الإنسان": "HRC",
    "المجلس الاقتصادي والاجتماعي": "ECOSOC",
    "جمعية الأمم المتحدة للبيئة": "UNEA",
    "الجمعية العامة": "GA",
}
# One cited number:
#   "76/53", "ES-11/4", "S-10/2", "2011/33" (ECOSOC), optionally parts "A and B";
#   "2758 (XXVI)", "2602 C (XXIV)" (Roman session: General Assembly before 1976);
#   "1540 (2004)" (year: Security Council).
# The number after the slash may carry a footnote mark glued to it ("59/3009" is resolution
# 59/300 and mark 9), so up to six digits are read and _plausible_number() takes the mark off.
_ITEM_RE = re.compile(
    r"(?P<num>(?:(?:ES|S)-\d{1,2}|\d{1,4})/\d{1,6})(?![\d/])"
    r"|(?P<old>\d{1,4})(?:[ \t]?(?P<oldpart>[A-Z]))?\s?[(（]\s?"
    r"(?:(?P<roman>(?:ES-|S-)?[IVXL]{1,6})|(?P<year>(?:19[4-9]|20[0-4])\d)"
    # Arabic texts write the session of an old resolution as (د-26) = (XXVI).
    r"|د-(?P<arsession>\d{1,2}))\s?[)）]"
)
_NUM_ITEM_RE = re.compile(r"(?:(?:ES|S)-\d{1,2}|\d{1,4})/\d{1,6}(?![\d/])")
# Parts after a modern number: "36/87 A and B", "46/36 L", "80/236 A-B". Not "79/16 A/80/1".
_ITEM_PARTS_RE = re.compile(r"[ \t]++[A-Z](?:[ \t]*+(?:-|and|to|et|y|и|,)[ \t]*+[A-Z])*(?![\w/.])")
# A year, with a footnote mark that PDF text may glue to it ("of 23 March 201815 and").
_YEAR = r"\d{4}(?:\d{1,3})?(?![\d/])"
# What may stand between two items of a list: a date ("of 9 December 1974", ", de 10 de
# diciembre de 2020", "du 2 décembre 2024", "от 2 декабря 2024 года", "المؤرخ 2 كانون الأول/
# ديسمبر 2024"), then commas / "and" / "et" / "y" / "и" / "و" / "or".
# Whitespace quantifiers next to each other are possessive ("\s*+") here and below: otherwise a
# failed match over a long run of blanks (masked furniture, footnote marks) would try every way
# of splitting the run between them, polynomial in its length.
_DATE = (
    r"(?:\s*+,?\s*+(?:of|du|de|del|от|adopted\s++on|المؤرخ|المؤرخة|المؤرخين)\s++"
    r"\d{1,2}(?:er)?\s++(?:de\s++)?[^\W\d_]++(?:\s[^\W\d_]++)?(?:/[^\W\d_]++)?(?:\s++de)?\s++"
    + _YEAR
    + r"(?:\s*+(?:года|г\.))?)"
)
_CONJ = r"(?:and|et|y|e|и|или|or|ou|o|as\s+well\s+as|ainsi\s+que|así\s+como|و)"
_SEP_RE = re.compile(
    _DATE + r"?(?:\s*+[,;،]\s*+|\s++)(?:" + _CONJ + r"\s*+)?" + r"|" + _DATE + r"?\s*+و\s*+"
)
# A footnote number left in the text between two items ("2013,2 27/21", "2017, 5 37/27",
# "5/7 27 and 5/828"): tried only when no item follows the separator, and only before a
# session/number item, so "resolutions 2758 (XXVI), 3 (I)" keeps its old-style item.
_MARK_SEP_RE = re.compile(r"\d{1,3}\s++(?:" + _CONJ + r"\s++)?")

# Bodies other than the General Assembly whose resolutions and decisions GA documents cite, by
# how they are written in English (measured on the 252 GA documents of corpus/pdf-ga: the
# Economic and Social Council ~53 times, the Human Rights Council ~47, the Environment Assembly
# ~32, "Council" alone ~20, Conferences of the Parties ~11, the Open-ended Working Group on
# Ageing, FAO, the Commission on Human Rights, CCPCJ, IOTC, ESCAP... a few each).
# Specific names come before the general ones they start like.
_BODY_NAMES: tuple[tuple[str, str], ...] = (
    ("GA", r"General\s+Assembly"),
    ("SC", r"Security\s+Council"),
    ("HRC", r"Human\s+Rights\s+Council"),
    ("ECOSOC", r"Economic\s+and\s+Social\s+Council"),
    (
        "UNEA",
        r"(?:United\s+Nations\s+)?Environment\s+Assembly(?:\s+of\s+the\s+United\s+Nations"
        r"\s+Environment\s+Programme)?|UNEA",
    ),
    ("CHR", r"Commission\s+on\s+Human\s+Rights"),
    ("ESCAP", r"Economic\s+and\s+Social\s+Commission\s+for\s+Asia\s+and\s+the\s+Pacific|ESCAP"),
    ("CND", r"Commission\s+on\s+Narcotic\s+Drugs"),
    ("CCPCJ", r"Commission\s+on\s+Crime\s+Prevention\s+and\s+Criminal\s+Justice|CCPCJ"),
    ("CSW", r"Commission\s+on\s+the\s+Status\s+of\s+Women"),
    ("CSocD", r"Commission\s+for\s+Social\s+Development"),
    ("CPD", r"Commission\s+on\s+Population\s+and\s+Development"),
    ("CSTD", r"Commission\s+on\s+Science\s+and\s+Technology\s+for\s+Development"),
    ("STATCOM", r"Statistical\s+Commission"),
    (
        "UNEP-GC",
        r"Governing\s+Council\s+of\s+the\s+United\s+Nations\s+Environment\s+Programme"
        r"|UNEP\s+Governing\s+Council",
    ),
    ("HABITAT", r"(?:United\s+Nations\s+|UN-)?Habitat\s+Assembly"),
    (
        "UNTOC-COP",
        r"Conference\s+of\s+the\s+Parties\s+to\s+the\s+United\s+Nations\s+Convention\s+"
        r"(?:against|on)\s+Transnational\s+Organized\s+Crime",
    ),
    (
        "UNCAC-COSP",
        r"Conference\s+of\s+the\s+States\s+Parties\s+to\s+the\s+United\s+Nations\s+Convention"
        r"\s+against\s+Corruption",
    ),
    (
        "CBD-COP",
        r"Conference\s+of\s+the\s+Parties\s+to\s+the\s+Convention\s+on\s+Biological"
        r"\s+Diversity",
    ),
    (
        "FAO",
        r"(?:Conference\s+of\s+the\s+)?Food\s+and\s+Agriculture\s+Organization(?:\s+of\s+the\s+"
        r"United\s+Nations)?|FAO(?:\s+Conference)?",
    ),
    ("IOTC", r"Indian\s+Ocean\s+Tuna\s+Commission|IOTC"),
    ("WHA", r"World\s+Health\s+Assembly|Health\s+Assembly"),
    (
        "UNESCO-GC",
        r"General\s+Conference\s+of\s+(?:the\s+)?(?:United\s+Nations\s+Educational,\s+Scientific"
        r"\s+and\s+Cultural\s+Organization|UNESCO)|UNESCO(?:\s+General\s+Conference)?",
    ),
    (
        "IAEA-GC",
        r"General\s+Conference\s+of\s+the\s+International\s+Atomic\s+Energy\s+Agency"
        r"|IAEA(?:\s+General\s+Conference)?",
    ),
    ("ITU", r"International\s+Telecommunication\s+Union|ITU"),
    ("OEWG-AGEING", r"Open-ended\s+Working\s+Group\s+on\s+Ageing"),
    ("HLC-SSC", r"High-level\s+Committee\s+on\s+South-South\s+Cooperation"),
    (
        "SUBCOMMISSION",
        r"Sub-?[Cc]ommission\s+on\s+the\s+Promotion\s+and\s+Protection\s+of\s+Human\s+Rights",
    ),
    # A Conference of the Parties whose convention is not named cannot be keyed.
    ("?", r"Conference\s+of\s+the\s+(?:States\s+)?Parties(?:\s+to\s+the\s+Convention)?"),
    # Bare names, resolved by the form of the number (_item_key) or not keyed.
    ("COUNCIL", r"Council"),
    ("ASSEMBLY", r"Assembly"),
    ("?", r"Commission|Executive\s+Board|Board"),
)
# (The leading look-ahead lets the regex engine skip to capital letters; a look-behind first
# would make it try every alternative at every position, four times slower.)
_BODY_RE = re.compile(
    r"(?=[A-Z])(?<![\w-])(?:"
    + "|".join(f"(?P<b{i}>{pat})" for i, (_c, pat) in enumerate(_BODY_NAMES))
    + r")(?![\w-])"
)
_BODY_CODES = {f"b{i}": code for i, (code, _p) in enumerate(_BODY_NAMES)}
# Any other capitalised name of a body ("Parliamentary Assembly", "Arab Council", "Trade and
# Development Board"): a resolution it adopted is no General Assembly resolution, and it has no
# key. Bounded repetitions keep this linear on long runs of capitalised words.
_OTHER_BODY_RE = re.compile(
    r"(?=[A-Z])(?<![\w-])[A-Z][\w’'-]*(?:\s+(?:(?:of|on|for|and|the|to|against|in)\s+){0,3}"
    r"[A-Z][\w’'-]*){0,8}?\s+(?:Council|Assembly|Commission|Conference|Board|Committee"
    r"|Organization|Forum|Group|Agency|Union|Parties)(?![\w-])"
)
# Clause openers of UN resolutions ("Recalling Council resolution 5/1", "Reaffirms Assembly
# resolution ..."): a capitalised word there is no part of a body's name.
_OPENER_RE = re.compile(r"(?:[A-Z][a-z]+(?:ing|s|ed)|The|See|Also|In|And|Its|Further)\Z")
# What may stand between a body and the trigger: "Human Rights Council resolution", "Council's
# resolution", "Indian Ocean Tuna Commission, resolutions", "the Human Rights Council, in its
# resolution", "the Environment Assembly at its resumed fifth session, in resolution", "... at its
# second session, in paragraph 6 of its resolution", "as reflected in its resolution", "the
# adoption, by the Economic and Social Commission for Asia and the Pacific at its seventy-second
# session, of resolution",
# "Economic and Social Council (resolution ...)", "resolutions adopted by the Human Rights
# Council, including resolutions".
_BODY_GAP_RE = re.compile(
    r"(?:['’]s)?\s*+,?\s*+"
    r"(?:at\s++its\s++[\w\s-]{1,60}?session\s*+,?\s*+(?:of\s++)?)?"
    r"(?:including\s++(?:its\s++)?"
    r"|(?:as\s++reflected\s++|as\s++recalled\s++)?(?:in|by|through|under)\s++"
    r"(?:paragraph\s++\d+\s++of\s++)?(?:its\s++)?)?\(?"
)
_MAX_GAP = 120
_PARAGRAPH_BREAK_RE = re.compile(r"\n[^\S\n]*\n")
# A body named after the list: "resolution 6/14 of 1 March 2024 of the United Nations
# Environment Assembly", "decision 15/24 of the Conference of the Parties to the Convention on
# Biological Diversity", "resolution 10/7 of 16 October 2020, entitled “...”, by the Conference
# of the Parties", "resolution 4/6 on marine plastic litter, adopted by the Environment
# Assembly"; other languages: "la résolution 1540 (2004) du Conseil de sécurité", "resolución
# S-30/1 del Consejo de Derechos Humanos", "résolution 5/14 de l'Assemblée des Nations Unies pour
# l'environnement", "резолюция 51/22 Совета по правам человека".
_AFTER_LEAD = (
    r"(?:\s*+,?\s*+(?:of|adopted\s++on)\s++\d{1,2}\s++[A-Z][a-z]++\s++" + _YEAR + r")?"
    r"(?:\s*+,\s*+\d{1,3}(?=\s)|\s++\d{1,3}(?=\s++(?:of|by|adopted)\s))?"
)
_AFTER_EN_RE = re.compile(
    _AFTER_LEAD + r"(?:\s*+,?\s*+entitled\s++“[^”]{1,300}+”\s*+,?\s*+(?=(?:adopted\s+)?by\s)"
    r"|\s++on\s++[^,;.“”\n]{1,150}?,?\s*+(?:\d{1,3}\s++)?(?=adopted\s+by\s))?"
    r"\s*+,?\s*+(?:adopted\s++by|of|by)\s++the\s++(?=[A-Z])"
)
_AFTER_SUBJECT_RE = re.compile(_AFTER_LEAD + r"\s*+,?\s*+(?:\d{1,3}\s++)?the\s++(?=[A-Z])")
_ORGAN_AFTER_RE = re.compile(
    r"\s*+(?:,\s*+)?(?:(?:of\s++the|du|de\s++la|del|de\s++l['’])\s*+)?"
    r"(?:(?P<SC>Conseil\s+de\s+sécurité|Consejo\s+de\s+Seguridad|Совета\s+Безопасности)"
    r"|(?P<HRC>Conseil\s+des\s+droits\s+de\s+l['’]homme"
    r"|Consejo\s+de\s+Derechos\s+Humanos|Совета\s+по\s+правам\s+человека|لمجلس حقوق الإنسان"
    r"|مجلس حقوق الإنسان)"
    r"|(?P<ECOSOC>Conseil\s+économique\s+et\s+social"
    r"|Consejo\s+Económico\s+y\s+Social|Экономического\s+и\s+Социального\s+Совета)"
    r"|(?P<UNEA>Assemblée\s+des\s+Nations\s+Unies\s+pour\s+l['’]environnement"
    r"|Asamblea\s+de\s+las\s+Naciones\s+Unidas\s+sobre\s+el\s+Medio\s+Ambiente"
    r"|Ассамблеи\s+Организации\s+Объединенных\s+Наций\s+по\s+окружающей\s+среде"
    r"|لجمعية الأمم المتحدة للبيئة|جمعية الأمم المتحدة للبيئة)"
    r"|(?P<GA>Assemblée\s+générale|Asamblea\s+General|Генеральной\s+Ассамблеи))"
)
# A resolution or decision printed inside another document, cited by its symbol first:
# "CBD/COP/15/17, decision 15/4, annex", "A/56/1026-S/2002/932, annex II, resolution 14/221",
# "Supplement No. 7 (E/2015/27), chap. I, sect. C, resolution 59/1". It is that body's text (a
# summit, a commission), not a General Assembly resolution; the document is the citation.
_IN_DOC_SYMBOL = r"(?<![\w/])[A-Z][\w.()-]*/(?![\w.()/-]*RES/)[\w.()/-]*\w\)?\s*,\s*"
_IN_DOC_PART = (
    r"(?:annexes|annex|chap\.|sect\.|part|paras?\.|appendix|vol\.)(?:\s+[\w.-]+){0,3}?\s*,\s*"
)
# Either "document SYMBOL, ..." or at least one part ("annex II,"): a plain list of citations
# ("the draft A/ES-10/L.30, resolution S-10/2") is not one document's content.
_IN_DOCUMENT_RE = re.compile(
    r"(?:\bdocument\s+" + _IN_DOC_SYMBOL + r"(?:" + _IN_DOC_PART + r"){0,4}"
    r"|" + _IN_DOC_SYMBOL + r"(?:" + _IN_DOC_PART + r"){1,4})$"
)
# Where a sentence (or a clause ending in ";", or a paragraph of a resolution: a line that starts
# with "Recalling", "Notes", "5. Requests") stops: a body named before does not reach past.
_CLAUSE_END_RE = re.compile(
    r"[.;؛](?=\s)|\n[^\S\n]*\n|\n[ \t]*(?:\d{1,3}\.[ \t]+)?[A-Z][a-z]+(?:ing|s)[ \t]"
    r"|\n[ \t]*\d{1,3}[ \t]*[-.][ \t]|،[ \t]*\n"
    # The footnote rule and a footnote's first line ("13 Resolution 73/195, annex.").
    r"|_{5,}|\n[ \t]*(?:\[\d{1,3}\]|\d{1,3})[ \t]+[A-Z]"
)
# "its resolution", "sa résolution", "su resolución", "своей резолюции", "قرارها": the body is
# the subject of the sentence, in an Assembly text the Assembly itself.
_ITS_RE = re.compile(r"(?:\b(?:its|sa|ses|su|sus)|сво[а-я]{1,3})\s+$")
_AR_ITS = ("ها", "ه")
_CARRY_REACH = 400

# Chinese: "第76/53号决议", "第 76/53 和 77/54 号决议", "安全理事会第1540(2004)号决议",
# "第 73/546 号决定". The noun comes after the numbers, so the whole construction is one match.
_ZH_ITEM = (
    r"(?:(?:ES|S)-\d{1,2}|\d{1,4})/\d{1,6}(?:\s?[A-Z])?"
    r"|\d{1,4}(?:\s?[A-Z])?\s?[(（]\s?(?:(?:ES-|S-)?[IVXL]{1,6}|(?:19|20)\d\d)\s?[)）]"
)
_ZH_RE = re.compile(
    # (The optional organ and its spaces are one group, so that without an organ a match can
    # only start at "第": "\s*第" tried at every blank of a long run would be quadratic.)
    r"(?:(?P<org>安全理事会|安理会|人权理事会|经济及社会理事会|经社理事会|联合国环境大会|环境大会)"
    r"\s*+)?第\s*+"
    r"(?P<items>(?:" + _ZH_ITEM + r")(?:\s*+(?:、|，|,|和|及|以及|与)\s*+(?:" + _ZH_ITEM + r"))*)"
    r"\s*+号\s*+(?P<noun>决议|决定)"
)
_ZH_ORGANS = {
    "安全理事会": "SC",
    "安理会": "SC",
    "人权理事会": "HRC",
    "经济及社会理事会": "ECOSOC",
    "经社理事会": "ECOSOC",
    "联合国环境大会": "UNEA",
    "环境大会": "UNEA",
}
_ZH_SPLIT_RE = re.compile(_ZH_ITEM)

# --------------------------------------------------------------------------------------------
# Page furniture (masked before matching, so it never counts and never breaks a list)

_JOB = r"\d{2}-\d{5}(?:[ \t]*\([A-Z]\))?"
_JOB_LINE = (
    r"[ \t]*(?:\d{1,3}/\d{1,3}[ \t]+)?" + _JOB + r"(?:[ \t]+\d{6}){0,3}(?:[ \t]+\d{1,3}/\d{1,3})?"
    r"[ \t]*$"
)
_JOB_LINE_RE = re.compile(r"^" + _JOB_LINE, re.M)
_BARCODE_LINE_RE = re.compile(r"^[ \t]*\*\d{7,9}\*[ \t]*$", re.M)
_SYMBOL_ALONE = r"[ \t]*(?:" + _ORG + r"(?:/[A-Za-z0-9.()\-]+)+[ \t]*)+$"
# The running header: a line holding only symbols, then within a few short lines (the running
# title of a resolution) a job-number line; or the reverse order at the top of a page.
_HEADER_BEFORE_JOB_RE = re.compile(
    r"^" + _SYMBOL_ALONE + r"(?=\n(?:[^\n]{0,120}\n){0,6}?" + _JOB_LINE + r")", re.M
)
_SYMBOL_LINE_RE = re.compile(_SYMBOL_ALONE)
_FIRST_PAGE_RE = re.compile(
    r"^[ \t]*(?:United Nations|Nations Unies|Naciones Unidas|Организация Объединенных Наций"
    r"|الأمم المتحدة|联合国)[ \t]+(?P<sym>"
    + _ORG
    + r"(?:/[A-Za-z0-9.()\-]+)+(?:[ \t]*[\-–][ \t]*"
    + _ORG
    + r"(?:/[A-Za-z0-9.()\-]+)+)?)[ \t]*$",
    re.M,
)

_WS_RE = re.compile(r"\s+")
_JOINT_SPLIT_RE = re.compile(r"\s*[-–]\s*(?=" + _ORG + r"/)|\s*[,;]\s*|\s+(?=" + _ORG + r"/)")
_SPACE_RUN_RE = re.compile(r"\s+")
_SENT_END_RE = re.compile(
    r"(?<=[.;!?。；])\s+(?=[\"“(]?[A-ZА-Я0-9\u0600-\u06ff\u4e00-\u9fff])|\n[^\S\n]*\n"
)

_ROMAN_OK = re.compile(r"^(?:ES-|S-)?M{0,3}(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})$")


# Hyphen look-alikes become "-" in the copy of the text that is matched (same length, so offsets
# stay valid): U+2010, U+2011 (non-breaking: "ES‑10/27"), U+2012, U+2212 everywhere (they only
# ever join), the en dash only between "ES"/"S" and a session number ("ES–10/27"), because
# elsewhere it is a range ("2021–2030", "paragraphs 3–5").
_HYPHEN_RE = re.compile("[" + HYPHENS.replace("\u2013", "") + "]")
_EN_DASH_SESSION_RE = re.compile(r"(?<![\w-])(E?S)\u2013(?=\d)")
# Footnote marks as the text extractor writes them, right after the word they follow
# ("session[1]", "resolution 79/16,[2]"): blanked in the matched copy, so a mark never becomes
# part of a key and never breaks a list. The mark that starts a footnote ("[14] Resolution
# 78/317, annex.") stays: it keeps the footnote apart from the text before it (blanked, "...
# International Telecommunication Union,\n\n[14] Resolution" would read as that body's).
_FOOTNOTE_MARK_RE = re.compile(r"\[(?:\d{1,3}|\*{1,3})\]")


def _blank_mark(m: re.Match[str], text: str) -> str:
    """Spaces for a footnote mark in running text ("2017,[4]", "2017, [5]"); the mark itself
    where it starts a line (a footnote)."""
    i = m.start() - 1
    while i >= 0 and m.start() - i <= 8 and text[i] in " \t":
        i -= 1
    if i < 0 or text[i] == "\n":
        return m.group(0)
    return " " * len(m.group(0))


def _matchable(text: str) -> str:
    """Same-length copy of ``text`` that the patterns read: hyphens unified, footnote marks and
    page furniture blanked."""
    out = _HYPHEN_RE.sub("-", text)
    if "\u2013" in out:
        out = _EN_DASH_SESSION_RE.sub(lambda m: m.group(1) + "-", out)
    if "[" in out:
        out = _FOOTNOTE_MARK_RE.sub(lambda m: _blank_mark(m, out), out)
    return _mask_furniture(out)


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] not in "\r\n":
            chars[i] = " "


def _mask_furniture(text: str) -> str:
    """Same-length copy of ``text`` with page furniture replaced by spaces.

    Offsets stay valid, so matches found in the masked text are reported against the
    original. Lines are blanked only when they are unmistakably furniture: a job-number line,
    a barcode line, the first-page "United Nations  A/..." line, and a symbol-only line
    next to a job-number line.
    """
    if "-" not in text and "*" not in text:
        return text
    chars = list(text)
    job_spans = [(m.start(), m.end()) for m in _JOB_LINE_RE.finditer(text)]
    for s, e in job_spans:
        _blank(chars, s, e)
    for m in _BARCODE_LINE_RE.finditer(text):
        _blank(chars, m.start(), m.end())
    for m in _FIRST_PAGE_RE.finditer(text):
        _blank(chars, m.start(), m.end())
    for m in _HEADER_BEFORE_JOB_RE.finditer(text):
        _blank(chars, m.start(), m.end())
    # Symbol header printed below the job-number line (top of a page in some layouts, joint
    # GA/SC symbols on the first page): a symbol-only line within 4 lines after a job line.
    for _s, e in job_spans:
        pos = e
        for _ in range(4):
            nl = text.find("\n", pos)
            if nl < 0:
                break
            line_end = text.find("\n", nl + 1)
            line_end = len(text) if line_end < 0 else line_end
            if _SYMBOL_LINE_RE.fullmatch(text, nl + 1, line_end):
                _blank(chars, nl + 1, line_end)
            pos = nl + 1
    return "".join(chars)


def _context(text: str, start: int, end: int) -> str:
    """The sentence around [start, end), whitespace collapsed, at most ~300 characters."""
    lo = max(0, start - 220)
    hi = min(len(text), end + 220)
    s = lo
    for m in _SENT_END_RE.finditer(text, lo, start):
        s = m.end()
    e = hi
    m = _SENT_END_RE.search(text, end, hi)
    if m:
        e = m.start()
    ctx = _WS_RE.sub(" ", text[s:e]).strip()
    if len(ctx) > 300:
        # Keep the citation visible: centre the window on it.
        rel = len(_WS_RE.sub(" ", text[s:start]).lstrip())
        a = max(0, min(rel - 140, len(ctx) - 300))
        ctx = ctx[a : a + 300]
    return ctx


def _symbol_keys(raw: str) -> list[str]:
    """Keys of one matched symbol text (a joint symbol never reaches here: it is two matches)."""
    cleaned = _OCR_COMMA_RE.sub(".", _PART_STRIP_RE.sub("", raw))
    key = normalise_symbol(cleaned)
    return [key] if key else []


_GA_RES_KEY_RE = re.compile(r"A/RES/(?P<s>\d+)/(?P<n>\d+)|A/RES/\d+\((?P<roman>[IVXL]+)\)")


def _plausible_key(key: str) -> str | None:
    """``key`` unless it names a General Assembly resolution that cannot exist: a session
    before the thirty-first written in Arabic figures ("A/RES/5/14": the Assembly wrote
    "A/RES/2758(XXVI)" until 1976), a Roman session after the thirtieth, a number with a
    footnote mark glued to it ("A/RES/59/3009" is A/RES/59/300)."""
    m = _GA_RES_KEY_RE.fullmatch(key)
    if m is None:
        return key
    if m.group("roman"):
        return key if _roman_value(m.group("roman")) <= 30 else None
    if not _ga_session(m.group("s")):
        return None
    n = _plausible_number(m.group("n"), GA_MAX_RESOLUTION)
    return f"A/RES/{m.group('s')}/{n}" if n else None


def _docs_library_symbol(name: str) -> str | None:
    """``CCW-GGE.1-2024-WP.3`` -> ``CCW/GGE.1/2024/WP.3`` (``GGE1`` is written for ``GGE.1``)."""
    parts = [p for p in _WS_RE.sub("", name).split("-") if p]
    parts = [re.sub(r"^(GGE|MSP|CONF)(\d+)$", r"\1.\2", p) for p in parts]
    return normalise_symbol("/".join(parts))


def _link_symbol(m: re.Match[str]) -> str | None:
    if m.group("dl"):
        return _docs_library_symbol(m.group("dl"))
    for g in ("s1", "s2", "s3", "s4", "s5", "s6", "s7"):
        v = m.group(g)
        if v:
            v = re.sub(r"\s+", "", v)
            v = unquote(v)
            # "NPT/CONF.2010/50%20%28VOL.I%29": a volume or part is not part of the key.
            v = _LINK_PART_RE.sub("", v).rstrip(".,;")
            # A closing parenthesis is the text's ("(see undocs.org/A/80/1)") unless it closes
            # the year of a resolution ("S/RES/2231(2015)").
            if v.endswith(")") and v.count("(") < v.count(")"):
                v = v[:-1].rstrip(".,;")
            # A link to the bare language page or a path that is not a symbol is ignored.
            return normalise_symbol(v)
    return None


_ROMAN_STEPS = ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def _to_roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN_STEPS:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _roman_value(roman: str) -> int:
    total = 0
    for i, ch in enumerate(roman):
        v = _ROMAN_VALUES[ch]
        total += -v if i + 1 < len(roman) and _ROMAN_VALUES[roman[i + 1]] > v else v
    return total


# The highest number a body gives a resolution or decision in one session (or year). The
# General Assembly: 343 is the highest cited in the corpus (A/RES/73/343; 79/331 is the highest
# corpus file), and no session has adopted 400 resolutions; its decisions are numbered from 301
# (elections and appointments) through the 400s (plenary) and 500s (Main Committee reports).
# A larger number is a footnote mark glued to a real one ("59/3009"), taken off by
# _plausible_number().
GA_MAX_RESOLUTION = 399
GA_DECISIONS = (301, 699)
# Sessions the Assembly numbered in Arabic figures: from the thirty-first (1976); before, Roman.
GA_FIRST_NUMBERED_SESSION = 31
_MAX_NUMBER = {
    ("HRC", False): 99,
    ("HRC", True): 199,  # HRC decisions run from 101 ("decision 18/120")
    ("ECOSOC", False): 99,
    ("ECOSOC", True): 399,
    ("CHR", False): 99,
    ("CHR", True): 399,
    ("UNEA", False): 30,
    ("UNEA", True): 30,
}
_GLUED_MARK_MAX = 3  # footnote marks have at most three digits


def _plausible_number(n: str, maximum: int, minimum: int = 1) -> str | None:
    """``n`` if it can be the number of a resolution, else ``n`` without a glued footnote mark.

    "3009" with maximum 399 is 300 (mark 9); "1411" with maximum 30 is 14 (mark 11); the
    longest head that fits wins. A leading zero is never a number of these bodies.
    """
    if not n or n[0] == "0":
        return None
    if minimum <= int(n) <= maximum:
        return n
    for k in range(len(n) - 1, 0, -1):
        head, mark = n[:k], n[k:]
        if mark[0] != "0" and len(mark) <= _GLUED_MARK_MAX and minimum <= int(head) <= maximum:
            return head
    return None


def _ga_session(session: str) -> bool:
    """A session of the General Assembly numbered in Arabic figures (31-99, ES-n, S-n)."""
    if session.startswith(("ES-", "S-")):
        return 1 <= int(session.split("-", 1)[1]) <= 40
    return session[0] != "0" and GA_FIRST_NUMBERED_SESSION <= int(session) <= 99


def _is_year(session: str) -> bool:
    return len(session) == 4 and 1946 <= int(session) <= 2099


def _ga_impossible(item: re.Match[str]) -> bool:
    """True if the item cannot be a General Assembly resolution or decision whatever the words
    around it say (so a body named earlier in the sentence is the one that adopted it)."""
    num = item.group("num")
    if num:
        return not _ga_session(num.split("/", 1)[0])
    roman = item.group("roman")
    return bool(roman) and not roman.startswith(("ES-", "S-")) and _roman_value(roman) > 30


def _item_key(item: re.Match[str], organ: str | None, decision: bool) -> str | None:
    """The key of one cited number, given the body that adopted it (None: not said, so the
    General Assembly when the number can be one of its own)."""
    num = item.group("num")
    if num:
        session, n = num.split("/", 1)
        if organ == "COUNCIL":
            # "Council resolution 5/1" in an Assembly text: by the form of the number, the Human
            # Rights Council (session/number) or ECOSOC (year/number); the Security Council
            # numbers its resolutions "1540 (2004)".
            organ = "ECOSOC" if _is_year(session) else "HRC"
        if organ == "ASSEMBLY":
            organ = "GA"
        if organ in (None, "GA"):
            if not _ga_session(session):
                return None
            if decision:
                n2 = _plausible_number(n, GA_DECISIONS[1], GA_DECISIONS[0])
                return f"decision:{session}/{n2}" if n2 else None
            n2 = _plausible_number(n, GA_MAX_RESOLUTION)
            return f"A/RES/{session}/{n2}" if n2 else None
        if organ == "SC" or organ == "?":
            return None
        if organ in ("HRC", "UNEA"):
            ok = (
                (session.startswith("S-") if organ == "HRC" else False)
                or session.isdigit()
                and session[0] != "0"
                and int(session) <= 99
            )
            n2 = _plausible_number(n, _MAX_NUMBER[(organ, decision)]) if ok else None
            if not n2:
                return None
            if organ == "HRC":
                return f"A/HRC/{'DEC' if decision else 'RES'}/{session}/{n2}"
            return f"UNEP/EA.{session}/{'Dec' if decision else 'Res'}.{n2}"
        if organ in ("ECOSOC", "CHR"):
            n2 = _plausible_number(n, _MAX_NUMBER[(organ, decision)])
            if not (_is_year(session) and n2):
                return None
            series = "E" if organ == "ECOSOC" else "E/CN.4"
            return f"{series}/{'DEC' if decision else 'RES'}/{session}/{n2}"
        # A body without a series of its own: a reference that cannot be taken for a symbol.
        return f"{'decision' if decision else 'resolution'}:{organ}:{num}"
    old = item.group("old")
    if item.group("year"):
        if decision or organ not in (None, "SC", "COUNCIL") or int(old) > 2999:
            return None
        return f"S/RES/{old}({item.group('year')})"
    roman = item.group("roman")
    if item.group("arsession"):
        roman = _to_roman(int(item.group("arsession")))
    if (
        roman
        and _ROMAN_OK.match(roman)
        and not decision
        and organ in (None, "GA", "ASSEMBLY")
        and (roman.startswith(("ES-", "S-")) or _roman_value(roman) <= 30)
    ):
        return f"A/RES/{old}({roman})"
    return None


_TRAILING_NUMBER_RE = re.compile(r"(\d+)\Z")


def _end_without_mark(masked: str, start: int, end: int, key: str) -> int:
    """End of the cited text without a footnote mark glued to its number: "59/3009" keyed
    A/RES/59/300 is raw "59/300" (the mark "9" is not part of the citation)."""
    written = _TRAILING_NUMBER_RE.search(masked, start, end)
    kept = _TRAILING_NUMBER_RE.search(key)
    if written and kept:
        w, k = written.group(1), kept.group(1)
        if len(w) > len(k) and w.startswith(k):
            return end - (len(w) - len(k))
    return end


def _fits(item: re.Match[str], organ: str, decision: bool) -> bool:
    """True if ``organ`` could have given the number. As written, if the Assembly could have
    given it too: "73/195" after a Human Rights Council resolution is the Assembly's, not
    Council resolution 73/19 with a footnote mark; "6/929" (never the Assembly's) is 6/9."""
    key = _item_key(item, organ, decision)
    num = item.group("num")
    if key is None or not num or _ga_impossible(item):
        return key is not None
    return key.endswith(num.split("/", 1)[1])


class _Bodies:
    """Names of bodies in the text, found once (two linear scans), looked up per trigger."""

    def __init__(self, masked: str) -> None:
        self.masked = masked
        known = [
            (m.end(), m.start(), _BODY_CODES[m.lastgroup or ""]) for m in _BODY_RE.finditer(masked)
        ]
        self.known_ends = [e for e, _s, _c in known]
        self.known = known
        other = [(m.end(), m.start()) for m in _OTHER_BODY_RE.finditer(masked)]
        self.other_ends = [e for e, _s in other]
        self.other = other

    def _adjacent(self, ends: list[int], pos: int) -> int:
        """Index of the last name ending before ``pos`` if only a connecting phrase separates
        it from ``pos``, else -1."""
        i = bisect_right(ends, pos) - 1
        if i < 0 or pos - ends[i] > _MAX_GAP:
            return -1
        if not _BODY_GAP_RE.fullmatch(self.masked, ends[i], pos):
            return -1
        # A body that ends a paragraph does not name the resolutions of the next one.
        if _PARAGRAPH_BREAK_RE.search(self.masked, ends[i], pos):
            return -1
        return i

    def before(self, pos: int) -> str | None:
        """Code of the body named just before a trigger at ``pos`` ("?" for a body with no key,
        None if none is)."""
        i = self._adjacent(self.known_ends, pos)
        j = self._adjacent(self.other_ends, pos)
        if i >= 0:
            end, start, code = self.known[i]
            if code in ("COUNCIL", "ASSEMBLY", "?") and j >= 0 and self.other[j][0] == end:
                # "Arab Council", "Parliamentary Assembly": a longer name the list does not know,
                # unless the word before the bare name only opens the clause ("Recalling
                # Council resolution 5/1").
                words = self.masked[self.other[j][1] : start].split()
                if words and not _OPENER_RE.match(words[-1]):
                    return "?"
            return code
        return "?" if j >= 0 else None

    def at(self, pos: int) -> str | None:
        """Code of a body whose name starts exactly at ``pos``."""
        m = _BODY_RE.match(self.masked, pos)
        return _BODY_CODES[m.lastgroup or ""] if m else None


def _body_after(masked: str, pos: int, bodies: _Bodies, after_its: bool) -> str | None:
    m = _ORGAN_AFTER_RE.match(masked, pos)
    if m and m.lastgroup:
        return m.lastgroup
    m = _AFTER_EN_RE.match(masked, pos)
    if m:
        code = bodies.at(m.end())
        if code:
            return code
    if after_its:
        # "through its resolution 54/18 of 12 October 2023, the Human Rights Council submitted":
        # "its" is the body named next.
        m = _AFTER_SUBJECT_RE.match(masked, pos)
        if m:
            code = bodies.at(m.end())
            if code and code not in ("GA", "ASSEMBLY", "?"):
                return code
    return None


def _in_document(masked: str, pos: int) -> bool:
    """True if the trigger at ``pos`` follows a document symbol and its parts ("CBD/COP/15/17,
    decision 15/4")."""
    i = pos - 1
    while i >= 0 and pos - i < 8 and masked[i].isspace():
        i -= 1
    if i < 0 or masked[i] != ",":
        return False
    return _IN_DOCUMENT_RE.search(masked, max(0, pos - 120), pos) is not None


def _resolution_citations(masked: str) -> list[tuple[int, int, str, str]]:
    """(start, end, key, kind) for every resolution/decision number cited without a series."""
    out: list[tuple[int, int, str, str]] = []
    bodies = _Bodies(masked)
    # The last body other than the Assembly named before a trigger, where its list ended and
    # whether it was a decision: "Environment Assembly resolution 2/21 on ..., resolution 4/10
    # on ...", "Human Rights Council resolutions 28/16 ... and resolutions 32/13 ...".
    carry: tuple[str, int, bool] | None = None
    found: list[tuple[re.Match[str], str | None, bool]] = []
    named: dict[tuple[str, bool], str] = {}
    for t in _TRIGGER_RE.finditer(masked):
        decision = t.group("dec") is not None
        pos = t.end()
        organ = bodies.before(t.start())
        if t.group(0)[0] in "\u0600\u06ff" or "\u0600" <= t.group(0)[-1] <= "\u06ff":
            am = _AR_ORGAN_RE.match(masked, pos)
            if am:
                organ = _AR_ORGANS[am.group("org")]
                pos = am.end()
        ws = _SPACE_RUN_RE.match(masked, pos)
        if not ws:
            continue
        pos = ws.end()
        items: list[re.Match[str]] = []
        while True:
            it = _ITEM_RE.match(masked, pos)
            if not it:
                break
            items.append(it)
            pos = it.end()
            if it.group("num"):
                pm = _ITEM_PARTS_RE.match(masked, pos)
                if pm:
                    pos = pm.end()
            sep = _SEP_RE.match(masked, pos)
            if not sep or sep.end() == pos:
                break
            if _ITEM_RE.match(masked, sep.end()):
                pos = sep.end()
                continue
            mark = _MARK_SEP_RE.match(masked, sep.end())
            if mark and _NUM_ITEM_RE.match(masked, mark.end()):
                pos = mark.end()
                continue
            break
        if not items:
            continue
        after_its = bool(_ITS_RE.search(masked, max(0, t.start() - 8), t.start())) or (
            t.group(0).endswith(_AR_ITS) and "\u0600" <= t.group(0)[0] <= "\u06ff"
        )
        if organ is None:
            organ = _body_after(masked, pos, bodies, after_its)
        if organ is None and _in_document(masked, t.start()):
            organ = "?"
        if (
            organ is None
            and carry is not None
            and t.start() - carry[1] <= _CARRY_REACH
            and not _CLAUSE_END_RE.search(masked, carry[1], t.start())
            # In the same sentence, a number the Assembly cannot have given is the other body's;
            # so is a further list of the same kind, unless "its" points back at the Assembly
            # ("Economic and Social Council resolution 2024/4 ..., and recalling its resolution
            # 77/317"); a resolution after a decision of a working group is the Assembly's
            # ("decision 14/1 by the Open-ended Working Group ... outlined in the resolution").
            and (
                any(_ga_impossible(it) for it in items) or (carry[2] == decision and not after_its)
            )
            # ...and only a number that body could have given (the Security Council numbers
            # "984 (1995)", so "resolutions 45/54, 46/32" after it are the Assembly's).
            and all(_fits(it, carry[0], decision) for it in items)
        ):
            organ = carry[0]
        if organ not in (None, "GA", "ASSEMBLY", "?"):
            carry = (organ, pos, decision)
        elif organ in ("GA", "ASSEMBLY"):
            carry = None
        for it in items:
            found.append((it, organ, decision))
            if organ not in (None, "GA", "ASSEMBLY", "?") and it.group("num"):
                named.setdefault((it.group("num"), decision), organ)
    for it, organ, decision in found:
        if organ is None:
            # A number another body's name went with elsewhere in the document is that body's
            # here too ("Human Rights Council resolutions 34/24 ..." then "the report to the
            # Council submitted pursuant to resolutions 34/24"): the Assembly and another body
            # giving the same session/number are never both cited in one text.
            organ = named.get((it.group("num") or "", decision))
        key = _item_key(it, organ, decision)
        if key:
            kind = "decision" if decision else "resolution"
            end = _end_without_mark(masked, it.start(), it.end(), key)
            out.append((it.start(), end, key, kind))
    for z in _ZH_RE.finditer(masked):
        organ = _ZH_ORGANS.get(z.group("org") or "")
        decision = z.group("noun") == "决定"
        base = z.start("items")
        for piece in _ZH_SPLIT_RE.finditer(z.group("items")):
            it = _ITEM_RE.match(piece.group(0))
            if not it:
                continue
            key = _item_key(it, organ, decision)
            if key:
                kind = "decision" if decision else "resolution"
                out.append((base + piece.start(), base + piece.end(), key, kind))
    return out


def extract_citations(
    text: str, *, self_symbol: str | None = None, links: Sequence[str] = ()
) -> list[Citation]:
    """Every citation of another UN document in ``text``, in order of appearance.

    Each occurrence is returned (no de-duplication; see :func:`cited_keys`). Occurrences of
    ``self_symbol`` (the document's own symbol: page headers, the first-page header, a joint
    symbol of the same document) are never citations. ``links`` are the link targets of the
    document (HTML ``<a href>``, :attr:`Extraction.links`): see :func:`_link_citations`.
    """
    # A joint document ("A/45/155-S/21174") has several own symbols.
    self_keys = {
        k
        for part in _JOINT_SPLIT_RE.split(self_symbol or "")
        if (k := normalise_symbol(part)) is not None
    }
    masked = _matchable(text)
    found: list[tuple[int, int, str, str]] = []

    for m in _LINK_RE.finditer(masked):
        key = _link_symbol(m)
        if key:
            found.append((m.start(), m.end(), key, "link"))

    # Link spans and symbol spans are each found left to right without overlapping each other,
    # so "is this inside an earlier match" is a bisect on sorted starts (keeps it linear-ish).
    link_starts = [s for s, _e, _k, _kind in found]
    link_ends = [e for _s, e, _k, _kind in found]

    for m in _SYMBOL_RE.finditer(masked):
        i = bisect_right(link_starts, m.start()) - 1
        if (i >= 0 and link_ends[i] > m.start()) or (
            i + 1 < len(link_starts) and link_starts[i + 1] < m.end()
        ):
            continue
        keys = _symbol_keys(m.group(0))
        if not keys:
            continue
        found.append((m.start(), m.end(), keys[0], "symbol"))
        # "A/60/88 and Corr.2", "A/4084 et Add.1 à 4": further documents of the same symbol.
        pos = m.end()
        base = keys[0]
        while True:
            t = _SUFFIX_TAIL_RE.match(masked, pos)
            if not t:
                break
            first = 1 if t.group(2) == "l" else int(t.group(2))
            last = int(t.group(3)) if t.group(3) else first
            if not first <= last <= first + 30:
                last = first
            for n in range(first, last + 1):
                found.append((t.start(1), t.end(), f"{base}/{t.group(1)}.{n}", "symbol"))
            pos = t.end()

    found.sort(key=lambda f: (f[0], f[1]))
    span_starts = [s for s, _e, _k, _kind in found]
    span_ends = [e for _s, e, _k, _kind in found]
    for s, e, key, kind in _resolution_citations(masked):
        # A number inside an already matched symbol or link is the same citation. Spans are
        # sorted and (apart from addendum tails, which lie inside their symbol's reach) disjoint.
        i = bisect_right(span_starts, s) - 1
        if i >= 0 and span_ends[i] > s:
            continue
        found.append((s, e, key, kind))

    found.sort(key=lambda f: (f[0], f[1]))
    out: list[Citation] = []
    for s, e, key, kind in found:
        # "A/45/155J": an OCR letter glued to the own symbol of an old scan is still the own one.
        if key in self_keys or (key[:-1] in self_keys and key[-1].isupper()):
            continue
        if kind in ("symbol", "link"):
            key = _plausible_key(key)
            if key is None:
                continue
            if kind == "symbol":
                e = _end_without_mark(masked, s, e, key)
        out.append(Citation(key, kind, text[s:e], _context(text, s, e), s))
    if links:
        out = _with_links(text, out, links, self_keys)
    return out


def _href_symbol(href: str) -> str | None:
    """The symbol a link to the UN document system points to, or None."""
    href = href.strip()
    m = _LINK_RE.match(href)
    if m is None:
        # A link through a redirector (Outlook "safelinks", ?url=...) carries the real target
        # percent-encoded in a query parameter.
        for values in parse_qs(urlsplit(href).query).values():
            for v in values:
                if "undocs.org" in v or "un.org" in v:
                    return _href_symbol(v)
        return None
    if m.end() < len(href) and href[m.end()] not in "?#&/":
        return None
    return _link_symbol(m)


def _with_links(
    text: str, found: list[Citation], links: Sequence[str], self_keys: set[str]
) -> list[Citation]:
    """``found`` plus one "link" citation per link to a UN document not already cited there.

    The extracted text does not say where a link was, so a link is matched, in document order,
    with the next occurrence of its key in the text that no earlier link took: that occurrence
    is very likely the link's own text (``<a href=".../A/RES/76/53">resolution 76/53</a>``), so
    the link adds nothing. A link whose key the text does not cite (``<a href=...>here</a>``)
    is a citation of its own, with ``raw`` and ``context`` the href and ``start`` = len(text),
    after every citation read from the text.
    """
    by_key: dict[str, list[int]] = {}
    for i, c in enumerate(found):
        by_key.setdefault(c.key, []).append(i)
    taken: dict[str, int] = {}
    extra: list[Citation] = []
    for href in links:
        key = _href_symbol(href)
        key = _plausible_key(key) if key else None
        if key is None or key in self_keys:
            continue
        n = taken.get(key, 0)
        if n < len(by_key.get(key, ())):
            taken[key] = n + 1
            continue
        extra.append(Citation(key, "link", href, href.strip(), len(text)))
    return found + extra


def cited_keys(text: str, self_symbol: str | None = None) -> list[str]:
    """Unique cited keys in first-seen order."""
    seen: dict[str, None] = {}
    for c in extract_citations(text, self_symbol=self_symbol):
        seen.setdefault(c.key, None)
    return list(seen)
