"""Result and error types shared by every extractor (kept apart so modules can import them
without importing the whole package)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

PDF = "application/pdf"
HTML = "text/html"
TEXT = "text/plain"


@dataclass
class Extraction:
    text: str  # normalised main text; paragraphs separated by exactly "\n\n"
    media_type: str  # "application/pdf" | "text/html" | "text/plain"
    pages: int | None = None
    title: str | None = None
    date: datetime.date | None = None
    symbol: str | None = None
    language: str | None = None
    warnings: list[str] = field(default_factory=list)


class ExtractionError(Exception):
    """Bad input. `.code` is a short stable machine string; str(e) is a clear human message.

    Codes: empty, not_pdf, truncated_pdf, corrupt_pdf, encrypted_pdf, no_text_layer,
    undecodable, unsupported_type.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"ExtractionError({self.code!r}, {self.message!r})"
