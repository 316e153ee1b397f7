"""Build the mirror's initial state from the real files in the shared corpus."""

from __future__ import annotations

import copy
import json
import os
import re
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from lxml import etree

from mirror.state import CORPUS_EPOCH, Doc, FeedItem, MeetingDoc, MirrorState, Reply
from mirror.treaty_data import load_treaties

MARC_NS = "http://www.loc.gov/MARC21/slim"
REPLY_FOLDER = "General_Assembly_First_Committee_-Eightieth_session_(2025)"
# Documents the corpus holds in one language only stay that way (real old/odd documents); the
# others get the five other official languages rendered from the Charter text.
SINGLE_LANGUAGE = {"A/45/155", "A/C.4/SR.985", "A/RES/77/247", "A/RES/2758(XXVI)"}
# The newest draft has its translations announced but not yet published (the empty-200 trap).
TRANSLATIONS_PENDING = {"A/C.1/80/L.40"}
# Initial replies under resolution 79/239 (report A/80/78). The corpus has no reply to that
# report, so each State's reply file is that State's real reply pages in A/79/88 (the
# Secretary-General's report on LAWS, the same kind of report).
INITIAL_REPLIERS = ("Austria", "China", "France", "Mexico")
_FILE = re.compile(r"^(?P<base>.+?)(?:-(?P<lang>EN|FR|ES|RU|ZH|AR))?(?:-scan)?\.pdf$")


def default_corpus_dir() -> Path:
    env = os.environ.get("DISARMWATCH_CORPUS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "corpus"


def pdf_symbol(name: str) -> tuple[str, str]:
    """Corpus file name -> (symbol, lang): 'A_RES_2758(XXVI)-RU-scan.pdf' -> ('A/RES/2758(XXVI)',
    'ru')."""
    m = _FILE.match(name)
    if not m:
        raise ValueError(f"not a corpus PDF name: {name}")
    return m["base"].replace("_", "/"), (m["lang"] or "EN").lower()


def load_docs(state: MirrorState, corpus: Path, extra_symbols: int) -> None:
    pdfs = sorted((corpus / "pdf").glob("*.pdf"))
    for i, path in enumerate(pdfs):
        symbol, lang = pdf_symbol(path.name)
        published = CORPUS_EPOCH + timedelta(minutes=i)
        state.docs[(symbol, lang)] = Doc(symbol, lang, path=path, published=published)
        if symbol in SINGLE_LANGUAGE:
            continue
        for other in ("fr", "es", "ru", "zh", "ar"):
            if symbol in TRANSLATIONS_PENDING:
                state.announced.add((symbol, other))
            else:
                state.docs[(symbol, other)] = Doc(symbol, other, published=published)
    # Real ODS offers Word files for recent documents; one is configured so t=doc is testable.
    if ("A/RES/79/16", "en") in state.docs:
        state.docs[("A/RES/79/16", "en")].word = True
    drafts = [p for p in pdfs if p.name.startswith("A_C.1_80_L.")]
    for n in range(1, extra_symbols + 1):
        symbol = f"A/C.1/99/L.{n}"
        state.docs[(symbol, "en")] = Doc(
            symbol, "en", path=drafts[(n - 1) % len(drafts)], published=CORPUS_EPOCH, job=""
        )


@lru_cache(maxsize=4)
def _marc_bytes(path: Path) -> bytes:
    return path.read_bytes()


def load_library(state: MirrorState, corpus: Path) -> None:
    folder = corpus / "digital-library"
    for path in sorted(folder.glob("search-*.xml")):
        root = etree.fromstring(_marc_bytes(path))
        for record in root.iter(f"{{{MARC_NS}}}record"):
            recid = record.findtext(f"{{{MARC_NS}}}controlfield[@tag='001']")
            if recid and recid not in state.library_records:
                state.library_records[recid] = copy.deepcopy(record)
                state.library_order.append(recid)
    for path in folder.glob("record-*.html"):
        recid = path.name.split("-")[1]
        state.library_html[recid] = path.read_text(encoding="utf-8")


def _meeting_rows(md: str) -> list[MeetingDoc]:
    """Real document rows of a Meetings Place page: '**[SYMBOL](url)** \\- title'."""
    section = md.split("## Documents", 1)[-1].split("##  Multimedia", 1)[0]
    rows = []
    link = re.compile(r"\[\**([^\]*]+?)\s*\**\]\((https?://[^)\s]+)\)\**\s*(?:\\-\s*(.*))?$")
    for line in section.splitlines():
        m = link.search(line.strip())
        if not m:
            continue
        title, href, subtitle = m[1].strip(), m[2], (m[3] or "").strip()
        kind = "Working Paper" if "/WP." in title else "Official Document"
        if "/INF." in title:
            kind = "Information Document"
        elif "/CRP." in title:
            kind = "Conference Room Paper"
        elif "/" not in title:
            kind = "Chair's Document"
        # Dates are not in the saved page: first-session documents get the session's first
        # day, the rest (WP.9 onward, rolling texts) the second session's.
        second = any(k in title for k in ("WP.9", "rolling", "Additional", "12 May"))
        rows.append(
            MeetingDoc(title, href, subtitle, kind, "1 Sep 2025" if second else "3 Mar 2025")
        )
    return rows


def load_unoda(state: MirrorState, corpus: Path) -> None:
    folder = corpus / "unoda"
    for path in sorted(folder.glob("meetings-*.md")):
        meeting_id = path.name.split("-")[1]
        md = path.read_text(encoding="utf-8")
        title = next((ln.lstrip("# ").strip() for ln in md.splitlines() if ln.startswith("# ")), "")
        state.meetings[meeting_id] = {"title": title, "md": md, "docs": _meeting_rows(md)}
    pages = {
        "tpnw-treaty-page.md": [
            "/en/our-work/weapons-mass-destruction/nuclear-weapons/"
            "treaty-prohibition-nuclear-weapons"
        ],
        "un-disarmament-hub.md": ["/", "/en", "/disarmament/"],
    }
    for name, paths in pages.items():
        if (folder / name).is_file():
            md = (folder / name).read_text(encoding="utf-8")
            title = next((ln[2:].strip() for ln in md.splitlines() if ln.startswith("# ")), name)
            for p in paths:
                state.unoda_pages[p] = (title, md)
    state.reply_report = {
        "symbol": "A/80/78",
        "resolution": "79/239",
        "title": "Artificial intelligence in the military domain and its implications for "
        "international peace and security",
    }
    report = corpus / "pdf" / "A_79_88.pdf"
    for i, submitter in enumerate(INITIAL_REPLIERS):
        state.replies.append(
            Reply(
                submitter,
                REPLY_FOLDER,
                "79-239",
                path=report,
                posted=CORPUS_EPOCH + timedelta(days=i),
            )
        )
    for reply in state.replies:
        state.feed.append(
            FeedItem(
                f"Reply of {reply.submitter} to the report of the Secretary-General A/80/78",
                reply.file_path,
                reply.posted,
            )
        )


def load_igov(state: MirrorState, corpus: Path) -> None:
    path = corpus / "igov" / "c1-80-proposals.json"
    if path.is_file():
        state.igov = {"EIGHTIETH|First Committee": json.loads(path.read_text(encoding="utf-8"))}


def build_state(corpus: Path, extra_symbols: int = 0) -> MirrorState:
    state = MirrorState()
    load_docs(state, corpus, extra_symbols)
    load_library(state, corpus)
    load_unoda(state, corpus)
    load_igov(state, corpus)
    state.treaties = load_treaties(corpus)
    return state
