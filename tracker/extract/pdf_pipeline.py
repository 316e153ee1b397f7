"""PDF bytes -> Extraction: engine, furniture removal, reflow, first-page metadata."""

from __future__ import annotations

from tracker.extract.firstpage import parse_first_page
from tracker.extract.furniture import remove_furniture
from tracker.extract.language import guess_language
from tracker.extract.layout import Page
from tracker.extract.model import PDF, Extraction, ExtractionError
from tracker.extract.normalise import normalise_text
from tracker.extract.pdf import HYPHEN_BREAK, PdfiumDocument, PypdfDocument, open_pdf
from tracker.extract.reflow import reflow


def _read_pages(doc: PdfiumDocument | PypdfDocument) -> list[Page]:
    try:
        return list(doc.pages())
    finally:
        doc.close()


def extract_pdf(content: bytes) -> Extraction:
    doc = open_pdf(content)
    info = doc.info
    warnings = list(info.warnings)
    if info.pages == 0:
        raise ExtractionError("corrupt_pdf", "PDF has no pages")
    pages = _read_pages(doc)

    if len(info.failed_pages) == len(pages):
        raise ExtractionError("corrupt_pdf", "PDF is damaged: none of its pages can be read")
    if info.failed_pages:
        warnings.append(f"pages that could not be read (damaged): {info.failed_pages[:10]}")
    empty = [p.number for p in pages if not p.lines and p.number not in info.failed_pages]
    if len(empty) + len(info.failed_pages) == len(pages):
        raise ExtractionError(
            "no_text_layer",
            f"PDF has {len(pages)} page(s) but no text layer: it is probably a scan and needs OCR",
        )
    if empty:
        shown = ", ".join(map(str, empty[:10])) + (" ..." if len(empty) > 10 else "")
        warnings.append(f"{len(empty)} of {len(pages)} pages have no text layer: {shown}")

    # The first page is parsed before furniture removal: its masthead is where the symbol and
    # date are, and page 2's running header is the cleanest copy of the symbol.
    first = parse_first_page(list(pages[0].lines), list(pages[1].lines) if len(pages) > 1 else None)
    remove_furniture(pages, own_symbol=first.symbol)
    paragraphs = reflow(pages)
    text = normalise_text("\n\n".join(p.replace(HYPHEN_BREAK, "-") for p in paragraphs))
    if not text:
        raise ExtractionError(
            "no_text_layer",
            f"PDF has {len(pages)} page(s) but no text beyond page headers and footers",
        )
    return Extraction(
        text=text,
        media_type=PDF,
        pages=len(pages),
        title=info.title or first.title,
        date=first.date or info.date,
        symbol=first.symbol,
        language=guess_language(text),
        warnings=warnings,
    )
