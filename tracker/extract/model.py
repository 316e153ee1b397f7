"""Result and error types shared by every extractor (kept apart so modules can import them
without importing the whole package)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

PDF = "application/pdf"
HTML = "text/html"
TEXT = "text/plain"

# The version of the text extraction rules. Bump it whenever a change to extraction, reflow or
# normalisation can change the text of a file already stored: the store then re-extracts stored
# versions from their raw blobs (keeping the earlier text as history), so that an upgrade is
# never mistaken for a change of the document.
EXTRACTOR_VERSION = 2


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
    # Link targets found in the document (HTML <a href>), in order: citations are read from them
    # as well as from the text, since a link's target is not part of the text.
    links: list[str] = field(default_factory=list)


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
