"""feeds: the undocs.org document feeds turn newly listed symbols into watched documents.

Targets are feed names, `gadocs` (General Assembly) and `scdocs` (Security Council); both by
default. Spider arguments: `patterns`, comma-separated globs matched against the symbols
(case-insensitive; default `A/C.1/*`, the First Committee), and `into`, the source whose
watches receive the matches (default `documents`), so that the next crawl of that source
with no targets fetches them.

Each feed is also recorded as a structured capture (document kind `feed`, key `undocs:NAME`,
record kind `feed_entries`): every fetch, failures included, is in the store, and a feed that
does not parse is an error there, never a change. The feed's own rows raise no events.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from email.utils import parsedate_to_datetime
from fnmatch import fnmatchcase
from typing import Any

from lxml import etree
from scrapy.http import Response

from crawler.base import CaptureSpider
from crawler.items import CaptureItem, WatchItem
from tracker.records import Row
from tracker.symbols import normalise_symbol

FEEDS = {"gadocs": "/rss/gadocs.xml", "scdocs": "/rss/scdocs.xml"}
DEFAULT_PATTERNS = "A/C.1/*"
RECORD_KIND = "feed_entries"
DATE_TAGS = ("{*}pubDate", "{*}updated", "{*}published", "{*}date")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _published(text: str | None) -> str | None:
    """RFC 822 (RSS) or ISO (Atom) date as ISO 8601 UTC; None when absent or unreadable."""
    if not text or not text.strip():
        return None
    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError):
        return text.strip()  # Atom dates are ISO already
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def parse_feed(body: bytes) -> list[Row]:
    """`feed_entries` rows of an RSS 2.0 or Atom feed; ValueError if it is not a feed.

    Items whose title is not a UN symbol are left out; if none is, the feed changed format."""
    if not body.lstrip().startswith(b"<"):
        raise ValueError("not XML (" + repr(body[:40]) + ")")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"malformed XML: {exc}") from exc
    root_name = etree.QName(root).localname
    if root_name not in ("rss", "feed", "RDF"):
        raise ValueError(f"not a feed: root element <{root_name}>")
    rows: dict[str, Row] = {}
    items = list(root.iter("{*}item", "{*}entry"))  # "{*}" also matches no namespace
    for item in items:
        symbol = normalise_symbol(item.findtext("{*}title") or "")
        if symbol is None:
            continue
        date = next((d for t in DATE_TAGS if (d := item.findtext(t))), None)
        rows.setdefault(symbol, {"symbol": symbol, "published": _published(date)})
    if items and not rows:
        raise ValueError(f"none of its {len(items)} items is titled with a UN symbol")
    return list(rows.values())


def wanted(symbol: str, patterns: list[str]) -> bool:
    return any(fnmatchcase(symbol.casefold(), p.casefold()) for p in patterns)


class FeedsSpider(CaptureSpider):
    name = "feeds"

    def __init__(self, patterns: str | None = None, into: str = "documents", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.patterns = [p.strip() for p in (patterns or DEFAULT_PATTERNS).split(",") if p.strip()]
        self.into = into

    async def start(self) -> Any:
        self.logger.info("watching %s into source %r", ", ".join(self.patterns), self.into)
        for feed in self.targets or list(FEEDS):
            if feed not in FEEDS:
                self.logger.error("unknown feed %r; known: %s", feed, ", ".join(FEEDS))
                continue
            yield self.request(
                self.dw.undocs_url.rstrip("/") + FEEDS[feed],
                {
                    "key": f"undocs:{feed}",
                    "kind": "feed",
                    "format": "json",
                    "title": f"undocs.org feed {feed}",
                },
                self.parse_feed,
            )

    def parse_feed(self, response: Response) -> Iterator[CaptureItem | WatchItem]:
        if response.status != 200:
            yield self.capture_item(response)  # 5xx, 404, walls: recorded by the store
            return
        try:
            rows = parse_feed(response.body)
        except ValueError as exc:
            yield self.failed(response, f"not a feed: {exc}")
            return
        if not rows:
            item = self.capture_item(response)
            item.body = b""  # an empty feed: not_available, never an empty version
            yield item
            return
        yield self.capture_item(response, records=rows, record_kind=RECORD_KIND)
        for row in rows:
            if wanted(row["symbol"], self.patterns):
                yield WatchItem(key=row["symbol"], source=self.into, origin="feed")

    def failed(self, response: Response, reason: str) -> CaptureItem:
        item = self.capture_item(response)
        item.error = reason
        return item
