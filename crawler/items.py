"""What spiders yield: one fetch attempt of one resource, with everything the store needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class CaptureItem:
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
    fetched_at: datetime | None = None
    title: str | None = None
    meta: dict[str, Any] | None = None
