"""feeds spider: feed parsing, and feed crawls that add watches the documents spider follows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crawler.spiders.feeds import parse_feed, wanted
from mirror import Mirror
from tests.crawl_harness import TEST_SCRAPY_SETTINGS, Crawl, events_of, outcomes
from tracker.crawl import run_crawl
from tracker.models import Capture, Watch
from tracker.settings import Settings
from tracker.store import Store

RSS = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>GA</title>
<item><title>A/C.1/80/L.41</title><pubDate>Thu, 09 Oct 2025 14:00:00 GMT</pubDate></item>
<item><title> a/c.1/80/l.41 </title></item>
<item><title>Not a symbol at all</title></item>
<item><title>A/80/150</title></item></channel></rss>"""
ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>SC</title>
<entry><title>S/2025/600</title><updated>2025-10-09T10:00:00Z</updated></entry></feed>"""
PATTERNS = "A/C.1/80/L.4*"  # the corpus has L.4 and L.40; the tests publish L.41...


def watched(store: Store, source: str) -> set[str]:
    return {w.key for w in store.watches(source)}


# -- the parser --------------------------------------------------------------------------------


def test_parse_feed_rss_and_atom() -> None:
    assert parse_feed(RSS) == [
        {"symbol": "A/C.1/80/L.41", "published": "2025-10-09T14:00:00+00:00"},
        {"symbol": "A/80/150", "published": None},
    ]
    assert parse_feed(ATOM) == [{"symbol": "S/2025/600", "published": "2025-10-09T10:00:00Z"}]
    assert parse_feed(b"<rss><channel></channel></rss>") == []  # empty, but a feed


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body>Maintenance</body></html>",
        b"<rss><channel><item><title>A/C.1/80/L.41</title>",  # truncated
        b"<rss><channel><item><title>News</title></item></channel></rss>",  # no symbol at all
        b'{"items": []}',
    ],
)
def test_parse_feed_refuses_what_is_not_a_feed(body: bytes) -> None:
    with pytest.raises(ValueError):
        parse_feed(body)


def test_patterns_match_symbols_case_insensitively() -> None:
    assert wanted("A/C.1/80/L.41", ["A/80/*", "a/c.1/80/*"])
    assert not wanted("A/C.2/80/L.7", ["A/C.1/*"])


# -- crawls against the mirror -----------------------------------------------------------------


def crawl_source(store: Store, settings: Settings, spider: str, source: str, **args: str):
    """Like the harness's `crawl`, for a source named otherwise than the spider."""
    result = run_crawl(
        store,
        settings,
        spider,
        [],
        source=source,
        timeout=120,
        scrapy_settings=TEST_SCRAPY_SETTINGS,
        spider_args=args,
    )
    assert result.status == "finished", result.log_tail[-4000:]
    return result


def test_feed_adds_watches_that_documents_then_fetches(
    crawl: Crawl, crawl_env: Settings, store: Store, un_mirror: Mirror
) -> None:
    un_mirror.publish("A/C.1/80/L.41", "en")
    un_mirror.publish("A/C.2/80/L.7", "en")  # in the feed, not a wanted series
    first = crawl("feeds", patterns=PATTERNS, into="first-committee")
    # The mirror's Security Council feed lists nothing: an empty feed is not_available.
    assert outcomes(first) == {"new_version": 1, "not_available": 1}
    assert events_of(store, first.run_id) == [
        ("new_document", "undocs:gadocs: new document - undocs.org feed gadocs")
    ]
    assert watched(store, "first-committee") == {"A/C.1/80/L.4", "A/C.1/80/L.40", "A/C.1/80/L.41"}
    assert first.counts["watches_added"] == 3

    # The documents spider, given no targets, fetches what its source now watches.
    docs = crawl_source(store, crawl_env, "documents", "first-committee", languages="en")
    assert outcomes(docs) == {"new_version": 3}
    assert [t for t, _ in events_of(store, docs.run_id)] == ["new_document"] * 3

    # A 500 that a retry gets past: the same feed, nothing new.
    un_mirror.fault("/rss/gadocs.xml", kind="500", times=1)
    again = crawl("feeds", "gadocs", patterns=PATTERNS, into="first-committee")
    assert outcomes(again) == {"unchanged": 1} and again.counts["watches_added"] == 0
    assert events_of(store, again.run_id) == []

    un_mirror.publish("A/C.1/80/L.42", "en")
    un_mirror.publish("A/C.1/80/L.50", "en")  # First Committee, not matching the pattern
    newer = crawl("feeds", "gadocs", patterns=PATTERNS, into="first-committee")
    assert outcomes(newer) == {"new_version": 1}
    assert events_of(store, newer.run_id) == []  # the feed's own rows raise nothing
    assert watched(store, "first-committee") == {
        "A/C.1/80/L.4",
        "A/C.1/80/L.40",
        "A/C.1/80/L.41",
        "A/C.1/80/L.42",
    }
    with store.db.session() as s:
        origins = set(s.scalars(select(Watch.origin)))
    assert origins == {"feed"}


def test_feed_failures_add_no_watch(crawl: Crawl, store: Store, un_mirror: Mirror) -> None:
    un_mirror.publish("A/C.1/80/L.41", "en")
    un_mirror.fault("/rss/gadocs.xml", kind="500", times=10)
    un_mirror.robots("undocs", "User-agent: *\nDisallow: /rss/scdocs.xml\n")
    failed = crawl("feeds", patterns=PATTERNS)
    assert outcomes(failed) == {"error": 1, "blocked": 1}
    assert failed.counts["watches_added"] == 0
    assert events_of(store, failed.run_id) == []
    assert watched(store, "documents") == set()
    un_mirror.clear_faults()
    un_mirror.fault("/rss/gadocs.xml", kind="empty", times=10)  # 200, not a feed
    empty = crawl("feeds", "gadocs", patterns=PATTERNS)
    assert outcomes(empty) == {"error": 1}
    assert events_of(store, empty.run_id) == [] and watched(store, "documents") == set()
    with store.db.session() as s:
        errors = s.scalars(select(Capture.error).order_by(Capture.id)).all()
    assert sorted(errors[:2]) == ["HTTP 500", "disallowed by robots.txt: " + un_mirror.url(
        "undocs", "/rss/scdocs.xml")]  # fmt: skip
    assert errors[2].startswith("not a feed: not XML")
