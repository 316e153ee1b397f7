"""documents and citations spiders, end to end against the local UN mirror."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mirror import Mirror
from tests.corpus import corpus_pdf
from tests.crawl_harness import Crawl, events_of, outcomes
from tracker.models import Capture, Version, Watch
from tracker.store import Store


def test_first_crawl_then_unchanged_recrawl(crawl: Crawl, store: Store) -> None:
    first = crawl("documents", "A/C.1/80/L.1", languages="en,fr")
    assert outcomes(first) == {"new_version": 2}
    assert [t for t, _ in events_of(store, first.run_id)] == [
        "new_document",
        "new_language_version",
    ]
    again = crawl("documents", "A/C.1/80/L.1", languages="en,fr")
    assert outcomes(again) == {"unchanged": 2}
    assert events_of(store, again.run_id) == []
    assert again.counts["new_versions"] == 0


def test_unpublished_language_then_published(crawl: Crawl, store: Store, un_mirror: Mirror) -> None:
    # The mirror announces L.40's translations without files: the real "200, empty body" trap.
    first = crawl("documents", "A/C.1/80/L.40", languages="en,ru")
    assert outcomes(first) == {"new_version": 1, "not_available": 1}
    un_mirror.publish("A/C.1/80/L.40", "ru")
    second = crawl("documents", "A/C.1/80/L.40", languages="en,ru")
    assert outcomes(second) == {"unchanged": 1, "new_version": 1}
    assert [t for t, _ in events_of(store, second.run_id)] == ["new_language_version"]


def test_revision_in_place_is_one_new_version(
    crawl: Crawl, store: Store, un_mirror: Mirror
) -> None:
    crawl("documents", "A/C.1/80/L.2", languages="en")
    un_mirror.revise("A/C.1/80/L.2", "en")
    result = crawl("documents", "A/C.1/80/L.2", languages="en")
    evs = events_of(store, result.run_id)
    assert [t for t, _ in evs] == ["new_version"]
    assert "version 2" in evs[0][1]
    # The real pages are kept: the new version differs by the amended paragraph alone.
    with store.db.session() as s:
        stats = s.scalars(select(Version.stats).order_by(Version.id.desc())).first()
    assert (stats["paragraphs_changed"], stats["paragraphs_added"]) == (1, 0)
    assert stats["paragraphs_removed"] == 0


def test_unknown_symbol_and_faults_raise_no_event(
    crawl: Crawl, store: Store, un_mirror: Mirror
) -> None:
    crawl("documents", "A/C.1/80/L.3", languages="en")
    un_mirror.fault("s=A%2FC.1%2F80%2FL.3&", kind="500", times=10)
    failing = crawl("documents", "A/C.1/80/L.3", "A/C.1/80/L.999", languages="en")
    assert outcomes(failing) == {"error": 1, "not_available": 1}
    assert failing.counts["retries"] == 2
    assert failing.counts["backoff_seconds"] == pytest.approx(0.2 + 0.4)  # waits double
    un_mirror.clear_faults()
    un_mirror.fault("/doc/undoc", kind="content_type", content_type="text/html", times=5)
    wrong_type = crawl("documents", "A/C.1/80/L.3", languages="en")
    assert outcomes(wrong_type) == {"unchanged": 1}
    assert [t for t, _ in events_of(store)] == ["new_document"]
    with store.db.session() as s:
        errors = s.scalars(select(Capture.error).where(Capture.outcome == "error")).all()
    assert errors == ["HTTP 500"]


def test_citations_follow_cited_resolutions(crawl: Crawl, store: Store) -> None:
    result = crawl("citations", "A/C.1/80/L.1", depth=1, series="A/RES/79/*")
    # A/C.1/80/L.1 cites resolution 79/16 (its predecessor), which the mirror serves.
    with store.db.session() as s:
        watched = {(w.key, w.cited_by, w.depth) for w in s.scalars(select(Watch))}
    assert ("A/RES/79/16", "A/C.1/80/L.1", 1) in watched
    types = [t for t, _ in events_of(store, result.run_id)]
    assert types.count("new_document") == 1 + len(watched)


def test_conditional_requests_give_not_modified(
    crawl: Crawl, store: Store, un_mirror: Mirror
) -> None:
    un_mirror.send_validators("ods")
    first = crawl("documents", "A/C.1/80/L.6", languages="en")
    assert outcomes(first) == {"new_version": 1}
    again = crawl("documents", "A/C.1/80/L.6", languages="en")
    assert outcomes(again) == {"not_modified": 1}
    assert events_of(store, again.run_id) == []
    file_requests = [
        status for site, _m, path, status in un_mirror.requests if path.startswith("/doc/")
    ]
    assert file_requests[-1] == 304
    un_mirror.revise("A/C.1/80/L.6", "en")
    revised = crawl("documents", "A/C.1/80/L.6", languages="en")
    assert outcomes(revised) == {"new_version": 1}
    assert [t for t, _ in events_of(store, revised.run_id)] == ["new_version"]


def test_removed_document_is_gone_once_then_back(
    crawl: Crawl, store: Store, un_mirror: Mirror
) -> None:
    crawl("documents", "A/C.1/80/L.7", languages="en")
    un_mirror.remove("A/C.1/80/L.7")
    types = []
    for _ in range(4):
        run = crawl("documents", "A/C.1/80/L.7", languages="en")
        assert outcomes(run) == {"not_available": 1}
        types.append([t for t, _ in events_of(store, run.run_id)])
    assert types == [[], [], ["gone"], []]
    un_mirror.publish("A/C.1/80/L.7", "en", file=str(corpus_pdf("A_C.1_80_L.7.pdf")))
    back = crawl("documents", "A/C.1/80/L.7", languages="en")
    assert outcomes(back) == {"unchanged": 1}
    assert [t for t, _ in events_of(store, back.run_id)] == ["back"]


def test_crawl_past_its_time_limit_is_ended_and_recorded(
    crawl_env, store: Store, un_mirror: Mirror
) -> None:
    from tests.crawl_harness import TEST_SCRAPY_SETTINGS
    from tracker.crawl import run_crawl
    from tracker.models import CrawlRun

    un_mirror.fault("/api/symbol/access", kind="slow", delay=30, times=5)
    settings = {**TEST_SCRAPY_SETTINGS, "DOWNLOAD_TIMEOUT": 60}
    result = run_crawl(
        store,
        crawl_env,
        "documents",
        ["A/C.1/80/L.8"],
        timeout=4,
        scrapy_settings=settings,
        spider_args={"languages": "en"},
        grace=3,
    )
    assert result.status == "timeout"
    assert result.seconds < 15
    with store.db.session() as s:
        run = s.get(CrawlRun, result.run_id)
        assert run.status == "timeout" and run.finished_at is not None
        assert "time limit" in run.log_tail
    un_mirror.clear_faults()
    after = run_crawl(
        store,
        crawl_env,
        "documents",
        ["A/C.1/80/L.8"],
        scrapy_settings=TEST_SCRAPY_SETTINGS,
        spider_args={"languages": "en"},
    )
    assert after.status == "finished" and outcomes(after) == {"new_version": 1}


def test_answer_over_the_size_limit_is_a_clear_error(crawl_env, store: Store) -> None:
    from tests.crawl_harness import TEST_SCRAPY_SETTINGS
    from tracker.crawl import run_crawl

    result = run_crawl(
        store,
        crawl_env,
        "documents",
        ["A/C.1/80/L.9"],
        scrapy_settings={**TEST_SCRAPY_SETTINGS, "DOWNLOAD_MAXSIZE": 50_000},
        spider_args={"languages": "en"},
    )
    assert result.status == "finished" and outcomes(result) == {"error": 1}
    with store.db.session() as s:
        (error,) = s.scalars(select(Capture.error)).all()
    assert "size limit" in error
    assert events_of(store) == []


def test_rerendered_pdf_raises_no_event(crawl: Crawl, store: Store, un_mirror: Mirror) -> None:
    crawl("documents", "A/C.1/80/L.11", languages="fr,zh")
    un_mirror.rerender("A/C.1/80/L.11", "fr", size=9.5)
    un_mirror.rerender("A/C.1/80/L.11", "zh", size=12.5)
    again = crawl("documents", "A/C.1/80/L.11", languages="fr,zh")
    assert outcomes(again) == {"new_version": 2}  # new bytes are kept...
    assert events_of(store, again.run_id) == []  # ...but the same text is no change
    with store.db.session() as s:
        from tracker.models import Version

        flags = s.scalars(select(Version.text_identical).where(Version.seq == 2)).all()
    assert flags == [True, True]
