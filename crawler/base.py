"""What every disarmwatch spider shares: settings, targets, and turning answers into captures.

Every request a spider makes for a resource carries `meta["capture"]` (key, kind, lang, format).
Every answer, whatever its status (redirects are followed), reaches the callback, and every
failure reaches `on_error`: either way the result is a `CaptureItem`, so that each fetch attempt
is recorded with its reason and no failure stops the crawl.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import CaptureItem
from tracker.settings import Settings, load_settings

# Every status reaches the callback except redirects, which Scrapy must still follow.
NON_REDIRECT_STATUSES = [s for s in range(100, 600) if s not in (301, 302, 303, 307, 308)]


def response_headers(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()
    }


class CaptureSpider(scrapy.Spider):
    """Base class: `targets` (comma-separated or a list) and a `run_id` come as spider arguments."""

    source_name: str | None = None

    def __init__(
        self,
        targets: str | list[str] | None = None,
        run_id: str | int | None = None,
        source: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(targets, str):
            targets = [t.strip() for t in targets.split(",") if t.strip()]
        self.targets: list[str] = list(targets or [])
        self.run_id = int(run_id) if run_id not in (None, "") else None
        self.source_name = source or self.source_name or self.name
        self.dw: Settings = load_settings()

    def request(
        self,
        url: str,
        capture: dict[str, Any],
        callback: Any = None,
        *,
        conditional: bool = True,
        **kwargs: Any,
    ) -> scrapy.Request:
        """A request whose every outcome is a capture of `capture` (key, kind, lang, format)."""
        meta = dict(kwargs.pop("meta", {}))
        meta.update(
            capture=capture, handle_httpstatus_list=NON_REDIRECT_STATUSES, conditional=conditional
        )
        return scrapy.Request(
            url,
            callback=callback or self.parse_capture,
            errback=self.on_error,
            meta=meta,
            dont_filter=True,
            **kwargs,
        )

    def capture_item(self, response: Response, **overrides: Any) -> CaptureItem:
        spec = dict(response.meta.get("capture", {}))
        spec.update(overrides)
        redirects = response.meta.get("redirect_urls") or []
        return CaptureItem(
            key=spec["key"],
            kind=spec.get("kind", "symbol"),
            lang=spec.get("lang", ""),
            format=spec.get("format", "pdf"),
            url=redirects[0] if redirects else response.url,
            final_url=response.url,
            status=response.status,
            headers=response_headers(response),
            body=response.body,
            fetched_at=datetime.now(UTC),
            title=spec.get("title"),
            meta=spec.get("meta"),
            records=spec.get("records"),
            record_kind=spec.get("record_kind"),
        )

    def parse_capture(self, response: Response) -> Iterator[CaptureItem]:
        yield self.capture_item(response)

    def on_error(self, failure: Failure) -> Iterator[CaptureItem]:
        request = failure.request  # type: ignore[attr-defined]
        spec = request.meta.get("capture")
        if spec is None:
            self.logger.error("request failed: %s: %s", request.url, failure.value)
            return
        if failure.check(HttpError):
            yield self.capture_item(failure.value.response)
            return
        item = CaptureItem(
            key=spec["key"],
            kind=spec.get("kind", "symbol"),
            lang=spec.get("lang", ""),
            format=spec.get("format", "pdf"),
            url=request.url,
            fetched_at=datetime.now(UTC),
            meta=spec.get("meta"),
        )
        if failure.check(IgnoreRequest) and "robots" in str(failure.value).lower():
            item.blocked = f"disallowed by robots.txt: {request.url}"
        elif failure.check(IgnoreRequest):
            item.error = f"request dropped: {failure.value}"
        elif "max size" in failure.getErrorMessage():
            # Scrapy cancels an answer larger than DOWNLOAD_MAXSIZE: say so plainly.
            item.error = (
                f"answer refused: over the download size limit ({failure.getErrorMessage()})"
            )
        else:
            item.error = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        yield item
