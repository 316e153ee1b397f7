"""The service process: the scheduler and/or the web app (uvicorn, in-process), and clean stops.

On SIGTERM or SIGINT the service stops accepting new runs, sets the stop event so that a running
crawl gets its grace period and is then ended (its run marked `interrupted`), waits for the
worker threads, stops the web server and returns. Captures are their own transactions in the
crawl child and outbox rows are written with their events, so nothing already captured is lost.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI

from tracker.config import Config
from tracker.db import Database
from tracker.service.scheduler import JobScheduler
from tracker.settings import Settings

log = logging.getLogger("disarmwatch.service")


@dataclass
class ServiceOptions:
    scheduler: bool = True
    web: bool = True
    host: str | None = None  # default: settings.web_host
    port: int | None = None  # default: settings.web_port
    workers: int = 4  # crawls running at once (each a child process)
    grace: float = 10.0  # seconds a crawl gets to stop after SIGTERM before SIGKILL
    scrapy_settings: dict[str, Any] = field(default_factory=dict)
    extra_routers: Sequence[APIRouter] = ()


def make_deliverer(db: Database, settings: Settings, config: Config) -> Any:
    """The alerting package's Deliverer, or None (logged) if it is not installed yet."""
    try:
        from tracker.alerts.deliver import Deliverer
    except ImportError as exc:
        log.warning("alert delivery is off: tracker.alerts.deliver is missing (%s)", exc)
        return None
    return Deliverer(db, settings, config)


def feed_routers() -> list[APIRouter]:
    try:
        from tracker.alerts.feeds import router
    except ImportError:
        return []
    return [router]


def build_app(
    settings: Settings,
    db: Database,
    config: Config,
    service: Service | None = None,
    routers: Sequence[APIRouter] = (),
) -> FastAPI:
    """The web app: the web package's app when present, with the ops and feeds routers."""
    from tracker.service.ops import router as ops_router

    all_routers = [ops_router, *feed_routers(), *routers]
    trigger = service.trigger_crawl if service is not None and service.jobs else None
    try:
        from tracker.web.app import create_app

        app = create_app(settings, db, config=config, routers=all_routers, trigger_crawl=trigger)
    except ImportError as exc:
        # The web package is optional to the service: health, metrics and feeds still serve.
        log.warning("web pages are off (%s): serving operations and feeds only", exc)
        app = FastAPI(title="disarmwatch")
        for router in all_routers:
            app.include_router(router)
        app.state.db, app.state.settings, app.state.config = db, settings, config
    app.state.service = service
    return app


class Service:
    """One running disarmwatch service; `run()` blocks until a signal or `stop()`."""

    def __init__(
        self, settings: Settings, config: Config, db: Database, options: ServiceOptions
    ) -> None:
        self.settings, self.config, self.db, self.options = settings, config, db, options
        self.jobs: JobScheduler | None = None
        self.server: Any = None
        self._web_thread: threading.Thread | None = None
        self._reextract_thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._stopped = threading.Event()

    @property
    def scheduler(self) -> JobScheduler | None:  # what /healthz and /metrics look at
        return self.jobs

    def start(self) -> None:
        if self.settings.config_file is not None:
            # Crawl children load the same settings and rules (the outbox is written there).
            os.environ["DISARMWATCH_CONFIG"] = str(self.settings.config_file)
        os.environ["DISARMWATCH_DATABASE_URL"] = self.settings.effective_database_url
        if self.options.scheduler:
            self._start_reextraction()
            self.jobs = JobScheduler(
                self.db,
                self.settings,
                self.config,
                workers=self.options.workers,
                scrapy_settings=self.options.scrapy_settings,
                grace=self.options.grace,
                deliverer=make_deliverer(self.db, self.settings, self.config),
            )
            self.jobs.start()
        if self.options.web:
            self._start_web()

    def _start_web(self) -> None:
        import uvicorn

        app = build_app(
            self.settings, self.db, self.config, self, routers=self.options.extra_routers
        )
        host = self.options.host or self.settings.web_host
        port = self.options.port if self.options.port is not None else self.settings.web_port
        config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False)
        self.server = uvicorn.Server(config)
        # In a thread, uvicorn installs no signal handlers: this process owns SIGTERM/SIGINT.
        self._web_thread = threading.Thread(target=self.server.run, name="web", daemon=True)
        self._web_thread.start()
        log.info("web on http://%s:%d", host, port)

    def _start_reextraction(self) -> None:
        """Re-extract texts made by an older extractor, in the background (tracker.reextract).

        It can take minutes on a large store, so the scheduler does not wait for it: a crawl
        that brings new bytes of a resource whose latest text is stale re-extracts that version
        first, in the capture's transaction, and the two never both replace one text. Only the
        service that runs the scheduler does this, so a web-only service does not repeat it.
        """
        self._reextract_thread = threading.Thread(
            target=self._reextract, name="reextract", daemon=True
        )
        self._reextract_thread.start()

    def _reextract(self) -> None:
        from tracker.reextract import count_due, reextract_all

        try:
            due = count_due(self.db)
            if not due:
                return
            log.info("re-extracting %d versions made by an older text extractor", due)
            summary = reextract_all(self.db, self.settings, stop=self._stopping)
            log.info(
                "re-extraction %s: %d versions, %d new texts, %d failed, in %.1f s",
                "stopped" if summary.stopped else "done",
                summary.versions,
                summary.changed,
                summary.failed,
                summary.seconds,
            )
        except Exception:  # the service runs on; the next start tries again
            log.exception("re-extraction ended with an error")

    def trigger_crawl(self, source: str) -> None:
        if self.jobs is None:
            raise RuntimeError("this service runs no scheduler")
        self.jobs.trigger(source)

    def install_signal_handlers(self) -> None:
        def handle(signum: int, _frame: Any) -> None:
            log.info("%s: stopping", signal.Signals(signum).name)
            self._stopping.set()

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)

    def run(self) -> None:
        """Start, wait for a signal (or stop()), then shut down cleanly."""
        self.install_signal_handlers()
        self.start()
        try:
            while not self._stopping.wait(0.5):
                if self._web_thread is not None and not self._web_thread.is_alive():
                    log.error("the web server stopped (is the port in use?)")
                    break
        finally:
            self.shutdown()

    def stop(self) -> None:
        self._stopping.set()

    def shutdown(self) -> None:
        if self._stopped.is_set():
            return
        self._stopping.set()
        if self.jobs is not None:
            self.jobs.shutdown()
        if self._reextract_thread is not None:
            self._reextract_thread.join(timeout=10)  # it stops between two versions
        if self.server is not None:
            self.server.should_exit = True
            if self._web_thread is not None:
                self._web_thread.join(timeout=10)
        self._stopped.set()
        log.info("service stopped")
