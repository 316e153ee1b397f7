"""Downloader middlewares: conditional requests from the validators the store last saw."""

from __future__ import annotations

from typing import Any

from scrapy.http import Request

from tracker.db import Database
from tracker.settings import load_settings
from tracker.store import Store


class ConditionalRequestMiddleware:
    """Adds If-None-Match / If-Modified-Since when the store holds validators for a resource.

    A 304 answer then becomes a `not_modified` capture. Only validators of a resource that has a
    version are used, so a 304 can never leave a resource without content.
    """

    def __init__(self) -> None:
        settings = load_settings()
        db = Database.from_settings(settings)
        try:
            # One query at the start instead of one per request: a crawl's resources are known.
            self.validators = Store(db, settings).all_validators()
        finally:
            db.dispose()

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalRequestMiddleware:
        return cls()

    def process_request(self, request: Request) -> None:
        spec = request.meta.get("capture")
        if not spec or not request.meta.get("conditional") or request.method != "GET":
            return None
        if request.meta.get("redirect_times"):
            return None  # validators belong to the first URL of a redirect chain
        key = (
            spec.get("kind", "symbol"),
            spec["key"],
            spec.get("lang", ""),
            spec.get("format", "pdf"),
        )
        etag, last_modified = self.validators.get(key, (None, None))
        if etag:
            request.headers.setdefault("If-None-Match", etag)
        if last_modified:
            request.headers.setdefault("If-Modified-Since", last_modified)
        return None
