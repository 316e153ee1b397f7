"""unoda spider: parsers on the mirror's pages (built from the real corpus pages), and crawls end
to end against the local UN mirror on both database backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crawler.spiders.treaties import ParseError
from crawler.spiders.unoda import (
    file_language,
    meeting_title,
    page_key,
    parse_meeting_articles,
    parse_reply_file,
    parse_reply_links,
    report_symbol,
    submitting_states,
    target_url,
)
from mirror import Mirror
from mirror.sites.unoda import REPLIES_PAGE
from tests.crawl_harness import Crawl, events_of, fetch, latest_rows, outcomes
from tracker.models import Capture, Document, Resource
from tracker.records import get_kind
from tracker.settings import Settings
from tracker.store import Store

KIND = get_kind("submissions")
MEETING = "meeting:74853"
REPLIES = f"replies:{REPLIES_PAGE}"
TPNW_PAGE = (
    "/en/our-work/weapons-mass-destruction/nuclear-weapons/treaty-prohibition-nuclear-weapons"
)
FOLDER = (
    "https://docs-library.unoda.org/Convention%5Fon%5FCertain%5FConventional%5FWeapons%5F-Group"
    "%5Fof%5FGovernmental%5FExperts%5Fon%5FLethal%5FAutonomous%5FWeapons%5FSystems%5F%282025%29"
)


def last_error(store: Store, key: str) -> tuple[str, str | None]:
    with store.db.session() as s:
        row = s.execute(
            select(Capture.outcome, Capture.error)
            .join(Resource)
            .join(Document)
            .where(Document.key == key)
            .order_by(Capture.id.desc())
        ).first()
    assert row is not None
    return tuple(row)


# -- parsers ---------------------------------------------------------------------------------


def test_meeting_articles_from_the_real_page(un_mirror: Mirror) -> None:
    url = un_mirror.url("meetings", "/meeting/74853/documents")
    page = fetch(url)
    rows = parse_meeting_articles(page, url)
    assert len(rows) == 16 and meeting_title(page).startswith("CCW GGE on LAWS")
    by_symbol = {r["symbol"]: r for r in rows if r["symbol"]}
    brazil = by_symbol["CCW/GGE.1/2025/WP.2"]
    assert brazil["state"] == "Brazil" and brazil["type"] == "Working Paper"
    assert brazil["date"] == "2025-03-03" and brazil["url"].endswith("CCW-GGE.1-2025-WP.2.pdf")
    assert by_symbol["CCW/GGE.1/2025/WP.6"]["state"] == "United States"
    assert by_symbol["CCW/GGE.1/2025/WP.4"]["state"].endswith("Netherlands, Norway, Spain, Sweden")
    assert by_symbol["CCW/GGE.1/2025/CRP.1"]["state"] is None  # submitted by the Chair
    assert by_symbol["CCW/GGE.1/2025/1"]["language"] == "EN"  # ..._English.pdf
    rolling = next(r for r in rows if r["title"].startswith("Revised rolling text"))
    assert rolling["symbol"] is None and rolling["date"] == "2025-09-01"
    # The same articles in another order are the same row set.
    head, sep, rest = page.decode().partition("<article>")
    body, end, tail = rest.rpartition("</article>")
    articles = (sep + body + end).split("</article>")[:-1]
    reordered = head + "".join(a + "</article>" for a in reversed(articles)) + tail
    assert KIND.to_bytes(parse_meeting_articles(reordered, url)) == KIND.to_bytes(rows)
    with pytest.raises(ParseError):
        parse_meeting_articles("<html><body><h1>Documents</h1></body></html>", url)


def test_reply_files_and_names() -> None:
    found = parse_reply_file(
        "https://docs-library.unoda.org/General_Assembly_First_Committee_-Eightieth_session_"
        "%282025%29/79-239-Costa_Rica-FR.pdf"
    )
    assert found == {
        "session": "79",
        "resolution": "239",
        "state": "Costa Rica",
        "lang": "FR",
        "name": "79-239-Costa_Rica-FR.pdf",
    }
    assert parse_reply_file("https://docs-library.unoda.org/X/79-239-UNIDIR-EN.pdf")["state"] == (
        "UNIDIR"
    )
    assert parse_reply_file("https://docs-library.unoda.org/X/CCW-GGE.1-2025-WP.2.pdf") is None
    assert submitting_states("Working paper submitted by the Republic of Korea.") == (
        "Republic of Korea"
    )
    assert submitting_states("Chair's summary") is None
    assert file_language("https://undocs.org/fr/CCW/GGE.1/2025/WP.3") == "FR"
    assert file_language(FOLDER + "/CCW-GGE.1-2025-2%5FSpanish.pdf") == "ES"


def test_replies_page_and_target_urls(un_mirror: Mirror) -> None:
    url = un_mirror.url("unoda", REPLIES_PAGE)
    page = fetch(url)
    rows = parse_reply_links(page, url)
    assert [r["state"] for r in rows] == ["Austria", "China", "France", "Mexico"]
    assert all(r["language"] == "EN" and "%282025%29" in r["url"] for r in rows)
    assert report_symbol(page) == "A/80/78"
    dw = Settings(unoda_url="http://127.0.0.1:9")
    real = "https://disarmament.unoda.org" + REPLIES_PAGE
    assert target_url(real, dw.unoda_url, dw) == "http://127.0.0.1:9" + REPLIES_PAGE
    assert target_url(REPLIES_PAGE, dw.unoda_url, dw) == "http://127.0.0.1:9" + REPLIES_PAGE
    assert page_key(real) == page_key(target_url(real, dw.unoda_url, dw)) == REPLIES_PAGE


# -- crawls ----------------------------------------------------------------------------------


def test_first_crawl_recrawl_then_new_reply_and_document(
    crawl: Crawl, store: Store, un_mirror: Mirror
) -> None:
    targets = (MEETING, REPLIES, f"page:{TPNW_PAGE}")
    first = crawl("unoda", *targets)
    # The meeting's rows, the replies' rows, four reply files and the page.
    assert outcomes(first) == {"new_version": 7}
    evs = events_of(store, first.run_id)
    assert {t for t, _ in evs} == {"new_document"} and len(evs) == 7
    assert len(latest_rows(store, MEETING)) == 16
    assert {r["state"] for r in latest_rows(store, REPLIES)} == {
        "Austria",
        "China",
        "France",
        "Mexico",
    }

    again = crawl("unoda", *targets)
    assert outcomes(again) == {"unchanged": 7}
    assert events_of(store, again.run_id) == [] and again.counts["new_versions"] == 0

    un_mirror.post_reply("Japan")
    un_mirror.post_reply("Austria", lang="FR")  # a second language of a known reply
    # Mirror has no meeting_document() shortcut (yet): the change is applied by name.
    un_mirror.apply(
        "meeting_document",
        title="CCW/GGE.1/2025/WP.10",
        href=FOLDER + "/CCW-GGE.1-2025-WP.10.pdf",
        subtitle="Working paper submitted by Japan",
    )
    changed = crawl("unoda", *targets)
    label = meeting_title(fetch(un_mirror.url("meetings", "/meeting/74853/documents")))
    assert sorted(events_of(store, changed.run_id)) == [
        ("new_document", "79-239-Japan (en): new document - Reply of Japan (resolution 79/239)"),
        (
            "new_language_version",
            "79-239-Austria: new language version (fr) - Reply of Austria (resolution 79/239)",
        ),
        ("new_submission", "Austria: new submission to A/80/78: Reply of Austria"),
        ("new_submission", "Japan: new submission to A/80/78: Reply of Japan"),
        ("new_submission", f"Japan: new submission to {label}: Working paper submitted by Japan"),
    ]


def test_faults_blocked_slow_and_empty(crawl: Crawl, store: Store, un_mirror: Mirror) -> None:
    un_mirror.robots("unoda", "User-agent: *\nDisallow: /en/our-work/weapons-mass-destruction/\n")
    un_mirror.fault("/meeting/74853/documents", kind="slow", delay=3, site="meetings")
    un_mirror.fault(REPLIES_PAGE, kind="empty", site="unoda")
    result = crawl("unoda", MEETING, REPLIES, f"page:{TPNW_PAGE}", "meeting:99999", fetch_timeout=1)
    # Blocked by robots.txt; too slow; a replies page without replies; an unknown meeting.
    assert outcomes(result) == {"blocked": 1, "error": 2, "not_available": 1}
    assert events_of(store, result.run_id) == []
    assert "robots.txt" in last_error(store, f"page:{TPNW_PAGE}")[1]
    assert "TimeoutError" in last_error(store, MEETING)[1]
    assert "no reply file" in last_error(store, REPLIES)[1]
