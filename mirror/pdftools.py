"""Reading real corpus PDFs: job numbers, text for amended versions, page ranges of a report.

Everything here is cached per file, at module level, because pypdf is slow (A/79/88 takes ~15 s
to extract in full) and several Mirror instances in one test session read the same files.
"""

from __future__ import annotations

import io
import re
import threading
import zlib
from functools import lru_cache
from pathlib import Path

import pypdf

_JOB = re.compile(r"\b(\d{2}-\d{5})\b")
_TOC_LINE = re.compile(r"^\s*([A-Z][^.\n]*?)\s*\.{3,}\s*(\d+)\s*$", re.M)
_PARA_START = re.compile(r"(\d+\.\s|\([a-z]\)\s|[A-Z][a-z]+ing\b|[A-Z][a-z]+s\b)")
_LOCK = threading.Lock()


@lru_cache(maxsize=512)
def real_job_number(path: Path) -> str | None:
    """The job number printed on page 1 (footer like `25-16208`), or None (scans, old records)."""
    with _LOCK:
        try:
            text = pypdf.PdfReader(path).pages[0].extract_text() or ""
        except Exception:  # a broken or odd PDF simply has no readable job number
            return None
    found = _JOB.findall(text)
    return found[0] if found else None


def made_up_job_number(key: str, taken: set[str]) -> str:
    """A stable job number for a document without a real one; unique among `taken`."""
    n = zlib.crc32(key.encode()) % 90000 + 10000
    while f"26-{n:05d}" in taken:
        n = n + 1 if n < 99999 else 10000
    return f"26-{n:05d}"


def job_path(job: str, ext: str = "pdf") -> str:
    """ODS file path for a job number: 25-16208 -> /doc/undoc/gen/n25/162/08/pdf/n2516208.pdf."""
    yy, num = job.split("-")
    folder = "pdf" if ext == "pdf" else "doc"
    return f"/doc/undoc/gen/n{yy}/{num[:3]}/{num[3:]}/{folder}/n{yy}{num}.{ext}"


@lru_cache(maxsize=64)
def paragraphs(path: Path) -> tuple[str, ...]:
    """The real text of a PDF as paragraphs (lines joined; page furniture dropped)."""
    with _LOCK:
        reader = pypdf.PdfReader(path)
        pages = [p.extract_text() or "" for p in reader.pages]
    paras: list[str] = []
    current: list[str] = []
    for page in pages:
        for raw in page.splitlines():
            line = raw.strip()
            # Running headers/footers repeat on every page (symbol, "3/9", job number).
            if not line or _JOB.search(line) and len(line) < 40 or re.fullmatch(r"\d+/\d+", line):
                if current:
                    paras.append(" ".join(current))
                    current = []
                continue
            # A line ending a clause followed by one starting a new one begins a new paragraph
            # (preambular paragraphs end with ",", operative ones with ";" and start "2.").
            if current and current[-1][-1:] in ",;:." and _PARA_START.match(line):
                paras.append(" ".join(current))
                current = []
            current.append(line)
    if current:
        paras.append(" ".join(current))
    return tuple(p for p in paras if len(p) > 1)


@lru_cache(maxsize=8)
def report_sections(path: Path) -> dict[str, tuple[int, int]]:
    """Per-State sections of a Secretary-General report (e.g. A/79/88) from its table of
    contents: {"Austria": (first_page_index, end_page_index)}; reading only the first pages."""
    with _LOCK:
        reader = pypdf.PdfReader(path)
        toc = "\n".join((reader.pages[i].extract_text() or "") for i in range(1, 4))
        total = len(reader.pages)
    entries = [(name.strip(), int(page)) for name, page in _TOC_LINE.findall(toc)]
    sections: dict[str, tuple[int, int]] = {}
    for i, (name, page) in enumerate(entries):
        end = entries[i + 1][1] if i + 1 < len(entries) else total
        # Short single-State names only: skip joint replies and headings like "Annex".
        if len(name) < 40 and "," not in name and page >= 20:
            sections[name] = (page - 1, max(end, page))
    return sections


@lru_cache(maxsize=32)
def extract_pages(path: Path, start: int, end: int) -> bytes:
    """A new PDF made of the real pages [start, end) of `path` (pypdf output is deterministic)."""
    with _LOCK:
        reader = pypdf.PdfReader(path)
        writer = pypdf.PdfWriter()
        for i in range(start, min(end, len(reader.pages))):
            writer.add_page(reader.pages[i])
        buf = io.BytesIO()
        writer.write(buf)
    return buf.getvalue()
