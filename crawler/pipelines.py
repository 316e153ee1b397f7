"""The one place where crawled items meet the store: each item is one capture, one transaction."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from crawler.items import CaptureItem
from tracker.db import Database
from tracker.settings import load_settings
from tracker.store import CaptureInput, Store


class StorePipeline:
    """Hands `CaptureItem`s to `tracker.store.Store.record_capture` and counts outcomes."""

    def __init__(self) -> None:
        self.store: Store | None = None
        self.outcomes: dict[str, int] = {}

    def open_spider(self, spider: Any) -> None:
        settings = load_settings()
        self.store = Store(Database.from_settings(settings), settings)

    def close_spider(self, spider: Any) -> None:
        if self.store is not None:
            self.store.db.dispose()

    def process_item(self, item: Any, spider: Any) -> Any:
        if not isinstance(item, CaptureItem):
            return item
        assert self.store is not None
        source = getattr(spider, "source_name", None) or spider.name
        result = self.store.record_capture(CaptureInput(**asdict(item), source=source))
        self.outcomes[result.outcome] = self.outcomes.get(result.outcome, 0) + 1
        if spider.crawler and spider.crawler.stats:
            spider.crawler.stats.inc_value(f"disarmwatch/outcome/{result.outcome}")
            spider.crawler.stats.inc_value("disarmwatch/events", len(result.events))
        return item
