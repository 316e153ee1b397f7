"""What spiders yield. Spiders only parse; the pipeline hands these to the tracker's store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class CaptureItem:
    """One fetch attempt of one resource, with everything the store needs."""

    key: str
    kind: str = "symbol"
    lang: str = ""
    format: str = "pdf"
    url: str | None = None
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    error: str | None = None
    blocked: str | None = None
    fetched_at: datetime | None = None
    title: str | None = None
    meta: dict[str, Any] | None = None
    records: list[dict[str, Any]] | None = None
    record_kind: str | None = None
    # Filled in by the pipeline after storing, for spiders that follow what was stored.
    result: dict[str, Any] | None = field(default=None, repr=False)


@dataclass
class WatchItem:
    """Start watching a document (a feed found it, or a watched document cites it)."""

    key: str
    source: str
    kind: str = "symbol"
    origin: str = "feed"
    cited_by: str | None = None
    depth: int = 0
