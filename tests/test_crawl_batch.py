"""Several crawls in one child process (`tracker.crawl.run_crawls`), against the local mirror."""

from __future__ import annotations

from mirror import Mirror
from tests.crawl_harness import TEST_SCRAPY_SETTINGS, events_of, outcomes
from tracker.crawl import CrawlRequest, run_crawls
from tracker.models import CrawlRun
from tracker.settings import Settings
from tracker.store import Store


def test_two_sources_in_one_child_get_their_own_runs(crawl_env: Settings, store: Store) -> None:
    first, second = run_crawls(
        store,
        crawl_env,
        [
            CrawlRequest(
                "documents", ["A/C.1/80/L.1"], source="one", spider_args={"languages": "en,fr"}
            ),
            CrawlRequest(
                "documents", ["A/C.1/80/L.7"], source="two", spider_args={"languages": "en"}
            ),
        ],
        scrapy_settings=TEST_SCRAPY_SETTINGS,
        grace=3,
    )
    assert first.run_id != second.run_id
    assert first.status == second.status == "finished", first.log_tail[-3000:]
    assert outcomes(first) == {"new_version": 2}
    assert outcomes(second) == {"new_version": 1}
    assert first.counts["reason"] == "finished" and "run_id" not in first.counts
    assert [t for t, _ in events_of(store, first.run_id)] == [
        "new_document",
        "new_language_version",
    ]
    assert [t for t, _ in events_of(store, second.run_id)] == ["new_document"]
    with store.db.session() as s:
        rows = {r.id: r for r in s.query(CrawlRun).all()}
    assert rows[first.run_id].source == "one" and rows[second.run_id].source == "two"
    assert all(r.status == "finished" and r.finished_at is not None for r in rows.values())
    assert rows[first.run_id].counts["captures"] == 2
    assert rows[second.run_id].counts["captures"] == 1


def test_one_crawl_past_its_time_limit_the_other_finishes(
    crawl_env: Settings, store: Store, un_mirror: Mirror
) -> None:
    # Only L.8 is slow: a fault on any access URL would hit whichever crawl asked first.
    un_mirror.fault("s=A%2FC.1%2F80%2FL.8&", kind="slow", delay=15, times=1)
    slow, quick = run_crawls(
        store,
        crawl_env,
        [
            CrawlRequest(
                "documents",
                ["A/C.1/80/L.8"],
                source="slow",
                timeout=4,
                spider_args={"languages": "en"},
            ),
            CrawlRequest(
                "documents",
                ["A/C.1/80/L.9"],
                source="quick",
                timeout=60,
                spider_args={"languages": "en"},
            ),
        ],
        scrapy_settings={**TEST_SCRAPY_SETTINGS, "DOWNLOAD_TIMEOUT": 60},
        grace=3,
    )
    assert slow.status == "timeout", slow.log_tail[-3000:]
    assert slow.seconds < 15
    assert quick.status == "finished", quick.log_tail[-3000:]
    assert outcomes(quick) == {"new_version": 1}
    with store.db.session() as s:
        slow_row = s.get(CrawlRun, slow.run_id)
        quick_row = s.get(CrawlRun, quick.run_id)
        assert slow_row.status == "timeout" and slow_row.finished_at is not None
        assert "time limit" in slow_row.log_tail
        assert quick_row.status == "finished"
