"""Crawls in long-lived worker processes (`python -m crawler.worker`). No Scrapy import here.

A fresh Python + Scrapy process costs about a second of CPU before it fetches anything; a
service with hundreds of sources on short schedules would spend its machine on start-ups. The
pool keeps `size` worker processes running and hands each crawl to the least busy one, where it
starts at once beside the others. Each crawl still gets its own crawl-run row, counts, log
tail and time limit, and a worker's trouble stays a recorded failure, never the service's:

- a crawl past its limit is told to stop (Scrapy also closes it at `CLOSESPIDER_TIMEOUT`);
  one still running `grace` seconds later is closed as `timeout` and its worker is retired
  (no new crawls; ended once its other crawls are over), since only ending the process is
  sure to end a stuck crawl;
- a worker that dies, or stops sending its heartbeat, is ended; its crawls are `failed` with
  the reason and the worker's last log lines, and a new worker takes the next crawls;
- a worker is replaced after `max_crawls` crawls or above `max_rss_mb`, so that a slow leak in
  a spider or a library cannot grow without bound;
- at `shutdown` every crawl is told to stop and gets `grace` seconds; what is left is ended and
  marked `interrupted`. Everything already captured stays: each capture is one transaction.

At most `max_running` crawls run at once; more wait in order and start as others end.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from tracker.crawl import (
    INTERRUPTED_NOTE,
    LOG_TAIL_LINES,
    CrawlRequest,
    CrawlResult,
    child_env,
    read_output,
    timeout_note,
)
from tracker.settings import Settings
from tracker.store import Store

log = logging.getLogger("disarmwatch.crawl_pool")

TICK = 0.1  # seconds between checks of limits, heartbeats and worker health
WORKER_LOG_LINES = 50  # a worker's own last lines, added to the runs it fails

OnStart = Callable[[int, float], None]  # (run id, wall-clock time the spider opened)


def worker_command(scrapy_settings: dict[str, Any]) -> list[str]:
    cmd = [sys.executable, "-m", "crawler.worker"]
    for name, value in scrapy_settings.items():
        cmd += ["--set", f"{name}={json.dumps(value)}"]
    return cmd


@dataclass(eq=False)
class _Run:
    request: CrawlRequest
    limit: float
    future: Future[CrawlResult]
    on_start: OnStart | None
    run_id: int = 0
    worker: _Worker | None = None
    dispatched: float = 0.0  # monotonic
    last: dict[str, Any] = field(default_factory=dict)  # its latest progress or summary line
    stopping: str = ""  # why it was told to stop: timeout | interrupted
    done: bool = False


class _Worker:
    """One `crawler.worker` process, the crawls it holds, and the threads reading it."""

    ids = itertools.count(1)

    def __init__(self, pool: CrawlPool) -> None:
        self.pool = pool
        self.number = next(self.ids)
        self.proc = subprocess.Popen(
            worker_command(pool.scrapy_settings),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(pool.settings),
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,  # its own process group: killing it takes its children
        )
        self.runs: dict[int, _Run] = {}
        self.crawls = 0
        self.retiring = ""  # why it takes no new crawls
        self.closed_at: float | None = None  # monotonic, when its stdin was closed
        self.heartbeat = time.monotonic()  # start-up counts as alive
        self.rss_mb = 0.0
        self.log: deque[str] = deque(maxlen=WORKER_LOG_LINES)
        self.readers = read_output(self.proc, self.log, lambda data: pool._on_line(self, data))

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(self, command: dict[str, Any]) -> bool:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(command) + "\n")
            self.proc.stdin.flush()
            return True
        except (OSError, ValueError):  # the worker is gone; its reader reports that
            return False

    def close_input(self) -> None:
        if self.closed_at is None:
            self.closed_at = time.monotonic()
            with contextlib.suppress(OSError, ValueError):
                assert self.proc.stdin is not None
                self.proc.stdin.close()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)


class CrawlPool:
    """Runs crawls in `size` long-lived worker processes; see the module's docstring."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        size: int = 2,
        max_running: int = 32,
        scrapy_settings: dict[str, Any] | None = None,
        grace: float = 10.0,
        max_crawls: int | None = None,
        max_rss_mb: float | None = None,
        hang_after: float = 60.0,
    ) -> None:
        self.store, self.settings = store, settings
        self.size = max(1, size)
        self.max_running = max(1, max_running)
        self.scrapy_settings = dict(scrapy_settings or {})
        self.grace = grace
        self.max_crawls = max_crawls or settings.crawl_worker_max_crawls
        self.max_rss_mb = max_rss_mb or settings.crawl_worker_max_rss_mb
        self.hang_after = hang_after
        self.workers: list[_Worker] = []
        self.waiting: deque[_Run] = deque()
        self.accepting = True
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the workers now, so that the first crawls do not wait for their start-up."""
        with self._lock:
            while len(self._serving()) < self.size:
                self._spawn()
            if self._monitor is None:
                self._monitor = threading.Thread(target=self._watch, name="crawl-pool", daemon=True)
                self._monitor.start()

    def shutdown(self, grace: float | None = None) -> None:
        """Stop every crawl: `grace` seconds to close cleanly, then the workers are ended."""
        grace = self.grace if grace is None else grace
        with self._lock:
            self.accepting = False
            waiting, self.waiting = list(self.waiting), deque()
            running = [r for w in self.workers for r in w.runs.values()]
            for run in running:
                run.stopping = "interrupted"
                if run.worker is not None:
                    run.worker.send({"op": "stop", "run_id": run.run_id})
        for run in waiting:
            self._finish(run, "interrupted", [INTERRUPTED_NOTE])
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(not r.done for r in running):
            time.sleep(TICK)
        self._stop.set()
        with self._lock:
            workers, self.workers = list(self.workers), []
        for worker in workers:
            worker.close_input()
            worker.kill(signal.SIGTERM)
        for worker in workers:
            try:
                worker.proc.wait(timeout=max(1.0, min(grace, 5.0)))
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.proc.wait()
            for reader in worker.readers:
                reader.join(timeout=2)
            for run in list(worker.runs.values()):
                self._finish(run, "interrupted", [INTERRUPTED_NOTE])
        if self._monitor is not None:
            self._monitor.join(timeout=5)

    # -- crawls --------------------------------------------------------------------------------

    def submit(
        self, request: CrawlRequest, *, on_start: OnStart | None = None
    ) -> Future[CrawlResult]:
        """Queue a crawl; it starts at once if fewer than `max_running` are running."""
        limit = request.timeout if request.timeout is not None else self.settings.crawl_timeout
        if not self.accepting:
            raise RuntimeError("the crawl pool is shut down")
        run = _Run(request, limit, Future(), on_start)
        # The row is written here, outside the lock: it says when the crawl was asked for.
        run.run_id = self.store.start_run(request.source or request.spider, request.spider)
        with self._lock:
            accepted = self.accepting
            if accepted:
                self.waiting.append(run)
                self._dispatch()
        if not accepted:  # shut down while its row was written
            self._finish(run, "interrupted", [INTERRUPTED_NOTE])
        return run.future

    def run(self, request: CrawlRequest, *, on_start: OnStart | None = None) -> CrawlResult:
        return self.submit(request, on_start=on_start).result()

    def status(self) -> list[dict[str, Any]]:
        """Each worker: pid, crawls running, crawls done, RSS, and why it is retiring."""
        with self._lock:
            return [
                {
                    "pid": w.pid,
                    "running": len(w.runs),
                    "crawls": w.crawls,
                    "rss_mb": w.rss_mb,
                    "retiring": w.retiring or None,
                }
                for w in self.workers
            ]

    # -- inside (the lock is an RLock: _dispatch and _retire run under it) ----------------------

    def _serving(self) -> list[_Worker]:
        return [w for w in self.workers if not w.retiring and w.proc.poll() is None]

    def _spawn(self) -> _Worker:
        worker = _Worker(self)
        self.workers.append(worker)
        log.info("crawl worker %d started (pid %d)", worker.number, worker.pid)
        return worker

    def _running_count(self) -> int:
        return sum(len(w.runs) for w in self.workers)

    def _dispatch(self) -> None:
        while self.waiting and self.accepting and self._running_count() < self.max_running:
            serving = self._serving()
            if len(serving) < self.size:
                serving.append(self._spawn())
            worker = min(serving, key=lambda w: len(w.runs))
            run = self.waiting.popleft()
            request = run.request
            run.worker, run.dispatched = worker, time.monotonic()
            worker.runs[run.run_id] = run
            worker.crawls += 1
            sent = worker.send(
                {
                    "op": "crawl",
                    "run_id": run.run_id,
                    "spider": request.spider,
                    "targets": list(request.targets),
                    "source": request.source or request.spider,
                    "spider_args": dict(request.spider_args),
                    "timeout": run.limit,
                }
            )
            if not sent:
                self._retire(worker, "its input is closed")
            elif worker.crawls >= self.max_crawls:
                self._retire(worker, f"it has run {worker.crawls} crawls")

    def _retire(self, worker: _Worker, why: str) -> None:
        """No new crawls for `worker`; it is ended once its crawls are over (see `_watch`)."""
        if not worker.retiring:
            worker.retiring = why
            log.info("crawl worker %d (pid %d) retiring: %s", worker.number, worker.pid, why)

    def _on_line(self, worker: _Worker, data: dict[str, Any]) -> None:
        kind = data.get("type")
        if kind == "heartbeat":
            worker.heartbeat = time.monotonic()
            worker.rss_mb = float(data.get("rss_mb") or 0.0)
            if worker.rss_mb > self.max_rss_mb:
                with self._lock:
                    self._retire(worker, f"its RSS is {worker.rss_mb:.0f} MB")
            return
        run = worker.runs.get(data.get("run_id"))  # type: ignore[arg-type]
        if run is None:
            return  # a crawl whose run was already closed (timeout) goes on talking
        if kind == "started":
            if run.on_start is not None:
                try:
                    run.on_start(run.run_id, float(data.get("at") or time.time()))
                except Exception:
                    log.exception("on_start of run %d failed", run.run_id)
        elif kind == "ended":
            self._ended(run, data)
        else:
            run.last = data

    def _ended(self, run: _Run, data: dict[str, Any]) -> None:
        last, notes = run.last, []
        if data.get("log_tail"):
            notes.append(data["log_tail"])
        if last.get("type") == "summary":
            reason = last.get("reason")
            if reason == "closespider_timeout" or (
                reason == "shutdown" and run.stopping == "timeout"
            ):
                status = "timeout"
                notes.append(timeout_note(run.limit))
            elif reason == "shutdown":
                status = "interrupted"
                notes.append(INTERRUPTED_NOTE)
            else:
                status = "finished"
        else:
            status = "failed"
            notes.append(
                f"disarmwatch: the crawl could not run: {data.get('error') or 'no summary'}"
            )
        self._finish(run, status, notes)

    def _finish(self, run: _Run, status: str, notes: list[str]) -> None:
        """Close `run`'s row and resolve its future, once; then start what is waiting."""
        with self._lock:
            if run.done:
                return
            run.done = True
            if run.worker is not None:
                run.worker.runs.pop(run.run_id, None)
        seconds = time.monotonic() - run.dispatched if run.dispatched else 0.0
        counts = {k: v for k, v in run.last.items() if k not in ("type", "run_id")}
        counts["seconds"] = round(seconds, 3)
        log_tail = "\n".join("\n".join(notes).splitlines()[-LOG_TAIL_LINES:])
        try:
            self.store.finish_run(run.run_id, status=status, counts=counts, log_tail=log_tail)
            run.future.set_result(CrawlResult(run.run_id, status, None, seconds, counts, log_tail))
        except Exception as exc:
            log.exception("run %d could not be closed", run.run_id)
            run.future.set_exception(exc)
        with self._lock:
            self._dispatch()

    def _fail_worker_runs(self, worker: _Worker, why: str) -> None:
        shared = list(worker.log)
        for run in list(worker.runs.values()):
            if run.stopping == "interrupted" or not self.accepting:
                self._finish(run, "interrupted", [INTERRUPTED_NOTE])
            else:
                self._finish(run, "failed", [*shared, f"disarmwatch: {why}"])

    def _watch(self) -> None:
        while not self._stop.wait(TICK):
            try:
                self._check()
            except Exception:
                log.exception("crawl pool check failed")

    def _check(self) -> None:
        now = time.monotonic()
        failed: list[tuple[_Worker, str]] = []
        overdue: list[_Run] = []
        with self._lock:
            for worker in list(self.workers):
                code = worker.proc.poll()
                if code is not None:
                    self.workers.remove(worker)
                    if worker.runs:
                        failed.append((worker, f"the crawl process ended (exit code {code})"))
                    continue
                if now - worker.heartbeat > self.hang_after:
                    log.error("crawl worker %d stopped answering: ended", worker.number)
                    worker.kill()
                    self.workers.remove(worker)
                    failed.append(
                        (worker, f"the crawl process stopped answering for {self.hang_after:.0f} s")
                    )
                    continue
                for run in worker.runs.values():
                    age = now - run.dispatched
                    if age > run.limit and not run.stopping:
                        run.stopping = "timeout"
                        worker.send({"op": "stop", "run_id": run.run_id})
                    if age > run.limit + self.grace:
                        overdue.append(run)
                        self._retire(worker, f"run {run.run_id} did not stop after its time limit")
        for run in overdue:
            self._finish(run, "timeout", [timeout_note(run.limit)])
        for worker, why in failed:
            for reader in worker.readers:
                reader.join(timeout=2)  # its last lines first: a crawl may have ended just before
            self._fail_worker_runs(worker, why)
        with self._lock:
            for worker in self.workers:
                if not worker.retiring or worker.runs:
                    continue
                if worker.closed_at is None:
                    # SIGTERM too: a crawl closed as overdue may still be inside it.
                    worker.close_input()
                    worker.kill(signal.SIGTERM)
                elif now - worker.closed_at > self.grace:
                    worker.kill()
            self._dispatch()
