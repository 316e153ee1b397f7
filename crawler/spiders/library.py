"""library: UN Digital Library metadata (MARCXML) for watched symbols or symbol patterns.

Each target is a symbol (`A/C.1/80/L.1`) or a pattern (`A/C.1/80/L.*`); with no targets, the
symbols this source watches. One search per target, `191__a:"TARGET"`, paged with `rg`/`jrec`
from the `Search-Engine-Total-Number-Of-Results` comment the library puts first.

Every record found becomes its own structured capture (document kind `library`, key = its
symbol, record kind `library_record`), so each symbol has its own history and events, and a
failed page costs only that page. An answer that is not a usable MARCXML page (the bot wall's
202, a 5xx, an HTML page, a truncated body) is recorded once, under the target's key, as
blocked or error: it never reaches the parser and is never a change. An exact symbol the
library does not know is recorded as `not_available`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import quote, urlsplit

import scrapy
from lxml import etree
from scrapy.http import Response

from crawler.base import CaptureSpider
from crawler.items import CaptureItem
from crawler.targets import watched_keys
from tracker.records import Row
from tracker.records_library import related_type
from tracker.symbols import normalise_symbol

RECORD_KIND = "library_record"
_TOTAL = re.compile(rb"<!--\s*Search-Engine-Total-Number-Of-Results:\s*(\d+)\s*-->")
_FILE_LANG = re.compile(r"-([A-Za-z]{2})\.[A-Za-z0-9]+$")
# Labels of field 856 $y, for files whose name carries no language suffix.
LABEL_LANG = {
    "english": "en",
    "français": "fr",
    "español": "es",
    "русский": "ru",
    "中文": "zh",
    "العربية": "ar",
}
# lxml must never fetch anything a served document points at.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


# -- pure parsing ---------------------------------------------------------------------------


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as Latin-1 ('FranÃ§ais' -> 'Français'); leave anything else alone."""
    try:
        fixed = text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
    return fixed


def search_total(body: bytes) -> int | None:
    """The total the library announces before the XML, or None when it is missing."""
    m = _TOTAL.search(body[:500])
    return int(m[1]) if m else None


def _clean(text: str | None) -> str | None:
    """MARC titles end in ISBD punctuation (' :', ' /', ' ;'): drop it."""
    if text is None:
        return None
    text = " ".join(text.split()).rstrip(" :/;,=")
    return text or None


def _sub(field: etree._Element, code: str) -> str | None:
    for sub in field.iterfind("{*}subfield"):
        if sub.get("code") == code and sub.text and sub.text.strip():
            return sub.text.strip()
    return None


def _fields(record: etree._Element, tag: str) -> list[etree._Element]:
    return [f for f in record.iterfind("{*}datafield") if f.get("tag") == tag]


def _control(record: etree._Element, tag: str) -> str | None:
    for f in record.iterfind("{*}controlfield"):
        if f.get("tag") == tag and f.text:
            return f.text.strip()
    return None


def _first(record: etree._Element, tag: str, code: str) -> str | None:
    return next((v for f in _fields(record, tag) if (v := _sub(f, code))), None)


def _file(field: etree._Element) -> dict[str, Any] | None:
    url = _sub(field, "u")
    if not url:
        return None
    path = urlsplit(url).path  # without the host: the same file whatever mirror serves it
    label = fix_mojibake(_sub(field, "y") or "")
    m = _FILE_LANG.search(path)
    lang = m[1].lower() if m else LABEL_LANG.get(label.casefold(), "")
    size = _sub(field, "s")
    return {
        "lang": "zh" if lang == "ch" else lang,
        "label": label or None,
        "path": path,
        "size": int(size) if size and size.isdigit() else None,
    }


def parse_record(record: etree._Element) -> Row | None:
    """One MARC record as a `library_record` row; None when it has no symbol (191 $a)."""
    raw_symbol = _first(record, "191", "a")
    if not raw_symbol:
        return None
    files = [f for f in (_file(f) for f in _fields(record, "856")) if f]
    related = {
        normalise_symbol(s) or s: related_type(s)
        for f in _fields(record, "993")
        if (s := _sub(f, "a"))
    }
    agenda = [
        {"symbol": _sub(f, "a"), "item": _sub(f, "b"), "title": _clean(_sub(f, "c"))}
        for f in _fields(record, "991")
    ]
    return {
        "symbol": normalise_symbol(raw_symbol) or raw_symbol,
        "recid": _control(record, "001"),
        "title": _clean(_first(record, "245", "a")),
        "subtitle": _clean(_first(record, "245", "b")),
        "date": _first(record, "269", "a"),
        "languages": sorted({v for f in _fields(record, "041") for v in [_sub(f, "a")] if v}),
        "agenda": sorted(agenda, key=lambda a: (a["symbol"] or "", a["item"] or "")),
        "related": [{"symbol": s, "type": t} for s, t in sorted(related.items())],
        "files": sorted(files, key=lambda f: (f["lang"], f["path"])),
    }


def parse_records(body: bytes) -> list[tuple[Row, str | None]]:
    """(row, field 005) for each record of a MARCXML answer; ValueError if it is not one."""
    if not body.lstrip().startswith((b"<?xml", b"<!--", b"<collection", b"<record")):
        raise ValueError("not XML (" + repr(body[:40]) + ")")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"malformed XML: {exc}") from exc
    if etree.QName(root).localname not in ("collection", "record"):
        raise ValueError(f"not MARCXML: root element <{etree.QName(root).localname}>")
    records = [root] if etree.QName(root).localname == "record" else root.iterfind("{*}record")
    out = []
    for record in records:
        row = parse_record(record)
        if row is not None:
            out.append((row, _control(record, "005")))
    return out


def parse_marcxml(body: bytes) -> list[Row]:
    """The `library_record` rows of a MARCXML answer; ValueError if it is not MARCXML."""
    return [row for row, _stamp in parse_records(body)]


# -- targets --------------------------------------------------------------------------------


def is_pattern(target: str) -> bool:
    return "*" in target or "?" in target


def matches(target: str, symbol: str) -> bool:
    """A record answers a target: the same symbol, or a symbol the pattern covers."""
    if is_pattern(target):
        return fnmatchcase(symbol.casefold(), target.casefold())
    return (normalise_symbol(symbol) or symbol) == (normalise_symbol(target) or target)


def search_url(base: str, target: str, rg: int, jrec: int) -> str:
    query = quote(f'191__a:"{target}"', safe="")
    return f"{base.rstrip('/')}/search?p={query}&of=xm&rg={rg}&jrec={jrec}"


# -- the spider -----------------------------------------------------------------------------


class LibrarySpider(CaptureSpider):
    name = "library"

    def __init__(
        self, page_size: str | int = 100, max_pages: str | int = 50, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.page_size = max(1, int(page_size))
        self.max_pages = max(1, int(max_pages))
        self.captured: set[str] = set()  # a record found by two targets is captured once

    def search_targets(self) -> list[str]:
        raw = self.targets or watched_keys(self.source_name or self.name)
        out = []
        for target in raw:
            target = target.strip()
            symbol = target if is_pattern(target) else normalise_symbol(target)
            if not symbol:
                self.logger.error("not a UN symbol or pattern, skipped: %r", target)
                continue
            out.append(symbol)
        return list(dict.fromkeys(out))

    def search_request(self, target: str, jrec: int = 1) -> scrapy.Request:
        # Not conditional: a search page's validators say nothing about any one record.
        return self.request(
            search_url(self.dw.library_url, target, self.page_size, jrec),
            {"key": target, "kind": "library", "format": "json", "meta": {"query": target}},
            self.parse_search,
            conditional=False,
            meta={"target": target, "jrec": jrec},
        )

    async def start(self) -> Any:
        for target in self.search_targets():
            yield self.search_request(target)

    def parse_search(self, response: Response) -> Iterator[CaptureItem | scrapy.Request]:
        if response.status != 200:
            # The bot wall (202), 5xx, 404...: the store records it as blocked / error.
            yield self.capture_item(response)
            return
        target, jrec = response.meta["target"], response.meta["jrec"]
        try:
            found = parse_records(response.body)
        except ValueError as exc:
            yield self.failed(response, f"not a MARCXML answer: {exc}")
            return
        total = search_total(response.body)
        hits = [(row, stamp) for row, stamp in found if matches(target, row["symbol"])]
        for row, stamp in hits:
            if row["symbol"] not in self.captured:
                self.captured.add(row["symbol"])
                yield self.record_item(response, row, stamp)
        if jrec == 1:
            if not hits and not is_pattern(target):
                yield self.unknown(response)
            yield from self.next_pages(target, total, len(found))

    def next_pages(self, target: str, total: int | None, first: int) -> Iterator[scrapy.Request]:
        if total is None:
            # No announced total: the first page is all we know of.
            if first >= self.page_size:
                self.logger.warning("%s: no result count in a full page; read one page", target)
            return
        last = min(total, self.page_size * self.max_pages)
        if total > last:
            self.logger.warning("%s: %d records, only the first %d read", target, total, last)
        for jrec in range(1 + self.page_size, last + 1, self.page_size):
            yield self.search_request(target, jrec)

    def record_item(self, response: Response, row: Row, stamp: str | None) -> CaptureItem:
        base = self.dw.library_url.rstrip("/")
        meta = {"recid": row["recid"], "record_url": f"{base}/record/{row['recid']}"}
        if stamp:
            meta["modified"] = stamp  # 005: kept, but not part of the content (see records)
        return self.capture_item(
            response,
            key=row["symbol"],
            records=[row],
            record_kind=RECORD_KIND,
            title=" : ".join(x for x in (row["title"], row["subtitle"]) if x) or None,
            meta=meta,
        )

    def failed(self, response: Response, reason: str) -> CaptureItem:
        item = self.capture_item(response)
        item.error = reason
        return item

    def unknown(self, response: Response) -> CaptureItem:
        """No record for this symbol yet: an empty answer, which the store calls not_available."""
        item = self.capture_item(response)
        item.body = b""
        return item
