"""Text extraction for watched documents: PDF, HTML and plain text to normalised text.

Public API (other modules code against exactly this):
    Extraction, ExtractionError, EXTRACTOR_VERSION, sniff_media_type, extract_text, normalise_text
"""

from __future__ import annotations

from tracker.extract.model import EXTRACTOR_VERSION, HTML, PDF, TEXT, Extraction, ExtractionError
from tracker.extract.normalise import normalise_text
from tracker.extract.sniff import base_type as _declared_base
from tracker.extract.sniff import describe, sniff_media_type

__all__ = [
    "EXTRACTOR_VERSION",
    "Extraction",
    "ExtractionError",
    "extract_text",
    "normalise_text",
    "sniff_media_type",
]


def _is_blank(content: bytes) -> bool:
    return not content.strip(b" \t\r\n\f\v\x00") or content.strip() in (
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xfe\xff",
    )


def extract_text(
    content: bytes,
    declared_type: str | None = None,
    *,
    url: str | None = None,
    expected: str | None = None,
) -> Extraction:
    """Extract normalised text from a fetched body.

    expected="application/pdf" means the caller asked for a PDF: anything not starting with %PDF
    (after optional leading whitespace) raises ExtractionError("not_pdf", ...).
    Empty or whitespace-only bodies raise ExtractionError("empty", ...).
    Never returns an Extraction with empty text: that is always an ExtractionError.
    """
    if not isinstance(content, bytes | bytearray | memoryview):
        raise TypeError(f"content must be bytes, not {type(content).__name__}")
    content = bytes(content)
    if _is_blank(content):
        what = "empty (0 bytes)" if not content else f"{len(content)} bytes of whitespace only"
        raise ExtractionError("empty", f"the response body is {what}: there is no document")
    wants_pdf = expected is not None and _declared_base(expected) == PDF
    if wants_pdf and not content.lstrip().startswith(b"%PDF"):
        raise ExtractionError(
            "not_pdf",
            f"expected a PDF but the body is {describe(content)} ({len(content)} bytes)",
        )
    media = sniff_media_type(content, declared_type, url)
    if media == PDF:
        from tracker.extract.pdf_pipeline import extract_pdf

        try:
            result = extract_pdf(content.lstrip())
        except ExtractionError:
            raise
        except Exception as exc:  # engines raise many types on damaged files; callers get one
            raise ExtractionError(
                "corrupt_pdf", f"PDF is damaged and cannot be read ({type(exc).__name__}: {exc})"
            ) from exc
    elif media == HTML:
        from tracker.extract.html import extract_html

        result = extract_html(content, declared_type)
    elif media == TEXT:
        from tracker.extract.plain import extract_plain

        result = extract_plain(content, declared_type)
    else:
        raise ExtractionError(
            "unsupported_type",
            f"cannot extract text from {describe(content)} "
            f"(declared {declared_type or 'no type'}, sniffed {media})",
        )
    declared = _declared_base(declared_type)
    if declared and declared != media and not (media == TEXT and declared.startswith("text/")):
        result.warnings.append(f"declared as {declared} but the content is {media}")
    return result
