"""text/plain bytes -> Extraction."""

from __future__ import annotations

from tracker.extract.decode import charset_from_content_type, decode_bytes
from tracker.extract.language import guess_language
from tracker.extract.model import TEXT, Extraction, ExtractionError
from tracker.extract.normalise import normalise_text


def extract_plain(content: bytes, declared_type: str | None = None) -> Extraction:
    warnings: list[str] = []
    charset = charset_from_content_type(declared_type)
    text = normalise_text(decode_bytes(content, [charset], warnings, what="text"))
    if not text:
        raise ExtractionError("empty", "text body contains only whitespace")
    return Extraction(text=text, media_type=TEXT, language=guess_language(text), warnings=warnings)
