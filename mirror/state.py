"""What the mirror currently publishes: documents, library records, UNODA pages, treaties, iGov.

Plain data, no HTTP and no file reading (corpus.py builds it, changes.py alters it, sites/ read
it). One re-entrant lock guards it: server threads read while tests or the control API change it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

LANG_CODES = ("ar", "zh", "en", "fr", "ru", "es")
# Corpus documents count as published before anything the mirror changes; changes then get a
# deterministic clock so feeds ("newest first") come out the same on every run.
CORPUS_EPOCH = datetime(2025, 12, 1, tzinfo=UTC)
CHANGE_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Doc:
    """One language version of one symbol. Its bytes come from a real corpus PDF (`path`), from
    real text rendered to PDF (`paragraphs`), or from given bytes (`data`)."""

    symbol: str
    lang: str
    path: Path | None = None
    paragraphs: tuple[str, ...] | None = None
    data: bytes | None = None
    job: str | None = None  # None: read from the PDF on first access
    content_type: str = "application/pdf"
    word: bool = False  # t=doc serves a Word file made from the same text
    published: datetime = CORPUS_EPOCH
    title: str | None = None
    font_size: float = 11.0  # a re-rendered PDF: same text, another layout


@dataclass
class Reply:
    """A Member State's reply posted on the ODA website (docs_library site)."""

    submitter: str
    session_folder: str
    prefix: str  # "79-239": resolution the report answers
    lang: str = "EN"
    path: Path | None = None  # real corpus PDF, or pages of one
    pages: tuple[int, int] | None = None
    paragraphs: tuple[str, ...] | None = None
    posted: datetime = CORPUS_EPOCH

    @property
    def file_name(self) -> str:
        return f"{self.prefix}-{self.submitter.replace(' ', '_')}-{self.lang}.pdf"

    @property
    def file_path(self) -> str:
        return f"/{self.session_folder}/{self.file_name}"


@dataclass
class MeetingDoc:
    title: str
    href: str  # real URL (rewritten to the mirror's hosts when served)
    subtitle: str
    doc_type: str
    date: str


@dataclass
class Participant:
    name: str
    signature: date | None = None
    deposit: date | None = None
    deposit_mark: str = ""  # UNTC suffix: "a" accession, "d" succession, "A", "AA", "P"...
    footnotes: str = ""  # UNTC footnote numbers printed after the name
    provisional: str = ""  # extra UNTC column of some treaties (kept as text)

    @property
    def deposit_type(self) -> str:
        return {"a": "ACC", "d": "SUC"}.get(self.deposit_mark, "RAT")


@dataclass
class Treaty:
    short: str
    title: str
    mtdsg_no: str | None  # UN Treaty Collection number (chapter XXVI), None if not deposited
    headers: list[str]
    participants: list[Participant]


@dataclass
class FeedItem:
    title: str
    link: str
    published: datetime
    description: str = ""


@dataclass
class MirrorState:
    docs: dict[tuple[str, str], Doc] = field(default_factory=dict)
    announced: set[tuple[str, str | None]] = field(default_factory=set)
    jobs: dict[str, tuple[str, str]] = field(default_factory=dict)  # job number -> doc key
    library_records: dict[str, Any] = field(default_factory=dict)  # recid -> lxml record
    library_order: list[str] = field(default_factory=list)
    library_html: dict[str, str] = field(default_factory=dict)  # recid -> real page
    library_challenge: bool = False
    replies: list[Reply] = field(default_factory=list)
    reply_report: dict[str, str] = field(default_factory=dict)
    meetings: dict[str, dict[str, Any]] = field(default_factory=dict)
    unoda_pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (title, md)
    feed: list[FeedItem] = field(default_factory=list)
    treaties: dict[str, Treaty] = field(default_factory=dict)
    igov: dict[str, Any] = field(default_factory=dict)
    robots: dict[str, str] = field(default_factory=dict)
    # Sites that send ETag/Last-Modified and answer 304 to a matching conditional request
    # (the real ODS shows no validators; WordPress sites such as UNODA's usually do).
    validator_sites: set[str] = field(default_factory=set)
    changes: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)

    def tick(self) -> datetime:
        """Deterministic time of the next change (one hour apart)."""
        self.changes += 1
        return CHANGE_EPOCH + timedelta(hours=self.changes)

    def find_symbol(self, symbol: str) -> str | None:
        """The mirror's spelling of `symbol` (undocs is case-insensitive), or None."""
        exact = " ".join(symbol.split())
        # Asked as the mirror spells it (nearly always): found without scanning every document.
        if (exact, None) in self.announced or any(
            (exact, lang) in self.docs or (exact, lang) in self.announced for lang in LANG_CODES
        ):
            return exact
        wanted = exact.casefold()
        for sym, _ in self.docs:
            if sym.casefold() == wanted:
                return sym
        for sym, _ in self.announced:
            if sym.casefold() == wanted:
                return sym
        return None

    def langs_of(self, symbol: str) -> list[str]:
        return [lang for (sym, lang) in self.docs if sym == symbol]

    def is_announced(self, symbol: str, lang: str) -> bool:
        return (symbol, None) in self.announced or (symbol, lang) in self.announced
