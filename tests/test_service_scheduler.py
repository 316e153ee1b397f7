"""The scheduler: jobs synced from config across restarts, no overlap, time limits, ops routes."""

from __future__ import annotations

import json
import re
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from mirror import Mirror
from mirror.sites.unoda import REPLIES_PAGE
from tests.service_harness import config_text, start_service, wait_for, write_config
from tracker.cli import app, state
from tracker.config import Config, Source
from tracker.db import Database
from tracker.models import Capture, CrawlRun
from tracker.service.runner import build_app
from tracker.service.scheduler import JobScheduler
from tracker.settings import Settings

REPLIES = f"replies:{REPLIES_PAGE}"


def _runs(db: Database, source: str | None = None) -> list[CrawlRun]:
    with db.session() as session:
        query = select(CrawlRun).order_by(CrawlRun.id)
        if source:
            query = query.where(CrawlRun.source == source)
        return list(session.scalars(query))


def _paused(db: Database, settings: Settings, sources: list[Source]) -> JobScheduler:
    jobs = JobScheduler(db, settings, Config(sources=sources))
    jobs.scheduler.start(paused=True)  # paused: nothing runs, the job store is real
    return jobs


def test_jobs_synced_from_config_on_restart(db: Database, settings: Settings) -> None:
    first = [
        Source("a", "igov", every="1h"),
        Source("b", "treaties", ["tpnw"], every="2h"),
        Source("c", "feeds", cron="0 6 * * *"),
    ]
    jobs = _paused(db, settings, first)
    report = jobs.sync()
    assert sorted(report.added) == ["source:a", "source:b", "source:c"]
    next_a = jobs.next_runs()["source:a"]
    jobs.scheduler.shutdown(wait=False)

    # A restart with the same config keeps every job and its schedule.
    jobs = _paused(db, settings, first)
    report = jobs.sync()
    assert sorted(report.kept) == ["source:a", "source:b", "source:c"]
    assert report.added == report.changed == report.removed == []
    jobs.scheduler.shutdown(wait=False)

    # Changed (b's schedule), removed (c), disabled (a), added (d).
    second = [
        Source("a", "igov", every="1h", enabled=False),
        Source("b", "treaties", ["tpnw"], every="30m", jitter=5),
        Source("d", "unoda", [REPLIES], every="10m"),
    ]
    jobs = _paused(db, settings, second)
    report = jobs.sync()
    assert report.added == ["source:d"] and report.changed == ["source:b"]
    assert sorted(report.removed) == ["source:a", "source:c"]
    job_b = jobs.scheduler.get_job("source:b")
    assert job_b.trigger.interval.total_seconds() == 1800 and job_b.trigger.jitter == 5
    assert job_b.max_instances == 1 and job_b.coalesce is True
    assert job_b.misfire_grace_time == 1800
    assert job_b.func_ref == "tracker.service.scheduler:run_source"
    assert sorted(jobs.next_runs()) == ["source:b", "source:d"]
    jobs.scheduler.shutdown(wait=False)
    assert next_a is not None


@pytest.fixture(params=["0", "2"], ids=["one-process-per-crawl", "crawl-pool"])
def crawl_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The service runs each crawl in a process of its own, or in its crawl pool."""
    monkeypatch.setenv("DISARMWATCH_CRAWL_WORKERS", request.param)
    return request.param


def test_slow_crawl_times_out_next_run_proceeds_no_overlap(
    service_env: dict[str, str],
    un_mirror: Mirror,
    db: Database,
    crawl_mode: str,
) -> None:
    # The first request of the replies page hangs for 30 s: past the source's 4 s limit.
    un_mirror.fault(REPLIES_PAGE, kind="slow", delay=30, times=1, site="unoda")
    write_config(
        service_env,
        config_text(
            [
                {
                    "name": "replies",
                    "spider": "unoda",
                    "targets": [REPLIES],
                    "args": {"files": 0},
                    "every": "1s",
                    "timeout": 4,
                }
            ]
        ),
    )
    service = start_service(db)
    try:
        wait_for(
            lambda: [r.status for r in _runs(db, "replies")][:2] == ["timeout", "finished"],
            timeout=40,
        )
    finally:
        service.shutdown()
    runs = _runs(db, "replies")
    assert runs[0].status == "timeout" and "time limit of 4 s" in runs[0].log_tail
    assert runs[1].status == "finished" and runs[1].counts["captures"] == 1
    # A run every second was due while each crawl ran: none of them overlapped.
    for before, after in zip(runs, runs[1:], strict=False):
        assert before.finished_at is not None and after.started_at >= before.finished_at
    assert service.jobs is not None and service.jobs.skipped_overlaps > 0
    # Every run is closed: the shutdown left none "running".
    assert all(r.status != "running" for r in runs)


def test_healthz_metrics_sources_runs(
    service_env: dict[str, str], db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        service_env,
        config_text(
            [
                {"name": "tpnw", "spider": "treaties", "targets": ["tpnw"], "every": "1h"},
                {"name": "later", "spider": "igov", "cron": "0 3 * * *", "enabled": True},
            ]
        ),
    )
    service = start_service(db)
    try:
        wait_for(lambda: [r.status for r in _runs(db, "tpnw")] == ["finished"], timeout=30)
        client = TestClient(build_app(service.settings, db, service.config, service))
        health = client.get("/healthz")
        assert health.status_code == 200, health.text
        body = health.json()
        assert body["checks"] == {"database": "ok", "scheduler": "ok"}
        assert body["sources"]["tpnw"]["status"] == "finished"
        assert body["sources"]["later"] is not None  # a new source is crawled at once
        metrics = client.get("/metrics").text
        assert 'disarmwatch_crawl_runs_total{status="finished"}' in metrics
        # Counted from the database: the crawl children's captures and events are included.
        assert re.search(
            r'^disarmwatch_captures_total\{outcome="new_version"\} [1-9]', metrics, re.M
        )
        assert re.search(r'^disarmwatch_events_total\{type="new_document"\} [1-9]', metrics, re.M)
        assert "disarmwatch_crawl_duration_seconds_count" in metrics
        assert "disarmwatch_schedule_delay_seconds_bucket" in metrics
        assert "disarmwatch_deliveries" in metrics
        # The crawl pool (the default): its processes, their memory and crawls.
        workers = body["crawl_workers"]
        assert len(workers) == 2 and sum(w["crawls"] for w in workers) >= 2
        assert re.search(r"^disarmwatch_crawl_workers 2\.0$", metrics, re.M)
        # A process that ran a crawl has sent a heartbeat (its first comes before any crawl).
        assert re.search(r'^disarmwatch_crawl_worker_rss_bytes\{pid="\d+"\} [1-9]', metrics, re.M)
    finally:
        service.shutdown()
    # The scheduler is gone: unhealthy.
    assert client.get("/healthz").status_code == 503

    monkeypatch.setattr(state, "_settings", None)
    runner = CliRunner()
    out = runner.invoke(app, ["sources", "--json"], catch_exceptions=False).stdout
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["tpnw"]["last_run"]["status"] == "finished"
    assert rows["tpnw"]["next_run"] is not None and rows["tpnw"]["schedule"] == "every 1h"
    state._settings = None
    out = runner.invoke(app, ["runs", "--source", "tpnw", "--json"], catch_exceptions=False)
    run = json.loads(out.stdout)[0]
    assert run["status"] == "finished" and run["outcomes"] == {"new_version": 1}
    assert run["seconds"] is not None and run["captures"] == 1
    state._settings = None
    table = runner.invoke(app, ["runs"], catch_exceptions=False).stdout
    assert "tpnw" in table and "finished" in table
    state._settings = None


def test_sigterm_like_stop_interrupts_the_running_crawl(
    service_env: dict[str, str],
    un_mirror: Mirror,
    db: Database,
    crawl_mode: str,
) -> None:
    """In-process version of the SIGTERM path: captures made before the stop are kept."""
    un_mirror.fault("/meeting/74853/documents", kind="slow", delay=30, site="meetings")
    write_config(
        service_env,
        config_text(
            [
                {
                    "name": "unoda",
                    "spider": "unoda",
                    "targets": [REPLIES, "meeting:74853"],
                    "every": "1h",
                }
            ]
        ),
    )
    service = start_service(db)
    try:
        wait_for(lambda: _captures(db) >= 5, timeout=30)
    finally:
        started = time.monotonic()
        service.shutdown()
    assert time.monotonic() - started < 10  # grace (2 s) then SIGKILL at the latest
    (run,) = _runs(db, "unoda")
    assert run.status == "interrupted"
    assert _captures(db) >= 5


def _captures(db: Database) -> int:
    with db.session() as session:
        return len(session.scalars(select(Capture.id)).all())
