"""Title, date and symbol from the first page of a UN document.

The first page of a UN document has a masthead ("United Nations  A/C.1/80/L.1", "Distr.: Limited",
"8 October 2025"), then the session, committee and agenda item ("Agenda item 95"), then the title
of the agenda item, then the document's own heading. The title we report is the block after the
agenda-item line; the date is the first date standing alone on a line in the masthead.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from tracker.extract.furniture import SYMBOL
from tracker.extract.layout import Line
from tracker.extract.normalise import clean_line
from tracker.extract.pdf import HYPHEN_BREAK

_MONTHS = {
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "setiembre": 9, "septiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    # Russian (genitive, as in dates)
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_DMY = re.compile(
    rf"\b(\d{{1,2}})(?:er)?\s+(?:de\s+)?({_MONTH})\s+(?:de\s+)?(\d{{4}})\b", re.I
)
_DATE_MDY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I)
_DATE_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_WEEKDAYS = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|jeudi|"
    r"vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo)"
)
_DATE_ONLY = re.compile(rf"^(?:{_WEEKDAYS},?\s+)?[^A-Za-z]*\S+\s+\S+(?:\s+\S+){{0,3}}[,.]?$", re.I)

_AGENDA = re.compile(
    r"^(?:(?:provisional\s+)?agenda\s+items?|items?|points?|temas?|пункты?|punto)\b.*\d", re.I
)
_AGENDA_TAIL = re.compile(r"^(?:of\s+the\s+)?(?:preliminary\s+|provisional\s+)?(?:list|agenda)\*?$")
_TITLE_STOP = re.compile(
    r":\s*(?:revised\s+)?draft\s+(?:resolution|decision)|projet\s+de\s+(?:résolution|décision)"
    r"|proyecto\s+de\s+(?:resolución|decisión)|^(?:resolution|résolution|resolución)\s+"
    r"|^(?:report|note|letter|rapport|lettre|informe|nota|carta)\s+(?:of|by|dated|du|de|del|de\s+la)\b"
    r"|^the\s+general\s+assembly|^l'assemblée|^la\s+asamblea",
    re.I,
)
_SYMBOL_ONLY = re.compile(rf"^({SYMBOL})$")
_SYMBOL_IN = re.compile(rf"(?<![\w/])({SYMBOL})")


@dataclass
class FirstPage:
    title: str | None = None
    date: datetime.date | None = None
    symbol: str | None = None


def find_date(text: str) -> datetime.date | None:
    for regex, order in ((_DATE_DMY, "dmy"), (_DATE_MDY, "mdy"), (_DATE_ZH, "ymd")):
        match = regex.search(text)
        if not match:
            continue
        groups = match.groups()
        try:
            if order == "dmy":
                return datetime.date(int(groups[2]), _MONTHS[groups[1].lower()], int(groups[0]))
            if order == "mdy":
                return datetime.date(int(groups[2]), _MONTHS[groups[0].lower()], int(groups[1]))
            return datetime.date(int(groups[0]), int(groups[1]), int(groups[2]))
        except (ValueError, KeyError):
            continue
    return None


def _date(lines: list[str]) -> datetime.date | None:
    # A date alone on its line is the document date; a date inside a sentence ("resolution
    # 79/16 of 2 December 2024") is not, so those are only a last resort.
    masthead = lines[:15]
    for text in masthead:
        if len(text) <= 40 and _DATE_ONLY.match(text):
            found = find_date(text)
            if found:
                return found
    for text in masthead:
        found = find_date(text)
        if found:
            return found
    for text in lines[15:]:  # old summary records print "Vendredi 4 décembre 1959" lower down
        if len(text) <= 40 and _DATE_ONLY.match(text):
            found = find_date(text)
            if found:
                return found
    return None


def _clean_symbol(symbol: str) -> str:
    return re.sub(r"\s+", "", symbol).rstrip(".")


def _symbol(page1: list[str], page2: list[str]) -> str | None:
    # The running header of page 2 is a symbol alone on a line: the cleanest source (page 1's
    # masthead is in large type that old OCR mangles, e.g. "A/45/155J").
    for text in page2[:4]:
        match = _SYMBOL_ONLY.match(text.replace(",", "."))
        if match:
            return _clean_symbol(match.group(1))
    for text in page1[:6]:
        match = _SYMBOL_IN.search(text)
        if match and ("/" in match.group(1)):
            return _clean_symbol(match.group(1))
    for line in page1:
        # PDFium may glue a footer symbol to a body line ending in a hyphen: look at the end.
        text = line.rsplit(HYPHEN_BREAK, 1)[-1]
        match = _SYMBOL_ONLY.match(text.replace(",", "."))
        if match:
            return _clean_symbol(match.group(1))
    return None


def _title(lines: list[Line]) -> str | None:
    texts = [clean_line(line.text) for line in lines]
    start = next((i for i, t in enumerate(texts[:25]) if _AGENDA.match(t)), None)
    if start is None:
        return None
    i = start + 1
    while i < len(texts) and _AGENDA_TAIL.match(texts[i]):
        i += 1
    block: list[Line] = []
    for line, text in zip(lines[i : i + 5], texts[i : i + 5], strict=True):
        if not text or _TITLE_STOP.search(text):
            break
        if block and line.has_geometry and block[-1].has_geometry:
            prev = block[-1]
            size = prev.size or 10.0
            if abs((line.size or 0) - size) > 0.6 or abs(line.x0 - block[0].x0) > 2 * size:  # type: ignore[operator]
                break
            if not 0 < prev.y_last - line.y < 1.8 * size:  # type: ignore[operator]
                break
        block.append(line)
    if not block:
        return None
    title = ""
    for line in block:
        text = clean_line(line.text).replace(HYPHEN_BREAK, "-")
        title = f"{title}{text}" if not title or title.endswith("-") else f"{title} {text}"
    return title.rstrip(" :*") or None


def parse_first_page(page1: list[Line], page2: list[Line] | None = None) -> FirstPage:
    texts1 = [clean_line(line.text) for line in page1]
    texts2 = [clean_line(line.text) for line in page2 or []]
    return FirstPage(title=_title(page1), date=_date(texts1), symbol=_symbol(texts1, texts2))
