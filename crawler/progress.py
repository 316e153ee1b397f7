"""Reports a crawl's progress as JSON lines on stdout, for the parent process to display.

Lines start with `@dw ` so that the parent can tell them apart from anything else printed.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from scrapy import signals
from twisted.internet import task

PREFIX = "@dw "


def write_line(kind: str, **data: Any) -> None:
    """One line for the parent process: `@dw {"type": kind, ...}`."""
    sys.stdout.write(PREFIX + json.dumps({"type": kind, **data}, default=str) + "\n")
    sys.stdout.flush()


def crawl_counts(stats: dict[str, Any]) -> dict[str, Any]:
    """The figures a person wants from Scrapy's stats: requests, captures, outcomes, events."""
    prefix = "disarmwatch/outcome/"
    return {
        "requests": stats.get("downloader/request_count", 0),
        "responses": stats.get("downloader/response_count", 0),
        "captures": stats.get("disarmwatch/captures", 0),
        "outcomes": {k[len(prefix) :]: v for k, v in stats.items() if k.startswith(prefix)},
        "new_versions": stats.get("disarmwatch/new_versions", 0),
        "events": stats.get("disarmwatch/events", 0),
        "event_types": {
            k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("disarmwatch/event/")
        },
        "watches_added": stats.get("disarmwatch/watches_added", 0),
        "errors": stats.get("log_count/ERROR", 0),
        "retries": stats.get("retry/count", 0),
        "backoff_seconds": round(stats.get("disarmwatch/backoff_seconds", 0.0), 3),
    }


class ProgressReporter:
    def __init__(self, crawler: Any, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressReporter:
        ext = cls(crawler, crawler.settings.getfloat("DISARMWATCH_PROGRESS_INTERVAL", 0.5))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def emit(self, kind: str, **extra: Any) -> None:
        spider = getattr(self.crawler, "spider", None)
        write_line(
            kind,
            run_id=getattr(spider, "run_id", None),
            **crawl_counts(self.crawler.stats.get_stats()),
            **extra,
        )

    def spider_opened(self, spider: Any) -> None:
        self.loop = task.LoopingCall(self.emit, "progress")
        self.loop.start(self.interval, now=True)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.emit("summary", reason=reason)
