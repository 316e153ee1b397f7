"""Operations endpoints: `/healthz` and Prometheus `/metrics`.

Crawls run in child processes and deliveries may run in another process, so counters kept in
this process would miss most of the work. The metrics are therefore read from the database at
scrape time by a custom collector; only the scheduling delay (which exists only here) is kept
in memory. The router reads `app.state.db` and `app.state.service` (None when the app runs
without a scheduler).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text

from tracker.db import Database
from tracker.models import Capture, CrawlRun, Delivery, Event

router = APIRouter(tags=["operations"])

DURATION_BUCKETS = (1, 5, 15, 60, 300, 900, 3600, 4 * 3600)
DELAY_BUCKETS = (0.1, 0.5, 1, 2, 5, 15, 60)
DURATION_ROWS = 50_000  # the newest runs in the histogram: bounded work per scrape


def _utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def last_runs(db: Database) -> dict[str, dict[str, Any]]:
    """The newest crawl run of each source."""
    with db.session() as session:
        newest = (
            select(CrawlRun.source, func.max(CrawlRun.id).label("id"))
            .group_by(CrawlRun.source)
            .subquery()
        )
        runs = session.scalars(select(CrawlRun).join(newest, CrawlRun.id == newest.c.id)).all()
    out = {}
    for run in runs:
        started, finished = _utc(run.started_at), _utc(run.finished_at)
        out[run.source] = {
            "run_id": run.id,
            "status": run.status,
            "started_at": started.isoformat() if started else None,
            "finished_at": finished.isoformat() if finished else None,
            "seconds": (finished - started).total_seconds() if started and finished else None,
        }
    return out


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    """200 when the database answers and the scheduler (if this process runs one) is alive."""
    db: Database = request.app.state.db
    service = getattr(request.app.state, "service", None)
    checks: dict[str, Any] = {}
    try:
        with db.engine.connect() as conn:
            conn.execute(text("select 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not reachable"
        checks["database"] = f"error: {exc.__class__.__name__}"
    scheduler = getattr(service, "scheduler", None)
    if scheduler is None:
        checks["scheduler"] = "off"
    else:
        checks["scheduler"] = "ok" if scheduler.alive else "stopped"
    healthy = checks["database"] == "ok" and checks["scheduler"] in ("ok", "off")
    body: dict[str, Any] = {"status": "ok" if healthy else "unhealthy", "checks": checks}
    pool = getattr(scheduler, "pool", None)
    if pool is not None:
        body["crawl_workers"] = pool.status()  # pid, crawls running and done, RSS
    if checks["database"] == "ok":
        runs = last_runs(db)
        config = getattr(request.app.state, "config", None)
        configured = [s.name for s in config.sources] if config is not None else []
        body["sources"] = {name: runs.get(name) for name in configured} | {
            name: run for name, run in runs.items() if name not in configured
        }
        if scheduler is not None:
            body["running"] = sorted(scheduler.running_sources())
    return JSONResponse(body, status_code=200 if healthy else 503)


class DatabaseCollector(Collector):
    """Counts read from the database at scrape time (so crawl children's work is included)."""

    def __init__(self, db: Database, service: Any = None) -> None:
        self.db, self.service = db, service

    def collect(self) -> Iterator[Any]:
        with self.db.session() as session:
            runs = session.execute(
                select(CrawlRun.status, func.count()).group_by(CrawlRun.status)
            ).all()
            captures = session.execute(
                select(Capture.outcome, func.count()).group_by(Capture.outcome)
            ).all()
            events = session.execute(select(Event.type, func.count()).group_by(Event.type)).all()
            deliveries = session.execute(
                select(Delivery.state, func.count()).group_by(Delivery.state)
            ).all()
            spans = session.execute(
                select(CrawlRun.started_at, CrawlRun.finished_at)
                .where(CrawlRun.finished_at.is_not(None))
                .order_by(CrawlRun.id.desc())
                .limit(DURATION_ROWS)
            ).all()
        yield _counter("disarmwatch_crawl_runs", "Crawl runs by status.", "status", runs)
        yield _counter("disarmwatch_captures", "Captures by outcome.", "outcome", captures)
        yield _counter("disarmwatch_events", "Change events by type.", "type", events)
        yield _gauge("disarmwatch_deliveries", "Outbox deliveries by state.", "state", deliveries)
        durations = [(f - s).total_seconds() for s, f in spans]
        yield _histogram(
            "disarmwatch_crawl_duration_seconds",
            f"Duration of the newest {DURATION_ROWS} finished crawl runs.",
            durations,
            DURATION_BUCKETS,
        )
        scheduler = getattr(self.service, "scheduler", None)
        if scheduler is not None:
            yield _histogram(
                "disarmwatch_schedule_delay_seconds",
                "Seconds between a crawl's scheduled time and its start (this process).",
                list(scheduler.delays),
                DELAY_BUCKETS,
            )
            running = GaugeMetricFamily(
                "disarmwatch_crawls_running", "Crawls running now in this service."
            )
            running.add_metric([], len(scheduler.running_sources()))
            yield running
            skipped = CounterMetricFamily(
                "disarmwatch_runs_skipped_overlap",
                "Scheduled runs skipped because the source's previous run was still going.",
            )
            skipped.add_metric([], scheduler.skipped_overlaps)
            yield skipped
            pool = getattr(scheduler, "pool", None)
            if pool is not None:
                yield from _pool_metrics(pool.status())


def _pool_metrics(workers: list[dict[str, Any]]) -> Iterator[Any]:
    """The long-lived crawl processes: how many, their memory, and the crawls each has run."""
    count = GaugeMetricFamily("disarmwatch_crawl_workers", "Crawl processes running now.")
    count.add_metric([], len(workers))
    yield count
    rss = GaugeMetricFamily(
        "disarmwatch_crawl_worker_rss_bytes",
        "Resident memory of each crawl process.",
        labels=["pid"],
    )
    crawls = GaugeMetricFamily(
        "disarmwatch_crawl_worker_crawls", "Crawls started by each crawl process.", labels=["pid"]
    )
    for worker in workers:
        rss.add_metric([str(worker["pid"])], worker["rss_mb"] * 1024 * 1024)
        crawls.add_metric([str(worker["pid"])], worker["crawls"])
    yield rss
    yield crawls


def _counter(name: str, doc: str, label: str, rows: Any) -> CounterMetricFamily:
    family = CounterMetricFamily(name, doc, labels=[label])
    for value, count in rows:
        family.add_metric([str(value)], count)
    return family


def _gauge(name: str, doc: str, label: str, rows: Any) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=[label])
    for value, count in rows:
        family.add_metric([str(value)], count)
    return family


def _histogram(
    name: str, doc: str, values: list[float], buckets: tuple[float, ...]
) -> HistogramMetricFamily:
    cumulative = [(str(float(b)), sum(1 for v in values if v <= b)) for b in buckets]
    cumulative.append(("+Inf", len(values)))
    family = HistogramMetricFamily(name, doc)
    family.add_metric([], cumulative, sum_value=sum(values))
    return family


def metrics_registry(db: Database, service: Any = None) -> CollectorRegistry:
    # A registry of our own: no process-global state, so several apps (tests) can coexist.
    registry = CollectorRegistry(auto_describe=True)
    registry.register(DatabaseCollector(db, service))
    return registry


@router.get("/metrics")
def metrics(request: Request) -> Response:
    state = request.app.state
    registry = getattr(state, "metrics_registry", None)
    if registry is None:
        registry = state.metrics_registry = metrics_registry(
            state.db, getattr(state, "service", None)
        )
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
