"""documents: each watched UN symbol in each wanted language, from the Official Document System.

ODS answers `/api/symbol/access?s={symbol}&l={lang}&t=pdf` with redirects to a job-number file.
Its traps are handled by the store: an unpublished symbol answers 200 with an empty body
(`not_available`, and its end a `document_published` / `new_language_version` event), and a
body that is not `%PDF` is refused as an error, never stored as a version.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import scrapy

from crawler.base import CaptureSpider
from crawler.targets import watched_keys
from tracker.symbols import normalise_symbol

FORMAT_PARAM = {"pdf": "pdf", "doc": "doc"}


def ods_url(base: str, symbol: str, lang: str, fmt: str = "pdf") -> str:
    return f"{base.rstrip('/')}/api/symbol/access?s={quote(symbol, safe='')}&l={lang}&t={fmt}"


class DocumentsSpider(CaptureSpider):
    name = "documents"

    def __init__(
        self, languages: str | None = None, word: str | bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.languages = (
            [x.strip() for x in languages.split(",") if x.strip()]
            if languages
            else self.dw.language_list
        )
        self.formats = ["pdf", "doc"] if str(word).lower() in {"1", "true", "yes"} else ["pdf"]

    def symbols(self) -> list[str]:
        """The symbols given as targets, or else every symbol this source watches."""
        raw = self.targets or watched_keys(self.source_name or self.name)
        symbols = []
        for target in raw:
            symbol = normalise_symbol(target)
            if symbol is None:
                self.logger.error("not a UN symbol, skipped: %r", target)
                continue
            symbols.append(symbol)
        return list(dict.fromkeys(symbols))

    def document_requests(self, symbol: str, **meta: Any) -> Iterator[scrapy.Request]:
        for lang in self.languages:
            for fmt in self.formats:
                yield self.request(
                    ods_url(self.dw.ods_url, symbol, lang, FORMAT_PARAM[fmt]),
                    {"key": symbol, "kind": "symbol", "lang": lang, "format": fmt},
                    meta=meta,
                )

    async def start(self) -> Any:
        for symbol in self.symbols():
            for request in self.document_requests(symbol):
                yield request
