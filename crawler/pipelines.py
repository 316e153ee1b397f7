"""The one place where crawled items meet the store: each capture is one transaction."""

from __future__ import annotations

import os
from dataclasses import fields
from typing import Any

from crawler.items import CaptureItem, WatchItem
from tracker.alerts.outbox import event_sink_for_settings
from tracker.db import Database
from tracker.settings import load_settings
from tracker.store import CaptureInput, Store

_STORES: dict[tuple[str, str, int], Store] = {}


def shared_store() -> Store:
    """One Store per database and rules file in this process.

    A crawl worker runs many crawls in one process: building an engine, checking the schema
    and reading the alert rules for each would cost more than an unchanged capture itself.
    A changed rules file (its mtime) gives a new Store.
    """
    settings = load_settings()
    config = str(settings.config_file)
    try:
        mtime = os.stat(config).st_mtime_ns
    except OSError:
        mtime = 0
    key = (settings.effective_database_url, config, mtime)
    store = _STORES.get(key)
    if store is None:
        same_db = [k for k in _STORES if k[0] == key[0]]
        db = _STORES[same_db[0]].db if same_db else Database.from_settings(settings)
        for k in same_db:
            del _STORES[k]
        # Events and their alert deliveries are written in the same transaction (the outbox).
        store = Store(db, settings, event_sink=event_sink_for_settings(settings))
        _STORES[key] = store
    return store


class StorePipeline:
    """Hands items to `tracker.store.Store` and counts outcomes in the crawl's stats."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = shared_store()

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
        # Shallow: asdict() would deep-copy the body and every record, for nothing.
        values = {f.name: getattr(item, f.name) for f in fields(item) if f.name != "result"}
        source = getattr(spider, "source_name", None) or spider.name
        run_id = getattr(spider, "run_id", None)
        result = self.store.record_capture(
            CaptureInput(
                **values,
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
