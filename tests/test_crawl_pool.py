"""Crawls in long-lived crawl processes (`tracker.crawl_pool`), against the local mirror."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import pytest

from mirror import Mirror
from tests.crawl_harness import TEST_SCRAPY_SETTINGS, events_of, outcomes
from tracker.crawl import CrawlRequest, CrawlResult
from tracker.crawl_pool import CrawlPool
from tracker.models import CrawlRun
from tracker.settings import Settings
from tracker.store import Store

EN = {"languages": "en"}


@pytest.fixture
def make_pool(crawl_env: Settings, store: Store) -> Iterator[Any]:
    pools: list[CrawlPool] = []

    def make(**options: Any) -> CrawlPool:
        options.setdefault("scrapy_settings", TEST_SCRAPY_SETTINGS)
        options.setdefault("grace", 3)
        pool = CrawlPool(store, crawl_env, **options)
        pool.start()
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.shutdown(1)


def run_row(store: Store, run_id: int) -> CrawlRun:
    with store.db.session() as s:
        row = s.get(CrawlRun, run_id)
        assert row is not None
        s.expunge(row)
        return row


def wait_for(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_two_sources_in_one_process_get_their_own_runs(make_pool: Any, store: Store) -> None:
    pool = make_pool(size=1)
    started: list[tuple[int, float]] = []
    first = pool.submit(
        CrawlRequest("documents", ["A/C.1/80/L.1"], "one", spider_args={"languages": "en,fr"}),
        on_start=lambda run_id, at: started.append((run_id, at)),
    )
    second = pool.submit(CrawlRequest("documents", ["A/C.1/80/L.7"], "two", spider_args=EN))
    one, two = first.result(timeout=60), second.result(timeout=60)
    assert one.run_id != two.run_id
    assert one.status == two.status == "finished", one.log_tail[-3000:]
    assert outcomes(one) == {"new_version": 2}
    assert outcomes(two) == {"new_version": 1}
    assert one.counts["reason"] == "finished" and "run_id" not in one.counts
    assert [t for t, _ in events_of(store, one.run_id)] == ["new_document", "new_language_version"]
    assert [t for t, _ in events_of(store, two.run_id)] == ["new_document"]
    assert [run_id for run_id, _ in started] == [one.run_id]
    assert abs(started[0][1] - time.time()) < 60
    row_one, row_two = run_row(store, one.run_id), run_row(store, two.run_id)
    assert (row_one.source, row_two.source) == ("one", "two")
    assert row_one.status == row_two.status == "finished"
    assert row_one.counts["captures"] == 2 and row_two.counts["captures"] == 1
    # Each run's log tail holds its own crawl's lines, not the other's.
    assert row_one.log_tail.count("Spider opened") == 1
    assert row_one.log_tail.count("Spider closed (finished)") == 1
    [worker] = pool.status()
    assert worker["crawls"] == 2 and worker["running"] == 0
    # The same process takes the next crawl: no new start-up.
    again = pool.run(CrawlRequest("documents", ["A/C.1/80/L.7"], "two", spider_args=EN))
    assert again.status == "finished" and outcomes(again) == {"unchanged": 1}
    assert pool.status()[0]["pid"] == worker["pid"]


def test_crawl_stuck_past_its_limit_is_closed_and_its_process_replaced(
    make_pool: Any, store: Store, un_mirror: Mirror
) -> None:
    # Only L.8 is slow: the spider closes at its limit but waits for the download in flight.
    un_mirror.fault("s=A%2FC.1%2F80%2FL.8&", kind="slow", delay=20, times=1)
    pool = make_pool(size=1, scrapy_settings={**TEST_SCRAPY_SETTINGS, "DOWNLOAD_TIMEOUT": 60})
    first_pid = pool.status()[0]["pid"]
    slow = pool.submit(CrawlRequest("documents", ["A/C.1/80/L.8"], "slow", 3, EN))
    quick = pool.submit(CrawlRequest("documents", ["A/C.1/80/L.9"], "quick", 60, EN))
    quick_result = quick.result(timeout=60)
    assert quick_result.status == "finished", quick_result.log_tail[-3000:]
    assert outcomes(quick_result) == {"new_version": 1}
    slow_result = slow.result(timeout=60)
    assert slow_result.status == "timeout", slow_result.log_tail[-3000:]
    assert slow_result.seconds < 12  # 3 s limit + 3 s grace, not the 20 s answer
    assert "time limit of 3 s" in slow_result.log_tail
    row = run_row(store, slow_result.run_id)
    assert row.status == "timeout" and row.finished_at is not None
    # The stuck process is ended; the next crawl runs in a new one.
    wait_for(lambda: first_pid not in {w["pid"] for w in pool.status()})
    after = pool.run(CrawlRequest("documents", ["A/C.1/80/L.1"], "after", 60, EN))
    assert after.status == "finished", after.log_tail[-3000:]
    assert pool.status()[0]["pid"] != first_pid
    with pytest.raises(ProcessLookupError):
        os.kill(first_pid, 0)


def start_slow_crawl(pool: CrawlPool, un_mirror: Mirror, source: str) -> Future[CrawlResult]:
    """A crawl of L.8, whose answer takes 20 s, once its spider has opened."""
    un_mirror.fault("s=A%2FC.1%2F80%2FL.8&", kind="slow", delay=20, times=1)
    started = threading.Event()
    future = pool.submit(
        CrawlRequest("documents", ["A/C.1/80/L.8"], source, 60, EN),
        on_start=lambda run_id, at: started.set(),
    )
    assert started.wait(30)
    return future


def test_killed_process_fails_its_crawls_and_the_next_crawl_runs(
    make_pool: Any, store: Store, un_mirror: Mirror
) -> None:
    pool = make_pool(size=1)
    doomed = start_slow_crawl(pool, un_mirror, "doomed")
    os.kill(pool.status()[0]["pid"], signal.SIGKILL)
    result = doomed.result(timeout=30)
    assert result.status == "failed"
    assert "the crawl process ended (exit code -9)" in result.log_tail
    assert run_row(store, result.run_id).status == "failed"
    after = pool.run(CrawlRequest("documents", ["A/C.1/80/L.1"], "after", 60, EN))
    assert after.status == "finished", after.log_tail[-3000:]


def test_process_that_stops_answering_is_ended(make_pool: Any, un_mirror: Mirror) -> None:
    pool = make_pool(size=1, hang_after=2)
    frozen = start_slow_crawl(pool, un_mirror, "frozen")
    pid = pool.status()[0]["pid"]
    os.kill(pid, signal.SIGSTOP)  # alive, but its reactor no longer runs: no heartbeat
    result = frozen.result(timeout=30)
    assert result.status == "failed"
    assert "stopped answering for 2 s" in result.log_tail
    after = pool.run(CrawlRequest("documents", ["A/C.1/80/L.1"], "after", 60, EN))
    assert after.status == "finished", after.log_tail[-3000:]
    assert pool.status()[0]["pid"] != pid


def test_shutdown_interrupts_running_and_waiting_crawls(
    make_pool: Any, store: Store, un_mirror: Mirror
) -> None:
    pool = make_pool(size=1, max_running=1)
    running = start_slow_crawl(pool, un_mirror, "running")
    waiting = pool.submit(CrawlRequest("documents", ["A/C.1/80/L.1"], "waiting", 60, EN))
    begun = time.monotonic()
    pool.shutdown(1)
    assert time.monotonic() - begun < 10
    for future in (running, waiting):
        result = future.result(timeout=1)
        assert result.status == "interrupted"
        assert "interrupted by shutdown" in result.log_tail
        assert run_row(store, result.run_id).status == "interrupted"
    with pytest.raises(RuntimeError):
        pool.submit(CrawlRequest("documents", ["A/C.1/80/L.1"], "late", 60, EN))


def test_at_most_max_running_at_once_the_rest_wait_in_order(make_pool: Any) -> None:
    pool = make_pool(size=2, max_running=1)
    starts: list[tuple[str, float]] = []
    futures = [
        pool.submit(
            CrawlRequest("documents", [symbol], symbol, 60, EN),
            on_start=lambda run_id, at, symbol=symbol: starts.append((symbol, at)),
        )
        for symbol in ("A/C.1/80/L.1", "A/C.1/80/L.7", "A/C.1/80/L.9")
    ]
    results = [f.result(timeout=90) for f in futures]
    assert [r.status for r in results] == ["finished"] * 3
    assert [symbol for symbol, _ in starts] == ["A/C.1/80/L.1", "A/C.1/80/L.7", "A/C.1/80/L.9"]
    assert sum(w["crawls"] for w in pool.status()) == 3


def test_process_replaced_after_max_crawls(make_pool: Any) -> None:
    pool = make_pool(size=1, max_crawls=2)
    pids = []
    for symbol in ("A/C.1/80/L.1", "A/C.1/80/L.7", "A/C.1/80/L.9"):
        result = pool.run(CrawlRequest("documents", [symbol], symbol, 60, EN))
        assert result.status == "finished", result.log_tail[-3000:]
        pids.append({w["pid"] for w in pool.status() if not w["retiring"]})
    assert pids[0] != pids[2]
    wait_for(lambda: len(pool.status()) == 1)


def test_unknown_spider_and_bad_targets_harm_no_other_crawl(make_pool: Any) -> None:
    pool = make_pool(size=1)
    unknown = pool.run(CrawlRequest("nope", [], "nope", 30))
    assert unknown.status == "failed" and "unknown spider 'nope'" in unknown.log_tail
    bad = pool.run(CrawlRequest("igov", ["not a session"], "bad", 30))
    assert bad.counts["errors"] == 1 and "not SESSION/Committee" in bad.log_tail
    good = pool.run(CrawlRequest("documents", ["A/C.1/80/L.1"], "good", 60, EN))
    assert good.status == "finished", good.log_tail[-3000:]
