"""citations: fetch watched documents, then the documents they cite, up to a depth.

After each capture is stored, the pipeline puts the keys the document cites on the item; this
spider hears of it through Scrapy's `item_scraped` signal and queues every cited symbol that
matches the series filter and is within `depth` hops, so a watched report pulls in the
resolutions and reports it cites. Each followed symbol is also recorded as a watch (origin
`citation`, naming the citing document), so later crawls keep following it.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from scrapy import signals
from scrapy.http import Response

from crawler.items import CaptureItem, WatchItem
from crawler.spiders.documents import DocumentsSpider

DEFAULT_SERIES = "A/RES/*,A/*,S/RES/*,NPT/*,TPNW/*,CD/*"


class CitationsSpider(DocumentsSpider):
    name = "citations"
    wants_cited_keys = True  # the pipeline reports what even an unchanged document cites

    def __init__(self, depth: str | int = 1, series: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("languages", "en")
        super().__init__(**kwargs)
        self.max_depth = int(depth)
        self.series = [s.strip() for s in (series or DEFAULT_SERIES).split(",") if s.strip()]
        self.queued: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> CitationsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.item_scraped, signal=signals.item_scraped)
        return spider

    def wanted(self, key: str) -> bool:
        """Keys with a ":" are references without a symbol to fetch (a GA decision,
        "decision:73/546"; another body's resolution, "resolution:IOTC:12/07"); the rest must
        match the series filter."""
        return ":" not in key and any(fnmatchcase(key, p) for p in self.series)

    async def start(self) -> Any:
        for symbol in self.symbols():
            self.queued.add(symbol)
            for request in self.document_requests(symbol, citation_depth=0):
                yield request

    def parse_capture(self, response: Response) -> Iterator[CaptureItem | WatchItem]:
        yield self.capture_item(response)
        cited_by = response.meta.get("cited_by")
        if cited_by and response.meta["capture"]["lang"] == self.languages[0]:
            yield WatchItem(
                key=response.meta["capture"]["key"],
                source=self.source_name or self.name,
                origin="citation",
                cited_by=cited_by,
                depth=response.meta.get("citation_depth", 0),
            )

    def item_scraped(self, item: Any, response: Response | None, spider: Any) -> None:
        if not isinstance(item, CaptureItem) or not item.result or response is None:
            return
        depth = response.meta.get("citation_depth", 0)
        if depth >= self.max_depth:
            return
        for key in item.result.get("cited_keys", []):
            if key in self.queued or not self.wanted(key):
                continue
            self.queued.add(key)
            for request in self.document_requests(key, citation_depth=depth + 1, cited_by=item.key):
                self.crawler.engine.crawl(request)
