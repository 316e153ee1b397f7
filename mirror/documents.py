"""The bytes the mirror serves for a document: real PDF, rendered PDF, or a Word file; and the
job number that names its ODS file path."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from mirror import pdftools
from mirror.render import charter_paragraphs, render_pdf
from mirror.state import Doc, MirrorState

_CACHE: dict[str, bytes] = {}
_CACHE_LOCK = threading.Lock()
_CHARTER_SLICE = 25


@lru_cache(maxsize=256)
def read_pdf(path: Path) -> bytes:
    """A corpus file's bytes (cached: many Mirror instances serve the same files)."""
    return path.read_bytes()


def _cached(key: str, make) -> bytes:
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
    data = make()
    with _CACHE_LOCK:
        if len(_CACHE) > 2000:  # a benchmark may render many; keep memory bounded
            _CACHE.clear()
        _CACHE[key] = data
    return data


def job_of(state: MirrorState, doc: Doc) -> str:
    """The document's job number, read from the real PDF's footer when there is one, else a
    stable made-up one; registered in `state.jobs` so the ODS file path resolves."""
    if doc.job:
        state.jobs.setdefault(doc.job, (doc.symbol, doc.lang))
        return doc.job
    job = pdftools.real_job_number(doc.path) if doc.job is None and doc.path else None
    if not job or job in state.jobs and state.jobs[job] != (doc.symbol, doc.lang):
        job = pdftools.made_up_job_number(f"{doc.symbol}|{doc.lang}", set(state.jobs))
    doc.job = job
    state.jobs[job] = (doc.symbol, doc.lang)
    return job


def text_of(doc: Doc, charter_dir: Path) -> tuple[str, ...]:
    """Paragraphs of the document (used for rendering, Word files and amendments)."""
    if doc.paragraphs is not None:
        return doc.paragraphs
    if doc.path is not None:
        return pdftools.paragraphs(doc.path)
    paras = charter_paragraphs(charter_dir, doc.lang)
    start = zlib.crc32(doc.symbol.encode()) % max(1, len(paras) - _CHARTER_SLICE)
    return tuple(paras[start : start + _CHARTER_SLICE])


def pdf_bytes(state: MirrorState, doc: Doc, charter_dir: Path) -> bytes:
    if doc.data is not None:
        return doc.data
    if doc.path is not None and doc.paragraphs is None:
        return read_pdf(doc.path)
    paras = text_of(doc, charter_dir)
    job = job_of(state, doc)
    key = hashlib.sha256(
        "\x00".join([doc.lang, doc.symbol, job, str(doc.font_size), *paras]).encode("utf-8")
    ).hexdigest()
    return _cached(
        key,
        lambda: render_pdf(paras, doc.lang, header=doc.symbol, job=job, size=doc.font_size),
    )


def docx_bytes(paragraphs: tuple[str, ...]) -> bytes:
    """A minimal, valid .docx of the paragraphs; fixed zip timestamps keep it byte-stable."""
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
            '/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
            'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="'
            'application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxml'
            'formats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas'
            '.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/'
            'document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxml'
            f'formats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>'
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()
