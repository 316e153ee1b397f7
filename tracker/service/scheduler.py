"""Scheduled crawls, outbox sweeps and digests: APScheduler 3 with its job store in our database.

Jobs live in the `apscheduler_jobs` table (created by migration 0002, never by `create_all`), so
a restart keeps each job's next run time. At start the jobs are synced from the configuration:
a job whose source is new is added, one whose fingerprint changed is replaced, one whose source
is gone (or disabled) is removed, and an unchanged job is left alone so its schedule survives.

The job store pickles jobs, so job functions are referenced by text (`module:function`) with
plain arguments (names and fingerprints); they find the running service through `_ACTIVE`, a
module-level registry set by `JobScheduler.start`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, update

from tracker.config import Config, Source
from tracker.crawl import CrawlRequest, CrawlResult, run_crawl
from tracker.crawl_pool import CrawlPool
from tracker.db import Database
from tracker.models import CrawlRun, utcnow
from tracker.service.triggers import (
    CRON_MISFIRE_GRACE,
    cron_fields,
    first_run,
    misfire_grace,
    source_trigger,
)
from tracker.settings import Settings
from tracker.store import Store

log = logging.getLogger("disarmwatch.scheduler")

JOBSTORE_TABLE = "apscheduler_jobs"
SOURCE_PREFIX = "source:"
DIGEST_PREFIX = "digest:"
DELIVER_JOB = "deliver"
DELAYS_KEPT = 10_000
ORPHAN_NOTE = "\ndisarmwatch: the service running this crawl stopped without closing it"

_ACTIVE: JobScheduler | None = None  # the running service's scheduler, for the job functions


# -- job functions (referenced by text from the job store) -----------------------------------


def run_source(name: str, fingerprint: str = "") -> None:
    """One scheduled crawl of the source `name`."""
    active = _ACTIVE
    if active is None:
        log.warning("no running service for scheduled crawl of %s", name)
        return
    active.run_source(name, fingerprint)


def deliver_due() -> None:
    """One sweep of the outbox: send what is due."""
    if _ACTIVE is not None:
        _ACTIVE.deliver_due()


def deliver_digest(rule: str, fingerprint: str = "") -> None:
    """A digest rule's message: every pending matching event, in one message."""
    if _ACTIVE is not None:
        _ACTIVE.deliver_digest(rule)


class TimedExecutor(ThreadPoolExecutor):
    """A thread pool that notes each run's scheduled time before the run can start.

    (APScheduler's submission event fires after the pool may already have started the job, so
    a listener would race the job it describes.)
    """

    def __init__(self, max_workers: int, on_submit: Callable[[str, list[datetime]], None]) -> None:
        super().__init__(max_workers=max_workers)
        self.on_submit = on_submit

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        self.on_submit(job.id, run_times)
        super()._do_submit_job(job, run_times)


@dataclass
class SyncReport:
    added: list[str]
    changed: list[str]
    removed: list[str]
    kept: list[str]


@dataclass
class WantedJob:
    id: str
    func: str
    kwargs: dict[str, Any]
    trigger: BaseTrigger
    misfire_grace_time: int | None
    name: str
    run_now: bool = False  # a new or changed source runs soon: see triggers.first_run
    executor: str = "default"


class JobScheduler:
    """The BackgroundScheduler, its jobs, and what each job does when it fires."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        config: Config,
        *,
        workers: int = 4,
        scrapy_settings: dict[str, Any] | None = None,
        grace: float = 10.0,
        deliverer: Any = None,
    ) -> None:
        self.db, self.settings, self.config = db, settings, config
        self.store = Store(db, settings)
        self.scrapy_settings = scrapy_settings or {}
        self.grace = grace
        self.deliverer = deliverer
        self.stop_event = threading.Event()  # set at shutdown: running crawls end, marked so
        self.accepting = True
        self.delays: deque[float] = deque(maxlen=DELAYS_KEPT)  # seconds late, per run start
        self.skipped_overlaps = 0
        self._submitted: dict[str, list[datetime]] = {}
        self._running: set[str] = set()
        self._lock = threading.Lock()
        # Crawls run in long-lived crawl processes, or (crawl_workers = 0) one process each.
        self.pool = (
            CrawlPool(
                self.store,
                settings,
                size=settings.crawl_workers,
                max_running=workers,
                scrapy_settings=self.scrapy_settings,
                grace=grace,
            )
            if settings.crawl_workers > 0
            else None
        )
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=db.engine, tablename=JOBSTORE_TABLE)},
            # Deliveries get their own threads: a full crawl pool must not hold alerts back.
            executors={
                # With a pool a job only hands its crawl over: a few threads are plenty.
                "default": TimedExecutor(
                    workers if self.pool is None else min(workers, 4), self._on_submit
                ),
                "alerts": ThreadPoolExecutor(max_workers=2),
            },
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=UTC,
        )
        self.scheduler.add_listener(self._on_max_instances, EVENT_JOB_MAX_INSTANCES)

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> SyncReport:
        global _ACTIVE
        _ACTIVE = self
        self.close_orphaned_runs()
        if self.pool is not None:
            self.pool.start()
        # Paused first: the sync must finish before any job (stale or not) fires.
        self.scheduler.start(paused=True)
        report = self.sync()
        self.scheduler.resume()
        log.info(
            "scheduler started: %d jobs (added %s, changed %s, removed %s)",
            len(self.scheduler.get_jobs()),
            report.added or "none",
            report.changed or "none",
            report.removed or "none",
        )
        return report

    def close_orphaned_runs(self) -> int:
        """Runs left `running` by a service that died (kill -9, power loss) are closed as
        interrupted: their captures stay, and `sources`/`healthz` stop showing them as live."""
        with self.db.session() as session, session.begin():
            result = session.execute(
                update(CrawlRun)
                .where(CrawlRun.status == "running")
                .values(
                    status="interrupted",
                    finished_at=utcnow(),
                    log_tail=func.coalesce(CrawlRun.log_tail, "") + ORPHAN_NOTE,
                )
            )
        if result.rowcount:
            log.warning(
                "%d crawl runs of a previous service closed as interrupted", result.rowcount
            )
        return result.rowcount

    def shutdown(self) -> None:
        """No new runs; running crawls get their grace period, are ended and marked interrupted."""
        global _ACTIVE
        self.accepting = False
        if self.scheduler.running:
            self.scheduler.pause()
        self.stop_event.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)  # waits for the worker threads' run_crawl calls
        if self.pool is not None:
            self.pool.shutdown(self.grace)  # crawls get their grace, then are interrupted
        if _ACTIVE is self:
            _ACTIVE = None

    @property
    def alive(self) -> bool:
        thread = getattr(self.scheduler, "_thread", None)
        return bool(self.scheduler.running and thread is not None and thread.is_alive())

    # -- syncing from configuration -------------------------------------------------------------

    def wanted_jobs(self) -> list[WantedJob]:
        wanted = []
        for source in self.config.sources:
            if not source.enabled:
                continue
            fp = source.fingerprint()
            wanted.append(
                WantedJob(
                    id=SOURCE_PREFIX + source.name,
                    func=f"{__name__}:run_source",
                    kwargs={"name": source.name, "fingerprint": fp},
                    trigger=source_trigger(source),
                    misfire_grace_time=misfire_grace(source),
                    name=f"crawl {source.name}",
                    run_now=True,
                )
            )
        if self.deliverer is not None:
            interval = float(self.settings.delivery_interval)
            wanted.append(
                WantedJob(
                    id=DELIVER_JOB,
                    func=f"{__name__}:deliver_due",
                    kwargs={},
                    trigger=IntervalTrigger(seconds=interval, timezone=UTC),
                    misfire_grace_time=max(1, int(interval)),
                    name=f"deliver every {interval:g} s",
                    executor="alerts",
                )
            )
            for rule in self.config.rules:
                if rule.mode != "digest" or not rule.digest:
                    continue
                wanted.append(
                    WantedJob(
                        id=DIGEST_PREFIX + rule.name,
                        func=f"{__name__}:deliver_digest",
                        kwargs={"rule": rule.name, "fingerprint": rule.digest},
                        trigger=CronTrigger(**cron_fields(rule.digest), timezone=UTC),
                        misfire_grace_time=CRON_MISFIRE_GRACE,
                        name=f"digest {rule.name}",
                        executor="alerts",
                    )
                )
        return wanted

    def sync(self) -> SyncReport:
        """Make the stored jobs match the configuration; unchanged jobs keep their next run."""
        report = SyncReport([], [], [], [])
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        wanted = self.wanted_jobs()
        for want in wanted:
            old = existing.get(want.id)
            if old is not None and _same(old, want):
                report.kept.append(want.id)
                continue
            extra: dict[str, Any] = {}
            if want.run_now:
                extra["next_run_time"] = first_run(want.trigger, datetime.now(UTC))
            self.scheduler.add_job(
                want.func,
                trigger=want.trigger,
                id=want.id,
                name=want.name,
                kwargs=want.kwargs,
                misfire_grace_time=want.misfire_grace_time,
                replace_existing=True,
                executor=want.executor,
                **extra,
            )
            (report.changed if old is not None else report.added).append(want.id)
        keep = {w.id for w in wanted}
        for job_id in existing:
            if job_id not in keep:
                self.scheduler.remove_job(job_id)
                report.removed.append(job_id)
        return report

    # -- what jobs do --------------------------------------------------------------------------

    def _on_submit(self, job_id: str, run_times: list[datetime]) -> None:
        with self._lock:
            self._submitted[job_id] = list(run_times)

    def _on_max_instances(self, event: JobSubmissionEvent) -> None:
        # APScheduler refused to start a second run of a job still running: count it, no more.
        self.skipped_overlaps += 1
        log.warning("%s is still running: this run is skipped", event.job_id)

    def _scheduled_time(self, job_id: str) -> datetime | None:
        with self._lock:
            times = self._submitted.pop(job_id, None)
        return times[-1] if times else None

    def run_source(
        self, name: str, fingerprint: str = ""
    ) -> CrawlResult | Future[CrawlResult] | None:
        """Start the crawl of `name`: handed to the crawl pool (returns its future at once), or
        run in a child process of its own (returns when it is over)."""
        job_id = SOURCE_PREFIX + name
        scheduled = self._scheduled_time(job_id)
        if not self.accepting:
            return None
        try:
            source = self.config.source(name)
        except KeyError:
            log.warning("scheduled crawl of %s, which is no longer configured", name)
            return None
        with self._lock:
            # With one process per crawl, max_instances=1 prevents this already; with the pool
            # (the job returns at once) and for manual triggers, this set does.
            if name in self._running:
                self.skipped_overlaps += 1
                log.warning("%s is still running: this run is skipped", name)
                return None
            self._running.add(name)

        def started(run_id: int, at: float) -> None:
            self._note_start(source, scheduled, at)

        request = CrawlRequest(
            source.spider, list(source.targets), source.name, source.timeout, source.spider_args()
        )
        if self.pool is not None:
            try:
                future = self.pool.submit(request, on_start=started)
            except Exception:
                log.exception("crawl %s could not start", name)
                self._done_running(name)
                return None
            future.add_done_callback(lambda f: self._pool_crawl_done(name, f))
            return future

        def on_progress(data: dict[str, Any]) -> None:
            if data.get("type") == "started":
                started(0, float(data.get("at") or time.time()))

        try:
            result = run_crawl(
                self.store,
                self.settings,
                source.spider,
                source.targets,
                source=source.name,
                timeout=source.timeout,
                scrapy_settings=self.scrapy_settings,
                spider_args=source.spider_args(),
                on_progress=on_progress,
                stop=self.stop_event,
                grace=self.grace,
            )
        except Exception:
            log.exception("crawl %s could not run", name)
            return None
        finally:
            self._done_running(name)
        self._log_result(name, result)
        return result

    def _note_start(self, source: Source, scheduled: datetime | None, at: float) -> None:
        """The crawl's spider opened at `at`: how late that is after its scheduled time."""
        delay = None
        if scheduled is not None:
            delay = max(0.0, at - scheduled.timestamp())
            self.delays.append(delay)
        log.info(
            "crawl %s started (%s)",
            source.name,
            f"{delay:.2f} s after its scheduled time" if delay is not None else "manual",
            extra={"source": source.name, "spider": source.spider, "delay": delay},
        )

    def _done_running(self, name: str) -> None:
        with self._lock:
            self._running.discard(name)

    def _pool_crawl_done(self, name: str, future: Future[CrawlResult]) -> None:
        self._done_running(name)
        try:
            result = future.result()
        except Exception:
            log.exception("crawl %s could not be recorded", name)
            return
        self._log_result(name, result)

    def _log_result(self, name: str, result: CrawlResult) -> None:
        level = logging.INFO if result.status == "finished" else logging.WARNING
        log.log(
            level,
            "crawl %s %s in %.1f s: %s captures, %s events",
            name,
            result.status,
            result.seconds,
            result.counts.get("captures", 0),
            result.counts.get("events", 0),
            extra={"source": name, "run_id": result.run_id, "status": result.status},
        )

    def running_sources(self) -> set[str]:
        with self._lock:
            return set(self._running)

    def deliver_due(self) -> dict[str, Any] | None:
        if self.deliverer is None or not self.accepting:
            return None
        try:
            counts = self.deliverer.deliver_due()
        except Exception:
            log.exception("outbox sweep failed; it runs again at the next interval")
            return None
        if counts and any(counts.values()):
            log.info("outbox sweep: %s", counts, extra={"deliveries": counts})
        return counts

    def deliver_digest(self, rule: str) -> None:
        if self.deliverer is None or not self.accepting:
            return
        try:
            self.deliverer.deliver_digest(rule)
        except Exception:
            log.exception("digest of %s failed", rule)

    def next_runs(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}

    def trigger(self, name: str) -> None:
        """Run a source as soon as a worker is free (the web's 'crawl now'); KeyError if unknown."""
        self.config.source(name)
        self.scheduler.modify_job(SOURCE_PREFIX + name, next_run_time=datetime.now(UTC))


def _same(job: Any, want: WantedJob) -> bool:
    return (
        job.kwargs == want.kwargs
        and job.executor == want.executor
        and f"{job.func_ref}" == want.func
        and str(job.trigger) == str(want.trigger)
    )
