"""library spider: MARCXML parsing of the real corpus answer, and crawls against the mirror."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.spiders.library import (
    fix_mojibake,
    matches,
    parse_marcxml,
    parse_records,
    search_total,
    search_url,
)
from mirror import Mirror
from tests.corpus import CORPUS
from tests.crawl_harness import Crawl, events_of, latest_rows, outcomes
from tracker.models import Capture, Document, Version
from tracker.records import get_kind
from tracker.store import Store

MARCXML = Path(CORPUS) / "digital-library" / "search-191a-A_C.3_78_L-marcxml.xml"
LANGS = {"ar": "العربية", "zh": "中文", "en": "English", "fr": "Français", "ru": "Русский",
         "es": "Español"}  # fmt: skip


# -- the parser, on the real answer ------------------------------------------------------------


def test_parse_marcxml_real_search_answer() -> None:
    body = MARCXML.read_bytes()
    rows = parse_marcxml(body)
    assert search_total(body) == 94
    assert len(rows) == 94
    assert len({r["symbol"] for r in rows}) == 94
    row = next(r for r in rows if r["symbol"] == "A/C.3/78/L.49/Rev.1")
    assert row["recid"] == "4026910"
    assert row["title"] == (
        "Promotion and protection of human rights in the context of digital technologies"
    )
    assert row["subtitle"] == "revised draft resolution"
    assert row["date"] == "2023-11-08"
    assert row["languages"] == ["eng"]
    assert row["agenda"][0]["symbol"] == "A/78/251" and row["agenda"][0]["item"] == "71b"
    assert {"symbol": "A/RES/78/213", "type": "resolution"} in row["related"]
    assert {"symbol": "A/78/481/Add.2", "type": "document"} in row["related"]
    # The corpus copy's 856 $y labels are mojibake; every file's label is repaired.
    assert {f["lang"]: f["label"] for f in row["files"]} == LANGS
    assert all(f["label"] == LANGS[f["lang"]] for r in rows for f in r["files"])
    assert row["files"][0]["path"] == "/record/4026910/files/A_C.3_78_L.49_Rev.1-AR.pdf"


def test_parse_records_keeps_005_outside_the_row() -> None:
    (row, stamp), *_ = parse_records(MARCXML.read_bytes())
    assert stamp == "20250516162631.0"
    assert "20250516162631" not in repr(row)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body>Service unavailable</body></html>",
        b'<?xml version="1.0"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim"><record>',
        b'{"error": "json"}',
    ],
)
def test_parse_marcxml_refuses_what_is_not_marcxml(body: bytes) -> None:
    with pytest.raises(ValueError):
        parse_marcxml(body)


def test_mojibake_and_target_matching() -> None:
    assert fix_mojibake("FranÃ§ais") == "Français"
    assert fix_mojibake("Français") == "Français"  # already right: left alone
    assert fix_mojibake("中文") == "中文"
    assert matches("A/C.1/80/L.*", "A/C.1/80/L.12")
    assert not matches("A/C.1/80/L.1", "A/C.1/80/L.12")
    assert matches("a/c.1/80/l.1", "A/C.1/80/L.1")
    assert "191__a%3A%22A%2FC.1%2F80%2FL.%2A%22" in search_url("http://x", "A/C.1/80/L.*", 10, 1)


def test_library_events_one_per_kind_of_change() -> None:
    kind = get_kind("library_record")
    old = parse_marcxml(MARCXML.read_bytes())[:1]
    new = [dict(old[0], title="Renamed", related=[])]
    (changed,) = kind.events("x", old, new)
    assert changed.type == "new_version" and "title" in changed.summary
    assert "related resolution A/RES/78/213 removed" in changed.summary
    back = kind.events("x", new, [dict(new[0], related=old[0]["related"])])
    assert [e.type for e in back] == ["proposal_stage", "new_version"]
    assert back[0].data["resolution"] == "A/RES/78/213"
    assert kind.events("x", old, [dict(old[0], files=old[0]["files"][::-1])]) == []


# -- crawls against the mirror -----------------------------------------------------------------


def test_first_crawl_challenge_005_and_adoption(
    crawl: Crawl, store: Store, un_mirror: Mirror
) -> None:
    targets = ("A/C.1/80/L.1", "A/C.1/80/L.2", "A/C.3/78/L.4*")
    # 13 real records on 3 pages, plus two records the mirror builds for its drafts.
    first = crawl("library", *targets, page_size=5)
    assert outcomes(first) == {"new_version": 15}
    assert first.counts["requests"] == 1 + 2 + 3  # robots.txt, two symbols, three pages
    evs = events_of(store, first.run_id)
    assert len(evs) == 15 and {t for t, _ in evs} == {"new_document"}
    assert (
        latest_rows(store, "A/C.3/78/L.49/Rev.1", kind="library")[0]["related"][1]["symbol"]
        == "A/RES/78/213"
    )

    un_mirror.library_challenge(True)
    walled = crawl("library", *targets, page_size=5)
    assert outcomes(walled) == {"blocked": 3}
    assert events_of(store, walled.run_id) == []
    assert walled.counts["new_versions"] == 0

    # Wall down; a 005-only bump (cataloguing work) is the same content: nothing to say.
    un_mirror.library_challenge(False)
    un_mirror.library_update("A/C.1/80/L.1")
    again = crawl("library", *targets, page_size=5)
    assert outcomes(again) == {"unchanged": 15}
    assert events_of(store, again.run_id) == []
    assert again.counts["new_versions"] == 0

    # The library links the draft to the resolution adopted from it (993).
    un_mirror.library_update("A/C.1/80/L.1", related="A/RES/80/99")
    adopted = crawl("library", "A/C.1/80/L.1", "A/C.1/80/L.2")
    assert outcomes(adopted) == {"new_version": 1, "unchanged": 1}
    assert events_of(store, adopted.run_id) == [
        ("proposal_stage", "A/C.1/80/L.1: adopted as resolution A/RES/80/99 (Digital Library)")
    ]
    with store.db.session() as s:
        blocked = s.scalars(select(Capture.error).where(Capture.outcome == "blocked")).all()
        meta = s.scalars(select(Document.meta).where(Document.key == "A/C.1/80/L.1")).one()
    assert len(blocked) == 3 and all("bot challenge" in e for e in blocked)
    assert meta["modified"].endswith(".0") and meta["recid"]


def test_unknown_symbol_then_published(crawl: Crawl, store: Store, un_mirror: Mirror) -> None:
    missing = crawl("library", "A/C.1/80/L.41")
    assert outcomes(missing) == {"not_available": 1}
    assert events_of(store, missing.run_id) == []
    un_mirror.publish("A/C.1/80/L.41", "en")
    found = crawl("library", "A/C.1/80/L.41")
    assert outcomes(found) == {"new_version": 1}
    assert [t for t, _ in events_of(store, found.run_id)] == ["document_published"]


def test_faults_and_robots_raise_no_event(crawl: Crawl, store: Store, un_mirror: Mirror) -> None:
    targets = ("A/C.1/80/L.1", "A/C.1/80/L.2", "A/C.1/80/L.3", "A/C.1/80/L.4")
    crawl("library", *targets)
    # The search URL ends with the quoted symbol: `L.1%22` is L.1's search, not L.10's.
    un_mirror.fault("L.1%22", kind="500", times=10)  # every retry fails
    un_mirror.fault("L.2%22", kind="truncate", times=1)  # the retry succeeds
    un_mirror.fault("L.3%22", kind="content_type", content_type="text/html", times=5)
    un_mirror.fault("L.4%22", kind="empty", times=10)  # 200 with nothing
    faulty = crawl("library", *targets)
    assert outcomes(faulty) == {"error": 2, "unchanged": 2}
    assert faulty.counts["retries"] >= 3
    assert events_of(store, faulty.run_id) == []
    un_mirror.clear_faults()
    un_mirror.robots("library", "User-agent: *\nDisallow: /search\n")
    disallowed = crawl("library", *targets)
    assert outcomes(disallowed) == {"blocked": 4}
    assert events_of(store, disallowed.run_id) == []
    assert [t for t, _ in events_of(store)] == ["new_document"] * 4
    with store.db.session() as s:
        errors = sorted(s.scalars(select(Capture.error).where(Capture.outcome == "error")))
        versions = s.scalar(select(Version.id).order_by(Version.id.desc()).limit(1))
    assert errors[0] == "HTTP 500" and errors[1].startswith("not a MARCXML answer: not XML")
    assert versions == 4
