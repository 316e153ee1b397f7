"""Decide what a body really is. Magic bytes win over the declared type because UN servers
sometimes serve files with the wrong content type, and answer "200" with HTML or nothing."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tracker.extract.model import HTML, PDF, TEXT

OCTET = "application/octet-stream"

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_HTML_START = re.compile(
    rb"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_ANYWHERE = re.compile(rb"<(?:html|body|head|div|p|table)\b[^>]*>", re.IGNORECASE)
_OTHER_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (perhaps a Word .docx file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (perhaps a Word .doc file)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"{\\rtf", "an RTF document"),
)
_SUFFIXES = {".pdf": PDF, ".html": HTML, ".htm": HTML, ".txt": TEXT, ".text": TEXT}


def base_type(declared: str | None) -> str | None:
    if not declared:
        return None
    base = declared.split(";", 1)[0].strip().lower()
    if base in ("application/pdf", "application/x-pdf"):
        return PDF
    if base in ("text/html", "application/xhtml+xml"):
        return HTML
    if base.startswith("text/"):
        return TEXT
    return base or None


def _head(content: bytes) -> bytes:
    head = content[:2048]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # UTF-16 text: drop the NULs so the ASCII tests below still work.
        head = head.replace(b"\x00", b"")
    return head.lstrip()


def looks_binary(content: bytes) -> bool:
    """Heuristic: NUL bytes or many control characters in the first 4 KiB (UTF-16 excepted)."""
    head = content[:4096]
    if not head or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > len(head) * 0.05


def sniff_media_type(content: bytes, declared: str | None = None, url: str | None = None) -> str:
    """From magic bytes first (%PDF, <html/<!doctype, BOMs), then declared content type, then URL
    suffix. Returns application/pdf, text/html, text/plain, or another type (e.g.
    application/octet-stream for unknown binary data)."""
    head = _head(content)
    if head.startswith(b"%PDF"):
        return PDF
    if _HTML_START.match(head):
        return HTML
    for magic, _ in _OTHER_MAGIC:
        if head.startswith(magic):
            return OCTET
    declared_type = base_type(declared)
    if declared_type == PDF and head:
        # Declared PDF but no %PDF header: let the caller find out what it really is.
        return HTML if _HTML_ANYWHERE.search(head) else (OCTET if looks_binary(content) else TEXT)
    if declared_type in (HTML, TEXT):
        return declared_type
    if url:
        path = urlsplit(url).path.lower()
        for suffix, media in _SUFFIXES.items():
            if path.endswith(suffix):
                if media == PDF:
                    break  # a .pdf URL whose body is not a PDF: fall through to content tests
                return media
    if looks_binary(content):
        return OCTET
    if _HTML_ANYWHERE.search(head):
        return HTML
    return declared_type or TEXT


def describe(content: bytes) -> str:
    """What the bytes look like, for error messages ("an HTML page", "a ZIP archive"...)."""
    head = _head(content)
    if not head:
        return "nothing but whitespace"
    if head.startswith(b"%PDF"):
        return "a PDF"
    if _HTML_START.match(head) or _HTML_ANYWHERE.search(head):
        title = re.search(rb"<title[^>]*>([^<]{1,120})", head, re.IGNORECASE)
        if title:
            text = title.group(1).decode("utf-8", "replace").strip()
            return f"an HTML page (title {text!r})"
        return "an HTML page"
    if head[:1] in (b"{", b"["):
        return "JSON or other structured text"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "XML or other markup"
    for magic, what in _OTHER_MAGIC:
        if head.startswith(magic):
            return what
    if looks_binary(content):
        return f"binary data of unknown type (starts with {content[:8]!r})"
    snippet = head[:60].decode("utf-8", "replace").replace("\n", " ")
    return f"plain text ({snippet!r}...)"
