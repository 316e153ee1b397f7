"""The one place where crawled items meet the store: each capture is one transaction."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from crawler.items import CaptureItem, WatchItem
from tracker.alerts.outbox import event_sink_for_settings
from tracker.db import Database
from tracker.settings import load_settings
from tracker.store import CaptureInput, Store


class StorePipeline:
    """Hands items to `tracker.store.Store` and counts outcomes in the crawl's stats."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        settings = load_settings()
        # Events and their alert deliveries are written in the same transaction (the outbox).
        self.store = Store(
            Database.from_settings(settings), settings, event_sink=event_sink_for_settings(settings)
        )

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.db.dispose()

    def process_item(self, item: Any) -> Any:
        assert self.store is not None
        stats = self.crawler.stats
        spider = self.crawler.spider
        if isinstance(item, WatchItem):
            if self.store.add_watch(
                item.source,
                item.key,
                kind=item.kind,
                origin=item.origin,
                cited_by=item.cited_by,
                depth=item.depth,
            ):
                stats.inc_value("disarmwatch/watches_added")
            return item
        if not isinstance(item, CaptureItem):
            return item
        fields = asdict(item)
        fields.pop("result")
        source = getattr(spider, "source_name", None) or spider.name
        run_id = getattr(spider, "run_id", None)
        result = self.store.record_capture(
            CaptureInput(
                **fields,
                source=source,
                run_id=run_id,
                want_cited_keys=getattr(spider, "wants_cited_keys", False),
            )
        )
        item.result = {
            "outcome": str(result.outcome),
            "version_id": result.version_id,
            "events": [e.type for e in result.events],
            "cited_keys": result.cited_keys,
            "error": result.error,
        }
        stats.inc_value(f"disarmwatch/outcome/{result.outcome}")
        stats.inc_value("disarmwatch/captures")
        if result.outcome == "new_version":
            stats.inc_value("disarmwatch/new_versions")
        for event in result.events:
            stats.inc_value("disarmwatch/events")
            stats.inc_value(f"disarmwatch/event/{event.type}")
        if result.outcome == "error":
            spider.logger.warning("%s (%s): %s", item.key, item.lang or "-", result.error)
        # The body is stored now; drop it so a long crawl does not keep every file in memory.
        item.body = None
        return item
