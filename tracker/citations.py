"""Citations of other UN documents found in a document's text.

Three kinds of reference are recognised, in the six official languages:

* links to the UN document system (``undocs.org/en/A/RES/76/53``, the legacy
  ``undocs.org/Home/Mobile?FinalSymbol=...`` and ``undocs.org/pdf?symbol=...`` forms,
  ``documents.un.org/api/symbol/access?s=...`` with a percent-encoded symbol,
  ``www.un.org/en/ga/search/view_doc.asp?symbol=...``, ``daccess-ods.un.org/...&DS=...``);
* full symbols in running text (``A/C.1/80/L.35/Rev.1``, ``S/RES/2231 (2015)``,
  ``A/57/759-S/2003/332`` gives two keys, ``A/60/88 and Corr.2`` gives ``A/60/88/Corr.2`` too);
* resolutions and decisions cited without a series ("resolutions 76/53 and 77/54",
  "résolution 76/53", "резолюции 76/53", "القرار 76/53", "第76/53号决议", "decision 73/546").

Keys (decided here, used by the rest of the project):

* a General Assembly resolution is ``A/RES/{session}/{n}`` (``A/RES/ES-11/4``, ``A/RES/S-10/2``);
  before 1976 ``A/RES/{n}({ROMAN})``; parts are dropped (``36/87 A and B``, ``46/36 L`` and
  ``A/RES/80/236 A-B`` are the documents ``A/RES/36/87``, ``A/RES/46/36``, ``A/RES/80/236``),
  because the parts are published in one document;
* a number with a year, ``1540 (2004)``, is a Security Council resolution ``S/RES/1540(2004)``;
* "Human Rights Council resolution 51/22" is ``A/HRC/RES/51/22`` and "Economic and Social Council
  resolution 2011/33" is ``E/RES/2011/33``;
* a General Assembly decision has no symbol: ``decision:73/546``; a Human Rights Council decision
  is ``A/HRC/DEC/{x}``;
* ``(Part I)`` after a symbol is not part of the key (``NPT/CONF.1995/32 (Part I)/Corr.2`` is
  ``NPT/CONF.1995/32/Corr.2``).

Not citations: the document's own symbol, page furniture (the symbol header repeated on each
page, job numbers ``25-16208 (E)``, barcodes ``*2516208*``, page numbers ``5/9``), dates and
fractions, and resolutions of other organizations (IAEA ``GC(69)/RES/15``, "International
Telecommunication Union resolution 186", "decision 1 of the Sixth Review Conference").

Everything is done with module-level compiled regular expressions scanned once over the text
(plus bounded look-arounds), so the cost is linear in the text length.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from tracker.symbols import KNOWN_ORGANS, normalise_symbol

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
# "A/60/88 and Corr.2", "A/C.4/L.624 et Add.1", "A/4084 et Add. l à 4" (OCR "l" for 1).
_SUFFIX_TAIL_RE = re.compile(
    r"\s*(?:,|and|et|y|и)\s*(Add|Corr|Rev|Amend)\.[ \t]?([0-9]+|l)"
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
    r"\s+(?P<org>مجلس الأمن|مجلس حقوق الإنسان|الجمعية العامة|المجلس الاقتصادي والاجتماعي)"
)
# One cited number:
#   "76/53", "ES-11/4", "S-10/2", "2011/33" (ECOSOC), optionally parts "A and B";
#   "2758 (XXVI)", "2602 C (XXIV)" (Roman session: General Assembly before 1976);
#   "1540 (2004)" (year: Security Council).
_ITEM_RE = re.compile(
    r"(?P<num>(?:(?:ES|S)-\d{1,2}|\d{1,4})/\d{1,4})(?![\d/])"
    r"|(?P<old>\d{1,4})(?:[ \t]?(?P<oldpart>[A-Z]))?\s?[(（]\s?"
    r"(?:(?P<roman>(?:ES-|S-)?[IVXL]{1,6})|(?P<year>(?:19[4-9]|20[0-4])\d)"
    # Arabic texts write the session of an old resolution as (د-26) = (XXVI).
    r"|د-(?P<arsession>\d{1,2}))\s?[)）]"
)
# Parts after a modern number: "36/87 A and B", "46/36 L", "80/236 A-B". Not "79/16 A/80/1".
_ITEM_PARTS_RE = re.compile(r"[ \t]+[A-Z](?:[ \t]*(?:-|and|to|et|y|и|,)[ \t]*[A-Z])*(?![\w/.])")
# What may stand between two items of a list: a date ("of 9 December 1974", ", de 10 de
# diciembre de 2020", "du 2 décembre 2024", "от 2 декабря 2024 года", "المؤرخ 2 كانون الأول/
# ديسمبر 2024"), then commas / "and" / "et" / "y" / "и" / "و" / "or".
_DATE = (
    r"(?:\s*,?\s*(?:of|du|de|del|от|adopted\s+on|المؤرخ|المؤرخة|المؤرخين)\s+"
    r"\d{1,2}(?:er)?\s+(?:de\s+)?[^\W\d_]+(?:\s[^\W\d_]+)?(?:/[^\W\d_]+)?(?:\s+de)?\s+\d{4}"
    r"(?:\s*(?:года|г\.))?)"
)
_SEP_RE = re.compile(
    _DATE + r"?(?:\s*[,;،]\s*|\s+)"
    r"(?:(?:and|et|y|e|и|или|or|ou|o|as\s+well\s+as|ainsi\s+que|así\s+como|و)\s*)?"
    r"|" + _DATE + r"?\s*و\s*"
)
# Organ named just before the trigger ("Security Council resolution", "Human Rights Council
# resolutions") or just after the list ("resolución S-30/1 del Consejo de Derechos Humanos").
_ORGAN_BEFORE_RE = re.compile(
    r"(?P<sc>Security\s+Council|Council's)\s*$"
    r"|(?P<hrc>Human\s+Rights\s+Council)\s*$"
    r"|(?P<ecosoc>Economic\s+and\s+Social\s+Council)\s*$"
)
_ORGAN_AFTER_RE = re.compile(
    r"\s*(?:,\s*)?(?:of\s+the|du|de\s+la|del|de\s+l['’])?\s*"
    r"(?:(?P<sc>Security\s+Council|Conseil\s+de\s+sécurité|Consejo\s+de\s+Seguridad"
    r"|Совета\s+Безопасности)"
    r"|(?P<hrc>Human\s+Rights\s+Council|Conseil\s+des\s+droits\s+de\s+l['’]homme"
    r"|Consejo\s+de\s+Derechos\s+Humanos|Совета\s+по\s+правам\s+человека|لمجلس حقوق الإنسان"
    r"|مجلس حقوق الإنسان)"
    r"|(?P<ecosoc>Economic\s+and\s+Social\s+Council|Conseil\s+économique\s+et\s+social"
    r"|Consejo\s+Económico\s+y\s+Social|Экономического\s+и\s+Социального\s+Совета))"
)
# Chinese: "第76/53号决议", "第 76/53 和 77/54 号决议", "安全理事会第1540(2004)号决议",
# "第 73/546 号决定". The noun comes after the numbers, so the whole construction is one match.
_ZH_ITEM = (
    r"(?:(?:ES|S)-\d{1,2}|\d{1,4})/\d{1,4}(?:\s?[A-Z])?"
    r"|\d{1,4}(?:\s?[A-Z])?\s?[(（]\s?(?:(?:ES-|S-)?[IVXL]{1,6}|(?:19|20)\d\d)\s?[)）]"
)
_ZH_RE = re.compile(
    r"(?P<org>安全理事会|安理会|人权理事会|经济及社会理事会|经社理事会)?\s*第\s*"
    r"(?P<items>(?:" + _ZH_ITEM + r")(?:\s*(?:、|，|,|和|及|以及|与)\s*(?:" + _ZH_ITEM + r"))*)"
    r"\s*号\s*(?P<noun>决议|决定)"
)
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
    r"(?<=[.;!?。；])\s+(?=[\"“(]?[A-ZА-Я0-9\u0600-\u06ff\u4e00-\u9fff])|\n\s*\n"
)

_ROMAN_OK = re.compile(r"^(?:ES-|S-)?M{0,3}(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})$")


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
            v = unquote(v).rstrip(".,;)")
            # A link to the bare language page or a path that is not a symbol is ignored.
            return normalise_symbol(v)
    return None


_ROMAN_STEPS = ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _to_roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN_STEPS:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _res_key(item: re.Match[str], organ: str | None, decision: bool) -> str | None:
    num = item.group("num")
    if num:
        if decision:
            if organ == "hrc":
                return f"A/HRC/DEC/{num}"
            if organ in (None, "ga"):
                return f"decision:{num}"
            return None
        session = num.split("/", 1)[0]
        if organ == "hrc":
            return f"A/HRC/RES/{num}"
        if organ == "ecosoc":
            return f"E/RES/{num}"
        if organ == "sc":
            return None  # Security Council resolutions are numbered "1540 (2004)".
        # A General Assembly session is at most two digits or ES-/S-; "2011/33" needs a body.
        if session.isdigit() and int(session) > 99:
            return None
        return f"A/RES/{num}"
    old = item.group("old")
    if item.group("year"):
        if decision:
            return None
        return f"S/RES/{old}({item.group('year')})"
    roman = item.group("roman")
    if item.group("arsession"):
        roman = _to_roman(int(item.group("arsession")))
    if roman and _ROMAN_OK.match(roman):
        if decision:
            return None
        return f"A/RES/{old}({roman})"
    return None


def _organ_before(text: str, pos: int) -> str | None:
    m = _ORGAN_BEFORE_RE.search(text, max(0, pos - 40), pos)
    if not m:
        return None
    return m.lastgroup


def _resolution_citations(masked: str, text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, key, kind) for every resolution/decision number cited without a series."""
    out: list[tuple[int, int, str, str]] = []
    for t in _TRIGGER_RE.finditer(masked):
        decision = t.group("dec") is not None
        pos = t.end()
        organ = _organ_before(masked, t.start())
        if t.group(0)[0] in "\u0600\u06ff" or "\u0600" <= t.group(0)[-1] <= "\u06ff":
            am = _AR_ORGAN_RE.match(masked, pos)
            if am:
                organ = {
                    "مجلس الأمن": "sc",
                    "مجلس حقوق الإنسان": "hrc",
                    "المجلس الاقتصادي والاجتماعي": "ecosoc",
                }.get(am.group("org"), "ga")
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
            nxt = _ITEM_RE.match(masked, sep.end())
            if not nxt:
                break
            pos = sep.end()
        if not items:
            continue
        after = _ORGAN_AFTER_RE.match(masked, pos)
        if after and organ is None:
            organ = after.lastgroup
        for it in items:
            key = _res_key(it, organ, decision)
            if key:
                kind = "decision" if decision else "resolution"
                out.append((it.start(), it.end(), key, kind))
    for z in _ZH_RE.finditer(masked):
        org = z.group("org")
        organ = None
        if org in ("安全理事会", "安理会"):
            organ = "sc"
        elif org == "人权理事会":
            organ = "hrc"
        elif org in ("经济及社会理事会", "经社理事会"):
            organ = "ecosoc"
        decision = z.group("noun") == "决定"
        base = z.start("items")
        for piece in _ZH_SPLIT_RE.finditer(z.group("items")):
            it = _ITEM_RE.match(piece.group(0))
            if not it:
                continue
            key = _res_key(it, organ, decision)
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
    masked = _mask_furniture(text)
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
    for s, e, key, kind in _resolution_citations(masked, text):
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
